// Decodes the timeline blob of two HTML reports (`rmqsim run --html`) with each page's own script
// (the part before rendering, run in node with a stub document) and checks that the decoded models
// are identical value for value: how blob v2 (issue #5) was checked against v1. Not a test.
//
//   node tools/bench/html_decode_compare.mjs OLD.html NEW.html
import fs from 'node:fs';
function decode(file) {
  const html = fs.readFileSync(file, 'utf8');
  const open = '<script type="application/json" id="data">';
  const b = html.indexOf(open) + open.length, e = html.indexOf('</script>', b);
  const blob = html.slice(b, e);
  const js0 = html.indexOf('<script>\n', e) + 9;
  const js = html.slice(js0, html.indexOf('</script>', js0));
  const body = js.slice(js.indexOf("'use strict';") + 13, js.indexOf('var H = Math.max'));
  const document = {getElementById: (id) => (id === 'data' ? {textContent: blob} : {})};
  const t0 = performance.now();
  const runs = new Function('document', body + '\nreturn {runs: runs, D: D};')(document);
  console.log(`${file}: ${blob.length} bytes of blob, decoded in ${(performance.now() - t0).toFixed(0)} ms`);
  return runs;
}
const a = decode(process.argv[2]), b = decode(process.argv[3]);
let bad = 0, n = 0;
const ser = (m) => JSON.stringify(m);
if (a.runs.length !== b.runs.length) throw new Error('run count');
a.runs.forEach((ra, g) => {
  const rb = b.runs[g];
  for (const k of ['profile', 'end', 'faults', 'nsev', 'counts']) {
    if (ser(ra[k]) !== ser(rb[k])) { console.log(`run ${g} ${k} differs`); bad++; }
  }
  // flat: [start, message, attempt] per attempt in start order (arrays, or indexes into fs/fm/fk).
  const flat = (r) => (r.fs ? r.flat.map((q) => [r.fs[q], r.fm[q], r.fk[q]]) : r.flat);
  const fa = flat(ra), fb = flat(rb);
  if (fa.length !== fb.length || fa.some((x, i) => ser(x) !== ser(fb[i]))) { console.log(`run ${g} flat differs`); bad++; }
  // The first index of each id (byId in v1; find() scans for it in v2).
  const ids = (r) => { if (r.byId) return ser([...r.byId]); const m = new Map(); r.msgs.forEach((x, i) => { if (!m.has(x.id)) m.set(x.id, i); }); return ser([...m]); };
  if (ids(ra) !== ids(rb)) { console.log(`run ${g} byId differs`); bad++; }
  if (ra.msgs.length !== rb.msgs.length) { console.log(`run ${g} count differs`); bad++; }
  ra.msgs.forEach((m, i) => {
    n++;
    // Strings by value (v1 kept S indexes, v2 too: compare the strings the indexes name).
    const norm = (x, D) => ser({...x, err: D.S[x.err], cause: D.S[x.cause],
      att: x.att.map((t) => ({...t, r: D.S[t.r], p: D.S[t.p], d: D.S[t.d], x: D.S[t.x]}))});
    if (norm(m, a.D) !== norm(rb.msgs[i], b.D)) {
      if (bad++ < 5) console.log(`run ${g} message ${i} differs:\n ${norm(m, a.D)}\n ${norm(rb.msgs[i], b.D)}`);
    }
  });
});
for (const k of ['horizon', 'ns', 'brokers', 'producers', 'div']) {
  if (ser(a.D[k]) !== ser(b.D[k])) { console.log(`${k} differs`); bad++; }
}
console.log(bad ? `FAIL: ${bad} differences` : `same: ${a.runs.length} runs, ${n} messages decoded identically`);
process.exit(bad ? 1 : 0);
