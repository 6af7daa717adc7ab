"""Browser tests: the app served on 127.0.0.1 by a real WSGI server in a thread, driven by
Playwright in Debian's headless Chromium, with axe-core run on every page visited.

They skip with a reason when ``chromium`` is not installed (``.ci/run`` installs it).
"""

import json
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from consult import create_app

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    return path


@pytest.fixture
def live_app(app_config: dict) -> Flask:
    """The app under test; arrange data with the ``db`` fixture before using ``base_url``."""
    return create_app(app_config)


def _read_whole(app: Flask) -> Callable:
    """``app``, each response read whole (and closed) before any of it is sent: when the
    browser drops a connection mid-response (an icon it no longer wants), werkzeug's
    server can give up before closing the response, leaving a static file open in this
    process for the garbage collector to find during some later test."""

    def serve(environ: dict, start_response: Callable) -> list[bytes]:
        body = app(environ, start_response)
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture
def base_url(live_app: Flask) -> Iterator[str]:
    """Serve ``live_app`` on a free loopback port for the test's duration."""
    server = make_server("127.0.0.1", 0, _read_whole(live_app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    live_app.extensions["consult.engine"].dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator:
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest, tmp_path_factory) -> Iterator:
    """A fresh browser context and page; a screenshot is saved when the test fails."""
    # axe-core is injected as a script; bypass_csp lets it run under our strict CSP.
    yield from open_page(browser, request, bypass_csp=True)


def open_page(browser, request: pytest.FixtureRequest, **context_options) -> Iterator:
    """For page fixtures: a page in a fresh context made with ``context_options``, and a
    screenshot in ``test-results/`` when the test fails."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = ROOT / "test-results"
        folder.mkdir(exist_ok=True)
        page.screenshot(path=str(folder / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so fixtures can see a failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def assert_accessible() -> Callable:
    """Run axe-core on the page and fail on any WCAG 2.2 A/AA violation."""
    source = AXE.read_text()

    def check(page) -> None:
        page.add_script_tag(content=source)
        result = page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
            WCAG_22_AA,
        )
        violations = [
            {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]
        assert not violations, f"{page.url}: {json.dumps(violations, indent=1)}"

    return check
