// The playground page: settings (kept in the URL), runs on the server, frames streamed as SSE.
"use strict";

const $ = id => document.getElementById(id);
const LADDER = [0, 0.001, 0.01, 0.1, 1];
const STRUCTURAL = ["speed", "dataset", "noise", "n_samples", "test_size", "val_size", "seed", "hidden", "activation", "dropout", "optimizer",
  "batch_size", "epochs", "weight_decay", "patience", "regularize_output", "compare"];   // a change needs a new run
const LIVE = ["penalty", "lam", "l1_method", "lr"];   // applied to the running models from their current weights

const state = { run: null, meta: null, source: null, playing: false, finished: false, history: [], marks: [], frame: null,
  upload: null, dirty: false, creating: null, lams: null };

// settings <-> controls <-> URL --------------------------------------------------------------

function controls() { return [...document.querySelectorAll("[data-key]")]; }

function readControl(el) {
  if (el.type === "checkbox") return el.checked;
  if (el.type === "number" || el.type === "range") return el.value === "" ? null : Number(el.value);
  return el.value;
}

function writeURL() {
  const params = new URLSearchParams();
  for (const el of controls()) params.set(el.dataset.key, el.type === "checkbox" ? (el.checked ? "1" : "0") : el.value);
  if (state.lams) params.set("lams", state.lams.join(","));
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

function readURL() {
  const params = new URLSearchParams(location.search);
  for (const el of controls()) {
    if (!params.has(el.dataset.key)) continue;
    const v = params.get(el.dataset.key);
    if (el.type === "checkbox") el.checked = v === "1"; else el.value = v;
  }
  if (params.has("lams")) state.lams = params.get("lams").split(",").map(Number);
  if ($("dataset").value === "upload") $("dataset").value = "moons";   // an upload lives on one server only
  syncLamSlider();
  $("upload-row").hidden = $("dataset").value !== "upload";
}

function syncLamSlider() { const lam = Number($("lam").value); $("lam_slider").value = lam > 0 ? Math.log10(lam) : -5; updateOutputs(); }
function updateOutputs() { document.querySelector("output[for=noise]").textContent = Number($("noise").value).toFixed(2); }

function modelSpecs() {
  const base = { penalty: $("penalty").value, lam: Number($("lam").value), l1_method: $("l1_method").value,
    regularize_output: $("regularize_output").checked, weight_decay: Number($("weight_decay").value) || 0,
    dropout: Number($("dropout").value) || 0, lr: Number($("lr").value), patience: Number($("patience").value) || null };
  const mode = $("compare").value;
  if (mode === "ladder") {
    const lams = state.lams || LADDER;
    return lams.map(lam => ({ ...base, penalty: base.penalty === "none" ? "l2" : base.penalty, lam }));
  }
  if (mode === "penalties") return ["none", "l1", "l2", "l1l2"].map(penalty => ({ ...base, penalty }));
  return [base];
}

function runRequest(autoplay) {
  const seed = Number($("seed").value) || 0;
  return {
    data: { dataset: $("dataset").value, upload: $("dataset").value === "upload" ? state.upload : null, noise: Number($("noise").value),
      n_samples: Number($("n_samples").value), test_size: Number($("test_size").value), val_size: Number($("val_size").value), seed },
    hidden: $("hidden").value.split(",").map(s => s.trim()).filter(Boolean).map(Number),
    activation: $("activation").value, optimizer: $("optimizer").value, batch_size: Number($("batch_size").value),
    epochs: Number($("epochs").value), models: modelSpecs(), seed, autoplay,
    epochs_per_frame: $("speed").value === "auto" ? null : Number($("speed").value),
  };
}

// server ------------------------------------------------------------------------------------

async function api(method, url, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    if (typeof body === "string") { init.body = body; init.headers["Content-Type"] = "text/csv"; }
    else { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  }
  const response = await fetch(url, init);
  const doc = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(doc.message || (typeof doc.detail === "string" ? doc.detail : `${response.status} ${response.statusText}`));
  return doc;
}

function say(text, info) {
  const box = $("message");
  box.textContent = text; box.className = info ? "info" : ""; box.hidden = false;
  clearTimeout(say.timer); say.timer = setTimeout(() => { box.hidden = true; }, info ? 2500 : 6000);
}

async function endRun() {
  const source = state.source, id = state.run;
  state.source = null; state.run = null;
  if (id) await api("DELETE", `/api/runs/${id}`).catch(() => {});
  if (source) source.close();
}

async function newRun(autoplay) {
  await endRun();
  const meta = await api("POST", "/api/runs", runRequest(autoplay));
  state.run = meta.id; state.meta = meta; state.history = []; state.marks = []; state.frame = null;
  state.finished = false; state.dirty = false; state.playing = autoplay;
  layoutBoundaries(meta);
  $("commands").textContent = meta.commands.join("\n");
  const scoreName = meta.score === "r2" ? "R²" : "Accuracy";
  $("score-title").innerHTML = `${scoreName} <small>— train (solid), ${meta.held_out} (dashed)</small>`;
  const source = new EventSource(`/api/runs/${meta.id}/stream`);
  source.onmessage = e => onFrame(JSON.parse(e.data));
  source.onerror = () => { if (state.source === source && source.readyState === EventSource.CLOSED) state.source = null; };
  state.source = source;
  showState();
}

function ensureRun(autoplay) {
  if (!state.run || state.dirty) {
    state.creating = newRun(autoplay).catch(err => { state.playing = false; showState(); say(err.message); }).finally(() => { state.creating = null; });
    return state.creating;
  }
  return null;
}

async function control(action) {
  if (state.creating) await state.creating;
  if (!state.run) return;
  try { await api("POST", `/api/runs/${state.run}/control`, { action }); }
  catch (err) { say(err.message); }
}

// frames --------------------------------------------------------------------------------------

function onFrame(frame) {
  if (frame.run !== state.run) return;
  if (frame.reset) { state.history = []; }
  for (const row of frame.trace) state.history.push(row);
  state.marks = frame.marks;
  state.frame = frame;
  state.finished = frame.state === "finished";
  if (state.finished) state.playing = false;
  $("epoch").textContent = frame.epoch;
  showState();
  drawFrame();
}

function layoutBoundaries(meta) {
  const box = $("boundaries");
  box.innerHTML = "";
  box.classList.toggle("single", meta.labels.length === 1);
  meta.labels.forEach((label, k) => {
    const cell = document.createElement("div");
    cell.className = "boundary";
    const lamInput = meta.labels.length > 1 ? `<input type="number" step="any" min="0" class="model-lam" data-model="${k}" title="λ of this model (changes it mid-run)">` : "";
    cell.innerHTML = `<div class="title"><b><span class="swatch" style="background:${Charts.MODEL_COLORS[k]}"></span><span class="label">${label}</span></b>${lamInput}</div>
      <canvas class="boundary-canvas" data-model="${k}"></canvas>
      <div class="title"><span class="verdict">—</span><span class="zeros"></span></div>`;
    box.appendChild(cell);
    Charts.hover(cell.querySelector("canvas"), $("tooltip"));
    const input = cell.querySelector(".model-lam");
    if (input) {
      input.value = runRequest(false).models[k].lam;
      input.addEventListener("change", () => {
        if ($("compare").value === "ladder") { state.lams = runRequest(false).models.map(m => m.lam); state.lams[k] = Number(input.value); writeURL(); }
        changeModel(k, { lam: Number(input.value) });
      });
    }
  });
  const layers = runRequest(false).hidden.length + 1, hist = $("histograms");
  hist.innerHTML = "";
  for (let l = 0; l < layers; l++) {
    const c = document.createElement("canvas");
    c.className = "hist"; hist.appendChild(c); Charts.hover(c, $("tooltip"));
  }
}

function drawFrame() {
  const frame = state.frame, meta = state.meta;
  if (!frame || !meta) return;
  const showTest = $("show_test").checked;
  document.querySelectorAll(".boundary").forEach((cell, k) => {
    const model = frame.models[k];
    if (!model) return;
    Charts.heatmap(cell.querySelector("canvas"), model.boundary, meta, showTest);
    cell.querySelector(".label").textContent = model.label + (model.status !== "training" ? ` (${model.status.replace("_", " ")})` : "");
    const v = cell.querySelector(".verdict");
    v.textContent = model.verdict; v.className = `verdict ${model.verdict.split(" ")[0]}`; v.title = model.reason;
    const zeros = cell.querySelector(".zeros");
    zeros.textContent = `zeros ${model.exact_zero} · ≈0 ${model.near_zero}`;
    zeros.title = `${model.exact_zero} kernel weights exactly 0 and ${model.near_zero} with |w| < 1e-3, of ${model.weights}`;
  });
  drawCurves();
  const colors = frame.models.map((_, k) => Charts.MODEL_COLORS[k]);
  document.querySelectorAll("#histograms canvas").forEach((c, l) => {
    if (frame.layers[l]) Charts.histogram(c, frame.layers[l], colors, l === frame.layers.length - 1 ? `output layer (${l + 1})` : `hidden layer ${l + 1}`);
  });
  drawSummary();
}

function drawCurves() {
  const meta = state.meta, n = meta.labels.length, loss = [], score = [];
  for (let k = 0; k < n; k++) {
    const color = Charts.MODEL_COLORS[k], name = n > 1 ? `${k + 1} ` : "";
    const pick = key => state.history.filter(r => r.models[k]).map(r => [r.epoch, r.models[k][key]]);
    loss.push({ color, points: pick("penalty"), fill: true });
    loss.push({ color, points: pick("loss"), label: `${name}total` });
    loss.push({ color, points: pick("val_data_loss"), dash: true, label: `${name}${meta.held_out} data loss` });
    loss.push({ color, points: pick("penalty"), label: `${name}penalty`, dash: false, hidden: true });
    score.push({ color, points: pick("score"), label: `${name}train` });
    score.push({ color, points: pick("val_score"), dash: true, label: `${name}${meta.held_out}` });
  }
  const marks = state.marks.map(m => ({ x: m.epoch, text: `model ${m.model + 1}: ${m.text}`, color: Charts.MODEL_COLORS[m.model] }));
  // the first epochs' losses can be far above the rest: scale to what follows them
  const late = state.history.slice(Math.max(3, Math.floor(state.history.length / 10)));
  const lateMax = Math.max(...late.flatMap(r => Object.values(r.models).flatMap(m => [m.loss, m.val_data_loss]).filter(v => v !== null && isFinite(v))));
  Charts.lines($("loss-chart"), loss.filter(s => !s.hidden), { yMin: 0, yMax: isFinite(lateMax) ? lateMax * 1.5 : undefined, marks });
  const reg = meta.score === "r2";
  Charts.lines($("score-chart"), score, { yMin: reg ? undefined : 0.4, yMax: 1, marks });
}

function drawSummary() {
  const rows = state.frame.models.map((m, k) => {
    const last = [...state.history].reverse().find(r => r.models[k]);
    const h = last ? last.models[k] : {};
    const f = v => (v === null || v === undefined ? "—" : (+v).toFixed(3));
    return `<tr><td><span class="swatch" style="background:${Charts.MODEL_COLORS[k]}"></span>${m.label}</td><td>${f(h.data_loss)}</td><td>${f(h.penalty)}</td>
      <td>${f(m.train_score)}</td><td>${f(m.held_out_score)}</td><td>${m.exact_zero}</td><td>${m.near_zero}</td><td class="reason">${m.reason}</td></tr>`;
  });
  document.querySelector("#summary tbody").innerHTML = rows.join("");
}

function showState() {
  $("play").textContent = state.playing ? "❚❚ Pause" : "▶ Play";
  $("state").textContent = state.finished ? "finished" : state.playing ? "training" : state.run ? "paused" : "—";
}

// actions -------------------------------------------------------------------------------------

async function changeModel(k, change) {
  if (!state.run || state.dirty || state.finished) { state.dirty = true; return; }
  try {
    await api("POST", `/api/runs/${state.run}/hyperparameters`, { model: k, ...change });
    say(`model ${k + 1} changed at epoch ${state.frame ? state.frame.epoch : 0}; training goes on from its weights`, true);
  } catch (err) { say(err.message); }
}

async function liveChange(key) {
  if (!state.run || state.dirty || state.finished || !state.frame || state.frame.epoch === 0) { state.dirty = true; return; }
  const spec = modelSpecs();
  for (let k = 0; k < spec.length; k++) {
    const change = key === "lr" ? { lr: spec[k].lr } : key === "l1_method" ? { l1_method: spec[k].l1_method } : { penalty: spec[k].penalty, lam: spec[k].lam };
    if ($("compare").value !== "single" && key === "lam") continue;   // compare mode: λ per model, in each panel
    await changeModel(k, change);
  }
}

function bind() {
  $("play").addEventListener("click", async () => {
    if (state.playing) { state.playing = false; showState(); return control("pause"); }
    state.playing = true; showState();
    if (state.finished) state.dirty = true;
    if (!ensureRun(true)) await control("play");
  });
  $("step").addEventListener("click", async () => { state.playing = false; if (state.finished) state.dirty = true; await ensureRun(false); await control("step"); showState(); });
  $("reset").addEventListener("click", () => { state.playing = false; state.dirty = true; ensureRun(false); });
  $("regenerate").addEventListener("click", () => { $("seed").value = Number($("seed").value) + 1; settingsChanged("seed"); });
  $("lam_slider").addEventListener("input", () => { $("lam").value = +Math.pow(10, Number($("lam_slider").value)).toPrecision(2); });
  $("lam_slider").addEventListener("change", () => settingsChanged("lam"));
  $("show_test").addEventListener("change", () => { writeURL(); drawFrame(); });
  $("dataset").addEventListener("change", () => { $("upload-row").hidden = $("dataset").value !== "upload"; });
  $("compare").addEventListener("change", () => { state.lams = null; });
  $("upload").addEventListener("change", async () => {
    const file = $("upload").files[0];
    if (!file) return;
    if (file.size > 256 * 1024) { say(`The uploaded CSV must be at most 262144 bytes. Got ${file.size} bytes instead.`); return; }
    try { state.upload = (await api("POST", "/api/uploads", await file.text())).id; settingsChanged("dataset"); }
    catch (err) { say(err.message); }
  });
  for (const el of controls()) {
    if (el.id === "show_test") continue;
    el.addEventListener("change", () => settingsChanged(el.id));
  }
  $("noise").addEventListener("input", updateOutputs);
  $("share").addEventListener("click", async () => {
    writeURL();
    try { await navigator.clipboard.writeText(location.href); say("link copied: it opens this page with these settings", true); }
    catch { say(location.href, true); }
  });
  $("export").addEventListener("click", exportRun);
  document.addEventListener("keydown", e => { if (e.code === "Space" && e.target === document.body) { e.preventDefault(); $("play").click(); } });
  window.addEventListener("resize", drawFrame);
  window.addEventListener("pagehide", () => { if (state.source) state.source.close(); });
}

function settingsChanged(id) {
  if (id === "lam") syncLamSlider();
  writeURL();
  if (LIVE.includes(id) && state.run && !state.dirty) { liveChange(id); return; }
  if (STRUCTURAL.includes(id) || LIVE.includes(id)) {
    state.dirty = true;
    if (!state.playing) ensureRun(false);    // show the new data and initial boundary at once
    else { state.playing = false; ensureRun(true).then(() => { state.playing = true; showState(); }); }
  }
}

async function exportRun() {
  if (!state.run) return;
  try {
    const doc = await api("GET", `/api/runs/${state.run}/export`);
    $("commands").textContent = doc.commands.join("\n");
    const blob = new Blob([JSON.stringify(doc)], { type: "application/json" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob); a.download = `reglab-playground-epoch${doc.epoch}.json`; a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  } catch (err) { say(err.message); }
}

readURL();
bind();
[$("loss-chart"), $("score-chart")].forEach(c => Charts.hover(c, $("tooltip")));
ensureRun(false);
