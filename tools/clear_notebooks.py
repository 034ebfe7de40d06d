#!/usr/bin/env python3
"""Clear notebooks in place before committing them.

    python tools/clear_notebooks.py                 # every book/*.ipynb
    python tools/clear_notebooks.py book/03_x.ipynb  # just these
    python tools/clear_notebooks.py --check          # exit 1 if any notebook is not clean

For every code cell: outputs -> [], execution_count -> None, and the cell metadata key
"execution" (JupyterLab's per-cell timing record) is dropped. The notebook metadata key
"widgets" (saved ipywidgets state) is dropped. Everything else, including cell ids, is kept.

Standard library only. The file is written the way Jupyter writes it (nbformat's JSON
layout: indent 1, sorted keys, UTF-8, trailing newline), and only if something changed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_GLOB = "book/*.ipynb"


def clear(nb: dict) -> dict:
    """Return nb with outputs, execution counts and widget state removed (mutates nb)."""
    nb.get("metadata", {}).pop("widgets", None)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"] = []
        cell["execution_count"] = None
        cell.get("metadata", {}).pop("execution", None)
    return nb


def dumps(nb: dict) -> str:
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False, separators=(",", ": ")) + "\n"


def process(path: Path, check: bool) -> bool:
    """Clear one notebook; return True if it was (or, with check, would be) changed."""
    original = path.read_text(encoding="utf-8")
    cleaned = dumps(clear(json.loads(original)))
    if cleaned == original:
        return False
    # A notebook that differs only in JSON layout is not "dirty" for --check.
    if json.loads(cleaned) == json.loads(original) and check:
        return False
    if not check:
        path.write_text(cleaned, encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help=f"default: {DEFAULT_GLOB}")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if any notebook needs clearing")
    args = parser.parse_args(argv)

    paths = args.notebooks or sorted(ROOT.glob(DEFAULT_GLOB))
    if not paths:
        print(f"no notebooks found ({DEFAULT_GLOB})")
        return 0
    changed = [p for p in paths if process(p, args.check)]
    verb = "needs clearing" if args.check else "cleared"
    for p in changed:
        print(f"{verb}: {p}")
    print(f"{len(changed)} of {len(paths)} notebook(s) {verb}")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
