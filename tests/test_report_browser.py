"""The lecture report in Chromium: every image loads, a figure's text is projector-sized, and it prints to A4."""

import dataclasses
import os
import shutil

import pytest

from reglab.lecture import run_lecture, settings_for
from reglab.views.report import write_report
from reglab.views.style import DPI, RC

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"]
PROJECTOR_PT = 14  # smallest text size, in CSS points, at the size the page shows a figure


@pytest.fixture(scope="module")
def page_path(tmp_path_factory):
    s = dataclasses.replace(
        settings_for(quick=True, seeds=2), epochs=4, lam_grid=(0.0, 0.01, 1.0), lam_shown=(0.0, 1.0), widths=(1, 4), resolution=16,
        patience=2,
    )  # fmt: skip
    return write_report(run_lecture(s), tmp_path_factory.mktemp("report"), svg=False)


@pytest.mark.skipif(CHROMIUM is None and os.environ.get("REGLAB_SKIP_BROWSER") == "1", reason="REGLAB_SKIP_BROWSER=1")
def test_the_page_loads_every_image_shows_large_text_and_prints_to_a4(page_path):
    from playwright.sync_api import sync_playwright

    assert CHROMIUM, "Chromium is not installed: scripts/test.sh installs Debian's chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(page_path.as_uri())
        images = page.eval_on_selector_all("img", "els => els.map(e => [e.alt, e.complete && e.naturalWidth > 0])")
        assert images and all(ok for _, ok in images), [alt for alt, ok in images if not ok]
        natural, shown = page.eval_on_selector("img[alt=weights_magnitudes]", "e => [e.naturalWidth, e.clientWidth]")
        smallest_px = min(RC["xtick.labelsize"], RC["legend.fontsize"], RC["axes.labelsize"]) * DPI / 72 * shown / natural
        assert smallest_px >= PROJECTOR_PT * 96 / 72, (natural, shown)
        anchors = page.eval_on_selector_all("nav a", "els => els.map(e => e.getAttribute('href').slice(1))")
        assert {"glance", "claims", "setup", "checklist", "capacity", "datasets"} <= set(anchors)
        assert all(page.locator(f"[id='{a}']").count() == 1 for a in anchors)
        wide = page.eval_on_selector_all(".scroll", "els => els.filter(e => e.getBoundingClientRect().right > 1280).length")
        assert wide == 0
        page.set_viewport_size({"width": 390, "height": 800})  # a phone: tables scroll inside their box, the page does not
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
        pdf = page.pdf(format="A4", print_background=True)
        browser.close()
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") > 3


@pytest.mark.skipif(CHROMIUM is None and os.environ.get("REGLAB_SKIP_BROWSER") == "1", reason="REGLAB_SKIP_BROWSER=1")
def test_the_teachers_sheet_fits_one_printed_page(page_path):
    """A4 with the page's 12 mm side and 14 mm top and bottom margins: 186 mm × 269 mm of print, 703 × 1017 CSS px."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 703, "height": 1017})
        page.goto(page_path.as_uri())
        page.emulate_media(media="print")
        height = page.eval_on_selector("#teacher", "e => e.getBoundingClientRect().height")
        items = page.eval_on_selector_all("#teacher ol.checklist li", "els => els.length")
        browser.close()
    assert items == 9 and height <= 1017, height
