// The playground page: frames painted as they come, the transport buttons, and the events of the page.
// The run and its requests live in runs.js, the edits of the settings in edits.js, the page's state and
// the mirrored controls in mirror.js. Frames arrive as Server-Sent Events and are painted once per
// animation frame, the latest one only.
"use strict";

// --- frames: kept as they come, painted once per animation frame ---------------------------------------------

let paintPending = false, waitingSince = 0;

function onFrame(frame) {
  if (frame.run !== state.run) return;
  state.stats.received++;
  if (frame.reset) state.series = [];
  for (const row of frame.trace) pushRow(row);
  const marked = frame.marks.length !== state.marks.length;
  state.marks = frame.marks;
  state.frame = frame;
  state.waiting = false;
  state.finished = frame.state === "finished";
  if (state.finished) state.playing = false;
  if (marked || state.finished) showCommands();
  schedulePaint();
}

function pushRow(row) {
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
  if (captions) showCommands();
  Views.draw({ frame: state.frame, meta: state.meta, series: state.series, marks: state.marks, compare: state.meta.labels.length > 1,
    showTest: state.accepted.show_test, discrete: state.accepted.discretize, graphModel: state.graphModel }, captions);
}

function showState() {
  $("play").textContent = state.playing ? "❚❚ Pause" : "▶ Play";
  $("play").title = state.finished ? "Train on from the current weights (space)" : "Train (space)";
  $("state").textContent = runs.loop ? "starting…" : state.waiting && state.playing ? "waiting for a free core"
    : state.finished ? "finished" : state.playing ? "training" : state.run ? "paused" : "no run";
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
  if (!state.run || state.dirty) requestRun();
  else if (!(await send("play"))) { state.playing = false; showState(); }   // a finished run goes on
}

async function onStep() {
  state.playing = false;
  if (!state.run || state.dirty) requestRun();
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
  const file = $("upload").files[0], limit = Settings.LIMITS.upload_bytes;
  if (!file) return;
  if (file.size > limit) { refuse("upload", `The CSV must be at most ${limit} bytes (${limit / 1024} KB); the file chosen has ${file.size} bytes.`, [$("upload")]); return; }
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
  for (const box of inputBoxes()) box.addEventListener("change", () => onInputsChange(box));
  $("graph-model").addEventListener("change", () => { state.graphModel = Number($("graph-model").value); schedulePaint(); });
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
    if (state.run) fetch(`/api/runs/${state.run}?owner=${OWNER}`, { method: "DELETE", keepalive: true }).catch(() => {});
    closeStream();
  });
  window.addEventListener("pageshow", e => { if (e.persisted) requestRun(); });
  [$("loss-chart"), $("score-chart")].forEach(c => Charts.hover(c, $("tooltip")));
}

// the page is built from the server's vocabulary, limits and defaults: without them it offers nothing
async function start() {
  const read = url => fetch(url).then(r => (r.ok ? r.json() : null)).catch(() => null);
  const [schema, options, vocabulary] = await Promise.all([read("/openapi.json"), read("/api/options"), read("/api/vocabulary")]);
  if (!schema || !options || !vocabulary) { refuse("run", "The server did not answer with its settings: reload the page."); return; }
  Settings.learn(schema, options, vocabulary);
  for (const el of controls()) Settings.applyLimits(el, el.id);
  buildControls();
  acceptAll(readURL());
  renderSpecs();
  writeURL();
  bind();
  startHeartbeat(options.idle_timeout_s);
  requestRun();
}

start();
