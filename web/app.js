// oscontent dashboard: plain JavaScript, no dependencies, no CDN.
// Polls the server's JSON API and draws line charts on <canvas>.
'use strict';

const $ = (sel) => document.querySelector(sel);
const keyInput = $('#apikey');
keyInput.value = localStorage.getItem('oscontent.key') || '';
keyInput.addEventListener('change', () => localStorage.setItem('oscontent.key', keyInput.value.trim()));

async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  const key = keyInput.value.trim();
  if (key) headers['Authorization'] = 'Bearer ' + key;
  if (opts.body && typeof opts.body !== 'string') {
    headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(opts.body);
  }
  const res = await fetch(path, Object.assign({}, opts, { headers }));
  let body = null;
  const ct = res.headers.get('Content-Type') || '';
  if (ct.includes('json')) body = await res.json();
  if (!res.ok) {
    const detail = body && body.detail ? body.detail : res.statusText;
    throw new Error(res.status + ' ' + detail);
  }
  return body;
}

// ---- charts ----
const series = { cpu: [], mem: [], rss: [], load: [] };
const MAX_POINTS = 120;

function drawChart(canvas, points, color, fixedMax) {
  const ctx = canvas.getContext('2d');
  const w = canvas.width, h = canvas.height, padL = 36, padB = 18, padT = 8;
  ctx.clearRect(0, 0, w, h);
  ctx.font = '11px sans-serif';
  ctx.fillStyle = '#8b95a3';
  ctx.strokeStyle = '#2a3440';
  let max = fixedMax || Math.max(1, ...points.map((p) => p[1])) * 1.15;
  for (let i = 0; i <= 4; i++) {
    const y = padT + (h - padT - padB) * (1 - i / 4);
    ctx.beginPath(); ctx.moveTo(padL, y); ctx.lineTo(w - 4, y); ctx.stroke();
    ctx.fillText((max * i / 4).toFixed(max >= 10 ? 0 : 1), 2, y + 4);
  }
  if (points.length < 2) {
    ctx.fillText('collecting…', padL + 8, h / 2);
    return;
  }
  const t0 = points[0][0], t1 = points[points.length - 1][0] || t0 + 1;
  const x = (t) => padL + (w - padL - 6) * ((t - t0) / Math.max(1e-9, t1 - t0));
  const y = (v) => padT + (h - padT - padB) * (1 - Math.min(v, max) / max);
  ctx.strokeStyle = color; ctx.lineWidth = 2; ctx.beginPath();
  points.forEach((p, i) => (i ? ctx.lineTo(x(p[0]), y(p[1])) : ctx.moveTo(x(p[0]), y(p[1]))));
  ctx.stroke();
  ctx.lineWidth = 1;
  ctx.fillStyle = '#8b95a3';
  const fmt = (t) => new Date(t * 1000).toLocaleTimeString();
  ctx.fillText(fmt(t0), padL, h - 4);
  ctx.fillText(fmt(t1), w - 70, h - 4);
  canvas.dataset.drawn = String(points.length);
}

function push(name, t, v) {
  if (typeof v !== 'number' || !isFinite(v)) return;
  const s = series[name];
  s.push([t, v]);
  if (s.length > MAX_POINTS) s.shift();
}

// Reads the newest value of a metric from /metrics/{name}: accepts
// {points:[[t,v],...]}, {data:[{timestamp,value}]}, {values:[...]} or {value}.
function lastValue(body) {
  if (!body) return undefined;
  const arr = body.points || body.data || body.values || body.series;
  if (Array.isArray(arr) && arr.length) {
    const p = arr[arr.length - 1];
    if (Array.isArray(p)) return p[1];
    if (typeof p === 'object') return p.value !== undefined ? p.value : p.v;
    return p;
  }
  if (typeof body.value === 'number') return body.value;
  if (typeof body.current === 'number') return body.current;
  return undefined;
}

async function pollMetrics() {
  const now = Date.now() / 1000;
  const names = [['cpu', 'system.cpu.usage'], ['mem', 'system.memory.usage'],
                 ['rss', 'application.process.memory.rss'], ['load', 'system.load.1min']];
  await Promise.all(names.map(async ([k, name]) => {
    try {
      const body = await api('/metrics/' + encodeURIComponent(name) + '?start_time=' + Math.floor(now - 30));
      let v = lastValue(body);
      if (k === 'rss' && typeof v === 'number' && v > 1e5) v = v / 1048576;
      push(k, now, v);
    } catch (e) { /* monitor not ready yet */ }
  }));
  drawChart($('#chart-cpu'), series.cpu, '#f0a04b', 100);
  drawChart($('#chart-mem'), series.mem, '#4c9be8', 100);
  drawChart($('#chart-rss'), series.rss, '#4caf7d');
  drawChart($('#chart-load'), series.load, '#c678dd');
}

// ---- health, alerts, cache, tasks ----
async function pollHealth() {
  const el = $('#health');
  try {
    const h = await api('/health');
    el.textContent = h.status || 'ok';
    el.className = 'pill ' + ((h.status === 'healthy' || h.status === 'ok') ? 'ok' : 'bad');
    $('#version').textContent = h.version ? 'v' + h.version : '';
  } catch (e) {
    el.textContent = 'unreachable';
    el.className = 'pill bad';
  }
}

