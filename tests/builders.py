"""Fixture builders: index files in every variant, catalogs and registries, from row lists.

Rows are ``(start, stop, datakey, filesize, *extras)`` with times as ISO 8601 strings; the
expected result of a query is computed from the same rows by :func:`expected_rows`, an
independent reference of the overlap rule in SPEC.md.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq

UTC = dt.timezone.utc


def t(text: str) -> dt.datetime:
    """A fixture time; the fixtures only use the full form, parsed here by the standard library."""
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def csv_index(rows, *, header="# start, stop, datakey, filesize", quote="", sep=",", old=False,
              extras=(), newline="\n") -> bytes:
    """An index CSV. ``header=None`` writes none; ``quote="'"`` wraps every value; ``old=True``
    writes the spec 0.3 columns (start, key, filesize)."""
    lines = []
    if header is not None:
        lines.append(header)
    for row in rows:
        start, stop, key, size, *rest = row
        values = [start, key, size] if old else [start, stop, key, size]
        values += list(rest)
        lines.append(sep.join(f"{quote}{v}{quote}" for v in values))
    return (newline.join(lines) + newline).encode()


def zip_index(csv_bytes: bytes, name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, csv_bytes)
    return buf.getvalue()


def parquet_index(rows, extras_names=(), time_unit="ms") -> bytes:
    cols = list(zip(*rows)) if rows else [[], [], [], []] + [[] for _ in extras_names]
    table = pa.table({
        "start": pa.array([t(x) for x in cols[0]], pa.timestamp(time_unit, tz="UTC")),
        "stop": pa.array([t(x) for x in cols[1]], pa.timestamp(time_unit, tz="UTC")),
        "datakey": pa.array(list(cols[2]), pa.string()),
        "filesize": pa.array([int(x) for x in cols[3]], pa.int64()),
        **{name: pa.array(list(cols[4 + i])) for i, name in enumerate(extras_names)},
    })
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def entry(eid, index, start, stop, **more) -> dict:
    return {"id": eid, "index": index, "title": more.pop("title", f"Dataset {eid}"), "start": start,
            "stop": stop, "modification": more.pop("modification", "2024-01-01T00:00:00Z"),
            "indextype": more.pop("indextype", "csv"), "filetype": more.pop("filetype", "cdf"), **more}


def catalog(endpoint, entries, **more) -> bytes:
    doc = {"version": "1.0", "name": more.pop("name", "test bucket"), "endpoint": endpoint,
           "region": "us-east-1", "egress": "public, no-egress", "contact": "test@example.org",
           "status": more.pop("status", {"code": 1200, "message": "OK"}), "catalog": entries, **more}
    return json.dumps(doc).encode()


def registry(buckets) -> bytes:
    """``buckets`` is a list of (endpoint, name, region)."""
    return json.dumps({"version": "1.0", "modificationDate": "2024-01-01T00:00Z", "registry": [
        {"endpoint": e, "name": n, "region": r, "provider": "aws"} for e, n, r in buckets]}).encode()


def expected_rows(rows, start, stop, *, has_stop=True):
    """The datakeys of ``rows`` that overlap ``[start, stop)``, sorted by start (stable)."""
    t0, t1 = t(start), t(stop)
    out = []
    for row in rows:
        rs = t(row[0])
        if has_stop and row[1] is not None:
            keep = t(row[1]) >= t0 and rs < t1
        else:
            keep = t0 <= rs < t1
        if keep:
            out.append(row)
    out.sort(key=lambda r: t(r[0]))
    return [r[2] for r in out]
