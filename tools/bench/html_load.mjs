// Load time of a large HTML report in headless Chromium (issue #5: a 100,000-message report must
// be under 20 MB and interactive within 3 s). Writes the report with rmqsim, then opens it RUNS
// times, each in a fresh page, and prints its size and, per load, from navigation start:
//   script done  domContentLoadedEventEnd: the inline page script (decode the blob, first render)
//                has run to its end;
//   drawn        the next animation frame after that, by which the timeline is painted;
//   click        how long a click on the first first-divergence entry takes to show that message
//                selected in every lane group (the page answering its first interaction).
// "Interactive" below is drawn + click. Not a test: run it by hand, record the figures in
// tools/bench/RESULTS.md ("HTML report at 100k messages").
//
//   node tools/bench/html_load.mjs --rmqsim build/rmqsim [--scenario tests/scenarios/perf/html-100k.yaml]
//        [--compare 4.9.0,4.9.3] [--runs 3] [--out build/bench]
//
// Uses playwright-core from tools/browser (./tools/setup.sh --browser) and RMQSIM_CHROMIUM
// (default /usr/bin/chromium), with the browser test's flags.
import {spawnSync} from 'node:child_process';
import fs from 'node:fs';
import {createRequire} from 'node:module';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath, pathToFileURL} from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = {scenario: 'tests/scenarios/perf/html-100k.yaml', runs: '3', out: 'build/bench'};
for (let i = 2; i + 1 < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
if (!args.rmqsim) { console.error('usage: html_load.mjs --rmqsim BIN [--scenario FILE] [--compare P1,P2] [--runs N] [--out DIR]'); process.exit(2); }

const {chromium} = createRequire(path.join(repo, 'tools', 'browser', 'package.json'))('playwright-core');
fs.mkdirSync(path.resolve(repo, args.out), {recursive: true});
const html = path.resolve(repo, args.out, 'report-100k' + (args.compare ? '-' + args.compare.replace(/,/g, '-') : '') + '.html');
const runArgs = ['run', args.scenario, '--html', html, '--quiet', '--events', 'none', ...(args.compare ? ['--compare', args.compare] : [])];
let t = Date.now();
const run = spawnSync(path.resolve(args.rmqsim), runArgs, {cwd: repo, encoding: 'utf8'});
if (run.status !== 0) { console.error(`rmqsim ${runArgs.join(' ')} exited ${run.status}: ${run.stderr}`); process.exit(1); }
const size = fs.statSync(html).size;
console.log(`rmqsim ${runArgs.join(' ')}: ${size} bytes (${(size / 1e6).toFixed(2)} MB), written in ${((Date.now() - t) / 1000).toFixed(1)} s`);

const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rmqsim-bench-chromium-'));
const context = await chromium.launchPersistentContext(profileDir, {
  executablePath: process.env.RMQSIM_CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync'],
  viewport: {width: 1400, height: 900}, deviceScaleFactor: 1,
});
const rows = [];
try {
  for (let i = 0; i < +args.runs; i++) {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.setDefaultTimeout(120000);
    await page.goto(pathToFileURL(html).href, {waitUntil: 'load', timeout: 120000});
    const load = await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      done({script: nav.domContentLoadedEventEnd, drawn: performance.now(),
            marks: document.querySelectorAll('#tl rect.lane').length});
    })));
    if (!load.marks) throw new Error('no timeline drawn');
    const c0 = await page.evaluate(() => performance.now());
    await page.locator('#divergence ol.div li a[data-msg]').first().click();
    await page.waitForFunction(() => document.querySelectorAll('#tl rect.selbar').length > 0);
    const c1 = await page.evaluate(() => performance.now());
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    rows.push({script: load.script, drawn: load.drawn, click: c1 - c0, interactive: load.drawn + c1 - c0});
    console.log(`load ${i + 1}: script done ${load.script.toFixed(0)} ms, drawn ${load.drawn.toFixed(0)} ms, ` +
                `click to selection ${(c1 - c0).toFixed(0)} ms, interactive ${(load.drawn + c1 - c0).toFixed(0)} ms`);
    await page.close();
  }
} finally {
  await context.close();
  fs.rmSync(profileDir, {recursive: true, force: true});
}
const med = (k) => rows.map((r) => r[k]).sort((a, b) => a - b)[Math.floor(rows.length / 2)];
console.log(`median of ${rows.length}: script done ${med('script').toFixed(0)} ms, drawn ${med('drawn').toFixed(0)} ms, ` +
            `click ${med('click').toFixed(0)} ms, interactive ${med('interactive').toFixed(0)} ms; ${size} bytes; load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
