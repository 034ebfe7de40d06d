"""environment.yml (conda-forge) must mirror pyproject.toml (pip).

Checks, without running conda: conda-forge is the first channel and `defaults` is absent;
the python lower bound equals `requires-python`; every runtime dependency and every `test`
extra appears in the yml with the same bounds (PyPI -> conda-forge name map below); nothing
in the yml is unknown to pyproject (apart from python and pip); the pip section installs
the local package with `-e .`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ENV_YML = ROOT / "environment.yml"

# PyPI name -> conda-forge name, where they differ.
CONDA_NAME = {"matplotlib": "matplotlib-base"}
# yml entries that need no counterpart in pyproject.
YML_ONLY = {"python", "pip"}
EXTRAS = ("test",)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    tomllib = pytest.importorskip("tomli", reason="Python 3.10 needs `tomli` to read pyproject.toml")


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------
def parse_simple_yaml(text: str) -> dict:
    """Parse the small YAML subset environment.yml uses.

    Supports `key: scalar`, `key:` followed by a block list of scalars, and one level of
    nested `- key:` mappings holding a list (the `- pip:` entry). Comments and blank lines
    are ignored. Anything else raises ValueError, so the fallback never misreads silently.
    """
    result: dict = {}
    current_list: list | None = None  # the top-level list being filled
    nested_list: list | None = None  # the list under `- pip:`
    nested_indent = -1
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        body = line.strip()
        if indent == 0:
            key, sep, value = body.partition(":")
            if not sep or not key:
                raise ValueError(f"line {lineno}: expected `key: value`: {raw!r}")
            value = value.strip()
            if value:
                result[key.strip()] = value
                current_list = None
            else:
                current_list = result[key.strip()] = []
            nested_list = None
            continue
        if not body.startswith("- "):
            raise ValueError(f"line {lineno}: unsupported YAML: {raw!r}")
        item = body[2:].strip()
        if nested_list is not None and indent > nested_indent:
            nested_list.append(item)
            continue
        if current_list is None:
            raise ValueError(f"line {lineno}: list item outside a list: {raw!r}")
        m = re.fullmatch(r"([A-Za-z0-9_.-]+):", item)
        if m:
            nested_list = []
            nested_indent = indent
            current_list.append({m.group(1): nested_list})
        else:
            nested_list = None
            current_list.append(item)
    return result


def load_env_yml() -> dict:
    text = ENV_YML.read_text(encoding="utf-8")
    try:
        import yaml  # PyYAML arrives with jupyterlab (via jupyter_events)
    except ImportError:  # pragma: no cover
        return parse_simple_yaml(text)
    return yaml.safe_load(text)


def load_pyproject() -> dict:
    with PYPROJECT.open("rb") as f:
        return tomllib.load(f)


def conda_spec(spec: str) -> tuple[str, SpecifierSet]:
    """'numpy >=2.0,<3' -> ('numpy', SpecifierSet('>=2.0,<3'))."""
    m = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)\s*(.*?)\s*", spec)
    assert m, f"cannot parse conda spec {spec!r}"
    name, constraint = m.groups()
    constraint = constraint.replace(" ", "")
    return name.lower(), SpecifierSet(constraint)


def bound(spec: SpecifierSet, op: str) -> Version | None:
    found = [Version(s.version) for s in spec if s.operator == op]
    assert len(found) <= 1, f"several {op} bounds in {spec}"
    return found[0] if found else None


# --------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pyproject() -> dict:
    return load_pyproject()


@pytest.fixture(scope="module")
def env() -> dict:
    return load_env_yml()


@pytest.fixture(scope="module")
def yml_specs(env) -> dict[str, SpecifierSet]:
    specs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            continue  # the `pip:` section
        name, spec = conda_spec(dep)
        assert name not in specs, f"{name} listed twice in environment.yml"
        specs[name] = spec
    return specs


@pytest.fixture(scope="module")
def py_requirements(pyproject) -> dict[str, Requirement]:
    reqs = list(pyproject["project"]["dependencies"])
    extras = pyproject["project"].get("optional-dependencies", {})
    for extra in EXTRAS:
        assert extra in extras, f"pyproject.toml has no [{extra}] extra"
        reqs += extras[extra]
    out = {}
    for r in map(Requirement, reqs):
        conda = CONDA_NAME.get(r.name.lower(), r.name.lower())
        assert conda not in out, f"{r.name} listed twice in pyproject.toml"
        out[conda] = r
    return out


# --------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------
def test_simple_parser_agrees_with_pyyaml():
    """The fallback parser must read environment.yml exactly as PyYAML does."""
    yaml = pytest.importorskip("yaml")
    text = ENV_YML.read_text(encoding="utf-8")
    assert parse_simple_yaml(text) == yaml.safe_load(text)


def test_name(env):
    assert env["name"] == "gauge-book"


def test_channels_conda_forge_only(env):
    channels = env["channels"]
    assert channels[0] == "conda-forge", f"conda-forge must be the first channel, got {channels}"
    assert "defaults" not in channels, "the `defaults` channel must not be used"
    assert set(channels) <= {"conda-forge", "nodefaults"}, f"unexpected channels: {channels}"


def test_python_bound_matches_requires_python(pyproject, yml_specs):
    assert "python" in yml_specs, "environment.yml must pin python"
    requires = SpecifierSet(pyproject["project"]["requires-python"])
    assert bound(yml_specs["python"], ">=") == bound(requires, ">="), (
        f"environment.yml python {yml_specs['python']} vs requires-python {requires}"
    )


def test_every_pyproject_dependency_in_yml_with_same_bounds(py_requirements, yml_specs):
    problems = []
    for conda, req in py_requirements.items():
        if conda not in yml_specs:
            problems.append(f"{req.name}: missing from environment.yml (as {conda!r})")
            continue
        lo_py, lo_yml = bound(req.specifier, ">="), bound(yml_specs[conda], ">=")
        if lo_py is None:
            problems.append(f"{req.name}: pyproject.toml has no lower bound ({req.specifier})")
        elif lo_py != lo_yml:
            problems.append(f"{req.name}: lower bound {lo_py} in pyproject.toml, {lo_yml} in environment.yml")
        hi_py, hi_yml = bound(req.specifier, "<"), bound(yml_specs[conda], "<")
        if hi_py != hi_yml:
            problems.append(f"{req.name}: upper bound {hi_py} in pyproject.toml, {hi_yml} in environment.yml")
    assert not problems, "\n".join(problems)


def test_nothing_unknown_in_yml(py_requirements, yml_specs):
    unknown = set(yml_specs) - set(py_requirements) - YML_ONLY
    assert not unknown, f"in environment.yml but not in pyproject.toml: {sorted(unknown)}"


def test_pip_section_installs_local_package(env, yml_specs):
    assert "pip" in yml_specs, "environment.yml needs `pip` for its pip section"
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "expected exactly one `- pip:` section"
    assert [s.strip() for s in pip_sections[0]] == ["-e ."], pip_sections[0]
