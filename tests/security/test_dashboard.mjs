// Dashboard end-to-end test in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core): the page loads without console errors, the
// charts draw, a video submitted from the form completes and plays.
// Usage: node test_dashboard.mjs BASE_URL SCREENSHOT.png
import { createRequire } from 'node:module';
const require = createRequire(process.env.OSC_NPM_TOOLS + '/');
const { chromium } = require('playwright-core');

const [base, shot] = process.argv.slice(2);
let failed = 0, passed = 0;
const check = (name, cond, extra = '') => {
  if (cond) { passed++; console.log('ok - ' + name); } else { failed++; console.log('FAIL - ' + name + ' ' + extra); }
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync',
         '--autoplay-policy=no-user-gesture-required'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`); });
  await page.goto(base + '/', { waitUntil: 'load' });
  check('title', (await page.title()) === 'oscontent dashboard');
  await page.waitForFunction(() => document.querySelector('#health').textContent !== 'connecting…', null, { timeout: 10000 });
  check('health pill', /healthy|ok|degraded/.test(await page.textContent('#health')), await page.textContent('#health'));
  // Charts: wait until the CPU and memory charts hold at least 3 points each.
  await page.waitForFunction(() => ['#chart-cpu', '#chart-mem'].every(
    (s) => Number(document.querySelector(s).dataset.drawn || 0) >= 3), null, { timeout: 20000 });
  const painted = await page.evaluate(() => {
    const c = document.querySelector('#chart-cpu'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] > 200 && d[i + 1] > 120 && d[i + 2] < 120) n++; return n;
  });
  check('cpu chart line drawn', painted > 50, 'orange pixels=' + painted);
  // NLP playground.
  await page.click('#nlp-form button');
  await page.waitForFunction(() => /sentiment|error/.test(document.querySelector('#nlp-result').textContent), null, { timeout: 20000 });
  check('nlp playground answers', (await page.textContent('#nlp-result')).includes('sentiment'), await page.textContent('#nlp-result'));
  // Video form: 2 s at 320x180.
  await page.selectOption('#video-form select[name=resolution]', '320x180');
  await page.fill('#video-form input[name=duration]', '2');
  await page.click('#video-form button');
  await page.waitForFunction(() => /^(done|error)/.test(document.querySelector('#video-status').textContent), null, { timeout: 90000 });
  const vs = await page.textContent('#video-status');
  check('video job completes', vs.startsWith('done'), vs);
  if (vs.startsWith('done')) {
    await page.waitForFunction(() => { const v = document.querySelector('#video-player'); return v.readyState >= 2 && v.duration > 1; }, null, { timeout: 20000 });
    const st = await page.evaluate(async () => {
      const v = document.querySelector('#video-player');
      v.muted = true; await v.play().catch(() => {});
      await new Promise((r) => setTimeout(r, 700));
      return { duration: v.duration, t: v.currentTime, w: v.videoWidth, h: v.videoHeight, err: v.error && v.error.code };
    });
    check('video plays', st.duration > 1.5 && st.t > 0 && st.w === 320 && st.h === 180 && !st.err, JSON.stringify(st));
  }
  await page.screenshot({ path: shot, fullPage: true });
  check('no console errors', errors.length === 0, JSON.stringify(errors));
} finally {
  await browser.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
