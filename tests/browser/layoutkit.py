"""Every chapter fits a laptop: JupyterLab at 1440 x 900 with the file browser open.

For each book/NN_*.ipynb: open it, Run -> Run All Cells, wait until every cell has run, pause
autoplaying runs, then measure every cell's outputs in the page (each cell scrolled into view
first) and assert

(a) nothing is wider than its output area: no canvas, image, widget box or control row reaches
    past the right edge of its ``.jp-OutputArea-output``, and no widget box scrolls sideways
    (``scrollWidth > clientWidth``), which shows as a horizontal scrollbar or a cut-off figure;
(b) every visible slider keeps a usable track: ``.noUi-target`` at least 120 px wide;
(c) no exercise solution shows its answer before the reader asks for it: the outputs of cells
    tagged ``solution`` show nothing but the closed "Show the solution's output" line
    (widgets.exercises folds them; JupyterLab itself unfolds outputs whenever a cell runs);
(d) the browser console has no errors and no request failed.

Screenshots go to $GAUGE_BOOK_SHOTS (default screenshots/, git-ignored): ``layout-NN.png`` at the
first panel, and ``layout-NN-cellK.png`` for each output with a problem.

Chapters that fail today are marked xfail (not strict) with what was measured, in ``KNOWN``; the
pass that fixes a chapter removes its entry.
"""
from __future__ import annotations

import json

import pytest

import browserkit as bk

MIN_TRACK_PX = 120
TOLERANCE_PX = 1  # sub-pixel rounding

# What each chapter fails today (measured at 1440 x 900 with the file browser open, 250 px;
# JupyterLab 4.6.6, ipywidgets 8.1.9, ipympl 0.10.0; every output area is 1008 px wide and the
# 1000-px figure canvases fit). Two defects are shared by every panel: the caption (an HTML
# widget of width 100 % plus 2 px margins) reaches 2 px past the output area, so the panel's
# VBox scrolls sideways by 4 px; and the standard sliders keep 84-106 px of track.
# The pass that fixes a chapter removes its entry; a chapter without one must pass.
_CAPTION = "caption 2 px past the output area (panel scrolls sideways 4 px)"
KNOWN = {
}

JS_MEASURE = """async ([solutionCells, minTrack, tol]) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const cells = [...panel.querySelectorAll('.jp-Notebook .jp-Cell')];
  const text = (el) => ((el.innerText || '').trim().split('\\n')[0] || '').slice(0, 50);
  const sliderLabel = (t) => {
    const row = t.closest('.widget-slider, .widget-inline-hbox');
    const l = row && row.querySelector('.widget-label');
    return (l && l.textContent.trim()) || '(no label)';
  };
  const describe = (el) => {
    if (el.tagName === 'CANVAS' || el.tagName === 'IMG') {
      return `${el.tagName.toLowerCase()} ${Math.round(el.getBoundingClientRect().width)} px wide`;
    }
    const kind = el.classList.contains('widget-hbox') ? 'control row (HBox)'
      : el.classList.contains('widget-vbox') ? 'widget box (VBox)'
      : el.classList.contains('widget-slider') ? 'slider'
      : el.classList.contains('widget-html') || el.classList.contains('widget-label') ? 'text'
      : 'control';
    return `${kind} "${text(el)}"`;
  };
  const isSolution = new Set(solutionCells);
  const wide = [], scrolls = [], narrow = [], solutionShown = [];
  for (let ci = 0; ci < cells.length; ci++) {
    const cell = cells[ci];
    const outs = [...cell.querySelectorAll('.jp-OutputArea-output')]
      .filter((o) => !o.parentElement.closest('.jp-OutputArea-output'));
    if (!outs.length) continue;
    cell.scrollIntoView({block: 'start'});
    await frame(); await frame();
    for (const o of outs) {
      const or = o.getBoundingClientRect();
      if (!o.checkVisibility() || or.width === 0) continue;
      const right = or.left + o.clientLeft + o.clientWidth;
      const area = Math.round(o.clientWidth);
      const sel = 'canvas, img, .widget-box, .widget-inline-hbox';
      // report the outermost offender of a nested chain only
      const offenders = [...o.querySelectorAll(sel)].filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && el.checkVisibility() && r.right - right > tol;
      });
      for (const el of offenders) {
        const parent = el.parentElement.closest(sel);
        if (parent && offenders.includes(parent) &&
            Math.abs(parent.getBoundingClientRect().right - el.getBoundingClientRect().right) <= tol) continue;
        wide.push({cell: ci, what: describe(el), px: Math.ceil(el.getBoundingClientRect().right - right), area});
      }
      for (const box of [o, ...o.querySelectorAll('.widget-box')]) {
        const ox = getComputedStyle(box).overflowX;
        if ((ox === 'auto' || ox === 'scroll') && box.scrollWidth - box.clientWidth > tol && box.checkVisibility())
          scrolls.push({cell: ci, what: box === o ? 'output area' : describe(box), px: box.scrollWidth - box.clientWidth});
      }
      for (const t of o.querySelectorAll('.noUi-target')) {
        if (!t.checkVisibility() || t.classList.contains('noUi-vertical')) continue;
        const w = t.getBoundingClientRect().width;
        if (w < minTrack) narrow.push({cell: ci, label: sliderLabel(t), px: Math.round(w)});
      }
    }
    if (isSolution.has(ci)) {
      for (const o of outs) {
        if (!o.checkVisibility() || o.getBoundingClientRect().height === 0) continue;
        let shown = o.innerText;
        for (const s of o.querySelectorAll('details:not([open]) > summary')) shown = shown.replace(s.innerText, '');
        if (shown.trim()) solutionShown.push({cell: ci, text: shown.trim().slice(0, 80)});
      }
    }
  }
  return {cells: cells.length, wide, scrolls, narrow, solutionShown};
}"""


