"""The playground in Debian's Chromium: the real server, the real page, training streamed live.

Screenshots are saved under each test's tmp dir (and copied to ``$REGLAB_SCREENSHOT_DIR`` when set);
with REGLAB_UPDATE_SCREENSHOT=1 the λ-ladder picture also replaces ``docs/playground.png``, the picture
the README shows. Every test trains a tiny network for a few epochs: the file takes well under a minute.
"""

import base64
import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DOCS_SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "playground.png"
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
TINY = "hidden=4&n=200&epochs=10000"  # a network and data small enough for seconds of training (and a cap never reached)

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and os.environ.get("REGLAB_SKIP_BROWSER") == "1", reason="REGLAB_SKIP_BROWSER=1"
)


@contextmanager
def serving(**options):
    """The playground under uvicorn on a free port, in a thread of this process: ``(url, app)``."""
    import uvicorn

    from reglab.web import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(**options)
    runner = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=runner.run, name="uvicorn", daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not runner.started and time.monotonic() < end:
        time.sleep(0.05)
    assert runner.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        runner.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def server():
    with serving() as served:
        yield served


@pytest.fixture
def browser_log():
    """What the page logged as an error and every request it made elsewhere; a test removes what it expects."""
    return {"errors": [], "outside": []}


@pytest.fixture
def page(server, browser_log, request):
    """A fresh page (1440×900 unless parametrized with a viewport); no error and no request elsewhere allowed."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is not installed: scripts/test.sh installs Debian's chromium"
    url, app = server
    errors, outside = browser_log["errors"], browser_log["outside"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page(viewport=getattr(request, "param", DESKTOP), accept_downloads=True)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 400 else None)
        page.on("request", lambda r: None if r.url.startswith((url, "data:", "blob:", "about:")) else outside.append(r.url))
        yield page
        logged = list(errors)
        page.goto("about:blank")  # pagehide: the page deletes its run
        browser.close()
    end = time.monotonic() + 5
    while app.state.runs.alive() and time.monotonic() < end:  # the next test starts with every place free
        time.sleep(0.05)
    assert logged == []
    assert outside == []


def open_page(page, url: str, query: str = "") -> None:
    page.goto(f"{url}/?{query}")
    ready(page)


def ready(page) -> None:
    """The page shows a run made with its current settings, and nothing is being made."""
    page.wait_for_function("state.run !== null && state.frame !== null && !state.dirty && runs.loop === null", timeout=30_000)


def epoch(page) -> int:
    return int(page.inner_text("#epoch"))


def play_until(page, epochs: int) -> None:
    page.wait_for_function(f"Number(document.getElementById('epoch').textContent) > {epochs}", timeout=60_000)


def pause(page) -> None:
    """Pauses and waits until the page is still: a frame the server trained before the pause reached it may still
    come, so the page counts as paused once no frame has arrived for 0.4 s and the last one is painted."""
    if page.evaluate("state.playing"):
        page.click("#play")
    page.wait_for_function("!state.playing && state.stats.paintedEpoch === state.frame.epoch")
    for _ in range(50):
        before = page.evaluate("state.stats.received")
        page.wait_for_timeout(400)
        if page.evaluate("state.stats.received") == before:
            break
    page.wait_for_function("state.stats.paintedEpoch === state.frame.epoch")


def boundary_colours(page, index: int) -> int:
    """Distinct colours on a sample of the boundary canvas's pixels (1 for a blank canvas)."""
    script = """(k) => {
        const c = document.querySelectorAll('.boundary canvas')[k], d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 97) seen.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2] + ',' + d[i + 3]);
        return seen.size;
    }"""
    return page.evaluate(script, index)


def settings(page) -> dict:
    script = """() => Object.fromEntries([...document.querySelectorAll('[data-key], [data-field]')]
        .map(e => [e.id || `${e.dataset.field}-${e.dataset.model}`, e.type === 'checkbox' ? e.checked : e.value]))"""
    return page.evaluate(script)


def save_screenshot(page, path: Path) -> None:
    page.screenshot(path=str(path), full_page=True, animations="disabled", timeout=120_000)  # a loaded CI machine took over 30 s once
    if os.environ.get("REGLAB_SCREENSHOT_DIR"):
        Path(os.environ["REGLAB_SCREENSHOT_DIR"]).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(os.environ["REGLAB_SCREENSHOT_DIR"]) / path.name)


def server_runs(app) -> set[str]:
    return {run.id for run in app.state.runs.alive()}


# the page checked as a person or a screen reader meets it ------------------------------------------------

