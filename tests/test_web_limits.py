"""The playground server's limits: the cap on alive runs under concurrent requests, body sizes, non-finite
numbers, JSON syntax errors and the Host header, each refused in one line of words."""

import http.client
import json
import socket
import threading
import time
import types
import typing
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from pydantic import BaseModel

from reglab.web import create_app
from reglab.web.app import REQUEST_BYTES
from reglab.web.models import LIMITS, HyperparameterChange, RunRequest

with warnings.catch_warnings():  # starlette's test client warns about its httpx dependency at import
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TINY = {"hidden": [4], "batch_size": 64, "epochs": 100, "data": {"n_samples": 60, "val_size": 0.25}}
MAX_RUNS = 4  # the cap of the test server (LIMITS["runs"] by default)
FULL = (
    f"This server keeps at most {MAX_RUNS} runs alive at once (each holds memory), and every place is taken; "
    "close a playground tab or try again later."
)
NO_RUN = "0" * 16
LOCAL = ["127.0.0.1", "localhost", "::1"]


@pytest.fixture
def client():
    with TestClient(create_app(idle_timeout=2.0, warm=False, max_runs=MAX_RUNS)) as c:
        yield c


def strict_json(text: str):
    """The reply parsed as strict JSON: NaN or Infinity in it fails the test."""

    def refuse(constant):
        raise AssertionError(f"the reply holds {constant}, which is not JSON")

    return json.loads(text, parse_constant=refuse)


def post_at_once(client, count: int, body: dict) -> list:
    """``count`` POST /api/runs sent together from as many threads, released by one barrier."""
    barrier = threading.Barrier(count)

    def post(_):
        barrier.wait()
        return client.post("/api/runs", json=body)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(post, range(count)))


# the run limit ------------------------------------------------------------------------------------


def test_the_run_limit_holds_under_100_concurrent_requests(client, monkeypatch):
    import reglab.data

    load = reglab.data.load

    def slow_load(config):  # a dataset that takes a while to load widens the window between check and insert
        time.sleep(0.05)
        return load(config)

    monkeypatch.setattr(reglab.data, "load", slow_load)
    answers = post_at_once(client, 100, TINY)
    accepted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert len(accepted) == MAX_RUNS
    assert {(a.status_code, a.json()["message"]) for a in refused} == {(429, FULL)}
    status = client.get("/api/status").json()
    assert status["limit"] == MAX_RUNS and status["owners"] == MAX_RUNS  # a run made without an owner is its own
    assert sorted(r["id"] for r in status["runs"]) == sorted(a.json()["id"] for a in accepted)


def test_a_run_that_cannot_be_built_gives_its_place_back(client):
    unknown = {**TINY, "data": {"dataset": "upload", "upload": NO_RUN}}
    for answer in post_at_once(client, MAX_RUNS + 2, unknown):
        assert answer.status_code == 422 and "upload the CSV again" in answer.json()["message"]
    answers = post_at_once(client, MAX_RUNS + 1, TINY)
    assert sorted(a.status_code for a in answers) == [200] * MAX_RUNS + [429]


def test_an_ended_run_frees_its_place(client):
    ids = [client.post("/api/runs", json=TINY).json()["id"] for _ in range(MAX_RUNS)]
    assert client.post("/api/runs", json=TINY).json() == {"detail": FULL, "message": FULL}
    assert client.delete(f"/api/runs/{ids[0]}").status_code == 200
    assert client.post("/api/runs", json=TINY).status_code == 200


# body sizes ---------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_refused_with_413_before_it_is_read(client):
    headers = {"content-type": "application/json"}
    response = client.post("/api/runs", content=b" " * (2 * 1024 * 1024), headers=headers)
    message = f"The request body must be at most {REQUEST_BYTES} bytes. Got {2 * 1024 * 1024} bytes instead."
    assert response.status_code == 413 and response.json() == {"detail": message, "message": message}


