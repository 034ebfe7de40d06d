// The browser half of widgets/live: a matplotlib background (PNG) with the moving artists drawn
// on a canvas above it, plus an optional play bar. See figure.py for the protocol:
//   kernel -> browser  {type: "background", width, height, axes, scene} + [png]
//                      {type: "frame", artists: [{id, op, visible, fields}]} + [buffers]
//   browser -> kernel  {type: "hello" | "resize", width, ratio}, {type: "tick", seen},
//                      {type: "away"} (out of view or closing: the kernel stops frames)
// While a figure plays in view it sends a tick every LEASE_MS; each tick keeps the kernel's frame
// timer going for a while (figure.py: LEASE), so frames need no message from here.

const TYPED = { "<f8": Float64Array, "<f4": Float32Array, "|u1": Uint8Array, "<i8": Float64Array };

function typed(dtype, view) {
  const Ctor = TYPED[dtype] || Float64Array;
  // copy: message buffers may start at offsets that typed arrays cannot view directly
  const bytes = view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength);
  return new Ctor(bytes);
}

function concat(a, b) {
  const out = new a.constructor(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function css(c) {
  if (!c) return null;
  return `rgba(${Math.round(c[0] * 255)},${Math.round(c[1] * 255)},${Math.round(c[2] * 255)},${c[3]})`;
}

function u8css(arr, i) {
  return `rgba(${arr[4 * i]},${arr[4 * i + 1]},${arr[4 * i + 2]},${arr[4 * i + 3] / 255})`;
}

function makeMap(a) {
  const fu = a.xlog ? Math.log10 : (v) => v;
  const fv = a.ylog ? Math.log10 : (v) => v;
  return function (x, y) {
    const u = (fu(x) - a.u0) / a.du, v = (fv(y) - a.v0) / a.dv;
    return [a.X0 + a.Xu * u + a.Xv * v, a.Y0 + a.Yu * u + a.Yv * v];
  };
}

function markerPath(ctx, kind, x, y, ms) {
  const r = ms / 2;
  switch (kind) {
    case "point": ctx.moveTo(x + r / 2, y); ctx.arc(x, y, r / 2, 0, 2 * Math.PI); return true;
    case "square": ctx.rect(x - r, y - r, ms, ms); return true;
    case "triangle_up": ctx.moveTo(x, y - r); ctx.lineTo(x - r, y + r); ctx.lineTo(x + r, y + r); ctx.closePath(); return true;
    case "triangle_down": ctx.moveTo(x, y + r); ctx.lineTo(x - r, y - r); ctx.lineTo(x + r, y - r); ctx.closePath(); return true;
    case "diamond": { const h = ms / Math.SQRT2; ctx.moveTo(x, y - h); ctx.lineTo(x + h, y); ctx.lineTo(x, y + h); ctx.lineTo(x - h, y); ctx.closePath(); return true; }
    case "x": ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y + r); ctx.moveTo(x - r, y + r); ctx.lineTo(x + r, y - r); return false;
    case "plus": ctx.moveTo(x - r, y); ctx.lineTo(x + r, y); ctx.moveTo(x, y - r); ctx.lineTo(x, y + r); return false;
    default: ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI); return true;
  }
}

const PLAY_ICON = '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">' +
  '<path d="M3 1.5 L12 7 L3 12.5 Z" fill="currentColor"/></svg>';
const PAUSE_ICON = '<svg width="14" height="14" viewBox="0 0 14 14" aria-hidden="true">' +
  '<rect x="2.5" y="1.5" width="3.2" height="11" fill="currentColor"/>' +
  '<rect x="8.3" y="1.5" width="3.2" height="11" fill="currentColor"/></svg>';

const BIG = 1e6;
const clampPx = (p) => (p > BIG ? BIG : p < -BIG ? -BIG : p);

// Agg (matplotlib's renderer) puts marker centres on whole device pixels; so do we, or markers
// would sit up to half a pixel away from where the static edition draws them.
let SNAP = 1;
const snap = (v) => Math.floor(v * SNAP + 0.5) / SNAP + 0.5 / SNAP;
const edge = (v) => Math.round(v * SNAP) / SNAP;

