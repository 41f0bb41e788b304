// The network graph (TF Playground's): one column of nodes per layer, each node a small picture of its
// output over the data's plane (blue positive, orange negative, scaled to the node's largest |value|),
// the output node the model's boundary, and an edge per kernel weight coloured by its sign, wider and
// darker as it is larger; an exact zero is drawn as no edge at all, so the weights L1 prunes disappear.
// Drawn for networks small enough to read (at most MAX_NEURONS per layer) whose weights the page has.
"use strict";

const Graph = (() => {
  const N = 24;   // grid points per side of a node's picture
  const MAX_NEURONS = 16;
  const POSITIVE = [37, 99, 235], NEGATIVE = [234, 88, 12], WHITE = [255, 255, 255];
  const mix = (a, b, t) => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];

  function drawable(meta) { return meta.draw === "page" && meta.sizes.slice(1, -1).every(h => h <= MAX_NEURONS); }

  function layerName(l, layers) { return l === 0 ? "input" : l === layers - 1 ? "output" : `hidden layer ${l}`; }

  // one node's picture: values of column `values` ([points, m]) at neuron j, into an N × N image (row 0 at the bottom)
  function picture(pixels, values, m, j) {
    let top = 0;
    for (let p = 0; p < N * N; p++) top = Math.max(top, Math.abs(values[p * m + j]));
    for (let r = 0; r < N; r++) {
      for (let c = 0; c < N; c++) {
        const v = values[(r * N + c) * m + j], t = top > 0 ? Math.min(1, Math.abs(v) / top) : 0;
        const rgb = mix(WHITE, v >= 0 ? POSITIVE : NEGATIVE, 0.85 * t), at = ((N - 1 - r) * N + c) * 4;
        pixels.data[at] = rgb[0]; pixels.data[at + 1] = rgb[1]; pixels.data[at + 2] = rgb[2]; pixels.data[at + 3] = 255;
      }
    }
    return top;
  }

  // draws model `model` (a frame's entry with its weights) of run `meta`; `boundary` is the canvas of its
  // boundary panel (its picture is the output node). Returns the text summary of the graph.
  function draw(canvas, meta, model, k, boundary, cache) {
    const { ctx, w, h } = Charts.setup(canvas);
    const { net, columns } = Forward.nodes(meta, model.params, N, cache);
    const sizes = meta.sizes, cols = sizes.length, most = Math.max(...sizes);
    ctx.font = Charts.FONT;
    const names = meta.inputs.map(f => f.label), left = Math.ceil(Math.max(...names.map(t => ctx.measureText(t).width))) + 10;
    const top = 24, bottom = 8, gap = 6;
    const s = Math.max(12, Math.min(40, Math.floor((h - top - bottom) / most) - gap, Math.floor((w - left - 8) / (cols * 1.8))));
    const X = c => left + c * (w - left - 8 - s) / (cols - 1);
    const Y = (c, j) => top + (h - top - bottom - sizes[c] * (s + gap) + gap) / 2 + j * (s + gap);
    let largest = 0, zeros = 0, total = 0;
    for (const layer of net) for (const v of layer.w) { largest = Math.max(largest, Math.abs(v)); zeros += v === 0; total++; }
    // edges: exact zeros are absent; the rest coloured by sign, width and opacity by size
    net.forEach((layer, l) => {
      for (let i = 0; i < layer.fanIn; i++) {
        for (let j = 0; j < layer.fanOut; j++) {
          const v = layer.w[i * layer.fanOut + j];
          if (v === 0) continue;
          const t = largest > 0 ? Math.abs(v) / largest : 0;
          ctx.strokeStyle = `rgba(${(v > 0 ? POSITIVE : NEGATIVE).join(",")},${(0.15 + 0.85 * t).toFixed(3)})`;
          ctx.lineWidth = 0.5 + 3.5 * t;
          ctx.beginPath(); ctx.moveTo(X(l) + s, Y(l, i) + s / 2); ctx.lineTo(X(l + 1), Y(l + 1, j) + s / 2); ctx.stroke();
        }
      }
    });
    // nodes: inputs and hidden neurons as pictures of their values, the output as the model's boundary
    const off = cache.node || (cache.node = Object.assign(document.createElement("canvas"), { width: N, height: N }));
    const octx = off.getContext("2d"), pixels = octx.createImageData(N, N), tops = [];
    ctx.imageSmoothingEnabled = true;
    for (let c = 0; c < cols; c++) {
      tops.push([]);
      for (let j = 0; j < sizes[c]; j++) {
        if (c === cols - 1 && boundary && boundary._buffer) ctx.drawImage(boundary._buffer, X(c), Y(c, j), s, s);
        else {
          tops[c].push(picture(pixels, columns[c], sizes[c], j));
          octx.putImageData(pixels, 0, 0);
          ctx.drawImage(off, X(c), Y(c, j), s, s);
        }
        ctx.strokeStyle = "#9ca3af"; ctx.lineWidth = 1; ctx.strokeRect(X(c) + 0.5, Y(c, j) + 0.5, s - 1, s - 1);
        if (c === 0) { ctx.fillStyle = "#374151"; Charts.label(canvas, ctx, names[j], X(0) - 6, Y(0, j) + s / 2 + 5, { align: "right", gap: 1 }); }
      }
      ctx.fillStyle = "#6b7280";
      const title = c === 0 ? "inputs" : c === cols - 1 ? "output" : `${sizes[c]}`;
      Charts.label(canvas, ctx, title, X(c) + s / 2, 16, { gap: 4 });
    }
    canvas._read = (mx, my) => {
      for (let c = 0; c < cols; c++) {
        for (let j = 0; j < sizes[c]; j++) {
          if (mx < X(c) || mx > X(c) + s || my < Y(c, j) || my > Y(c, j) + s) continue;
          if (c === 0) return `input ${names[j]} (standardised): up to ${(+tops[0][j]).toPrecision(3)} in size over the plane`;
          if (c === cols - 1) return `output: the boundary of model ${k + 1}`;
          return `${layerName(c, cols)}, neuron ${j + 1}: output up to ${(+tops[c][j]).toPrecision(3)} in size over the plane`;
        }
      }
      return null;
    };
    const hiddenSizes = sizes.slice(1, -1).join(", ");
    return `Network of model ${k + 1}: inputs ${names.join(", ")}; hidden layers ${hiddenSizes}; one output. `
      + `${total - zeros} of ${total} kernel weights drawn as edges (blue positive, orange negative, wider when larger); `
      + `${zeros} exactly zero, not drawn. Each neuron shows its output over the plane.`;
  }

  return { MAX_NEURONS, drawable, draw };
})();
