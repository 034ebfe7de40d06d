"""environment.yml (conda-forge) must mirror pyproject.toml (pip).

Checks, without running conda: conda-forge is the first channel and `defaults` is absent;
the python lower bound equals `requires-python`; every runtime dependency and every
`test` and `bench` extra appears in the yml exactly once, with the same bounds, either as a conda-forge package
(PyPI -> conda-forge name map below) or, for what conda-forge lacks, in the `pip:` section;
nothing in the yml is unknown to pyproject (apart from python and pip); the pip section ends
by installing the local package with `-e .`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
ENV_YML = ROOT / "environment.yml"

# PyPI name -> conda-forge name, where they differ.
CONDA_NAME = {"matplotlib": "matplotlib-base"}
# yml entries that need no counterpart in pyproject.
YML_ONLY = {"python", "pip"}
EXTRAS = ("test", "bench")

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
    """The conda packages of environment.yml (the pip section excluded)."""
    specs = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            continue  # the `pip:` section
        name, spec = conda_spec(dep)
        assert name not in specs, f"{name} listed twice in environment.yml"
        specs[name] = spec
    return specs


@pytest.fixture(scope="module")
def pip_section(env) -> list[str]:
    sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1, "expected exactly one `- pip:` section"
    return [str(s).strip() for s in sections[0]]


@pytest.fixture(scope="module")
def yml_pip_requirements(pip_section) -> dict[str, Requirement]:
    """The PyPI requirements of the pip section (``-e .`` excluded), by normalised name."""
    out = {}
    for line in pip_section:
        if line == "-e .":
            continue
        assert not line.startswith("-"), f"unexpected pip option in environment.yml: {line!r}"
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name not in out, f"{req.name} listed twice in the pip section of environment.yml"
        out[name] = req
    return out


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


def _bound_problems(name, py_spec, yml_spec, where):
    problems = []
    lo_py, lo_yml = bound(py_spec, ">="), bound(yml_spec, ">=")
    if lo_py is None:
        problems.append(f"{name}: pyproject.toml has no lower bound ({py_spec})")
    elif lo_py != lo_yml:
        problems.append(f"{name}: lower bound {lo_py} in pyproject.toml, {lo_yml} in {where}")
    hi_py, hi_yml = bound(py_spec, "<"), bound(yml_spec, "<")
    if hi_py != hi_yml:
        problems.append(f"{name}: upper bound {hi_py} in pyproject.toml, {hi_yml} in {where}")
    return problems


def test_every_pyproject_dependency_in_yml_with_same_bounds(py_requirements, yml_specs,
                                                            yml_pip_requirements):
    problems = []
    for conda, req in py_requirements.items():
        pypi = canonicalize_name(req.name)
        in_conda, in_pip = conda in yml_specs, pypi in yml_pip_requirements
        if in_conda and in_pip:
            problems.append(f"{req.name}: both a conda package and in the pip section")
        elif in_conda:
            problems += _bound_problems(req.name, req.specifier, yml_specs[conda],
                                        "environment.yml")
        elif in_pip:
            problems += _bound_problems(req.name, req.specifier,
                                        yml_pip_requirements[pypi].specifier,
                                        "the pip section of environment.yml")
        else:
            problems.append(f"{req.name}: missing from environment.yml (as conda package "
                            f"{conda!r}, or in the pip section if conda-forge lacks it)")
    assert not problems, "\n".join(problems)


def test_nothing_unknown_in_yml(py_requirements, yml_specs, yml_pip_requirements):
    unknown = set(yml_specs) - set(py_requirements) - YML_ONLY
    assert not unknown, f"in environment.yml but not in pyproject.toml: {sorted(unknown)}"
    known_pypi = {canonicalize_name(r.name) for r in py_requirements.values()}
    unknown_pip = set(yml_pip_requirements) - known_pypi
    assert not unknown_pip, (
        f"in the pip section of environment.yml but not in pyproject.toml: {sorted(unknown_pip)}")


def test_pip_section_installs_local_package_last(yml_specs, pip_section):
    assert "pip" in yml_specs, "environment.yml needs `pip` for its pip section"
    assert pip_section.count("-e .") == 1 and pip_section[-1] == "-e .", (
        f"the pip section must end with `-e .` (the book itself), got {pip_section}")
