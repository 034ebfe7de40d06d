#!/usr/bin/env python3
"""Projector apps: one small notebook per chapter in apps/, generated from apps/registry.json.

    python tools/make_apps.py               # write apps/NN_name.ipynb for every registry entry
    python tools/make_apps.py --check       # exit 1 if apps/ is out of sync with the registry
    python tools/make_apps.py --discover    # add registry entries for new book/ chapters, then write
    python tools/make_apps.py --refresh     # re-read every chapter's entry (overwrites hand edits)
    python tools/make_apps.py --serve [NN]  # Voila: chapter NN's app, or the list of all apps
    python tools/make_apps.py --list        # chapter, title, panel of every app

The registry maps a chapter number to its title, the chapter notebook, the main panel's factory
(a ``*_panel`` function exported by ``widgets``) and the keyword arguments the chapter uses for it.
It is plain JSON, edited by hand or filled by ``--discover``, which reads each chapter notebook:
the title from its ``# NN · Title`` heading and the panel from its first ``*_panel(...)`` call
(keyword arguments that are literals are copied; anything else is left to the panel's default).

Each app notebook is a title cell and one code cell::

    from widgets import use_presentation_style, spectrum_panel
    use_presentation_style()
    spectrum_panel(T=64)

Voila shows only the outputs (sources are stripped), in large type for a projector.
Notebooks are written the way nbstripout leaves them (outputs cleared, fixed cell ids, nbformat's
JSON layout), so regenerating an unchanged registry changes nothing.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout that is not installed
    sys.path.insert(0, str(ROOT))
from gauge_book_server import VOILA_FLAG  # noqa: E402 (imports only Jupyter Server)

APPS = ROOT / "apps"
BOOK = ROOT / "book"
REGISTRY = APPS / "registry.json"
CHAPTER_RE = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
TITLE_RE = re.compile(r"^#\s+(\d\d)\s*[·.:\-–—]\s*(.+?)\s*$", re.M)

# Voila flags shared by `make present` and the browser tests (docs/classroom.md explains them):
# the `gauge` template (share/jupyter/voila/templates/gauge/, found through JUPYTER_PATH, see
# voila_env) is Voila's `lab` template without its Font Awesome links to a CDN, so the apps need
# no network; the classic (Jinja) landing page lists the apps without loading the JupyterLab
# extensions, which log errors on a page that has no kernel; jupytext's JupyterLab extension breaks Voila 0.5's module federation (console error
# RUNTIME-012), and progressive rendering avoids the "Executing x of y" hang of
# voila #1322/#1395/#1428 (rare with ipympl, but a hung projector is the worst case).
JUPYTER_DATA = ROOT / "share" / "jupyter"
VOILA_TEMPLATE = "gauge"
VOILA_FLAGS = [
    f"--VoilaConfiguration.template={VOILA_TEMPLATE}",
    "--VoilaConfiguration.classic_tree=True",
    "--VoilaConfiguration.extension_denylist=jupyterlab-jupytext",
    "--VoilaConfiguration.progressive_rendering=True",
    "--VoilaConfiguration.show_tracebacks=True",
    VOILA_FLAG,  # kernel messages without Nagle's 40-ms wait (gauge_book_server explains)
]


# --- registry -------------------------------------------------------------------------------------
def load_registry(path=REGISTRY):
    """``{"00": {"title", "notebook", "panel", "kwargs"}, ...}`` sorted by chapter."""
    if not Path(path).exists():
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    chapters = data["chapters"]
    for key, entry in chapters.items():
        if not re.fullmatch(r"\d\d", key):
            raise ValueError(f"{path}: chapter keys are two digits, got {key!r}")
        missing = {"title", "notebook", "panel", "kwargs"} - set(entry)
        if missing:
            raise ValueError(f"{path}: chapter {key} lacks {sorted(missing)}")
        if not entry["panel"].isidentifier() or not entry["panel"].endswith("_panel"):
            raise ValueError(f"{path}: chapter {key}: {entry['panel']!r} is not a *_panel name")
        if not isinstance(entry["kwargs"], dict):
            raise ValueError(f"{path}: chapter {key}: kwargs must be an object")
    return dict(sorted(chapters.items()))


def save_registry(chapters, path=REGISTRY):
    data = {
        "_about": "Projector apps, one per chapter: tools/make_apps.py writes apps/NN_name.ipynb "
                  "from these entries (panel = a *_panel function exported by widgets, kwargs = "
                  "its keyword arguments). Edit, then run `make apps`.",
        "chapters": dict(sorted(chapters.items())),
    }
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def app_path(chapter, entry):
    return APPS / entry["notebook"]


# --- notebooks --------------------------------------------------------------------------------------
def _kwargs_source(kwargs):
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def app_notebook(chapter, entry):
    """The app notebook for one registry entry, as a dict (nbformat 4.5)."""
    panel = entry["panel"]
    title = f"# {chapter} · {entry['title']}"
    note = (f"*Projector view of the main panel of chapter {chapter} "
            f"(`book/{entry['notebook']}`): change the controls and watch the figure.*")
    code = (f"from widgets import use_presentation_style, {panel}\n"
            "use_presentation_style()\n"
            f"{panel}({_kwargs_source(entry['kwargs'])})")
    return {
        "cells": [
            {"cell_type": "markdown", "id": f"app-{chapter}-title", "metadata": {},
             "source": _lines(f"{title}\n\n{note}")},
            {"cell_type": "code", "execution_count": None, "id": f"app-{chapter}-panel",
             "metadata": {}, "outputs": [], "source": _lines(code)},
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def _lines(text):
    lines = text.split("\n")
    return [line + "\n" for line in lines[:-1]] + [lines[-1]]


def dumps(nb):
    """nbformat's on-disk layout (what nbformat.write and nbstripout produce)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False, separators=(",", ": ")) + "\n"


