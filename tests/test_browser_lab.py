"""A student's session in JupyterLab, in a real browser (Debian's Chromium via Playwright).

A JupyterLab server on 127.0.0.1 serves a temporary folder holding the student
version of the RFM chapter and an answered copy (the solution notebook). The
tests run the chapter, see the worked example's plot, type an answer and read
the formative check's message, then press nbgrader's Validate on the answered
notebook; in a Chinese edition, a wrong answer's check speaks Chinese.
Screenshots go to test-artifacts/lab/.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_support import (
    artifact_dir,
    chromium_browser,
    free_port,
    require_chromium,
    screenshot_on_failure,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser_lab")]

CHAPTER = "06_rfm"
ZH_CHAPTER = "00_overview_zh"  # a Chinese edition (grader.translate)
# One line, so the editor's auto-indent cannot change it; returns every order, not one per customer.
WRONG_ANSWER = 'def rfm_table(orders, as_of, amount_col="net_amount_cny"): return orders'


@pytest.fixture(scope="module")
def lab(root, tmp_path_factory):
    """A JupyterLab server on a free port of 127.0.0.1; yields (base URL, token)."""
    require_chromium()
    home = tmp_path_factory.mktemp("lab")
    (home / "student").mkdir()
    (home / "answered").mkdir()
    shutil.copy2(root / "chapters" / CHAPTER / f"{CHAPTER}.ipynb", home / "student")
    shutil.copy2(root / "chapters" / ZH_CHAPTER / f"{ZH_CHAPTER}.ipynb", home / "student")
    shutil.copy2(root / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", home / "answered")
    token = secrets.token_hex(16)
    port = free_port()
    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
           # keep JupyterLab's state out of the user's home
           "JUPYTER_RUNTIME_DIR": str(home / ".runtime"),
           "JUPYTER_CONFIG_DIR": str(home / ".config"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / ".workspaces"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / ".settings")}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={home}", "--LabApp.news_url=",
           # the course's JupyterLab settings, as `make lab` and the student bundle use them
           f"--LabApp.app_settings_dir={root / 'lab' / 'settings'}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = (home / "lab.log").open("w")
    server = subprocess.Popen(cmd, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n"
                                       + (home / "lab.log").read_text()[-3000:]) from None
                time.sleep(0.3)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


def open_notebook(browser, lab, path):
    url, token = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(120_000)  # generous: CI runs this beside other kernels on 2 cores
    # a workspace of its own, so no tab from another test is restored next to it
    workspace = secrets.token_hex(4)
    page.goto(f"{url}lab/workspaces/{workspace}/tree/{path}?token={token}", timeout=60_000)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=90_000)
    page.locator(".jp-StatusBar-Widget", has_text="| Idle").first.wait_for()
    return page


def run_all_cells(page, attempts: int = 3):
    """Run > Run All Cells, again if no cell has started (a click before the kernel was
    fully connected can come to nothing on a loaded machine)."""
    started = r"""() => Array.from(document.querySelectorAll('.jp-Notebook .jp-InputPrompt'))
                    .some(p => /\[(\*|\d+)\]/.test(p.textContent))"""
    for attempt in range(attempts):
        page.locator(".jp-Notebook .jp-Cell").first.click()  # the notebook has the focus
        page.locator(".lm-MenuBar-itemLabel").get_by_text("Run", exact=True).click()
        # exactly "Run All Cells", not "Restart Kernel and Run All Cells…" (which asks first)
        page.locator(".lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
        try:
            page.wait_for_function(started, timeout=30_000)
            return
        except Exception:
            if attempt == attempts - 1:
                raise
            page.keyboard.press("Escape")


def cell_index(page, text: str) -> int:
    """Index of the first notebook cell whose source contains ``text``."""
    index = page.evaluate(
        """(text) => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'))
             .findIndex(c => (c.querySelector('.jp-InputArea') || c).textContent.includes(text))""",
        text)
    assert index >= 0, f"no cell contains {text!r}"
    return index


def run_cell(page, index: int, timeout_ms: int = 120_000):
    """Select cell ``index``, run it (Ctrl+Enter) and wait until its prompt shows a new count."""
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    prompt = cell.locator(".jp-InputPrompt")
    before = prompt.inner_text()
    prompt.click()
    page.keyboard.press("Control+Enter")
    page.wait_for_function(
        """([i, before]) => {
             const p = document.querySelectorAll('.jp-Notebook .jp-Cell')[i]
                         .querySelector('.jp-InputPrompt').innerText;
             return /\\[\\d+\\]/.test(p) && p !== before;
           }""",
        arg=[index, before], timeout=timeout_ms)
    return cell


def replace_source(page, index: int, source: str):
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.type(source)
    page.keyboard.press("Escape")


def answer_and_check(page, answer: int, check: int, source: str):
    """Type ``source`` into the answer cell, run it and every cell up to its check cell;
    returns the check cell's output area."""
    replace_source(page, answer, source)
    for index in range(answer, check + 1):
        run_cell(page, index)
    return page.locator(".jp-Notebook .jp-Cell").nth(check).locator(".jp-OutputArea")


