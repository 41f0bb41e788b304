// Canvas drawing of the playground: boundary heatmaps, line charts, histograms with box plots.
// Every function draws from data alone. Each canvas keeps the boxes of the text it drew (canvas._labels),
// placed so that none overlaps another or leaves the canvas; hover read-outs go through Charts.hover.
"use strict";

const Charts = (() => {
  const MODEL_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9"];
  const CLASS_COLORS = [[37, 99, 235], [234, 88, 12], [22, 163, 74], [147, 51, 234], [219, 39, 119], [202, 138, 4]];
  const FONT = "14px system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
  const INK = "#374151", MUTED = "#6b7280", GRID = "#e5e7eb", AXIS = "#9ca3af";

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
    canvas._labels = [];
    return { ctx, w, h };
  }

  // --- text that never overlaps ------------------------------------------------------------------

  // the box `str` would cover with its left edge at x and its baseline at y
  function box(ctx, str, x, y) {
    const m = ctx.measureText(str);
    const ascent = m.fontBoundingBoxAscent ?? 13, descent = m.fontBoundingBoxDescent ?? 4;
    return { x, y: y - ascent, w: m.width, h: ascent + descent, text: str };
  }

  const overlaps = (a, b, gap = 0) => a.x < b.x + b.w + gap && b.x < a.x + a.w + gap && a.y < b.y + b.h + gap && b.y < a.y + a.h + gap;

  // draws `str` centred on x (clamped inside [minX, maxX]) unless it would overlap a label already drawn
  function label(canvas, ctx, str, x, y, { align = "center", minX = 0, maxX = canvas.clientWidth, gap = 6 } = {}) {
    const width = ctx.measureText(str).width;
    let left = align === "center" ? x - width / 2 : align === "right" ? x - width : x;
    left = Math.max(minX, Math.min(maxX - width, left));
    const b = box(ctx, str, left, y);
    const outside = b.x < -0.5 || b.x + b.w > canvas.clientWidth + 0.5 || b.y < -0.5 || b.y + b.h > canvas.clientHeight + 0.5;
    if (outside || canvas._labels.some(o => overlaps(o, b, gap))) return null;
    ctx.textAlign = "left";
    ctx.fillText(str, left, y);
    canvas._labels.push(b);
    return b;
  }

  function decode(b64) {
    const text = atob(b64);
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }

  // --- boundary heatmap ------------------------------------------------------------------------------

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

  // image: {p} | {label, conf} | {value} as base64, or {_bytes: the same decoded} (the page's own forward pass);
  // meta: run data (grid, points, task); decoded bytes are cached on the image. `discrete`: two colours only
  // (the predicted class at full strength; for regression the upper and lower half of the target's range).
  function heatmap(canvas, image, meta, showTest, discrete = false) {
    const { ctx, w, h } = setup(canvas);
    const n = meta.grid.n;
    if (!canvas._buffer) { canvas._buffer = document.createElement("canvas"); canvas._buffer.width = n; canvas._buffer.height = n; }
    const off = canvas._buffer, octx = off.getContext("2d"), pixels = octx.createImageData(n, n);
    const data = image._bytes || (image._bytes = Object.fromEntries(Object.entries(image).filter(([k]) => !k.startsWith("_")).map(([k, v]) => [k, decode(v)])));
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const src = r * n + c, dst = ((n - 1 - r) * n + c) * 4;   // grid row 0 is the bottom
        let rgb;
        if (data.p) rgb = binaryColor(discrete ? (data.p[src] >= 128 ? 255 : 0) : data.p[src]);
        else if (data.label) rgb = mix(WHITE, CLASS_COLORS[data.label[src] % 6], discrete ? 0.62 : Math.max(0, (data.conf[src] / 255 - 0.3) / 0.7) * 0.8);
        else rgb = mix(WHITE, rampColor(discrete ? (data.value[src] >= 128 ? 255 : 0) : data.value[src]), 0.85);
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

  // --- axes ------------------------------------------------------------------------------------------

  function niceTicks(lo, hi, count) {
    const span = hi - lo || 1, step0 = span / Math.max(1, count), mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 2.5, 5, 10].map(s => s * mag).find(s => span / s <= count) || step0;
    const ticks = [];
    for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(+t.toPrecision(12));
    ticks.step = step;
    return ticks;
  }

  function decimals(step) {
    for (let d = 0; d <= 12; d++) if (Math.abs(Math.round(step * 10 ** d) - step * 10 ** d) < 1e-6) return d;
    return 12;
  }

  // a tick's text: as many decimals as the step needs (so neighbours never read alike), exponents below 1e-5
  function tickText(v, step) {
    if (Math.abs(v) < step * 1e-9) return "0";
    const d = decimals(step);
    if (d > 5) return v.toExponential(Math.max(0, Math.min(3, d - Math.floor(-Math.log10(Math.abs(v)))))).replace("e+", "e");
    return v.toFixed(d);
  }

  // --- smoothing and robust ranges -----------------------------------------------------------------

  function lowerBound(xs, x) {
    let a = 0, b = xs.length;
    while (a < b) { const m = (a + b) >> 1; if (xs[m] < x) a = m + 1; else b = m; }
    return a;
  }

  const finite = v => v !== null && v !== undefined && Number.isFinite(v);

  // centred moving average of ys over ±half points that never crosses a break (the x of a mid-run change)
  function smooth(xs, ys, half, breaks = []) {
    const n = ys.length, out = new Array(n).fill(null);
    const starts = [0, ...breaks.map(b => lowerBound(xs, b + 0.5)).filter(i => i > 0 && i < n), n].sort((a, b) => a - b);
    for (let s = 0; s + 1 < starts.length; s++) {
      const a = starts[s], b = starts[s + 1];
      const sum = [0], count = [0];
      for (let i = a; i < b; i++) { const ok = finite(ys[i]); sum.push(sum[sum.length - 1] + (ok ? ys[i] : 0)); count.push(count[count.length - 1] + (ok ? 1 : 0)); }
      for (let i = a; i < b; i++) {
        const lo = Math.max(a, i - half) - a, hi = Math.min(b - 1, i + half) - a + 1, c = count[hi] - count[lo];
        out[i] = finite(ys[i]) && c ? (sum[hi] - sum[lo]) / c : null;
      }
    }
    return out;
  }

  // The range of the finite values of every series (a sample of each long one) from the 2nd to the 98th
  // percentile; an end is widened to the extreme value when that at most doubles the span, so that only
  // outliers that would flatten the curves (a loss spike after a change of λ) are left outside.
  function robustRange(series) {
    const sample = [];
    for (const s of series) {
      const n = s.ys.length, step = Math.max(1, Math.floor(n / 600));
      let top = -Infinity, bottom = Infinity;
      for (let i = 0; i < n; i++) if (finite(s.ys[i])) { top = Math.max(top, s.ys[i]); bottom = Math.min(bottom, s.ys[i]); }
      for (let i = 0; i < n; i += step) if (finite(s.ys[i])) sample.push(s.ys[i]);
      if (n && finite(s.ys[n - 1])) sample.push(s.ys[n - 1]);
      if (top > -Infinity) sample.push(top, bottom);
    }
    if (!sample.length) return null;
    sample.sort((a, b) => a - b);
    const q = p => sample[Math.round(p * (sample.length - 1))];
    let lo = q(0.02), hi = q(0.98);
    const min = sample[0], max = sample[sample.length - 1], span = hi - lo;
    if (max - lo <= 2 * span) hi = max;
    if (hi - min <= 2 * span) lo = min;
    return [lo, hi];
  }

  // --- line charts -----------------------------------------------------------------------------------

  // series: [{color, xs, ys, raw: {ys} (drawn faintly on hover), style: "solid"|"dash"|"dot", fill, label}]
  // opts: {yMin, yMax (fixed ends), floor, ceil (bounds of the robust range), marks: [{x, text, color}], empty}
  // The y-range is robust: the 2nd to 98th percentile of the drawn values, padded; values beyond it are
  // clipped and marked with a triangle at the edge. Returns {lo, hi, above, aboveMax, below, belowMin}.
  function lines(canvas, series, opts = {}) {
    const { ctx, w, h } = setup(canvas);
    canvas._redraw = () => lines(canvas, series, opts);
    const range = robustRange(series);
    if (!range) {
      ctx.fillStyle = "#9ca3af";
      label(canvas, ctx, opts.empty || "press play to train", 16, 30, { align: "left" });
      canvas._read = null;
      return { lo: null, hi: null, above: 0, below: 0 };
    }
    let [lo, hi] = range;
    const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.1 || 0.5;
    lo -= pad; hi += pad;
    if (opts.floor !== undefined) lo = Math.max(lo, opts.floor);
    if (opts.ceil !== undefined) hi = Math.min(hi, opts.ceil);
    if (opts.yMin !== undefined) lo = opts.yMin;
    if (opts.yMax !== undefined) hi = opts.yMax;
    if (!(hi - lo > 1e-9)) { hi = lo + (Math.abs(lo) * 0.1 || 1); }
    let xMax = 1;
    for (const s of series) if (s.xs.length) xMax = Math.max(xMax, s.xs[s.xs.length - 1]);

    const top = 14, bottom = 26, ph = h - top - bottom;
    const yAll = niceTicks(lo, hi, Math.max(2, Math.min(6, Math.floor(ph / 32))));
    const yt = yAll.filter(t => t >= lo - 1e-12 && t <= hi + 1e-12), yText = yt.map(t => tickText(t, yAll.step));
    const m = { l: Math.ceil(Math.max(0, ...yText.map(t => ctx.measureText(t).width))) + 12, r: 16, t: top, b: bottom };
    const pw = w - m.l - m.r;
    const X = x => m.l + x / xMax * pw, Y = v => m.t + ph - (v - lo) / (hi - lo) * ph;

    // grid and axes
    ctx.strokeStyle = GRID; ctx.fillStyle = MUTED; ctx.lineWidth = 1;
    yt.forEach((t, i) => {
      const y = Y(t);
      ctx.beginPath(); ctx.moveTo(m.l, y); ctx.lineTo(m.l + pw, y); ctx.stroke();
      label(canvas, ctx, yText[i], m.l - 6, y + 5, { align: "right", gap: 2 });
    });
    const xt = niceTicks(0, xMax, Math.max(2, Math.min(8, Math.floor(pw / 70)))).filter(t => t <= xMax + 1e-9 && Number.isInteger(t));
    for (const t of xt) label(canvas, ctx, String(t), X(t), h - 7, { minX: m.l, gap: 4 });
    ctx.strokeStyle = AXIS; ctx.beginPath(); ctx.moveTo(m.l, m.t); ctx.lineTo(m.l, m.t + ph); ctx.lineTo(m.l + pw, m.t + ph); ctx.stroke();

    // marks of mid-run changes: a dashed line each, one ▼ where several fall together
    const marks = [...(opts.marks || [])].sort((a, b) => a.x - b.x);
    for (const mark of marks) {
      const x = X(mark.x);
      ctx.strokeStyle = mark.color || INK; ctx.setLineDash([3, 3]); ctx.beginPath(); ctx.moveTo(x, m.t); ctx.lineTo(x, m.t + ph); ctx.stroke(); ctx.setLineDash([]);
      ctx.fillStyle = mark.color || INK;
      label(canvas, ctx, "▼", x, m.t + 2, { minX: m.l, maxX: m.l + pw, gap: 1 });
    }

    // the series, clipped to the plot; a stride keeps long histories at about one point per pixel
    ctx.save(); ctx.beginPath(); ctx.rect(m.l, m.t, pw, ph); ctx.clip();
    const info = { lo, hi, above: 0, aboveMax: -Infinity, below: 0, belowMin: Infinity };
    const clipped = [];
    const path = (ys, xs, n, step) => {
      let open = false;
      const visit = i => {
        const v = ys[i];
        if (!finite(v)) { open = false; return; }
        const py = Math.max(m.t - 4, Math.min(m.t + ph + 4, Y(v)));
        if (open) ctx.lineTo(X(xs[i]), py); else ctx.moveTo(X(xs[i]), py);
        open = true;
      };
      ctx.beginPath();
      for (let i = 0; i < n; i += step) visit(i);
      if ((n - 1) % step) visit(n - 1);
    };
    for (const s of series) {
      const n = s.ys.length, step = Math.max(1, Math.floor(n / Math.max(50, pw)));
      if (!n) continue;
      if (s.fill) {
        ctx.globalAlpha = 0.18; ctx.fillStyle = s.color; ctx.beginPath(); ctx.moveTo(X(s.xs[0]), Y(Math.max(lo, 0)));
        for (let i = 0; i < n; i += step) if (finite(s.ys[i])) ctx.lineTo(X(s.xs[i]), Y(Math.min(hi, s.ys[i])));
        if (finite(s.ys[n - 1])) ctx.lineTo(X(s.xs[n - 1]), Y(Math.min(hi, s.ys[n - 1])));
        ctx.lineTo(X(s.xs[n - 1]), Y(Math.max(lo, 0))); ctx.closePath(); ctx.fill(); ctx.globalAlpha = 1;
        continue;
      }
      if (canvas._showRaw && s.raw) {
        ctx.globalAlpha = 0.35; ctx.strokeStyle = s.color; ctx.lineWidth = 1; ctx.setLineDash([]);
        path(s.raw.ys, s.xs, n, step); ctx.stroke(); ctx.globalAlpha = 1;
      }
      ctx.strokeStyle = s.color; ctx.lineWidth = s.style === "dot" ? 1.5 : 2;
      ctx.setLineDash(s.style === "dash" ? [6, 4] : s.style === "dot" ? [2, 3] : []);
      path(s.ys, s.xs, n, step); ctx.stroke(); ctx.setLineDash([]);
      // clipped values: count them, and mark each run of them at its extreme
      let run = null;
      const close = () => { if (run) clipped.push(run); run = null; };
      for (let i = 0; i < n; i++) {
        const v = s.ys[i], side = !finite(v) ? 0 : v > hi ? 1 : v < lo ? -1 : 0;
        if (side > 0) { info.above++; info.aboveMax = Math.max(info.aboveMax, v); }
        if (side < 0) { info.below++; info.belowMin = Math.min(info.belowMin, v); }
        if (!side || (run && run.side !== side)) close();
        if (side && !run) run = { side, x: s.xs[i], v, color: s.color };
        else if (side && side * v > side * run.v) { run.x = s.xs[i]; run.v = v; }
      }
      close();
    }
    ctx.restore();
    for (const c of clipped.slice(0, 40)) {
      const x = X(c.x), y = c.side > 0 ? m.t : m.t + ph, d = c.side > 0 ? 1 : -1;
      ctx.fillStyle = c.color; ctx.beginPath();
      ctx.moveTo(x, y + d * 1); ctx.lineTo(x - 5, y + d * 9); ctx.lineTo(x + 5, y + d * 9); ctx.closePath(); ctx.fill();
    }

    canvas._read = mx => {
      const x = Math.max(0, Math.min(xMax, Math.round((mx - m.l) / pw * xMax)));
      const rows = [`epoch ${x}`];
      for (const s of series) {
        if (!s.label || !s.xs.length) continue;
        const i = Math.min(s.xs.length - 1, lowerBound(s.xs, x));
        const raw = s.raw ? s.raw.ys[i] : s.ys[i];
        if (!finite(raw)) continue;
        rows.push(`${s.label}: ${(+raw).toPrecision(4)}${s.raw && finite(s.ys[i]) ? ` (smoothed ${(+s.ys[i]).toPrecision(4)})` : ""}`);
      }
      for (const mark of marks) if (Math.abs(mark.x - x) <= Math.max(1, xMax / 100)) rows.push(mark.text);
      return rows.join("\n");
    };
    return info;
  }

  // --- histograms --------------------------------------------------------------------------------------

  // layer: {edges: [lo, hi], counts: [[...] per model], boxes: [[wl, q1, med, q3, wh] per model]}.
  // Draws model k's histogram of the layer on the layer's shared bins and count scale, its box plot below.
  function histogram(canvas, layer, k, color) {
    const { ctx, w, h } = setup(canvas);
    const [lo, hi] = layer.edges, counts = layer.counts[k], bins = counts.length;
    const m = { l: 12, r: 12, t: 6, b: 24 }, boxH = 10, pw = w - m.l - m.r, ph = h - m.t - m.b - boxH - 10;
    const X = v => m.l + (v - lo) / (hi - lo) * pw;
    const top = Math.max(1, ...layer.counts.flat());   // one scale for every model of the layer
    const Y = c => m.t + ph - Math.sqrt(c / top) * ph;   // square-root scale: small bins stay visible
    ctx.strokeStyle = GRID; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(X(0), m.t); ctx.lineTo(X(0), m.t + ph); ctx.stroke();
    ctx.strokeStyle = AXIS; ctx.beginPath(); ctx.moveTo(m.l, m.t + ph + 0.5); ctx.lineTo(m.l + pw, m.t + ph + 0.5); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(X(lo), Y(0));
    counts.forEach((c, b) => { const a = lo + (hi - lo) * b / bins, z = lo + (hi - lo) * (b + 1) / bins; ctx.lineTo(X(a), Y(c)); ctx.lineTo(X(z), Y(c)); });
    ctx.lineTo(X(hi), Y(0)); ctx.closePath();
    ctx.globalAlpha = 0.45; ctx.fillStyle = color; ctx.fill(); ctx.globalAlpha = 1;
    ctx.strokeStyle = color; ctx.lineWidth = 1.5; ctx.stroke();
    const [wl, q1, md, q3, wh] = layer.boxes[k], y = m.t + ph + 6;
    ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 1.4;
    ctx.beginPath(); ctx.moveTo(X(wl), y + boxH / 2); ctx.lineTo(X(wh), y + boxH / 2); ctx.stroke();
    ctx.globalAlpha = 0.35; ctx.fillRect(X(q1), y, Math.max(1, X(q3) - X(q1)), boxH); ctx.globalAlpha = 1;
    ctx.fillRect(X(md) - 1, y, 2, boxH);
    ctx.fillStyle = MUTED;
    const ticks = niceTicks(lo, hi, Math.max(3, Math.min(5, Math.floor(pw / 50))));
    for (const t of ticks) label(canvas, ctx, tickText(t, ticks.step), X(t), h - 6);
    canvas._read = mx => {
      const v = lo + (mx - m.l) / pw * (hi - lo), b = Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / (hi - lo) * bins)));
      const a = lo + (hi - lo) * b / bins, z = a + (hi - lo) / bins;
      return `w in [${a.toPrecision(3)}, ${z.toPrecision(3)}): ${counts[b]} weights\nmedian ${md.toPrecision(3)}, middle half ${q1.toPrecision(3)} to ${q3.toPrecision(3)}`;
    };
  }

  // --- hover ---------------------------------------------------------------------------------------------

  function hover(canvas, tooltip) {
    const place = e => {
      if (!canvas._read) { tooltip.hidden = true; return; }
      const r = canvas.getBoundingClientRect(), text = canvas._read(e.clientX - r.left, e.clientY - r.top);
      if (!text) { tooltip.hidden = true; return; }
      tooltip.textContent = text; tooltip.hidden = false;
      const tw = tooltip.offsetWidth, th = tooltip.offsetHeight;
      const left = e.clientX + 14 + tw > window.innerWidth ? Math.max(4, e.clientX - 14 - tw) : e.clientX + 14;
      const top = e.clientY + 12 + th > window.innerHeight ? Math.max(4, e.clientY - 12 - th) : e.clientY + 12;
      tooltip.style.left = `${left}px`; tooltip.style.top = `${top}px`;
    };
    canvas.addEventListener("pointerenter", () => { canvas._showRaw = true; if (canvas._redraw) canvas._redraw(); });
    canvas.addEventListener("pointermove", place);
    canvas.addEventListener("pointerleave", () => { tooltip.hidden = true; canvas._showRaw = false; if (canvas._redraw) canvas._redraw(); });
  }

  return { MODEL_COLORS, CLASS_COLORS, FONT, setup, label, heatmap, lines, histogram, hover, decode, smooth, robustRange, niceTicks, tickText };
})();