def test_a_streamed_body_over_the_limit_is_refused_with_413_as_it_passes_the_limit(client):
    chunks = iter([b" " * 40_000] * 5)  # no Content-Length: sent chunked
    response = client.post("/api/runs", content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["message"] == f"The request body must be at most {REQUEST_BYTES} bytes. Got more instead."


def test_a_refused_body_is_never_echoed_back(client):
    response = client.post("/api/runs", json={"colour": "x" * 60_000})
    assert response.status_code == 422 and len(response.content) < 1000
    doc = response.json()
    assert doc["message"] == "The 'colour' field is invalid: Extra inputs are not permitted. Got '" + "x" * 56 + "... instead."
    assert doc["detail"] == [{"type": "extra_forbidden", "loc": ["body", "colour"], "msg": "Extra inputs are not permitted"}]


def test_uploads_keep_their_own_limit(client):
    rows = "\n".join(f"{i / 7:.9f},{-i / 3:.9f},{'yes' if i % 2 else 'no'}" for i in range(4000))
    table = ("a,b,label\n" + rows).encode()
    assert REQUEST_BYTES < len(table) <= LIMITS["upload_bytes"]
    assert client.post("/api/uploads", content=table).status_code == 200
    over = LIMITS["upload_bytes"] + 1
    response = client.post("/api/uploads", content=b"0" * over)
    assert response.status_code == 413
    assert response.json()["message"] == f"The uploaded CSV must be at most {LIMITS['upload_bytes']} bytes. Got {over} bytes instead."
    streamed = client.post("/api/uploads", content=iter([b"0" * 100_000] * 3))
    assert streamed.status_code == 413
    assert streamed.json()["message"] == f"The uploaded CSV must be at most {LIMITS['upload_bytes']} bytes. Got more instead."


# non-finite numbers -------------------------------------------------------------------------------


def numeric_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every int or float field of ``model`` and of the models it holds, named as the messages name it."""
    return [place for name, field in model.model_fields.items() for place in numeric_places(field.annotation, prefix + name)]


def numeric_places(annotation, place: str) -> list[str]:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if annotation in (int, float):
        return [place]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return numeric_fields(annotation, place + ".")
    if origin is list:
        return numeric_places(args[0], place + ".0")
    if origin is typing.Annotated:
        return numeric_places(args[0], place)
    if origin in (typing.Union, types.UnionType):
        return sorted({p for a in args for p in numeric_places(a, place)})
    return []


RUN_FIELDS = numeric_fields(RunRequest)
CHANGE_FIELDS = numeric_fields(HyperparameterChange)
NON_FINITE = [("NaN", "NaN"), ("Infinity", "Infinity"), ("-Infinity", "-Infinity"), ("1e999", "Infinity"), ("-1e999", "-Infinity")]


def test_every_numeric_field_is_found():
    assert {"data.noise", "data.seed", "hidden.0", "epochs", "models.0.lam", "models.0.patience", "epochs_per_frame"} <= set(RUN_FIELDS)
    assert CHANGE_FIELDS == ["model", "lam", "lr"] and len(RUN_FIELDS) == 16


def body_with(place: str, literal: str, base: dict | None = None) -> str:
    """A JSON body with the raw JSON ``literal`` at ``place`` (``models.0.lam``), the rest ``base``."""
    body = dict(base or {})
    *path, last = place.split(".")
    at = body
    for part, following in zip(path, [*path[1:], last]):
        empty = [] if following.isdigit() else {}
        if part.isdigit():
            at.append(empty)
            at = at[-1]
        else:
            at = at.setdefault(part, empty)
    at.append("@value@") if last.isdigit() else at.__setitem__(last, "@value@")
    return json.dumps(body).replace('"@value@"', literal)


def assert_refused_as_not_finite(response, place: str, got: str) -> None:
    assert response.status_code == 422
    doc = strict_json(response.text)
    assert doc["message"] == f"The '{place}' field must be a finite number. Got {got} instead."
    assert doc["detail"][0]["loc"] == ["body", *(int(p) if p.isdigit() else p for p in place.split("."))]
    assert "input" not in doc["detail"][0]


@pytest.mark.parametrize("literal, got", NON_FINITE)
@pytest.mark.parametrize("place", RUN_FIELDS)
def test_non_finite_numbers_in_a_run_request_are_refused_naming_the_field(client, place, literal, got):
    response = client.post("/api/runs", content=body_with(place, literal), headers={"content-type": "application/json"})
    assert_refused_as_not_finite(response, place, got)


@pytest.mark.parametrize("literal, got", NON_FINITE)
@pytest.mark.parametrize("place", CHANGE_FIELDS)
def test_non_finite_numbers_in_a_hyperparameter_change_are_refused_naming_the_field(client, place, literal, got):
    body = body_with(place, literal, base={} if place == "model" else {"model": 0})
    response = client.post(f"/api/runs/{NO_RUN}/hyperparameters", content=body, headers={"content-type": "application/json"})
    assert_refused_as_not_finite(response, place, got)


# JSON syntax --------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ['{"epochs": 5,}', '{"epochs": }', "[1, 2", '{\n  "epochs": 5\n  "seed": 1\n}', "{'epochs': 5}"])
def test_malformed_json_is_refused_in_words_with_line_and_column(client, text):
    with pytest.raises(json.JSONDecodeError) as python:
        json.loads(text)
    response = client.post("/api/runs", content=text, headers={"content-type": "application/json"})
    assert response.status_code == 422
    e = python.value
    message = f"The request body is not valid JSON: {e.msg} at line {e.lineno}, column {e.colno}."
    assert response.json() == {"detail": [{"type": "json_invalid", "loc": ["body"], "msg": message}], "message": message}


def test_a_json_syntax_error_worked_by_hand(client):
    response = client.post("/api/runs", content='{\n  "epochs": 5\n  "seed": 1\n}', headers={"content-type": "application/json"})
    assert response.json()["message"] == "The request body is not valid JSON: Expecting ',' delimiter at line 3, column 3."


def test_an_empty_body_is_refused_in_words(client):
    response = client.post("/api/runs", content=b"", headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["message"] == "The request body must be a JSON object. Got an empty body instead."


# the Host header ----------------------------------------------------------------------------------


def refused_host(got: str, names=LOCAL) -> str:
    listed = ", ".join(sorted(names))
    return f"The Host header must name this server ({listed}; reglab serve --allow-host adds a name). Got {got} instead."


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.0.0.1:8000", "localhost", "LocalHost:8000", "localhost.", "[::1]", "[::1]:8000", "pi.local:80"]
)
def test_requests_naming_the_server_are_answered(host):
    with TestClient(create_app(warm=False, allowed_hosts=[*LOCAL, "Pi.Local"])) as client:
        assert client.get("/api/status", headers={"host": host}).status_code == 200


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil.example:8000", "[::2]:8000", "", "127.0.0.1:80@evil"],
)
def test_requests_naming_another_host_are_refused_with_400(host):
    with TestClient(create_app(warm=False, allowed_hosts=LOCAL)) as client:
        for method, path in (("GET", "/"), ("GET", "/api/status"), ("POST", "/api/runs")):
            response = client.request(method, path, headers={"host": host}, json=TINY if method == "POST" else None)
            assert response.status_code == 400 and response.json()["message"] == refused_host(repr(host))
        assert client.app.state.runs.alive() == []


def test_without_allowed_hosts_the_app_checks_no_host(client):
    assert client.get("/api/status", headers={"host": "anything.example"}).status_code == 200


# the same under uvicorn, as `reglab serve` runs it ------------------------------------------------


@pytest.fixture(scope="module")
def served():
    """The app as ``reglab serve`` makes it, under uvicorn on a free port of 127.0.0.1."""
    import uvicorn

    from reglab.cli.serving import served_names

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(idle_timeout=2.0, warm=False, allowed_hosts=served_names("127.0.0.1", []))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-limits", daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not server.started and time.monotonic() < end:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield port
    server.should_exit = True
    thread.join(10)


def ask(port: int, method: str, path: str, host: str, headers: dict | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()  # any body announced is never sent: the reply must come without it
        response = connection.getresponse()
        return response.status, strict_json(response.read().decode())
    finally:
        connection.close()


def test_a_served_app_answers_its_own_names_and_refuses_others(served):
    assert ask(served, "GET", "/api/status", f"127.0.0.1:{served}")[0] == 200
    assert ask(served, "GET", "/api/status", f"localhost:{served}")[0] == 200
    status, doc = ask(served, "GET", "/api/status", f"rebound.example:{served}")
    assert status == 400 and doc["message"] == refused_host(repr(f"rebound.example:{served}"))


def test_a_served_app_refuses_a_50_mb_body_from_its_content_length(served):
    headers = {"Content-Type": "application/json", "Content-Length": str(50 * 1024 * 1024)}
    status, doc = ask(served, "POST", "/api/runs", f"127.0.0.1:{served}", headers)
    assert status == 413
    assert doc["message"] == f"The request body must be at most {REQUEST_BYTES} bytes. Got {50 * 1024 * 1024} bytes instead."


# reglab serve --allow-host -------------------------------------------------------------------------


def test_serve_passes_its_names_to_the_app(monkeypatch, capsys):
    import uvicorn

    import reglab.cli.serving as serving
    from reglab.cli import execute

    made = {}

    class Server:  # uvicorn's, reduced to keeping the app it was given
        def __init__(self, config):
            made["app"] = config.app

        def run(self, sockets):
            made["sockets"] = sockets

    monkeypatch.setattr(serving, "bind", lambda host, port: types.SimpleNamespace(getsockname=lambda: (host, port)))
    monkeypatch.setattr(uvicorn, "Server", Server)
    assert execute(["serve", "--host", "0.0.0.0", "--allow-host", "Pi.Local", "--allow-host", "[fe80::1]", "--workers", "0"]) == 0
    assert made["app"].state.workers is None  # --workers 0: the runs train in the server's own process
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "reglab: warning: serving on 0.0.0.0, reachable from other machines; the playground has no login and anyone who "
        "reaches it can start training runs. It answers requests for 0.0.0.0, 127.0.0.1, localhost, ::1, pi.local, fe80::1 "
        "only (add a name with --allow-host NAME)."
    )
    with TestClient(made["app"]) as client:
        for host, status in (("pi.local:8000", 200), ("[fe80::1]:8000", 200), ("0.0.0.0:8000", 200), ("other.local:8000", 400)):
            assert client.get("/api/status", headers={"host": host}).status_code == status


@pytest.mark.parametrize("name", ["http://pi.local", "pi.local:8000", "pi local", "-pi", ""])
def test_serve_refuses_a_bad_allowed_host_in_one_line(capsys, name):
    import reglab.cli.serving  # noqa: F401  (registers 'serve')
    from reglab.cli import execute

    assert execute(["serve", "--allow-host", name, "--port", "8000"]) == 2
    assert capsys.readouterr().err == (
        "reglab: error: The '--allow-host' option must be a host name or an IP address, without scheme or port "
        f"(such as raspberrypi.local or 192.168.1.20). Got {name!r} instead.\n"
    )