def test_student_runs_the_chapter_sees_the_plot_and_the_checks(lab):
    shots = artifact_dir("lab")
    with chromium_browser() as browser:
        page = open_notebook(browser, lab, f"student/{CHAPTER}.ipynb")
        with screenshot_on_failure(page, shots / "failure.png"):
            run_all_cells(page)
            # the worked example's plot, then the first unanswered exercise stops the run
            # (attached, not visible: Run All scrolls on, and cells off-screen are not painted)
            page.wait_for_selector(".jp-OutputArea-output img", state="attached")
            page.locator(".jp-OutputArea-output", has_text="NotImplementedError").first.wait_for(
                state="attached")
            plot = page.locator(".jp-OutputArea-output img").first
            plot.scroll_into_view_if_needed()
            plot.wait_for(state="visible")
            assert plot.evaluate("img => img.complete && img.naturalWidth") > 300
            page.screenshot(path=str(shots / "1-worked-example-plot.png"))

            answer = cell_index(page, "def rfm_table(")
            check = cell_index(page, '"""rfm_table on the shop')
            # A first try that forgets to keep one row per customer: the check says so, with a hint.
            output = answer_and_check(page, answer, check, WRONG_ANSWER)
            output.get_by_text("✗ rfm_table(orders, AS_OF) has more than one row").wait_for()
            assert "Hint:" in output.inner_text()
            output.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "2-formative-check-fails-with-hint.png"))

            # A correct answer: the same check now passes.
            answer_and_check(page, answer, check, "from grader.reference.rfm import rfm_table")
            output.get_by_text("✓ rfm_table(orders, AS_OF)").wait_for()
            output.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "3-formative-check-passes.png"))
        page.close()


def test_validate_passes_on_the_answered_notebook(lab):
    shots = artifact_dir("lab-validate")
    with chromium_browser() as browser:
        page = open_notebook(browser, lab, f"answered/{CHAPTER}.ipynb")
        with screenshot_on_failure(page, shots / "failure.png"):
            toolbar = page.locator(".jp-NotebookPanel-toolbar")
            toolbar.get_by_text("Validate", exact=True).click()
            dialog = page.locator(".jp-Dialog")
            dialog.get_by_text("Success! Your notebook passes all the tests.").wait_for(
                timeout=240_000)
            page.screenshot(path=str(shots / "validate-success.png"))
        page.close()


def test_a_chinese_edition_shows_its_check_message_in_chinese(lab):
    shots = artifact_dir("lab-zh")
    with chromium_browser() as browser:
        page = open_notebook(browser, lab, f"student/{ZH_CHAPTER}.ipynb")
        with screenshot_on_failure(page, shots / "failure.png"):
            run_all_cells(page)  # the set-up cell switches crm_lab to Chinese
            page.locator(".jp-OutputArea-output", has_text="NotImplementedError").first.wait_for(
                state="attached")
            answer = cell_index(page, "def monthly_orders(")
            check = cell_index(page, '"""monthly_orders')
            output = answer_and_check(page, answer, check,
                                      "def monthly_orders(orders): return orders")
            output.get_by_text("中没有名为 'month' 的列").wait_for()
            assert "提示：" in output.inner_text()
            # the course switches JupyterLab's news off: no pop-up asks about it
            assert page.get_by_text("official Jupyter news").count() == 0
            output.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "check-in-chinese.png"))
        page.close()
