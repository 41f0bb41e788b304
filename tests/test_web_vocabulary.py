"""Every name the playground offers comes from its home: the API's vocabulary, the request models' choices
and help, and the served page, which restates no list of names (it builds its choices from the vocabulary)."""

import re
import warnings
from pathlib import Path

import pytest

from reglab.config import DataConfig, RunConfig
from reglab.regularizers import CONVENTION, CONVERSIONS, PENALTY_KINDS
from reglab.rules import ACTIVATIONS, GENERATORS, L1_METHODS, OPTIMIZERS, VALIDATION_FRACTION
from reglab.web import create_app
from reglab.web.models import DataSpec, HyperparameterChange, ModelSpec, RunRequest, TrainingChange
from reglab.web.plane import INPUTS

with warnings.catch_warnings():  # starlette's test client warns about its httpx dependency at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

STATIC = Path(__file__).resolve().parents[1] / "src" / "reglab" / "web" / "static"
# the playground offers every 2-D generator and an uploaded CSV; the real datasets have more than two features
HOMES = {
    "datasets": [*GENERATORS, "upload"], "activations": list(ACTIVATIONS), "optimizers": list(OPTIMIZERS),
    "penalties": list(PENALTY_KINDS), "l1_methods": list(L1_METHODS),
}  # fmt: skip
CHOICES = [  # (model, field, home): each request field that takes a name
    (DataSpec, "dataset", "datasets"), (RunRequest, "activation", "activations"), (RunRequest, "optimizer", "optimizers"),
    (ModelSpec, "penalty", "penalties"), (ModelSpec, "l1_method", "l1_methods"), (HyperparameterChange, "penalty", "penalties"),
    (HyperparameterChange, "l1_method", "l1_methods"), (TrainingChange, "optimizer", "optimizers"),
]  # fmt: skip
# fields named as a config field whose meaning in the playground differs: their help is the web's own
WEB_OWN_HELP = {
    "DataSpec.dataset", "ModelSpec.penalty", "ModelSpec.weight_decay", "RunRequest.batch_size", "RunRequest.epochs",
    "HyperparameterChange.penalty", "TrainingChange.batch_size", "TrainingChange.weight_decay", "TrainingChange.patience",
    "TrainingChange.epochs",
}  # fmt: skip


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(warm=False)) as c:
        yield c


def test_the_vocabulary_is_the_lists_of_their_homes(client):
    vocabulary = client.get("/api/vocabulary").json()
    assert {k: v for k, v in vocabulary.items() if k in HOMES} == HOMES
    assert vocabulary["inputs"] == INPUTS and list(vocabulary["inputs"]) == list(INPUTS)  # in the network's order
    conversions = "; ".join(CONVERSIONS[k] for k in ("playground", "pytorch", "sklearn"))
    assert vocabulary["convention"] == f"{CONVENTION}. {conversions}."
    assert set(vocabulary) == {*HOMES, "inputs", "convention"}


@pytest.mark.parametrize("model, field, home", CHOICES, ids=[f"{m.__name__}.{f}" for m, f, _ in CHOICES])
def test_each_field_that_takes_a_name_accepts_exactly_its_homes_names(model, field, home):
    schema = model.model_json_schema()["properties"][field]
    enum = schema["enum"] if "enum" in schema else next(s["enum"] for s in schema["anyOf"] if "enum" in s)
    assert enum == HOMES[home]


def one_of(names) -> str:
    """pydantic's words for a choice of names: 'a', 'b' or 'c'."""
    return ", ".join(map(repr, names[:-1])) + f" or {names[-1]!r}"


