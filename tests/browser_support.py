"""Shared by the book and browser tests: build the book once, serve folders on
127.0.0.1, and drive Debian's Chromium with Playwright.

Playwright's own browser download does not work everywhere the course is
tested, so the tests use the system Chromium (``apt-get install chromium``,
which .ci/run does as root) and skip with a message saying so when it is missing.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import http.server
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"


def require_chromium():
    """Skip the calling test unless Playwright and Debian's Chromium are installed."""
    if not CHROMIUM.is_file():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}: `apt-get install chromium "
                    "fonts-noto-cjk` (.ci/run does it when run as root)")
    pytest.importorskip("playwright.sync_api", reason="browser tests need `pip install playwright`")


def launch_chromium(playwright, env: dict[str, str] | None = None):
    """Start a headless Chromium from a running Playwright (with environment ``env`` if given).

    One process can hold only one sync Playwright at a time: a second browser comes from
    the same Playwright, not from a nested ``sync_playwright()``.
    """
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS, env=env, timeout=60_000)


@contextlib.contextmanager
def chromium_browser():
    """A headless Chromium with a Playwright of its own, both closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        pass


@contextlib.contextmanager
def serve_folder(folder: Path):
    """Serve ``folder`` over HTTP on 127.0.0.1; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@functools.lru_cache(maxsize=1)
def built_book() -> Path:
    """Build the book once per test process (with ``python -m book``) into a temporary folder."""
    out = Path(tempfile.mkdtemp(prefix="crm-book-")) / "book"
    atexit.register(shutil.rmtree, out.parent, True)
    result = subprocess.run([sys.executable, "-m", "book", "--out", str(out), "-j", "2"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def artifact_dir(name: str) -> Path:
    """``test-artifacts/NAME/``, created empty (screenshots for people to look at)."""
    path = ARTIFACTS / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@contextlib.contextmanager
def screenshot_on_failure(page, path: Path):
    """Save a screenshot of ``page`` to ``path`` (and its HTML beside it) if the block
    fails, then re-raise."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(path))
            Path(path).with_suffix(".html").write_text(page.content(), encoding="utf-8")
        raise
