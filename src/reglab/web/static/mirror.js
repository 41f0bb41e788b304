// The page's state, its messages, and the controls that mirror the models: what each control shows
// is what the model(s) it edits have (or get once the run being made starts), and a refused value is
// marked, with a message in the page's words kept in an aria-live region until it is corrected.
// The choices of the selects and the input features are built from the server's vocabulary, and every
// control starts at the server's default request. Ranges and checks come from settings.js; app.js makes
// the runs and handles the events.
"use strict";

const $ = id => document.getElementById(id);
const LADDER = [0, 0.001, 0.01, 0.1, 1];
const SPEC = ["penalty", "lam", "l1_method", "lr"];   // each model's own; changed live on the running models
const DEFAULT_SPEC = {};   // a model's settings in the server's default request (buildControls)
const MIXED = Symbol("mixed");

const state = {
  run: null, meta: null, source: null, playing: false, finished: false, waiting: false, dirty: true, graphModel: 0,
  series: [], marks: [], frame: null, upload: null,
  specs: [], base: {},        // what the page asks of each model
  applied: null, live: null,   // the request of the run shown, and each of its models' settings now
  accepted: {},                // the value in use of every shared control
  stats: { received: 0, painted: 0, paintedEpoch: -1, maxWaitMs: 0 },
};
const runs = { loop: null, wanted: false };

// --- messages: passing news in a status line, refusals kept (aria-live) until corrected ------------------

function say(text, ms = 4000) {
  const box = $("message");
  box.textContent = text; box.hidden = false;
  clearTimeout(say.timer); say.timer = setTimeout(() => { box.hidden = true; }, ms);
}

function refuse(key, text, fields = []) {
  clearProblem(key);   // a new refusal of the same field replaces the last one (and is announced again)
  const entry = document.createElement("div");
  entry.className = "problem"; entry.id = `problem-${key}`;
  $("problems").append(entry);
  const words = document.createElement("span");
  words.textContent = text;
  entry.append(words);
  if (fields.length) {
    const show = document.createElement("button");
    show.textContent = "Show"; show.setAttribute("aria-label", `Show the field: ${fieldName(fields[0])}`);
    show.addEventListener("click", () => { openDrawer(true); fields[0].focus(); });
    entry.append(show);
  }
  const dismiss = document.createElement("button");
  dismiss.textContent = "✕"; dismiss.setAttribute("aria-label", "Dismiss this message");
  dismiss.addEventListener("click", () => clearProblem(key));
  entry.append(dismiss);
  entry._fields = fields;
  for (const el of fields) {
    el.setAttribute("aria-invalid", "true"); el.classList.add("invalid");
    el.setAttribute("aria-describedby", entry.id); el.setAttribute("aria-errormessage", entry.id);
  }
}

function clearProblem(key) {
  const entry = $(`problem-${key}`);
  if (!entry) return;
  for (const el of entry._fields || []) {
    el.removeAttribute("aria-invalid"); el.classList.remove("invalid");
    el.removeAttribute("aria-describedby"); el.removeAttribute("aria-errormessage");
  }
  entry.remove();
}

function fieldName(el) {
  return el.getAttribute("aria-label") || (el.labels && el.labels[0] ? el.labels[0].childNodes[0].textContent.trim() : el.id);
}

// --- the controls, built from the server's vocabulary and set to its default request ----------------------

const DATASET_WORDS = { blobs: "gaussian blobs", upload: "my CSV…" };   // the page's words where a name is not enough
const penaltyWords = p => (p === "none" ? "none" : p.toUpperCase());

function choices(names, words = n => n) {
  return names.map(name => { const option = document.createElement("option"); option.value = name; option.textContent = words(name); return option; });
}