OUTSIDE_THE_VIEWPORT = """() => {
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
        if (el.closest('.sr-only')) continue;
        const r = el.getBoundingClientRect(), style = getComputedStyle(el);
        if (!r.width || !r.height || style.visibility === 'hidden') continue;
        if (r.left < -0.5 || r.right > innerWidth + 0.5) out.push(`${el.tagName}#${el.id}.${el.className}: ${r.left}..${r.right}`);
    }
    return out;
}"""

NARROW_CHARTS = """() => [...document.querySelectorAll('canvas')]
    .filter(c => c.getClientRects().length && c.getBoundingClientRect().width < 200)
    .map(c => `${c.id || c.className} is ${c.getBoundingClientRect().width} px wide`)"""

# rectangles of every visible piece of text (the tooltip and the passing status line float on purpose)
OVERLAPPING_TEXT = """() => {
    const boxes = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!node.textContent.trim() || el.closest('.sr-only, select, #tooltip, #message, script')) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) {
            if (r.width > 0 && r.height > 0) boxes.push({ r, node, text: node.textContent.trim().slice(0, 30) });
        }
    }
    const hits = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i].r, b = boxes[j].r;
        if (boxes[i].node === boxes[j].node) continue;
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left), y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 2) hits.push(`"${boxes[i].text}" overlaps "${boxes[j].text}"`);
    }
    return hits;
}"""

# the text drawn on each visible canvas: inside it, no two pieces overlapping
CANVAS_LABELS = """() => [...document.querySelectorAll('canvas')].filter(c => c.getClientRects().length).flatMap(c => {
    const labels = c._labels || [], bad = [], name = c.id || c.getAttribute('aria-label');
    for (const b of labels) {
        const inside = b.x >= -0.5 && b.y >= -0.5 && b.x + b.w <= c.clientWidth + 0.5 && b.y + b.h <= c.clientHeight + 0.5;
        if (!inside) bad.push(`${name}: "${b.text}" leaves the canvas`);
    }
    for (let i = 0; i < labels.length; i++) for (let j = i + 1; j < labels.length; j++) {
        const a = labels[i], b = labels[j];
        if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) bad.push(`${name}: "${a.text}" overlaps "${b.text}"`);
    }
    return bad;
})"""

UNNAMED_CONTROLS = """() => {
    const textOf = label => {  // a label's own words, without the text of the controls inside it
        const copy = label.cloneNode(true);
        copy.querySelectorAll('input, select, textarea, option').forEach(e => e.remove());
        return copy.textContent.trim();
    };
    const name = el => {
        const by = (el.getAttribute('aria-labelledby') || '').split(/\\s+/).filter(Boolean)
            .map(id => document.getElementById(id)?.textContent.trim() || '').join(' ').trim();
        return by || (el.getAttribute('aria-label') || '').trim() || [...(el.labels || [])].map(textOf).join(' ').trim()
            || (el.tagName === 'BUTTON' ? el.textContent.trim() : '');
    };
    return [...document.querySelectorAll('input, select, button, textarea')].filter(el => !name(el)).map(el => el.outerHTML.slice(0, 140));
}"""


# tests ----------------------------------------------------------------------------------------------------


