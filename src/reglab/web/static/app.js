// The playground page. It owns one run on the server: creating a run is serialized (a request made
// while one is being created supersedes it), the previous run is deleted first, and the last one when
// the page goes away. Edits of the models' settings go live when the models have trained, else into a
// new run (the state and the mirrored controls live in mirror.js). Frames arrive as Server-Sent Events
// and are painted once per animation frame, the latest one only.
"use strict";

// --- requests ---------------------------------------------------------------------------------------------

async function api(method, url, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    if (typeof body === "string") { init.body = body; init.headers["Content-Type"] = "text/csv"; }
    else { init.body = JSON.stringify(body); init.headers["Content-Type"] = "application/json"; }
  }
  const response = await fetch(url, init);
  const doc = await response.json().catch(() => ({}));
  if (!response.ok) {
    const err = new Error(doc.message || (typeof doc.detail === "string" ? doc.detail : `${response.status} ${response.statusText}`));
    err.status = response.status; err.detail = doc.detail;
    throw err;
  }
  return doc;
}

function buildRequest(autoplay) {
  const a = state.accepted;
  const everyModel = { regularize_output: a.regularize_output, weight_decay: a.weight_decay, dropout: a.dropout, patience: a.patience || null };
  return {
    data: { dataset: a.dataset, upload: a.dataset === "upload" ? state.upload : null, noise: a.noise, n_samples: a.n_samples,
      test_size: a.test_size, val_size: a.val_size, seed: a.seed },
    hidden: [...a.hidden], activation: a.activation, optimizer: a.optimizer, batch_size: a.batch_size, epochs: a.epochs,
    models: state.specs.map(s => ({ ...s, ...everyModel })), seed: a.seed, autoplay,
    epochs_per_frame: a.speed === "auto" ? null : Number(a.speed),
  };
}

// --- the run: one at a time, created in order, the previous one deleted -------------------------------------

function requestRun() {
  state.dirty = true;
  runs.wanted = true;
  if (!runs.loop) {
    runs.loop = (async () => { while (runs.wanted) { runs.wanted = false; await createRun(); } })().finally(() => { runs.loop = null; showState(); });
  }
  showState();
  return runs.loop;
}

async function createRun() {
  if (state.accepted.dataset === "upload" && !state.upload) { say("Choose a CSV file: the run starts once it is uploaded.", 6000); return; }
  await endRun();
  const request = buildRequest(state.playing);
  let meta;
  try { meta = await api("POST", "/api/runs", request); }
  catch (err) { state.playing = false; runRefused(err); return; }
  if (runs.wanted) { await api("DELETE", `/api/runs/${meta.id}`).catch(() => {}); return; }   // superseded while it was made
  adopt(meta, request);
  if (state.playing !== request.autoplay) await send(state.playing ? "play" : "pause");
}

function adopt(meta, request) {
  Object.assign(state, { run: meta.id, meta, applied: request, live: request.models.map(m => pickSpec(m)), history: [], series: [], marks: [],
    frame: null, finished: false, dirty: false, stats: { received: 0, painted: 0, paintedEpoch: -1, maxWaitMs: 0 } });
  clearProblem("run");
  state.retried = false;
  Views.layout(meta, onModelEditor);
  renderSpecs();
  showCommands();
  const scoreName = meta.score === "r2" ? "R²" : "Accuracy";
  $("score-title").innerHTML = `${scoreName} <small>— train (solid), ${meta.held_out} (dashed)${meta.labels.length > 1 ? "; smoothed, hover for raw" : ""}</small>`;
  $("loss-legend").textContent = meta.labels.length > 1
    ? `— total (solid), ${meta.held_out} data loss (dashed), penalty (dotted); smoothed, hover for raw`
    : `— total (solid) = data loss + penalty (shaded); ${meta.held_out} data loss (dashed)`;
  const source = new EventSource(`/api/runs/${meta.id}/stream`);
  source.onmessage = e => onFrame(JSON.parse(e.data));
  source.onerror = () => { if (state.source === source && source.readyState === EventSource.CLOSED) state.source = null; };
  state.source = source;
  showState();
}

