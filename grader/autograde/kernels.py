"""Pre-warmed kernels: each submission gets a fresh kernel forked from a pre-imported template.

A chapter's kernel spends about 2.5 s of CPU importing pandas, matplotlib,
seaborn, IPython and the course's own packages before the first student
line runs, in every kernel, for every submission. Here one *template*
process per grading run (a "zygote", as Android calls it; :class:`SharedTemplate`, which
every worker asks for kernels) imports them once; each
kernel is then ``os.fork()`` of the template followed by ipykernel's normal
start-up, so it starts with the modules already in memory (copy-on-write) but
with nothing else: no variables, no history, no other student's state. One
student's kernel is never reused for another.

It plugs into jupyter_client as a kernel **provisioner** (the API meant for
custom kernel launching), so nbclient and nbgrader's Execute run unchanged.
Why fork and not a pool of started kernels: a started kernel idles while
waiting, but its import time is still CPU spent per submission; fork shares
the already-imported modules, which is what saves the time on a busy
machine.

Limits: POSIX only (fork). The template imports only modules and never runs
notebook code; its environment (``MPLBACKEND`` = inline, as ipykernel sets
it) is set before matplotlib is imported so plots still reach the notebook.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from contextlib import contextmanager
from multiprocessing.connection import wait
from pathlib import Path
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import Type

from grader.autograde.imports import preloaded_modules
from grader.autograde.limits import apply_memory_limit

__all__ = ["PrewarmedKernels", "SharedTemplate"]

_INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


# -- the template process ---------------------------------------------------------------

def _warm_deterministic_data(course_root: str | None) -> None:
    """Build, once, the data every kernel would otherwise rebuild: the course's tables as
    the loaders find them from ``course_root`` (where the kernels run, below it), the
    hidden tests' second shop and hand-made cases (:func:`grader.fixtures.warm_fixtures`,
    those of the fixture modules imported already: the template imports what the
    chapter graded imports) and the parsed CDNOW log. All are cached by their inputs
    (file bytes, a seed, a package file) and handed out as copies, so a forked kernel
    sees exactly what it would compute itself."""
    from crm_lab import data
    from grader.fixtures import warm_fixtures

    if course_root:
        os.chdir(course_root)
    builds = (data.load_shop, data.load_service, data.load_accounts, data.load_membership,
              data.load_satisfaction, data.load_customer_records,
              lambda: warm_fixtures(imported_only=True), data.load_cdnow_orders)
    for build in builds:
        try:
            build()
        except Exception:  # e.g. lifetimes missing: a kernel then pays for it, as usual
            pass


def _warm_pandas(pd) -> None:
    table = pd.DataFrame({"a": [1.0], "day": ["2025-01-02"]})
    table._repr_html_()  # how a cell shows a table: imports pandas' HTML writer
    table.style.format("{:.1f}", subset=["a"]).to_html()  # Styler compiles its templates
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%d %H:%M:%S"):  # strptime's compiled formats
        pd.to_datetime(table["day"], format=fmt, errors="coerce")


#: Library caches that every kernel would fill on first use, filled once in the template
#: with throwaway data, for the modules it imported (what the graded chapter imports):
#: module -> what to run on it. Each is a library's own cache (compiled templates and
#: formats, lazily imported writers, a country's phone metadata); nothing of the data
#: is kept, so a kernel computes exactly what it would without. Measured per kernel:
#: pandas' Styler about 40 ms (7 of 8 chapters use ``.style``), its HTML writer and date
#: formats about 60 ms, the Chinese phone metadata about 60 ms (chapter 02).
_LIBRARY_WARMERS = {
    "pandas": _warm_pandas,
    "phonenumbers": lambda pn: pn.is_valid_number(pn.parse("+86 138 0013 8000", None)),
}


def _warm_library_caches() -> None:
    """Run :data:`_LIBRARY_WARMERS` for the modules imported already."""
    for name, warm in _LIBRARY_WARMERS.items():
        if name in sys.modules:
            try:
                warm(sys.modules[name])
            except Exception:  # e.g. no jinja2: the kernels go without, as they would anyway
                pass


class _ReferenceAnswers:
    """Fills :mod:`grader.memo` from the instructors' solution notebook, run once, aside.

    The reference functions become memoized in the template, so every kernel forked
    from it has them so. A throwaway child of the template runs the notebook's code
    cells (solutions and hidden tests: the instructors' code, never a student's) in a
    plain namespace, output discarded, and sends back what the reference functions
    answered; the template reads them while it already forks kernels, and every kernel
    forked after they have arrived starts with them. The template runs no notebook
    code itself, so what a kernel starts with is unchanged but for those answers.
    Chapter 07's hidden tests spend about 1.2 s of a 4 s notebook in reference
    functions, 04's about 0.4 s of 2 s; the child costs one solution run per worker.
    Anything going wrong (no source notebook, a cell that hangs, a garbled answer) only
    means the kernels compute those answers themselves, as before.
    """

    LIMIT_SECONDS = 120

    def __init__(self, pid: int, fd: int):
        self.pid, self.fd, self.chunks = pid, fd, []

    @classmethod
    def start(cls, notebook: str | None, shared: str | None = None,
              close: tuple = ()) -> _ReferenceAnswers | None:
        """``shared``: a folder the templates of one grading run share; the first to claim
        it runs the notebook and leaves the answers there, the others read them (one
        solution run per grading run instead of one per worker). ``close``: the template's
        sockets, which the throwaway child must not keep open (a listening socket held
        by it would take connections nobody answers, once the template is gone)."""
        from grader import memo

        memo.memoize_package("grader.reference")
        if not notebook or not Path(notebook).is_file():
            return None
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            for sock in close:
                sock.close()
            cls._child(Path(notebook), write_fd, Path(shared) if shared else None)
        os.close(write_fd)
        return cls(pid, read_fd)

    @classmethod
    def _child(cls, notebook: Path, write_fd: int, shared: Path | None = None) -> None:
        try:
            signal.alarm(cls.LIMIT_SECONDS)  # default action: the child ends, nothing loaded
            answers = shared / "answers.pickle" if shared else None
            if answers is not None and not cls._claim(shared):
                while not answers.exists():  # another template is running the notebook
                    time.sleep(0.05)
                payload = answers.read_bytes()
            else:
                payload = b""
                try:
                    payload = cls._solution_answers(notebook)
                finally:  # even empty: the others stop waiting and compute for themselves
                    if answers is not None:
                        partial = answers.with_suffix(f".{os.getpid()}")
                        partial.write_bytes(payload)
                        os.replace(partial, answers)
            with os.fdopen(write_fd, "wb") as out:
                out.write(payload)
        finally:
            os._exit(0)

    @staticmethod
    def _claim(shared: Path) -> bool:
        try:
            os.close(os.open(shared / "answers.claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return False
        except OSError:  # an unusable folder: run the notebook here, as without one
            return True
        return True

    @staticmethod
    def _solution_answers(notebook: Path) -> bytes:
        import pickle

        from grader import memo

        _run_solution_cells(notebook)
        payload = []
        for item in memo.entries():
            try:
                payload.append(pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL))
            except Exception:  # an answer that cannot travel stays behind
                pass
        return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)

    def fileno(self) -> int:
        return self.fd

    def read_some(self) -> bool:
        """Read what has arrived; at the end, load it. True once finished (either way)."""
        chunk = os.read(self.fd, 1 << 20)
        if chunk:
            self.chunks.append(chunk)
            return False
        os.close(self.fd)
        try:
            os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pass
        import pickle

        from grader import memo

        try:
            memo.load_entries(pickle.loads(item) for item in pickle.loads(b"".join(self.chunks)))
        except Exception:  # cut short or garbled: the kernels compute the answers themselves
            memo.clear()
        self.chunks = []
        return True


def _run_solution_cells(notebook: Path) -> None:
    """In the throwaway child: every code cell of ``notebook`` in one namespace, errors
    ignored (as nbgrader's allow_errors), nothing printed, plots drawn nowhere."""
    import nbformat
    from IPython.core.inputtransformer2 import TransformerManager

    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].switch_backend("agg")
    os.chdir(notebook.parent)
    transform = TransformerManager().transform_cell
    namespace: dict = {"__name__": "__main__"}
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        try:
            exec(compile(transform(cell.source), "<solution cell>", "exec"), namespace)
        except Exception:
            pass


