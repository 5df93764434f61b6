"""Data files listed in a file registry: fetched and handed to the caller's function."""

from __future__ import annotations

import inspect
import io
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from .errors import StorageError
from .storage import Storage

log = logging.getLogger("scregistry")


def _arity(func: Callable[..., Any]) -> int:
    """3 for the seed's ``(file_bytes, startdate, filesize)``, 4 for ``(file_bytes, start, stop, filesize)``."""
    try:
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return 4
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if any(p.kind == p.VAR_POSITIONAL for p in params):
        return 4
    required = [p for p in positional if p.default is p.empty]
    if len(positional) >= 4 and len(required) <= 4:
        return 4
    if len(positional) == 3 or len(required) == 3:
        return 3
    raise TypeError(
        "process_func must take (file_bytes, start, filesize) or (file_bytes, start, stop, filesize); "
        f"{getattr(func, '__name__', func)!r} takes {len(positional)} positional argument(s)"
    )


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "strftime"):
        from .times import format_time, parse_time

        return format_time(parse_time(value))
    return str(value)


def stream(
    file_registry: Any,
    process_func: Callable[..., Any],
    *,
    storage: Storage | None = None,
    ignore_errors: bool = False,
    prefetch: int = 8,
) -> None:
    """Fetch each file of ``file_registry`` (a DataFrame with ``datakey``, ``start``, ``filesize``
    and optionally ``stop``) and call ``process_func`` with it, in the DataFrame's order.

    Up to ``prefetch`` files are fetched ahead concurrently.
    """
    storage = storage or Storage()
    arity = _arity(process_func)
    columns = list(file_registry.columns)
    key_col = "datakey" if "datakey" in columns else "key"
    rows = zip(
        file_registry[key_col].tolist(),
        file_registry["start"].tolist(),
        file_registry["stop"].tolist() if "stop" in columns else [None] * len(file_registry),
        file_registry["filesize"].tolist(),
    )
    pool = storage._executor()
    pending: deque = deque()

    def submit_next() -> bool:
        for row in rows:
            pending.append((row, pool.submit(storage.read, row[0])))
            return True
        return False

    for _ in range(max(1, prefetch)):
        if not submit_next():
            break
    while pending:
        (key, start, stop, size), fut = pending.popleft()
        submit_next()
        try:
            data = fut.result()
        except StorageError as exc:
            if not ignore_errors:
                raise
            log.warning("skipping %s: %s", key, exc)
            continue
        buf = io.BytesIO(data)
        if arity == 3:
            process_func(buf, _iso(start), size)
        else:
            process_func(buf, _iso(start), _iso(stop), size)
