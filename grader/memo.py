"""The reference implementations' results, kept by what they were given.

Every submission's hidden tests call the same reference functions on the same
inputs (the shipped shop, the second shop, the hand-made edge cases), so each
grading kernel would recompute identical answers: about a third of a chapter's
hidden-test time (chapter 04: about 0.5 s of a 3 s notebook). :func:`memoize_module`
wraps a reference module's public functions so that a call whose arguments have
been seen before returns a copy of the answer computed then; the grading kernels'
template (:mod:`grader.autograde.kernels`) fills the memory once from the
instructors' own solution notebook, and every kernel forked from it starts with it.

The key is the arguments' *content*, never their identity: a table is identified by
its shape, column names, dtypes and a hash of every value and index label
(the bytes of each column, its text joined; about 1 ms for the 9,428 orders), so an
answer that changed its input in place, or built an equal table of its own, is
keyed by what it now holds. Arguments whose content cannot be hashed faithfully
(object columns, whose values hash by their text; fitted models; connections) are
not remembered: the function is called as usual. Answers are returned as deep
copies, so a test that edits what it got cannot change a later test's answer.

>>> calls = []
>>> def share_paid(orders):
...     calls.append(1)
...     return (orders["status"] == "paid").mean()
>>> remembered = memoized(share_paid)
>>> orders = pd.DataFrame({"status": ["paid", "closed"]}).astype("category")
>>> remembered(orders), remembered(orders.copy()), len(calls)
(np.float64(0.5), np.float64(0.5), 1)
>>> remembered(orders.assign(status=pd.Categorical(["paid", "paid"]))), len(calls)
(np.float64(1.0), 2)
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import inspect
import sys
from collections import OrderedDict

import numpy as np
import pandas as pd

__all__ = ["fingerprint", "memoized", "memoize_module", "memoize_package", "entries",
           "load_entries", "clear"]

#: At most this many answers, and about this many bytes of them, are kept (chapter 07's
#: hidden tests make about 1,500 distinct reference calls, mostly of numbers; chapter 04's
#: 30 keep about 3 MB); the least recently used goes first.
MAX_ENTRIES = 4096
MAX_BYTES = 256 * 2**20

_MEMORY: OrderedDict[tuple, tuple[object, int]] = OrderedDict()  # key -> (answer, bytes)
_TOTAL_BYTES = 0
_INSIDE: list[str] = []  # the memoized calls under way (reference functions call each other)
_SCALARS = (type(None), bool, int, float, complex, str, bytes, np.generic, pd.Timestamp,
            pd.Timedelta, pd.Period, dt.date, dt.datetime, dt.time, dt.timedelta, range, slice)


#: Argument types whose values are their own key (immutable, compared by value), and
#: those keyed by their repr (floats: so that -0.0 is not 0.0 and NaN finds itself).
_BY_VALUE = frozenset({type(None), bool, int, str, np.bool_, np.int32, np.int64})
_BY_REPR = frozenset({float, np.float32, np.float64})


def _plain_key(args: tuple, kwargs: dict) -> tuple | None:
    """A call's key when every argument is a plain value, else None.

    One value at a time (a hidden test checking each of 3,000 phone numbers, Erlang C for
    each queue and head count) is keyed by the values themselves, at a dictionary
    lookup's cost: digesting them would cost more than most such calls. The type keeps
    1, 1.0, np.int64(1) and True apart; keywords keep their names (``f(1, b=2)`` and
    ``f(1, 2)`` are two keys for one answer, which only costs a second call).
    """
    key = []
    for value in (*args, *kwargs.values()):
        kind = type(value)
        if kind in _BY_VALUE:
            key.append((kind, value))
        elif kind in _BY_REPR:
            key.append((kind, repr(value)))
        else:
            return None
    return (*key, tuple(kwargs))


class _NotHashable(Exception):
    pass


def fingerprint(value) -> bytes | None:
    """A digest of ``value``'s content, or None when it cannot be taken faithfully."""
    h = hashlib.blake2b(digest_size=20)
    try:
        _feed(h, value)
    except _NotHashable:
        return None
    return h.digest()


