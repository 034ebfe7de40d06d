"""The projector apps (apps/*.ipynb) match apps/registry.json, and the registry matches the book.

Fix any failure here with `make apps` (python tools/make_apps.py --discover), which adds entries
for new chapters and rewrites the app notebooks; edit apps/registry.json to change a title, the
panel or its arguments.
"""
from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import make_apps  # noqa: E402

REGISTRY = make_apps.load_registry()


def test_registry_is_valid_json_with_chapters():
    data = json.loads(make_apps.REGISTRY.read_text(encoding="utf-8"))
    assert data["chapters"], "apps/registry.json lists no chapters"


def test_apps_in_sync_with_registry():
    problems = make_apps.out_of_sync(REGISTRY)
    assert not problems, "apps/ is out of sync with apps/registry.json (run `make apps`):\n" + \
        "\n".join(problems)


def test_every_chapter_has_an_app():
    missing = sorted(set(make_apps.book_chapters()) - set(REGISTRY))
    assert not missing, (f"book chapters without a projector app: {missing} "
                         "(run `make apps` to add them to apps/registry.json)")


@pytest.mark.parametrize("chapter", list(REGISTRY))
def test_registry_entry_points_at_real_things(chapter):
    entry = REGISTRY[chapter]
    chapters = make_apps.book_chapters()
    assert chapter in chapters, f"registry chapter {chapter}: no book/{chapter}_*.ipynb"
    assert chapters[chapter].name == entry["notebook"], (
        f"registry chapter {chapter} names {entry['notebook']}, the book has {chapters[chapter].name}")
    import widgets

    assert entry["panel"] in widgets.__all__, (
        f"chapter {chapter}: widgets does not export {entry['panel']!r} "
        f"(available: {[n for n in widgets.__all__ if n.endswith('_panel')]})")
    # the arguments bind to the factory's signature (a typo would only show in Voila)
    inspect.signature(getattr(widgets, entry["panel"])).bind(**entry["kwargs"])


@pytest.mark.parametrize("chapter", list(REGISTRY))
def test_app_notebook_shape(chapter):
    nb = json.loads(make_apps.app_path(chapter, REGISTRY[chapter]).read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert len(code) == 1 and code[0]["outputs"] == [] and code[0]["execution_count"] is None
    src = "".join(code[0]["source"])
    assert src.startswith("from widgets import use_presentation_style") and \
        "use_presentation_style()" in src and "%matplotlib" not in src


def test_discover_reads_panel_call(tmp_path):
    nb = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# 09 · A test chapter\n\ntext"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "from widgets import foo_panel"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "p = foo_panel(T=16, lam=0.5, mode='x', n=N)\np"},
    ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "09_test_chapter.ipynb"
    path.write_text(json.dumps(nb))
    entry, warnings = make_apps.discover(path, exported={"foo_panel"})
    assert entry == {"title": "A test chapter", "notebook": "09_test_chapter.ipynb",
                     "panel": "foo_panel", "kwargs": {"T": 16, "lam": 0.5, "mode": "x"}}
    assert any("n=..." in w for w in warnings)
    assert make_apps.discover(path, exported={"bar_panel"})[0] is None
