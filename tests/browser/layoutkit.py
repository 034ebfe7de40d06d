"""Does a chapter fit a laptop? JupyterLab at 1440 x 900 with the file browser open.

``check_layout(page, notebook)`` (called by tests/browser/test_lab.py right after its autoplay
check, so each chapter is Run All'ed once) pauses the autoplaying runs, measures every cell's
outputs in the page (each cell scrolled into view first) and returns what is wrong:

(a) something wider than its output area: a canvas, image, widget box or control row reaching
    past the right edge of its ``.jp-OutputArea-output``, or a widget box that scrolls sideways
    (``scrollWidth > clientWidth``), which shows as a horizontal scrollbar or a cut-off figure;
(b) a visible slider without a usable track: ``.noUi-target`` narrower than 120 px;
(c) an exercise solution showing its answer before the reader asks for it: the outputs of cells
    tagged ``solution`` must show nothing but the closed "Show the solution's output" line
    (widgets.exercises folds them; JupyterLab itself unfolds outputs whenever a cell runs).

Screenshots go to $GAUGE_BOOK_SHOTS (default screenshots/, git-ignored): ``layout-NN.png`` at the
first panel, and ``layout-NN-cellK.png`` for each output with a problem.
"""
from __future__ import annotations

import json

import browserkit as bk

MIN_TRACK_PX = 120
TOLERANCE_PX = 1  # sub-pixel rounding

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


def open_file_browser(page):
    """Show JupyterLab's file browser (as a reader has it); returns the sidebar's width in px."""
    fb = page.locator("#filebrowser")
    if not fb.is_visible():
        page.locator('.jp-SideBar.jp-mod-left [data-id="filebrowser"]').click()
    fb.wait_for(state="visible", timeout=10000)
    return page.evaluate(
        "() => document.querySelector('#jp-left-stack').getBoundingClientRect().width")


def check_layout(page, notebook):
    """Pause the panels, measure the whole notebook, screenshot it; returns the problems found
    (a list of one-line descriptions, empty when the chapter fits)."""
    shots = bk.shots_dir()
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    solutions = [i for i, c in enumerate(nb["cells"])
                 if "solution" in c.get("metadata", {}).get("tags", [])]
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
    problems = _problems(measured)
    if measured["cells"] != len(nb["cells"]):
        problems.insert(0, f"{measured['cells']} cells in the page, {len(nb['cells'])} in the file")

    first = page.locator(".jp-Notebook .jp-Cell:has(.jupyter-widgets)").first
    if first.count():
        # the mouse wheel, as a reader scrolls (JupyterLab's windowed notebook may show a blank
        # page for a moment after a programmatic jump), then time for the cells to render
        bk.look_at(first)
        page.wait_for_timeout(400)
    page.screenshot(path=str(shots / f"layout-{notebook.stem[:2]}.png"))
    for cell in sorted({int(p.split(":")[0].split()[1]) for p in problems
                        if p.startswith("cell ")})[:6]:
        target = page.locator(".jp-Notebook .jp-Cell").nth(cell).locator(".jp-Cell-outputWrapper")
        try:
            target.scroll_into_view_if_needed(timeout=5000)
            target.screenshot(path=str(shots / f"layout-{notebook.stem[:2]}-cell{cell}.png"),
                              timeout=10000)
        except Exception:  # noqa: BLE001 - a screenshot is a convenience, not the check
            pass
    return problems
