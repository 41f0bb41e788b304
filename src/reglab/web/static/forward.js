// The models' forward pass on the page, the same as the server's (reglab/web/plane.py): for a small
// network the server streams the weights and the page computes the boundary itself (and each neuron's
// output for the network graph). Input features are computed from the raw grid point in float64 and
// standardised with the training part's mean and scale, then rounded to float32 as the server's grid is;
// the layers run in float64 on the float32 weights (the server's float32 arithmetic differs by rounding:
// at most 1 in a byte). A test compares the two on the same weights.
"use strict";

const Forward = (() => {
  const FEATURES = {
    x1: (a, b) => a, x2: (a, b) => b, x1sq: (a, b) => a * a, x2sq: (a, b) => b * b,
    x1x2: (a, b) => a * b, sinx1: (a, b) => Math.sin(a), sinx2: (a, b) => Math.sin(b),
  };

  // erf to about 1e-7 (Abramowitz & Stegun 7.1.26), for the exact GELU x·Φ(x)
  function erf(x) {
    const s = x < 0 ? -1 : 1, a = Math.abs(x), t = 1 / (1 + 0.3275911 * a);
    const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
    return s * y;
  }
  const ACTIVATIONS = {
    relu: v => (v > 0 ? v : 0), tanh: Math.tanh, sigmoid: v => 1 / (1 + Math.exp(-v)),
    gelu: v => 0.5 * v * (1 + erf(v * Math.SQRT1_2)), linear: v => v,
  };

  function floats(b64) {
    const text = atob(b64), bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }

  // the streamed weights (base64 float32: kernel [fan_in, fan_out] row-major, then bias, layer after layer)
  function layers(meta, b64) {
    const flat = floats(b64), sizes = meta.sizes, out = [];
    let at = 0;
    for (let l = 0; l + 1 < sizes.length; l++) {
      const fanIn = sizes[l], fanOut = sizes[l + 1];
      out.push({ fanIn, fanOut, w: flat.subarray(at, at + fanIn * fanOut), b: flat.subarray(at + fanIn * fanOut, at + fanIn * fanOut + fanOut) });
      at += fanIn * fanOut + fanOut;
    }
    return out;
  }

  // the grid's points as the network sees them: [n·n, features] float32 values, row-major from the bottom row
  function gridInputs(meta, n) {
    const [x0, x1] = meta.grid.x, [y0, y1] = meta.grid.y, k = meta.inputs.length, out = new Float64Array(n * n * k);
    const dx = (x1 - x0) / (n - 1), dy = (y1 - y0) / (n - 1);   // numpy.linspace: i·step + start, the last point exact
    for (let r = 0; r < n; r++) {
      const y = r === n - 1 ? y1 : r * dy + y0;
      for (let c = 0; c < n; c++) {
        const x = c === n - 1 ? x1 : c * dx + x0, at = (r * n + c) * k;
        meta.inputs.forEach((f, j) => { out[at + j] = Math.fround((FEATURES[f.id](x, y) - f.mean) / f.scale); });
      }
    }
    return out;
  }

  // outputs [points, K] before the loss's non-linearity, and with `keep` every hidden layer's activations
  function run(meta, net, inputs, points, keep = false) {
    const act = ACTIVATIONS[meta.activation], hidden = [];
    let h = inputs;
    net.forEach((layer, l) => {
      const { fanIn, fanOut, w, b } = layer, out = new Float64Array(points * fanOut), last = l === net.length - 1;
      for (let p = 0; p < points; p++) {
        const row = p * fanIn, dst = p * fanOut;
        for (let j = 0; j < fanOut; j++) {
          let z = b[j];
          for (let i = 0; i < fanIn; i++) z += h[row + i] * w[i * fanOut + j];
          out[dst + j] = last ? z : act(z);
        }
      }
      if (!last && keep) hidden.push(out);
      h = out;
    });
    return { out: h, hidden };
  }

  const byte = v => Math.max(0, Math.min(255, Math.round(v)));

  // the boundary bytes of reglab/web/plane.py's boundary_images, decoded ({p} | {label, conf} | {value})
  function boundary(meta, b64, cache = {}) {
    const n = meta.grid.n, points = n * n;
    if (!cache.inputs || cache.n !== n) { cache.inputs = gridInputs(meta, n); cache.n = n; }
    const { out } = run(meta, layers(meta, b64), cache.inputs, points);
    if (meta.task === "binary") {
      const p = new Uint8Array(points);
      for (let i = 0; i < points; i++) p[i] = byte(255 / (1 + Math.exp(-out[i])));
      return { p };
    }
    if (meta.task === "multiclass") {
      const k = meta.sizes[meta.sizes.length - 1], label = new Uint8Array(points), conf = new Uint8Array(points);
      for (let i = 0; i < points; i++) {
        let top = 0, sum = 0;
        for (let j = 1; j < k; j++) if (out[i * k + j] > out[i * k + top]) top = j;
        for (let j = 0; j < k; j++) sum += Math.exp(out[i * k + j] - out[i * k + top]);
        label[i] = top; conf[i] = byte(255 / sum);
      }
      return { label, conf };
    }
    const [lo, hi] = meta.target_range, [mean, scale] = meta.target_scaling, value = new Uint8Array(points);
    for (let i = 0; i < points; i++) value[i] = byte(((out[i] * scale + mean) - lo) / Math.max(hi - lo, 1e-12) * 255);
    return { value };
  }

  // every node's values on an n × n grid, for the network graph: inputs (scaled), hidden outputs, the output
  function nodes(meta, b64, n, cache = {}) {
    if (!cache.inputs || cache.n !== n) { cache.inputs = gridInputs(meta, n); cache.n = n; }
    const net = layers(meta, b64), { out, hidden } = run(meta, net, cache.inputs, n * n, true);
    return { net, columns: [cache.inputs, ...hidden, out] };
  }

  return { ACTIVATIONS, FEATURES, erf, floats, layers, gridInputs, run, boundary, nodes };
})();
