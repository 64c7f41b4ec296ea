// Browser test of the HTML report (`rmqsim run --html`): renders it in headless Debian Chromium
// through playwright-core (tools/browser, installed by `./tools/setup.sh --browser`) and checks
// what a reader sees. Registered with ctest by tests/CMakeLists.txt, once per mode:
//
//   node tests/browser/report_browser_test.mjs --mode default --rmqsim build/rmqsim --out build/browser
//   node tests/browser/report_browser_test.mjs --mode hostile --rmqsim build/rmqsim --out build/browser \
//        --scenario tests/browser/hostile-scenario.json
//
// Both modes fail on any console error, uncaught page error, dialog, request for anything but the
// report itself, popup or crash. `default` renders the built-in scenario: the lanes, a fault band,
// the summary table and the first-divergence list are present; clicking the first divergence entry,
// and then a failed-message mark, highlights that same message in every profile's lane group;
// screenshots go to OUT/report-default.png (down to the selection panel, the picture in README.md
// is a copy: tools/browser/report.png) and OUT/report-default-full.png. `hostile` renders a
// scenario whose title, description, references and names hold markup and script: nothing from it
// runs (no dialog, no sentinel global, no injected element or handler) and its text is shown
// literally. `consumers` renders a scenario with consumers and checks the consumer section
// (runConsumers).
//
// Environment: RMQSIM_CHROMIUM (default /usr/bin/chromium). Exit 0 pass, 1 fail. Skipping is the
// wrapper's business (RMQSIM_SKIP_BROWSER=1, see tests/CMakeLists.txt); a missing browser or
// missing node modules is a failure here.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const browserDir = path.join(repo, 'tools', 'browser');
const kSetupHint = 'run ./tools/setup.sh --browser (or set RMQSIM_SKIP_BROWSER=1 to skip browser tests)';
const kChromiumFlags = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                        '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function fail(msg) {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
}

function parseArgs(argv) {
  const a = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) fail(`bad argument '${argv[i]}'`);
    a[argv[i].slice(2)] = argv[i + 1];
  }
  if (!['default', 'hostile', 'consumers'].includes(a.mode)) fail('--mode must be default, hostile or consumers');
  if (!a.rmqsim || !a.out) fail('--rmqsim BIN and --out DIR are required');
  if (a.mode !== 'default' && !a.scenario) fail(`--mode ${a.mode} needs --scenario FILE`);
  return a;
}

// playwright-core from tools/browser/node_modules, at the version package-lock.json pins.
function loadPlaywright() {
  const lockFile = path.join(browserDir, 'package-lock.json');
  const want = JSON.parse(fs.readFileSync(lockFile, 'utf8')).packages['node_modules/playwright-core'].version;
  const installed = path.join(browserDir, 'node_modules', 'playwright-core', 'package.json');
  if (!fs.existsSync(installed)) fail(`playwright-core is not installed in ${path.dirname(path.dirname(installed))}: ${kSetupHint}`);
  const have = JSON.parse(fs.readFileSync(installed, 'utf8')).version;
  if (have !== want) fail(`tools/browser/node_modules has playwright-core ${have}, package-lock.json pins ${want}: ${kSetupHint}`);
  return createRequire(path.join(browserDir, 'package.json'))('playwright-core');
}

function check(cond, msg) {
  if (!cond) throw new Error(msg);
  console.log(`ok: ${msg}`);
}

// The report's page script keeps its state private; tests read the same JSON blob it draws from.
// Per lane group (profile), every message's id, decoded as the page does (blob schema in
// reports/html_timeline.h: an entry is written in full, its id's sequence number relative to the
// previous full entry of its producer, or is the number of an earlier run with the same entry).
function blobMessageIds() {
  const D = JSON.parse(document.getElementById('data').textContent);
  const runs = [];
  for (const r of D.runs) {
    const seq = D.producers.map(() => 0);
    runs.push(r.m.map((a, mi) => {
      if (typeof a === 'number') return runs[a][mi];
      const p = D.K[a[1]][0];
      return typeof a[0] === 'number' ? `${D.producers[p]}/${seq[p] += a[0]}` : a[0];
    }));
  }
  return runs;
}