def _template_main(conn, modules: tuple[str, ...], course_root: str | None,
                   answers_from: str | None = None, answers_shared: str | None = None,
                   server=None) -> None:
    """Import ``modules``, then fork one kernel per request until ``conn`` closes.

    Requests come on ``conn`` and, with ``server`` (a listening Unix socket, bound by
    the process that started this one), from any process that connects there: the
    workers of one grading run share one template that way (:class:`SharedTemplate`).
    Everything is served from this one thread, one request at a time: a fork from a
    process with other threads could copy a lock some thread holds.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the grading process decides what stops
    os.environ.setdefault("MPLBACKEND", _INLINE_BACKEND)
    # ipykernel.debugger imports debugpy, which warns on stderr about frozen modules.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    import gc
    import importlib
    from multiprocessing.connection import Connection

    for name in modules:
        try:
            importlib.import_module(name)
        except Exception:  # a missing optional package only costs its import later
            pass
    _warm_deterministic_data(course_root)
    _warm_library_caches()
    answers = _ReferenceAnswers.start(answers_from, answers_shared,
                                      close=(server,) if server is not None else ())
    # Objects that exist now are never collected in the kernels: without this, each
    # kernel's first garbage collection writes to (and so copies) every page they are on.
    gc.freeze()
    # Children are reaped automatically; each kernel resets this after the fork.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    clients: dict = {}  # a worker's connection -> the last kernel forked for it
    while True:
        ready = wait([conn, *clients, *([server] if server else []),
                      *([answers] if answers else [])])
        if answers is not None and answers in ready:
            if answers.read_some():
                answers = None
            continue
        if server is not None and server in ready:
            client, _ = server.accept()
            clients[Connection(client.detach())] = None
            continue
        for source in ready:
            try:
                request = source.recv()
            except (EOFError, OSError):
                if source is conn:  # the process that started this one is gone
                    os._exit(0)
                _drop_client(clients, source)
                continue
            pid = os.fork()
            if pid == 0:
                if answers is not None:
                    os.close(answers.fd)
                if server is not None:
                    server.close()
                for other in (conn, *clients):
                    if other is not source:
                        other.close()
                _become_kernel(source, **request)
            if source is not conn:
                clients[source] = pid
            try:
                source.send(pid)
            except OSError:  # the worker went away meanwhile
                if source is not conn:
                    _drop_client(clients, source)
            break  # one request at a time, then look again (answers first)


def _drop_client(clients: dict, client) -> None:
    """A worker that has gone (it ended, or was killed): its connection closes, and the
    kernel it was running, if still alive, is killed. A worker runs one kernel at a time,
    and nobody else would ever stop that one: it could loop until the run ends."""
    pid = clients.pop(client)
    client.close()
    if pid is not None and _is_child(pid):
        try:
            os.killpg(pid, signal.SIGKILL)  # the kernel's own group: what it started too
        except OSError:
            try:  # so soon after the fork that it has no group of its own yet
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def _is_child(pid: int) -> bool:
    """Whether ``pid`` is still a child of this process (children are reaped at once, so a
    pid may in time be someone else's); where /proc cannot say, it is taken to be."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return int(stat.read().rpartition(")")[2].split()[1]) == os.getpid()
    except FileNotFoundError:
        return not os.path.isdir("/proc/self")  # no such process, or no /proc at all
    except (OSError, ValueError, IndexError):
        return False


def _become_kernel(conn, argv: list[str], cwd: str | None, env: dict[str, str],
                   memory_limit_bytes: int) -> None:
    """In the forked child: reset what the template changed, then run ipykernel."""
    try:
        conn.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the template ignores it
        os.setpgid(0, 0)  # its own process group, as jupyter_client's launcher does
        os.environ.clear()
        os.environ.update(env)
        os.environ.setdefault("MPLBACKEND", _INLINE_BACKEND)
        if "crm_lab.i18n" in sys.modules:  # the template's warm-up read its own environment
            sys.modules["crm_lab.i18n"].set_language(None)
        if cwd:
            os.chdir(cwd)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        apply_memory_limit(memory_limit_bytes)
        # ipykernel's own parent watch: the kernel exits when the template does (and the
        # template exits when the process that started it does), so none is left behind.
        # History in memory only: IPython's database is one per user, and `%history -g`
        # in one student's notebook would show the code of every kernel graded before.
        argv = [*argv, f"--IPKernelApp.parent_handle={os.getppid()}",
                "--HistoryManager.enabled=False"]
        sys.argv = ["ipykernel_launcher", *argv]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(argv)
        _enable_inline_plots(app.shell)
        app.start()
    finally:
        os._exit(0)


def _enable_inline_plots(shell) -> None:
    """Hook matplotlib's inline backend into the new shell.

    In a cold kernel this happens when pyplot is first imported; the template
    imported it before any shell existed, so it is done here instead, with the
    same public calls (otherwise figures reach the notebook as text only).
    """
    if "matplotlib.pyplot" not in sys.modules:
        return
    import matplotlib
    from IPython.core.pylabtools import activate_matplotlib
    from matplotlib_inline.backend_inline import configure_inline_support

    backend = matplotlib.get_backend()
    if backend in ("inline", _INLINE_BACKEND):
        activate_matplotlib(backend)
        configure_inline_support(shell, backend)


# -- the worker's side ------------------------------------------------------------------

class _ForkedProcess:
    """Enough of ``subprocess.Popen`` for LocalProvisioner, for a kernel that is not our child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = -1  # the exit status went to the template, which reaped it
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"kernel {self.pid} still running")
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _kernel_request(argv, cwd, env, memory_limit_bytes) -> dict:
    """What a template needs to fork one kernel: :func:`_become_kernel`'s arguments."""
    return {"argv": argv, "cwd": cwd, "env": env, "memory_limit_bytes": memory_limit_bytes}


class _Template:
    """One template process and the lock that serialises requests to it.

    A template that has died (killed by the OOM killer, say) is started again on the
    next request, once; if that fails too, the request raises and the worker grades
    the submission in a cold kernel instead.
    """

    def __init__(self, modules: tuple[str, ...], course_root: str | None,
                 answers_from: str | None = None, answers_shared: str | None = None,
                 server=None):
        self.modules, self.course_root, self.answers_from = modules, course_root, answers_from
        self.answers_shared = answers_shared
        self.lock = threading.Lock()
        self._start(server)

    def _start(self, server=None) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_template_main,
                                   args=(child, self.modules, self.course_root,
                                         self.answers_from, self.answers_shared, server),
                                   daemon=True, name="kernel-template")
        self.process.start()
        child.close()

    def fork_kernel(self, argv, cwd, env, memory_limit_bytes) -> int:
        request = _kernel_request(argv, cwd, env, memory_limit_bytes)
        with self.lock:
            try:
                return self._ask(request)
            except (OSError, EOFError):
                self.process.kill()
                self.conn.close()
                self._start()
            try:
                return self._ask(request)
            except (OSError, EOFError):
                raise RuntimeError("the kernel template process is not running") from None

    def _ask(self, request: dict) -> int:
        self.conn.send(request)
        return self.conn.recv()


