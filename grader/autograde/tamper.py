"""Flags for review: student code that reaches into the grading, read before it runs.

Hidden tests run in the student's kernel, after the student's cells, so code in an answer
cell can rebind what they call (``grader.compare.assert_same_table = lambda *a, **k: None``),
the formative checks (``crm_lab.checks``) or the reference functions, directly or through
``sys.modules``, ``importlib`` or ``builtins``. nbgrader and otter share this weakness; this
module at least shows it. Before a submission runs, :func:`scan` reads the student's own
cells (answer cells, and every cell the student added) with :mod:`ast` and returns one
:class:`Flag` per suspicious use, by the rules of :data:`RULES`.

A flag never changes a score: the instructor reads the cell and decides. Code that does not
parse is not a flag (the kernel cannot run it either). This is a reading of the code, not a
sandbox: it catches the direct spellings, not a determined obfuscation (``globals()``,
strings built at run time, writing files).

>>> [str(f) for f in scan_cells(["import grader.compare"])]
['imports grader.compare, cell 1 line 1']
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat
from nbgrader import utils

__all__ = ["Rule", "RULES", "Flag", "scan", "scan_cells", "student_cells"]


@dataclass(frozen=True)
class Rule:
    """One kind of flag: what it catches and why an instructor should look."""

    key: str
    catches: str
    why: str


#: Every flag's rule, in the order the instructors' guide lists them.
RULES: dict[str, Rule] = {r.key: r for r in (
    Rule("grader", "any use of the grader package: importing it, or a name the hidden tests "
         "imported from it (ref, assert_same_table, second_shop, ...)",
         "grader holds the comparison, fixtures and reference answers of the hidden tests; "
         "an answer has no use for them"),
    Rule("rebinding", "assigning to or deleting an attribute or item of crm_lab, grader, pandas "
         "or numpy, or of something imported from them (pandas options are fine)",
         "replaces, for every later cell, the checks, the comparison or the functions the "
         "hidden tests rely on"),
    Rule("sys.modules", "any use of sys.modules",
         "reaches imported modules by name, to replace them"),
    Rule("builtins", "importing builtins or using __builtins__",
         "replaces the built-in functions the tests use (isinstance, len, abs, ...)"),
    Rule("__import__", "any use of __import__", "imports by a computed name, past the other rules"),
    Rule("importlib", "importing importlib", "imports or reloads modules by a computed name"),
    Rule("setattr", "setattr or delattr on an imported module or on something imported",
         "rebinding under another spelling"),
    Rule("exec/eval", "any use of exec or eval", "runs code this reading cannot see"),
)}

#: Packages whose attributes student code must not rebind (the hidden tests call them).
GUARDED_PACKAGES = ("crm_lab", "grader", "pandas", "numpy")
#: Rebinding these is how the package is meant to be configured.
ALLOWED_REBINDING = ("pandas.options",)
#: Dotted names whose every use is flagged (importing them, or any submodule, included).
FLAGGED_USES = {"grader": "grader", "importlib": "importlib", "builtins": "builtins",
                "sys.modules": "sys.modules"}
#: Built-in names whose every use is flagged.
FLAGGED_NAMES = {"__builtins__": "builtins", "__import__": "__import__",
                 "exec": "exec/eval", "eval": "exec/eval"}
#: Built-in functions that rebind an attribute of their first argument.
REBINDING_CALLS = ("setattr", "delattr")


@dataclass(frozen=True)
class Flag:
    """One use flagged by the rule ``rule``: ``what`` it does, in which ``cell``, at which line."""

    rule: str
    what: str
    cell: str
    line: int

    def __str__(self) -> str:
        return f"{self.what}, {self.cell} line {self.line}"


def _within(dotted: str, prefixes: Iterable[str]) -> str | None:
    """The prefix of ``prefixes`` that ``dotted`` is, or is inside of (``a.b`` is inside ``a``)."""
    return next((p for p in prefixes if dotted == p or dotted.startswith(p + ".")), None)


class _Reader(ast.NodeVisitor):
    """Walks the notebook's code in running order, knowing which names imports bound to what.

    Course cells are walked too (their imports bind ``pd``, ``checks``, ``ref``, ...), but only
    the student's cells are flagged. A name the code assigns no longer means its import;
    a function's arguments and local names stay in the function.
    """

    def __init__(self):
        self.imported: dict[str, str] = {}   # name in the kernel -> dotted name it holds
        self.flags: list[Flag] = []
        self.cell: str | None = None         # None: a course cell, read for imports only
        self.depth = 0                       # functions and classes the walk is inside
        self.changes: list[tuple[str, str | None]] = []  # what the cell did to `imported`

    def _bind(self, name: str, dotted: str | None) -> None:
        """``name`` now holds the import ``dotted`` (None: something else)."""
        if dotted is None:
            self.imported.pop(name, None)
        else:
            self.imported[name] = dotted
        if self.depth == 0:
            self.changes.append((name, dotted))

    def read(self, tree: ast.AST, cell: str | None) -> None:
        self.cell = cell
        self.visit(tree)

    def _flag(self, rule: str, what: str, node: ast.AST) -> None:
        if self.cell is not None:
            flag = Flag(rule, what, self.cell, getattr(node, "lineno", 0))
            if flag not in self.flags:
                self.flags.append(flag)

    # -- what a name or an attribute chain holds ---------------------------------------

    def _dotted(self, node: ast.AST) -> str | None:
        """``pd.DataFrame.merge`` -> ``pandas.DataFrame.merge`` when ``pd`` is imported pandas."""
        attributes = []
        while isinstance(node, ast.Attribute):
            attributes.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.imported:
            return None
        return ".".join([self.imported[node.id], *reversed(attributes)])

    def _used(self, dotted: str, node: ast.AST) -> None:
        prefix = _within(dotted, FLAGGED_USES)
        if prefix:
            self._flag(FLAGGED_USES[prefix], f"uses {dotted}", node)

    # -- imports bind names ---------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._imports(alias.name, node)
            if alias.asname:
                self._bind(alias.asname, alias.name)
            else:  # `import a.b` binds a
                self._bind(alias.name.split(".")[0], alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not node.module:
            return  # relative imports: nothing of the course
        aliases = [a for a in node.names if a.name != "*"]
        dotted = [f"{node.module}.{a.name}" for a in aliases]
        flagged = [d for d in dotted or [node.module] if _within(d, FLAGGED_USES)]
        if flagged:  # one flag per statement: `from grader.fixtures import a, b`
            rule = FLAGGED_USES[_within(flagged[0], FLAGGED_USES)]
            self._flag(rule, f"imports {', '.join(flagged)}", node)
        for alias, name in zip(aliases, dotted, strict=True):
            self._bind(alias.asname or alias.name, name)

    def _imports(self, dotted: str, node: ast.AST) -> None:
        prefix = _within(dotted, FLAGGED_USES)
        if prefix:
            self._flag(FLAGGED_USES[prefix], f"imports {dotted}", node)

    # -- uses ---------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            if node.id in FLAGGED_NAMES:
                self._flag(FLAGGED_NAMES[node.id], f"uses {node.id}", node)
            elif node.id in self.imported:
                self._used(self.imported[node.id], node)
        else:
            self._unbind(node.id, node)

    def _unbind(self, name: str, node: ast.AST) -> None:
        """``name`` is assigned, defined or deleted: it no longer holds its import."""
        held = self.imported.get(name)
        self._bind(name, None)
        prefix = held and _within(held, FLAGGED_USES)
        if prefix and self.depth == 0:  # `assert_same_table = ...` after a test imported it
            self._flag(FLAGGED_USES[prefix], f"rebinds {name} ({held})", node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        dotted = self._dotted(node)
        if dotted is None:
            self.generic_visit(node)
        elif isinstance(node.ctx, ast.Load):
            self._used(dotted, node)
        else:
            self._rebinds(dotted, node)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        dotted = self._dotted(node.value)
        if dotted is not None and not isinstance(node.ctx, ast.Load):
            self._rebinds(dotted, node, shown=f"{dotted}[...]")
            self.visit(node.slice)
        else:
            self.generic_visit(node)

    def _rebinds(self, dotted: str, node: ast.Attribute | ast.Subscript, shown: str = "") -> None:
        what = f"{'deletes' if isinstance(node.ctx, ast.Del) else 'assigns to'} {shown or dotted}"
        if _within(dotted, GUARDED_PACKAGES) and not _within(dotted, ALLOWED_REBINDING):
            self._flag("rebinding", what, node)
        elif prefix := _within(dotted, FLAGGED_USES):  # sys.modules["x"] = ...
            self._flag(FLAGGED_USES[prefix], what, node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id in REBINDING_CALLS and node.args:
            target = node.args[0]
            dotted = self._dotted(target.value if isinstance(target, ast.Subscript) else target)
            if dotted is not None:
                self._flag("setattr", f"calls {func.id} on {dotted}", node)
        self.generic_visit(node)

    # -- assignments: the value is read before the target is bound -------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        for target in node.targets:
            self.visit(target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.visit(node.value)
        self.visit(node.target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        self.visit(node.target)

    # -- scopes: a function's names stay in it -------------------------------------

    def _scoped(self, node, own_names: Iterable[str]) -> None:
        outer = dict(self.imported)
        for name in own_names:
            self.imported.pop(name, None)
        self.depth += 1
        for child in node.body if isinstance(node.body, list) else [node.body]:
            self.visit(child)
        self.depth -= 1
        self.imported = outer

    def _function(self, node) -> None:
        for child in [*getattr(node, "decorator_list", []), *node.args.defaults,
                      *[d for d in node.args.kw_defaults if d is not None]]:
            self.visit(child)
        args = node.args
        names = [a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs,
                                 *filter(None, [args.vararg, args.kwarg])]]
        self._scoped(node, names)
        if not isinstance(node, ast.Lambda):
            self._unbind(node.name, node)

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for child in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(child)
        self._scoped(node, [])
        self._unbind(node.name, node)


def _parse(source: str) -> ast.AST | None:
    """The cell's code as the kernel runs it (IPython magics turned into Python), or None."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        pass
    try:  # `%time ...`, `!ls`: IPython rewrites them before running; only then import it
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(source))
    except Exception:  # a syntax error stays one in the kernel: nothing runs, nothing to flag
        return None


