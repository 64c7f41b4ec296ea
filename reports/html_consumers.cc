#include "reports/html_consumers.h"

#include <map>
#include <set>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "reports/escape.h"
#include "reports/timeline_json.h"

namespace rmqsim::reports {
namespace {

using sim::MessageRecord;
using sim::RunResult;

// Lanes: every consumer instance, then per broker its %RETRY%, SCHEDULE_TOPIC_XXXX and %DLQ% copies.
struct ConsumerLanes {
  std::vector<std::string> names;
  std::map<std::string, int, std::less<>> idx;
  int Add(const std::string& name) {
    auto [it, inserted] = idx.emplace(name, static_cast<int>(names.size()));
    if (inserted) names.push_back(name);
    return it->second;
  }
};

std::string Kind(const std::string& topic) {
  if (topic.rfind("%RETRY%", 0) == 0) return "%RETRY%";
  if (topic.rfind("%DLQ%", 0) == 0) return "%DLQ%";
  if (topic == "SCHEDULE_TOPIC_XXXX") return "SCHEDULE_TOPIC_XXXX";
  return topic;
}

std::string CopyLane(const sim::JourneyRecord& j) { return absl::StrCat(j.broker, " ", Kind(j.topic)); }

ConsumerLanes MakeConsumerLanes(const sim::Scenario& s, const std::vector<RunResult>& runs) {
  ConsumerLanes l;
  for (const sim::ConsumerSpec& c : s.consumers) {
    for (int32_t i = 0; i < c.instances; ++i) l.Add(absl::StrCat(c.group, "#", i));
  }
  std::set<std::string> extra;
  for (const RunResult& r : runs) {
    for (const MessageRecord& m : r.messages) {
      for (const sim::DeliveryRecord& d : m.deliveries) {
        if (!l.idx.count(d.consumer)) extra.insert(d.consumer);
      }
    }
  }
  for (const std::string& e : extra) l.Add(e);
  for (const sim::BrokerSpec& b : s.cluster.brokers) {
    for (const char* kind : {"%RETRY%", "SCHEDULE_TOPIC_XXXX", "%DLQ%"}) {
      l.Add(absl::StrCat(b.name, " ", kind));
    }
  }
  extra.clear();
  for (const RunResult& r : runs) {
    for (const MessageRecord& m : r.messages) {
      for (const sim::JourneyRecord& j : m.journey) {
        if (!l.idx.count(CopyLane(j))) extra.insert(CopyLane(j));
      }
    }
  }
  for (const std::string& e : extra) l.Add(e);
  return l;
}

std::string MsOrNull(const std::optional<sim::SimTime>& t) {
  return t ? FormatMs(*t) : std::string("null");
}

void AppendMessage(std::string& o, const MessageRecord& m, const ConsumerLanes& lanes) {
  absl::StrAppend(&o, "[", JsonQuote(m.id), ",[");
  for (size_t i = 0; i < m.deliveries.size(); ++i) {
    const sim::DeliveryRecord& d = m.deliveries[i];
    absl::StrAppend(&o, i ? "," : "", "[", FormatMs(d.t), ",", MsOrNull(d.end), ",",
                    lanes.idx.find(d.consumer)->second, ",", JsonQuote(d.result), ",",
                    JsonQuote(d.topic), ",", JsonQuote(d.broker), ",", d.reconsume_times, ",",
                    JsonQuote(d.group), "]");
  }
  o += "],[";
  for (size_t i = 0; i < m.journey.size(); ++i) {
    const sim::JourneyRecord& j = m.journey[i];
    absl::StrAppend(&o, i ? "," : "", "[", FormatMs(j.at), ",", lanes.idx.find(CopyLane(j))->second,
                    ",", JsonQuote(j.topic), ",", j.delay_level, ",", MsOrNull(j.due), ",",
                    JsonQuote(j.via), ",", j.reconsume_times, ",", JsonQuote(j.group), "]");
  }
  o += "],[";
  for (size_t i = 0; i < m.fates.size(); ++i) {
    const sim::FateRecord& f = m.fates[i];
    absl::StrAppend(&o, i ? "," : "", "[", JsonQuote(f.group), ",",
                    JsonQuote(sim::FateName(f.fate)), ",", MsOrNull(f.at), ",", f.duplicates,
                    "]");
  }
  o += "]]";
}

constexpr char kCss[] = R"RMQCSS(
#consumers .cl-wrap { border: 1px solid var(--line); border-radius: 4px; background: #fff; }
#cl { display: block; width: 100%; height: auto; }
#cl text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--ink); }
#cl .lbl, #cl .axis { fill: var(--muted); } #cl .ghead { font-weight: 700; font-size: 12px; }
#cl .lane { fill: #fafbfc; } #cl .lane.alt { fill: #f2f4f6; } #cl .tick { stroke: #e6e9ec; }
#cl .d-ok { stroke: var(--ok); } #cl .d-fail { stroke: var(--error); } #cl .d-to { stroke: var(--timeout); }
#cl .d-run { stroke: var(--pending); } #cl .k-retry { stroke: #3b78c4; } #cl .k-sched { stroke: #c9a227; }
#cl .k-dlq { stroke: #111; } #cl .wait { stroke: rgba(201, 162, 39, 0.35); }
#cl .jl { stroke: #000; stroke-width: 1.5; fill: none; } #cl .jm { fill: #000; }
#cjourney table { font-size: 12.5px; margin: 4px 0 8px; } #cjourney td { text-align: left; }
#cjourney .prof { margin: 8px 0 2px; font-weight: 600; }
#cjourney .jstrip { font: 12px/1.5 ui-monospace, Menlo, Consolas, monospace; margin: 2px 0 2px 12px; }
i.c-retry { background: #3b78c4; } i.c-sched { background: #c9a227; } i.c-dlq { background: #111; }
)RMQCSS";

// Draws the lanes from the blob; marks are batched into one path per class. A click picks the
// nearest mark's message; Enter in the id box picks that id. The picked message's hops are joined
// by a line in every profile and listed below.
constexpr char kJs[] = R"RMQJS(
(function () {
var C = JSON.parse(document.getElementById('cdata').textContent);
var svg = document.getElementById('cl'), box = document.getElementById('cjourney');
var input = document.getElementById('cmsg'), scaleBtn = document.getElementById('cscale');
var NS = 'http://www.w3.org/2000/svg', W = 1200, LABEL = 210, LANE = 18, HEAD = 22, GAP = 14;
var sqrtScale = true, picked = null;
function el(name, attrs, parent) {
  var e = document.createElementNS(NS, name);
  for (var k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}
function X(t) {
  var f = Math.max(0, Math.min(1, t / C.horizon));
  return LABEL + (sqrtScale ? Math.sqrt(f) : f) * (W - LABEL - 10);
}
function fmt(t) {
  if (t == null) return '';
  var s = t / 1000;
  if (s < 60) return s.toFixed(3) + ' s';
  var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
  return (h ? h + ' h ' : '') + m + ' m ' + r.toFixed(3) + ' s';
}
function tlabel(t) {
  function r1(v) { return String(Math.round(v * 10) / 10); }
  if (t < 60e3) return r1(t / 1000) + ' s';
  if (t < 3600e3) return r1(t / 60e3) + ' m';
  return r1(t / 3600e3) + ' h';
}
function dclass(res) {
  if (res === 'CONSUME_SUCCESS') return 'd-ok';
  if (res === 'TIMEOUT') return 'd-to';
  if (res === '') return 'd-run';
  return 'd-fail';
}
function kclass(lane) {
  var n = C.lanes[lane];
  return n.indexOf('%DLQ%') >= 0 ? 'k-dlq' : n.indexOf('SCHEDULE') >= 0 ? 'k-sched' : 'k-retry';
}
function groupTop(g) { return g * (HEAD + C.lanes.length * LANE + GAP); }
function laneY(g, l) { return groupTop(g) + HEAD + l * LANE + LANE / 2; }
function hops(m) {
  var h = [];
  m[1].forEach(function (d) { h.push({t: d[0], lane: d[2], d: d}); });
  m[2].forEach(function (j) { h.push({t: j[0], lane: j[1], j: j}); });
  h.sort(function (a, b) { return a.t - b.t; });
  return h;
}
function render() {
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  var H = groupTop(C.runs.length);
  svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
  var ticks = [0, 10e3, 60e3, 300e3, 600e3, 1800e3, 3600e3, 7200e3, 14400e3, 28800e3, 57600e3];
  if (!sqrtScale) ticks = [0, 0.25, 0.5, 0.75, 1].map(function (f) { return f * C.horizon; });
  C.runs.forEach(function (r, g) {
    var t = el('text', {x: 4, y: groupTop(g) + 15, 'class': 'ghead'}, svg);
    t.textContent = r.profile;
    C.lanes.forEach(function (n, l) {
      el('rect', {x: LABEL, y: laneY(g, l) - LANE / 2, width: W - LABEL, height: LANE,
                  'class': l % 2 ? 'lane alt' : 'lane'}, svg);
      var lt = el('text', {x: LABEL - 6, y: laneY(g, l) + 4, 'text-anchor': 'end', 'class': 'lbl'}, svg);
      lt.textContent = n;
    });
    ticks.forEach(function (tk) {
      if (tk > C.horizon) return;
      el('line', {x1: X(tk), x2: X(tk), y1: groupTop(g) + HEAD, y2: laneY(g, C.lanes.length - 1) + LANE / 2,
                  'class': 'tick'}, svg);
      var at = el('text', {x: X(tk), y: groupTop(g) + HEAD - 4, 'text-anchor': 'middle', 'class': 'axis'}, svg);
      at.textContent = tlabel(tk);
    });
    var paths = {};
    function add(cls, d) { paths[cls] = (paths[cls] || '') + d; }
    r.m.forEach(function (m) {
      m[1].forEach(function (d) {
        var x = X(d[0]).toFixed(1), y = laneY(g, d[2]);
        add(dclass(d[3]), 'M' + x + ' ' + (y - 6) + 'v12');
      });
      m[2].forEach(function (j) {
        var x = X(j[0]), y = laneY(g, j[1]);
        if (j[4] != null) add('wait', 'M' + x.toFixed(1) + ' ' + y + 'H' + X(j[4]).toFixed(1));
        add(kclass(j[1]), 'M' + x.toFixed(1) + ' ' + (y - 4) + 'v8');
      });
    });
    ['wait', 'd-ok', 'd-fail', 'd-to', 'd-run', 'k-retry', 'k-sched', 'k-dlq'].forEach(function (cls) {
      if (paths[cls]) el('path', {d: paths[cls], 'class': cls, 'stroke-width': cls === 'wait' ? 3 : 2}, svg);
    });
    if (picked == null) return;
    var m = r.byId[picked];
    if (!m) return;
    var pts = hops(m).map(function (h) { return X(h.t).toFixed(1) + ',' + laneY(g, h.lane); });
    if (pts.length) el('polyline', {points: pts.join(' '), 'class': 'jl'}, svg);
    hops(m).forEach(function (h) { el('circle', {cx: X(h.t), cy: laneY(g, h.lane), r: 3.5, 'class': 'jm'}, svg); });
  });
}
function cell(tr, v) { var td = document.createElement('td'); td.textContent = v; tr.appendChild(td); }
function short(t) {
  if (t < 60e3) return (Math.round(t / 100) / 10) + 's';
  if (t < 3600e3) return (Math.round(t / 6000) / 10) + 'm';
  return (Math.round(t / 360000) / 10) + 'h';
}
// One line per group: each delivery (its result) and each stored copy (level or topic kind).
function strip(m, group) {
  var parts = [];
  hops(m).forEach(function (h) {
    if (h.d && h.d[7] === group) {
      parts.push((h.d[3] === 'CONSUME_SUCCESS' ? '\u2713' : h.d[3] === '' ? '\u2026' : '\u2717 ' + h.d[3]) +
                 ' @' + short(h.t) + ' (' + h.d[4] + ', r' + h.d[6] + ')');
    } else if (h.j && h.j[7] === group) {
      if (h.j[3]) parts.push(h.j[5] + ' \u2192 level ' + h.j[3] + ' (due @' + short(h.j[4]) + ')');
      else if (h.j[2].indexOf('%DLQ%') === 0) parts.push(h.j[5] + ' \u2192 ' + h.j[2] + ' @' + short(h.t));
    }
  });
  return parts.join('  \u2192  ');
}
function describe() {
  while (box.firstChild) box.removeChild(box.firstChild);
  if (picked == null) return;
  var h3 = document.createElement('h3');
  h3.textContent = 'Journey of ' + picked;
  box.appendChild(h3);
  C.runs.forEach(function (r, ri) {
    var m = r.byId[picked], p = document.createElement('div');
    p.className = 'prof';
    p.textContent = r.profile + (m ? '' : ': no consumer activity');
    box.appendChild(p);
    if (!m) return;
    m[3].forEach(function (f) {
      var line = document.createElement('div');
      line.className = 'jstrip';
      line.textContent = f[0] + ' \u2014 ' + f[1] + (f[2] != null ? ' @' + fmt(f[2]) : '') +
          (f[3] ? ', ' + f[3] + ' duplicate(s)' : '') + ':  ' + strip(m, f[0]);
      box.appendChild(line);
    });
    var det = document.createElement('details'), sum = document.createElement('summary');
    sum.textContent = 'every hop (' + hops(m).length + ')';
    det.appendChild(sum);
    if (ri === 0) det.open = hops(m).length <= 12;
    var tb = document.createElement('table'), hr = document.createElement('tr');
    ['time', 'where', 'what', 'reconsumeTimes', 'detail'].forEach(function (c) {
      var th = document.createElement('th'); th.textContent = c; hr.appendChild(th);
    });
    tb.appendChild(hr);
    hops(m).forEach(function (h) {
      var tr = document.createElement('tr');
      cell(tr, fmt(h.t));
      if (h.d) {
        cell(tr, C.lanes[h.lane] + ' (' + h.d[7] + ')');
        cell(tr, 'delivered from ' + h.d[4] + '@' + h.d[5]);
        cell(tr, h.d[6]);
        cell(tr, h.d[3] ? h.d[3] + ' after ' + fmt(h.d[1] - h.d[0]) : 'still in the listener');
      } else {
        var j = h.j;
        cell(tr, C.lanes[h.lane]);
        cell(tr, j[5] + ' \u2192 ' + j[2]);
        cell(tr, j[6]);
        cell(tr, j[3] ? 'level ' + j[3] + ', due ' + fmt(j[4]) : '');
      }
      tb.appendChild(tr);
    });
    det.appendChild(tb);
    box.appendChild(det);
  });
}
function pick(id) {
  picked = id;
  input.value = id || '';
  render();
  describe();
}
C.runs.forEach(function (r) { r.byId = {}; r.m.forEach(function (m) { r.byId[m[0]] = m; }); });
svg.addEventListener('click', function (ev) {
  var rect = svg.getBoundingClientRect(), k = W / rect.width;
  var x = (ev.clientX - rect.left) * k, y = (ev.clientY - rect.top) * k, best = null, bd = 12;
  C.runs.forEach(function (r, g) {
    r.m.forEach(function (m) {
      hops(m).forEach(function (h) {
        var d = Math.abs(X(h.t) - x) + Math.abs(laneY(g, h.lane) - y);
        if (d < bd) { bd = d; best = m[0]; }
      });
    });
  });
  if (best != null) pick(best);
});
input.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') pick(input.value.trim() || null); });
scaleBtn.addEventListener('click', function () {
  sqrtScale = !sqrtScale;
  scaleBtn.textContent = sqrtScale ? 'time: \u221At' : 'time: linear';
  render();
});
// A message selected in the producer timeline above (its #sel panel) is followed here too.
var selPanel = document.getElementById('sel');
if (selPanel && window.MutationObserver) {
  new MutationObserver(function () {
    var h = selPanel.querySelector('h3');
    if (h && h.textContent.indexOf('Message ') === 0 && h.textContent.slice(8) !== picked) {
      pick(h.textContent.slice(8));
    }
  }).observe(selPanel, {childList: true});
}
var first = null;
C.runs.forEach(function (r) {
  r.m.forEach(function (m) { if (first == null && m[2].length) first = m[0]; });
});
pick(first);
})();
)RMQJS";

}  // namespace

const char* ConsumerSectionCss() { return kCss; }

bool HasConsumers(const std::vector<RunResult>& runs) {
  for (const RunResult& r : runs) {
    if (r.summary.has_consumers) return true;
  }
  return false;
}

std::string ConsumerSectionHtml(const sim::Scenario& s, const std::vector<RunResult>& runs) {
  ConsumerLanes lanes = MakeConsumerLanes(s, runs);
  int64_t horizon = s.duration.ns();
  for (const RunResult& r : runs) horizon = std::max(horizon, r.end.ns());
  std::string o;
  absl::StrAppend(
      &o, "<section id=\"consumers\">\n",
      "<h2>Consumers: deliveries, retries and dead letters</h2>\n",
      "<p class=\"hint\">One lane per consumer instance (deliveries: <i class=\"c-ok\"></i>consumed ",
      "<i class=\"c-error\"></i>failed <i class=\"c-timeout\"></i>returned after consumeTimeout) and, ",
      "per broker, the copies of the retry journey: <i class=\"c-sched\"></i>SCHEDULE_TOPIC_XXXX ",
      "(the pale bar is the wait until due), <i class=\"c-retry\"></i>%RETRY%, ",
      "<i class=\"c-dlq\"></i>%DLQ%. Click a mark, type a message id and press Enter, or select ",
      "a message in the timeline above, to follow it through every hop in each profile.</p>\n",
      "<div class=\"toolbar\"><label>message <input id=\"cmsg\" size=\"24\"></label>",
      "<button type=\"button\" id=\"cscale\">time: \xE2\x88\x9At</button></div>\n",
      "<div class=\"cl-wrap\"><svg id=\"cl\" xmlns=\"http://www.w3.org/2000/svg\"></svg></div>\n",
      "<div id=\"cjourney\"></div>\n</section>\n",
      "<script type=\"application/json\" id=\"cdata\">{\"horizon\": ", FormatMs(horizon),
      ", \"lanes\": [");
  for (size_t i = 0; i < lanes.names.size(); ++i) {
    absl::StrAppend(&o, i ? ", " : "", JsonQuote(lanes.names[i]));
  }
  o += "],\n\"runs\": [";
  for (size_t i = 0; i < runs.size(); ++i) {
    absl::StrAppend(&o, i ? ",\n" : "\n", "{\"profile\": ", JsonQuote(runs[i].profile),
                    ", \"m\": [");
    bool first = true;
    for (const MessageRecord& m : runs[i].messages) {
      if (m.fates.empty() && m.deliveries.empty()) continue;
      o += first ? "\n" : ",\n";
      first = false;
      AppendMessage(o, m, lanes);
    }
    o += "]}";
  }
  absl::StrAppend(&o, "]}</script>\n<script>", kJs, "</script>\n");
  return o;
}

}  // namespace rmqsim::reports
