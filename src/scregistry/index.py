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

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from .errors import FormatError, TimeFormatError
from .memory import POOL
from .times import TIME_TYPE, parse_time_column

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
    ``datakey`` string, ``filesize`` int64. ``partial`` marks a byte range cut from the end
    of a file: its first (incomplete) line is dropped and a header is not expected.
    Raises :class:`FormatError` naming ``url`` (and the line, for CSV).
    """
    kind = canonical_indextype(indextype, where=url)
    if kind == "parquet":
        try:
            import pyarrow.parquet as pq

            table = pq.read_table(io.BytesIO(data))
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


def _read_csv(data, url: str, *, partial: bool) -> pa.Table:
    view = memoryview(data)
    head = bytes(view[: 1 << 16])  # the first lines decide the layout; the rest is Arrow's
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
        body_offset = len(view) if nl < 0 else nl + 1
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
    quote = "'" if sample.lstrip().startswith(b"'") else '"'
    spaced = b", " in sample or b" ," in sample
    parse = pacsv.ParseOptions(quote_char=quote, ignore_empty_lines=True)
    read = pacsv.ReadOptions(column_names=names, use_threads=True)
    text_extras = {n: pa.string() for n in names if n not in CORE_COLUMNS and _TEXT_EXTRAS.search(n)}
    if spaced:
        attempts = [{name: pa.string() for name in names}]
    else:
        # Fast path: Arrow parses the times itself; the text path below handles the rest.
        typed = {"start": TIME_TYPE, "stop": TIME_TYPE, "datakey": pa.string(), "filesize": pa.int64()}
        text = {"start": pa.string(), "stop": pa.string(), "datakey": pa.string(), "filesize": pa.int64()}
        attempts = [{k: v for k, v in cols.items() if k in names} for cols in (typed, text)]
    table = None
    for i, column_types in enumerate(attempts):
        try:
            table = pacsv.read_csv(
                pa.BufferReader(view[body_offset:]), read_options=read, parse_options=parse, memory_pool=POOL,
                convert_options=pacsv.ConvertOptions(column_types={**column_types, **text_extras},
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                     timestamp_parsers=[pacsv.ISO8601]),
            )
            break
        except pa.ArrowInvalid as exc:
            if i + 1 < len(attempts) and "conversion error to timestamp" in str(exc):
                continue
            line = _find_bad_line(bytes(view[body_offset:]), names, quote,
                                  body_offset_lines=_count_lines(head[:body_offset]))
            raise FormatError(f"cannot parse as an index CSV: {_short(exc)}", url, line) from None
    assert table is not None
    if spaced:
        table = _strip_text(table, quote)
        table = _infer_extras(table)
    line_base = _count_lines(head[:body_offset])
    return _normalise(table, url, names, line_base=None if partial else line_base)


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
    out["datakey"] = datakey if pa.types.is_string(datakey.type) else pc.cast(datakey, pa.string(), memory_pool=POOL)
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
        "datakey": pa.array([], pa.string()),
        "filesize": pa.array([], pa.int64()),
    })