def scan_cells(sources: Iterable[str | tuple[str, str | None]]) -> list[Flag]:
    """Flags in code cells run in this order: each a source (named ``cell <n>``, flagged) or
    ``(source, name)``, with ``name`` None for a course cell (read for its imports only)."""
    reader = _Reader()
    for number, item in enumerate(sources, start=1):
        source, name = item if isinstance(item, tuple) else (item, f"cell {number}")
        if name is None:
            for bound, dotted in _course_cell_changes(source):
                reader._bind(bound, dotted)
        else:
            _read(reader, source, name)
    return reader.flags


def _read(reader: _Reader, source: str, name: str | None) -> None:
    tree = _parse(source)
    if tree is not None:
        try:
            reader.read(tree, name)
        except RecursionError:  # absurdly nested code: not read further
            pass


@lru_cache(maxsize=1024)
def _course_cell_changes(source: str) -> tuple[tuple[str, str | None], ...]:
    # Every submission of a chapter has the same course cells: read each once per process
    # (07, 47 code cells: 35 ms of CPU per submission reading all, 8 ms reading the 12 answers).
    reader = _Reader()
    _read(reader, source, None)
    return tuple(reader.changes)


def student_cells(nb, release_sources: Iterable[str] = ()) -> list[tuple[str, str | None]]:
    """(source, name) of every code cell of a sanitised submission, in order; name is
    ``answer cell <grade_id>`` or ``added cell <n> (after <grade_id>)`` for the student's
    cells, None for the course's: test and locked cells (sanitising reset them to the
    release) and unchanged ``release_sources``."""
    release_sources = set(release_sources)
    cells, after = [], "the top"
    for number, cell in enumerate(nb.cells, start=1):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if cell.get("cell_type") == "code":
            if grade_id and utils.is_solution(cell):
                name = f"answer cell {grade_id}"
            elif (grade_id and utils.is_locked(cell)) or cell.source in release_sources:
                name = None
            else:
                name = f"added cell {number} (after {after})"
            cells.append((cell.source, name))
        after = grade_id or after
    return cells


def scan(nb, release_notebook: Path | None = None) -> list[Flag]:
    """Flags in the student's cells of a sanitised submission ``nb`` (nbformat notebook);
    ``release_notebook``: the chapter as released, whose unchanged cells are not the student's."""
    sources = _release_sources(str(release_notebook), Path(release_notebook).stat().st_mtime_ns) \
        if release_notebook else ()
    return scan_cells(student_cells(nb, sources))


@lru_cache(maxsize=4)
def _release_sources(path: str, mtime_ns: int) -> frozenset[str]:
    nb = nbformat.read(path, as_version=4)
    return frozenset(c.source for c in nb.cells if c.cell_type == "code")