// Per lane group (profile), the ids of the messages whose attempts are drawn selected.
async function highlighted(page) {
  const ids = await page.evaluate(blobMessageIds);
  return page.evaluate((idsOf) => {
    const D = JSON.parse(document.getElementById('data').textContent);
    return D.runs.map((r, g) => {
      const sel = new Set();
      document.querySelectorAll(`#tl rect.a.sel[data-r="${g}"]`).forEach(
          (el) => sel.add(idsOf[g][+el.getAttribute('data-m')]));
      return {profile: r.profile, ids: [...sel]};
    });
  }, ids);
}

// Clicking a divergence entry smooth-scrolls to the timeline; pointer checks wait until the page
// has stopped moving (the scroll offset unchanged over several animation frames).
async function scrollSettled(page) {
  await page.waitForFunction(() => new Promise((done) => {
    let last = window.scrollY, still = 0;
    const tick = () => {
      still = window.scrollY === last ? still + 1 : 0;
      last = window.scrollY;
      if (still >= 5) done(true); else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }));
}

async function expectSelected(page, id, how) {
  await page.waitForFunction(() => document.querySelectorAll('#tl rect.a.sel').length > 0);
  await scrollSettled(page);
  const groups = await highlighted(page);
  check(groups.length >= 2, `${how}: the report has ${groups.length} lane groups (one per profile)`);
  for (const g of groups) {
    check(g.ids.length === 1 && g.ids[0] === id,
          `${how}: ${g.profile}'s lane group highlights ${id} (highlighted: ${JSON.stringify(g.ids)})`);
  }
  check(await page.locator('#tl rect.selbar').count() === groups.length,
        `${how}: a selection bar in each of the ${groups.length} lane groups`);
  check(await page.locator('#sel').isVisible() && (await page.locator('#sel h3').textContent()) === `Message ${id}`,
        `${how}: the selection panel describes ${id}`);
}

async function checkStructure(page) {
  const lanes = await page.evaluate(() => {
    const D = JSON.parse(document.getElementById('data').textContent);
    return {groups: D.runs.length, perGroup: D.ns.length + D.brokers.length + D.producers.length,
            drawn: document.querySelectorAll('#tl rect.lane').length,
            heads: [...document.querySelectorAll('#tl text.ghead')].map((t) => t.textContent),
            profiles: D.runs.map((r) => r.profile)};
  });
  check(lanes.groups >= 2 && lanes.perGroup >= 3 && lanes.drawn === lanes.groups * lanes.perGroup,
        `lanes: ${lanes.drawn} drawn = ${lanes.groups} profiles x ${lanes.perGroup} lanes`);
  check(JSON.stringify(lanes.heads) === JSON.stringify(lanes.profiles),
        `lane groups headed ${JSON.stringify(lanes.heads)}`);
  for (let g = 0; g < lanes.groups; g++) {
    const band = page.locator(`#tl rect.fault[data-r="${g}"]`).first();
    const box = await band.boundingBox();
    check(box && box.width > 0 && box.height > 0, `a fault band is drawn in lane group ${g} (${box && box.width.toFixed(0)} px wide)`);
  }
  check(await page.locator('#tl text.flbl').count() >= lanes.groups, 'fault bands are labelled');
  const summary = await page.evaluate(() => {
    const t = document.querySelector('#summary table.metrics');
    return t && {head: [...t.querySelectorAll('thead th')].map((th) => th.textContent),
                 rows: t.querySelectorAll('tbody tr').length, diff: t.querySelectorAll('tbody tr.diff').length};
  });
  check(summary && summary.head[0] === 'metric' &&
        JSON.stringify(summary.head.slice(1)) === JSON.stringify(lanes.profiles),
        `summary table with columns ${summary && JSON.stringify(summary.head)}`);
  check(summary.rows >= 5 && summary.diff >= 1, `summary table has ${summary.rows} metric rows, ${summary.diff} differing`);
  check(await page.locator('#summary').isVisible(), 'summary table is visible');
  const entries = await page.locator('#divergence ol.div li a[data-msg]').count();
  check(entries >= 1, `first-divergence list has ${entries} entries`);
  return lanes;
}

// A failed/lost-message mark in lane group `g` that is topmost at its centre (marks can overlap).
async function clickableBadMark(page, g) {
  return page.evaluate((grp) => {
    for (const el of document.querySelectorAll(`#tl path.bad[data-r="${grp}"]`)) {
      const b = el.getBoundingClientRect(), y = b.top + b.height / 2;
      for (const x of [b.left + b.width / 2, b.left + 1.5]) {  // later marks cover the right side
        if (b.width > 0 && document.elementFromPoint(x, y) === el) return {x, y, m: +el.getAttribute('data-m')};
      }
    }
    return null;
  }, g);
}

async function runDefault(page, out) {
  const lanes = await checkStructure(page);

  // 1. The first entry of the first-divergence list.
  const first = page.locator('#divergence ol.div li a[data-msg]').first();
  const id = await first.getAttribute('data-msg');
  await first.click();
  await expectSelected(page, id, `clicked divergence entry ${id}`);
  check(await page.locator('#divergence ol.div li.active').count() === 1 &&
        (await page.locator('#divergence ol.div li.active a').getAttribute('data-msg')) === id,
        'the clicked divergence entry is marked active');
  await page.evaluate(() => window.scrollTo(0, 0));
  await scrollSettled(page);
  // The page from its header down to the selection panel (what tools/browser/report.png shows),
  // and the whole page.
  const shot = path.join(out, 'report-default.png'), full = path.join(out, 'report-default-full.png');
  const bottom = await page.evaluate(() => Math.ceil(document.getElementById('sel').getBoundingClientRect().bottom + 12));
  await page.screenshot({path: shot, fullPage: true, clip: {x: 0, y: 0, width: 1400, height: bottom}});
  await page.screenshot({path: full, fullPage: true});
  check(fs.statSync(shot).size > 10000 && fs.statSync(full).size > 10000, `screenshots ${shot}, ${full}`);

  // 2. A mark on the timeline: clear, show everything, click a failed message's diamond.
  await page.locator('.toolbar button[data-act="clear"]').click();
  await page.waitForFunction(() => document.querySelectorAll('#tl rect.a.sel').length === 0).catch(() => {});
  check(await page.locator('#tl rect.a.sel').count() === 0 && await page.locator('#sel').isHidden(), 'clear selection');
  await page.locator('.toolbar button[data-act="fit"]').click();
  await page.evaluate(() => document.getElementById('tl-wrap').scrollIntoView({block: 'center'}));
  await scrollSettled(page);
  let mark = null, g = 0;
  for (; g < lanes.groups && !mark; g++) mark = await clickableBadMark(page, g);
  check(mark != null, `a failed-message mark in lane group ${g - 1} can be clicked`);
  const markId = (await page.evaluate(blobMessageIds))[g - 1][mark.m];
  await page.mouse.click(mark.x, mark.y);
  await expectSelected(page, markId, `clicked mark of ${markId}`);
}

async function runHostile(page, scenarioFile) {
  const s = JSON.parse(fs.readFileSync(scenarioFile, 'utf8'));
  const lanes = await checkStructure(page);
  const shown = await page.evaluate(() => ({
    h1: document.querySelector('header h1').textContent,
    title: document.title,
    desc: document.querySelector('header .desc')?.textContent,
    refs: [...document.querySelectorAll('header .refs li')].map((li) => li.textContent),
    links: [...document.querySelectorAll('header .refs a')].map((a) => a.getAttribute('href')),
    laneNames: [...document.querySelectorAll('#tl text.lbl title')].map((t) => t.textContent),
  }));
  check(shown.h1 === s.title, `title shown literally: ${JSON.stringify(shown.h1)}`);
  check(shown.title === `${s.title} \u2014 rmqsim`, 'document title shown literally');
  check(shown.desc === s.description, 'description shown literally');
  check(JSON.stringify(shown.refs) === JSON.stringify(s.references), 'references shown literally');
  const linkable = s.references.filter((r) => /^https?:\/\/[^\s"'<>]*$/.test(r));
  check(linkable.length >= 1 && JSON.stringify(shown.links) === JSON.stringify(linkable),
        `only plain http(s) references are links, their href literal: ${JSON.stringify(shown.links)}`);
  const names = [...s.cluster.nameservers.map((n) => `nameserver ${n}`), ...s.cluster.brokers.map((b) => b.name),
                 `producer ${s.producers[0].group}#0`];
  check(JSON.stringify(shown.laneNames.slice(0, lanes.perGroup)) === JSON.stringify(names),
        `lane names shown literally: ${JSON.stringify(shown.laneNames.slice(0, lanes.perGroup))}`);

  // Exercise every path that writes scenario text into the page: selection panel, tooltip, hash.
  const first = page.locator('#divergence ol.div li a[data-msg]').first();
  const id = await first.getAttribute('data-msg');
  check(id.startsWith(`${s.producers[0].group}#0/`), `divergence entries name the hostile producer: ${id}`);
  await first.click();
  await expectSelected(page, id, `clicked divergence entry ${id}`);
  const sel = page.locator('#tl rect.a.sel').first();
  await sel.hover({force: true});
  await page.waitForFunction(() => !document.getElementById('tip').hidden);
  check((await page.locator('#tip').textContent()).includes(id), 'tooltip names the hostile message literally');
  await page.locator('#tl rect.fault').first().hover({force: true, position: {x: 2, y: 2}});
  const injected = '<img src=x onerror=alert(5)>"><script>alert(6)</script>';
  await page.goto(`${page.url().replace(/#.*/, '')}#msg=${encodeURIComponent(injected)}`);
  await page.reload();
  await page.waitForFunction(() => !document.getElementById('sel').hidden);
  check((await page.locator('#sel h3').textContent()) === `Message ${injected}`, 'a hostile #msg= link is shown as text');

  const dom = await page.evaluate(() => {
    const handlers = [];
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) if (/^on/i.test(a.name)) handlers.push(`${el.tagName}[${a.name}]`);
    }
    return {pwned: window.__rmqsimPwned, handlers,
            scripts: [...document.scripts].map((x) => x.id || x.type || 'inline'),
            embeds: document.querySelectorAll('img, iframe, object, embed, svg foreignObject, meta[http-equiv]').length};
  });
  check(dom.pwned === undefined, 'no script from the scenario ran (window.__rmqsimPwned unset)');
  check(dom.handlers.length === 0, `no element has an inline event handler ${JSON.stringify(dom.handlers)}`);
  check(JSON.stringify(dom.scripts) === JSON.stringify(['data', 'inline']),
        `only the report's two script elements exist: ${JSON.stringify(dom.scripts)}`);
  check(dom.embeds === 0, 'no injected img/iframe/object/embed/meta element');
}

// `consumers`: a scenario with a consumers section. The consumer section draws a lane group per
// profile; the first message's journey is shown (4.9.3 ends in %DLQ%); clicking a delivery mark
// of the last lane group picks that message.
async function runConsumers(page, out) {
  await page.waitForFunction(() => document.querySelectorAll('#cl rect.lane').length > 0);
  const info = await page.evaluate(() => ({
    heads: [...document.querySelectorAll('#cl text.ghead')].map((t) => t.textContent),
    title: document.querySelector('#cjourney h3')?.textContent,
    strips: [...document.querySelectorAll('#cjourney .jstrip')].map((d) => d.textContent),
  }));
  check(JSON.stringify(info.heads) === JSON.stringify(['4.9.0', '4.9.3', '4.9.8', '5.3.3']),
        `one consumer lane group per profile: ${JSON.stringify(info.heads)}`);
  check(info.title === 'Journey of pg-order#0/1', `first message's journey shown: ${info.title}`);
  check(info.strips.length === 4 && info.strips[1].includes('dead_lettered') && info.strips[1].includes('%DLQ%cg-billing'),
        `4.9.3's journey ends in the DLQ: ${info.strips[1]}`);
  check(info.strips[0].includes('pending') && info.strips[0].includes('level 18'),
        `4.9.0's dead message waits at level 18: ${info.strips[0]}`);
  await page.fill('#cmsg', '');
  await page.press('#cmsg', 'Enter');
  check(await page.locator('#cjourney h3').count() === 0, 'Enter on an empty id clears the journey');
  await page.locator('#cl').scrollIntoViewIfNeeded();
  const box = await page.locator('#cl').boundingBox();
  const pt = await page.evaluate(() => {
    const svg = document.getElementById('cl');
    const lane = [...svg.querySelectorAll('text.lbl')].find((t) => t.textContent === 'cg-billing#0');
    const path = svg.querySelector('path.d-fail');
    const m = /M([0-9.]+) ([0-9.]+)/.exec(path.getAttribute('d'));
    const k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return {x: Number(m[1]) * k, y: (Number(m[2]) + 6) * k, lane: !!lane};
  });
  check(pt.lane, 'a lane per consumer instance');
  await page.mouse.click(box.x + pt.x, box.y + pt.y);
  await page.waitForFunction(() => document.querySelector('#cjourney h3')?.textContent === 'Journey of pg-order#0/1');
  await page.locator('#consumers').screenshot({path: path.join(out, 'report-consumers.png')});
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const chromiumPath = process.env.RMQSIM_CHROMIUM || '/usr/bin/chromium';
  if (!fs.existsSync(chromiumPath)) fail(`Chromium not found at ${chromiumPath}: ${kSetupHint}`);
  const {chromium} = loadPlaywright();
  fs.mkdirSync(args.out, {recursive: true});

  const html = path.resolve(args.out, `report-${args.mode}.html`);
  const runArgs = ['run', ...(args.scenario ? [args.scenario] : []), '--html', html, '--quiet'];
  const run = spawnSync(args.rmqsim, runArgs, {cwd: repo, encoding: 'utf8'});
  if (run.error || run.status !== 0) {
    fail(`${args.rmqsim} ${runArgs.join(' ')} exited ${run.status}: ${run.error || ''}${run.stdout}${run.stderr}`);
  }
  console.log(`ok: ${path.basename(args.rmqsim)} ${runArgs.join(' ')}`);

  const problems = [];
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rmqsim-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profileDir, {
      executablePath: chromiumPath, headless: true, args: kChromiumFlags, timeout: 60000,
      viewport: {width: 1400, height: 900}, deviceScaleFactor: 1,
    });
    context.on('page', (p) => { if (context.pages().length > 1) problems.push(`a popup opened: ${p.url()}`); });
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(15000);
    const fileUrl = pathToFileURL(html).href;
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()} (${JSON.stringify(m.location())})`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.stack || e}`));
    page.on('dialog', (d) => { problems.push(`a ${d.type()} dialog opened: ${JSON.stringify(d.message())}`); d.dismiss().catch(() => {}); });
    page.on('crash', () => problems.push('the page crashed'));
    page.on('request', (r) => { if (r.url().replace(/#.*/, '') !== fileUrl) problems.push(`request for ${r.url()}`); });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));

    await page.goto(fileUrl, {waitUntil: 'load'});
    await page.waitForFunction(() => document.querySelectorAll('#tl rect.lane').length > 0);
    if (args.mode === 'default') await runDefault(page, args.out);
    else if (args.mode === 'consumers') await runConsumers(page, args.out);
    else await runHostile(page, path.resolve(repo, args.scenario));
    await page.waitForTimeout(300);  // anything deferred (timers, image errors) gets to report
  } catch (e) {
    problems.push(`check failed: ${e.message || e}`);
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(profileDir, {recursive: true, force: true});
  }
  if (problems.length) {
    for (const p of problems) console.error(`FAIL: ${p}`);
    process.exit(1);
  }
  console.log(`PASS: ${args.mode} report in Chromium (${html})`);
}

main().catch((e) => fail(e.stack || String(e)));
