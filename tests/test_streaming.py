"""Index files parsed as they arrive: large files over HTTP and S3, a time format or a bad line
far down a file, a transfer broken in the middle, and the cache's copy of what streamed past.

The files here are several MiB, so they arrive in many chunks and are parsed in many blocks.
Expected values come from the rows each file is built from.
"""

from __future__ import annotations

import datetime as dt
import os

import pyarrow as pa
import pytest

import scregistry
from builders import catalog, csv_index, entry, expected_rows, t
from scregistry.storage import Body

EID = "big"
N_ROWS = 40_000  # about 4.5 MiB of CSV
CUT_AT = 30_000  # where the tests change something, past the first blocks of the file


def big_rows(n: int = N_ROWS, year: int = 2020) -> list[tuple]:
    """One row every 10 minutes from 1 January of ``year``, with a checksum extra."""
    t0 = dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc)
    rows = []
    for i in range(n):
        a = t0 + dt.timedelta(minutes=10 * i)
        b = a + dt.timedelta(minutes=10)
        rows.append((a.strftime("%Y-%m-%dT%H:%M:%SZ"), b.strftime("%Y-%m-%dT%H:%M:%SZ"),
                     f"s3://data/{EID}/{a:%Y/%m/%d}/{EID}_{a:%Y%m%dT%H%M%S}_v01.cdf", 1_000_000 + i, f"{i:08x}"))
    return rows


def index_bytes(rows) -> bytes:
    return csv_index(rows, header="start,stop,datakey,filesize,checksum")


def publish(server, data: bytes, prefix: str = "b") -> tuple[str, str]:
    """A bucket on the HTTP server with dataset ``big`` whose 2020 index is ``data``."""
    base = f"{server.url}/{prefix}/"
    path = f"/{prefix}/idx/{EID}_2020.csv"
    server.state.put(path, data)
    ent = entry(EID, f"{base}idx/", "2020-01-01T00:00:00Z", "2020-12-31T23:59:59Z")
    server.state.put(f"/{prefix}/catalog.json", catalog(base, [ent]))
    return base, path


def storage(**kw) -> scregistry.Storage:
    return scregistry.Storage(retries=2, backoff=0.01, timeout=20, **kw)


def check_frame(df, rows) -> None:
    assert len(df) == len(rows)
    assert df["datakey"].tolist() == [r[2] for r in rows]
    assert df["filesize"].tolist() == [r[3] for r in rows]
    assert df["checksum"].tolist() == [r[4] for r in rows]
    assert df["start"].iloc[0].to_pydatetime() == t(rows[0][0])
    assert df["start"].iloc[-1].to_pydatetime() == t(rows[-1][0])
    assert df["stop"].iloc[CUT_AT].to_pydatetime() == t(rows[CUT_AT][1])
    assert df["start"].is_monotonic_increasing


def gets(server, path: str) -> int:
    return sum(1 for r in server.state.log(path) if r["method"] == "GET")


def test_a_large_index_over_http_gives_every_row(http_server):
    rows = big_rows()
    base, path = publish(http_server, index_bytes(rows))
    df = scregistry.FileRegistry(base, storage=storage()).request_file_registry(EID, None, None)
    check_frame(df, rows)
    assert gets(http_server, path) == 1


def test_a_large_index_in_s3_gives_every_row(bucket, put, s3_endpoint):
    rows = big_rows()
    put(bucket, f"idx/{EID}_2020.csv", index_bytes(rows))
    ent = entry(EID, f"s3://{bucket}/idx/", "2020-01-01T00:00:00Z", "2020-12-31T23:59:59Z")
    put(bucket, "catalog.json", catalog(f"s3://{bucket}/", [ent]))
    fr = scregistry.FileRegistry(f"s3://{bucket}/", endpoint_url=s3_endpoint)
    df = fr.request_file_registry(EID, None, None)
    check_frame(df, rows)


def test_request_table_is_laid_out_for_pandas(http_server):
    rows = big_rows()
    base, _ = publish(http_server, index_bytes(rows))
    table = scregistry.FileRegistry(base, storage=storage()).request_table(EID, None, None)
    for name in ("start", "stop", "filesize"):
        assert table[name].num_chunks == 1, name
        assert len(table[name].chunk(0).to_numpy(zero_copy_only=True)) == len(rows)
    assert table["datakey"].type == pa.large_string()
    assert table["datakey"].to_pylist() == [r[2] for r in rows]


def test_a_window_inside_a_large_index(http_server):
    rows = big_rows()
    base, _ = publish(http_server, index_bytes(rows))
    start, stop = rows[CUT_AT][0], rows[CUT_AT + 100][0]
    df = scregistry.FileRegistry(base, storage=storage()).request_file_registry(EID, start, stop)
    assert df["datakey"].tolist() == expected_rows(rows, start, stop)


