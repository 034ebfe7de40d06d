"""Fixtures of the real-browser tests (Playwright + Debian's Chromium at /usr/bin/chromium).

Every test in tests/browser/ is marked ``browser`` and is skipped, with the install hint, when
Chromium (or the Python package playwright) is missing, so ``pytest tests`` stays green on a
machine without a browser.

* ``browser``: one headless Chromium for the session (fresh temp user-data-dir), with every
  request that does not go to 127.0.0.1/localhost aborted (``browserkit.Guard``; nothing is
  stubbed, so the pages must work offline).
* ``lab_server`` / ``voila_server``: one server per test module on a free loopback port with a
  random token, over a temp copy of book/ (JupyterLab) or apps/ (Voila); always stopped
  (SIGTERM to the process group, SIGKILL after 15 s, leftover kernels killed), even on failure.
* ``page``: a new tab per test with its console errors and failed requests collected
  (``page.console``, a ``browserkit.ConsoleLog``). A test that passes fails after all (at
  teardown) if its page logged any console error or failed request, or asked for anything
  outside loopback, unless the test checked them itself (``page.console.assert_clean()``). On
  failure a full-page screenshot lands in $GAUGE_BOOK_SHOTS (default screenshots/). Kernels
  started by the test are shut down afterwards.
"""
from __future__ import annotations

import contextlib
import importlib.util

import pytest

import browserkit as bk

HERE = __import__("pathlib").Path(__file__).resolve().parent


def _skip_reason():
    if not bk.chromium_available():
        return bk.CHROMIUM_MISSING
    if importlib.util.find_spec("playwright") is None:
        return "playwright not installed: pip install -e '.[test]'"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _skip_reason()
    for item in items:
        if HERE in item.path.parents or item.path.parent == HERE:
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    try:
        yield pw
    finally:
        pw.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """A persistent Chromium context (shared HTTP cache, so JupyterLab loads faster per test)."""
    ctx = bk.launch(playwright_instance)
    guard = bk.Guard().install(ctx)
    ctx.gauge_guard = guard
    try:
        yield ctx
    finally:
        bk.close_browser(ctx)


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory):
    server = bk.start_lab(tmp_path_factory.mktemp("lab"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def voila_server(tmp_path_factory):
    server = bk.start_voila(tmp_path_factory.mktemp("voila"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(request, browser):
    """A fresh tab; ``page.console`` collects console errors and failed requests, ``page.guard``
    is the Guard. Any of them fails a test that passed and did not check them itself."""
    tab = browser.new_page()
    tab.console = bk.ConsoleLog(tab, browser.gauge_guard)
    tab.guard = browser.gauge_guard
    blocked_before = len(browser.gauge_guard.blocked)
    problems = []
    try:
        yield tab
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            with contextlib.suppress(Exception):
                name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
                tab.screenshot(path=str(bk.shots_dir() / f"FAILED-{name}.png"), full_page=True)
        new_blocked = browser.gauge_guard.blocked[blocked_before:]
        if rep is not None and rep.passed and not tab.console.checked:
            problems = tab.console.problems() + [f"blocked (not loopback): {u}" for u in new_blocked
                                                 if not any(u in f for f in tab.console.failed)]
        with contextlib.suppress(Exception):
            tab.close()
        if "lab_server" in request.fixturenames:  # Voila ends a kernel when its page closes
            request.getfixturevalue("lab_server").shutdown_kernels()
        if new_blocked:
            print(f"blocked non-loopback requests: {new_blocked}")
    if problems:
        pytest.fail(f"{request.node.name}: the page logged {len(problems)} console error(s) / "
                    "failed request(s):\n" + "\n".join(problems), pytrace=False)