function buildControls() {
  const names = Settings.NAMES, defaults = Settings.DEFAULTS;
  $("dataset").replaceChildren(...choices(names.datasets, n => DATASET_WORDS[n] || n));
  $("activation").replaceChildren(...choices(names.activations));
  $("optimizer").replaceChildren(...choices(names.optimizers));
  $("penalty").prepend(...choices(names.penalties, penaltyWords));   // before the page's own "mixed"
  $("l1_method").prepend(...choices(names.l1_methods));
  $("input-features").append(...Object.entries(names.inputs).map(([key, words]) => {
    const label = document.createElement("label"), box = document.createElement("input");
    label.className = "check"; box.type = "checkbox"; box.dataset.input = key; box.defaultChecked = defaults.inputs.includes(key);
    label.append(box, ` ${words}`);
    return label;
  }));
  $("convention").textContent = names.convention;
  $("compare").querySelector("option[value=ladder]").textContent = `λ ladder: ${LADDER.join(", ")}`;
  $("upload-row").firstChild.textContent = `CSV (x0, x1, label; ≤ ${Settings.LIMITS.upload_bytes / 1024} KB) `;
  for (const el of shared()) {
    const value = FROM_REQUEST[el.id] && FROM_REQUEST[el.id](defaults);
    if (value === undefined) continue;   // a control of the page's own (compare, the view)
    if (el.type === "checkbox") el.defaultChecked = !!value;
    else if (el.tagName === "SELECT") for (const option of el.options) option.defaultSelected = option.value === shownValue(el.id, value);
    else el.defaultValue = shownValue(el.id, value);
  }
  Object.assign(DEFAULT_SPEC, Object.fromEntries(SPEC.map(f => [f, defaults.models[0][f]])));
  state.specs = [{ ...DEFAULT_SPEC }]; state.base = { ...DEFAULT_SPEC };
}

// --- the models' settings and the controls that mirror them ----------------------------------------------

function controls() { return [...document.querySelectorAll("[data-key]")]; }
function shared() { return controls().filter(el => !SPEC.includes(el.id)); }
function inputBoxes() { return [...document.querySelectorAll("[data-input]")]; }
function readInputs() { return inputBoxes().filter(b => b.checked).map(b => b.dataset.input); }
function showInputs(chosen) { for (const box of inputBoxes()) box.checked = chosen.includes(box.dataset.input); }

function specsFor(mode, base) {
  if (mode === "ladder") return LADDER.map(lam => ({ ...base, penalty: base.penalty === "none" ? "l2" : base.penalty, lam }));
  if (mode === "penalties") return Settings.NAMES.penalties.map(penalty => ({ ...base, penalty }));
  return [{ ...base }];
}

function common(field) {
  const values = state.specs.map(s => s[field]);
  return values.every(v => v === values[0]) ? values[0] : MIXED;
}

const num = v => String(+(+v).toPrecision(6));

// every editor of the models' settings shows what the models have (or will have once the run starts);
// with `typing`, a text box that has the focus keeps what is being typed in it (its change comes next)
function renderSpecs(typing = false) {
  const n = state.specs.length, compare = n > 1;
  for (const field of SPEC) {
    const el = $(field), value = common(field);
    if (typing && el === document.activeElement && el.tagName === "INPUT") continue;
    el.classList.toggle("mixed", value === MIXED);
    if (el.tagName === "SELECT") el.value = value === MIXED ? "mixed" : value;
    else { el.value = value === MIXED ? "" : num(value); el.placeholder = value === MIXED ? "per model" : ""; }
  }
  const lam = common("lam");
  $("lam_slider").classList.toggle("mixed", lam === MIXED);
  if (lam !== MIXED) $("lam_slider").value = lam > 0 ? Math.log10(lam) : $("lam_slider").min;
  $("lam_slider").setAttribute("aria-valuetext", lam === MIXED ? "λ differs between the models" : `λ = ${num(lam)}`);
  $("all-models").hidden = !compare;
  $("all-models").textContent = compare ? `— these apply to all ${n} models` : "";
  $("models").hidden = !compare;
  const body = $("models").tBodies[0];
  if (body.rows.length !== (compare ? n : 0)) {
    body.innerHTML = "";
    if (compare) state.specs.forEach((_, k) => body.append(modelRow(k)));
  }
  for (const el of document.querySelectorAll("[data-model][data-field]")) {
    const spec = state.specs[Number(el.dataset.model)];
    if (typing && el === document.activeElement && el.tagName === "INPUT") continue;
    if (spec) el.value = el.tagName === "SELECT" ? spec[el.dataset.field] : num(spec[el.dataset.field]);
  }
}

