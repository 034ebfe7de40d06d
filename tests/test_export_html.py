"""The static edition (tools/export_html.py, `make html`) on chapter 00.

The chapter is executed in a fresh kernel and exported; the page must show the hero panel as a
base64 PNG (no kernel, so no widget view), carry no error output and no widget-manager script,
and the index must link the chapter.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTER = ROOT / "book" / "00_overview.ipynb"
sys.path.insert(0, str(ROOT / "tools"))

pytest.importorskip("nbconvert")
pytest.importorskip("nbclient")
import export_html  # noqa: E402


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    if not CHAPTER.exists():
        pytest.skip("book/00_overview.ipynb not present")
    out = tmp_path_factory.mktemp("html")
    entries = export_html.export([CHAPTER], out, log=lambda *_: None)
    return out, entries


def test_export_succeeds(exported):
    out, entries = exported
    assert [e["ok"] for e in entries] == [True], entries
    assert entries[0]["pictures"] >= 1, "the hero panel should be exported as a picture"


def test_panel_is_a_png_image(exported):
    out, _ = exported
    page = (out / "00_overview.html").read_text(encoding="utf-8")
    # the panel's output: an <img> with a base64 PNG inside a rendered-image output
    imgs = re.findall(r'<div class="jp-RenderedImage[^"]*"[^>]*>\s*<img [^>]*src="data:image/png;base64,'
                      r'([A-Za-z0-9+/=]{2000,})"', page)
    assert imgs, "no base64 PNG image for the panel in the exported HTML"
    assert "application/vnd.jupyter.widget-view+json" not in page
    assert "application/vnd.jupyter.widget-state+json" not in page


def test_no_error_output(exported):
    out, _ = exported
    page = (out / "00_overview.html").read_text(encoding="utf-8")
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page or "Traceback" not in page
    assert "jp-OutputArea-output jp-RenderedText" not in page or "Traceback" not in page
    assert "Could not update" not in page


def test_index_links_chapter(exported):
    out, _ = exported
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "href='00_overview.html'" in index
    assert "failed to build" not in index
