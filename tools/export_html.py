#!/usr/bin/env python3
"""The static edition: execute every chapter and export it to build/html/ (`make html`).

    python tools/export_html.py                       # every book/*.ipynb -> build/html/
    python tools/export_html.py book/00_overview.ipynb --out build/html-00

Each notebook runs top to bottom in a fresh kernel (nbclient, working directory book/), exactly
as a reader's Run All would, and is exported with nbconvert's lab template. Widgets need a live
kernel, so the exported page shows every panel as the picture of its figure in the default state:

* widget state is not stored (no widget-manager JavaScript, nothing fetched for widgets), and the
  ``application/vnd.jupyter.widget-view+json`` entry is dropped from every output bundle, so the
  panel's own ``image/png`` (``Panel._repr_png_``) is what the page shows;
* an output that was only a widget (no picture) becomes a one-line note;
* hidden solution cells (tag ``solution``) are folded into a ``<details>`` "Solution" block.

build/html/index.html links the chapters. Math is typeset by MathJax, which the page loads from
its CDN when viewed online (nbconvert's default); everything else is self-contained.
"""
from __future__ import annotations

import argparse
import html
import re
import sys
import os
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
OUT = ROOT / "build" / "html"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
TITLE_RE = re.compile(r"^#\s+(.+?)\s*$", re.M)
WIDGET_NOTE = ("<p class='gauge-widget-note'><em>(interactive control: open the notebook in "
               "JupyterLab or Binder to use it)</em></p>")

TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{% block html_head_js %}
{{ super() }}
<style>
  .gauge-nav { font-family: system-ui, sans-serif; margin: 0.5em 0 1.5em; font-size: 0.95em; }
  .gauge-nav a { margin-right: 1.5em; }
  details.gauge-solution { margin: 0.5em 0 1em; }
  details.gauge-solution > summary { cursor: pointer; color: #0072B2; font-weight: 600; }
  .jp-RenderedImage img { max-width: 100%; height: auto; }
</style>
{% endblock html_head_js %}
{% block body_header %}
{{ super() }}
<nav class="gauge-nav">{{ resources.gauge_nav }}</nav>
{% endblock body_header %}
{% block body_footer %}
<nav class="gauge-nav">{{ resources.gauge_nav }}</nav>
{{ super() }}
{% endblock body_footer %}
{% block codecell %}
{%- if 'solution' in cell.metadata.get('tags', []) -%}
<details class="gauge-solution"><summary>Solution (click to show)</summary>
{{ super() }}
</details>
{%- else -%}
{{ super() }}
{%- endif -%}
{% endblock codecell %}
"""


def notebooks(paths=None):
    """Chapters first (NN_*.ipynb, sorted), then any other notebook in book/."""
    if paths:
        return [Path(p).resolve() for p in paths]
    found = sorted(BOOK.glob("*.ipynb"))
    return sorted(found, key=lambda p: (not re.match(r"\d\d_", p.name), p.name))


def title_of(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            m = TITLE_RE.search(cell.source)
            if m:
                return m.group(1)
    return fallback


def execute(nb, cwd, timeout=600):
    """Run ``nb`` in place in a fresh python3 kernel whose working directory is ``cwd``."""
    from nbclient import NotebookClient

    # panels add a PNG of their finished state to their output only in this mode (widgets.base)
    os.environ["GAUGE_BOOK_STATIC"] = "1"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute()
    return nb


def staticize(nb):
    """Make the outputs render without a kernel: pictures instead of widget views.

    Returns ``(n_pictures, n_notes)``: widget outputs shown by their PNG/HTML picture, and
    widget outputs without a picture that became a note.
    """
    nb.metadata.pop("widgets", None)
    pictures = notes = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data")
            if not data or WIDGET_VIEW not in data:
                continue
            del data[WIDGET_VIEW]
            if {"image/png", "image/svg+xml", "image/jpeg", "text/html"} & set(data):
                pictures += 1
            else:
                data["text/html"] = WIDGET_NOTE
                notes += 1
    return pictures, notes


def error_outputs(nb):
    """``(cell index, text)`` for every error output (none expected: nbclient raises first)."""
    errs = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                errs.append((i, f"{out.get('ename')}: {out.get('evalue')}"))
    return errs


def _exporter():
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"gauge_book.html.j2": TEMPLATE})],
                        template_file="gauge_book.html.j2")


def _nav(entries, i):
    links = ["<a href='index.html'>&#8962; contents</a>"]
    if i > 0:
        links.append(f"<a href='{entries[i - 1]['html']}'>&larr; {html.escape(entries[i - 1]['title'])}</a>")
    if i + 1 < len(entries):
        links.append(f"<a href='{entries[i + 1]['html']}'>{html.escape(entries[i + 1]['title'])} &rarr;</a>")
    return " ".join(links)


def write_index(entries, out):
    rows = "\n".join(
        f"<li><a href='{e['html']}'>{html.escape(e['title'])}</a>"
        + ("" if e["ok"] else " <em>(failed to build)</em>") + "</li>" for e in entries)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The gauge book</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body {{ font-family: system-ui, sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em;
line-height: 1.5; }} li {{ margin: 0.4em 0; }} ul.chapters {{ list-style: none; padding-left: 0; }}</style></head>
<body><h1>The gauge book</h1>
<p>Static edition: every chapter executed top to bottom, with each interactive panel shown as the
picture of its figure in the default state. To move the controls, open the notebooks in
JupyterLab (<code>make lab</code>) or on Binder.</p>
<ul class="chapters">
{rows}
</ul>
<p><small>Built {time.strftime('%Y-%m-%d %H:%M')} by <code>tools/export_html.py</code>.</small></p>
</body></html>
"""
    (out / "index.html").write_text(page, encoding="utf-8")


def export(paths=None, out=OUT, timeout=600, log=print):
    """Execute and export ``paths`` (default: every book notebook) into ``out``; write the index.

    Returns the list of entries ``{"notebook", "html", "title", "ok", "error", "seconds",
    "pictures", "notes"}``.
    """
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    entries = []
    for path in notebooks(paths):
        nb = nbformat.read(path, as_version=4)
        entries.append({"notebook": path, "html": path.with_suffix(".html").name,
                        "title": title_of(nb, path.stem), "nb": nb, "ok": False, "error": None})
    exporter = _exporter()
    for i, e in enumerate(entries):
        t0 = time.perf_counter()
        try:
            execute(e["nb"], e["notebook"].parent, timeout=timeout)
            e["pictures"], e["notes"] = staticize(e["nb"])
            errs = error_outputs(e["nb"])
            if errs:
                raise RuntimeError(f"error outputs: {errs}")
            body, _ = exporter.from_notebook_node(
                e["nb"], resources={"gauge_nav": _nav(entries, i),
                                    "metadata": {"name": e["title"]}})
            (out / e["html"]).write_text(body, encoding="utf-8")
            e["ok"] = True
        except Exception as exc:  # noqa: BLE001 - reported, and the exit code says so
            e["error"] = f"{type(exc).__name__}: {str(exc)[-1500:]}"
        e["seconds"] = time.perf_counter() - t0
        status = (f"ok, {e['pictures']} panel picture(s)" if e["ok"] else f"FAILED: {e['error']}")
        log(f"{e['notebook'].name}: {status} ({e['seconds']:.1f} s)")
    write_index(entries, out)
    for e in entries:
        e.pop("nb", None)
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="default: every book/*.ipynb")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT.relative_to(ROOT)}")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    entries = export(args.notebooks, args.out, args.timeout)
    failed = [e for e in entries if not e["ok"]]
    print(f"{len(entries) - len(failed)} of {len(entries)} notebook(s) exported to "
          f"{args.out}/ (open index.html)")
    return 1 if failed or not entries else 0


if __name__ == "__main__":
    sys.exit(main())