function modelRow(k) {
  const row = document.createElement("tr");
  const name = document.createElement("th");
  name.scope = "row";
  name.innerHTML = `<span class="swatch" style="background:${Charts.MODEL_COLORS[k]}" aria-hidden="true"></span>${k + 1}`;
  row.append(name);
  const penalty = document.createElement("select");
  penalty.append(...choices(Settings.NAMES.penalties, penaltyWords));
  const lam = document.createElement("input"), lr = document.createElement("input");
  Object.assign(lam, { type: "number", step: "any", min: Settings.FIELDS.lam.min, max: Settings.FIELDS.lam.max });
  Object.assign(lr, { type: "number", step: "any", min: Settings.FIELDS.lr.min, max: Settings.FIELDS.lr.max });
  [[penalty, "penalty", "Penalty"], [lam, "lam", "λ"], [lr, "lr", "Learning rate"]].forEach(([el, field, words]) => {
    el.dataset.model = k; el.dataset.field = field;
    el.setAttribute("aria-label", `${words} of model ${k + 1}`);
    el.addEventListener("change", () => onModelEditor(el));
    const cell = document.createElement("td");
    cell.append(el);
    row.append(cell);
  });
  return row;
}

function editorsOf(k, field) { return [...document.querySelectorAll(`[data-model="${k}"][data-field="${field}"]`)]; }

// the value each shared control stands for, from a run request
const FROM_REQUEST = {
  dataset: r => r.data.dataset, noise: r => r.data.noise, n_samples: r => r.data.n_samples, test_size: r => r.data.test_size,
  val_size: r => r.data.val_size, seed: r => r.data.seed, hidden: r => r.hidden, activation: r => r.activation,
  optimizer: r => r.optimizer, batch_size: r => r.batch_size, epochs: r => r.epochs || 0, dropout: r => r.models[0].dropout,
  weight_decay: r => r.models[0].weight_decay, patience: r => r.models[0].patience || 0, regularize_output: r => r.models[0].regularize_output,
  speed: r => (r.epochs_per_frame === null ? "auto" : String(r.epochs_per_frame)),
};

function shownValue(id, value) { return id === "hidden" ? value.join(",") : typeof value === "number" ? num(value) : String(value); }

function setControl(el, value) {
  if (el.type === "checkbox") el.checked = !!value; else el.value = shownValue(el.id, value);
  if (el.id === "noise") $("noise-value").textContent = Number(el.value).toFixed(2);
}

// {ok, value} or {ok: false, problem} for a shared control's current content
function parse(el) {
  if (el.type === "checkbox") return { ok: true, value: el.checked };
  if (el.id === "hidden") return Settings.parseHidden(el.value);
  if (Settings.FIELDS[el.id]) return Settings.check(el.id, el.value, el.validity && el.validity.badInput);
  if (el.tagName === "SELECT" && ![...el.options].some(o => o.value === el.value)) return { ok: false, problem: `${fieldName(el)} has no choice “${el.value}”.` };
  return { ok: true, value: el.value };
}

// early stopping watches the validation data: patience > 0 needs a validation share above 0
function crossCheck(id, value) {
  const patience = id === "patience" ? value : state.accepted.patience, val = id === "val_size" ? value : state.accepted.val_size;
  if (!(patience > 0 && val === 0)) return null;
  return id === "val_size"
    ? `Validation share must stay above 0 while early stopping is on (patience ${patience}): it watches the validation data; you entered 0. Set patience to 0 first.`
    : `Early stopping patience needs validation data, and Validation share is 0; you entered ${patience}. Set Validation share above 0 first.`;
}

