"""Writing command results: aligned text for people, csv / json / parquet for scripts.

Rows are either a list of dicts (small results) or an Arrow table (file lists), which is
written batch by batch so that a large result is never held twice in memory.
"""

from __future__ import annotations

import datetime as _dt
import json
import sys
from typing import IO, Any, Iterable

import pyarrow as pa

FORMATS = ("text", "csv", "json", "parquet")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        from .times import format_time

        return format_time(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def write_rows(rows: list[dict], columns: list[str], fmt: str, out: IO[str] | None = None,
               path: str | None = None) -> None:
    """Write small results: a list of dicts with the given columns."""
    if fmt == "parquet":
        arrays = {}
        for c in columns:
            values = [_json_value(r.get(c)) for r in rows]
            try:
                arrays[c] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                arrays[c] = pa.array([_cell(v) for v in values], pa.string())
        write_table(pa.table(arrays), "parquet", path=path)
        return
    stream, close = _open(out, path)
    try:
        if fmt == "json":
            json.dump([{c: _json_value(r.get(c)) for c in columns} for r in rows], stream, indent=1)
            stream.write("\n")
        elif fmt == "csv":
            import csv

            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(columns)
            for r in rows:
                writer.writerow([_cell(r.get(c)) for c in columns])
        else:
            _aligned(stream, columns, [[_cell(r.get(c)) for c in columns] for r in rows])
    finally:
        if close:
            stream.close()


def write_table(table: pa.Table, fmt: str, out: IO[str] | None = None, path: str | None = None) -> None:
    """Write an Arrow table (times as ISO 8601 with ``Z`` in text, csv and json)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        if path is None:
            if sys.stdout.isatty():
                raise ValueError("parquet is binary: give --output FILE (or redirect stdout)")
            pq.write_table(table, sys.stdout.buffer)
        else:
            pq.write_table(table, path)
        return
    stream, close = _open(out, path)
    try:
        names = table.column_names
        if fmt == "csv":
            import csv

            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(names)
            for row in _rows(table):
                writer.writerow(["" if v is None else v for v in row])
        elif fmt == "json":
            stream.write("[")
            first = True
            for row in _rows(table):
                stream.write(("\n" if first else ",\n") + json.dumps(dict(zip(names, row))))
                first = False
            stream.write("\n]\n")
        else:
            # one line per row for people: the long data key last, after the short columns
            order = [i for i, n in enumerate(names) if n != "datakey"] + \
                    [i for i, n in enumerate(names) if n == "datakey"]
            numeric = [pa.types.is_integer(table.schema.field(i).type) or
                       pa.types.is_floating(table.schema.field(i).type) for i in order]
            for rows in _row_batches(table):
                cells = [[_cell(row[i]) for i in order] for row in rows]
                widths = [max(len(c[k]) for c in cells) for k in range(len(order))]
                for c in cells:
                    padded = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(c, widths, numeric)]
                    stream.write("  ".join(padded).rstrip() + "\n")
    finally:
        if close:
            stream.close()


def _row_batches(table: pa.Table) -> Iterable[list[list[Any]]]:
    """Rows of ``table`` with times as text, converted one batch at a time (never the whole table)."""
    for batch in table.to_batches(max_chunksize=65536):
        cols = []
        for name in table.column_names:
            col = batch.column(name)
            cols.append(_time_text(col) if pa.types.is_timestamp(col.type) else col.to_pylist())
        yield [list(r) for r in zip(*cols)]


def _rows(table: pa.Table) -> Iterable[list[Any]]:
    for rows in _row_batches(table):
        yield from rows


def _time_text(col: pa.Array) -> list[str | None]:
    """ISO 8601 with a Z: milliseconds when the data has them, microseconds only when needed."""
    import pyarrow.compute as pc

    if col.null_count == len(col):
        return [None] * len(col)
    cast = col
    for unit in ("s", "ms", "us"):
        try:
            cast = pc.cast(col, pa.timestamp(unit, tz="UTC"))
            break
        except pa.ArrowInvalid:
            continue
    return pc.strftime(cast, format="%Y-%m-%dT%H:%M:%SZ").to_pylist()


def _json_value(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return _cell(value)
    return value


def _aligned(stream: IO[str], columns: list[str], rows: list[list[str]]) -> None:
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
    stream.write("  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip() + "\n")
    for r in rows:
        stream.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n")


def _open(out: IO[str] | None, path: str | None) -> tuple[IO[str], bool]:
    if path:
        return open(path, "w", encoding="utf-8", newline=""), True
    return out or sys.stdout, False
