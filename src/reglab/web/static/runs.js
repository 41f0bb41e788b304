// The page's one run on the server. The page makes an owner token when it loads and sends it with every
// request (a header; `?owner=` on its event stream, which cannot carry headers): the server replaces the
// page's previous run with a new one in one step, and answers no other page about it. Creating a run is
// serialized (a request made while one is being created supersedes it). The page says it is there with a
// heartbeat while it is visible; a hidden page sends none, and the server ends its run after the idle
// timeout (the page starts a new one, saying so, when it is shown again). Frames arrive as Server-Sent
// Events; a status event tells when the run waits for a free core, or that it ended.
"use strict";

const OWNER = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, "0")).join("");
const beat = { timer: null, ms: 10_000 };

async function api(method, url, body) {
  const init = { method, headers: { "X-Reglab-Owner": OWNER } };
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
    hidden: [...a.hidden], inputs: [...a.inputs], activation: a.activation, optimizer: a.optimizer, batch_size: a.batch_size,
    epochs: a.epochs || null, models: state.specs.map(s => ({ ...s, ...everyModel })), seed: a.seed, autoplay,
    epochs_per_frame: a.speed === "auto" ? null : Number(a.speed),
  };
}

// --- the run: one at a time, created in order, replacing the page's last one on the server ------------------

function requestRun(why = null) {
  state.dirty = true;
  runs.wanted = true;
  if (why) runs.why = why;
  if (!runs.loop) {
    runs.loop = (async () => { while (runs.wanted) { runs.wanted = false; await createRun(); } })().finally(() => { runs.loop = null; showState(); });
  }
  showState();
  return runs.loop;
}

async function createRun() {
  if (state.accepted.dataset === "upload" && !state.upload) { say("Choose a CSV file: the run starts once it is uploaded.", 6000); return; }
  const trained = state.frame && state.frame.epoch > 0 ? state.frame.epoch : 0;
  closeStream();   // the new run replaces this one on the server
  const request = buildRequest(state.playing);
  let meta;
  try { meta = await api("POST", "/api/runs", request); }
  catch (err) { state.playing = false; if (err.status !== 409) runRefused(err); return; }
  if (runs.wanted) return;   // superseded while it was made: the next one replaces it
  adopt(meta, request);
  if (trained && runs.why) say(`New run: ${runs.why}; training starts again from new weights (the last run had trained ${trained} epochs).`, 6000);
  runs.why = null;
  if (state.playing !== request.autoplay) await send(state.playing ? "play" : "pause");
}

function adopt(meta, request) {
  Object.assign(state, { run: meta.id, meta, applied: request, live: request.models.map(m => pickSpec(m)), series: [], marks: [],
    frame: null, finished: false, waiting: false, dirty: false, stats: { received: 0, painted: 0, paintedEpoch: -1, maxWaitMs: 0 } });
  clearProblem("run");
  state.retried = false;
  Views.layout(meta, onModelEditor);
  renderSpecs(true);
  showCommands();
  const scoreName = meta.score === "r2" ? "R²" : "Accuracy";
  $("score-title").innerHTML = `${scoreName} <small>— train (solid), ${meta.held_out} (dashed)${meta.labels.length > 1 ? "; smoothed, hover for raw" : ""}</small>`;
  $("loss-legend").textContent = meta.labels.length > 1
    ? `— total (solid), ${meta.held_out} data loss (dashed), penalty (dotted); smoothed, hover for raw`
    : `— total (solid) = data loss + penalty (shaded); ${meta.held_out} data loss (dashed)`;
  const source = new EventSource(`/api/runs/${meta.id}/stream?owner=${OWNER}`);
  source.onmessage = e => onFrame(JSON.parse(e.data));
  source.addEventListener("status", e => onStatus(source, JSON.parse(e.data)));
  source.onerror = () => { if (state.source === source && source.readyState === EventSource.CLOSED) state.source = null; };
  state.source = source;
  showState();
}

function pickSpec(m) { return Object.fromEntries(SPEC.map(f => [f, m[f]])); }

function closeStream() {
  if (state.source) state.source.close();
  state.source = null; state.run = null;
}

// a status event: the run waits for a free core (or has it again), or it has ended on the server
function onStatus(source, status) {
  if (status.run !== state.run) return;
  state.waiting = status.waiting;
  if (status.state === "cancelled") {
    source.close();
    closeStream();
    state.playing = false;
    say("The run ended on the server (this page was hidden or idle too long): press ▶ Play to train again.", 8000);
  }
  showState();
}

async function endRun() {
  const id = state.run;
  closeStream();
  if (id) await api("DELETE", `/api/runs/${id}`).catch(() => {});
}

// --- the page says it is there while it is visible ---------------------------------------------------------

async function heartbeat() {
  if (document.visibilityState !== "visible" || !state.run || runs.loop) return;
  const run = state.run;
  try { await api("POST", `/api/runs/${run}/heartbeat`); }
  catch (err) {
    if (err.status === 404 && state.run === run) {
      closeStream();
      state.playing = false;
      requestRun();
      say("The run had ended while this page was hidden: a new one starts from new weights.", 8000);
    }
  }
}

function startHeartbeat(idleSeconds) {
  beat.ms = Math.max(1000, Math.min(10_000, (idleSeconds || 30) * 1000 / 3));
  clearInterval(beat.timer);
  beat.timer = setInterval(heartbeat, beat.ms);
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") heartbeat(); });
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
    const why = err.status === 429 ? `${err.message.replace(/\.$/, "")}; then press ⟲ Reset` : err.message;
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

// true when the server did it
async function send(action) {
  if (!state.run) return false;
  try { await api("POST", `/api/runs/${state.run}/control`, { action }); clearProblem("run"); return true; }
  catch (err) { refuse("run", `The run did not ${action}: ${err.message}`); return false; }
}

async function control(action) {
  if (runs.loop) await runs.loop;
  await send(action);
}