// --- URL ------------------------------------------------------------------------------------------------

function writeURL() {
  const params = new URLSearchParams();
  for (const el of controls()) {
    if (SPEC.includes(el.id)) {
      const value = common(el.id);
      if (value !== MIXED) params.set(el.dataset.key, String(value));
    } else params.set(el.dataset.key, el.type === "checkbox" ? (el.checked ? "1" : "0") : el.value);
  }
  if (state.specs.length > 1) params.set("models", Settings.encodeModels(state.specs));
  params.set("in", readInputs().join(","));
  history.replaceState(null, "", `${location.pathname}?${params}`);
}

function readURL() {
  const params = new URLSearchParams(location.search);
  const linked = {};
  for (const el of shared()) {
    if (!params.has(el.dataset.key)) continue;
    const v = linked[el.id] = params.get(el.dataset.key);
    if (el.type === "checkbox") el.checked = v === "1"; else el.value = v;
  }
  if ($("dataset").value === "upload") $("dataset").value = Settings.DEFAULTS.data.dataset;   // an upload lives on one server only
  if (params.has("in")) linked.inputs = params.get("in");
  const base = { ...DEFAULT_SPEC }, pick = (key, field) => {
    if (!params.has(key)) return;
    const v = params.get(key), r = field === "lam" || field === "lr" ? Settings.check(field, v) : { ok: true, value: v };
    if (r.ok && (field !== "penalty" || Settings.NAMES.penalties.includes(v)) && (field !== "l1_method" || Settings.NAMES.l1_methods.includes(v))) base[field] = r.value;
  };
  pick("pen", "penalty"); pick("lam", "lam"); pick("l1m", "l1_method"); pick("lr", "lr");
  state.base = base;
  const mode = $("compare").value;
  let specs = mode !== "single" && params.has("models") ? Settings.decodeModels(params.get("models")) : null;
  if (!specs && mode === "ladder" && params.has("lams")) {   // links of the first edition
    const lams = params.get("lams").split(",").map(v => Settings.check("lam", v));
    if (lams.every(r => r.ok)) specs = lams.map(r => ({ ...specsFor("ladder", base)[0], lam: r.value }));
  }
  state.specs = specs || specsFor(mode, base);
  return linked;
}

// every shared control's value is accepted or replaced by its default (a link may carry anything)
function acceptAll(linked) {
  for (const el of shared()) {
    let r = parse(el);
    if (!r.ok) {
      el.value = el.tagName === "SELECT" ? ([...el.options].find(o => o.defaultSelected) || el.options[0]).value : el.defaultValue;
      const given = linked[el.id] ?? "", rule = r.problem.replace(/; you entered .*$/, "");
      refuse(el.id, `${rule}; the link gave “${given}”. Back to ${el.value}, the default.`, [el]);
      r = parse(el);
    }
    state.accepted[el.id] = r.value;
    setControl(el, r.value);
  }
  $("upload-row").hidden = state.accepted.dataset !== "upload";
  if (linked.inputs !== undefined) {
    const chosen = linked.inputs.split(",").filter(k => Settings.NAMES.inputs[k] !== undefined);
    if (chosen.length && chosen.length === linked.inputs.split(",").length) showInputs(chosen);
    else {
      const plain = Settings.DEFAULTS.inputs;
      showInputs(plain);
      refuse("inputs", `Inputs must name one or more of ${Object.keys(Settings.NAMES.inputs).join(", ")}; the link gave “${linked.inputs.slice(0, 40)}”. Back to ${plain.map(k => Settings.NAMES.inputs[k]).join(", ")}, the default.`, [inputBoxes()[0]]);
    }
  }
  state.accepted.inputs = readInputs();
}
