// Measures the mwds operator display in headless Chromium against a server
// that posts a synthetic picture (bench_web): the time the page takes to
// take in each snapshot (parse, redraw the overlay, the lists), the interval
// between animation frames while snapshots arrive, the countdown tick, and
// the base map's redraw while the map is dragged and zoomed.
// Usage: node render.mjs URL [--seconds S]   (prints one JSON line)
import { chromium } from 'playwright-core';

const args = process.argv.slice(2);
const url = args[0];
const i = args.indexOf('--seconds');
const seconds = i >= 0 ? Number(args[i + 1]) : 15;
const pct = (a, p) => { if (!a.length) return null; const s = a.slice().sort((x, y) => x - y); return +s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(2); };
const sum = (a) => ({ n: a.length, p50: pct(a, 0.5), p95: pct(a, 0.95), max: a.length ? +Math.max(...a).toFixed(2) : null });

const browser = await chromium.launch({
  executablePath: process.env.MWDS_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.mwds && window.mwds.mapReady && window.mwds.stats.snapshots >= 3, null, { timeout: 60000 });
  const tracks = await page.evaluate(() => window.mwds.snap.tracks.length);
  // steady state: snapshots arriving, nothing touched
  await page.evaluate(() => {
    const s = window.mwds.stats;
    s.updates = []; s.renders = []; s.ticks = []; s.baseDraws = []; s.bytes = 0; s.snapshots = 0;
    window.__frames = [];
    let last = performance.now();
    const f = (t) => { window.__frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(f); };
    requestAnimationFrame(f);
  });
  await page.waitForTimeout(seconds * 1000);
  const steady = await page.evaluate(() => {
    const s = window.mwds.stats;
    return { updates: s.updates.slice(), renders: s.renders.slice(), ticks: s.ticks.slice(),
      frames: window.__frames.slice(1), snapshots: s.snapshots, bytes: s.bytes };
  });
  // dragging and zooming the map while snapshots go on arriving
  await page.evaluate(() => { window.mwds.stats.baseDraws = []; window.__frames = []; });
  await page.mouse.move(600, 450);
  await page.mouse.down();
  for (let k = 1; k <= 40; k++) await page.mouse.move(600 - 8 * k, 450 + 3 * k);
  await page.mouse.up();
  for (let k = 0; k < 6; k++) { await page.mouse.wheel(0, k < 3 ? -200 : 200); await page.waitForTimeout(100); }
  await page.waitForTimeout(500);
  const moving = await page.evaluate(() => ({ base: window.mwds.stats.baseDraws.slice(), frames: window.__frames.slice(1) }));
  const out = {
    tracks, seconds, snapshots: steady.snapshots,
    snapshot_kB: steady.snapshots ? Math.round(steady.bytes / steady.snapshots / 1000) : null,
    update_ms: sum(steady.updates), overlay_ms: sum(steady.renders), tick_ms: sum(steady.ticks),
    frame_interval_ms: sum(steady.frames), frames_over_50ms: steady.frames.filter((x) => x > 50).length,
    pan_zoom_base_ms: sum(moving.base), pan_zoom_frame_interval_ms: sum(moving.frames),
    errors,
  };
  console.log(JSON.stringify(out));
  if (errors.length) process.exitCode = 1;
} finally {
  await browser.close();
}
