"""Which modules a grading kernel template imports in advance: derived from the chapters.

Every module a chapter's cells or hidden tests import costs its import time in every
kernel, for every submission, unless the template (:mod:`grader.autograde.kernels`)
imported it before forking (chapter 07's scikit-learn: about 0.6 s each kernel). The
list is read from the course's source notebooks (``solutions/``, or the released ones
where an instructor grades without the sources), so a new chapter needs no edit here;
``c.RobustExecute.preload_modules`` in nbgrader_config.py adds others.

>>> sorted(imported_modules("import numpy as np\\nfrom crm_lab import data\\n%matplotlib inline"))
['crm_lab', 'crm_lab.data', 'numpy']
"""

from __future__ import annotations

import ast
import importlib.util
import json
import sys
from functools import lru_cache
from pathlib import Path

__all__ = ["KERNEL_MODULES", "imported_modules", "chapter_modules", "preloaded_modules"]

#: What ipykernel imports on every start, whatever the notebook holds.
KERNEL_MODULES = (
    "matplotlib_inline.backend_inline", "ipykernel.kernelapp", "ipykernel.ipkernel",
    "ipykernel.zmqshell", "ipykernel.debugger",
)

#: Where the course keeps its notebooks, in the order they are looked for.
_NOTEBOOK_FOLDERS = ("solutions", "chapters")

#: The course's own packages: what their modules import (inside functions too, e.g.
#: grader.reference.callcentre's scikit-learn) is imported by the notebooks that call them.
FIRST_PARTY = ("crm_lab", "grader")


def _is_module(name: str) -> bool:
    """Whether ``name`` is an installed module, found on disk without importing a package
    (find_spec of ``a.b`` would import ``a``: scikit-learn's 0.5 s in the grading process)."""
    top, *rest = name.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return False
    if spec is None or not rest:
        return spec is not None
    for folder in spec.submodule_search_locations or []:
        path = Path(folder, *rest)
        if path.with_suffix(".py").is_file() or (path / "__init__.py").is_file():
            return True
    return False


def imported_modules(source: str, package: str = "") -> set[str]:
    """Modules one cell (or a module of ``package``) imports, ``from package import module``
    included; relative imports are resolved against ``package`` (skipped without one).
    IPython magics and shell lines are skipped; code that does not parse imports nothing."""
    code = "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    found = set()
    for node in _statements(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node.module, node.level, package)
            if not module:
                continue
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names
                         if a.name != "*" and _is_module(f"{module}.{a.name}"))
    return found


def _statements(tree: ast.AST):
    """Every statement of ``tree``, nested ones included (in functions, classes, ``if``,
    ``try``...), without descending into expressions: an import is a statement, and the
    expressions are most of a module's nodes (ast.walk over them took 0.3 s a chapter)."""
    todo = list(getattr(tree, "body", []))
    while todo:
        node = todo.pop()
        yield node
        for field in ("body", "orelse", "finalbody"):
            block = getattr(node, field, None)
            if isinstance(block, list):
                todo.extend(block)
        for part in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
            todo.extend(part.body)


def _absolute(module: str | None, level: int, package: str) -> str:
    if not level:
        return module or ""
    parts = package.split(".") if package else []
    if not parts or level > len(parts):
        return ""
    base = ".".join(parts[:len(parts) - level + 1])
    return f"{base}.{module}" if module else base


@lru_cache(maxsize=32)
def _notebook_modules(path: str, mtime_ns: int) -> frozenset[str]:
    # The cells' sources only: nbformat's validation of every notebook is not needed here.
    with open(path, encoding="utf-8") as file:
        cells = json.load(file).get("cells", [])
    sources = ("".join(c["source"]) if isinstance(c.get("source"), list) else c.get("source", "")
               for c in cells if c.get("cell_type") == "code")
    return frozenset().union(*(imported_modules(text) for text in sources if "import" in text))


@lru_cache(maxsize=64)
def _module_imports(name: str) -> frozenset[str]:
    try:
        spec = importlib.util.find_spec(name.split(".")[0])
    except (ImportError, ValueError):
        return frozenset()
    if spec is None or not _is_module(name):
        return frozenset()
    rest = name.split(".")[1:]
    for folder in spec.submodule_search_locations or [Path(spec.origin).parent]:
        for path in (Path(folder, *rest).with_suffix(".py"), Path(folder, *rest, "__init__.py")):
            if path.is_file():
                package = name if path.name == "__init__.py" else name.rpartition(".")[0]
                return frozenset(imported_modules(path.read_text(encoding="utf-8"), package))
    return frozenset()


def _first_party_imports(names: set[str]) -> set[str]:
    """What the course's own modules among ``names`` import, transitively."""
    found, todo = set(), [n for n in names if n.split(".")[0] in FIRST_PARTY]
    while todo:
        for imported in _module_imports(todo.pop()) - found - names:
            found.add(imported)
            if imported.split(".")[0] in FIRST_PARTY:
                todo.append(imported)
    return found


def chapter_modules(root: Path, chapter: str | None = None) -> tuple[str, ...]:
    """Every installed, non-standard-library module the course's notebooks import, sorted.

    Reads ``<root>/solutions/*/*.ipynb`` (hidden tests included), or
    ``<root>/chapters/*/*.ipynb`` when there are no sources; ``chapter`` (a folder name,
    e.g. ``02_customer_information``): that chapter's notebooks only, as a grading run
    needs (a template that imports another chapter's scikit-learn only costs time).
    """
    root = Path(root)
    pattern = f"{chapter}/*.ipynb" if chapter else "*/*.ipynb"
    for folder in _NOTEBOOK_FOLDERS:
        notebooks = sorted((root / folder).glob(pattern))
        if notebooks:
            break
    names: set[str] = set()
    for path in notebooks:
        if ".ipynb_checkpoints" not in path.parts:
            names |= _notebook_modules(str(path), path.stat().st_mtime_ns)
    names |= _first_party_imports(names)
    top_level_ok = {top: top not in sys.stdlib_module_names and _is_module(top)
                    for top in {n.split(".")[0] for n in names}}
    return tuple(sorted(n for n in names if top_level_ok[n.split(".")[0]]))


def preloaded_modules(root: Path, extra: tuple[str, ...] | list[str] = (),
                      chapter: str | None = None) -> tuple[str, ...]:
    """What a kernel template imports: the chapters' modules (``chapter``'s only, if given),
    ipykernel's, then ``extra``."""
    seen = dict.fromkeys((*chapter_modules(root, chapter), *KERNEL_MODULES, *extra))
    return tuple(seen)
