// What the page shows of a run: one panel per model (boundary, verdict, zeros), the network graph, the
// loss and score charts, per-layer weight histograms as small multiples, the summary table, and a text
// summary of every chart for screen readers (each canvas is an image described by a visually hidden
// caption). A small network's boundaries are computed here from the streamed weights (forward.js).
"use strict";

const Views = (() => {
  const COLORS = Charts.MODEL_COLORS;
  const $ = id => document.getElementById(id);
  const f3 = v => (v === null || v === undefined || !Number.isFinite(+v) ? "—" : (+v).toFixed(3));
  const esc = s => String(s).replace(/[&<>"]/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  let tooltip = null;

  function element(tag, attrs = {}, text = null) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    if (text !== null) el.textContent = text;
    return el;
  }

  function swatch(k) { return element("span", { class: "swatch", style: `background:${COLORS[k]}`, "aria-hidden": "true" }); }

  // one panel per model; in compare mode each has its own λ box (data-model, data-field)
  function layout(meta, onEdit) {
    tooltip = $("tooltip");
    const box = $("boundaries"), n = meta.labels.length;
    box.innerHTML = "";
    box.classList.toggle("single", n === 1);
    meta.labels.forEach((label, k) => {
      const cell = element("figure", { class: "boundary", "data-model": k });
      const title = element("figcaption", { class: "title" });
      const name = element("span", { class: "name" });
      name.append(swatch(k), element("span", { class: "label" }, label));
      title.append(name);
      if (n > 1) {
        const lam = element("label", { class: "panel-lam" });
        const input = element("input", { type: "number", step: "any", min: Settings.FIELDS.lam.min, max: Settings.FIELDS.lam.max,
          class: "model-lam", "data-model": k, "data-field": "lam", "aria-label": `λ of model ${k + 1}`, title: "λ of this model (changes it mid-run)" });
        input.addEventListener("change", () => onEdit(input));
        lam.append(input);
        title.append(lam);
      }
      const canvas = element("canvas", { class: "boundary-canvas", role: "img", "aria-label": `Decision boundary of model ${k + 1}`, "aria-describedby": `boundary-caption-${k}` });
      const foot = element("div", { class: "foot" });
      foot.append(element("span", { class: "verdict pending" }, "not trained yet"), element("span", { class: "zeros" }));
      cell.append(title, canvas, foot, element("p", { class: "sr-only", id: `boundary-caption-${k}` }, "Not trained yet."));
      box.append(cell);
      Charts.hover(canvas, tooltip);
    });
    $("histograms").innerHTML = "";
    $("histograms").classList.toggle("compare", n > 1);
    $("histograms").dataset.shape = "";
    layoutGraph(meta);
  }

  // the network graph's panel: the canvas sized to the widest layer, a choice of model in compare mode
  function layoutGraph(meta) {
    const drawn = Graph.drawable(meta), n = meta.labels.length, select = $("graph-model");
    const beside = drawn && n === 1 && window.matchMedia("(min-width: 1200px)").matches;   // next to the one boundary
    document.querySelector(".views").classList.toggle("beside", beside);
    $("graph").hidden = !drawn;
    $("graph").style.height = `${beside ? 470 : Math.max(170, Math.min(460, 40 + Math.max(...meta.sizes) * 30))}px`;
    $("graph-note").textContent = drawn ? "— each neuron's output over the plane; edges blue positive, orange negative, none where a weight is 0"
      : `— drawn for networks of up to ${Graph.MAX_NEURONS} neurons per layer whose boundaries the page computes; this one is drawn by the server`;
    $("graph-model-row").hidden = !drawn || n < 2;
    select.innerHTML = meta.labels.map((label, k) => `<option value="${k}">model ${k + 1}</option>`).join("");
    if (state.graphModel >= n) state.graphModel = 0;
    select.value = String(state.graphModel);
    $("graph-caption").textContent = drawn ? "No network drawn yet." : "No network graph for this network.";
    $("graph")._cache = {};
    if (!$("graph")._hovered) { Charts.hover($("graph"), tooltip); $("graph")._hovered = true; }
  }

  // a model's boundary picture: the server's bytes, or computed here from its weights (once per frame)
  function imageOf(meta, model) {
    if (model.boundary) return model.boundary;
    if (!model._image) model._image = { _bytes: Forward.boundary(meta, model.params, meta._grid || (meta._grid = {})) };
    return model._image;
  }

  // the same, decoded: {p} | {label, conf} | {value} as byte arrays
  function bytesOf(meta, model) {
    const image = imageOf(meta, model);
    return image._bytes || Object.fromEntries(Object.entries(image).filter(([k]) => !k.startsWith("_")).map(([k, v]) => [k, Charts.decode(v)]));
  }

  function layerName(l, layers) { return l === layers - 1 ? `output layer (${l + 1})` : `hidden layer ${l + 1}`; }

  // per layer a row of small multiples, one histogram per model on the layer's shared bins and scale
  function layoutHistograms(frame) {
    const host = $("histograms"), layers = frame.layers.length, n = frame.models.length, shape = `${layers}x${n}`;
    if (host.dataset.shape === shape) return;
    host.dataset.shape = shape;
    host.innerHTML = "";
    for (let l = 0; l < layers; l++) {
      const group = element("div", { class: "hist-layer", role: "group", "aria-label": layerName(l, layers) });
      const weights = frame.layers[l].counts[0].reduce((a, b) => a + b, 0);
      const head = element("h4", {}, layerName(l, layers) + " ");
      head.append(element("small", {}, `· ${weights} weights`));
      const row = element("div", { class: "multiples" });
      for (let k = 0; k < n; k++) {
        const fig = element("figure", { class: "multiple" });
        if (n > 1) {
          const cap = element("figcaption");
          cap.append(swatch(k), element("span", { class: "label" }, `model ${k + 1}`));
          fig.append(cap);
        }
        const canvas = element("canvas", { class: "hist", "data-layer": l, "data-model": k, role: "img",
          "aria-label": `Weights of the ${layerName(l, layers)}${n > 1 ? `, model ${k + 1}` : ""}`, "aria-describedby": `hist-caption-${l}-${k}` });
        fig.append(canvas, element("p", { class: "sr-only", id: `hist-caption-${l}-${k}` }));
        row.append(fig);
        Charts.hover(canvas, tooltip);
      }
      group.append(head, row);
      host.append(group);
    }
  }

  function verdictOf(frame, model) {
    if (frame.epoch === 0) return { text: "not trained yet", kind: "pending", reason: "Press ▶ Play or Step +1 to train." };
    return { text: model.verdict, kind: model.verdict.split(" ")[0], reason: model.reason };
  }

  // the curves of every model; in compare mode smoothed (raw ones on hover), penalty dotted
  function curves(view) {
    const { meta, series, marks, compare } = view, loss = [], score = [];
    const longest = Math.max(0, ...series.map(s => (s ? s.x.length : 0)));
    const half = Math.max(1, Math.min(25, Math.round(longest / 60)));
    series.forEach((s, k) => {
      if (!s) return;
      const color = COLORS[k], name = compare ? `${k + 1} ` : "";
      const breaks = marks.filter(m => m.model === k).map(m => m.epoch);
      const line = (ys, extra) => (compare ? { xs: s.x, ys: Charts.smooth(s.x, ys, half, breaks), raw: { ys }, color, ...extra } : { xs: s.x, ys, color, ...extra });
      if (compare) loss.push({ xs: s.x, ys: s.penalty, color, style: "dot", label: `${name}penalty` });
      else loss.push({ xs: s.x, ys: s.penalty, color, fill: true, label: "penalty" });
      loss.push(line(s.loss, { label: `${name}total` }));
      loss.push(line(s.val, { style: "dash", label: `${name}${meta.held_out} data loss` }));
      score.push(line(s.score, { label: `${name}train` }));
      score.push(line(s.valScore, { style: "dash", label: `${name}${meta.held_out}` }));
    });
    const chartMarks = marks.map(m => ({ x: m.epoch, text: `model ${m.model + 1}: ${m.text}`, color: COLORS[m.model] }));
    const lossInfo = Charts.lines($("loss-chart"), loss, { yMin: 0, marks: chartMarks });
    const reg = meta.score === "r2";
    const scoreInfo = Charts.lines($("score-chart"), score, reg ? { ceil: 1, marks: chartMarks } : { floor: 0, yMax: 1, marks: chartMarks });
    clipNote($("loss-clip"), lossInfo);
    clipNote($("score-clip"), scoreInfo);
  }

  function clipNote(el, info) {
    const parts = [];
    if (info.above) parts.push(`▲ ${info.above} value${info.above > 1 ? "s" : ""} above the axis (up to ${(+info.aboveMax).toPrecision(3)})`);
    if (info.below) parts.push(`▼ ${info.below} below it (down to ${(+info.belowMin).toPrecision(3)})`);
    el.textContent = parts.join("; ");
  }

  function draw(view, captions) {
    const { frame, meta, showTest, discrete } = view;
    if (!frame || !meta) return;
    document.querySelectorAll(".boundary").forEach((cell, k) => {
      const model = frame.models[k];
      if (!model) return;
      Charts.heatmap(cell.querySelector("canvas"), imageOf(meta, model), meta, showTest, discrete);
      cell.querySelector(".label").textContent = model.label + (model.status !== "training" ? ` (${model.status.replace("_", " ")})` : "");
      const v = verdictOf(frame, model), badge = cell.querySelector(".verdict");
      badge.textContent = v.text; badge.className = `verdict ${v.kind}`; badge.title = v.reason;
      const zeros = cell.querySelector(".zeros");
      zeros.textContent = `zeros ${model.exact_zero} · ≈0 ${model.near_zero}`;
      zeros.title = `${model.exact_zero} kernel weights exactly 0 and ${model.near_zero} with |w| < 1e-3, of ${model.weights}`;
    });
    if (Graph.drawable(meta) && frame.models[view.graphModel]) {
      const k = view.graphModel, boundary = document.querySelectorAll(".boundary canvas")[k];
      const text = Graph.draw($("graph"), meta, frame.models[k], k, boundary, $("graph")._cache || ($("graph")._cache = {}));
      if (captions) $("graph-caption").textContent = `At epoch ${frame.epoch}. ${text}`;
    }
    curves(view);
    layoutHistograms(frame);
    const layers = frame.layers.length;
    document.querySelectorAll("#histograms canvas").forEach(c => {
      const l = Number(c.dataset.layer), k = Number(c.dataset.model);
      if (frame.layers[l]) Charts.histogram(c, frame.layers[l], k, COLORS[k]);
    });
    summary(view);
    if (captions) describe(view, layers);
  }

  function lastRow(series, k) {
    const s = series[k];
    if (!s || !s.x.length) return null;
    const i = s.x.length - 1;
    return { epoch: s.x[i], loss: s.loss[i], data: s.data[i], penalty: s.penalty[i], val: s.val[i], score: s.score[i], valScore: s.valScore[i] };
  }

  function summary(view) {
    const { frame, series } = view;
    const rows = frame.models.map((m, k) => {
      const h = lastRow(series, k) || {}, v = verdictOf(frame, m);
      return `<tr><td data-label="model"><span class="swatch" style="background:${COLORS[k]}" aria-hidden="true"></span>${esc(m.label)}</td>
        <td data-label="data loss">${f3(h.data)}</td><td data-label="penalty">${f3(h.penalty)}</td>
        <td data-label="train">${f3(m.train_score)}</td><td data-label="held out">${f3(m.held_out_score)}</td>
        <td data-label="exact 0">${m.exact_zero}</td><td data-label="|w| < 1e-3">${m.near_zero}</td>
        <td data-label="verdict" class="reason">${esc(frame.epoch === 0 ? `${v.text}: ${v.reason}` : v.reason)}</td></tr>`;
    });
    document.querySelector("#summary tbody").innerHTML = rows.join("");
  }

  // the text alternative of every chart, with the latest numbers
  function describe(view, layers) {
    const { frame, meta, series } = view, scoreName = meta.score === "r2" ? "R²" : "accuracy", n = frame.models.length;
    const who = (k, m) => (n > 1 ? `Model ${k + 1}, ${m.label}` : `The model, ${m.label}`);
    const trained = frame.epoch > 0 && series.some(s => s && s.x.length);
    if (!trained) {
      $("loss-caption").textContent = "No epoch trained yet.";
      $("score-caption").textContent = "No epoch trained yet.";
    } else {
      $("loss-caption").textContent = `Loss at epoch ${frame.epoch}. ` + frame.models.map((m, k) => {
        const h = lastRow(series, k);
        return h ? `${who(k, m)}: total ${f3(h.loss)} = data loss ${f3(h.data)} + penalty ${f3(h.penalty)}; ${meta.held_out} data loss ${f3(h.val)}.` : "";
      }).join(" ");
      $("score-caption").textContent = `${scoreName[0].toUpperCase() + scoreName.slice(1)} at epoch ${frame.epoch}. ` + frame.models.map((m, k) => {
        const h = lastRow(series, k);
        return h ? `${who(k, m)}: train ${f3(h.score)}, ${meta.held_out} ${f3(h.valScore)}.` : "";
      }).join(" ");
    }
    frame.models.forEach((m, k) => {
      const caption = $(`boundary-caption-${k}`), v = verdictOf(frame, m);
      if (caption) {
        caption.textContent = `${who(k, m)}, epoch ${frame.epoch}: train ${scoreName} ${f3(m.train_score)}, ${meta.held_out} ${f3(m.held_out_score)}; `
          + `${v.text}: ${v.reason} ${m.exact_zero} of ${m.weights} kernel weights are exactly 0 and ${m.near_zero} below 1e-3 in size.`;
      }
      for (let l = 0; l < layers; l++) {
        const c = $(`hist-caption-${l}-${k}`), layer = frame.layers[l];
        if (!c || !layer) continue;
        const [wl, q1, md, q3, wh] = layer.boxes[k], p = x => (+x).toPrecision(3);
        c.textContent = `${layerName(l, layers)}${n > 1 ? ` of model ${k + 1}` : ""} at epoch ${frame.epoch}: median weight ${p(md)}, `
          + `the middle half from ${p(q1)} to ${p(q3)}, whiskers from ${p(wl)} to ${p(wh)}; bins span ${p(layer.edges[0])} to ${p(layer.edges[1])}.`;
      }
    });
  }

  return { layout, draw, verdictOf, imageOf, bytesOf };
})();
