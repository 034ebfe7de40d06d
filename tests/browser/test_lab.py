"""Every chapter in a real JupyterLab, as a reader on a laptop has it: Run All, watch, fit, drive.

For each book/NN_*.ipynb (one shared JupyterLab server per module, over a temp copy of book/), in
a 1440 x 900 window with the file browser open:

1. Run -> Run All Cells from the menu; wait until every cell has run; no error output;
2. **autoplay**, untouched: every optimising panel, scrolled into view, shows an iteration above 0
   and a figure that has changed at least twice within 5 s (no click, no pausing first);
3. **layout** (tests/browser/layoutkit.py): nothing wider than its output area, no squeezed
   slider, no exercise answer visible before it is opened;
4. **a key press**: an arrow key on the first panel's first slider changes the live figure's
   pixels. A slider that only changes the caption (chapter 08's "item") must change the caption;
   the next control (slider, then drop-down) must then change the figure. No panel status saying
   "Could not update", no error in the browser console, no failed request.
"""
from __future__ import annotations

import pytest

import browserkit as bk
import layoutkit

CHAPTERS = bk.chapters()


def test_chapters_found():
    assert CHAPTERS, "book/ has no NN_*.ipynb chapters"


@pytest.mark.parametrize("notebook", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_run_all_and_slider(notebook, lab_server, page):
    shots = bk.shots_dir()
    page.set_viewport_size(bk.LAPTOP)
    bk.lab_open(page, lab_server, notebook.name)
    sidebar = layoutkit.open_file_browser(page)
    bk.lab_run_all(page)
    state = bk.lab_wait_all_done(page)
    assert not state["errors"], f"{notebook.name}: error output after Run All:\n" + \
        "\n---\n".join(e[-2000:] for e in state["errors"])

    check_autoplay(page, notebook.name)

    problems = layoutkit.check_layout(page, notebook)
    assert not problems, (
        f"{notebook.name} at {bk.LAPTOP['width']} x {bk.LAPTOP['height']}, file browser "
        f"{sidebar:.0f} px:\n" + "\n".join(problems))

    panel, handle, canvas = bk.first_panel(page)
    panel.scroll_into_view_if_needed()
    canvas.wait_for(state="visible")
    bk.settle(page, canvas)
    panel.screenshot(path=str(shots / f"lab-{notebook.stem}-before.png"))

    tried = bk.press_until_changed(page, panel, canvas)
    assert tried, f"{notebook.name}: the first panel has no slider or drop-down"
    assert tried[0]["kind"] == "slider", f"{notebook.name}: the first panel has no slider"
    assert tried[-1]["changed"], (
        f"{notebook.name}: the figure did not change after arrow keys on the first panel's "
        f"controls: {tried}")
    for t in tried[:-1]:  # a slider passed over must still have done something visible
        assert t["value_after"] != t["value_before"] and t["text_changed"], (
            f"{notebook.name}: {t['control']} moved neither the figure nor the caption: {t}")
    bk.settle(page, canvas, quiet_ms=800)
    panel.screenshot(path=str(shots / f"lab-{notebook.stem}-after.png"))

    assert not bk.notebook_errors(page), f"{notebook.name}: error output after the key press"
    status = panel.inner_text()
    assert "Could not update" not in status, f"{notebook.name}: panel reports an error: {status}"
    assert not page.console.errors, f"{notebook.name}: browser console errors:\n" + \
        "\n".join(page.console.errors)


def check_autoplay(page, name, within_s=5.0):
    """Every optimising panel (a live figure with a play bar) moves by itself after Run All.

    Untouched: the reader only scrolls each panel into view (JupyterLab renders what is in view),
    and within ``within_s`` its status shows an iteration above 0 (or "done") and its figure has
    changed at least twice. No click, no key press, no pausing first.
    """
    import re
    import time

    players = page.locator(bk.LIVE_FIGURE + "[data-player='1']")
    n = players.count()
    stuck = []
    for k in range(n):
        fig = players.nth(k)
        bk.look_at(fig)
        seen = [bk.canvas_hash(fig)]
        moved, t_end = False, time.monotonic() + within_s
        while time.monotonic() < t_end and not moved:
            h = bk.canvas_hash(fig)
            if h != seen[-1]:
                seen.append(h)
            status = fig.locator(".gb-live-status").text_content()
            m = re.search(r"iteration\s+([\d,]+)|done:", status)
            went = m and (m.group(0).startswith("done") or int(m.group(1).replace(",", "")) > 0)
            # changes seen now; or a short run that finished before we looked: frames drawn, or
            # "done" (its iterations advance only on the browser's ticks, so it did play; a view
            # JupyterLab re-created when the cell came back into view counts its frames afresh)
            drawn = int(fig.get_attribute("data-frames") or 0)
            moved = bool(went) and (len(seen) >= 3 or drawn >= 8 or status.startswith("done"))
            page.wait_for_timeout(100)
        if not moved:
            stuck.append((k, len(seen) - 1, status))
    assert not stuck, (f"{name}: optimising panels that did not animate by themselves within "
                       f"{within_s} s once in view (index, changes seen, status): {stuck}")
