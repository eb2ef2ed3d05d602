"""The grading tools' pieces that need no kernel: memory sizes, locating and collecting
submissions, the similarity fingerprints, status labels."""

from __future__ import annotations

import shutil
import zipfile

import nbformat
import pytest
from grading_support import run_in_forked_kernel
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.preprocessors import CheckCellMetadata

from grader.autograde.limits import parse_bytes
from grader.autograde.status import SubmissionStatus
from grader.autograde.submissions import CheckCellMetadataOnce, locate_notebook
from grader.collect import collect
from grader.similarity import fingerprints, normalised_tokens

CHAPTER = "06_rfm"


@pytest.fixture
def course(tmp_path, root):
    """A course root with only its configuration: all that collecting needs."""
    folder = tmp_path / "course"
    folder.mkdir()
    shutil.copy(root / "nbgrader_config.py", folder)
    return folder


def test_memory_sizes_read_like_people_write_them():
    assert parse_bytes("4G") == 4 * 1024**3
    assert parse_bytes("512MB") == 512 * 1024**2
    assert parse_bytes("0") == 0
    with pytest.raises(ValueError, match="memory size"):
        parse_bytes("lots")


def test_a_renamed_notebook_is_found_and_noted(tmp_path):
    (tmp_path / "Copy of 06_rfm.ipynb").write_text("{}")
    located = locate_notebook(tmp_path, CHAPTER)
    assert located.path.name == "Copy of 06_rfm.ipynb" and "renamed" in located.notes[0]