def _feed(h, value) -> None:
    if isinstance(value, pd.DataFrame):
        if any(map(_is_object, value.dtypes)):
            raise _NotHashable
        h.update(b"frame")
        h.update(repr((value.shape, list(value.columns), [str(d) for d in value.dtypes],
                       type(value.index).__name__, value.index.names,
                       str(value.index.dtype))).encode())
        _feed_hashes(h, value)
    elif isinstance(value, pd.Series):
        if _is_object(value.dtype):
            raise _NotHashable
        h.update(b"series")
        h.update(repr((value.name, str(value.dtype), len(value), type(value.index).__name__,
                       value.index.names, str(value.index.dtype))).encode())
        _feed_hashes(h, value)
    elif isinstance(value, pd.Index):
        if _is_object(value.dtype):
            raise _NotHashable
        h.update(b"index" + repr((type(value).__name__, str(value.dtype), value.names)).encode())
        _feed_hashes(h, value)
    elif isinstance(value, np.ndarray):
        if _is_object(value.dtype):
            raise _NotHashable
        h.update(b"array" + repr((value.dtype.str, value.shape)).encode())
        h.update(np.ascontiguousarray(value).tobytes())
    elif isinstance(value, _SCALARS):
        h.update(f"{type(value).__module__}.{type(value).__qualname__}:{value!r}".encode())
    elif isinstance(value, (tuple, list, frozenset, set)):
        items = sorted(map(repr, value)) if isinstance(value, (set, frozenset)) else value
        h.update(f"{type(value).__name__}[{len(value)}](".encode())
        for item in items:
            _feed(h, item)
        h.update(b")")
    elif isinstance(value, dict):
        h.update(f"dict[{len(value)}](".encode())
        for key, item in value.items():  # insertion order is part of a dict's meaning here
            _feed(h, key)
            _feed(h, item)
        h.update(b")")
    else:
        raise _NotHashable


def _is_object(dtype) -> bool:
    return pd.api.types.is_object_dtype(dtype)


def _feed_hashes(h, value) -> None:
    """The values of a table, series or index (and the labels of the first two), column by
    column: the bytes of numbers, dates and category codes as they are; text as one joined
    string. A 48,593-row table of calls takes about 3 ms instead of 14 ms with
    :func:`pandas.util.hash_pandas_object`, which hashes every string on its own."""
    if isinstance(value, pd.DataFrame):
        for position in range(value.shape[1]):
            _feed_values(h, value.iloc[:, position].array)
        _feed_index(h, value.index)
    elif isinstance(value, pd.Series):
        _feed_values(h, value.array)
        _feed_index(h, value.index)
    else:
        _feed_index(h, value)


def _feed_index(h, index: pd.Index) -> None:
    if isinstance(index, pd.RangeIndex):
        h.update(repr(("range", index.start, index.stop, index.step)).encode())
    elif isinstance(index, pd.MultiIndex):
        h.update(b"multi")
        for level in range(index.nlevels):
            _feed_values(h, index.get_level_values(level).array)
    else:
        _feed_values(h, index.array)


def _feed_values(h, values) -> None:
    """One column's values; equal digests only for equal values (a column that is not
    of a kind below goes through hash_pandas_object, as every column once did)."""
    h.update(f"|{values.dtype}|{len(values)}|".encode())
    if isinstance(values, pd.Categorical):
        h.update(b"codes" + np.ascontiguousarray(values.codes).tobytes())
        h.update(repr(values.ordered).encode())
        _feed_values(h, values.categories.array)
    elif isinstance(values, pd.arrays.StringArray):
        _feed_text(h, np.asarray(values, dtype=object))
    elif isinstance(values, (pd.arrays.IntegerArray, pd.arrays.FloatingArray,
                             pd.arrays.BooleanArray)):
        missing = np.asarray(values.isna())
        h.update(np.packbits(missing).tobytes())
        filled = values.to_numpy(dtype=values.dtype.numpy_dtype, na_value=0)
        h.update(np.ascontiguousarray(filled).tobytes())
    elif isinstance(values, (pd.arrays.DatetimeArray, pd.arrays.TimedeltaArray)):
        h.update(np.ascontiguousarray(values.asi8).tobytes())
    elif isinstance(values, pd.arrays.NumpyExtensionArray) and values.dtype.kind in "biufcmM":
        h.update(np.ascontiguousarray(values.to_numpy()).tobytes())
    else:
        try:
            hashes = pd.util.hash_pandas_object(pd.Series(values, copy=False), index=False)
        except TypeError:  # unhashable values (lists in cells...)
            raise _NotHashable from None
        h.update(np.ascontiguousarray(hashes.to_numpy()).tobytes())


def _feed_text(h, texts: np.ndarray) -> None:
    """Strings (and missing values) joined by NUL: unambiguous when no string holds one."""
    try:
        joined, missing = "\x00".join(texts.tolist()), None
    except TypeError:  # missing values among them
        missing = np.asarray(pd.isna(texts))
        present = texts[~missing].tolist()
        try:
            joined = "\x00".join(present)
        except TypeError:  # not text after all
            raise _NotHashable from None
    if joined.count("\x00") != max(len(texts) - (0 if missing is None else missing.sum()) - 1, 0):
        raise _NotHashable  # a NUL inside a string: not worth a slower exact path
    if missing is not None:
        h.update(b"missing" + np.packbits(missing).tobytes())
    h.update(joined.encode("utf-8", "surrogatepass"))


