// What the page may ask the server for: the names it may give and each field's range (the server's own,
// read at start-up from /api/vocabulary, /api/options and its schema), checks that word a refusal in the
// page's terms, the hidden-layer text, the per-model settings in the URL, and the `reglab` command lines
// of a request (reglab/web/export.py's rules).
"use strict";

const Settings = (() => {
  // The page's words for each number field and where the field lives in the server's schema
  // (/openapi.json), from which learn() takes its range. Patience 0 means "off" and an epochs cap of 0
  // "no cap" on the page (null in the request): their minimum is the page's own.
  const FIELDS = {
    noise: { name: "Noise", schema: ["DataSpec", "noise"] },
    n_samples: { name: "Samples", schema: ["DataSpec", "n_samples"] },
    test_size: { name: "Test share", schema: ["DataSpec", "test_size"] },
    val_size: { name: "Validation share", schema: ["DataSpec", "val_size"] },
    seed: { name: "Seed", schema: ["DataSpec", "seed"] },
    dropout: { name: "Dropout", schema: ["ModelSpec", "dropout"], empty: 0 },
    lr: { name: "Learning rate", schema: ["ModelSpec", "lr"] },
    batch_size: { name: "Batch", schema: ["RunRequest", "batch_size"] },
    epochs: { name: "Epochs cap", min: 0, schema: ["RunRequest", "epochs"], empty: 0, off: 0, offWords: "0: no cap" },
    lam: { name: "λ", schema: ["ModelSpec", "lam"] },
    weight_decay: { name: "Weight decay", schema: ["ModelSpec", "weight_decay"], empty: 0 },
    patience: { name: "Early stopping patience", min: 0, schema: ["ModelSpec", "patience"], empty: 0, off: 0 },
  };
  const HIDDEN = { name: "Hidden layers" };   // neurons and layers: the server's limits
  const LIMITS = {};   // the server's limits (reglab/web/models.py)
  // the names a request may give, each list from its home on the server (reglab.rules, reglab.regularizers)
  const NAMES = { datasets: [], activations: [], optimizers: [], penalties: [], l1_methods: [], inputs: {}, convention: "" };
  let DEFAULTS = null;   // the server's default request

  function numberSchema(prop) {
    if (prop && prop.anyOf) return prop.anyOf.find(p => p.type === "number" || p.type === "integer") || null;
    return prop || null;
  }

  // the server's schema (FastAPI's /openapi.json), /api/options and /api/vocabulary
  function learn(openapi, options, vocabulary) {
    const schemas = openapi.components.schemas;
    for (const field of Object.values(FIELDS)) {
      const prop = numberSchema(schemas[field.schema[0]].properties[field.schema[1]]);
      field.max = prop.maximum;
      if (field.off === undefined && typeof prop.minimum === "number") { field.min = prop.minimum; field.minOpen = false; }
      if (field.off === undefined && typeof prop.exclusiveMinimum === "number") { field.min = prop.exclusiveMinimum; field.minOpen = true; }
      field.integer = prop.type === "integer";
    }
    const hidden = schemas.RunRequest.properties.hidden;
    HIDDEN.neurons = hidden.items.maximum;
    HIDDEN.layers = hidden.maxItems;
    Object.assign(LIMITS, options.limits);
    Object.assign(NAMES, vocabulary);
    DEFAULTS = options.defaults;
  }

  // the input's own min/max follow the server's limits (the spinner stops where the server would refuse)
  function applyLimits(input, key) {
    const field = FIELDS[key];
    if (!field) return;
    input.min = field.min;
    input.max = field.max;
  }

  function num(v) { return +(+v).toPrecision(6) + ""; }

  function rangeText(field) {
    if (field.integer) return `a whole number from ${field.min} to ${field.max}${field.off === 0 ? ` (${field.offWords || "0 turns it off"})` : ""}`;
    if (field.minOpen) return `a number greater than ${num(field.min)} and at most ${num(field.max)}`;
    return `a number from ${num(field.min)} to ${num(field.max)}`;
  }

  function quoted(text) {
    const s = String(text);
    return s.length > 24 ? `“${s.slice(0, 21)}…”` : `“${s}”`;
  }

  // {ok: true, value} or {ok: false, problem}: the problem names the field (or `who`), the range and what was typed
  function check(key, text, badInput = false, who = null) {
    const field = FIELDS[key], name = who || field.name, raw = String(text).trim();
    if (raw === "" && !badInput && field.empty !== undefined) return { ok: true, value: field.empty };
    const value = raw === "" || badInput ? NaN : Number(raw);
    const typed = badInput ? "something that is not a number" : raw === "" ? "nothing" : quoted(raw);
    const bad = !Number.isFinite(value) || (field.integer && !Number.isInteger(value))
      || (field.minOpen ? value <= field.min : value < field.min) || value > field.max;
    if (bad) return { ok: false, problem: `${name} must be ${rangeText(field)}; you entered ${typed}.` };
    return { ok: true, value };
  }

  // hidden-layer widths: positive whole numbers separated by commas, within the server's limits
  function parseHidden(text) {
    const rule = `${HIDDEN.name} must be widths from 1 to ${HIDDEN.neurons} separated by commas, at most ${HIDDEN.layers} of them (e.g. 16,16)`;
    const raw = String(text).trim(), parts = raw.split(",").map(s => s.trim());
    let why = null;
    if (raw === "") why = "the box is empty";
    else if (parts.some(p => p === "")) why = "a width is missing between commas";
    else {
      const odd = parts.find(p => !/^[0-9]+$/.test(p));
      if (odd !== undefined) why = `${quoted(odd)} is not a whole number`;
      else {
        const big = parts.find(p => Number(p) < 1 || Number(p) > HIDDEN.neurons);
        if (big !== undefined) why = `${big} is outside 1 to ${HIDDEN.neurons}`;
        else if (parts.length > HIDDEN.layers) why = `that is ${parts.length} layers`;
      }
    }
    if (why) return { ok: false, problem: `${rule}; you entered ${quoted(raw)}: ${why}.` };
    return { ok: true, value: parts.map(Number) };
  }

  // per-model settings in the URL: "penalty,lam,lr,l1_method" per model, models separated by ";"
  function encodeModels(specs) { return specs.map(s => [s.penalty, s.lam, s.lr, s.l1_method].join(",")).join(";"); }

  function decodeModels(text) {
    const specs = String(text).split(";").slice(0, LIMITS.models).map(part => {
      const [penalty, lam, lr, method] = part.split(",");
      const l = check("lam", lam), r = check("lr", lr);
      if (!NAMES.penalties.includes(penalty) || !l.ok || !r.ok) return null;
      return { penalty, lam: l.value, lr: r.value, l1_method: NAMES.l1_methods.includes(method) ? method : DEFAULTS.models[0].l1_method };
    });
    return specs.length && specs.every(Boolean) ? specs : null;
  }

  // --- `reglab train` / `reglab sweep` lines, as reglab/web/export.py writes them ---------------------

  // Python's format(x, "g"): 6 significant digits, exponent below 1e-4 and from 1e6, no trailing zeros
  function g(x) {
    x = Number(x);
    if (!Number.isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
    if (x === 0) return Object.is(x, -0) ? "-0" : "0";
    const [mantissa, e] = x.toExponential(5).split("e"), exp = Number(e);
    const strip = s => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
    if (exp < -4 || exp >= 6) return `${strip(mantissa)}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
    return strip(x.toFixed(5 - exp));
  }

  const PER_MODEL = ["penalty", "lam", "l1_method", "weight_decay", "dropout", "lr"];   // list options of `reglab sweep`
  const FLOATS = new Set(["lam", "weight_decay", "dropout", "lr"]);
  const SPEC_KEYS = ["penalty", "lam", "l1_method", "regularize_output", "weight_decay", "dropout", "lr", "patience"];
  const flag = name => "--" + name.replace(/_/g, "-");
  const shown = (name, v) => (FLOATS.has(name) ? g(v) : String(v));

  function sharedFlags(r) {
    const d = r.data, parts = [`--dataset ${d.dataset}`, `--n-samples ${d.n_samples}`, `--noise ${g(d.noise)}`];
    if (d.dataset === "blobs") parts.push(`--n-classes ${d.n_classes ?? DEFAULTS.data.n_classes}`);
    parts.push(`--test-size ${g(d.test_size)}`, `--val-size ${g(d.val_size)}`, `--seed ${d.seed}`);
    parts.push(`--hidden ${r.hidden.join(",")}`, `--activation ${r.activation}`, `--optimizer ${r.optimizer}`);
    parts.push(`--batch-size ${r.batch_size}`, `--epochs ${r.epochs || 1}`);
    return parts;
  }

  function modelFlags(m, skip = null) {
    const parts = [];
    for (const name of PER_MODEL) {
      if (name === skip) continue;
      if (name === "lam" && m.penalty === "none" && skip !== "penalty") continue;
      if (name === "lam" && m.penalty === "l1l2" && skip !== "penalty") { parts.push(`--l1 ${g(m.lam)}`, `--l2 ${g(m.lam)}`); continue; }
      parts.push(`${flag(name)} ${shown(name, m[name])}`);
    }
    if (m.regularize_output) parts.push("--regularize-output");
    if (m.patience) parts.push(`--patience ${m.patience}`);
    return parts;
  }

  function commands(r) {
    const note = r.seed === r.data.seed ? [] : [`# the model seed was ${r.seed}; the command line uses one seed`];
    if (r.data.dataset === "upload") note.push("# the data was an uploaded CSV: save it and pass --dataset FILE.csv --target label");
    const inputs = r.inputs || DEFAULTS.inputs;
    const ordered = Object.keys(NAMES.inputs).filter(k => inputs.includes(k));  // the network's order, as the server's
    if (ordered.join(",") !== DEFAULTS.inputs.join(",")) {
      note.push(`# the playground's inputs were ${ordered.map(k => NAMES.inputs[k]).join(", ")}; the command line trains on x₁, x₂`);
    }
    const base = sharedFlags(r).join(" "), models = r.models;
    if (models.length === 1) return [...note, `reglab train ${base} ${modelFlags(models[0]).join(" ")}`];
    const varying = SPEC_KEYS.filter(k => new Set(models.map(m => String(m[k] ?? null))).size > 1);
    const name = varying[0];
    // a --lam list sweeps a penalty of one λ (l1l2 takes --l1 and --l2, none no λ)
    if (varying.length === 1 && PER_MODEL.includes(name) && (name !== "lam" || models[0].penalty === "l1" || models[0].penalty === "l2")) {
      const values = models.map(m => shown(name, m[name])).join(",");
      return [...note, `reglab sweep ${base} ${modelFlags(models[0], name).join(" ")} ${flag(name)} ${values}`];
    }
    return [...note, ...models.map(m => `reglab train ${base} ${modelFlags(m).join(" ")}`)];
  }

  return { FIELDS, HIDDEN, LIMITS, NAMES, get DEFAULTS() { return DEFAULTS; }, learn, applyLimits, check, parseHidden, encodeModels, decodeModels, commands, g, rangeText };
})();
