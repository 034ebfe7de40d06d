"""The projector apps (apps/*.ipynb) in Voila, served the way `make present` serves them.

One Voila server over apps/ for the module. The landing page lists every app; chapter 00's app
and the highest-numbered other app (all apps with GAUGE_BOOK_VOILA_ALL=1) render their panel in
presentation style, and an arrow key on a slider changes the figure's pixels. Every non-loopback
request is aborted; Font Awesome's CDN stylesheet is answered locally (browserkit.Guard).
"""
from __future__ import annotations

import os

import pytest

import browserkit as bk

REGISTRY = bk.make_apps.load_registry()
APP_FILES = {ch: e["notebook"] for ch, e in REGISTRY.items()}


def _selected():
    if os.environ.get("GAUGE_BOOK_VOILA_ALL") == "1":
        return list(APP_FILES)
    picked = [ch for ch in ("00",) if ch in APP_FILES]
    others = [ch for ch in APP_FILES if ch != "00"]
    return picked + others[-1:]


SELECTED = _selected()


def test_landing_page_lists_every_app(voila_server, page):
    page.goto(voila_server.url("/"), wait_until="commit")
    for name in APP_FILES.values():
        page.get_by_text(name.removesuffix(".ipynb")).first.wait_for(timeout=60000)
    page.screenshot(path=str(bk.shots_dir() / "voila-landing.png"))
    # Voila 0.5.13's tree page itself logs a 404 for /api/kernels and widget-plugin errors
    # (no kernel on that page); they are Voila's, so console errors are not checked here.


def _open_app(page, server, name, attempts=3):
    """Voila + widgets can (rarely) stall at "Executing x of y": reload, which starts a new kernel."""
    last = None
    for _ in range(attempts):
        try:
            return bk.voila_open(page, server, name, timeout_ms=60000)
        except Exception as exc:  # noqa: BLE001 - retried, re-raised below
            last = exc
            page.console.errors.clear()
    raise AssertionError(f"{name}: panel never rendered in {attempts} page loads: {last}")


@pytest.mark.parametrize("chapter", SELECTED)
def test_app_renders_and_responds(chapter, voila_server, page):
    name = APP_FILES[chapter]
    shots = bk.shots_dir()
    page.set_viewport_size({"width": 1280, "height": 800})  # a common projector resolution
    panel, handle, canvas = _open_app(page, voila_server, name)
    canvas.wait_for(state="visible")
    bk.settle(page, canvas)
    page.screenshot(path=str(shots / f"voila-{chapter}-before.png"), full_page=True)

    # projector mode is on: large widget labels (widgets.style.PRESENTATION_CSS)
    size = panel.locator(".widget-label").first.evaluate("e => getComputedStyle(e).fontSize")
    assert float(size.removesuffix("px")) >= 16, f"{name}: widget labels are {size}, not large"

    tried = bk.press_until_changed(page, panel, canvas)
    assert tried and tried[-1]["changed"], f"{name}: figure did not change: {tried}"
    for t in tried[:-1]:  # a slider passed over must still have done something visible
        assert t["value_after"] != t["value_before"] and t["text_changed"], t
    bk.settle(page, canvas, quiet_ms=800)
    page.screenshot(path=str(shots / f"voila-{chapter}-after.png"), full_page=True)

    assert "Could not update" not in panel.inner_text()
    assert not page.console.errors, f"{name}: browser console errors:\n" + \
        "\n".join(page.console.errors)