class SharedTemplate:
    """One kernel template for every worker of a grading run, reached on a Unix socket.

    Each worker used to start a template of its own: on two cores, two processes
    importing the same modules and building the same tables at once, before any kernel
    could start (about 3 s of a 50 s run). The grading process starts this one before
    the workers, so it warms up while they start. ``address``: the socket, in ``folder``
    (private to this user, as a temporary directory is); ``None`` if it could not be
    made there, and the workers start their own as before. :meth:`close` (or the end of
    the grading process) ends it; kernels end with it.
    """

    SOCKET_NAME = "kernels.sock"

    def __init__(self, modules: tuple[str, ...], course_root: str | None, folder: str,
                 answers_from: str | None = None):
        import socket

        self.address: str | None = str(Path(folder) / self.SOCKET_NAME)
        self.template = None
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(self.address)  # too long a path (over ~100 bytes) fails here
            server.listen(64)
            with _sigint_ignored():
                self.template = _Template(tuple(modules), course_root, answers_from, folder,
                                          server=server)
        except OSError:
            self.address = None
        finally:
            server.close()  # the template has its own copy

    def close(self) -> None:
        if self.template is not None:
            self.template.conn.close()
            self.template.process.join(timeout=1)
            if self.template.process.is_alive():
                self.template.process.kill()
            self.template = None

    def __enter__(self) -> SharedTemplate:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@contextmanager