def test_the_playground_trains_compares_and_shares(server, page, tmp_path):
    url, app = server
    open_page(page, url)
    page.click("#play")
    play_until(page, 20)
    assert boundary_colours(page, 0) > 20

    # λ changed mid-run: training goes on from the current weights, the charts mark the epoch, the command follows
    page.select_option("#penalty", "l2")
    page.fill("#lam", "0.3")
    page.dispatch_event("#lam", "change")
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function("state.marks.length >= 2")
    except PlaywrightTimeout:  # say what the page held, so that a rare failure can be read
        held = page.evaluate("JSON.stringify({marks: state.marks, playing: state.playing, epoch: state.frame?.epoch, live: state.live})")
        raise AssertionError(f"no mark for the change after 30 s: {held}") from None
    marked = page.evaluate("state.marks.map(m => m.text)")
    assert marked[-1].endswith("→ l2(λ=0.3), lr 0.01")
    at = page.evaluate("state.marks[state.marks.length - 1].epoch")
    page.wait_for_function(f"state.series[0].x.some(epoch => epoch > {at} + 2)")
    penalties = page.evaluate(f"(s => s.penalty.filter((_, i) => s.x[i] > {at}))(state.series[0])")
    assert min(penalties) > 0
    command = page.inner_text("#commands")
    assert "--penalty l2" in command and "--lam 0.3" in command and "changed mid-run" in command

    # the λ ladder: five models in one stack, five different boundaries
    page.select_option("#compare", "ladder")
    page.wait_for_function("document.querySelectorAll('.boundary canvas').length === 5 && state.frame && state.frame.models.length === 5")
    if not page.evaluate("state.playing"):
        page.click("#play")
    play_until(page, 40)
    grids = page.evaluate("state.frame.models.map(m => Array.from(Views.bytesOf(state.meta, m).p))")
    assert len({tuple(g) for g in grids}) == 5
    spread = sum(abs(a - b) for a, b in zip(grids[0], grids[-1])) / len(grids[0])
    assert spread > 10  # λ = 1 flattens the boundary that λ = 0 draws
    assert all(boundary_colours(page, k) > 5 for k in range(5))
    pause(page)  # a still picture
    shot = tmp_path / "playground.png"
    save_screenshot(page, shot)
    assert shot.stat().st_size > 50_000
    if os.environ.get("REGLAB_UPDATE_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)

    # the shared link opens the same settings: every model's own ones included
    page.click("#share")
    before, shared = settings(page), page.url
    assert "cmp=ladder" in shared and "pen=l2" in shared and "models=" in shared
    page.goto("about:blank")
    page.goto(shared)
    page.wait_for_function("state.frame !== null && state.frame.models.length === 5")
    assert settings(page) == before
    assert page.evaluate("state.meta.labels") == [f"l2(λ={lam:g})" for lam in (0, 0.001, 0.01, 0.1, 1)]


@pytest.mark.parametrize("page", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_the_layout_fits_the_screen_and_no_label_overlaps(server, page, tmp_path):
    url, _ = server
    viewport = page.viewport_size
    open_page(page, url, f"cmp=ladder&pen=l2&{TINY}")
    page.click("#play")
    play_until(page, 8)
    pause(page)

    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert page.evaluate(OUTSIDE_THE_VIEWPORT) == []
    assert page.evaluate(NARROW_CHARTS) == []
    assert page.evaluate("document.querySelectorAll('.boundary canvas, #histograms canvas').length") == 5 + 2 * 5
    for control in ("#epoch", "#play", "#reset", "#share", "#export"):
        box = page.locator(control).bounding_box()
        assert box and 0 <= box["x"] and box["x"] + box["width"] <= viewport["width"] and box["y"] + box["height"] <= viewport["height"]
    assert page.evaluate(OVERLAPPING_TEXT) == []
    assert page.evaluate(CANVAS_LABELS) == []
    # no verdict is drawn before the first trained epoch; after it, each panel has one
    assert "not trained yet" not in page.inner_text("#boundaries")

    name = "phone" if viewport["width"] < 500 else "desktop"
    if name == "phone":  # the settings live in a drawer that a button opens and closes
        assert not page.locator("#lam").is_visible()
        page.click("#drawer-toggle")
        assert page.locator("#lam").is_visible() and page.get_attribute("#drawer-toggle", "aria-expanded") == "true"
        assert page.evaluate(OUTSIDE_THE_VIEWPORT) == []
        save_screenshot(page, tmp_path / "playground-phone-drawer.png")
        page.click("#drawer-close")
        assert not page.locator("#lam").is_visible()
    else:
        assert page.locator("#lam").is_visible() and not page.locator("#drawer-toggle").is_visible()
    save_screenshot(page, tmp_path / f"playground-{name}.png")


@pytest.mark.parametrize("page", [PHONE, DESKTOP], ids=["phone", "desktop"], indirect=True)
def test_the_choices_are_the_servers_vocabulary_and_start_at_its_defaults(server, page):
    from reglab.regularizers import CONVENTION, CONVERSIONS, PENALTY_KINDS
    from reglab.rules import ACTIVATIONS, GENERATORS, L1_METHODS, OPTIMIZERS, VALIDATION_FRACTION
    from reglab.web.models import RunRequest
    from reglab.web.plane import INPUTS

    url, _ = server
    open_page(page, url, TINY)
    values = "id => [...document.getElementById(id).options].filter(o => !o.hidden).map(o => o.value)"
    assert page.evaluate(values, "activation") == list(ACTIVATIONS)
    assert page.evaluate(values, "optimizer") == list(OPTIMIZERS)
    assert page.evaluate(values, "penalty") == list(PENALTY_KINDS)
    assert page.evaluate(values, "l1_method") == list(L1_METHODS)
    assert page.evaluate(values, "dataset") == [*GENERATORS, "upload"]
    assert page.evaluate("Object.keys(Forward.ACTIVATIONS)") == list(ACTIVATIONS)  # the page draws every activation offered
    boxes = page.evaluate(
        "[...document.querySelectorAll('[data-input]')].map(b => [b.dataset.input, b.labels[0].textContent.trim(), b.checked])"
    )
    assert boxes == [[key, words, key in ("x1", "x2")] for key, words in INPUTS.items()]
    assert page.evaluate("Object.keys(Forward.FEATURES)") == list(INPUTS)  # the page computes every input offered
    assert page.inner_text("#convention").startswith(CONVENTION) and CONVERSIONS["playground"] in page.inner_text("#convention")
    defaults = RunRequest()
    assert page.input_value("#val_size") == f"{VALIDATION_FRACTION:g}" and page.input_value("#noise") == f"{defaults.data.noise:g}"
    assert page.input_value("#optimizer") == defaults.optimizer and page.input_value("#activation") == defaults.activation
    assert page.input_value("#penalty") == defaults.models[0].penalty and page.input_value("#lam") == f"{defaults.models[0].lam:g}"
    # a select built from the vocabulary is reached by its label, as a screen reader reaches it (on a phone, in the drawer)
    if page.viewport_size["width"] < 500:
        page.click("#drawer-toggle")
    for label, id_ in (("Activation", "activation"), ("Optimizer", "optimizer"), ("Penalty", "penalty"), ("L1 method", "l1_method")):
        assert page.get_by_role("combobox", name=label).get_attribute("id") == id_
    assert page.evaluate(UNNAMED_CONTROLS) == [] and page.evaluate(OUTSIDE_THE_VIEWPORT) == []


def test_double_click_on_reset_then_play_leaves_exactly_one_run(server, page):
    url, app = server
    before = server_runs(app)
    open_page(page, url, TINY)
    page.fill("#hidden", "3")  # a new network: a run is being made while the clicks come
    page.dispatch_event("#hidden", "change")
    page.dblclick("#reset")
    page.click("#play")
    ready(page)
    play_until(page, 2)
    mine = server_runs(app) - before
    assert mine == {page.evaluate("state.run")}
    assert page.evaluate("state.applied.hidden") == [3]

    page.goto("about:blank")  # the page's run ends with the page
    end = time.monotonic() + 5
    while mine & server_runs(app) and time.monotonic() < end:
        time.sleep(0.05)
    assert not mine & server_runs(app)


def test_every_control_has_a_name_and_every_chart_a_text_summary(server, page):
    url, _ = server
    open_page(page, url, f"cmp=ladder&pen=l2&{TINY}")
    page.click("#step")
    page.wait_for_function("state.frame.epoch === 1 && state.stats.paintedEpoch === 1")
    assert page.evaluate("document.querySelectorAll('#models [data-field]').length") == 15  # the models' own editors are there
    assert page.evaluate(UNNAMED_CONTROLS) == []
    described = page.evaluate("""() => [...document.querySelectorAll('canvas')].map(c => ({
        role: c.getAttribute('role'), name: c.getAttribute('aria-label'),
        text: document.getElementById(c.getAttribute('aria-describedby') || '')?.textContent || '' }))""")
    assert len(described) == 2 + 5 + 2 * 5 + 1  # loss and score, boundaries, histograms, the network graph
    for chart in described:
        assert chart["role"] == "img" and chart["name"] and "epoch 1" in chart["text"], chart
    assert page.get_attribute("#problems", "aria-live") == "assertive"
    assert page.get_attribute("#message", "role") == "status"


def test_refused_values_go_back_to_the_models_and_stay_marked(server, page):
    url, _ = server
    page.clock.install()
    open_page(page, url, "hidden=4&n=99999&act=bogus&epochs=10000")  # a link may carry anything
    assert page.inner_text("#problem-n_samples").startswith(
        "Samples must be a whole number from 20 to 5000; the link gave “99999”. Back to 500, the default."
    )
    assert "the link gave “bogus”. Back to relu, the default." in page.inner_text("#problem-activation")
    assert page.evaluate("[state.applied.data.n_samples, state.applied.activation]") == [500, "relu"]
    for key in ("n_samples", "activation"):
        page.click(f"#problem-{key} button[aria-label='Dismiss this message']")
    assert page.get_attribute("#n_samples", "aria-invalid") is None

    page.fill("#lam", "1e9")
    page.dispatch_event("#lam", "change")
    assert page.input_value("#lam") == "0.01" and page.input_value("#lam_slider") == "-2"
    assert page.get_attribute("#lam", "aria-invalid") == "true"
    assert page.evaluate("getComputedStyle(document.getElementById('lam')).borderTopColor") == "rgb(185, 28, 28)"
    message = page.inner_text("#problem-lam")
    assert "λ must be a number from 0 to 100; you entered “1e9”. Back to 0.01, the model's value." in message
    assert page.get_attribute("#lam", "aria-describedby") == "problem-lam"
    page.clock.fast_forward(60_000)
    assert page.inner_text("#problem-lam") == message  # it stays until corrected
    assert page.evaluate("state.live[0].lam") == 0.01

    # an invalid learning rate is refused at once, before any training
    page.fill("#lr", "0")
    page.dispatch_event("#lr", "change")
    assert page.input_value("#lr") == "0.01"
    assert "Learning rate must be a number greater than 0 and at most 10; you entered “0”." in page.inner_text("#problem-lr")

    # hidden sizes are checked as they are typed; the network keeps its sizes until the text is valid
    refusals = {"8,,8": "a width is missing between commas", "1e3": "“1e3” is not a whole number", "4,2000": "2000 is outside 1 to 1024"}
    for typed, why in refusals.items():
        page.fill("#hidden", typed)
        assert page.get_attribute("#hidden", "aria-invalid") == "true"
        assert why in page.inner_text("#problem-hidden")
        page.dispatch_event("#hidden", "change")
        assert page.input_value("#hidden") == "4" and why in page.inner_text("#problem-hidden")
    assert page.evaluate("state.applied.hidden") == [4]

    # corrected: the marks and messages go, the models take the values
    page.fill("#hidden", "5, 3")
    page.dispatch_event("#hidden", "change")
    page.fill("#lam", "0.3")
    page.dispatch_event("#lam", "change")
    page.fill("#lr", "0.05")
    page.dispatch_event("#lr", "change")
    ready(page)
    assert page.evaluate("document.querySelectorAll('#problems .problem').length") == 0
    assert page.get_attribute("#lam", "aria-invalid") is None and page.get_attribute("#hidden", "aria-invalid") is None
    assert page.evaluate("[state.applied.hidden, state.live[0].lam, state.live[0].lr]") == [[5, 3], 0.3, 0.05]
    assert page.input_value("#hidden") == "5,3"


def test_a_refusal_by_the_server_is_put_in_the_pages_words(server, page, browser_log):
    url, _ = server
    open_page(page, url, TINY)
    refused = []

    def refuse_once(route):  # what the server answers a value out of its range, to the run that asks for it
        if route.request.method == "POST" and not refused and route.request.post_data_json["data"]["noise"] == 1.5:
            refused.append(route.request.post_data_json["data"]["noise"])
            detail = [{"type": "less_than_equal", "loc": ["body", "data", "noise"], "msg": "Input should be less than or equal to 2"}]
            route.fulfill(status=422, json={"detail": detail, "message": "The 'data.noise' field is invalid. Got 1.5 instead."})
        else:
            route.continue_()

    page.route("**/api/runs", refuse_once)
    page.fill("#noise", "1.5")
    page.dispatch_event("#noise", "change")
    page.wait_for_selector("#problem-noise")
    ready(page)  # the run starts again with the value in use
    assert refused == [1.5]
    assert page.inner_text("#problem-noise").startswith(
        "The server refused the run. Noise must be a number from 0 to 2. Back to 0.25, the value in use."
    )
    assert page.get_attribute("#noise", "aria-invalid") == "true" and page.input_value("#noise") == "0.25"
    assert page.evaluate("state.applied.data.noise") == 0.25
    browser_log["errors"][:] = [e for e in browser_log["errors"] if "422" not in e]


def test_compare_mode_shows_and_edits_each_model_or_all(server, page):
    url, _ = server
    open_page(page, url, f"cmp=ladder&{TINY}")
    # the sidebar shows what the models have: all L2, λ differs (the Models table gives each)
    assert page.input_value("#penalty") == "l2"
    assert page.input_value("#lam") == "" and page.get_attribute("#lam", "placeholder") == "per model"
    lams = "[...document.querySelectorAll('#models [data-field=lam]')].map(e => Number(e.value))"
    assert page.evaluate(lams) == [0, 0.001, 0.01, 0.1, 1]
    assert "--penalty l2" in page.inner_text("#commands") and "--lam 0,0.001,0.01,0.1,1" in page.inner_text("#commands")
    page.click("#play")
    play_until(page, 3)

    # one model, from its panel: changed live, both of its editors show it
    page.fill(".model-lam[data-model='2']", "0.5")
    page.dispatch_event(".model-lam[data-model='2']", "change")
    page.wait_for_function("state.live[2].lam === 0.5 && state.frame.models[2].label === 'l2(λ=0.5)'")
    assert page.evaluate(lams) == [0, 0.001, 0.5, 0.1, 1]

    # every model at once, from the sidebar
    page.fill("#lam", "0.02")
    page.dispatch_event("#lam", "change")
    page.wait_for_function("state.frame.models.every(m => m.label === 'l2(λ=0.02)')")
    assert page.evaluate(lams) == [0.02] * 5 and page.input_value("#lam") == "0.02"
    assert page.evaluate("document.querySelectorAll('.model-lam')[4].value") == "0.02"

    # the penalty of one model: the sidebar says the models differ
    page.select_option("#models [data-model='0'][data-field='penalty']", "l1")
    page.wait_for_function("state.frame.models[0].label === 'l1(λ=0.02)'")
    assert page.input_value("#penalty") == "mixed"
    pause(page)


def test_charts_keep_a_robust_range_and_their_labels_apart(server, page):
    url, _ = server
    open_page(page, url, TINY)
    result = page.evaluate("""() => {
        const c = document.createElement('canvas');
        c.style.cssText = 'width: 360px; height: 220px; display: block';
        document.body.append(c);
        const xs = [...Array(1001).keys()], ys = xs.map(x => 0.3 + 0.05 * Math.sin(x / 9));
        ys[500] = 40; ys[501] = 25; ys[502] = 12;   // a spike after a change of λ
        const marks = [{ x: 500, text: 'λ' }, { x: 503, text: 'λ' }];
        const info = Charts.lines(c, [{ xs, ys, color: '#000', label: 'total' }], { yMin: 0, marks });
        const smooth = Charts.smooth(xs, xs.map(x => x % 2), 3), step = Charts.smooth(xs, xs.map(x => (x < 500 ? 0 : 1)), 10, [499]);
        const nice = Charts.niceTicks(0, 0.0123, 5), ticks = nice.map(t => Charts.tickText(t, nice.step));
        const result = { info, labels: c._labels.map(b => ({ ...b })), width: c.clientWidth, smooth: smooth.slice(10, 14), ticks };
        result.step = [step[498], step[499], step[500], step[501]];
        c.remove();
        return result;
    }""")
    info = result["info"]
    assert info["hi"] < 1 and info["above"] == 3 and info["aboveMax"] == 40  # the spike is marked, not scaled to
    texts = [b["text"] for b in result["labels"]]
    assert "1000" in texts and texts.count("▼") == 1  # the last x tick is drawn; two marks close together share one ▼
    assert all(-0.5 <= b["x"] and b["x"] + b["w"] <= result["width"] + 0.5 for b in result["labels"])
    assert all(abs(v - 0.5) < 0.1 for v in result["smooth"])  # smoothed ...
    assert result["step"] == [0, 0, 1, 1]  # ... but never across a change made mid-run
    assert len(set(result["ticks"])) == len(result["ticks"])  # neighbouring ticks never read alike


def test_frames_are_painted_latest_first_and_export_confirms(server, page):
    url, _ = server
    open_page(page, url, f"speed=1&{TINY}")
    # before the first trained epoch: no verdict, and the charts say so
    assert page.inner_text(".boundary .verdict") == "not trained yet"
    assert page.get_attribute(".boundary .verdict", "class") == "verdict pending"
    assert page.inner_text("#loss-caption") == "No epoch trained yet."
    page.keyboard.press("Space")  # Space plays
    page.wait_for_function("state.playing")
    play_until(page, 30)
    pause(page)
    stats, latest, shown = page.evaluate("[state.stats, state.frame.epoch, Number(document.getElementById('epoch').textContent)]")
    assert 0 < stats["painted"] <= stats["received"]  # never more paints than frames
    assert stats["paintedEpoch"] == latest == shown  # the latest frame received is the one painted and shown
    assert page.inner_text(".boundary .verdict") != "not trained yet"
    page.wait_for_function("document.getElementById('loss-caption').textContent.startsWith(`Loss at epoch ${state.frame.epoch}.`)")

    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename == f"reglab-playground-epoch{epoch(page)}.json"
    page.wait_for_function("!document.getElementById('message').hidden")
    assert page.inner_text("#message").startswith(f"Exported reglab-playground-epoch{epoch(page)}.json: weights and history of the model")


def test_the_page_writes_the_same_commands_as_the_server(server, page):
    from reglab.web.export import reglab_commands
    from reglab.web.models import RunRequest

    url, _ = server
    open_page(page, url, TINY)
    base = page.evaluate("buildRequest(false)")
    models = [
        [{"penalty": "l2", "lam": 1e-05, "lr": 0.01, "l1_method": "proximal"}],
        [{"penalty": p, "lam": 0.0001, "lr": 0.5, "l1_method": "subgradient"} for p in ("none", "l1", "l2", "l1l2")],
        [{"penalty": "l1", "lam": lam, "lr": 0.01, "l1_method": "proximal"} for lam in (0, 0.00123456789, 1.5, 100)],
        [{"penalty": "l1l2", "lam": 0.25, "lr": lr, "l1_method": "proximal"} for lr in (0.001, 1234567.0 / 1e6)],
    ]
    shared = {"regularize_output": True, "weight_decay": 0.001, "dropout": 0.1, "patience": 7}
    for specs in models:
        data = {**base["data"], "dataset": "blobs", "noise": 0.125}
        request = {**base, "seed": 3, "data": data, "models": [{**m, **shared} for m in specs]}
        assert page.evaluate("r => Settings.commands(r)", request) == reglab_commands(RunRequest(**request))
    assert page.evaluate("Settings.commands(state.applied)") == page.evaluate("state.meta.commands")


# the page's own forward pass, its run on the server, and TF Playground's views -----------------------------


@pytest.mark.parametrize(
    "query, key",
    [
        ("dataset=moons&act=tanh&in=x1,x2,x1sq,x1x2,sinx2&hidden=6,4", "p"),
        ("dataset=blobs&act=gelu&in=x1,x2,sinx1&hidden=5", "label"),
        ("dataset=regression&act=linear&in=x1,x2sq&hidden=4", "value"),
    ],
    ids=["binary-tanh", "multiclass-gelu", "regression-linear"],
)
def test_the_page_and_the_server_draw_the_same_boundary(server, page, query, key):
    from reglab.web.plane import boundary_images

    url, app = server
    open_page(page, url, f"{query}&n=200&epochs=10000")
    for epoch in (1, 2, 3):
        page.click("#step")
        page.wait_for_function(f"state.frame.epoch === {epoch}")
    assert page.evaluate("state.meta.draw") == "page"
    model = page.evaluate("""(() => {
        const m = state.frame.models[0], b = Views.bytesOf(state.meta, m);
        return { params: m.params, bytes: Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Array.from(v)])) };
    })()""")
    run = app.state.runs.find(page.evaluate("state.run"))
    sizes = page.evaluate("state.meta.sizes")
    flat, kernels, biases, at = np.frombuffer(base64.b64decode(model["params"]), dtype="<f4"), [], [], 0
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        kernels.append(torch_tensor(flat[at : at + fan_in * fan_out].reshape(fan_in, fan_out)))
        biases.append(torch_tensor(flat[at + fan_in * fan_out : at + fan_in * fan_out + fan_out]))
        at += fan_in * fan_out + fan_out
    server_images = boundary_images({0: (kernels, biases)}, run.context.activation, run.context.task, run.grid, run.context.target)
    for name, encoded in server_images[0].items():
        theirs = np.frombuffer(base64.b64decode(encoded), dtype=np.uint8).astype(int)
        ours = np.asarray(model["bytes"][name])
        assert ours.shape == theirs.shape == (100 * 100,)
        assert np.abs(ours - theirs).max() <= 1 and (ours == theirs).mean() > 0.99, name  # float32 on the server, float64 here
    assert len(set(model["bytes"][key])) > 1


def torch_tensor(array):
    import torch

    return torch.from_numpy(np.array(array, dtype=np.float32))


def test_a_hidden_page_ends_its_run_and_starts_again_when_shown(page, browser_log):
    with serving(idle_timeout=2.5) as (url, app):
        open_page(page, url, TINY)
        page.click("#play")
        play_until(page, 3)
        first = page.evaluate("state.run")
        time.sleep(3.5)  # visible: its heartbeats keep the run
        assert {r.id for r in app.state.runs.alive()} == {first}
        page.evaluate("""() => {
            Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
            document.dispatchEvent(new Event('visibilitychange'));
        }""")
        page.wait_for_function("state.run === null", timeout=15_000)  # the server ended it; the page was told
        assert app.state.runs.alive() == []
        assert page.inner_text("#message").startswith("The run ended on the server (this page was hidden or idle too long)")
        page.evaluate("""() => {
            Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
            document.dispatchEvent(new Event('visibilitychange'));
        }""")
        page.click("#play")
        ready(page)
        play_until(page, 2)
        assert page.evaluate("state.run") != first and len(app.state.runs.alive()) == 1
        page.goto("about:blank")
    browser_log["outside"][:] = [u for u in browser_log["outside"] if not u.startswith(url)]


def test_play_on_a_finished_run_goes_on_and_changes_after_the_cap_are_marked(server, page):
    url, _ = server
    open_page(page, url, "hidden=4&n=200&epochs=15&speed=5")
    page.click("#play")
    page.wait_for_function("state.finished && state.frame.epoch === 15 && !state.playing")
    # the label is painted at the next animation frame after the state changes
    page.wait_for_function("document.getElementById('state').textContent === 'finished'")
    page.select_option("#penalty", "l2")  # after the cap: live, from the current weights
    page.wait_for_function("state.marks.length === 1")
    assert page.evaluate("state.marks[0]") == {"epoch": 15, "model": 0, "text": "none, lr 0.01 → l2(λ=0.01), lr 0.01"}
    page.fill("#dropout", "0.2")
    page.dispatch_event("#dropout", "change")
    page.wait_for_function("document.getElementById('message').textContent.startsWith('Changed at epoch 15: dropout 0 → 0.2')")
    page.click("#play")  # goes on to the cap's next multiple
    page.wait_for_function("state.finished && state.frame.epoch === 30", timeout=30_000)
    assert page.evaluate("state.marks.map(m => [m.epoch, m.model])") == [[15, 0], [15, None]]
    command = page.inner_text("#commands")
    assert "changed mid-run (model 1 at epoch 15, all models at epoch 15)" in command
    assert "--epochs 15" in command and "--penalty l2" in command and "--dropout 0.2" in command


def test_the_network_graph_draws_each_neuron_and_no_edge_for_a_zero(server, page):
    url, _ = server
    open_page(page, url, "hidden=6,6&n=200&pen=l1&lam=0.05&in=x1,x2,x1sq&epochs=10000")
    page.click("#play")
    play_until(page, 60)
    pause(page)
    page.wait_for_function("document.getElementById('graph-caption').textContent.startsWith(`At epoch ${state.frame.epoch}.`)")
    # one snapshot of the caption and the frame it describes (a frame trained before the pause took effect may still come)
    caption, shown, zeros = page.evaluate(
        "[document.getElementById('graph-caption').textContent, state.frame.epoch, state.frame.models[0].exact_zero]"
    )
    assert zeros > 0  # proximal L1 gives exact zeros ...
    assert caption.startswith(f"At epoch {shown}. Network of model 1: inputs x₁, x₂, x₁²; hidden layers 6, 6; one output.")
    assert f"of {3 * 6 + 6 * 6 + 6} kernel weights drawn as edges" in caption
    assert f"{zeros} exactly zero, not drawn" in caption  # ... and not drawn
    colours = page.evaluate("""() => {
        const c = document.getElementById('graph'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, seen = new Set();
        for (let i = 0; i < d.length; i += 4 * 31) seen.add(d[i] + ',' + d[i + 1] + ',' + d[i + 2]);
        return seen.size;
    }""")
    assert colours > 50  # neuron pictures and weighted edges, not an empty canvas
    smooth = boundary_colours(page, 0)
    page.check("#discretize")
    page.wait_for_function("state.accepted.discretize === true")
    page.evaluate("new Promise(requestAnimationFrame)")
    assert boundary_colours(page, 0) < smooth / 2  # two colours (and the points on them)
    assert "disc=1" in page.url and "in=x1%2Cx2%2Cx1sq" in page.url
    assert "linear" in page.evaluate("[...document.querySelectorAll('#activation option')].map(o => o.value)")


def test_two_pages_hold_one_run_each_and_reach_only_their_own(server, page, browser_log):
    url, app = server
    open_page(page, url, TINY)
    other = page.context.browser.new_page()
    open_page(other, url, TINY)
    mine, theirs = page.evaluate("state.run"), other.evaluate("state.run")
    page.fill("#hidden", "3")
    page.dispatch_event("#hidden", "change")
    ready(page)
    runs = server_runs(app)
    assert theirs in runs and mine not in runs and page.evaluate("state.run") in runs  # replaced, not added
    status = page.evaluate("fetch('/api/status').then(r => r.json())")
    assert status["owners"] >= 2 and len(status["runs"]) == len(runs)
    answer = page.evaluate(f"api('POST', '/api/runs/{theirs}/control', {{ action: 'pause' }}).catch(e => [e.status, e.message])")
    assert answer == [403, f"Run {theirs} belongs to another page; a page reaches only its own run."]
    other.close()
    page.wait_for_function("true", polling=300)  # the console's report of the refusal comes after the answer
    page.wait_for_timeout(300)
    browser_log["errors"][:] = [e for e in browser_log["errors"] if "403" not in e]