function pickSpec(m) { return Object.fromEntries(SPEC.map(f => [f, m[f]])); }

async function endRun() {
  const source = state.source, id = state.run;
  state.source = null; state.run = null;
  if (id) await api("DELETE", `/api/runs/${id}`).catch(() => {});   // before the stream closes, which also ends it
  if (source) source.close();
}

function runRefused(err) {
  const loc = Array.isArray(err.detail) && err.detail[0] ? err.detail[0].loc.filter(p => p !== "body") : [];
  const target = controlOf(loc);
  if (err.status === 422 && target && target.el) {
    const back = state.applied ? FROM_REQUEST[target.el.id]?.(state.applied) : undefined;
    if (back !== undefined) { setControl(target.el, back); state.accepted[target.el.id] = back; }
    const field = Settings.FIELDS[target.el.id];
    const rule = field ? `${field.name} must be ${Settings.rangeText(field)}.` : `${fieldName(target.el)} was refused: ${err.message}`;
    refuse(target.el.id, `The server refused the run. ${rule}${back !== undefined ? ` Back to ${shownValue(target.el.id, back)}, the value in use.` : ""}`, [target.el]);
  } else if (err.status === 422 && target && target.model !== undefined) {
    const k = target.model, field = target.field, back = state.live && state.live[k] ? state.live[k][field] : DEFAULT_SPEC[field];
    state.specs[k][field] = back; renderSpecs();
    const f = Settings.FIELDS[field];
    refuse(`model-${field}-${k}`, `The server refused the run. ${f ? `${f.name} of model ${k + 1} must be ${Settings.rangeText(f)}.` : err.message} Back to ${num(back)}.`, editorsOf(k, field));
  } else {
    const why = err.status === 429 ? "the server is training as many runs as it allows (close another tab or wait), then press ⟲ Reset" : err.message;
    refuse("run", `No run: ${why}`);
    return showState();
  }
  // the refused value went back to the one in use: the run starts again with it (once)
  if (!state.retried) { state.retried = true; requestRun(); }
  showState();
}

// a place in the request (["models", 2, "lam"]) → the control that sets it
function controlOf(loc) {
  if (!loc.length) return null;
  if (loc[0] === "data") return $(loc[1]) ? { el: $(loc[1]) } : null;
  if (loc[0] === "models" && SPEC.includes(loc[2])) return state.specs.length > 1 ? { model: Number(loc[1]), field: loc[2] } : { el: $(loc[2]) };
  if (loc[0] === "models") return $(loc[2]) ? { el: $(loc[2]) } : null;
  if (loc[0] === "epochs_per_frame") return { el: $("speed") };
  return $(loc[0]) ? { el: $(loc[0]) } : null;
}

async function send(action) {
  if (!state.run) return;
  try { await api("POST", `/api/runs/${state.run}/control`, { action }); }
  catch (err) { refuse("run", `The run did not ${action}: ${err.message}`); }
}

async function control(action) {
  if (runs.loop) await runs.loop;
  await send(action);
}

// --- live changes of the models' settings -------------------------------------------------------------------

function liveEditable() {
  return state.run && !state.dirty && !runs.loop && !state.finished && state.frame && state.frame.epoch > 0;
}