def _sigint_ignored():
    """Ctrl-C reaches the whole process group, and the grading process decides what stops
    (run._StopOnInterrupt): a process started in here ignores SIGINT from its first
    instruction (an ignored signal stays ignored across exec), as the workers do."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: no Ctrl-C arrives here anyway
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _TemplateClient:
    """A worker's way to the run's :class:`SharedTemplate`.

    If the shared template cannot be reached (it died, or the socket is gone), the worker
    starts a template of its own, ``fallback()``, and keeps to it: a slower start for
    that worker, never a lost submission.
    """

    #: How long a request may wait: the template answers once warmed up (about 3 s).
    ANSWER_SECONDS = 180

    def __init__(self, address: str, fallback):
        self.address, self.fallback = address, fallback
        self.conn = None
        self.private: _Template | None = None
        self.lock = threading.Lock()

    def fork_kernel(self, argv, cwd, env, memory_limit_bytes) -> int:
        from multiprocessing.connection import Client

        request = _kernel_request(argv, cwd, env, memory_limit_bytes)
        with self.lock:
            if self.private is None:
                try:
                    if self.conn is None:
                        self.conn = Client(self.address, family="AF_UNIX")
                    self.conn.send(request)
                    if not self.conn.poll(self.ANSWER_SECONDS):  # a template that hangs
                        raise TimeoutError(f"no kernel from {self.address}")
                    return self.conn.recv()
                except (OSError, EOFError):
                    if self.conn is not None:
                        self.conn.close()
                    self.conn = None
                    self.private = self.fallback()
        return self.private.fork_kernel(argv, cwd, env, memory_limit_bytes)


class _TemplateProvisioner(LocalProvisioner):
    """LocalProvisioner whose ``launch_kernel`` forks the template instead of Popen."""

    template: _Template | _TemplateClient | None = None
    memory_limit_bytes = 0

    async def launch_kernel(self, cmd, **kwargs):
        try:
            start = cmd.index("ipykernel_launcher") + 1
        except ValueError:
            raise RuntimeError(f"pre-warmed kernels run ipykernel only, not {cmd}") from None
        env = dict(kwargs.get("env") or os.environ)
        cwd = kwargs.get("cwd")
        pid = self.template.fork_kernel(cmd[start:], str(cwd) if cwd else None, env,
                                        self.memory_limit_bytes)
        self.process = _ForkedProcess(pid)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info


class _PromptClient(AsyncKernelClient):
    """AsyncKernelClient whose ``wait_for_ready`` does not sit idle once the kernel answers.

    jupyter_client's version ends by draining IOPub until it has been silent for
    0.2 s: a fixed 0.2 s per kernel, about a tenth of a warm submission. Here the
    kernel is ready once it has answered ``kernel_info`` and IOPub has delivered a
    message (the subscription is live); what IOPub holds then is drained without
    waiting for more. nbclient ignores any later start-up message anyway: it
    only reads messages whose parent is the request it sent.

    Its sockets also retry a refused connection every 10 ms instead of zmq's 100 ms:
    the client connects before the forked kernel has bound its ports, so the
    retry interval is otherwise the kernel's start-up time.
    """

    def _context_default(self) -> zmq.asyncio.Context:
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, 10)
        return context

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=0.5)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.iopub_channel.get_msg(timeout=0.2)
                except Empty:
                    pass  # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(reply)
                    break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await self.iopub_channel.get_msg(timeout=0.005)
            except Empty:
                return


class _PrewarmedKernelManager(AsyncKernelManager):
    """AsyncKernelManager for forked kernels: the prompt client, and a tighter death watch.

    After a kill, jupyter_client checks every 0.1 s whether the kernel is gone;
    a forked kernel is gone within milliseconds, so it is checked every 5 ms.
    """

    client_factory = Type(klass=AsyncKernelClient, default_value=_PromptClient)

    async def _async_wait(self, pollinterval: float = 0.005) -> None:
        await super()._async_wait(pollinterval=pollinterval)


class PrewarmedKernels:
    """Source of fresh kernels forked from one pre-imported template (the run's shared one, or
    this process's own).

    ``kernel_manager()`` returns a new AsyncKernelManager whose kernel will be
    forked from the template; pass it as nbclient's kernel manager.
    ``course_root``: the course the kernels will run in (below), whose data the
    template loads in advance; ``None``: the folder this process runs in.
    ``modules``: what the template imports (default: what that course's notebooks
    import, :func:`grader.autograde.imports.preloaded_modules`).
    ``answers_from``: the chapter's source notebook (solutions and hidden tests), whose
    reference answers the template remembers for every kernel
    (:class:`_ReferenceAnswers`); ``None``: none remembered in advance.
    ``answers_shared``: a folder the templates of one grading run share, so that only
    one of them runs that notebook.
    ``template_address``: a :class:`SharedTemplate`'s socket: kernels are forked there,
    and this process starts a template of its own only if that one cannot be reached.
    """

    def __init__(self, memory_limit_bytes: int | None = 0,
                 modules: tuple[str, ...] | None = None, course_root: str | None = None,
                 answers_from: str | None = None, answers_shared: str | None = None,
                 template_address: str | None = None):
        self.memory_limit_bytes = int(memory_limit_bytes or 0)

        def own_template() -> _Template:
            chosen = modules
            if chosen is None:
                chosen = preloaded_modules(Path(course_root or os.getcwd()))
            return _Template(tuple(chosen), course_root, answers_from, answers_shared)

        if template_address:
            self.template = _TemplateClient(template_address, own_template)
        else:
            self.template = own_template()

    def kernel_manager(self, kernel_name: str = "python3") -> AsyncKernelManager:
        km = _PrewarmedKernelManager(kernel_name=kernel_name)
        provisioner = _TemplateProvisioner(kernel_id=km.kernel_id or "", kernel_spec=km.kernel_spec,
                                           parent=km)
        provisioner.template = self.template
        provisioner.memory_limit_bytes = self.memory_limit_bytes
        # jupyter_client creates a provisioner only if none is set (KernelManager.pre_start_kernel).
        km.provisioner = provisioner
        return km