@pytest.mark.parametrize(
    "body, place, home, got",
    [
        ({"activation": "softplus"}, "activation", "activations", "'softplus'"),
        ({"optimizer": "rmsprop"}, "optimizer", "optimizers", "'rmsprop'"),
        ({"models": [{"penalty": "l3"}]}, "models.0.penalty", "penalties", "'l3'"),
        ({"models": [{"l1_method": "clip"}]}, "models.0.l1_method", "l1_methods", "'clip'"),
        ({"data": {"dataset": "wine"}}, "data.dataset", "datasets", "'wine'"),  # a real dataset: more than two features
    ],
)
def test_a_name_outside_its_home_is_refused_naming_the_homes_names(client, body, place, home, got):
    response = client.post("/api/runs", json=body)
    assert response.status_code == 422
    assert response.json()["message"] == f"The '{place}' field is invalid: Input should be {one_of(HOMES[home])}. Got {got} instead."


def test_fields_that_mirror_a_config_field_carry_its_help():
    mirrored = []
    for model in (DataSpec, ModelSpec, RunRequest, HyperparameterChange, TrainingChange):
        config = DataConfig if model is DataSpec else RunConfig
        for name, field in model.model_fields.items():
            if name in config.model_fields and f"{model.__name__}.{name}" not in WEB_OWN_HELP:
                assert field.description == config.model_fields[name].description, f"{model.__name__}.{name}"
                mirrored.append(name)
    assert len(mirrored) == 20 and {"noise", "val_size", "activation", "lr", "dropout", "l1_method"} <= set(mirrored)


def test_the_default_validation_fraction_is_the_rules():
    assert DataSpec().val_size == RunRequest().data.val_size == VALIDATION_FRACTION


def test_the_options_hold_limits_and_defaults_and_no_names(client):
    options = client.get("/api/options").json()
    assert options["defaults"] == RunRequest().model_dump() and set(options) == {"limits", "defaults", "idle_timeout_s"}


def page_files(client) -> dict[str, str]:
    """The served page and every script and style sheet it loads, by name."""
    page = client.get("/").text
    files = {"index.html": page}
    for name in re.findall(r'(?:src|href)="/static/([^"]+)"', page):
        files[name] = client.get(f"/static/{name}").text
    return files


def option_names(html: str) -> set[str]:
    """The value (or else the text) of every <option> of a page."""
    return {value or text.strip() for value, text in re.findall(r"<option[^>]*?(?:value=\"([^\"]*)\"[^>]*)?>([^<]*)</option>", html)}


def restated(text: str, names) -> list[str]:
    """The array literals of a script that name two or more of ``names``."""
    literals = re.findall(r"\[([^\[\]]*)\]", text)
    return [f"[{literal}]" for literal in literals if len(set(re.findall(r"[\"']([a-z0-9_]+)[\"']", literal)) & set(names)) >= 2]


def test_the_served_page_lists_no_name_of_the_vocabulary(client):
    files = page_files(client)
    assert {"index.html", "app.js", "settings.js", "mirror.js", "forward.js", "style.css"} <= set(files)
    names = {name for names in HOMES.values() for name in names} | set(INPUTS)
    page = files["index.html"]
    assert option_names(page) == {"single", "ladder", "penalties", "1", "5", "auto", "mixed"}  # the page's own choices
    assert "data-input=" not in page and '<p class="note" id="convention"></p>' in page
    assert not option_names(page) & names
    for name, text in files.items():
        for home, listed in [*HOMES.items(), ("inputs", list(INPUTS))]:
            assert restated(text, listed) == [], f"{name} restates the {home}"


def test_the_page_check_finds_a_restated_list():
    """The checks above fail on the page as it was written before it read the vocabulary."""
    assert option_names('<select id="activation"><option>relu</option><option>tanh</option></select>') == {"relu", "tanh"}
    assert option_names('<option value="blobs">gaussian blobs</option>') == {"blobs"}
    assert restated('const METHODS = ["proximal", "subgradient"];', L1_METHODS) == ['["proximal", "subgradient"]']
    assert restated("showInputs(['x1', 'x2']);", INPUTS) == ["['x1', 'x2']"]
    assert restated('if (["l1"].includes(p))', PENALTY_KINDS) == []