def _problems(m):
    out = []
    out += [f"cell {w['cell']}: {w['what']} reaches {w['px']} px past its output area "
            f"({w['area']} px)" for w in m["wide"]]
    out += [f"cell {s['cell']}: {s['what']} scrolls sideways by {s['px']} px" for s in m["scrolls"]]
    out += [f"cell {n['cell']}: slider '{n['label']}' track {n['px']} px (< {MIN_TRACK_PX})"
            for n in m["narrow"]]
    out += [f"cell {s['cell']}: solution output visible before it is opened: {s['text']!r}"
            for s in m["solutionShown"]]
    return out


def _open_file_browser(page):
    fb = page.locator("#filebrowser")
    if not fb.is_visible():
        page.locator('.jp-SideBar.jp-mod-left [data-id="filebrowser"]').click()
    fb.wait_for(state="visible", timeout=10000)
    return page.evaluate("() => document.querySelector('#jp-left-stack').getBoundingClientRect().width")


def _params():
    out = []
    for nb in bk.chapters():
        marks = [pytest.mark.xfail(strict=False, reason=KNOWN[nb.stem])] if nb.stem in KNOWN else []
        out.append(pytest.param(nb, id=nb.stem, marks=marks))
    return out


def test_chapters_found():
    assert bk.chapters(), "book/ has no NN_*.ipynb chapters"


@pytest.mark.parametrize("notebook", _params())
def test_chapter_fits_a_laptop(notebook, lab_server, page):
    page.set_viewport_size(bk.LAPTOP)
    shots = bk.shots_dir()
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    solutions = [i for i, c in enumerate(nb["cells"])
                 if "solution" in c.get("metadata", {}).get("tags", [])]

    bk.lab_open(page, lab_server, notebook.name)
    sidebar = _open_file_browser(page)
    bk.lab_run_all(page)
    state = bk.lab_wait_all_done(page)
    assert not state["errors"], f"{notebook.name}: error output after Run All:\n" + \
        "\n---\n".join(e[-2000:] for e in state["errors"])
    bk.pause_all_play(page)
    page.wait_for_timeout(500)

    # measure until two passes agree (late widget renders settle the layout)
    measured, previous = None, None
    for _ in range(4):
        measured = page.evaluate(JS_MEASURE, [solutions, MIN_TRACK_PX, TOLERANCE_PX])
        if measured == previous:
            break
        previous = measured
        page.wait_for_timeout(500)
    assert measured["cells"] == len(nb["cells"]), (
        f"{notebook.name}: {measured['cells']} cells in the page, {len(nb['cells'])} in the file")

    first = page.locator(".jp-Notebook .jp-Cell:has(.jupyter-widgets)").first
    if first.count():
        first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / f"layout-{notebook.stem[:2]}.png"))
    problems = _problems(measured)
    for cell in sorted({int(p.split(":")[0].split()[1]) for p in problems})[:6]:
        target = page.locator(".jp-Notebook .jp-Cell").nth(cell).locator(".jp-Cell-outputWrapper")
        try:
            target.scroll_into_view_if_needed(timeout=5000)
            target.screenshot(path=str(shots / f"layout-{notebook.stem[:2]}-cell{cell}.png"),
                              timeout=10000)
        except Exception:  # noqa: BLE001 - a screenshot is a convenience, not the check
            pass

    console = page.console.problems()
    page.console.checked = True
    assert not problems and not console, (
        f"{notebook.name} at {bk.LAPTOP['width']} x {bk.LAPTOP['height']}, file browser "
        f"{sidebar:.0f} px:\n" + "\n".join(problems + console))