def test_several_notebooks_without_the_right_name_are_a_reason_not_a_guess(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.ipynb").write_text("{}")
    located = locate_notebook(tmp_path, CHAPTER)
    assert located.path is None and "several notebooks" in located.reason


def test_status_label_says_why_a_submission_has_no_score():
    status = SubmissionStatus("s1", CHAPTER, "ungradable", "not a readable notebook")
    assert status.label == "ungradable: not a readable notebook"
    assert SubmissionStatus("s2", CHAPTER, "graded").label == "graded"


def _released_chapter(root):
    return nbformat.read(root / "chapters" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)


def _corruptions():
    """Ways to break a released chapter's nbgrader metadata, by what each breaks."""

    def points_as_text(meta):
        meta["points"] = "ten"

    def unknown_key(meta):
        meta["secret"] = True

    def no_grade_id(meta):
        del meta["grade_id"]

    def old_schema(meta):
        meta["schema_version"] = 1

    def newer_schema(meta):
        meta["schema_version"] = 99

    return [points_as_text, unknown_key, no_grade_id, old_schema, newer_schema]


@pytest.mark.parametrize("corrupt", _corruptions(), ids=lambda f: f.__name__)
def test_the_cached_schema_check_rejects_what_nbgraders_rejects(root, corrupt):
    nb = _released_chapter(root)
    graded = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    corrupt(graded.metadata["nbgrader"])
    errors = []
    for check in (CheckCellMetadata, CheckCellMetadataOnce):
        with pytest.raises(Exception) as raised:  # nbgrader's own type, whichever it is
            check().preprocess(nb, {})
        errors.append(type(raised.value))
    assert errors[0] is errors[1]


def test_the_cached_schema_check_accepts_the_released_chapter(root):
    nb = _released_chapter(root)
    assert CheckCellMetadataOnce().preprocess(nb, {})[0] is nb
    CheckCellMetadata().preprocess(nb, {})


def _nb(source="x = 1"):
    return nbformat.writes(new_notebook(cells=[new_code_cell(source)]))


def test_collect_from_student_folders(tmp_path, course):
    source = tmp_path / "download"
    (source / "alice").mkdir(parents=True)
    (source / "alice" / "06_rfm.ipynb").write_text(_nb())
    (source / "Bo Li_20231234_assignsubmission_file_").mkdir()
    (source / "Bo Li_20231234_assignsubmission_file_" / "my work.ipynb").write_text(_nb())
    (source / "stray.ipynb").write_text(_nb())
    (source / "alice" / "notes.txt").write_text("hello")
    result = collect(CHAPTER, source, root=course)
    assert set(result.placed) == {"alice", "20231234"}
    assert (course / "submitted" / "20231234" / CHAPTER / f"{CHAPTER}.ipynb").is_file()
    reasons = dict(result.unplaced)
    assert reasons["stray.ipynb"] == "no student id in its name or folder"
    assert reasons["alice/notes.txt"] == "not a notebook"


def test_collect_from_an_lms_zip_keeps_the_latest_attempt_and_its_time(tmp_path, course):
    archive = tmp_path / "gradebook.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("06_rfm_carol_attempt_2026-01-02-10-00-00_06_rfm.ipynb", _nb("old = 1"))
        zf.writestr("06_rfm_carol_attempt_2026-01-03-09-30-00_06_rfm.ipynb", _nb("new = 2"))
        zf.writestr("__MACOSX/._junk.ipynb", "junk")
    result = collect(CHAPTER, archive, root=course)
    folder = course / "submitted" / "carol" / CHAPTER
    assert set(result.placed) == {"carol"}
    assert "new = 2" in (folder / f"{CHAPTER}.ipynb").read_text()
    assert (folder / "timestamp.txt").read_text() == "2026-01-03 09:30:00"
    assert len(result.unplaced) == 1 and "another notebook" in result.unplaced[0][1]


def test_collect_does_not_overwrite_a_different_submission_without_force(tmp_path, course):
    source = tmp_path / "download"
    (source / "dan").mkdir(parents=True)
    (source / "dan" / "06_rfm.ipynb").write_text(_nb("a = 1"))
    collect(CHAPTER, source, root=course)
    (source / "dan" / "06_rfm.ipynb").write_text(_nb("a = 2"))
    assert "use --force" in collect(CHAPTER, source, root=course).unplaced[0][1]
    assert collect(CHAPTER, source, root=course, force=True).placed


ORIGINAL = '''def top_customer_share(rfm, top_fraction=0.2):
    n_top = int(np.ceil(top_fraction * len(rfm)))
    top = rfm["monetary_cny"].sort_values(ascending=False).head(n_top)
    return float(top.sum() / rfm["monetary_cny"].sum())
'''
DISGUISED = '''def top_customer_share(table, share=0.2):
    # my own work!
    k   = int(np.ceil(share*len(table)))
    best = table['monetary_cny'].sort_values(ascending = False).head(k)
    return float(best.sum()/table['monetary_cny'].sum())
'''
INDEPENDENT = '''import math

def top_customer_share(rfm, top_fraction=0.2):
    top = rfm.nlargest(math.ceil(top_fraction * len(rfm)), "monetary_cny")
    return top["monetary_cny"].sum() / rfm["monetary_cny"].sum()
'''


def test_renamed_variables_comments_and_spacing_do_not_hide_a_copy():
    assert normalised_tokens(ORIGINAL) == normalised_tokens(DISGUISED)
    assert fingerprints(normalised_tokens(ORIGINAL)) == fingerprints(normalised_tokens(DISGUISED))


def test_an_independent_answer_shares_few_fingerprints():
    a = fingerprints(normalised_tokens(ORIGINAL))
    b = fingerprints(normalised_tokens(INDEPENDENT))
    assert len(a & b) / len(a | b) < 0.3


def test_code_that_does_not_tokenise_is_compared_as_words():
    assert normalised_tokens("def f(:\n  return '") == ["def", "f", "return"]


def test_grading_templates_preload_every_module_the_chapters_import(root):
    """Derived from solutions/: what a chapter imports is pre-loaded with no list to keep."""
    from grader.autograde.imports import KERNEL_MODULES, preloaded_modules

    modules = preloaded_modules(root)
    for expected in ("pandas", "matplotlib.pyplot", "crm_lab.data", "grader.compare",
                     "sklearn.feature_extraction.text", *KERNEL_MODULES):
        assert expected in modules
    assert not {"os", "math", "json"} & set(modules)  # the standard library is cheap


def test_a_new_chapter_s_imports_are_preloaded_and_config_adds_more(tmp_path):
    from grader.autograde.imports import preloaded_modules

    chapter = tmp_path / "solutions" / "08_new"
    chapter.mkdir(parents=True)
    nb = new_notebook(cells=[
        new_code_cell("%matplotlib inline\nimport math\nimport sklearn.cluster as skc"),
        new_code_cell("from scipy import stats, optimize\nfrom crm_lab import *"),
        new_code_cell("def broken(:\n    import simpy"),  # does not parse: imports nothing
        new_code_cell("from .local import thing\nimport no_such_package_here"),
    ])
    nbformat.write(nb, chapter / "08_new.ipynb")
    modules = preloaded_modules(tmp_path, extra=["statsmodels"])
    chapters = set(modules) - {m for m in modules if m.startswith(("ipykernel", "matplotlib_"))}
    # crm_lab brings what its own modules import (crm_lab.set_language: i18n, then polib)
    assert chapters == {"sklearn.cluster", "scipy", "scipy.stats", "scipy.optimize", "crm_lab",
                        "crm_lab.i18n", "polib", "statsmodels"}


def test_without_sources_the_released_notebooks_are_read(tmp_path):
    from grader.autograde.imports import chapter_modules

    (tmp_path / "chapters" / "01_x").mkdir(parents=True)
    nbformat.write(new_notebook(cells=[new_code_cell("import pandas")]),
                   tmp_path / "chapters" / "01_x" / "01_x.ipynb")
    assert chapter_modules(tmp_path) == ("pandas",)


def test_a_grading_run_s_template_imports_its_own_chapter_s_modules(tmp_path):
    """One chapter graded: the modules of that chapter only, not another's scikit-learn."""
    from grader.autograde.imports import chapter_modules, preloaded_modules

    for name, code in (("01_a", "import pandas"), ("02_b", "import sklearn.cluster")):
        (tmp_path / "solutions" / name).mkdir(parents=True)
        nbformat.write(new_notebook(cells=[new_code_cell(code)]),
                       tmp_path / "solutions" / name / f"{name}.ipynb")
    assert chapter_modules(tmp_path, "01_a") == ("pandas",)
    assert chapter_modules(tmp_path) == ("pandas", "sklearn.cluster")
    assert "sklearn.cluster" not in preloaded_modules(tmp_path, chapter="01_a")


def test_a_template_builds_the_fixtures_of_the_modules_it_imported_only(monkeypatch):
    """A grading run's template imports one chapter's modules; warming the fixtures must not
    import (and build) every other chapter's."""
    import importlib

    from grader.fixtures import warm_fixtures

    imported = []
    real = importlib.import_module
    monkeypatch.setattr(importlib, "import_module",
                        lambda name, *a: imported.append(name) or real(name, *a))
    assert warm_fixtures(imported_only=True) > 0
    assert imported == []
    warm_fixtures()
    assert "grader.fixtures_information" in imported


@pytest.mark.slow
def test_workers_fork_from_the_run_s_shared_template_or_else_their_own(tmp_path):
    """Kernels of every worker come from the one SharedTemplate; a worker that cannot reach
    it (it died, before or after the worker first asked) starts a template of its own, and
    its kernels still run."""
    from grader.autograde.kernels import PrewarmedKernels, SharedTemplate

    parent = "import os; print(os.getppid())"
    with SharedTemplate(("json",), None, str(tmp_path)) as shared:
        assert shared.address and shared.address.startswith(str(tmp_path))
        first, second = (PrewarmedKernels(modules=("json",), template_address=shared.address)
                         for _ in range(2))
        template_pid = f"{shared.template.process.pid}\n"
        assert run_in_forked_kernel(first, parent) == ("ok", template_pid)
        assert run_in_forked_kernel(second, parent) == ("ok", template_pid)
        shared.template.process.kill()
        shared.template.process.join(10)
        late = PrewarmedKernels(modules=("json",), template_address=shared.address)
        for kernels in (first, late):  # connected before it died; never connected
            status, ppid = run_in_forked_kernel(kernels, parent)
            assert status == "ok" and ppid == f"{kernels.template.private.process.pid}\n"


@pytest.mark.slow
def test_a_shared_template_that_never_answers_costs_a_wait_not_the_submission(tmp_path,
                                                                              monkeypatch):
    """A socket that takes the request and never answers (a hung template): after the
    wait, the worker forks from a template of its own."""
    import socket

    from grader.autograde import kernels

    monkeypatch.setattr(kernels._TemplateClient, "ANSWER_SECONDS", 1)
    hung = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hung.bind(str(tmp_path / "hung.sock"))
    hung.listen(1)
    try:
        pool = kernels.PrewarmedKernels(modules=("json",),
                                        template_address=str(tmp_path / "hung.sock"))
        assert run_in_forked_kernel(pool, "6 * 7")[0] == "ok"
        assert pool.template.private is not None
    finally:
        hung.close()


@pytest.mark.slow
def test_a_kernel_cannot_read_the_code_an_earlier_kernel_ran():
    """IPython keeps every kernel's inputs in one history database per user; a graded
    kernel keeps its history in memory only, so `%history -g` cannot show it another
    student's answers."""
    from grader.autograde.kernels import PrewarmedKernels

    kernels = PrewarmedKernels(modules=("json",))
    code = "answer = 'q7z5x answer of student A'\nimport time; time.sleep(0.5)"
    assert run_in_forked_kernel(kernels, code)[0] == "ok"
    status, found = run_in_forked_kernel(kernels, "%history -g q7z5x")
    assert status == "ok" and "student A" not in found


def _messages(chunks: list[str], error_after: int | None = None) -> list[dict]:
    """Kernel IOPub messages: printed ``chunks``, and an error after chunk ``error_after``."""
    msgs = [{"msg_type": "stream", "header": {"msg_type": "stream"},
             "parent_header": {"msg_id": "run"},
             "content": {"name": "stdout", "text": text}} for text in chunks]
    if error_after is not None:
        msgs.insert(error_after, {
            "msg_type": "error", "header": {"msg_type": "error"},
            "parent_header": {"msg_id": "run"},
            "content": {"ename": "ValueError", "evalue": "still reported", "traceback": ["tb"]}})
    return msgs


@pytest.mark.parametrize("chunks, error_after", [
    ([f"line {i}\n" for i in range(3_000)], None),                      # one line at a time
    (["a\nb\nc\n" * 97 for _ in range(40)], 25),                      # many lines at a time
    (["x"] * 600 + ["\n"] + ["y\n" * 450] * 3, 300),                   # no newline, then some
    ([f"{i}\n" for i in range(10)], 5),                                 # under the limit
])
def test_printed_text_is_cut_on_arrival_exactly_as_limitoutput_cuts_it(chunks, error_after):
    """For any sequence of messages, RobustExecute's output handler keeps little, and what
    LimitOutput leaves of it is what LimitOutput leaves of everything nbclient would keep."""
    from nbclient import NotebookClient
    from nbgrader.preprocessors import LimitOutput
    from traitlets.config import Config

    from grader.autograde.execute import RobustExecute

    cfg = Config({"LimitOutput": {"max_lines": 500}})
    executor = RobustExecute(config=cfg)
    executor.reset_execution_trackers()
    executor.clear_before_next_output = False  # nbclient sets it when a cell starts
    executor._max_stream_lines = LimitOutput(config=cfg).max_lines
    kept = {"ours": [], "nbclient": []}
    for msg in _messages(chunks, error_after):
        executor.output(kept["ours"], msg, None, 0)
        NotebookClient.output(executor, kept["nbclient"], msg, None, 0)
    assert len(kept["ours"]) <= min(len(kept["nbclient"]), 502)
    limited = {}
    for name, outputs in kept.items():
        nb = new_notebook(cells=[new_code_cell("", outputs=outputs)])
        nb, _ = LimitOutput(config=cfg)(nb, {})
        limited[name] = nb.cells[0].outputs
    assert limited["ours"] == limited["nbclient"]
    if error_after is not None:  # an error is never dropped, however much was printed
        assert any(o.get("ename") == "ValueError" for o in limited["ours"])


@pytest.mark.slow
def test_a_printing_loop_in_a_real_kernel_is_cut_while_it_runs(tmp_path):
    from traitlets.config import Config

    from grader.autograde.execute import RobustExecute

    cfg = Config({"LimitOutput": {"max_lines": 500}, "Execute": {"timeout": 60}})
    nb = new_notebook(cells=[new_code_cell(
        "import sys\nfor i in range(30_000):\n    print('line', i)\n"
        "    if i % 997 == 0:\n        sys.stdout.flush()\nraise ValueError('still reported')")])
    nb, _ = RobustExecute(config=cfg)(nb, {"metadata": {"path": str(tmp_path)}})
    outputs = nb.cells[0].outputs
    lines = sum(len(o.text.split("\n")) for o in outputs if o.output_type == "stream")
    assert lines < 1_500  # of 30,000 printed
    assert outputs[-1].ename == "ValueError"


@pytest.mark.slow
def test_a_kernel_that_cannot_be_forked_is_replaced_by_a_cold_one(root, tmp_path, monkeypatch):
    import json

    from jupyter_client.manager import AsyncKernelManager

    from grader.autograde import worker
    from grader.autograde.config import load_config

    monkeypatch.setattr(worker, "_STATE", {
        "config": load_config(root),
        "factory": lambda: AsyncKernelManager(kernel_name="no_such_kernel"),
    })
    nb = new_notebook(cells=[new_code_cell("print(6 * 7)")])
    job = worker.Job("s1", json.dumps(nb), str(tmp_path), {})  # as run.py sends it
    outcome = worker.run_job(job)
    assert outcome.error == ""
    assert "cold kernel" in outcome.notes[0] and "no_such_kernel" in outcome.notes[0]
    cell = json.loads(outcome.notebook_json)["cells"][0]
    assert cell["outputs"][0]["text"] == "42\n"


@pytest.mark.slow
def test_a_dead_kernel_template_is_started_again():

    from grader.autograde.kernels import PrewarmedKernels

    kernels = PrewarmedKernels(modules=("json",))
    kernels.template.process.kill()
    kernels.template.process.join(10)

    assert run_in_forked_kernel(kernels, "6 * 7")[0] == "ok"
    assert kernels.template.process.is_alive()


@pytest.mark.slow
def test_a_forked_kernel_reads_its_own_language_and_starts_with_the_fixtures(root):
    """The template's warm-up (shop data, second shop, hand-made cases) runs crm_lab code
    that settles the language from the template's environment; a kernel still takes the
    language of its own (a class may set CRM_LAB_LANGUAGE for every kernel), and finds the
    hidden tests' fixtures already built."""
    import os

    from grader.autograde.kernels import PrewarmedKernels

    kernels = PrewarmedKernels(modules=("crm_lab", "grader.fixtures"), course_root=str(root))
    code = ("import crm_lab.i18n, grader.fixtures as f\n"
            "print(crm_lab.i18n.language(), all(c.cache_info().currsize for c in f._WARMABLE))")
    env = {k: v for k, v in os.environ.items() if k != "CRM_LAB_LANGUAGE"}
    assert run_in_forked_kernel(kernels, code, env={**env, "CRM_LAB_LANGUAGE": "zh"}) == (
        "ok", "zh True\n")
    assert run_in_forked_kernel(kernels, code, env=env) == ("ok", "en True\n")


def test_one_calls_config_overrides_do_not_leak_into_the_next(root):
    """load_config caches the parsed file; an override must stay in the call that made it."""
    from grader.autograde.config import load_config

    plain = load_config(root).Execute.timeout
    assert load_config(root, Execute={"timeout": plain + 7}).Execute.timeout == plain + 7
    assert load_config(root).Execute.timeout == plain
    load_config(root, RobustExecute={"memory_limit_bytes": 1}).RobustExecute.memory_limit_bytes = 2
    assert "memory_limit_bytes" not in load_config(root).RobustExecute


def test_a_grading_run_shares_one_database_engine_and_lets_it_go(tmp_path):
    """Inside one_engine every gradebook opened shares the run's engine and commits on its
    own; outside, and after the block, each is nbgrader's own Gradebook."""
    from nbgrader.api import Gradebook

    from grader.autograde.gradebook import one_engine, open_gradebook

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with one_engine(url, "crm-course"):
        with open_gradebook(url, "crm-course") as first:
            first.update_or_create_student("ana")
        with open_gradebook(url, "crm-course") as second:
            assert second.engine is first.engine
            assert [s.id for s in second.students] == ["ana"]
    with open_gradebook(url, "crm-course") as after:
        assert type(after) is Gradebook and [s.id for s in after.students] == ["ana"]


@pytest.mark.skipif(not hasattr(__import__("os"), "sched_setaffinity"), reason="Linux only")
def test_grade_uses_as_many_workers_as_cores_it_may_run_on():
    """A container or `taskset` may allow fewer cores than the machine has: a worker per
    machine core would then crowd the allowed ones."""
    import os
    import subprocess
    import sys

    code = "from grader.autograde.run import usable_cores; print(usable_cores())"
    one = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, preexec_fn=lambda: os.sched_setaffinity(0, {0}))
    assert one.stdout.strip() == "1"