def test_another_time_format_far_down_the_file_is_still_read(http_server):
    rows = big_rows()
    # from row CUT_AT on, the form "YYYY-MM-DD:hh:mm:ss" seen in older indices
    written = rows[:CUT_AT] + [(a[:10] + ":" + a[11:19], b[:10] + ":" + b[11:19], *rest)
                               for a, b, *rest in rows[CUT_AT:]]
    base, path = publish(http_server, index_bytes(written))
    df = scregistry.FileRegistry(base, storage=storage()).request_file_registry(EID, None, None)
    check_frame(df, rows)
    assert df["start"].iloc[-1].to_pydatetime() == t(rows[-1][0])


def test_a_bad_line_far_down_the_file_is_named(http_server):
    rows = big_rows()
    bad = list(rows)
    bad[CUT_AT] = (*rows[CUT_AT][:3], "12x", rows[CUT_AT][4])
    base, _ = publish(http_server, index_bytes(bad))
    fr = scregistry.FileRegistry(base, storage=storage())
    with pytest.raises(scregistry.FormatError) as err:
        fr.request_file_registry(EID, None, None)
    assert err.value.line == CUT_AT + 2  # the header is line 1, row 0 is line 2
    assert f"{EID}_2020.csv" in str(err.value)


def test_a_transfer_broken_in_the_middle_is_fetched_again(http_server):
    rows = big_rows()
    data = index_bytes(rows)
    base, path = publish(http_server, data)
    http_server.state.cuts[path] = [len(data) // 2]
    df = scregistry.FileRegistry(base, storage=storage()).request_file_registry(EID, None, None)
    check_frame(df, rows)
    assert gets(http_server, path) == 2


def test_a_transfer_that_keeps_breaking_is_an_unavailable_server(http_server):
    rows = big_rows()
    data = index_bytes(rows)
    base, path = publish(http_server, data)
    http_server.state.cuts[path] = [len(data) // 3] * 3
    fr = scregistry.FileRegistry(base, storage=storage())
    with pytest.raises(scregistry.RemoteUnavailableError) as err:
        fr.request_file_registry(EID, None, None)
    assert path in str(err.value)
    assert gets(http_server, path) == 3  # the first try and two retries


def all_files(folder) -> list[str]:
    out = []
    for root, _dirs, files in os.walk(folder):
        out += [os.path.relpath(os.path.join(root, f), folder) for f in files]
    return sorted(out)


@pytest.mark.parametrize("case", ["plain", "format change", "broken transfer"])
def test_the_cache_keeps_a_whole_copy_of_a_streamed_index(http_server, tmp_path, case):
    rows = big_rows()
    written = rows
    if case == "format change":
        written = rows[:CUT_AT] + [(a[:10] + ":" + a[11:19], b[:10] + ":" + b[11:19], *rest)
                                   for a, b, *rest in rows[CUT_AT:]]
    data = index_bytes(written)
    base, path = publish(http_server, data)
    if case == "broken transfer":
        http_server.state.cuts[path] = [len(data) // 2]
    folder = tmp_path / "cache"
    fr = scregistry.FileRegistry(base, cache=True, cache_folder=folder, storage=storage())
    check_frame(fr.request_file_registry(EID, None, None), rows)
    copies = [f for f in all_files(folder) if f.endswith(f"{EID}_2020.csv")]
    assert len(copies) == 1
    assert (folder / copies[0]).read_bytes() == data
    assert not [f for f in all_files(folder) if f.endswith(".part")]
    # a second registry reads the copy (one conditional GET answered "not modified")
    before = gets(http_server, path)
    again = scregistry.FileRegistry(base, cache=True, cache_folder=folder, storage=storage())
    check_frame(again.request_file_registry(EID, None, None), rows)
    assert gets(http_server, path) == before + 1
    assert http_server.state.log(path)[-1]["headers"].get("if-none-match")


def test_consume_hands_on_chunks_and_reads_again_when_asked(http_server):
    data = index_bytes(big_rows())
    http_server.state.put("/x/file.csv", data)
    url = f"{http_server.url}/x/file.csv"

    def first_chunk_then_all(body: Body):
        first = bytes(next(iter(body)))
        return first, bytes(body.read())

    first, whole = storage().consume(url, first_chunk_then_all).data
    assert 0 < len(first) < len(data) and data.startswith(first)
    assert whole == data
    assert gets(http_server, "/x/file.csv") == 2  # read() after a partial read fetches again


def test_what_the_consumer_raises_is_passed_on_and_not_retried(http_server):
    http_server.state.put("/x/file.csv", b"abc" * 1000)

    class Mine(Exception):
        pass

    def fail(body: Body):
        next(iter(body))
        raise Mine("the consumer's own error")

    with pytest.raises(Mine):
        storage().consume(f"{http_server.url}/x/file.csv", fail)
    assert gets(http_server, "/x/file.csv") == 1
