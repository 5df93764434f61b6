"""The time-range query, as pure functions: which year files to read, and which rows to keep.

Semantics (SPEC.md): a dataset's yearly files are named after the year of each file's
start. A request ``[start, stop)`` reads the years from the later of the dataset start
and ``start`` to the earlier of the dataset stop and ``stop``; keeps the rows whose span
overlaps the window (``row.stop >= start and row.start < stop``, or
``start <= row.start < stop`` for a row without a stop); and also looks at the end of the
previous year's file, where a file that starts in late December can run into the window.
A ``multiyear`` dataset, whose files may span several years, reads every earlier year.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .errors import TimeRangeError
from .memory import POOL
from .models import Entry
from .times import format_time, parse_time, time_scalar


@dataclass(frozen=True)
class Window:
    """A request window; ``stop`` is exclusive unless ``stop_inclusive`` (used when the
    stop defaults to the dataset's own stop, so its last file is not cut off)."""

    start: _dt.datetime
    stop: _dt.datetime
    stop_inclusive: bool = False


@dataclass(frozen=True)
class Plan:
    """The year files one request reads: whole files, and the year whose tail is read."""

    years: tuple[int, ...]
    tail_year: int | None


def make_window(entry: Entry, start: Any = None, stop: Any = None) -> Window:
    """The window of a request; ``None`` means the dataset's own start or stop.

    Raises :class:`TimeFormatError` for a time that does not parse and :class:`TimeRangeError`
    when the start is after the stop, quoting both.
    """
    t0 = parse_time(start, name="start_date") if start is not None else entry.start
    t1 = parse_time(stop, name="stop_date") if stop is not None else entry.stop
    if t0 is None or t1 is None:  # static data: no time axis
        far = _dt.datetime(1, 1, 1, tzinfo=_dt.timezone.utc)
        return Window(t0 or far, t1 or _dt.datetime(9999, 12, 31, tzinfo=_dt.timezone.utc), True)
    if t0 > t1:
        raise TimeRangeError(
            f"start {format_time(t0)} ({start!r}) is after stop {format_time(t1)} ({stop!r})"
        )
    return Window(t0, t1, stop_inclusive=stop is None)


def plan_years(entry: Entry, window: Window) -> Plan:
    """The yearly files that can hold rows of ``window`` for ``entry``."""
    if entry.start is None or entry.stop is None:
        return Plan((), None)
    lo = max(entry.start, window.start)
    hi = min(entry.stop, window.stop)
    if lo > hi:
        return Plan((), None)
    first, last = lo.year, hi.year
    at_new_year = (hi.month, hi.day, hi.hour, hi.minute, hi.second, hi.microsecond) == (1, 1, 0, 0, 0, 0)
    if hi == window.stop and not window.stop_inclusive and at_new_year and last > first:
        last -= 1  # nothing starts before an exclusive stop at 1 January 00:00
    if entry.multiyear:
        return Plan(tuple(range(entry.start.year, last + 1)), None)
    tail = first - 1 if first > entry.start.year else None
    return Plan(tuple(range(first, last + 1)), tail)


def select(table: pa.Table, window: Window) -> pa.Table:
    """The rows of ``table`` that overlap ``window``, sorted by start (stable)."""
    if table.num_rows == 0:
        return table
    t0 = time_scalar(window.start)
    t1 = time_scalar(window.stop)
    start, stop = table["start"], table["stop"]
    compare = pc.less_equal if window.stop_inclusive else pc.less
    before_end = compare(start, t1, memory_pool=POOL)
    no_stop = pc.is_null(stop, memory_pool=POOL)
    reaches = pc.if_else(no_stop, pc.greater_equal(start, t0, memory_pool=POOL),
                         pc.greater_equal(stop, t0, memory_pool=POOL), memory_pool=POOL)
    mask = pc.and_(before_end, reaches, memory_pool=POOL)
    out = table if pc.all(mask).as_py() else pc.filter(table, mask, memory_pool=POOL)
    return sort_by_start(out)


def sort_by_start(table: pa.Table) -> pa.Table:
    """``table`` sorted by start, stably (unchanged when already in order, as index files are)."""
    if table.num_rows > 1 and not _is_sorted(table["start"]):
        order = pc.sort_indices(table, sort_keys=[("start", "ascending")], memory_pool=POOL)
        table = pc.take(table, order, memory_pool=POOL)
    return table


def _is_sorted(col: pa.ChunkedArray | pa.Array) -> bool:
    """True when the values never decrease (checked chunk by chunk, without copying the column)."""
    chunks = col.chunks if isinstance(col, pa.ChunkedArray) else [col]
    previous = None
    for chunk in chunks:
        n = len(chunk)
        if n == 0:
            continue
        if previous is not None and chunk[0].value < previous.value:
            return False
        if n > 1 and pc.all(pc.less_equal(chunk.slice(0, n - 1), chunk.slice(1), memory_pool=POOL)).as_py() is False:
            return False
        previous = chunk[n - 1]
    return True
