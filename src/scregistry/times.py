"""Restricted ISO 8601 times, as the format writes them, to UTC.

One scalar parser (:func:`parse_time`) for catalog entries and user input, and
one vectorised parser (:func:`parse_time_column`) for index columns. Both accept
every precision the format allows (``2017``, ``2017-01-15``, ``2017-01-15T23Z``,
``2017-01-15T23:00Z``, ``2017-01-15T23:00:00.123Z``), ordinal dates
(``2017-015``), a space instead of ``T``, a missing ``Z``, and the malformed
forms real catalogs contain (``1995-01-01T00:00.00Z``, ``2023-05-04:00:00:00Z``).
Missing parts take their smallest value. Offsets other than ``Z`` are converted.
"""

from __future__ import annotations

import datetime as _dt
import re
import struct
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .errors import TimeFormatError
from .memory import POOL

UTC = _dt.timezone.utc
#: Arrow type of every time column scregistry produces.
TIME_TYPE = pa.timestamp("us", tz="UTC")

_TIME_RE = re.compile(
    r"""^\s*(?P<Y>\d{4})
    (?:
        -(?P<doy>\d{3})(?!\d)                 # ordinal date YYYY-DDD
      | -(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?
    )?
    (?:[T\s:](?P<H>\d{1,2})
        (?::(?P<M>\d{2})
            (?:
                :(?P<S>\d{2})(?:[.,](?P<f>\d+))?
              | [.,](?P<Mf>\d+)               # minutes with a fraction, seen in the wild
            )?
        )?
    )?
    \s*(?P<tz>Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?\s*$""",
    re.VERBOSE,
)


def parse_time(value: Any, *, name: str = "time") -> _dt.datetime:
    """Parse a time given as text, ``datetime``, ``date`` or pandas ``Timestamp`` to an aware UTC datetime.

    Raises :class:`TimeFormatError` (a ``ValueError``) quoting the input when it is not a time.
    """
    if isinstance(value, _dt.datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, _dt.date):
        return _dt.datetime(value.year, value.month, value.day, tzinfo=UTC)
    if hasattr(value, "to_pydatetime"):  # pandas.Timestamp without importing pandas
        return parse_time(value.to_pydatetime(), name=name)
    if not isinstance(value, str):
        raise TimeFormatError(f"{name} must be an ISO 8601 string or a datetime, not {value!r}")
    m = _TIME_RE.match(value)
    if not m:
        raise TimeFormatError(
            f"{name} {value!r} is not an ISO 8601 time; expected e.g. '2010-05-13T00:00:00Z' or '2010-05-13'"
        )
    g = m.groupdict()
    try:
        year = int(g["Y"])
        if g["doy"]:
            base = _dt.datetime(year, 1, 1) + _dt.timedelta(days=int(g["doy"]) - 1)
            if base.year != year:
                raise ValueError("day of year out of range")
            month, day = base.month, base.day
        else:
            month, day = int(g["m"] or 1), int(g["d"] or 1)
        hour, minute = int(g["H"] or 0), int(g["M"] or 0)
        second, micro = 0, 0
        if g["S"]:
            second = int(g["S"])
            if g["f"]:
                micro = int((g["f"] + "000000")[:6])
        elif g["Mf"]:
            frac = float("0." + g["Mf"]) * 60
            second = int(frac)
            micro = round((frac - second) * 1_000_000)
        if hour == 24 and minute == 0 and second == 0 and micro == 0:
            out = _dt.datetime(year, month, day, tzinfo=UTC) + _dt.timedelta(days=1)
        else:
            out = _dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError as exc:
        raise TimeFormatError(f"{name} {value!r} is not a valid time: {exc}") from None
    tz = g["tz"]
    if tz and tz[0] in "+-":
        digits = tz[1:].replace(":", "")
        offset = _dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        out = out - offset if tz[0] == "+" else out + offset
    return out


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = _dt.timedelta(microseconds=1)


def to_micros(value: _dt.datetime) -> int:
    """Microseconds since 1970-01-01T00:00Z of an aware datetime."""
    return (value - _EPOCH) // _MICROSECOND


def time_scalar(value: _dt.datetime) -> pa.Scalar:
    """An Arrow ``timestamp[us, UTC]`` scalar, built from raw bytes: converting any Python object
    makes pyarrow import pandas, which costs a command-line run a third of a second."""
    raw = pa.py_buffer(struct.pack("<q", to_micros(value)))
    return pa.Array.from_buffers(TIME_TYPE, 1, [None, raw])[0]


def format_time(value: _dt.datetime) -> str:
    """Format an aware datetime the way the format writes times (``2010-05-13T00:00:02.120Z``)."""
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        ms, us = divmod(value.microsecond, 1000)
        text += f".{ms:03d}" if not us else f".{value.microsecond:06d}"
    return text + "Z"


# Vectorised parsing -----------------------------------------------------------------

# Rewrites that turn the forms Arrow's ISO 8601 cast does not take into ones it does.
_NORMALISE = [
    (r"^\s+|\s+$", ""),
    (r"(?i)(z|utc)$", ""),
    (r"^(\d{4}-\d{2}-\d{2}):(\d{2})", r"\1T\2"),  # 2023-05-04:00:00:00
    (r"^(\d{4}-\d{2}-\d{2})T(\d{2})$", r"\1T\2:00"),  # hour only
    (r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6})\d+$", r"\1"),  # beyond microseconds
    (r"^(\d{4})$", r"\1-01-01"),
    (r"^(\d{4}-\d{2})$", r"\1-01"),
]


def _cast_naive(arr: pa.Array) -> pa.Array:
    return pc.cast(pc.cast(arr, pa.timestamp("us"), memory_pool=POOL), TIME_TYPE, memory_pool=POOL)


def parse_time_column(arr: pa.Array | pa.ChunkedArray, *, what: str = "time") -> pa.ChunkedArray | pa.Array:
    """Parse a string column of times to ``timestamp[us, UTC]``; nulls and empty strings become null.

    Raises :class:`TimeFormatError` naming the first value that is not a time and its row (0-based).
    """
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is None:
            return pc.cast(pc.cast(arr, pa.timestamp("us"), memory_pool=POOL), TIME_TYPE, memory_pool=POOL)
        return pc.cast(arr, TIME_TYPE, memory_pool=POOL)
    if pa.types.is_date(arr.type):
        return pc.cast(pc.cast(arr, pa.timestamp("us"), memory_pool=POOL), TIME_TYPE, memory_pool=POOL)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string(), memory_pool=POOL)
    arr = pc.if_else(pc.equal(arr, "", memory_pool=POOL), pa.scalar(None, arr.type), arr, memory_pool=POOL)
    # Fast path: strip the trailing Z and let Arrow's ISO 8601 parser do the rest.
    try:
        return _cast_naive(pc.replace_substring_regex(arr, r"Z$", "", memory_pool=POOL))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    norm = arr
    for pattern, repl in _NORMALISE:
        norm = pc.replace_substring_regex(norm, pattern, repl, memory_pool=POOL)
    try:
        return _cast_naive(norm)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    # Slow path, only for unusual files: the scalar parser, which also names the bad row.
    values = arr.to_pylist()
    out = []
    for row, text in enumerate(values):
        if text is None:
            out.append(None)
            continue
        try:
            out.append(parse_time(text, name=what))
        except TimeFormatError as exc:
            err = TimeFormatError(str(exc))
            err.row = row  # type: ignore[attr-defined]
            raise err from None
    micros = pa.array([None if v is None else to_micros(v) for v in out], pa.int64())
    return micros.cast(TIME_TYPE)