// sets `change` on models `ks`: live from their current weights when they have trained, else in a new run
async function editModels(ks, change, key, fields) {
  for (const k of ks) Object.assign(state.specs[k], change);
  if (state.specs.length === 1) state.base = { ...state.specs[0] };
  renderSpecs(); writeURL();
  if (!liveEditable()) { requestRun(); return; }
  const run = state.run, changed = [], refused = [];
  for (const k of ks) {
    const want = state.specs[k], now = state.live[k];
    if (SPEC.every(f => want[f] === now[f])) continue;
    const model = state.frame.models[k];
    let why = model && model.status !== "training" ? model.status.replace("_", " ") : null;
    if (!why) {
      try {
        await api("POST", `/api/runs/${run}/hyperparameters`, { model: k, ...want });
        if (state.run !== run) return;
        state.live[k] = { ...want };
        changed.push(k);
        continue;
      } catch (err) {
        if (state.run !== run) return;
        why = err.status === 409 ? "it has stopped training" : err.message;
      }
    }
    state.specs[k] = { ...now };
    refused.push(`model ${k + 1} (${why}) keeps ${state.frame.models[k] ? state.frame.models[k].label : now.penalty}, learning rate ${num(now.lr)}`);
  }
  if (refused.length) refuse(key, `Not changed: ${refused.join("; ")}. Press ⟲ Reset to train again with new settings.`, fields);
  renderSpecs(); writeURL(); showCommands();
  if (changed.length) {
    const who = changed.length === 1 && state.specs.length > 1 ? `Model ${changed[0] + 1}` : changed.length > 1 ? `${changed.length} models` : "The model";
    say(`${who} changed at epoch ${state.frame ? state.frame.epoch : 0}; training goes on from the current weights.`);
  }
}

// the sidebar's penalty, λ, L1 method and learning rate: every model at once
function onSpecControl(el) {
  const field = el.id, compare = state.specs.length > 1;
  let value = el.value;
  if (field === "lam" || field === "lr") {
    if (el.value === "" && common(field) === MIXED && !el.validity.badInput) { renderSpecs(); return; }
    const r = Settings.check(field, el.value, el.validity.badInput, compare ? `${Settings.FIELDS[field].name} of all models` : null);
    if (!r.ok) {
      const now = common(field);
      renderSpecs();
      refuse(field, `${r.problem} ${now === MIXED ? "The models keep their own values." : `Back to ${num(now)}, the ${compare ? "models'" : "model's"} value.`}`, [el]);
      return;
    }
    value = r.value;
  }
  if (value === "mixed") return;
  clearProblem(field);
  editModels(state.specs.map((_, k) => k), { [field]: value }, field, [el]);
}

// one model's penalty, λ or learning rate (the Models table, or the λ box of its panel)
function onModelEditor(el) {
  const k = Number(el.dataset.model), field = el.dataset.field, key = `model-${field}-${k}`;
  if (!state.specs[k]) return;
  let value = el.value;
  if (field !== "penalty") {
    const r = Settings.check(field, el.value, el.validity.badInput, `${Settings.FIELDS[field].name} of model ${k + 1}`);
    if (!r.ok) {
      renderSpecs();
      refuse(key, `${r.problem} Back to ${num(state.specs[k][field])}, the model's value.`, editorsOf(k, field));
      return;
    }
    value = r.value;
  }
  clearProblem(key);
  editModels([k], { [field]: value }, key, editorsOf(k, field));
}

// any other control: a new run with the new value (a refused value goes back, marked)
function onSharedControl(el) {
  const id = el.id, r = parse(el);
  const problem = r.ok ? crossCheck(id, r.value) : r.problem;
  if (problem) {
    const back = state.accepted[id];
    setControl(el, back);
    refuse(id, `${problem} Back to ${shownValue(id, back)}, the value in use.`, [el]);
    return;
  }
  clearProblem(id);
  if (id === "patience" || id === "val_size") { clearProblem("patience"); clearProblem("val_size"); }
  state.accepted[id] = r.value;
  setControl(el, r.value);
  if (id === "show_test") { writeURL(); schedulePaint(); return; }
  if (id === "compare") {
    if (state.specs.length === 1) state.base = { ...state.specs[0] };
    state.specs = specsFor(r.value, state.base);
    for (const entry of [...document.querySelectorAll(".problem[id^=problem-model-]")]) clearProblem(entry.id.slice("problem-".length));
    renderSpecs();
  }
  if (id === "dataset") $("upload-row").hidden = r.value !== "upload";
  writeURL();
  requestRun();
}

// hidden sizes are checked as they are typed; the value in use stays until the text is valid
function onHiddenInput() {
  const r = Settings.parseHidden($("hidden").value);
  if (r.ok) clearProblem("hidden");
  else refuse("hidden", `${r.problem} The network keeps ${state.accepted.hidden.join(",")} until this is corrected.`, [$("hidden")]);
}