function drawLine(ctx, s, d, map) {
  const x = d.x, y = d.y;
  if (!x || !x.length) return;
  if (s.lw > 0 && s.color) {
    ctx.beginPath();
    let pen = false;
    for (let i = 0; i < x.length; i++) {
      const p = map(x[i], y[i]);
      if (!isFinite(p[0]) || !isFinite(p[1])) { pen = false; continue; }
      if (pen) ctx.lineTo(clampPx(p[0]), clampPx(p[1])); else { ctx.moveTo(clampPx(p[0]), clampPx(p[1])); pen = true; }
    }
    ctx.strokeStyle = css(s.color);
    ctx.lineWidth = s.lw;
    ctx.lineJoin = "round";
    ctx.lineCap = s.dash.length ? "butt" : "square";
    ctx.setLineDash(s.dash);
    ctx.lineDashOffset = s.dash_offset || 0;
    ctx.stroke();
    ctx.setLineDash([]);
  }
  if (s.marker) {
    const face = css(s.mfc), edge = css(s.mec);
    ctx.lineWidth = s.mew;
    for (let i = 0; i < x.length; i++) {
      const p = map(x[i], y[i]);
      if (!isFinite(p[0]) || !isFinite(p[1])) continue;
      ctx.beginPath();
      const filled = markerPath(ctx, s.marker, snap(p[0]), snap(p[1]), s.ms);
      if (filled && face) { ctx.fillStyle = face; ctx.fill(); }
      if (edge && s.mew > 0) { ctx.strokeStyle = edge; ctx.stroke(); }
    }
  }
}

function drawScatter(ctx, s, d, map) {
  if (!d.x) return;
  for (let i = 0; i < d.x.length; i++) {
    const p = map(d.x[i], d.y[i]);
    if (!isFinite(p[0]) || !isFinite(p[1])) continue;
    ctx.beginPath();
    markerPath(ctx, s.marker, snap(p[0]), snap(p[1]), d.d[i]);
    ctx.fillStyle = u8css(d.fc, i);
    ctx.fill();
    if (s.lw > 0 && d.ec[4 * i + 3] > 0) { ctx.lineWidth = s.lw; ctx.strokeStyle = u8css(d.ec, i); ctx.stroke(); }
  }
}

function drawBars(ctx, s, d, map) {
  if (!d.x) return;
  for (let i = 0; i < d.x.length; i++) {
    if (d.fc[4 * i + 3] === 0) continue;
    const a = map(d.x[i], d.y[i]), b = map(d.x[i] + d.w[i], d.y[i] + d.h[i]);
    // Agg snaps the edges of axis-aligned rectangles to whole device pixels; so do we
    const x0 = clampPx(edge(Math.min(a[0], b[0]))), x1 = clampPx(edge(Math.max(a[0], b[0])));
    let y0 = edge(Math.min(a[1], b[1])), y1 = edge(Math.max(a[1], b[1]));
    if (!isFinite(y1)) y1 = BIG; if (!isFinite(y0)) y0 = -BIG;
    if (!isFinite(x0) || !isFinite(x1)) continue;
    ctx.fillStyle = u8css(d.fc, i);
    ctx.fillRect(x0, clampPx(y0), x1 - x0, clampPx(y1) - clampPx(y0));
  }
}

function drawSegments(ctx, s, d, map) {
  if (!d.x0) return;
  ctx.lineCap = "butt";
  for (let i = 0; i < d.x0.length; i++) {
    const a = map(d.x0[i], d.y0[i]), b = map(d.x1[i], d.y1[i]);
    if (![a[0], a[1], b[0], b[1]].every(isFinite)) continue;
    ctx.beginPath();
    ctx.moveTo(a[0], a[1]);
    ctx.lineTo(b[0], b[1]);
    ctx.strokeStyle = u8css(d.c, i);
    ctx.lineWidth = d.lw[i];
    ctx.stroke();
  }
}

