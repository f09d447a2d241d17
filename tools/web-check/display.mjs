// Loads the mwds operator display in Debian's Chromium (headless), waits for
// a track, a warning and an impact ellipse to appear, checks the EXERCISE
// banner, saves a screenshot and prints what it saw as one JSON line.
// Usage: node display.mjs URL SCREENSHOT.png [--timeout S] [--settle S] [--exercise|--real]
// Exit status 0, or 1 with the reason on stderr.
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const url = args[0], shot = args[1];
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : dflt; };
const timeoutMs = opt('--timeout', 120) * 1000, settleMs = opt('--settle', 0) * 1000;
const wantExercise = !args.includes('--real');
if (!url || !shot) { console.error('usage: node display.mjs URL SCREENSHOT.png [--timeout S] [--settle S] [--real]'); process.exit(2); }

const fail = (msg) => { console.error('FAIL: ' + msg); process.exitCode = 1; };
// playwright starts Chromium with a new, empty profile of its own each time
const browser = await chromium.launch({
  executablePath: process.env.MWDS_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // this machine's network is closed: no background connections, no QUIC
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('requestfailed', (r) => { if (!r.url().endsWith('/events')) errors.push('request failed: ' + r.url()); });
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(url.replace(/\/$/, ''))) external.push(r.url()); });
  await page.goto(url, { waitUntil: 'load', timeout: 30000 });
  const t0 = Date.now();
  await page.waitForSelector('#tracks tr.track', { timeout: timeoutMs });
  const tTrack = (Date.now() - t0) / 1000;
  await page.waitForSelector('#warnings li.warning', { timeout: timeoutMs });
  const tWarning = (Date.now() - t0) / 1000;
  await page.waitForSelector('path.impact-ellipse[d^="M"]', { state: 'attached', timeout: timeoutMs });
  const tEllipse = (Date.now() - t0) / 1000;
  if (settleMs > 0) await page.waitForTimeout(settleMs);
  const seen = await page.evaluate(() => {
    const b = document.getElementById('banner');
    return {
      banner: b && !b.hidden ? b.innerText.replace(/\s+/g, ' ').trim() : '',
      tracks: document.querySelectorAll('#tracks tr.track').length,
      warnings: document.querySelectorAll('#warnings li.warning').length,
      impactEllipses: [...document.querySelectorAll('path.impact-ellipse')].filter((p) => (p.getAttribute('d') || '').startsWith('M')).length,
      threatenedAreas: document.querySelectorAll('path.area-threat').length,
      link: document.getElementById('link').textContent,
      node: document.getElementById('node').textContent,
      countdown: (document.querySelector('#warnings .cd') || {}).textContent || '',
      origins: [...document.querySelectorAll('#tracks tr.track td:nth-child(2)')].map((td) => td.textContent),
      snapshots: window.mwds.stats.snapshots,
    };
  });
  await page.screenshot({ path: shot });
  if (wantExercise && !/EXERCISE/.test(seen.banner)) fail('no EXERCISE banner: "' + seen.banner + '"');
  if (!wantExercise && seen.banner) fail('a banner on real-world data: "' + seen.banner + '"');
  if (seen.tracks < 1) fail('no track row');
  if (seen.warnings < 1) fail('no warning');
  if (seen.impactEllipses < 1) fail('no impact ellipse');
  if (!seen.origins.some((o) => /^[A-Z]{3}( [A-Z]{3})*$/.test(o))) fail('no origin nation shown: ' + JSON.stringify(seen.origins));
  if (external.length) fail('the page asked for something off the node: ' + external.slice(0, 3).join(', '));
  if (errors.length) fail('errors in the page: ' + errors.slice(0, 5).join(' | '));
  console.log(JSON.stringify({ ...seen, tTrack, tWarning, tEllipse, screenshot: shot }));
} catch (e) {
  fail(String(e && e.message || e));
} finally {
  await browser.close();
}