def expected_files(chapters):
    return {app_path(ch, e): dumps(app_notebook(ch, e)) for ch, e in chapters.items()}


def out_of_sync(chapters):
    """Problems that `make apps` would fix: stale, missing or orphaned app notebooks."""
    problems = []
    want = expected_files(chapters)
    for path, text in want.items():
        if not path.exists():
            problems.append(f"missing: {path.relative_to(ROOT)}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"stale: {path.relative_to(ROOT)}")
    for path in sorted(APPS.glob("*.ipynb")):
        if path not in want:
            problems.append(f"not in the registry: {path.relative_to(ROOT)}")
    return problems


def write_apps(chapters):
    changed = []
    for path, text in expected_files(chapters).items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    for path in sorted(APPS.glob("*.ipynb")):
        if path not in expected_files(chapters):
            path.unlink()
            changed.append(path)
    return changed


# --- discovery --------------------------------------------------------------------------------------
def book_chapters():
    """``{"00": Path('book/00_overview.ipynb'), ...}`` for every numbered chapter notebook."""
    out = {}
    for p in sorted(BOOK.glob("*.ipynb")):
        m = CHAPTER_RE.match(p.name)
        if m:
            out[m.group(1)] = p
    return out


def _code(source):
    """Cell source without IPython magics / shell lines, so that ast can parse it."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def discover(path, exported=None):
    """Registry entry for one chapter notebook (title, notebook, first panel call, literal kwargs).

    ``exported`` is the set of names in ``widgets.__all__`` (a call to anything else is skipped).
    Returns ``(entry, warnings)``; entry is None if no panel call was found.
    """
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    warnings = []
    title = None
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            m = TITLE_RE.search("".join(cell["source"]))
            if m:
                title = m.group(2)
                break
    if title is None:
        title = Path(path).stem[3:].replace("_", " ").capitalize()
        warnings.append(f"{path.name}: no '# NN · Title' heading, using {title!r}")
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(_code("".join(cell["source"])))
        except SyntaxError:
            continue
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Name) and n.func.id.endswith("_panel")
                 and (exported is None or n.func.id in exported)]
        if not calls:
            continue
        call = min(calls, key=lambda n: (n.lineno, n.col_offset))
        kwargs = {}
        if call.args:
            warnings.append(f"{path.name}: {call.func.id}(): positional arguments ignored")
        for kw in call.keywords:
            if kw.arg is None:
                warnings.append(f"{path.name}: {call.func.id}(): **kwargs ignored")
                continue
            try:
                kwargs[kw.arg] = ast.literal_eval(kw.value)
            except ValueError:
                warnings.append(f"{path.name}: {call.func.id}({kw.arg}=...): not a literal, "
                                "left to the panel's default")
        return {"title": title, "notebook": Path(path).name, "panel": call.func.id,
                "kwargs": kwargs}, warnings
    return None, warnings + [f"{path.name}: no call to a widgets *_panel function found"]


def exported_panels():
    import widgets  # noqa: PLC0415 (imports ipywidgets/matplotlib: only when discovering)

    return {n for n in widgets.__all__ if n.endswith("_panel")}


# --- serving ----------------------------------------------------------------------------------------
def voila_command(target, port=None, open_browser=True, extra=()):
    """The Voila command line for ``target`` (an app notebook or the apps/ directory)."""
    cmd = [sys.executable, "-m", "voila", str(target), *VOILA_FLAGS]
    if port:
        cmd.append(f"--port={port}")
    if not open_browser:
        cmd.append("--no-browser")
    return cmd + list(extra)


def voila_env(env=None):
    """``env`` (default: this process's environment) with the book's ``share/jupyter`` first on
    ``JUPYTER_PATH``, where Voila finds the ``gauge`` template."""
    env = dict(os.environ if env is None else env)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(JUPYTER_DATA), env.get("JUPYTER_PATH")]))
    return env


def resolve_chapter(chapter, chapters):
    key = f"{int(chapter):02d}" if str(chapter).isdigit() else str(chapter)
    if key not in chapters:
        raise SystemExit(f"no app for chapter {chapter!r}; apps exist for: "
                         f"{', '.join(chapters) or 'none'} (see apps/registry.json)")
    return key


def serve(chapter, port, open_browser, extra):
    chapters = load_registry()
    if chapter:
        key = resolve_chapter(chapter, chapters)
        target = app_path(key, chapters[key]).name
    else:
        target = "."  # Voila's tree view of apps/: the landing page listing every app
    cmd = voila_command(target, port, open_browser, extra)
    print("+", " ".join(cmd), f"(in {APPS.relative_to(ROOT)}/)", flush=True)
    os.chdir(APPS)
    os.execve(cmd[0], cmd, voila_env())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="exit 1 if apps/ is out of sync")
    group.add_argument("--discover", action="store_true",
                       help="add entries for book chapters missing from the registry")
    group.add_argument("--refresh", action="store_true",
                       help="re-read every chapter's title and panel call, replacing its entry")
    group.add_argument("--list", action="store_true", help="print the registry as a table")
    group.add_argument("--serve", nargs="?", const="", metavar="CHAPTER",
                       help="serve one chapter's app (or all apps) with Voila")
    parser.add_argument("--port", type=int, default=None, help="Voila port (default 8866)")
    parser.add_argument("--no-browser", action="store_true", help="with --serve: do not open a browser")
    parser.add_argument("voila_args", nargs="*", help="with --serve: extra Voila arguments")
    args = parser.parse_args(argv)

    if args.serve is not None:
        serve(args.serve, args.port, not args.no_browser, args.voila_args)
        return 0
    chapters = load_registry()
    if args.list:
        for ch, e in chapters.items():
            print(f"{ch}  {e['panel']:<28} {e['title']}")
        return 0
    if args.check:
        problems = out_of_sync(chapters)
        missing = sorted(set(book_chapters()) - set(chapters))
        problems += [f"book chapter {ch} has no app (run `python tools/make_apps.py --discover`)"
                     for ch in missing]
        for p in problems:
            print(p)
        print("apps/ is in sync with apps/registry.json" if not problems else
              f"{len(problems)} problem(s): run `make apps`")
        return 1 if problems else 0
    if args.discover or args.refresh:
        exported = exported_panels()
        added = 0
        for ch, path in book_chapters().items():
            if ch in chapters and not args.refresh:
                continue
            entry, warnings = discover(path, exported)
            for w in warnings:
                print("warning:", w)
            if entry:
                chapters[ch] = entry
                added += 1
                print(f"registered {ch}: {entry['panel']}({_kwargs_source(entry['kwargs'])})")
        if added:
            save_registry(chapters)
    changed = write_apps(chapters)
    for p in changed:
        print(f"wrote {p.relative_to(ROOT)}" if p.exists() else f"removed {p.relative_to(ROOT)}")
    print(f"{len(chapters)} app(s) in apps/, {len(changed)} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
