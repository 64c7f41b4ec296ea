// The inline stylesheet and script of the HTML timeline (html_timeline.h), compiled into the
// binary so the page needs no file at run time and no network when opened.
//
// The script reads the JSON blob in <script type="application/json" id="data"> (schema in
// html_timeline.h) and draws the timeline as SVG. It must never contain the character sequence
// that closes a script element; a test checks this.
#ifndef RMQSIM_REPORTS_HTML_TIMELINE_ASSETS_H_
#define RMQSIM_REPORTS_HTML_TIMELINE_ASSETS_H_

namespace rmqsim::reports {

inline constexpr const char kHtmlTimelineCss[] = R"RMQCSS(
:root { --ok: #2e9d4a; --error: #d43c3c; --timeout: #f08c1a; --status: #e3c21b;
        --pending: #9aa0a6; --fault: rgba(140, 60, 200, 0.13); --dup: #8e44ad; --ink: #1d2125;
        --muted: #5f6873; --line: #d9dde1; --hi: #fff3c4; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1600px; padding: 16px 24px 40px; color: var(--ink);
       font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
code { font: 12.5px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
       background: #f3f4f6; padding: 1px 4px; border-radius: 3px; }
.meta { color: var(--muted); margin: 0 0 8px; }
.desc { white-space: pre-wrap; margin: 8px 0; max-width: 100ch; }
.refs { margin: 4px 0; padding-left: 20px; }
.repro code { user-select: all; word-break: break-all; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 2px 10px; text-align: right; }
thead th { background: #f3f4f6; text-align: center; }
tbody th { text-align: left; font-weight: normal; font-family: ui-monospace, Menlo, Consolas, monospace;
           font-size: 12.5px; }
tr.diff td, tr.diff th { background: var(--hi); font-weight: 600; }
td.zero { color: #b3b8bd; }
td.bad { color: var(--error); font-weight: 600; }
td.dup { color: var(--dup); font-weight: 600; }
.none, .hint, .more { color: var(--muted); }
.hint { margin: 4px 0; font-size: 12.5px; }
.toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 4px 0; }
.toolbar button { font: inherit; min-width: 32px; padding: 2px 8px; border: 1px solid #b9c0c7;
                  background: #fff; border-radius: 4px; cursor: pointer; }
.toolbar button:hover { background: #eef1f4; }
#range { color: var(--muted); font-variant-numeric: tabular-nums; margin-left: 6px; }
.legend { margin-left: auto; color: var(--muted); font-size: 12.5px; }
.legend i { display: inline-block; width: 12px; height: 10px; margin: 0 3px 0 8px; vertical-align: -1px;
            border-radius: 2px; }
.legend b { margin: 0 2px 0 8px; }
i.c-ok { background: var(--ok); } i.c-error { background: var(--error); }
i.c-timeout { background: var(--timeout); } i.c-status { background: var(--status); }
i.c-pending { background: var(--pending); } i.c-fault { background: rgba(140, 60, 200, 0.35); }
b.m-bad { color: var(--error); } b.m-dup { color: var(--dup); }
#tl-wrap { border: 1px solid var(--line); border-radius: 4px; overflow: hidden; background: #fff; }
#tl { display: block; width: 100%; height: auto; cursor: grab; user-select: none; }
#tl.dragging { cursor: grabbing; }
#tl text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
#tl .lbl { fill: var(--muted); }
#tl .ghead { font-weight: 700; font-size: 12px; }
#tl .gsum { fill: var(--muted); }
#tl .lane { fill: #fafbfc; } #tl .lane.alt { fill: #f2f4f6; }
#tl .sep { stroke: var(--line); }
#tl .tick { stroke: #e6e9ec; } #tl .axis { fill: var(--muted); }
#tl .fault { fill: var(--fault); stroke: rgba(140, 60, 200, 0.45); stroke-dasharray: 3 2; }
#tl .flbl { fill: #6b2f99; font-size: 10px; }
#tl .a { stroke: rgba(0, 0, 0, 0.25); stroke-width: 0.5; }
#tl .c-ok { fill: var(--ok); } #tl .c-error { fill: var(--error); }
#tl .c-timeout { fill: var(--timeout); } #tl .c-status { fill: var(--status); }
#tl .c-pending { fill: var(--pending); }
#tl .lin { stroke: #59626b; stroke-width: 1; fill: none; stroke-dasharray: 2 2; }
#tl .st { fill: #1d2125; } #tl .st.dup { fill: var(--dup); }
#tl .snd { fill: var(--ok); } #tl .snd.o1 { fill: var(--error); } #tl .snd.o2 { fill: var(--pending); }
#tl .bad { fill: var(--error); stroke: #5c0f0f; stroke-width: 1; }
#tl .dupm { fill: var(--dup); stroke: #3b1049; stroke-width: 1; }
#tl .nsev { stroke: #4a6fa5; stroke-width: 1.5; }
#tl .sel { stroke: #000; stroke-width: 2; }
#tl .sellin { stroke: #000; stroke-width: 2; fill: none; }
#tl .selbar { fill: rgba(255, 214, 0, 0.18); }
#tl .dens, #tl .strip { stroke: none; }
#tip { position: fixed; z-index: 10; max-width: 460px; pointer-events: none; background: #1d2125;
       color: #f5f6f7; padding: 6px 9px; border-radius: 4px; font-size: 12px; line-height: 1.4;
       box-shadow: 0 2px 8px rgba(0, 0, 0, 0.3); white-space: pre-wrap; word-break: break-word; }
#tip b { color: #fff; }
#sel { margin: 10px 0; padding: 8px 12px; border: 1px solid #e0c94a; background: #fffbe6; border-radius: 4px; }
#sel h3 { margin: 0 0 6px; font-size: 15px; }
#sel .prof { margin: 6px 0 2px; font-weight: 600; }
#sel table { font-size: 12.5px; margin-bottom: 4px; }
#sel td { text-align: left; }
#sel .why { color: var(--muted); }
ol.div { padding-left: 28px; }
ol.div li { margin: 3px 0; }
ol.div li.active { background: var(--hi); }
ol.div .at { color: var(--muted); }
footer { margin-top: 30px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 6px; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .toolbar button, .hint, #tip { display: none !important; }
  #tl-wrap { border: none; }
  section, table, svg { break-inside: avoid; }
  ol.div li { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
@page { size: landscape; margin: 12mm; }
)RMQCSS";

inline constexpr const char kHtmlTimelineJs[] = R"RMQJS(
(function () {
'use strict';
var D = JSON.parse(document.getElementById('data').textContent);
var S = D.S;
var LABEL = 160, PAD_R = 14, AXIS = 24, HEAD = 22, NS_H = 16, BR_H = 36, PR_H = 24, GAP = 12;
var DETAIL_LIMIT = 2500, BUCKET_PX = 2;
var CLASSES = ['ok', 'error', 'timeout', 'status', 'pending'];
var svg = document.getElementById('tl'), wrap = document.getElementById('tl-wrap');
var tip = document.getElementById('tip'), selBox = document.getElementById('sel');
var rangeBox = document.getElementById('range');

function esc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
  });
}
function str(i) { return i == null || i < 0 ? '' : S[i]; }
function fmt(t) {
  if (t == null) return 'unfinished';
  var s = (Math.round(t * 1000) / 1000).toFixed(3).replace(/0+$/, '').replace(/\.$/, '.0');
  return s;
}
var clsOf = {};
function resultClass(ri) {
  if (ri in clsOf) return clsOf[ri];
  var r = S[ri], c;
  if (r === 'ok' || r === 'SEND_OK') c = 'ok';
  else if (r === 'FLUSH_DISK_TIMEOUT' || r === 'FLUSH_SLAVE_TIMEOUT' || r === 'SLAVE_NOT_AVAILABLE') c = 'status';
  else if (/timeout/i.test(r)) c = 'timeout';
  else c = 'error';
  return (clsOf[ri] = c);
}
var OUTCOME = ['ok', 'failed', 'unresolved'];

// ---- Decode the blob ----
// (Schema in html_timeline.h.) Message times are integer microseconds: divided by 1000 they give
// exactly the doubles the decimal milliseconds of blob v1 parsed to. An entry that is a number k
// shares the message object decoded for run k at the same index (objects are never modified).
// Attempts in start order ("flat") are indexes into three number arrays (start, message index,
// attempt index), not an array per attempt: fewer objects, so a 100,000-message report decodes in
// far less time (garbage collection was most of it).
var runs = [];
D.runs.forEach(function (r) {
  var msgs = [], fs = [], fm = [], fk = [], counts = {ok: 0, failed: 0, unresolved: 0, lost: 0, dup: 0};
  var sentUs = 0, seq = D.producers.map(function () { return 0; });
  r.m.forEach(function (a, mi) {
    var m, j;
    if (typeof a === 'number') {
      m = runs[a].msgs[mi];
    } else {
      var kind = D.K[a[1]], p = kind[0];
      sentUs += a[2];
      var sent = sentUs / 1000;
      m = {i: mi, id: typeof a[0] === 'number' ? D.producers[p] + '/' + (seq[p] += a[0]) : a[0], prod: p,
           out: kind[1], sent: sent, res: a[3] == null ? null : sent + a[3] / 1000, flags: kind[2], err: kind[3],
           cause: kind[4], stored: [], att: []};
      for (j = 4; j < 4 + 3 * kind[5]; j += 3) m.stored.push({b: a[j], q: a[j + 1], t: sent + a[j + 2] / 1000});
      for (; j < a.length; j += 5) {
        var s = sent + a[j + 2] / 1000, e = a[j + 3] == null ? null : s + a[j + 3] / 1000, ak = D.A[a[j + 4]];
        m.att.push({b: a[j], q: a[j + 1], s: s, e: e, r: ak[0], p: ak[1], d: ak[2], x: ak[3], n: m.att.length + 1,
                    cls: e == null ? 'pending' : resultClass(ak[0])});
      }
    }
    for (j = 0; j < m.att.length; j++) { fs.push(m.att[j].s); fm.push(mi); fk.push(j); }
    counts[OUTCOME[m.out]]++;
    if (m.flags & 1) counts.lost++;
    if (m.flags & 2) counts.dup++;
    msgs.push(m);
  });
  // By start, then message, then attempt: pushed in message and attempt order, so ties by index.
  var flat = fs.map(function (x, q) { return q; });
  flat.sort(function (x, y) { return fs[x] - fs[y] || x - y; });
  runs.push({profile: r.profile, end: r.end, faults: r.faults, nsev: r.nsev, msgs: msgs, fs: fs, fm: fm, fk: fk,
             flat: flat, counts: counts, found: null, foundAt: -1});
});

// Index of the first message with this id in run r, or -1 (a scan, remembered for the last id asked:
// a Map of every id took longer to build than all the scans a reader's clicks cause).
function find(r, id) {
  if (r.found !== id) {
    r.found = id;
    r.foundAt = -1;
    for (var i = 0; i < r.msgs.length; i++) if (r.msgs[i].id === id) { r.foundAt = i; break; }
  }
  return r.foundAt;
}

var H = Math.max(D.horizon, 1e-3);
var view = {v0: 0, v1: H};
var sel = null, drag = null, pending = false, W = 1000, plotW = 800;

function groupHeight() { return HEAD + D.ns.length * NS_H + D.brokers.length * BR_H + D.producers.length * PR_H + GAP; }
function X(t) { return LABEL + (t - view.v0) / (view.v1 - view.v0) * plotW; }
function T(x) { return view.v0 + (x - LABEL) / plotW * (view.v1 - view.v0); }
function laneTop(g, kind, idx) {
  var y = AXIS + g * groupHeight() + HEAD;
  if (kind === 'ns') return y + idx * NS_H;
  y += D.ns.length * NS_H;
  if (kind === 'br') return y + idx * BR_H;
  return y + D.brokers.length * BR_H + idx * PR_H;
}
function attEnd(r, a) { return a.e == null ? Math.max(r.end, a.s) : a.e; }
function attY(m, k) { return (m.i + k) % 3 * 10 + 5; }

function niceStep(span, n) {
  var raw = span / Math.max(n, 1), p = Math.pow(10, Math.floor(Math.log10(raw))), f = raw / p;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

// ---- Rendering ----
function render() {
  W = Math.max(640, wrap.clientWidth || 1000);
  plotW = W - LABEL - PAD_R;
  var totalH = AXIS + runs.length * groupHeight() + 4;
  var o = [];
  o.push('<defs><clipPath id="clip"><rect x="' + LABEL + '" y="0" width="' + plotW + '" height="' + totalH + '"/></clipPath></defs>');
  drawAxis(o, totalH);
  var detail = true;
  runs.forEach(function (r, g) { if (!drawGroup(o, r, g)) detail = false; });
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + totalH);
  svg.setAttribute('width', W);
  svg.setAttribute('height', totalH);
  svg.innerHTML = o.join('');
  rangeBox.textContent = fmt(view.v0) + ' \u2013 ' + fmt(view.v1) + ' ms (span ' + fmt(view.v1 - view.v0) + ' ms)' +
      (detail ? '' : ' \u00b7 dense: showing per-pixel density, zoom in for detail');
}

function drawAxis(o, totalH) {
  var step = niceStep(view.v1 - view.v0, plotW / 110);
  var dec = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  for (var t = Math.ceil(view.v0 / step) * step; t <= view.v1; t += step) {
    var x = X(t).toFixed(1);
    o.push('<line class="tick" x1="' + x + '" x2="' + x + '" y1="' + (AXIS - 4) + '" y2="' + totalH + '"/>');
    o.push('<text class="axis" x="' + x + '" y="' + (AXIS - 8) + '" text-anchor="middle">' + t.toFixed(Math.min(dec, 6)) + '</text>');
  }
  o.push('<text class="axis" x="4" y="' + (AXIS - 8) + '">virtual time (ms)</text>');
}

function drawGroup(o, r, g) {
  var top = AXIS + g * groupHeight(), bottom = top + groupHeight() - GAP, i;
  var c = r.counts;
  o.push('<text class="ghead" x="4" y="' + (top + 15) + '">' + esc(r.profile) + '</text>');
  o.push('<text class="gsum" text-anchor="end" x="' + (W - PAD_R) + '" y="' + (top + 15) + '">' + r.msgs.length + ' messages \u00b7 ok ' + c.ok +
         ' \u00b7 failed ' + c.failed + ' \u00b7 unresolved ' + c.unresolved + ' \u00b7 lost ' + c.lost + ' \u00b7 duplicated ' + c.dup + '</text>');
  var lanes = [];
  D.ns.forEach(function (n, k) { lanes.push([laneTop(g, 'ns', k), NS_H, 'nameserver ' + n]); });
  D.brokers.forEach(function (n, k) { lanes.push([laneTop(g, 'br', k), BR_H, n]); });
  D.producers.forEach(function (n, k) { lanes.push([laneTop(g, 'pr', k), PR_H, 'producer ' + n]); });
  lanes.forEach(function (l, k) {
    o.push('<rect class="lane' + (k % 2 ? ' alt' : '') + '" x="0" y="' + l[0] + '" width="' + W + '" height="' + l[1] + '"/>');
    o.push('<text class="lbl" x="6" y="' + (l[0] + l[1] / 2 + 4) + '">' + esc(l[2].length > 26 ? l[2].slice(0, 25) + '\u2026' : l[2]) + '<title>' + esc(l[2]) + '</title></text>');
  });
  o.push('<line class="sep" x1="0" x2="' + W + '" y1="' + bottom + '" y2="' + bottom + '"/>');
  o.push('<g clip-path="url(#clip)">');
  r.faults.forEach(function (f, k) {
    var x0 = X(f[0]), x1 = X(f[1] == null ? Math.max(r.end, H) : f[1]);
    if (x1 < LABEL || x0 > W) return;
    o.push('<rect class="fault" data-r="' + g + '" data-f="' + k + '" x="' + x0.toFixed(1) + '" y="' + (top + HEAD) + '" width="' +
           Math.max(1, x1 - x0).toFixed(1) + '" height="' + (bottom - top - HEAD) + '"/>');
    o.push('<text class="flbl" x="' + (Math.max(x0, LABEL) + 3).toFixed(1) + '" y="' + (top + HEAD + 11) + '">' + esc(f[2]) + '</text>');
  });
  for (i = 0; i < r.nsev.length; i++) {
    var ev = r.nsev[i], xe = X(ev[0]);
    if (xe < LABEL - 2 || xe > W) continue;
    var yn = laneTop(g, 'ns', ev[1]);
    o.push('<line class="nsev" data-r="' + g + '" data-n="' + i + '" x1="' + xe.toFixed(1) + '" x2="' + xe.toFixed(1) + '" y1="' + (yn + 2) + '" y2="' + (yn + NS_H - 2) + '"/>');
  }
  var vis = [];
  for (i = 0; i < r.flat.length; i++) {
    var q = r.flat[i];
    if (r.fs[q] > view.v1) break;
    var a = r.msgs[r.fm[q]].att[r.fk[q]];
    if (attEnd(r, a) >= view.v0) vis.push(q);
  }
  var detail = vis.length <= DETAIL_LIMIT;
  if (detail) drawDetail(o, r, g, vis); else drawDensity(o, r, g, vis);
  if (sel != null && find(r, sel) >= 0) drawSelected(o, r, g, r.msgs[find(r, sel)]);
  o.push('</g>');
  return detail;
}

function sentMark(o, r, g, m) {
  var x = X(m.sent), y = laneTop(g, 'pr', m.prod) + PR_H / 2, a = ' data-r="' + g + '" data-m="' + m.i + '"';
  if (m.flags & 2) {
    o.push('<path class="dupm"' + a + ' d="M' + x.toFixed(1) + ' ' + (y - 6) + 'l6 10h-12z"/>');
  } else if (m.out !== 0 || (m.flags & 1)) {
    o.push('<path class="bad"' + a + ' d="M' + x.toFixed(1) + ' ' + (y - 6) + 'l5 6l-5 6l-5 -6z"/>');
  } else {
    o.push('<circle class="snd"' + a + ' cx="' + x.toFixed(1) + '" cy="' + y + '" r="2.5"/>');
  }
}

function drawDetail(o, r, g, vis) {
  var seen = new Set();
  vis.forEach(function (q) {
    var k = r.fk[q], m = r.msgs[r.fm[q]], a = m.att[k], x0 = X(a.s), x1 = X(attEnd(r, a));
    var y = laneTop(g, 'br', a.b) + attY(m, k);
    o.push('<rect class="a c-' + a.cls + '" data-r="' + g + '" data-m="' + m.i + '" data-k="' + k + '" x="' + x0.toFixed(1) +
           '" y="' + y + '" width="' + Math.max(2, x1 - x0).toFixed(1) + '" height="8"/>');
    seen.add(m.i);
  });
  seen.forEach(function (mi) {
    var m = r.msgs[mi];
    lineage(o, r, g, m, 'lin');
    m.stored.forEach(function (s) {
      var x = X(s.t), y = laneTop(g, 'br', s.b) + 1;
      o.push('<path class="st' + (m.flags & 2 ? ' dup' : '') + '" data-r="' + g + '" data-m="' + mi + '" d="M' + (x - 3).toFixed(1) + ' ' + y + 'h6l-3 4z"/>');
    });
  });
  var marks = 0;
  r.msgs.forEach(function (m) {
    if (m.sent < view.v0 || m.sent > view.v1 || marks > DETAIL_LIMIT) return;
    marks++;
    sentMark(o, r, g, m);
  });
}

function lineage(o, r, g, m, cls) {
  if (m.att.length < 2) return;
  var d = '';
  for (var k = 0; k + 1 < m.att.length; k++) {
    var a = m.att[k], b = m.att[k + 1];
    d += 'M' + X(attEnd(r, a)).toFixed(1) + ' ' + (laneTop(g, 'br', a.b) + attY(m, k) + 4) +
         'L' + X(b.s).toFixed(1) + ' ' + (laneTop(g, 'br', b.b) + attY(m, k + 1) + 4);
  }
  o.push('<path class="' + cls + '" d="' + d + '"/>');
}

function drawDensity(o, r, g, vis) {
  var nb = Math.ceil(plotW / BUCKET_PX), span = view.v1 - view.v0;
  function bucket(t) { return Math.min(nb - 1, Math.max(0, Math.floor((t - view.v0) / span * nb))); }
  var br = D.brokers.map(function () { return CLASSES.map(function () { return new Float64Array(nb); }); });
  vis.forEach(function (q) {
    var a = r.msgs[r.fm[q]].att[r.fk[q]];
    br[a.b][CLASSES.indexOf(a.cls)][bucket(Math.max(a.s, view.v0))]++;
  });
  br.forEach(function (byCls, b) { histogram(o, byCls, CLASSES, laneTop(g, 'br', b), BR_H, nb); });
  var pr = D.producers.map(function () { return [0, 1, 2].map(function () { return new Float64Array(nb); }); });
  // Problem messages stay visible as strips above the histogram: red failed/lost, purple duplicated.
  var bad = D.producers.map(function () { return new Float64Array(nb); });
  var dup = D.producers.map(function () { return new Float64Array(nb); });
  r.msgs.forEach(function (m) {
    if (m.sent < view.v0 || m.sent > view.v1) return;
    var k = bucket(m.sent);
    pr[m.prod][m.out][k]++;
    if (m.flags & 2) dup[m.prod][k]++;
    else if (m.out !== 0 || (m.flags & 1)) bad[m.prod][k]++;
  });
  pr.forEach(function (byOut, p) {
    var top = laneTop(g, 'pr', p);
    histogram(o, byOut, ['ok', 'error', 'pending'], top + 5, PR_H - 5, nb);
    strip(o, bad[p], 'bad', top + 1, 'failed or lost messages');
    strip(o, dup[p], 'dupm', top + 1, 'duplicated messages');
  });
}

function strip(o, counts, cls, y, what) {
  var d = '', n = 0;
  for (var i = 0; i < counts.length; i++) {
    if (!counts[i]) continue;
    n += counts[i];
    d += 'M' + (LABEL + i * BUCKET_PX) + ' ' + y + 'h' + BUCKET_PX + 'v4h-' + BUCKET_PX + 'z';
  }
  if (d) o.push('<path class="' + cls + ' strip" d="' + d + '"><title>' + n + ' ' + what + ' in view</title></path>');
}

function histogram(o, series, classes, top, h, nb) {
  var max = 0, i, k, total = new Float64Array(nb);
  for (k = 0; k < series.length; k++) for (i = 0; i < nb; i++) total[i] += series[k][i];
  for (i = 0; i < nb; i++) max = Math.max(max, total[i]);
  if (max === 0) return;
  var base = new Float64Array(nb), scale = (h - 4) / Math.sqrt(max);
  for (k = 0; k < series.length; k++) {
    var d = '';
    for (i = 0; i < nb; i++) {
      var n = series[k][i];
      if (!n) continue;
      var y0 = Math.sqrt(base[i]) * scale, y1 = Math.sqrt(base[i] + n) * scale;
      base[i] += n;
      d += 'M' + (LABEL + i * BUCKET_PX) + ' ' + (top + h - 2 - y0).toFixed(1) + 'h' + BUCKET_PX + 'v' + (y0 - y1).toFixed(1) + 'h-' + BUCKET_PX + 'z';
    }
    if (d) o.push('<path class="dens c-' + classes[k] + '" d="' + d + '"><title>' + classes[k] + ' (density, sqrt scale)</title></path>');
  }
}

function drawSelected(o, r, g, m) {
  var t0 = m.sent, t1 = m.res == null ? m.sent : m.res;
  m.att.forEach(function (a) { t1 = Math.max(t1, attEnd(r, a)); });
  var top = AXIS + g * groupHeight() + HEAD, x0 = X(t0), x1 = X(t1);
  o.push('<rect class="selbar" x="' + (x0 - 3).toFixed(1) + '" y="' + top + '" width="' + Math.max(6, x1 - x0 + 6).toFixed(1) + '" height="' + (groupHeight() - HEAD - GAP) + '"/>');
  lineage(o, r, g, m, 'sellin');
  m.att.forEach(function (a, k) {
    var xa = X(a.s), xb = X(attEnd(r, a));
    o.push('<rect class="a sel c-' + a.cls + '" data-r="' + g + '" data-m="' + m.i + '" data-k="' + k + '" x="' + xa.toFixed(1) + '" y="' +
           (laneTop(g, 'br', a.b) + attY(m, k)) + '" width="' + Math.max(3, xb - xa).toFixed(1) + '" height="8"/>');
  });
  m.stored.forEach(function (s) {
    var x = X(s.t), y = laneTop(g, 'br', s.b) + 1;
    o.push('<path class="st sel' + (m.flags & 2 ? ' dup' : '') + '" d="M' + (x - 4).toFixed(1) + ' ' + y + 'h8l-4 6z"/>');
  });
  sentMark(o, r, g, m);
}

function schedule() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(function () { pending = false; render(); });
}

// ---- Tooltip and selection ----
function line(parent, label, value) {
  var div = document.createElement('div');
  if (label) { var b = document.createElement('b'); b.textContent = label + ' '; div.appendChild(b); }
  div.appendChild(document.createTextNode(value));
  parent.appendChild(div);
}
function describeMessage(parent, r, m) {
  line(parent, 'message', m.id + ' (' + r.profile + ')');
  line(parent, 'outcome', OUTCOME[m.out] + ', stored ' + m.stored.length + (m.stored.length === 1 ? ' copy' : ' copies') +
       ', ' + m.att.length + (m.att.length === 1 ? ' attempt' : ' attempts'));
  line(parent, 'sent', fmt(m.sent) + ' ms, resolved ' + (m.res == null ? 'never' : fmt(m.res) + ' ms'));
  if (m.err >= 0) line(parent, 'error', str(m.err));
  if (m.cause >= 0) line(parent, 'cause', str(m.cause));
}
function describeAttempt(parent, r, m, a) {
  line(parent, 'attempt ' + a.n, 'of ' + m.id + ' (' + r.profile + ')');
  line(parent, 'broker', D.brokers[a.b] + ', queue ' + a.q);
  line(parent, 'time', fmt(a.s) + ' \u2192 ' + fmt(a.e) + ' ms' + (a.e == null ? '' : ' (' + fmt(a.e - a.s) + ' ms)'));
  line(parent, 'result', str(a.r));
  line(parent, 'path', str(a.p));
  if (a.d >= 0) line(parent, 'decision', str(a.d));
  if (a.x >= 0) line(parent, 'error', str(a.x));
  line(parent, 'message', OUTCOME[m.out] + ', stored ' + m.stored.length);
}
function target(el) {
  while (el && el !== svg) {
    if (el.getAttribute && el.getAttribute('data-r') != null) return el;
    el = el.parentNode;
  }
  return null;
}
function showTip(ev, el) {
  var r = runs[+el.getAttribute('data-r')];
  tip.textContent = '';
  if (el.hasAttribute('data-f')) {
    var f = r.faults[+el.getAttribute('data-f')];
    line(tip, 'fault', f[2]);
    line(tip, 'from', fmt(f[0]) + ' ms to ' + (f[1] == null ? 'the horizon' : fmt(f[1]) + ' ms'));
  } else if (el.hasAttribute('data-n')) {
    var e = r.nsev[+el.getAttribute('data-n')];
    line(tip, str(e[2]), fmt(e[0]) + ' ms, ' + D.ns[e[1]]);
    line(tip, '', str(e[3]));
  } else {
    var m = r.msgs[+el.getAttribute('data-m')];
    if (el.hasAttribute('data-k')) describeAttempt(tip, r, m, m.att[+el.getAttribute('data-k')]);
    else describeMessage(tip, r, m);
  }
  tip.hidden = false;
  var x = ev.clientX + 14, y = ev.clientY + 14;
  if (x + tip.offsetWidth > window.innerWidth - 8) x = Math.max(4, ev.clientX - tip.offsetWidth - 14);
  if (y + tip.offsetHeight > window.innerHeight - 8) y = Math.max(4, ev.clientY - tip.offsetHeight - 14);
  tip.style.left = x + 'px';
  tip.style.top = y + 'px';
}

function showSelection() {
  selBox.textContent = '';
  document.querySelectorAll('ol.div li.active').forEach(function (li) { li.classList.remove('active'); });
  if (sel == null) { selBox.hidden = true; return; }
  var h = document.createElement('h3');
  h.textContent = 'Message ' + sel;
  selBox.appendChild(h);
  var dv = Object.prototype.hasOwnProperty.call(D.div, sel) ? D.div[sel] : null;
  if (dv) line(selBox, 'first divergence at attempt ' + dv[0] + ':', dv[1].map(function (t, k) { return runs[k].profile + ': ' + t; }).join('; '));
  runs.forEach(function (r) {
    var p = document.createElement('div');
    p.className = 'prof';
    p.textContent = r.profile;
    selBox.appendChild(p);
    if (find(r, sel) < 0) { line(selBox, '', 'not sent'); return; }
    var m = r.msgs[find(r, sel)];
    var info = document.createElement('div');
    describeMessage(info, r, m);
    selBox.appendChild(info);
    var t = document.createElement('table');
    var head = t.insertRow();
    ['#', 'broker', 'queue', 'start ms', 'end ms', 'result', 'path', 'decision', 'error'].forEach(function (c) {
      var th = document.createElement('th'); th.textContent = c; head.appendChild(th);
    });
    m.att.forEach(function (a) {
      var row = t.insertRow();
      [a.n, D.brokers[a.b], a.q, fmt(a.s), fmt(a.e), str(a.r), str(a.p), str(a.d), str(a.x)].forEach(function (v) {
        row.insertCell().textContent = String(v);
      });
    });
    selBox.appendChild(t);
  });
  selBox.hidden = false;
  document.querySelectorAll('ol.div a[data-msg]').forEach(function (a) {
    if (a.getAttribute('data-msg') === sel) a.parentNode.classList.add('active');
  });
}

function select(id, zoom) {
  sel = id;
  if (id != null && zoom) {
    var t0 = Infinity, t1 = -Infinity;
    runs.forEach(function (r) {
      if (find(r, id) < 0) return;
      var m = r.msgs[find(r, id)];
      t0 = Math.min(t0, m.sent);
      t1 = Math.max(t1, m.res == null ? m.sent : m.res);
      m.att.forEach(function (a) { t1 = Math.max(t1, attEnd(r, a)); });
      m.stored.forEach(function (s) { t1 = Math.max(t1, s.t); });
    });
    if (isFinite(t0)) {
      var pad = Math.max((t1 - t0) * 0.6, 5);
      view.v0 = t0 - pad;
      view.v1 = t1 + pad;
    }
  }
  showSelection();
  schedule();
}

// ---- Zoom and pan ----
function zoom(factor, tc) {
  var span = Math.min(Math.max((view.v1 - view.v0) * factor, 1e-3), H * 1.5);
  if (tc == null) tc = (view.v0 + view.v1) / 2;
  var f = (tc - view.v0) / (view.v1 - view.v0);
  view.v0 = tc - f * span;
  view.v1 = view.v0 + span;
  schedule();
}
function pan(frac) {
  var d = (view.v1 - view.v0) * frac;
  view.v0 += d;
  view.v1 += d;
  schedule();
}
function fit() { view.v0 = 0; view.v1 = H; schedule(); }
function svgX(ev) {
  var rect = svg.getBoundingClientRect();
  return (ev.clientX - rect.left) * W / rect.width;
}

svg.addEventListener('wheel', function (ev) {
  ev.preventDefault();
  if (ev.shiftKey || Math.abs(ev.deltaX) > Math.abs(ev.deltaY)) {
    pan((ev.shiftKey ? ev.deltaY : ev.deltaX) / 600);
    return;
  }
  var x = svgX(ev);
  zoom(Math.exp(Math.max(-3, Math.min(3, ev.deltaY * (ev.deltaMode ? 40 : 1) * 0.0015))), x >= LABEL ? T(x) : null);
}, {passive: false});
svg.addEventListener('mousedown', function (ev) {
  if (ev.button !== 0) return;
  drag = {x: ev.clientX, v0: view.v0, v1: view.v1, moved: false, el: target(ev.target)};
  ev.preventDefault();
});
window.addEventListener('mousemove', function (ev) {
  if (drag) {
    var dx = ev.clientX - drag.x;
    if (Math.abs(dx) > 3) { drag.moved = true; svg.classList.add('dragging'); tip.hidden = true; }
    if (drag.moved) {
      var rect = svg.getBoundingClientRect(), dt = dx * W / rect.width / plotW * (drag.v1 - drag.v0);
      view.v0 = drag.v0 - dt;
      view.v1 = drag.v1 - dt;
      schedule();
    }
    return;
  }
  var el = ev.target && svg.contains(ev.target) ? target(ev.target) : null;
  if (el) showTip(ev, el); else tip.hidden = true;
});
window.addEventListener('mouseup', function () {
  if (!drag) return;
  var d = drag;
  drag = null;
  svg.classList.remove('dragging');
  if (d.moved) return;
  if (d.el && d.el.hasAttribute('data-m')) select(runs[+d.el.getAttribute('data-r')].msgs[+d.el.getAttribute('data-m')].id, false);
});
svg.addEventListener('mouseleave', function () { tip.hidden = true; });
document.querySelectorAll('.toolbar button[data-act]').forEach(function (b) {
  b.addEventListener('click', function () {
    var act = b.getAttribute('data-act');
    if (act === 'in') zoom(0.5); else if (act === 'out') zoom(2);
    else if (act === 'left') pan(-0.25); else if (act === 'right') pan(0.25);
    else if (act === 'fit') fit(); else if (act === 'clear') select(null, false);
  });
});
document.addEventListener('keydown', function (ev) {
  if (ev.target && /^(INPUT|TEXTAREA|SELECT)$/.test(ev.target.tagName)) return;
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  var k = ev.key;
  if (k === '+' || k === '=') zoom(0.5); else if (k === '-') zoom(2); else if (k === '0') fit();
  else if (k === 'ArrowLeft') pan(-0.25); else if (k === 'ArrowRight') pan(0.25);
  else if (k === 'Escape') select(null, false); else return;
  ev.preventDefault();
});
document.querySelectorAll('a[data-msg]').forEach(function (a) {
  a.addEventListener('click', function (ev) {
    ev.preventDefault();
    select(a.getAttribute('data-msg'), true);
    var still = window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
    document.getElementById('timeline').scrollIntoView({behavior: still ? 'auto' : 'smooth', block: 'start'});
  });
});
window.addEventListener('resize', schedule);
window.addEventListener('beforeprint', render);
render();
// A link to "report.html#msg=<id>" opens with that message selected.
if (location.hash.indexOf('#msg=') === 0) {
  try { select(decodeURIComponent(location.hash.slice(5)), true); } catch (e) { /* bad escape */ }
}
})();
)RMQJS";

}  // namespace rmqsim::reports

#endif  // RMQSIM_REPORTS_HTML_TIMELINE_ASSETS_H_
