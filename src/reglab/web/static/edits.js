// Edits of the settings, and what each does to the run. A model's penalty, λ, L1 method and learning rate,
// and the training settings every model shares (optimizer, batch, dropout, weight decay, penalised output,
// early stopping, the epochs cap and the speed) go live once the run has trained: the server changes them
// between epochs and training goes on from the current weights (a model that stopped takes up again),
// marked on the charts. A change of the data or of the network (inputs, layers, activation) needs new
// weights: it makes a new run, and the page says so. A refused value goes back to the one in use, marked.
"use strict";

const LIVE_SHARED = {   // control → field of the server's TrainingChange
  optimizer: "optimizer", batch_size: "batch_size", dropout: "dropout", weight_decay: "weight_decay",
  regularize_output: "regularize_output", patience: "patience", epochs: "epochs", speed: "epochs_per_frame",
};
const VIEW_ONLY = ["show_test", "discretize"];

function liveEditable() {
  return state.run && !state.dirty && !runs.loop && state.frame && state.frame.epoch > 0;
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
    try {
      await api("POST", `/api/runs/${run}/hyperparameters`, { model: k, ...want });
      if (state.run !== run) return;
      state.live[k] = { ...want };
      changed.push(k);
    } catch (err) {
      if (state.run !== run) return;
      state.specs[k] = { ...now };
      refused.push(`${err.message.replace(/\.$/, "")} (model ${k + 1} keeps ${state.frame.models[k] ? state.frame.models[k].label : now.penalty}, learning rate ${num(now.lr)})`);
    }
  }
  if (refused.length) refuse(key, `Not changed: ${refused.join("; ")}.`, fields);
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

// any other control: live (training settings), a new run (data and network), or the view only
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
  writeURL();
  if (VIEW_ONLY.includes(id)) { schedulePaint(); return; }
  if (LIVE_SHARED[id] && liveEditable()) { editShared(id, r.value); return; }
  if (id === "compare") {
    if (state.specs.length === 1) state.base = { ...state.specs[0] };
    state.specs = specsFor(r.value, state.base);
    for (const entry of [...document.querySelectorAll(".problem[id^=problem-model-]")]) clearProblem(entry.id.slice("problem-".length));
    renderSpecs();
    writeURL();
  }
  if (id === "dataset") $("upload-row").hidden = r.value !== "upload";
  requestRun(LIVE_SHARED[id] ? null : `${fieldName(el).toLowerCase()} changed to ${shownValue(id, r.value)}`);
}

// a training setting every model shares, changed on the running models
async function editShared(id, value) {
  const field = LIVE_SHARED[id], run = state.run;
  const sent = id === "speed" ? (value === "auto" ? 0 : Number(value)) : id === "patience" || id === "epochs" ? value || 0 : value;
  try {
    const answer = await api("POST", `/api/runs/${run}/settings`, { [field]: sent });
    if (state.run !== run) return;
    const a = state.applied, top = { optimizer: 1, batch_size: 1, epochs: 1, epochs_per_frame: 1 };
    const kept = field === "epochs" || field === "patience" ? sent || null : field === "epochs_per_frame" ? sent || null : sent;
    state.applied = top[field] ? { ...a, [field]: kept } : { ...a, models: a.models.map(m => ({ ...m, [field]: kept })) };
    showCommands();
    if (answer.changed) say(`Changed at epoch ${answer.epoch}: ${answer.changed}; training goes on from the current weights.`);
  } catch (err) {
    if (state.run !== run) return;
    const back = FROM_REQUEST[id](state.applied);
    setControl($(id), back); state.accepted[id] = back; writeURL();
    refuse(id, `Not changed: ${err.message.replace(/\.$/, "")}. Back to ${shownValue(id, back)}, the value in use.`, [$(id)]);
  }
}

// the input features: at least one; a change makes a new network, so a new run
function onInputsChange(box) {
  const chosen = readInputs();
  if (!chosen.length) {
    box.checked = true;
    refuse("inputs", `Inputs must keep at least one feature; you unchecked the last one, ${Settings.NAMES.inputs[box.dataset.input]}. It stays on.`, [box]);
    return;
  }
  clearProblem("inputs");
  state.accepted.inputs = chosen;
  writeURL();
  requestRun(`inputs changed to ${chosen.map(k => Settings.NAMES.inputs[k]).join(", ")}`);
}

// hidden sizes are checked as they are typed; the value in use stays until the text is valid
function onHiddenInput() {
  const r = Settings.parseHidden($("hidden").value);
  if (r.ok) clearProblem("hidden");
  else refuse("hidden", `${r.problem} The network keeps ${state.accepted.hidden.join(",")} until this is corrected.`, [$("hidden")]);
}

// the matching command of the models' settings now: --epochs is the cap, or without one the epochs trained
function showCommands() {
  if (!state.applied) return;
  const epochs = state.applied.epochs || Math.max(1, state.frame ? state.frame.epoch : 0);
  const request = { ...state.applied, epochs, models: state.applied.models.map((m, k) => ({ ...m, ...(state.live ? state.live[k] : {}) })) };
  const lines = Settings.commands(request);
  const marks = state.marks.map(m => `${m.model === null ? "all models" : `model ${m.model + 1}`} at epoch ${m.epoch}`);
  const note = marks.length ? [`# changed mid-run (${marks.join(", ")}): these commands train with the current settings from the start`] : [];
  const text = [...note, ...lines].join("\n");
  if ($("commands").textContent !== text) $("commands").textContent = text;
}