def _is_data(value) -> bool:
    """Tables, arrays, scalars and containers of them: what a copy fully reproduces."""
    if isinstance(value, (pd.DataFrame, pd.Series, pd.Index, np.ndarray, *_SCALARS)):
        return True
    if isinstance(value, (tuple, list, set, frozenset)):
        return all(map(_is_data, value))
    if isinstance(value, dict):
        return all(_is_data(k) and _is_data(v) for k, v in value.items())
    return False


def _language() -> str:
    # Reference answers may hold labels in the notebook's language (crm_lab.set_language).
    i18n = sys.modules.get("crm_lab.i18n")
    return i18n.language() if i18n else ""


def memoized(fn):
    """``fn``, answering repeated calls with equal arguments from memory (a deep copy).

    The memory is only ever a shortcut: if anything in it goes wrong (an argument or an
    answer it cannot handle), ``fn`` is simply called, so a student never loses a point
    to it.
    """
    signature = inspect.signature(fn)
    name = f"{fn.__module__}.{fn.__qualname__}"

    def key_of(args, kwargs):
        plain = _plain_key(args, kwargs)
        if plain is not None:
            return (name, _language(), "plain", plain)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        digest = fingerprint(tuple(bound.arguments.items()))
        return None if digest is None else (name, _language(), digest)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _INSIDE:  # called by another reference function: its caller's answer is kept
            return fn(*args, **kwargs)
        try:
            key = key_of(args, kwargs)
            if key in _MEMORY:
                _MEMORY.move_to_end(key)
                return copy.deepcopy(_MEMORY[key][0])
        except Exception:  # e.g. arguments fn itself would reject: let fn say so
            key = None
        _INSIDE.append(name)
        try:
            result = fn(*args, **kwargs)
        finally:
            _INSIDE.pop()
        if key is not None and _is_data(result):  # a connection, a figure, a model: not kept
            try:
                _keep(key, copy.deepcopy(result))
            except Exception:
                _MEMORY.pop(key, None)
        return result

    wrapper.__wrapped_by_memo__ = True
    return wrapper


def memoize_module(namespace: dict) -> None:
    """Wrap every public function a module defines (its ``__all__``, else its own
    top-level functions); call it at the end of the module with ``globals()``."""
    module = namespace["__name__"]
    names = namespace.get("__all__") or [
        n for n, v in namespace.items()
        if inspect.isfunction(v) and v.__module__ == module and not n.startswith("_")]
    for n in names:
        value = namespace.get(n)
        if inspect.isfunction(value) and not getattr(value, "__wrapped_by_memo__", False):
            namespace[n] = memoized(value)


def memoize_package(package: str = "grader.reference") -> list[str]:
    """Import every module of ``package`` and memoize its public functions; their names.

    Only the reference implementations are meant: pure functions of their arguments.
    (Not the fixtures: some read the shipped data themselves, so their answer also
    depends on where the data is, which a key of arguments cannot see.)
    """
    import importlib
    import pkgutil

    root = importlib.import_module(package)
    names = []
    for info in pkgutil.iter_modules(root.__path__, prefix=f"{package}."):
        try:
            module = importlib.import_module(info.name)
        except Exception:  # a chapter whose optional dependency is missing
            continue
        memoize_module(vars(module))
        names.append(info.name)
    return names


def _bytes(value) -> int:
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=False).sum())
    if isinstance(value, pd.Series):  # a Series' memory_usage is already one number
        return int(value.memory_usage(index=True, deep=False))
    if isinstance(value, (pd.Index, np.ndarray)):
        return int(value.nbytes)
    if isinstance(value, (tuple, list, set, frozenset)):
        return 64 + sum(map(_bytes, value))
    if isinstance(value, dict):
        return 64 + sum(_bytes(k) + _bytes(v) for k, v in value.items())
    return 64


def _keep(key, value) -> None:
    global _TOTAL_BYTES
    if key in _MEMORY:
        _TOTAL_BYTES -= _MEMORY.pop(key)[1]
    size = _bytes(value)
    _MEMORY[key] = (value, size)
    _TOTAL_BYTES += size
    while _MEMORY and (len(_MEMORY) > MAX_ENTRIES or _TOTAL_BYTES > MAX_BYTES):
        _TOTAL_BYTES -= _MEMORY.popitem(last=False)[1][1]


def entries() -> list[tuple[tuple, object]]:
    """Everything remembered, ``(key, answer)``, to hand to another process
    (:func:`load_entries`)."""
    return [(key, value) for key, (value, _) in _MEMORY.items()]


def load_entries(items) -> None:
    """Remember what another process computed (the grading template does this once)."""
    for key, value in items:
        _keep(key, value)


def clear() -> None:
    global _TOTAL_BYTES
    _MEMORY.clear()
    _TOTAL_BYTES = 0
