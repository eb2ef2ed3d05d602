"""Run a command under an address-space limit: the kernel launcher for memory caps.

``python -m grader.autograde.limits BYTES -- CMD ...`` sets ``RLIMIT_AS`` to
BYTES, then replaces itself with CMD, so the limit applies to the kernel
process and everything it starts. A cell that allocates past the limit gets a
``MemoryError`` (NumPy, pandas and Python raise it when ``malloc`` fails)
instead of pushing the grading machine into swap or the OOM killer.

Why ``RLIMIT_AS`` rather than cgroups: it needs no privileges and works in any
container; it limits virtual memory, which over-counts (thread stacks,
reserved arenas), so the default leaves generous head room (see
:data:`DEFAULT_MEMORY_LIMIT_BYTES`).
"""

from __future__ import annotations

import os
import resource
import sys

__all__ = ["DEFAULT_MEMORY_LIMIT_BYTES", "apply_memory_limit", "parse_bytes", "main"]

#: 4 GiB of address space per kernel: a chapter's kernel uses about 1.5 GiB of it.
DEFAULT_MEMORY_LIMIT_BYTES = 4 * 1024**3

_UNITS = {"": 1, "B": 1, "K": 1024, "KB": 1024, "M": 1024**2, "MB": 1024**2,
          "G": 1024**3, "GB": 1024**3, "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3}


def parse_bytes(text: str | int) -> int:
    """``"4G"``, ``"512MB"``, ``"2GiB"`` or a number of bytes → bytes (int); 0 means no limit.

    >>> parse_bytes("1.5G")
    1610612736
    """
    if isinstance(text, int):
        return text
    s = str(text).strip().upper()
    number = s.rstrip("KMGIB")
    unit = s[len(number):]
    try:
        return int(float(number) * _UNITS[unit])
    except (KeyError, ValueError):
        raise ValueError(f"cannot read {text!r} as a memory size; "
                         "use e.g. 4G, 512M or 0 for none") from None


def apply_memory_limit(limit_bytes: int) -> None:
    """Cap this process's address space at ``limit_bytes`` (no-op for 0 or less)."""
    if limit_bytes and limit_bytes > 0:
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        soft = limit_bytes if hard == resource.RLIM_INFINITY else min(limit_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 3 or args[1] != "--":
        raise SystemExit("usage: python -m grader.autograde.limits BYTES -- COMMAND [ARGS ...]")
    apply_memory_limit(parse_bytes(args[0]))
    os.execvp(args[2], args[2:])


if __name__ == "__main__":
    main()
