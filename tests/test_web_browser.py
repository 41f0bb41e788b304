"""The playground in Debian's Chromium: the real server, the real page, training streamed live.

The screenshot is saved under the test's tmp dir; with REGLAB_UPDATE_SCREENSHOT=1 it also replaces
``docs/playground.png``, the picture the README shows.
"""

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
DOCS_SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "playground.png"

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and os.environ.get("REGLAB_SKIP_BROWSER") == "1", reason="REGLAB_SKIP_BROWSER=1"
)


@pytest.fixture(scope="module")
def server():
    """The playground under uvicorn on a free port, in a thread of this process."""
    import uvicorn

    from reglab.web import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app()
    runner = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=runner.run, name="uvicorn", daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not runner.started and time.monotonic() < end:
        time.sleep(0.05)
    assert runner.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", app
    runner.should_exit = True
    thread.join(10)


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium is not installed: scripts/test.sh installs Debian's chromium"
    errors, outside = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("response", lambda r: errors.append(f"{r.status} {r.request.method} {r.url}") if r.status >= 400 else None)
        page.on("request", lambda r: None if r.url.startswith((server[0], "data:", "blob:")) else outside.append(r.url))
        yield page
        browser.close()
    assert errors == []
    assert outside == []


def epoch(page) -> int:
    return int(page.inner_text("#epoch"))


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
    script = """() => Object.fromEntries([...document.querySelectorAll('[data-key]')]
        .map(e => [e.id, e.type === 'checkbox' ? e.checked : e.value]))"""
    return page.evaluate(script)


def play_until(page, epochs: int) -> None:
    page.wait_for_function(f"Number(document.getElementById('epoch').textContent) > {epochs}", timeout=60_000)


def test_the_playground_trains_compares_and_shares(server, page, tmp_path):
    url, app = server
    page.goto(url + "/")
    page.select_option("#dataset", "moons")
    page.wait_for_function("state.run !== null && state.frame !== null && !state.dirty")
    page.click("#play")
    play_until(page, 20)
    assert boundary_colours(page, 0) > 20

    # λ changed mid-run: training goes on from the current weights, and the charts mark the epoch
    page.select_option("#penalty", "l2")
    page.fill("#lam", "0.3")
    page.dispatch_event("#lam", "change")
    page.wait_for_function("state.marks.length >= 2")
    marked = page.evaluate("state.marks.map(m => m.text)")
    assert marked[-1].endswith("→ l2(λ=0.3), lr 0.01")
    at = page.evaluate("state.marks[state.marks.length - 1].epoch")
    page.wait_for_function(f"state.history.some(r => r.epoch > {at} + 2)")
    penalties = page.evaluate(f"state.history.filter(r => r.epoch > {at}).map(r => r.models[0].penalty)")
    assert min(penalties) > 0

    # the λ ladder: five models in one stack, five different boundaries
    page.select_option("#compare", "ladder")
    page.wait_for_function("document.querySelectorAll('.boundary canvas').length === 5 && state.frame && state.frame.models.length === 5")
    if not page.evaluate("state.playing"):
        page.click("#play")
    play_until(page, 40)
    grids = page.evaluate("state.frame.models.map(m => Array.from(Charts.decode(m.boundary.p)))")
    assert len({tuple(g) for g in grids}) == 5
    spread = sum(abs(a - b) for a, b in zip(grids[0], grids[-1])) / len(grids[0])
    assert spread > 10  # λ = 1 flattens the boundary that λ = 0 draws
    assert all(boundary_colours(page, k) > 5 for k in range(5))
    page.click("#play")  # pause for a still picture
    page.wait_for_function("!state.playing")
    page.wait_for_timeout(300)
    shot = tmp_path / "playground.png"
    page.screenshot(path=str(shot), full_page=True, animations="disabled", timeout=120_000)  # a loaded CI machine took over 30 s once
    assert shot.stat().st_size > 50_000
    if os.environ.get("REGLAB_UPDATE_SCREENSHOT") == "1":
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)

    # the shared link opens the same settings
    page.click("#share")
    before, shared = settings(page), page.url
    assert "cmp=ladder" in shared and "pen=l2" in shared and "lam=0.3" in shared
    page.goto("about:blank")
    page.goto(shared)
    page.wait_for_function("state.frame !== null && state.frame.models.length === 5")
    assert settings(page) == before
    assert page.evaluate("state.meta.labels") == [f"l2(λ={lam:g})" for lam in (0, 0.001, 0.01, 0.1, 1)]
