"""The teacher's guide (book/teachers_guide.md) and its cheat sheet (book/cheat_sheet.md).

A new chapter ``book/NN_*.ipynb`` without a ``## NN · ...`` section in the guide fails here, as does
a section without its required sub-headings, a ``*_panel`` name that ``widgets`` does not export, a
panel a chapter uses that its section never mentions, or an exercise whose solution the section
does not point to. The cheat sheet must hold the five physics <-> ML pairs of the dictionary.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import widget_checks  # noqa: F401  (panel test helpers)

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
GUIDE = BOOK / "teachers_guide.md"
CHEAT = BOOK / "cheat_sheet.md"
REGISTRY = ROOT / "apps" / "registry.json"

CHAPTER_RE = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
SECTION_RE = re.compile(r"^## (\d\d)\b.*$", re.M)
PANEL_RE = re.compile(r"\b\w+_panel\b")
SUBHEADINGS = ("Learning goals", "Prerequisites", "Lesson plan", "Misconceptions", "Solutions")
# physics term, ML term: both must appear on one line (one table row) of the cheat sheet
PAIRS = (
    ("order parameter", "embedding frame"),
    ("Goldstone mode", "slow twist"),
    ("gauge field", "per-step rotation"),
    ("Higgs mechanism", "gauge step"),
    ("gauge fixing", "choice of reference frame"),
)


def book_chapters():
    """``{"00": Path('book/00_overview.ipynb'), ...}`` for every numbered chapter notebook."""
    return {m.group(1): p for p in sorted(BOOK.glob("*.ipynb"))
            if (m := CHAPTER_RE.match(p.name))}


def guide_text():
    return GUIDE.read_text(encoding="utf-8")


def chapter_sections(text):
    """``{"NN": section text}`` for every ``## NN ...`` heading, up to the next ``## `` heading."""
    heads = list(SECTION_RE.finditer(text))
    out = {}
    for m in heads:
        rest = text[m.end():]
        nxt = re.search(r"^## ", rest, re.M)
        out[m.group(1)] = rest[: nxt.start()] if nxt else rest
    return out


def subsections(section):
    """``{heading: text}`` for the ``### `` sub-headings of one chapter section."""
    parts = re.split(r"^### (.+)$", section, flags=re.M)
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def find_sub(section, name):
    subs = subsections(section)
    return next((body for head, body in subs.items() if head.startswith(name)), None)


def notebook_code(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return nb, ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


CHAPTERS = book_chapters()


def test_guide_and_cheat_sheet_exist_and_are_linked():
    assert GUIDE.is_file(), "book/teachers_guide.md is missing"
    assert CHEAT.is_file(), "book/cheat_sheet.md is missing"
    assert "](cheat_sheet.md)" in guide_text(), "the guide must link the cheat sheet"


def test_every_chapter_has_a_section():
    sections = chapter_sections(guide_text())
    missing = sorted(set(CHAPTERS) - set(sections))
    assert not missing, (f"book chapters without a '## NN · Title' section in "
                         f"book/teachers_guide.md: {missing}")
    stale = sorted(set(sections) - set(CHAPTERS))
    assert not stale, f"guide sections for chapters that do not exist in book/: {stale}"


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_section_has_required_subheadings(chapter):
    section = chapter_sections(guide_text()).get(chapter)
    assert section is not None, f"no section for chapter {chapter}"
    heads = list(subsections(section))
    for name in SUBHEADINGS:
        assert any(h.startswith(name) for h in heads), (
            f"chapter {chapter}: no '### {name}' sub-heading (found {heads})")


def test_every_panel_named_exists():
    import widgets

    exported = set(widgets.__all__)
    for path in (GUIDE, CHEAT):
        named = set(PANEL_RE.findall(path.read_text(encoding="utf-8")))
        unknown = sorted(named - exported)
        assert not unknown, f"{path.name} names panels that widgets does not export: {unknown}"


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_section_mentions_every_panel_the_chapter_uses(chapter):
    _, code = notebook_code(CHAPTERS[chapter])
    used = {m.group(1) for src in code for m in re.finditer(r"\b(\w+_panel)\s*\(", src)}
    section = chapter_sections(guide_text()).get(chapter, "")
    missing = sorted(p for p in used if p not in section)
    assert not missing, f"chapter {chapter} uses {missing}, which its guide section never names"


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_solutions_name_every_exercise(chapter):
    nb, _ = notebook_code(CHAPTERS[chapter])
    n = sum("solution" in c.get("metadata", {}).get("tags", []) for c in nb["cells"])
    assert n >= 2, f"chapter {chapter}: expected at least two hidden solution cells, found {n}"
    body = find_sub(chapter_sections(guide_text()).get(chapter, ""), "Solutions") or ""
    missing = [k for k in range(1, n + 1) if not re.search(rf"\bExercise {k}\b", body)]
    assert not missing, (f"chapter {chapter} has {n} exercises with hidden solutions; the guide's "
                         f"Solutions part does not name exercise(s) {missing}")


@pytest.mark.parametrize("chapter", sorted(CHAPTERS))
def test_section_says_how_to_project(chapter):
    section = chapter_sections(guide_text()).get(chapter, "")
    assert f"make present CHAPTER={chapter}" in section
    registry = json.loads(REGISTRY.read_text(encoding="utf-8"))["chapters"] if REGISTRY.exists() else {}
    if chapter in registry:
        panel = registry[chapter]["panel"]
        assert panel in section, (f"chapter {chapter}: the projector app shows {panel} "
                                  "(apps/registry.json), the guide section does not name it")


def test_cheat_sheet_has_the_five_pairs():
    lines = CHEAT.read_text(encoding="utf-8").lower().splitlines()
    for physics, ml in PAIRS:
        assert any(physics.lower() in line and ml.lower() in line for line in lines), (
            f"cheat sheet: no line pairs '{physics}' with '{ml}'")
