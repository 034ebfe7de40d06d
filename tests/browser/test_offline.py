"""What a reader sees with no network: `make present` and a first `make lab`.

* The projector apps, served exactly as `make present` serves them (tools/make_apps.py's Voila
  command, ``gauge`` template), with every request outside 127.0.0.1 refused: the landing page
  and chapter 00's app load with zero console errors and zero failed requests, and the Font
  Awesome icons of the controls come from Voila's own files (the font is loaded).
* JupyterLab started with a fresh user-settings directory and nothing but the settings the book
  ships (share/jupyter/lab/settings/overrides.d/, installed into .venv by `make lab`) opens a
  chapter without the "Would you like to get notified about official Jupyter news?" toast.
"""
from __future__ import annotations

import re

import pytest

import browserkit as bk

REGISTRY = bk.make_apps.load_registry()


def _blocked_during(page, before):
    return page.guard.blocked[before:]


def test_present_landing_page_offline(voila_server, page):
    before = len(page.guard.blocked)
    page.goto(voila_server.url("/"), wait_until="commit")
    for entry in REGISTRY.values():
        page.get_by_text(entry["notebook"].removesuffix(".ipynb")).first.wait_for(timeout=60000)
    page.wait_for_load_state("load")
    page.wait_for_timeout(1000)  # late requests (icons, fonts) fail after the load event
    page.screenshot(path=str(bk.shots_dir() / "offline-voila-landing.png"))
    assert not _blocked_during(page, before), "the landing page asked for non-loopback URLs"
    page.console.assert_clean("make present landing page (offline)")


@pytest.mark.skipif("00" not in REGISTRY, reason="no app for chapter 00")
def test_present_app_offline(voila_server, page):
    before = len(page.guard.blocked)
    name = REGISTRY["00"]["notebook"]
    panel, handle, canvas = bk.voila_open(page, voila_server, name)
    bk.settle(page, canvas)
    page.screenshot(path=str(bk.shots_dir() / "offline-voila-00.png"), full_page=True)
    assert not _blocked_during(page, before), (
        f"{name} asked for non-loopback URLs: {_blocked_during(page, before)}")
    # the Play/Reset icons (`fa fa-…`) render from Voila's bundled Font Awesome, not a CDN
    icons = page.locator(".widget-play .fa, .jupyter-button .fa")
    assert icons.count(), f"{name}: no Font Awesome icon on the page"
    font_ok = page.evaluate(
        """async () => { await document.fonts.ready;
                         return document.fonts.check('900 16px "Font Awesome 5 Free"'); }""")
    assert font_ok, f"{name}: the Font Awesome font did not load from the local server"
    page.console.assert_clean(f"make present CHAPTER=00 ({name}, offline)")


@pytest.fixture(scope="module")
def first_start_lab(tmp_path_factory):
    """JupyterLab as on a reader's first `make lab`: empty user settings, the shipped overrides."""
    chapter = bk.chapters()[:1]
    server = bk.start_lab(tmp_path_factory.mktemp("lab-first-start"), sources=chapter,
                          user_settings={})
    try:
        yield server, chapter[0].name
    finally:
        server.stop()


def test_lab_first_start_shows_no_news_toast(first_start_lab, page):
    server, name = first_start_lab
    page.set_viewport_size(bk.LAPTOP)
    bk.lab_open(page, server, name)
    page.wait_for_timeout(5000)  # the toast appears a second or two after the page settles
    toasts = page.locator(".Toastify__toast").all_inner_texts()
    page.screenshot(path=str(bk.shots_dir() / "offline-lab-first-start.png"))
    assert not [t for t in toasts if re.search(r"Jupyter news", t)], (
        f"JupyterLab asks about Jupyter news on first start: {toasts}")
    page.console.assert_clean(f"JupyterLab first start ({name})")


def test_make_lab_installs_the_tested_overrides():
    """`make lab` copies the overrides file this module tests into .venv's app settings."""
    makefile = (bk.ROOT / "Makefile").read_text(encoding="utf-8")
    m = re.search(r"^LAB_OVERRIDES\s*:?=\s*(\S+)", makefile, re.M)
    assert m, "Makefile defines no LAB_OVERRIDES"
    src = bk.ROOT / m.group(1)
    assert src.is_file() and src.parent == bk.LAB_APP_SETTINGS / "overrides.d", src
    assert "$(VENV)/$(LAB_OVERRIDES)" in makefile, "the venv copy must mirror the repo path"