function drawPolygons(ctx, s, d, map) {
  if (!d.x || (!s.color && !s.edge)) return;
  ctx.fillStyle = css(s.color);
  ctx.strokeStyle = css(s.edge);
  ctx.lineWidth = s.lw;
  ctx.lineJoin = "round";
  let k = 0;
  for (let j = 0; j < d.n.length; j++) {
    ctx.beginPath();
    for (let i = 0; i < d.n[j]; i++, k++) {
      const p = map(d.x[k], d.y[k]);
      if (i === 0) ctx.moveTo(clampPx(p[0]), clampPx(p[1])); else ctx.lineTo(clampPx(p[0]), clampPx(p[1]));
    }
    ctx.closePath();
    if (s.color) ctx.fill();
    if (s.edge && s.lw > 0) ctx.stroke();
  }
}

const DRAW = { line: drawLine, line3d: drawLine, scatter: drawScatter, scatter3d: drawScatter,
  bars: drawBars, segments: drawSegments, polygons: drawPolygons };

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "gb-live";
  root.dataset.frames = "0";
  root.dataset.backgrounds = "0";

  const bar = document.createElement("div");
  bar.className = "gb-live-bar";
  const button = document.createElement("button");
  button.className = "gb-live-play";
  button.type = "button";
  const progress = document.createElement("div");
  progress.className = "gb-live-progress";
  const fill = document.createElement("div");
  fill.className = "gb-live-progress-fill";
  progress.appendChild(fill);
  const status = document.createElement("span");
  status.className = "gb-live-status";
  const chips = document.createElement("span");
  chips.className = "gb-live-chips";
  bar.append(button, progress, status, chips);

  const stage = document.createElement("div");
  stage.className = "gb-live-stage";
  const bgCanvas = document.createElement("canvas"); // matplotlib's background, patched in place
  bgCanvas.className = "gb-live-bg";
  bgCanvas.setAttribute("role", "img");
  const canvas = document.createElement("canvas");
  canvas.className = "gb-live-fg";
  stage.append(bgCanvas, canvas);
  root.append(bar, stage);
  el.appendChild(root);

  let axes = [], maps = [], scene = [], order = [];
  const data = new Map();
  const stacks = new Map(); // id -> {field: {rows, cols, data}}: recorded frames

  function withFrame(id, d) {
    const st = stacks.get(id);
    if (!st || !Object.keys(st).length) return d;
    const k = Math.max(0, model.get("frame_index"));
    const out = Object.assign({}, d);
    for (const [name, f] of Object.entries(st)) {
      const row = Math.min(k, f.rows - 1);
      out[name] = f.data.subarray(row * f.cols, (row + 1) * f.cols);
    }
    return out;
  }
  const hidden = () => new Set(model.get("hidden"));
  let size = null;
  let pending = 0; // backgrounds still decoding: frames wait for them
  let bgChain = Promise.resolve();
  let drawQueued = false;
  const queued = []; // frame messages received but not yet shown (see nextFrame)
  const MAX_QUEUED = 2;
  // a tick is a lease on the kernel's frame timer (figure.py: LEASE_INTERVAL, LEASE)
  const LEASE_MS = 400;
  let lastTick = -Infinity, tickSentAt = 0, rafLoop = 0;
  let seen = 0; // the last message (frame or background) received, reported with each tick
  let helloSent = false, lastWidth = 0, resizeTimer = 0;
  let alive = true;

  function reserve(width) {
    const w = Math.min(width || model.get("nominal_width"), model.get("nominal_width"));
    if (!size) {
      stage.style.width = `${w}px`;
      stage.style.height = `${(w * model.get("nominal_height")) / model.get("nominal_width")}px`;
    }
  }

  function applyChips() {
    chips.replaceChildren();
    const off = hidden();
    for (const t of model.get("toggles")) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "gb-live-chip" + (off.has(t.id) ? " gb-off" : "");
      chip.textContent = t.label;
      chip.style.borderColor = css(t.color) || "#999";
      chip.setAttribute("aria-pressed", off.has(t.id) ? "false" : "true");
      chip.addEventListener("click", () => {
        const now = new Set(model.get("hidden"));
        if (now.has(t.id)) now.delete(t.id); else now.add(t.id);
        model.set("hidden", [...now]);
        model.save_changes();
        applyChips();
        queueDraw();
      });
      chips.appendChild(chip);
    }
  }

  function applyBar() {
    const show = model.get("player") || model.get("toggles").length > 0;
    bar.style.display = show ? "" : "none";
    button.style.display = model.get("player") ? "" : "none";
    root.dataset.player = model.get("player") ? "1" : "0";
    const playing = model.get("playing");
    // drawn icons: the ⏸ glyph is missing from many fonts (a box in headless Chromium)
    button.innerHTML = playing ? PAUSE_ICON : PLAY_ICON;
    button.title = playing ? "pause" : "play";
    button.setAttribute("aria-label", playing ? "pause" : "play");
    root.dataset.playing = playing ? "1" : "0";
    status.innerHTML = model.get("status_text");
    const p = model.get("progress");
    progress.style.display = p < 0 ? "none" : "";
    fill.style.width = `${Math.max(0, Math.min(1, p)) * 100}%`;
  }

  function draw() {
    drawQueued = false;
    if (pending === 0) { // frames wait for a background on its way (they may need its axes)
      nextFrame();
      if (queued.length) queueDraw(); // the next one in the next display frame
    }
    if (!size) return;
    const ratio = window.devicePixelRatio || 1;
    SNAP = ratio;
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, size.width, size.height);
    const off = hidden();
    for (const s of order) {
      const raw = data.get(s.id);
      if (!raw || !raw.visible || off.has(s.id) || !maps[s.ax]) continue;
      const d = withFrame(s.id, raw);
      ctx.save();
      if (s.clip) { // Agg rounds the clip box to whole device pixels
        const c = axes[s.ax].clip;
        const px = 1 / SNAP; // its box is inclusive: one more device pixel right and below
        const x0 = edge(c[0]), y0 = edge(c[1]), x1 = edge(c[0] + c[2]) + px, y1 = edge(c[1] + c[3]) + px;
        ctx.beginPath();
        ctx.rect(x0, y0, x1 - x0, y1 - y0);
        ctx.clip();
      }
      DRAW[s.kind](ctx, s, d, maps[s.ax]);
      ctx.restore();
    }
    root.dataset.frames = String(Number(root.dataset.frames) + 1);
  }

  function queueDraw() {
    if (!drawQueued) { drawQueued = true; requestAnimationFrame(draw); }
  }

  function applyBackground(msg, bitmap) {
    const ratio = window.devicePixelRatio || 1;
    if (msg.full || !size) {
      size = { width: msg.width, height: msg.height };
      stage.style.width = `${msg.width}px`;
      stage.style.height = `${msg.height}px`;
      for (const c of [canvas, bgCanvas]) {
        c.width = Math.round(msg.width * ratio);
        c.height = Math.round(msg.height * ratio);
        c.style.width = `${msg.width}px`;
        c.style.height = `${msg.height}px`;
      }
    }
    const bg = bgCanvas.getContext("2d");
    const p = msg.patch;
    // the kernel renders at this page's pixel ratio: patches land on whole device pixels
    bg.drawImage(bitmap, Math.round(p[0] * ratio), Math.round(p[1] * ratio));
    if (bitmap.close) bitmap.close();
    axes = msg.axes;
    maps = axes.map(makeMap);
    scene = msg.scene;
    order = scene.slice().sort((a, b) => a.zorder - b.zorder);
    root.dataset.backgrounds = String(Number(root.dataset.backgrounds) + 1);
    draw();
  }

  model.on("msg:custom", (msg, buffers) => {
    if (!alive) return;
    if (msg.seq) seen = Math.max(seen, msg.seq);
    if (msg.type === "background") {
      pending += 1;
      const decoded = createImageBitmap(new Blob([buffers[0]], { type: "image/png" }));
      bgChain = bgChain.then(() => decoded).then((bitmap) => {
        pending -= 1;
        if (alive) applyBackground(msg, bitmap);
      }).catch((err) => { pending -= 1; console.warn("gauge book: background not shown", err); });
    } else if (msg.type === "frame") {
      if (msg.reply && tickSentAt) {
        // the last tick's round trip (ms), for benchmarks/browser_latency.py
        root.dataset.roundTrip = String(Math.round(performance.now() - tickSentAt));
        tickSentAt = 0;
      }
      queued.push([msg, buffers]);
      if (pending === 0) queueDraw();
    }
  });

  function applyFrame(msg, buffers) {
    for (const a of msg.artists) {
      if (a.op === "stack") {
        stacks.set(a.id, Object.fromEntries(Object.entries(a.fields).map(([name, spec]) =>
          [name, { rows: spec[2], cols: spec[3], data: typed(spec[1], buffers[spec[0]]) }])));
        continue;
      }
      let d = data.get(a.id);
      if (!d || a.op === "set") { d = { visible: a.visible }; data.set(a.id, d); }
      d.visible = a.visible;
      for (const [name, spec] of Object.entries(a.fields)) {
        const arr = typed(spec[1], buffers[spec[0]]);
        d[name] = a.op === "extend" && d[name] ? concat(d[name], arr) : arr;
      }
    }
  }

  // Frames from the kernel are shown one per display frame: two that arrive within one display
  // frame (network or main-thread jitter) are both seen instead of the first being overwritten.
  // A page that falls further behind catches up: all but the newest MAX_QUEUED are applied unseen.
  function nextFrame() {
    while (queued.length > MAX_QUEUED) applyFrame(...queued.shift());
    if (queued.length) applyFrame(...queued.shift());
  }

  // a figure scrolled out of view asks for no frames (the kernel and the page stay free for
  // the panel the reader is looking at); it resumes when it comes back into view. It also says
  // hello (and so gets its first background, a matplotlib render) only once it is in view: after
  // Run All the figure the reader looks at is rendered first, not after every figure above it.
  let inView = false;
  const viewObserver = new IntersectionObserver((entries) => {
    const was = inView;
    inView = entries[entries.length - 1].isIntersecting;
    root.dataset.inView = inView ? "1" : "0";
    if (inView) { sayHello(); startLoop(); }
    else if (was && helloSent && model.get("playing")) model.send({ type: "away" });
  });
  viewObserver.observe(el);

  function loop(ts) {
    if (!alive) return;
    rafLoop = 0;
    if (!model.get("playing") || !inView) { lastTick = -Infinity; return; }
    if (helloSent && ts - lastTick >= LEASE_MS) {
      lastTick = ts;
      tickSentAt = performance.now();
      model.send({ type: "tick", seen });
    }
    rafLoop = requestAnimationFrame(loop);
  }

  function sayHello() {
    const width = Math.floor(el.clientWidth);
    if (helloSent || !inView || width <= 0) return;
    helloSent = true;
    lastWidth = width;
    model.send({ type: "hello", width, ratio: window.devicePixelRatio || 1 });
    startLoop();
  }

  function startLoop() {
    if (!rafLoop && model.get("playing")) rafLoop = requestAnimationFrame(loop);
  }

  button.addEventListener("click", () => {
    model.set("playing", !model.get("playing"));
    model.save_changes();
  });
  model.on("change:playing", () => { applyBar(); startLoop(); });
  model.on("change:status_text", applyBar);
  model.on("change:progress", applyBar);
  model.on("change:player", applyBar);
  model.on("change:toggles", () => { applyChips(); applyBar(); });
  model.on("change:hidden", () => { applyChips(); queueDraw(); });
  model.on("change:frame_index", queueDraw);

  const observer = new ResizeObserver(() => {
    const width = Math.floor(el.clientWidth);
    if (width <= 0) return;
    reserve(width);
    if (!helloSent) { sayHello(); return; }
    if (Math.abs(width - lastWidth) >= 4) {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(() => {
        lastWidth = width;
        model.send({ type: "resize", width, ratio: window.devicePixelRatio || 1 });
      }, 120);
    }
  });
  observer.observe(el);
  applyChips();
  applyBar();
  reserve(el.clientWidth);

  return () => {
    if (alive && helloSent && model.get("playing")) model.send({ type: "away" });
    alive = false;
    observer.disconnect();
    viewObserver.disconnect();
    if (rafLoop) cancelAnimationFrame(rafLoop);
    clearTimeout(resizeTimer);
  };
}

export default { render };
