// Canvas drawing of the playground: boundary heatmaps, line charts, histograms with box plots.
// Every function draws from data alone; hover read-outs go through Charts.hover(canvas, fn).
"use strict";

const Charts = (() => {
  const MODEL_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"];
  const CLASS_COLORS = [[37, 99, 235], [234, 88, 12], [22, 163, 74], [147, 51, 234], [219, 39, 119], [202, 138, 4]];
  const FONT = "14px system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";

  function setup(canvas) {
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth, h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.font = FONT;
    return { ctx, w, h };
  }

  function decode(b64) {
    const text = atob(b64);
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  // colour of one grid value: binary P(class 1) on a blue-white-orange ramp; multiclass class colour
  // faded by confidence; regression a blue-to-yellow ramp
  function mix(a, b, t) { return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]; }
  const WHITE = [255, 255, 255];
  function binaryColor(v) {
    const p = v / 255;
    const full = p < 0.5 ? mix(CLASS_COLORS[0], WHITE, p * 2) : mix(WHITE, CLASS_COLORS[1], (p - 0.5) * 2);
    return mix(WHITE, full, 0.62);   // light enough for the points on top to stay readable
  }
  const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  function rampColor(v) {
    const t = v / 255 * (RAMP.length - 1), i = Math.min(Math.floor(t), RAMP.length - 2);
    return mix(RAMP[i], RAMP[i + 1], t - i);
  }

  // image: {p} | {label, conf} | {value}; meta: run data (grid, points, task); decoded bytes are cached on the image
  function heatmap(canvas, image, meta, showTest) {
    const { ctx, w, h } = setup(canvas);
    const n = meta.grid.n;
    if (!canvas._buffer) { canvas._buffer = document.createElement("canvas"); canvas._buffer.width = n; canvas._buffer.height = n; }
    const off = canvas._buffer, octx = off.getContext("2d"), pixels = octx.createImageData(n, n);
    const data = image._bytes || (image._bytes = Object.fromEntries(Object.entries(image).filter(([k]) => !k.startsWith("_")).map(([k, v]) => [k, decode(v)])));
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const src = r * n + c, dst = ((n - 1 - r) * n + c) * 4;   // grid row 0 is the bottom
        let rgb;
        if (data.p) rgb = binaryColor(data.p[src]);
        else if (data.label) rgb = mix(WHITE, CLASS_COLORS[data.label[src] % 6], Math.max(0, (data.conf[src] / 255 - 0.3) / 0.7) * 0.8);
        else rgb = mix(WHITE, rampColor(data.value[src]), 0.85);
        pixels.data[dst] = rgb[0]; pixels.data[dst + 1] = rgb[1]; pixels.data[dst + 2] = rgb[2]; pixels.data[dst + 3] = 255;
      }
    }
    octx.putImageData(pixels, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(off, 0, 0, w, h);
    const [x0, x1] = meta.grid.x, [y0, y1] = meta.grid.y;
    const px = x => (x - x0) / (x1 - x0) * w, py = y => h - (y - y0) / (y1 - y0) * h;
    const color = v => meta.task === "regression" ? `rgb(${rampColor(Math.max(0, Math.min(255, (v - meta.target_range[0]) / (meta.target_range[1] - meta.target_range[0] || 1) * 255))).map(Math.round)})` : `rgb(${CLASS_COLORS[v % 6]})`;
    const radius = Math.max(2.2, Math.min(4, w / 90));
    const draw = (points, hollow) => {
      for (const [x, y, v] of points) {
        ctx.beginPath();
        ctx.arc(px(x), py(y), radius, 0, 2 * Math.PI);
        if (hollow) { ctx.fillStyle = "#fff"; ctx.fill(); ctx.lineWidth = 1.6; ctx.strokeStyle = color(v); ctx.stroke(); }
        else { ctx.fillStyle = color(v); ctx.fill(); ctx.lineWidth = 0.8; ctx.strokeStyle = "#fff"; ctx.stroke(); }
      }
    };
    draw(meta.points.train, false);
    if (showTest) draw(meta.points.test, true);
    canvas._read = (mx, my) => {
      const c = Math.min(n - 1, Math.max(0, Math.round(mx / w * (n - 1)))), r = Math.min(n - 1, Math.max(0, Math.round((1 - my / h) * (n - 1))));
      const x = x0 + (x1 - x0) * c / (n - 1), y = y0 + (y1 - y0) * r / (n - 1), k = r * n + c;
      let what;
      if (data.p) what = `P(class ${meta.classes[1]}) = ${(data.p[k] / 255).toFixed(2)}`;
      else if (data.label) what = `class ${meta.classes[data.label[k]]}, p = ${(data.conf[k] / 255).toFixed(2)}`;
      else what = `ŷ ≈ ${(meta.target_range[0] + data.value[k] / 255 * (meta.target_range[1] - meta.target_range[0])).toFixed(3)}`;
      return `${meta.features[0]} = ${x.toFixed(2)}, ${meta.features[1]} = ${y.toFixed(2)}\n${what}`;
    };
  }

  function niceTicks(lo, hi, count) {
    const span = hi - lo || 1, step0 = span / count, mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 2.5, 5, 10].map(s => s * mag).find(s => span / s <= count) || step0;
    const ticks = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-12; t += step) ticks.push(+t.toPrecision(12));
    return ticks;
  }

  function fmt(v) {
    const a = Math.abs(v);
    return a === 0 ? "0" : a >= 1000 || a < 0.01 ? v.toExponential(0) : +v.toPrecision(3) + "";
  }

  // series: [{color, points: [[x, y]], dash, fill, label}]; opts: {log, yMin, yMax, marks: [{x, text}], xLabel}
  function lines(canvas, series, opts = {}) {
    const { ctx, w, h } = setup(canvas);
    const m = { l: 56, r: 12, t: 8, b: 28 }, pw = w - m.l - m.r, ph = h - m.t - m.b;
    let xs = [], ys = [];
    for (const s of series) for (const [x, y] of s.points) if (y !== null && isFinite(y) && (!opts.log || y > 0)) { xs.push(x); ys.push(y); }
    if (!xs.length) { ctx.fillStyle = "#9ca3af"; ctx.fillText("press play to train", m.l + 10, m.t + 24); canvas._read = null; return; }
    const xMax = Math.max(...xs, 1), xMin = 0;
    let yMin = opts.yMin ?? Math.min(...ys), yMax = opts.yMax ?? Math.max(...ys);
    const T = opts.log ? v => Math.log10(Math.max(v, 1e-12)) : v => v;
    let lo = T(yMin), hi = T(yMax);
    if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
    const X = x => m.l + (x - xMin) / (xMax - xMin || 1) * pw, Y = v => m.t + ph - (T(v) - lo) / (hi - lo) * ph;
    ctx.strokeStyle = "#e5e7eb"; ctx.fillStyle = "#6b7280"; ctx.lineWidth = 1;
    const yt = opts.log ? niceTicks(Math.floor(lo), Math.ceil(hi), 5).filter(t => t >= lo - 1e-9 && t <= hi + 1e-9).map(t => Math.pow(10, t)) : niceTicks(lo, hi, 5);
    ctx.textAlign = "right";
    for (const t of yt) { const y = Y(t); ctx.beginPath(); ctx.moveTo(m.l, y); ctx.lineTo(m.l + pw, y); ctx.stroke(); ctx.fillText(fmt(t), m.l - 6, y + 5); }
    ctx.textAlign = "center";
    for (const t of niceTicks(xMin, xMax, 6)) ctx.fillText(String(t), X(t), h - 8);
    ctx.strokeStyle = "#9ca3af"; ctx.beginPath(); ctx.moveTo(m.l, m.t); ctx.lineTo(m.l, m.t + ph); ctx.lineTo(m.l + pw, m.t + ph); ctx.stroke();
    for (const mark of opts.marks || []) {
      const x = X(mark.x);
      ctx.strokeStyle = mark.color || "#374151"; ctx.setLineDash([3, 3]); ctx.beginPath(); ctx.moveTo(x, m.t); ctx.lineTo(x, m.t + ph); ctx.stroke(); ctx.setLineDash([]);
      ctx.fillStyle = mark.color || "#374151"; ctx.textAlign = "left"; ctx.fillText("▼", x - 5, m.t + 12);
    }
    ctx.save(); ctx.beginPath(); ctx.rect(m.l, m.t, pw, ph); ctx.clip();
    for (const s of series) {
      const pts = s.points.filter(([, y]) => y !== null && isFinite(y) && (!opts.log || y > 0));
      if (!pts.length) continue;
      if (s.fill) {
        ctx.globalAlpha = 0.18; ctx.fillStyle = s.color; ctx.beginPath(); ctx.moveTo(X(pts[0][0]), m.t + ph);
        for (const [x, y] of pts) ctx.lineTo(X(x), Y(y));
        ctx.lineTo(X(pts[pts.length - 1][0]), m.t + ph); ctx.closePath(); ctx.fill(); ctx.globalAlpha = 1;
        continue;
      }
      ctx.strokeStyle = s.color; ctx.lineWidth = 2; ctx.setLineDash(s.dash ? [6, 4] : []);
      ctx.beginPath();
      pts.forEach(([x, y], i) => (i ? ctx.lineTo(X(x), Y(y)) : ctx.moveTo(X(x), Y(y))));
      ctx.stroke(); ctx.setLineDash([]);
    }
    ctx.restore();
    canvas._read = (mx) => {
      const x = Math.round(xMin + (mx - m.l) / pw * (xMax - xMin));
      const rows = [`epoch ${x}`];
      for (const s of series) {
        if (!s.label) continue;
        const p = s.points.find(([px]) => px >= x) || s.points[s.points.length - 1];
        if (p && p[1] !== null) rows.push(`${s.label}: ${(+p[1]).toPrecision(4)}`);
      }
      for (const mark of opts.marks || []) if (Math.abs(mark.x - x) <= Math.max(1, (xMax - xMin) / 100)) rows.push(mark.text);
      return rows.join("\n");
    };
  }

  // layer: {edges: [lo, hi], counts: [[...] per model], boxes: [[wl, q1, med, q3, wh] per model]}
  function histogram(canvas, layer, colors, title) {
    const { ctx, w, h } = setup(canvas);
    const [lo, hi] = layer.edges, bins = layer.counts[0].length, models = layer.counts.length;
    const m = { l: 46, r: 10, t: 20, b: 24 }, boxH = Math.min(9, 40 / models), boxesH = models * (boxH + 3) + 4;
    const pw = w - m.l - m.r, ph = h - m.t - m.b - boxesH;
    const X = v => m.l + (v - lo) / (hi - lo) * pw;
    const top = Math.max(1, ...layer.counts.flat());
    const Y = c => m.t + ph - Math.sqrt(c / top) * ph;   // square-root scale: small bins stay visible
    ctx.fillStyle = "#374151"; ctx.textAlign = "left"; ctx.fillText(title, m.l, 14);
    ctx.strokeStyle = "#e5e7eb"; ctx.beginPath(); ctx.moveTo(X(0), m.t); ctx.lineTo(X(0), m.t + ph); ctx.stroke();
    layer.counts.forEach((counts, k) => {
      ctx.strokeStyle = colors[k]; ctx.lineWidth = 1.8; ctx.beginPath(); ctx.moveTo(X(lo), Y(0));
      counts.forEach((c, b) => { const a = lo + (hi - lo) * b / bins, z = lo + (hi - lo) * (b + 1) / bins; ctx.lineTo(X(a), Y(c)); ctx.lineTo(X(z), Y(c)); });
      ctx.lineTo(X(hi), Y(0)); ctx.stroke();
    });
    layer.boxes.forEach((box, k) => {
      const y = m.t + ph + 6 + k * (boxH + 3), [wl, q1, md, q3, wh] = box;
      ctx.strokeStyle = colors[k]; ctx.fillStyle = colors[k]; ctx.lineWidth = 1.4;
      ctx.beginPath(); ctx.moveTo(X(wl), y + boxH / 2); ctx.lineTo(X(wh), y + boxH / 2); ctx.stroke();
      ctx.globalAlpha = 0.35; ctx.fillRect(X(q1), y, Math.max(1, X(q3) - X(q1)), boxH); ctx.globalAlpha = 1;
      ctx.fillRect(X(md) - 1, y, 2, boxH);
    });
    ctx.fillStyle = "#6b7280"; ctx.textAlign = "center";
    for (const t of niceTicks(lo, hi, 4)) ctx.fillText(fmt(t), X(t), h - 6);
    canvas._read = (mx) => {
      const v = lo + (mx - m.l) / pw * (hi - lo), b = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / (hi - lo) * bins)));
      const a = lo + (hi - lo) * b / bins, z = a + (hi - lo) / bins;
      return [`w in [${a.toPrecision(3)}, ${z.toPrecision(3)})`, ...layer.counts.map((c, k) => `model ${k + 1}: ${c[b]} weights`)].join("\n");
    };
  }

  function hover(canvas, tooltip) {
    canvas.addEventListener("mousemove", e => {
      if (!canvas._read) return;
      const r = canvas.getBoundingClientRect(), text = canvas._read(e.clientX - r.left, e.clientY - r.top);
      if (!text) { tooltip.hidden = true; return; }
      tooltip.textContent = text; tooltip.hidden = false;
      tooltip.style.left = `${e.clientX + 14}px`; tooltip.style.top = `${e.clientY + 12}px`;
    });
    canvas.addEventListener("mouseleave", () => { tooltip.hidden = true; });
  }

  return { MODEL_COLORS, heatmap, lines, histogram, hover, decode };
})();