async function pollAlerts() {
  const ul = $('#alerts');
  try {
    const body = await api('/performance/alerts?acknowledged=false');
    const alerts = (body && body.alerts) || [];
    ul.replaceChildren();
    if (!alerts.length) {
      const li = document.createElement('li'); li.className = 'muted'; li.textContent = 'none'; ul.append(li);
    }
    for (const a of alerts) {
      const li = document.createElement('li');
      const span = document.createElement('span');
      span.className = 'lvl-' + a.level;
      span.textContent = `[${a.level}] ${a.message || a.metric_name}`;
      const btn = document.createElement('button');
      btn.className = 'small'; btn.textContent = 'Acknowledge';
      btn.addEventListener('click', async () => {
        await api('/performance/alerts/' + encodeURIComponent(a.id) + '/acknowledge', { method: 'POST' });
        pollAlerts();
      });
      li.append(span, btn);
      ul.append(li);
    }
  } catch (e) { ul.replaceChildren(Object.assign(document.createElement('li'), { className: 'muted', textContent: e.message })); }
}

function flatten(obj, prefix, out) {
  for (const [k, v] of Object.entries(obj || {})) {
    const name = prefix ? prefix + '.' + k : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, name, out);
    else if (typeof v !== 'object') out.push([name, v]);
  }
  return out;
}

async function pollCache() {
  const tb = $('#cache-stats tbody');
  try {
    const stats = await api('/cache/stats');
    const rows = flatten(stats, '', []).filter(([k]) => /hit|miss|entries|bytes|ratio|evict|sets/.test(k)).slice(0, 16);
    tb.replaceChildren(...rows.map(([k, v]) => {
      const tr = document.createElement('tr');
      const a = document.createElement('td'); a.textContent = k;
      const b = document.createElement('td'); b.textContent = typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(3) : String(v);
      tr.append(a, b); return tr;
    }));
  } catch (e) { tb.replaceChildren(Object.assign(document.createElement('tr'), { textContent: e.message })); }
}

async function pollTasks() {
  const tb = $('#tasks tbody');
  try {
    const body = await api('/tasks');
    const tasks = ((body && body.tasks) || []).slice(-15).reverse();
    if (!tasks.length) return;
    tb.replaceChildren(...tasks.map((t) => {
      const tr = document.createElement('tr');
      const pct = typeof t.progress === 'number' ? (t.progress <= 1 ? t.progress * 100 : t.progress) : 0;
      for (const v of [String(t.id).slice(0, 12), t.status, t.priority, t.created_at || '']) {
        const td = document.createElement('td'); td.textContent = v; tr.append(td);
      }
      const td = document.createElement('td');
      const p = document.createElement('progress'); p.max = 100; p.value = pct; td.append(p); tr.append(td);
      return tr;
    }));
  } catch (e) { /* task processor not ready */ }
}

// ---- video form ----
$('#video-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const status = $('#video-status'), bar = $('#video-progress'), player = $('#video-player');
  player.hidden = true;
  bar.hidden = false; bar.value = 0;
  try {
    const job = await api('/video/generate', { method: 'POST', body: {
      prompt: f.get('prompt'), duration: Number(f.get('duration')), resolution: f.get('resolution'),
      fps: Number(f.get('fps')), quality: 'medium' } });
    status.textContent = 'queued: ' + job.task_id;
    for (;;) {
      await new Promise((r) => setTimeout(r, 500));
      const s = await api('/video/status/' + encodeURIComponent(job.task_id));
      const pct = typeof s.progress === 'number' ? (s.progress <= 1 && s.status !== 'completed' ? s.progress * 100 : s.progress) : 0;
      bar.value = pct;
      status.textContent = `${s.status} ${Math.round(pct)}%`;
      if (s.status === 'completed') {
        const key = keyInput.value.trim();
        const res = await fetch('/video/' + encodeURIComponent(job.task_id) + '/file',
                                key ? { headers: { Authorization: 'Bearer ' + key } } : {});
        if (!res.ok) throw new Error('download failed: ' + res.status);
        player.src = URL.createObjectURL(await res.blob());
        player.hidden = false;
        player.dataset.taskId = job.task_id;
        await player.play().catch(() => {});
        status.textContent = 'done: ' + job.task_id;
        break;
      }
      if (s.status === 'failed' || s.status === 'cancelled' || s.status === 'timeout') {
        throw new Error(s.status + (s.result && s.result.error ? ': ' + s.result.error : ''));
      }
    }
  } catch (e) {
    status.textContent = 'error: ' + e.message;
  } finally {
    bar.hidden = true;
    pollTasks();
  }
});

// ---- NLP playground ----
$('#nlp-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const out = $('#nlp-result');
  out.textContent = 'analyzing…';
  try {
    const r = await api('/nlp/analyze', { method: 'POST', body: { text: f.get('text'), analysis_type: f.get('analysis_type') } });
    if (r && Array.isArray(r.embeddings) && r.embeddings.length > 8) r.embeddings = `[${r.embeddings.length} floats]`;
    out.textContent = JSON.stringify(r, null, 2);
  } catch (e) { out.textContent = 'error: ' + e.message; }
});

function every(ms, fn) { fn(); setInterval(fn, ms); }
every(5000, pollHealth);
every(1000, pollMetrics);
every(5000, pollAlerts);
every(3000, pollCache);
every(2000, pollTasks);