function showCommands() {
  if (!state.applied) return;
  const request = { ...state.applied, models: state.applied.models.map((m, k) => ({ ...m, ...(state.live ? state.live[k] : {}) })) };
  const lines = Settings.commands(request);
  const marks = state.marks.map(m => `model ${m.model + 1} at epoch ${m.epoch}`);
  const note = marks.length ? [`# changed mid-run (${marks.join(", ")}): these commands train with the current settings from the start`] : [];
  $("commands").textContent = [...note, ...lines].join("\n");
}

// --- frames: kept as they come, painted once per animation frame ---------------------------------------------

let paintPending = false, waitingSince = 0;

function onFrame(frame) {
  if (frame.run !== state.run) return;
  state.stats.received++;
  if (frame.reset) { state.history = []; state.series = []; }
  for (const row of frame.trace) pushRow(row);
  const marked = frame.marks.length !== state.marks.length;
  state.marks = frame.marks;
  state.frame = frame;
  state.finished = frame.state === "finished";
  if (state.finished) state.playing = false;
  if (marked) showCommands();
  schedulePaint();
}

function pushRow(row) {
  state.history.push(row);
  for (const [key, m] of Object.entries(row.models)) {
    const k = Number(key);
    const s = state.series[k] || (state.series[k] = { x: [], loss: [], data: [], penalty: [], val: [], score: [], valScore: [] });
    s.x.push(row.epoch); s.loss.push(m.loss); s.data.push(m.data_loss); s.penalty.push(m.penalty);
    s.val.push(m.val_data_loss); s.score.push(m.score); s.valScore.push(m.val_score);
  }
}

function schedulePaint() {
  if (paintPending) return;
  paintPending = true;
  waitingSince = performance.now();
  requestAnimationFrame(paint);
}

function paint() {
  paintPending = false;
  const stats = state.stats, now = performance.now();
  stats.maxWaitMs = Math.max(stats.maxWaitMs, now - waitingSince);
  if (!state.frame) return;
  stats.painted++;
  stats.paintedEpoch = state.frame.epoch;
  $("epoch").textContent = state.frame.epoch;
  showState();
  // text summaries at most twice a second while frames stream, and always for the last frame
  const captions = !state.playing || !(now - paint.captioned < 500);
  if (captions) paint.captioned = now;
  else if (!paint.trailing) paint.trailing = setTimeout(() => { paint.trailing = null; schedulePaint(); }, 520);
  Views.draw({ frame: state.frame, meta: state.meta, series: state.series, marks: state.marks, compare: state.meta.labels.length > 1,
    showTest: state.accepted.show_test }, captions);
}

function showState() {
  $("play").textContent = state.playing ? "❚❚ Pause" : "▶ Play";
  $("state").textContent = runs.loop ? "starting…" : state.finished ? "finished" : state.playing ? "training" : state.run ? "paused" : "no run";
}

// --- actions ---------------------------------------------------------------------------------------------

async function onPlay() {
  if (state.playing) {
    state.playing = false; showState();
    schedulePaint();   // the still picture gets its text summaries at once
    if (!runs.loop) await send("pause");
    return;
  }
  state.playing = true; showState();
  if (runs.loop) return;   // the run being made starts playing as soon as it exists
  if (!state.run || state.dirty || state.finished) requestRun();
  else await send("play");
}

async function onStep() {
  state.playing = false;
  if (!state.run || state.dirty || state.finished) requestRun();
  await control("step");
  showState();
}

async function exportRun() {
  if (runs.loop) await runs.loop;
  if (!state.run) { say("Nothing to export: no run yet."); return; }
  try {
    const doc = await api("GET", `/api/runs/${state.run}/export`);
    const name = `reglab-playground-epoch${doc.epoch}.json`, n = doc.configs.length;
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([JSON.stringify(doc)], { type: "application/json" })); a.download = name; a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    showCommands();
    say(`Exported ${name}: weights and history of ${n === 1 ? "the model" : `${n} models`} at epoch ${doc.epoch}. The matching command is under the table.`, 6000);
    $("commands").classList.add("flash");
    setTimeout(() => $("commands").classList.remove("flash"), 1500);
  } catch (err) { refuse("run", `Export failed: ${err.message}`); }
}

