"""Yearly index files: bytes of one file to an Arrow table with canonical columns, and back.

Every variant the format has had is read: csv, csv-zip and parquet; a header line or
none, with or without ``#`` and spaces; bare, single- or double-quoted values; the
spec 0.3 columns ``start, datakey, filesize`` (and the oldest name ``key``) and the
1.x columns ``start, stop, datakey, filesize``; any extra columns after them.
pyarrow does the parsing; Python only looks at the first lines, and at the whole file
only to name the line at fault when pyarrow rejects it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .errors import FormatError, TimeFormatError
from .memory import POOL
from .storage import Body
from .times import TIME_TYPE, parse_time_column

#: The type of ``datakey``: 64-bit offsets, the form pandas keeps text in, so none is converted later.
KEY_TYPE = pa.large_string()

#: The columns every table returned here starts with, in this order.
CORE_COLUMNS = ("start", "stop", "datakey", "filesize")

#: File name extension of each index type (and the spellings seen in the wild).
INDEX_EXTENSIONS = {"csv": "csv", "csv-zip": "csv.zip", "parquet": "parquet"}
_INDEXTYPE_ALIASES = {
    "": "csv", "csv": "csv", "csv-zip": "csv-zip", "csv_zip": "csv-zip", "csvzip": "csv-zip",
    "zip": "csv-zip", "csv.zip": "csv-zip", "parquet": "parquet", "pq": "parquet",
}
_NAME_ALIASES = {
    "start": "start", "startdate": "start", "start_date": "start", "starttime": "start",
    "start_time": "start", "time": "start", "begin": "start",
    "stop": "stop", "stopdate": "stop", "stop_date": "stop", "end": "stop", "enddate": "stop",
    "end_date": "stop", "stoptime": "stop", "stop_time": "stop",
    "datakey": "datakey", "key": "datakey", "data_key": "datakey", "s3key": "datakey", "url": "datakey",
    "filesize": "filesize", "file_size": "filesize", "size": "filesize", "bytes": "filesize",
}
#: Bytes at the start of a CSV index that decide its layout; the rest is Arrow's.
_HEAD = 1 << 16
#: Bytes of CSV text Arrow parses at a time (less than its default 1 MiB: measured lower peaks
#: with several files streaming at once, at the same speed).
_BLOCK = 1 << 19

# Extra columns whose values look numeric but are text.
_TEXT_EXTRAS = re.compile(r"checksum|md5|sha|hash|etag|version|id$", re.IGNORECASE)


def canonical_indextype(indextype: str | None, *, where: str = "") -> str:
    """``csv``, ``csv-zip`` or ``parquet`` for any spelling seen in catalogs (missing means csv)."""
    key = (indextype or "").strip().lower()
    if key in _INDEXTYPE_ALIASES:
        return _INDEXTYPE_ALIASES[key]
    raise FormatError(f"unknown indextype {indextype!r}; expected csv, csv-zip or parquet", where)


def index_filename(dataset_id: str, year: int | str, indextype: str) -> str:
    """``<id>_<YYYY>.<ext>`` for one year (or ``static``)."""
    return f"{dataset_id}_{year}.{INDEX_EXTENSIONS[canonical_indextype(indextype)]}"


def read_index(data: bytes | memoryview, url: str, indextype: str = "csv", *, partial: bool = False) -> pa.Table:
    """Parse one index file to a table with columns ``start, stop, datakey, filesize`` and extras.

    ``start``/``stop`` are ``timestamp[us, UTC]`` (``stop`` all null for spec 0.3 files),
    ``datakey`` large_string, ``filesize`` int64. ``partial`` marks a byte range cut from the end
    of a file: its first (incomplete) line is dropped and a header is not expected.
    Raises :class:`FormatError` naming ``url`` (and the line, for CSV).
    """
    kind = canonical_indextype(indextype, where=url)
    if kind == "parquet":
        try:
            import pyarrow.parquet as pq

            table = pq.read_table(pa.BufferReader(data))
        except (pa.ArrowException, OSError) as exc:
            raise FormatError(f"not a readable parquet file: {exc}", url) from None
        return _normalise(table, url, [_NAME_ALIASES.get(n.strip().lower(), n.strip()) for n in table.column_names])
    if kind == "csv-zip":
        data = _unzip(data, url)
    return _read_csv(data, url, partial=partial)


def _unzip(data: bytes, url: str) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(memoryview(data))) as zf:
            members = [m for m in zf.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")]
            if len(members) != 1:
                raise FormatError(f"a csv-zip index must hold exactly one file, found {len(members)}", url)
            return zf.read(members[0])
    except zipfile.BadZipFile as exc:
        raise FormatError(f"not a zip file: {exc}", url) from None


def _split_first_lines(text: bytes, partial: bool) -> tuple[list[tuple[int, bytes]], int]:
    """Up to the first two non-blank lines as (line number, content), and the byte offset of the
    first line after any dropped partial line."""
    offset = 0
    if text.startswith(b"\xef\xbb\xbf"):
        offset = 3
    if partial:
        nl = text.find(b"\n", offset)
        offset = len(text) if nl < 0 else nl + 1
    lines = []
    pos, lineno = offset, 1
    while pos < len(text) and len(lines) < 2:
        nl = text.find(b"\n", pos)
        end = len(text) if nl < 0 else nl
        line = text[pos:end].rstrip(b"\r")
        if line.strip():
            lines.append((lineno, line))
        pos, lineno = end + 1, lineno + 1
    return lines, offset


def _fields(line: bytes) -> list[str]:
    return [f.strip().strip("'\"").strip() for f in line.decode("utf-8", "replace").split(",")]


def _looks_like_header(line: bytes) -> bool:
    stripped = line.lstrip().lstrip(b"'\"")
    return stripped.startswith(b"#") or (bool(stripped[:1]) and stripped[:1].isalpha())


def _looks_like_time(value: str) -> bool:
    return bool(re.match(r"^\d{4}(-\d{2,3})", value))


@dataclass
class _CsvLayout:
    """How the rows of one CSV index are laid out, as its first lines show."""

    names: list[str]
    body_offset: int  # where the first row starts
    line_base: int  # lines before it
    quote: str
    spaced: bool  # ", " between fields: read as text, then trimmed

    def attempts(self) -> list[dict[str, pa.DataType]]:
        """Column types to try in turn: Arrow parsing the times itself, then times as text."""
        if self.spaced:
            return [{name: pa.string() for name in self.names}]
        typed = {"start": TIME_TYPE, "stop": TIME_TYPE, "datakey": KEY_TYPE, "filesize": pa.int64()}
        text = {"start": pa.string(), "stop": pa.string(), "datakey": KEY_TYPE, "filesize": pa.int64()}
        return [{k: v for k, v in cols.items() if k in self.names} for cols in (typed, text)]

    def options(self, column_types: dict[str, pa.DataType]) -> dict[str, Any]:
        text_extras = {n: pa.string() for n in self.names if n not in CORE_COLUMNS and _TEXT_EXTRAS.search(n)}
        return {
            "read_options": pacsv.ReadOptions(column_names=self.names, use_threads=True, block_size=_BLOCK),
            "parse_options": pacsv.ParseOptions(quote_char=self.quote, ignore_empty_lines=True),
            "convert_options": pacsv.ConvertOptions(column_types={**column_types, **text_extras},
                                                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                    timestamp_parsers=[pacsv.ISO8601]),
            "memory_pool": POOL,
        }


def _csv_layout(head: bytes, url: str, partial: bool) -> _CsvLayout | pa.Table:
    """The layout of a CSV index from its first bytes, or the (empty) table when it has no rows."""
    first, offset = _split_first_lines(head, partial)
    if not first:
        return empty_table()
    header_line = None
    if not partial and _looks_like_header(first[0][1]):
        header_line = first[0][1]
        data_lines = first[1:]
    else:
        data_lines = first
    sample = data_lines[0][1] if data_lines else b""
    sample_fields = _fields(sample) if sample else []
    if header_line is not None:
        names = [_NAME_ALIASES.get(n.lower(), n) for n in _fields(header_line.lstrip().lstrip(b"#"))]
        # skip everything up to and including the header line
        skip_to = head.find(header_line, offset) + len(header_line)
        nl = head.find(b"\n", skip_to)
        body_offset = len(head) if nl < 0 else nl + 1
        header_lineno = first[0][0]
    else:
        n = len(sample_fields)
        if n < 3:
            raise FormatError(f"expected at least 3 columns (start, datakey, filesize), found {n}", url,
                              first[0][0] if not partial else None)
        has_stop = n >= 4 and _looks_like_time(sample_fields[1])
        names = ["start", "stop", "datakey", "filesize"] if has_stop else ["start", "datakey", "filesize"]
        names += [f"column{i + 1}" for i in range(len(names), n)]
        body_offset = offset
        header_lineno = 0
    missing = [c for c in ("start", "datakey", "filesize") if c not in names]
    if missing:
        raise FormatError(f"the header {header_line.decode('utf-8', 'replace')!r} lacks column(s) "
                          f"{', '.join(missing)}", url, header_lineno or None)
    if not sample:  # a header and no rows
        empty = empty_table()
        for name in names:
            if name not in empty.column_names:
                empty = empty.append_column(name, pa.array([], pa.string()))
        return empty
    return _CsvLayout(names=names, body_offset=body_offset, line_base=_count_lines(head[:body_offset]),
                      quote="'" if sample.lstrip().startswith(b"'") else '"',
                      spaced=b", " in sample or b" ," in sample)


def _read_csv(data, url: str, *, partial: bool) -> pa.Table:
    view = memoryview(data)
    layout = _csv_layout(bytes(view[:_HEAD]), url, partial)
    if isinstance(layout, pa.Table):
        return layout
    attempts = layout.attempts()
    table = None
    for i, column_types in enumerate(attempts):
        try:
            table = pacsv.read_csv(pa.BufferReader(view[layout.body_offset:]), **layout.options(column_types))
            break
        except pa.ArrowInvalid as exc:
            if i + 1 < len(attempts) and "conversion error to timestamp" in str(exc):
                continue
            line = _find_bad_line(bytes(view[layout.body_offset:]), layout.names, layout.quote,
                                  body_offset_lines=layout.line_base)
            raise FormatError(f"cannot parse as an index CSV: {_short(exc)}", url, line) from None
    assert table is not None
    if layout.spaced:
        table = _strip_text(table, layout.quote)
        table = _infer_extras(table)
    return _normalise(table, url, layout.names, line_base=None if partial else layout.line_base)


def read_index_body(body: Body, url: str, indextype: str = "csv") -> pa.Table:
    """Like :func:`read_index`, for a whole index file as it arrives from the store.

    A CSV index is parsed while it downloads, so that only a few blocks of its text are held
    at a time instead of all of it (for a 1.5-million-row request fetching 4 files at once,
    about 40 MiB less at the peak). When a later line does not fit the layout the first lines
    showed, the file is read again whole and parsed by :func:`read_index`, which also names
    the line at fault.
    """
    if canonical_indextype(indextype, where=url) != "csv":
        return read_index(body.read(), url, indextype)
    chunks = iter(body)
    head = bytearray()
    for chunk in chunks:
        head += chunk
        if len(head) >= _HEAD:
            break
    layout = _csv_layout(bytes(head[:_HEAD]), url, partial=False)
    if isinstance(layout, pa.Table):
        return layout
    if layout.spaced:  # parsed as text and trimmed: needs the whole file
        return _read_csv(b"".join([bytes(head), *(bytes(c) for c in chunks)]), url, partial=False)
    try:
        rows = _ChunkReader(memoryview(head)[layout.body_offset:], chunks)
        table = pacsv.open_csv(rows, **layout.options(layout.attempts()[0])).read_all()
    except pa.ArrowInvalid:
        return read_index(body.read(), url, indextype)
    return _normalise(table, url, layout.names, line_base=layout.line_base)


class _ChunkReader(io.RawIOBase):
    """A readable file over a first buffer and then the chunks of an iterator."""

    def __init__(self, first: memoryview, rest: Iterator[Any]) -> None:
        self._buf = first.cast("B")
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not len(self._buf):
            try:
                self._buf = memoryview(next(self._rest)).cast("B")
            except StopIteration:
                return 0
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


def _count_lines(prefix: bytes) -> int:
    return prefix.count(b"\n")


def _find_bad_line(body: bytes, names: list[str], quote: str, body_offset_lines: int) -> int | None:
    """The 1-based line number (in the whole file) of the first row pyarrow would reject."""
    import csv

    text = body.decode("utf-8", "replace").splitlines()
    reader = csv.reader(text, quotechar=quote, skipinitialspace=True)
    for i, row in enumerate(reader):
        if not row or not any(f.strip() for f in row):
            continue
        if len(row) != len(names):
            return body_offset_lines + i + 1
        if "filesize" in names:
            size = row[names.index("filesize")].strip().strip("'\"")
            if not re.fullmatch(r"-?\d+", size):
                return body_offset_lines + i + 1
    return None


def _strip_text(table: pa.Table, quote: str) -> pa.Table:
    cols = []
    for col in table.columns:
        if pa.types.is_string(col.type):
            col = pc.utf8_trim(pc.utf8_trim_whitespace(col, memory_pool=POOL), characters=quote, memory_pool=POOL)
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def _infer_extras(table: pa.Table) -> pa.Table:
    cols = []
    for name, col in zip(table.column_names, table.columns):
        if name == "filesize":
            col = col
        elif name not in CORE_COLUMNS and not _TEXT_EXTRAS.search(name):
            for typ in (pa.int64(), pa.float64()):
                try:
                    col = pc.cast(col, typ, memory_pool=POOL)
                    break
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    continue
        cols.append(col)
    return pa.table(cols, names=table.column_names)


def _normalise(table: pa.Table, url: str, names: list[str], line_base: int | None = None) -> pa.Table:
    """Rename to canonical names, type the core columns, and order them first."""
    table = table.rename_columns(names)
    if len(set(names)) != len(names):
        raise FormatError(f"duplicate column names {names}", url)
    for col in ("start", "datakey", "filesize"):
        if col not in names:
            raise FormatError(f"no {col!r} column (columns: {', '.join(names)})", url)
    out: dict[str, pa.ChunkedArray] = {}
    for col in ("start", "stop"):
        if col in names:
            try:
                out[col] = parse_time_column(table[col], what=f"{col} time")
            except TimeFormatError as exc:
                row = getattr(exc, "row", None)
                line = line_base + row + 1 if (line_base is not None and row is not None) else None
                raise FormatError(str(exc), url, line) from None
        else:
            out[col] = pa.nulls(table.num_rows, TIME_TYPE)
    if out["start"].null_count:
        raise FormatError(f"{out['start'].null_count} row(s) without a start time", url)
    datakey = table["datakey"]
    out["datakey"] = datakey if datakey.type == KEY_TYPE else pc.cast(datakey, KEY_TYPE, memory_pool=POOL)
    size = table["filesize"]
    if not pa.types.is_int64(size.type):
        try:
            size = pc.cast(size, pa.int64(), memory_pool=POOL)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            line = None
            if line_base is not None and (pa.types.is_string(size.type) or pa.types.is_large_string(size.type)):
                ok = pc.match_substring_regex(size, r"^\s*-?\d+\s*$").combine_chunks()
                bad = pc.index(ok, False).as_py()
                line = line_base + bad + 1 if bad >= 0 else None
            raise FormatError(f"filesize is not an integer: {_short(exc)}", url, line) from None
    out["filesize"] = size
    for name in names:
        if name not in out:
            out[name] = table[name]
    return pa.table(out)


def empty_table() -> pa.Table:
    """A table with the core columns and no rows."""
    return pa.table({
        "start": pa.array([], TIME_TYPE),
        "stop": pa.array([], TIME_TYPE),
        "datakey": pa.array([], KEY_TYPE),
        "filesize": pa.array([], pa.int64()),
    })
