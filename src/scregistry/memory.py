"""Where index tables live in memory, and handing freed memory back to the system.

Every Arrow allocation of a request (parsing, filtering, sorting) goes to the C allocator
through :data:`POOL` rather than pyarrow's default pool: the default pool keeps per-thread
arenas of its own after use, and a 1.5-million-row request then peaked about 15 MiB higher
(measured in ``benchmarks/``). :func:`release_memory` returns what was freed after each file.
"""

from __future__ import annotations

import pyarrow as pa

#: The memory pool of every table this package builds.
POOL = pa.system_memory_pool()

_TRIM = None


def release_memory() -> None:
    """Return freed heap memory to the operating system (glibc only; elsewhere nothing)."""
    global _TRIM
    if _TRIM is None:
        import ctypes
        import ctypes.util

        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            _TRIM = getattr(libc, "malloc_trim", False)
        except OSError:
            _TRIM = False
    if _TRIM:
        _TRIM(0)