async function share() {
  writeURL();
  try { await navigator.clipboard.writeText(location.href); say("Link copied: it opens this page with these settings."); }
  catch { say(`Link to these settings: ${location.href}`, 8000); }
}

async function upload() {
  const file = $("upload").files[0], limit = 256 * 1024;
  if (!file) return;
  if (file.size > limit) { refuse("upload", `The CSV must be at most ${limit} bytes (256 KB); the file chosen has ${file.size} bytes.`, [$("upload")]); return; }
  try {
    state.upload = (await api("POST", "/api/uploads", await file.text())).id;
    clearProblem("upload");
    requestRun();
  } catch (err) { refuse("upload", `The CSV was refused: ${err.message}`, [$("upload")]); }
}

function openDrawer(open) {
  if (!window.matchMedia("(max-width: 820px)").matches) return;
  document.body.classList.toggle("drawer-open", open);
  $("drawer-toggle").setAttribute("aria-expanded", String(open));
  if (open) $("drawer-close").focus(); else $("drawer-toggle").focus();
}

function bind() {
  $("play").addEventListener("click", onPlay);
  $("step").addEventListener("click", onStep);
  $("reset").addEventListener("click", () => { state.playing = false; requestRun(); });
  $("regenerate").addEventListener("click", () => { $("seed").value = (state.accepted.seed || 0) + 1; onSharedControl($("seed")); });
  $("lam_slider").addEventListener("input", () => {
    const lam = +Math.pow(10, Number($("lam_slider").value)).toPrecision(2);
    $("lam").value = lam; $("lam_slider").setAttribute("aria-valuetext", `λ = ${lam}`);
  });
  $("lam_slider").addEventListener("change", () => onSpecControl($("lam")));
  for (const el of controls()) el.addEventListener("change", () => (SPEC.includes(el.id) ? onSpecControl(el) : onSharedControl(el)));
  $("hidden").addEventListener("input", onHiddenInput);
  $("noise").addEventListener("input", () => { $("noise-value").textContent = Number($("noise").value).toFixed(2); });
  $("upload").addEventListener("change", upload);
  $("share").addEventListener("click", share);
  $("export").addEventListener("click", exportRun);
  $("drawer-toggle").addEventListener("click", () => openDrawer(!document.body.classList.contains("drawer-open")));
  $("drawer-close").addEventListener("click", () => openDrawer(false));
  document.addEventListener("keydown", e => {
    if (e.code === "Space" && e.target === document.body) { e.preventDefault(); $("play").click(); }
    if (e.key === "Escape" && document.body.classList.contains("drawer-open")) openDrawer(false);
  });
  window.addEventListener("resize", schedulePaint);
  new ResizeObserver(() => document.documentElement.style.setProperty("--header-h", `${$("top").offsetHeight}px`)).observe($("top"));
  // the page's run ends with the page (fetch with keepalive outlives it; sendBeacon can only POST)
  window.addEventListener("pagehide", () => {
    if (state.run) fetch(`/api/runs/${state.run}`, { method: "DELETE", keepalive: true }).catch(() => {});
    if (state.source) state.source.close();
    state.run = null; state.source = null;
  });
  window.addEventListener("pageshow", e => { if (e.persisted) requestRun(); });
  [$("loss-chart"), $("score-chart")].forEach(c => Charts.hover(c, $("tooltip")));
}

async function start() {
  const read = url => fetch(url).then(r => (r.ok ? r.json() : null)).catch(() => null);
  const [schema, options] = await Promise.all([read("/openapi.json"), read("/api/options")]);
  Settings.learn(schema, options);
  for (const el of controls()) Settings.applyLimits(el, el.id);
  acceptAll(readURL());
  renderSpecs();
  writeURL();
  bind();
  requestRun();
}

start();
