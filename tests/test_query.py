"""The time-range query end to end, against the loopback S3 (moto) and HTTP servers.

Expected results come from the fixture rows through ``builders.expected_rows`` (an independent
reference of SPEC.md's overlap rule), never from scregistry itself.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scregistry
from builders import catalog, csv_index, entry, expected_rows, parquet_index, t, zip_index
from servers import make_public

UTC = dt.timezone.utc


# --- where the fixtures live ------------------------------------------------------------------

class Site:
    """A bucket on the moto server or a folder on the HTTP server, holding a catalog and indices."""

    def __init__(self, kind: str, *, put=None, bucket=None, s3_endpoint=None, http=None) -> None:
        self.kind = kind
        self._put = put
        self.bucket = bucket
        self.s3_endpoint = s3_endpoint
        self.http = http
        self.root = f"s3://{bucket}/" if kind == "s3" else http.url + "/"

    def store(self, path: str, data: bytes) -> None:
        if self.kind == "s3":
            self._put(self.bucket, path, data)
        else:
            self.http.state.put("/" + path, data)

    def catalog(self, entries) -> None:
        self.store("catalog.json", catalog(self.root, entries))

    def open(self) -> scregistry.FileRegistry:
        return scregistry.FileRegistry(self.root, endpoint_url=self.s3_endpoint)


@pytest.fixture(params=["s3", "http"])
def site(request, s3_endpoint):
    if request.param == "s3":
        return Site("s3", put=request.getfixturevalue("put"), bucket=request.getfixturevalue("bucket"),
                    s3_endpoint=s3_endpoint)
    return Site("http", http=request.getfixturevalue("http_server"), s3_endpoint=s3_endpoint)


@pytest.fixture
def s3_site(s3_endpoint, bucket, put):
    return Site("s3", put=put, bucket=bucket, s3_endpoint=s3_endpoint)


@pytest.fixture
def http_site(s3_endpoint, http_server):
    return Site("http", http=http_server, s3_endpoint=s3_endpoint)


def clear_log(http_server) -> None:
    with http_server.state.lock:
        http_server.state.requests.clear()


def index_gets(http_server, prefix="/idx/"):
    """(path, Range header or None) of each GET of an index file."""
    out = []
    for r in http_server.state.log():
        if r["method"] == "GET" and r["path"].startswith(prefix):
            headers = {k.lower(): v for k, v in r["headers"].items()}
            out.append((r["path"], headers.get("range")))
    return out


# --- checks ----------------------------------------------------------------------------------

def is_arrow_string(dtype) -> bool:
    if isinstance(dtype, pd.StringDtype):
        return dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        return pa.types.is_string(dtype.pyarrow_dtype) or pa.types.is_large_string(dtype.pyarrow_dtype)
    return False


def assert_frame(df: pd.DataFrame, rows, keys, *, has_stop: bool = True) -> None:
    """``df`` lists exactly the rows with datakeys ``keys``, in that order, with the documented types."""
    assert list(df.columns[:4]) == ["start", "stop", "datakey", "filesize"]
    assert str(df["start"].dtype) == "datetime64[us, UTC]"
    assert str(df["stop"].dtype) == "datetime64[us, UTC]"
    assert df["filesize"].dtype == np.int64
    assert is_arrow_string(df["datakey"].dtype), df["datakey"].dtype
    assert isinstance(df.index, pd.RangeIndex)
    assert (df.index.start, df.index.stop, df.index.step) == (0, len(keys), 1)
    assert df["datakey"].tolist() == keys
    by_key = {r[2]: r for r in rows}
    assert [x.to_pydatetime() for x in df["start"]] == [t(by_key[k][0]) for k in keys]
    if has_stop:
        assert [x.to_pydatetime() for x in df["stop"]] == [t(by_key[k][1]) for k in keys]
    else:
        assert df["stop"].isna().all()
    assert df["filesize"].tolist() == [int(by_key[k][3]) for k in keys]
    assert df["start"].is_monotonic_increasing


def with_start_at(rows, when):
    """Keys of rows starting exactly at ``when`` (what an inclusive stop adds to expected_rows)."""
    return [r[2] for r in rows if t(r[0]) == t(when)]


# --- the main fixture dataset -------------------------------------------------------------

DS_START, DS_STOP = "2019-01-01T00:00:00Z", "2021-06-01T00:00:00Z"


def _k(name):
    return f"s3://data-bucket/ds/{name}.cdf"


ROWS_2019 = (
    [("2019-01-01T00:00:00Z", "2019-01-01T01:00:00Z", _k("a2019_first"), 100)]
    # padding: makes the 2019 index much larger than the tail read from it
    + [((dt.datetime(2019, 7, 1, tzinfo=UTC) + dt.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        (dt.datetime(2019, 7, 1, tzinfo=UTC) + dt.timedelta(minutes=i, seconds=50)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        _k(f"pad_{i:05d}_" + "x" * 40), 1000 + i) for i in range(1500)]
    + [
        ("2019-12-31T22:00:00Z", "2019-12-31T23:00:00Z", _k("a2019_dec_ends_2019"), 101),
        ("2019-12-31T23:30:00Z", "2020-01-01T00:30:00Z", _k("a2019_dec_runs_into_2020"), 102),
        ("2019-12-31T23:45:00Z", "2020-01-01T00:00:00Z", _k("a2019_dec_ends_at_new_year"), 103),
    ]
)
ROWS_2020 = [
    ("2020-01-01T00:00:00Z", "2020-01-01T01:00:00Z", _k("b2020_newyear"), 200),
    ("2020-06-15T12:00:00Z", "2020-06-15T13:00:00Z", _k("b2020_12h"), 201),
    ("2020-06-15T13:00:00Z", "2020-06-15T14:00:00Z", _k("b2020_13h"), 202),
    ("2020-06-15T14:00:00Z", "2020-06-15T15:00:00Z", _k("b2020_14h"), 203),
    ("2020-12-31T23:59:00Z", "2021-01-01T00:10:00Z", _k("b2020_dec_runs_into_2021"), 5_000_000_000),
]
ROWS_2021 = [
    ("2021-01-01T00:00:00Z", "2021-01-01T01:00:00Z", _k("c2021_newyear"), 300),
    ("2021-03-01T00:00:00Z", "2021-03-01T01:00:00Z", _k("c2021_march"), 301),
    ("2021-06-01T00:00:00Z", "2021-06-01T01:00:00Z", _k("c2021_at_dataset_stop"), 302),
]
ALL_ROWS = ROWS_2019 + ROWS_2020 + ROWS_2021
BY_YEAR = {2019: ROWS_2019, 2020: ROWS_2020, 2021: ROWS_2021}
EXT = {"csv": "csv", "csv-zip": "csv.zip", "parquet": "parquet"}


def year_file(rows, year, indextype, eid="ds"):
    if indextype == "parquet":
        return parquet_index(rows)
    # a different CSV variant each year
    variants = {
        0: dict(),
        1: dict(header=None),
        2: dict(header="start,stop,datakey,filesize", quote="'"),
        3: dict(header="#start, stop, datakey, filesize", sep=", ", newline="\r\n"),
    }
    data = csv_index(rows, **variants[year % 4])
    if indextype == "csv-zip":
        data = zip_index(data, f"{eid}_{year}.csv")
    return data


def publish_main(site, indextype="csv", eid="ds", index_site=None, skip_years=(), **more):
    index_site = index_site or site
    for year, rows in BY_YEAR.items():
        if year not in skip_years:
            index_site.store(f"idx/{eid}_{year}.{EXT[indextype]}", year_file(rows, year, indextype, eid))
    e = entry(eid, index_site.root + "idx/", DS_START, DS_STOP, indextype=indextype, **more)
    return e


WINDOWS = [
    # stop of a row equals the window start: included; a row starting at the window stop: excluded
    ("2020-06-15T13:00:00Z", "2020-06-15T14:00:00Z"),
    ("2020-06-15T12:30:00Z", "2020-06-15T14:00:00.000001Z"),
    # the late-December 2019 file runs into a January 2020 window
    ("2020-01-01T00:00:00Z", "2020-01-01T00:20:00Z"),
    ("2020-01-01T00:30:00Z", "2020-02-01T00:00:00Z"),
    ("2020-01-01T00:30:00.001Z", "2020-02-01T00:00:00Z"),
    ("2019-12-31T23:00:00Z", "2019-12-31T23:10:00Z"),
    # window inside one year, far from its edges
    ("2020-06-01T00:00:00Z", "2020-07-01T00:00:00Z"),
    # window across a new year; the last 2020 file runs into 2021
    ("2020-12-31T23:59:30Z", "2021-01-01T00:05:00Z"),
    ("2021-01-01T00:05:00Z", "2021-02-01T00:00:00Z"),
    ("2021-01-01T00:10:00Z", "2021-01-01T00:10:00.5Z"),
    # exclusive stop at 1 January 00:00
    ("2019-03-01T00:00:00Z", "2021-01-01T00:00:00Z"),
    ("2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
    # the padding in the middle of 2019
    ("2019-07-01T10:00:30Z", "2019-07-01T12:00:00Z"),
    # an explicit stop equal to the dataset stop excludes the file starting there
    ("2021-02-01T00:00:00Z", "2021-06-01T00:00:00Z"),
    # windows wider than the dataset, and outside it
    ("1990-01-01T00:00:00Z", "2050-01-01T00:00:00Z"),
    ("2018-01-01T00:00:00Z", "2018-12-31T00:00:00Z"),
    ("2022-01-01T00:00:00Z", "2023-01-01T00:00:00Z"),
    # an empty window
    ("2020-06-15T13:30:00Z", "2020-06-15T13:30:00Z"),
]


def check_windows(fr, eid, rows, windows, **kw) -> None:
    """Every window gives its expected rows; all failing windows are reported together."""
    failures = []
    for window in windows:
        try:
            df = fr.request_file_registry(eid, start_date=window[0], stop_date=window[1])
            assert_frame(df, rows, expected_rows(rows, *window, **kw), **kw)
        except AssertionError as exc:
            failures.append(f"window {window[0]} .. {window[1]}: {str(exc).splitlines()[0]}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("indextype", ["csv", "csv-zip", "parquet"])
def test_windows(site, indextype):
    site.catalog([publish_main(site, indextype)])
    check_windows(site.open(), "ds", ALL_ROWS, WINDOWS)


def test_none_start_and_none_stop(s3_site):
    s3_site.catalog([publish_main(s3_site)])
    fr = s3_site.open()
    # both None: the whole dataset, the last file (starting exactly at the dataset stop) included
    everything = expected_rows(ALL_ROWS, DS_START, DS_STOP) + with_start_at(ALL_ROWS, DS_STOP)
    assert everything == [r[2] for r in ALL_ROWS]
    assert_frame(fr.request_file_registry("ds"), ALL_ROWS, everything)
    assert_frame(fr.request_file_registry("ds", None, None), ALL_ROWS, everything)
    # None start = dataset start
    keys = expected_rows(ALL_ROWS, DS_START, "2019-07-01T00:05:00Z")
    assert_frame(fr.request_file_registry("ds", None, "2019-07-01T00:05:00Z"), ALL_ROWS, keys)
    assert_frame(fr.request_file_registry("ds", stop_date="2019-07-01T00:05:00Z"), ALL_ROWS, keys)
    # None stop = dataset stop, inclusive
    keys = expected_rows(ALL_ROWS, "2021-02-01T00:00:00Z", DS_STOP) + with_start_at(ALL_ROWS, DS_STOP)
    assert keys == [_k("c2021_march"), _k("c2021_at_dataset_stop")]
    assert_frame(fr.request_file_registry("ds", "2021-02-01T00:00:00Z"), ALL_ROWS, keys)
    assert_frame(fr.request_file_registry("ds", "2021-02-01T00:00:00Z", None), ALL_ROWS, keys)
    assert_frame(fr.request_file_registry("ds", "2021-02-01T00:00:00Z", end_date=None), ALL_ROWS, keys)
    # the seed's idiom: the entry's own start and stop, as strings
    e = fr.get_entry("ds")
    df = fr.request_file_registry("ds", start_date=e["start"], stop_date=e["stop"])
    assert_frame(df, ALL_ROWS, expected_rows(ALL_ROWS, DS_START, DS_STOP))


def test_end_date_is_stop_date(s3_site):
    s3_site.catalog([publish_main(s3_site)])
    fr = s3_site.open()
    a, b = "2020-06-15T13:00:00Z", "2020-06-15T14:00:00Z"
    keys = expected_rows(ALL_ROWS, a, b)
    assert keys == [_k("b2020_12h"), _k("b2020_13h")]
    assert_frame(fr.request_file_registry("ds", start_date=a, end_date=b), ALL_ROWS, keys)
    assert_frame(fr.request_file_registry("ds", start_date=a, stop_date=b), ALL_ROWS, keys)
    assert_frame(fr.request_file_registry("ds", a, b), ALL_ROWS, keys)
    assert_frame(fr.request_file_registry("ds", a, end_date=b, overwrite=False), ALL_ROWS, keys)
    assert_frame(fr.request_cloud_catalog("ds", a, b), ALL_ROWS, keys)


def test_window_as_datetimes(http_site):
    http_site.catalog([publish_main(http_site)])
    fr = http_site.open()
    a, b = "2020-01-01T00:30:00Z", "2020-06-15T13:00:00Z"
    for convert in [str, t, pd.Timestamp, lambda s: t(s).replace(tzinfo=None),
                    lambda s: t(s).astimezone(dt.timezone(dt.timedelta(hours=-7)))]:
        df = fr.request_file_registry("ds", convert(a), convert(b))
        assert_frame(df, ALL_ROWS, expected_rows(ALL_ROWS, a, b))


def test_bad_windows_raise(s3_site):
    s3_site.catalog([publish_main(s3_site)])
    fr = s3_site.open()
    with pytest.raises(scregistry.TimeRangeError) as info:
        fr.request_file_registry("ds", "2020-02-01T00:00:00Z", "2020-01-01T00:00:00Z")
    assert isinstance(info.value, ValueError)
    with pytest.raises(scregistry.TimeFormatError) as info:
        fr.request_file_registry("ds", "the first of May", "2020-01-01T00:00:00Z")
    assert "the first of May" in str(info.value)


# --- which files are read ---------------------------------------------------------------

def test_window_inside_one_year_reads_that_year_and_the_tail_of_the_previous(http_site, http_server):
    http_site.catalog([publish_main(http_site)])
    fr = http_site.open()
    clear_log(http_server)
    window = ("2020-06-01T00:00:00Z", "2020-07-01T00:00:00Z")
    df = fr.request_file_registry("ds", *window)
    assert_frame(df, ALL_ROWS, expected_rows(ALL_ROWS, *window))
    gets = index_gets(http_server)
    whole = sorted(p for p, rng in gets if rng is None)
    assert whole == ["/idx/ds_2020.csv"]
    others = sorted({p for p, rng in gets if rng is not None})
    assert others in ([], ["/idx/ds_2019.csv"])  # at most the tail of the previous year


def test_previous_year_read_as_a_tail_with_a_range_request(http_site, http_server):
    http_site.catalog([publish_main(http_site)])
    fr = http_site.open()
    clear_log(http_server)
    window = ("2020-01-01T00:10:00Z", "2020-03-01T00:00:00Z")
    df = fr.request_file_registry("ds", *window)
    keys = expected_rows(ALL_ROWS, *window)
    assert _k("a2019_dec_runs_into_2020") in keys
    assert _k("a2019_dec_ends_2019") not in keys
    assert_frame(df, ALL_ROWS, keys)
    gets = index_gets(http_server)
    prev = [rng for p, rng in gets if p == "/idx/ds_2019.csv"]
    assert prev, f"the 2019 index was not read at all: {gets}"
    assert all(rng is not None for rng in prev), f"the 2019 index was read whole: {gets}"
    size_2019 = len(http_server.state.files["/idx/ds_2019.csv"])
    for rng in prev:
        assert rng.startswith("bytes=-"), rng
        n = int(rng[len("bytes=-"):])
        assert 0 < n < size_2019
    assert sorted(p for p, rng in gets if rng is None) == ["/idx/ds_2020.csv"]
    assert not any(p.endswith(("ds_2018.csv", "ds_2021.csv")) for p, _ in gets)


def test_years_planned_from_the_dataset_span(http_site, http_server):
    http_site.catalog([publish_main(http_site)])
    fr = http_site.open()
    clear_log(http_server)
    df = fr.request_file_registry("ds", "1990-01-01T00:00:00Z", "2050-01-01T00:00:00Z")
    assert_frame(df, ALL_ROWS, [r[2] for r in ALL_ROWS])
    paths = {p for p, _ in index_gets(http_server)}
    assert paths == {"/idx/ds_2019.csv", "/idx/ds_2020.csv", "/idx/ds_2021.csv"}
    assert all(rng is None for _, rng in index_gets(http_server))
    # a window entirely outside the dataset reads nothing
    clear_log(http_server)
    df = fr.request_file_registry("ds", "2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z")
    assert_frame(df, ALL_ROWS, [])
    assert index_gets(http_server) == []


def test_window_inside_the_first_year_reads_only_that_file(s3_site):
    """Files of other years hold garbage: the request succeeds only if it does not read them."""
    e = entry("solo", s3_site.root + "idx/", "2020-02-01T00:00:00Z", "2022-06-01T00:00:00Z")
    rows = [("2020-02-01T00:00:00Z", "2020-02-01T01:00:00Z", _k("solo_a"), 1),
            ("2020-05-01T00:00:00Z", "2020-05-01T01:00:00Z", _k("solo_b"), 2),
            ("2020-12-31T23:00:00Z", "2021-01-01T00:10:00Z", _k("solo_c"), 3)]
    s3_site.store("idx/solo_2020.csv", csv_index(rows))
    for year in (2018, 2019, 2021, 2022):
        s3_site.store(f"idx/solo_{year}.csv", b"this is, not an index\nat all,,,\n")
    s3_site.catalog([e])
    fr = s3_site.open()
    for window in [("2020-02-01T00:00:00Z", "2020-12-01T00:00:00Z"), ("2020-04-01T00:00:00Z", "2021-01-01T00:00:00Z"),
                   ("2019-01-01T00:00:00Z", "2020-06-01T00:00:00Z")]:
        assert_frame(fr.request_file_registry("solo", *window), rows, expected_rows(rows, *window))
    # and the garbage is really there: a window in 2021 must fail on it
    with pytest.raises(scregistry.FormatError) as info:
        fr.request_file_registry("solo", "2021-03-01T00:00:00Z", "2021-04-01T00:00:00Z")
    assert "solo_2021.csv" in str(info.value)


@pytest.mark.parametrize("shift", [-1, 0], ids=["tail-starts-1-byte-before-the-line", "tail-starts-at-the-line"])
def test_tail_keeps_a_whole_line_at_its_first_byte(http_site, http_server, shift):
    """The row running into the window sits exactly where the tail read from the previous year begins."""
    http_site.catalog([publish_main(http_site)])
    fr = http_site.open()
    clear_log(http_server)
    fr.request_file_registry("ds", "2020-01-01T00:10:00Z", "2020-03-01T00:00:00Z")
    rng = [r for p, r in index_gets(http_server) if p == "/idx/ds_2019.csv"][0]
    # the library reads its tail plus the byte before it, to tell whether a line starts there
    n = int(rng[len("bytes=-"):]) - 1

    long_row = ("2019-12-20T00:00:00Z", "2020-01-05T00:00:00Z", _k("edge_long"), 7)
    first = ("2019-01-01T00:00:00Z", "2019-01-01T00:01:00Z", _k("edge_first"), 1)
    header = csv_index([first])
    after, i = [], 0
    target = n + shift  # bytes from the start of long_row's line to the end of the file
    size = len(csv_index([long_row], header=None))
    while target - size > 200:
        row = (f"2019-12-{21 + i // 1000:02d}T00:00:{i % 60:02d}Z", "2019-12-31T00:00:00Z", _k(f"edge_{i:05d}"), i)
        after.append(row)
        size += len(csv_index([row], header=None))
        i += 1
    pad = target - size - len(csv_index([("2019-12-31T12:00:00Z", "2019-12-31T13:00:00Z", "", 9)], header=None))
    last = ("2019-12-31T12:00:00Z", "2019-12-31T13:00:00Z", "s3://x/" + "p" * (pad - len("s3://x/")), 9)
    after.append(last)
    rows_2019 = [first, long_row] + after
    data = header + csv_index([long_row] + after, header=None)
    assert len(data) - len(header) == target
    e = entry("edge", http_site.root + "idx/", "2019-01-01T00:00:00Z", "2020-12-31T00:00:00Z")
    rows_2020 = [("2020-01-02T00:00:00Z", "2020-01-02T01:00:00Z", _k("edge_2020"), 2)]
    http_site.store("idx/edge_2019.csv", data)
    http_site.store("idx/edge_2020.csv", csv_index(rows_2020))
    http_site.catalog([publish_main(http_site), e])
    fr = http_site.open()
    rows = rows_2019 + rows_2020
    window = ("2020-01-02T00:00:00Z", "2020-01-03T00:00:00Z")
    keys = expected_rows(rows, *window)
    assert keys == [_k("edge_long"), _k("edge_2020")]
    assert_frame(fr.request_file_registry("edge", *window), rows, keys)


def test_tail_of_previous_year_on_s3(s3_site):
    s3_site.catalog([publish_main(s3_site)])
    fr = s3_site.open()
    for window in [("2020-01-01T00:10:00Z", "2020-03-01T00:00:00Z"), ("2021-01-01T00:05:00Z", "2021-02-01T00:00:00Z")]:
        keys = expected_rows(ALL_ROWS, *window)
        assert keys[0] in (_k("a2019_dec_runs_into_2020"), _k("b2020_dec_runs_into_2021"))
        assert_frame(fr.request_file_registry("ds", *window), ALL_ROWS, keys)


# --- multiyear -------------------------------------------------------------------------------

MULTI = {
    2017: [("2017-03-01T00:00:00Z", "2020-02-01T00:00:00Z", _k("m2017_to_2020feb"), 1),
           ("2017-05-01T00:00:00Z", "2017-06-01T00:00:00Z", _k("m2017_short"), 2)],
    2018: [("2018-06-01T00:00:00Z", "2020-01-15T00:00:00Z", _k("m2018_to_2020jan"), 3),
           ("2018-07-01T00:00:00Z", "2018-08-01T00:00:00Z", _k("m2018_short"), 4),
           ("2018-12-01T00:00:00Z", "2019-02-01T00:00:00Z", _k("m2018_into_2019"), 5)],
    2019: [("2019-02-01T00:00:00Z", "2019-03-01T00:00:00Z", _k("m2019"), 6)],
    2020: [("2020-01-10T00:00:00Z", "2020-01-11T00:00:00Z", _k("m2020_jan"), 7),
           ("2020-03-01T00:00:00Z", "2020-04-01T00:00:00Z", _k("m2020_mar"), 8)],
}
MULTI_ROWS = [r for y in sorted(MULTI) for r in MULTI[y]]


@pytest.mark.parametrize("multiyear", [True])
def test_multiyear_reads_all_earlier_years(site, multiyear):
    for year, rows in MULTI.items():
        site.store(f"idx/multi_{year}.csv", csv_index(rows))
    site.catalog([entry("multi", site.root + "idx/", "2017-01-01T00:00:00Z", "2020-12-31T00:00:00Z",
                        multiyear=multiyear)])
    fr = site.open()
    for window in [("2020-01-12T00:00:00Z", "2020-02-15T00:00:00Z"), ("2020-01-16T00:00:00Z", "2020-12-01T00:00:00Z"),
                   ("2019-01-15T00:00:00Z", "2019-02-15T00:00:00Z"), ("2020-01-15T00:00:00Z", "2020-01-15T00:00:01Z"),
                   ("2020-02-01T00:00:00.000001Z", "2020-02-02T00:00:00Z")]:
        keys = expected_rows(MULTI_ROWS, *window)
        assert_frame(fr.request_file_registry("multi", *window), MULTI_ROWS, keys)
    assert expected_rows(MULTI_ROWS, "2020-01-12T00:00:00Z", "2020-02-15T00:00:00Z") == [
        _k("m2017_to_2020feb"), _k("m2018_to_2020jan")]


def test_multiyear_reads_earlier_years_not_later(http_site, http_server):
    for year, rows in MULTI.items():
        http_site.store(f"idx/multi_{year}.csv", csv_index(rows))
    http_site.catalog([entry("multi", http_site.root + "idx/", "2017-01-01T00:00:00Z", "2020-12-31T00:00:00Z",
                             multiyear=True)])
    fr = http_site.open()
    clear_log(http_server)
    window = ("2019-01-15T00:00:00Z", "2019-02-15T00:00:00Z")
    assert_frame(fr.request_file_registry("multi", *window), MULTI_ROWS, expected_rows(MULTI_ROWS, *window))
    paths = {p for p, _ in index_gets(http_server)}
    assert {"/idx/multi_2017.csv", "/idx/multi_2018.csv", "/idx/multi_2019.csv"} <= paths
    assert "/idx/multi_2020.csv" not in paths


# --- gaps, other locations -------------------------------------------------------------------

def test_missing_year_is_a_gap(site):
    site.catalog([publish_main(site, skip_years=(2020,))])
    fr = site.open()
    rows = ROWS_2019 + ROWS_2021
    for window in [("2019-06-01T00:00:00Z", "2021-06-01T00:00:00Z"), ("2019-12-31T23:00:00Z", "2021-01-01T00:30:00Z"),
                   ("2021-01-01T00:00:00Z", "2021-02-01T00:00:00Z")]:
        assert_frame(fr.request_file_registry("ds", *window), rows, expected_rows(rows, *window))
    # a window inside the missing year: the tail of 2019 only, and no error
    window = ("2020-01-01T00:00:00Z", "2020-12-01T00:00:00Z")
    assert_frame(fr.request_file_registry("ds", *window), rows, expected_rows(rows, *window))
    window = ("2020-03-01T00:00:00Z", "2020-12-01T00:00:00Z")
    df = fr.request_file_registry("ds", *window)
    assert expected_rows(rows, *window) == []
    assert_frame(df, rows, [])


def test_no_year_file_at_all_gives_an_empty_frame(site):
    site.catalog([entry("nothing", site.root + "idx/", "2019-01-01T00:00:00Z", "2021-01-01T00:00:00Z")])
    df = site.open().request_file_registry("nothing")
    assert_frame(df, [], [])


def test_index_in_another_bucket(s3_site, s3_admin, put):
    other = "idx-" + uuid.uuid4().hex[:12]
    s3_admin.create_bucket(Bucket=other)
    make_public(s3_admin, other)
    index_site = Site("s3", put=put, bucket=other, s3_endpoint=s3_site.s3_endpoint)
    s3_site.catalog([publish_main(s3_site, index_site=index_site)])
    fr = s3_site.open()
    assert fr.get_entry("ds")["index"].startswith(f"s3://{other}/")
    for window in [("2020-01-01T00:10:00Z", "2020-06-15T13:00:00Z"), ("1990-01-01T00:00:00Z", "2050-01-01T00:00:00Z")]:
        assert_frame(fr.request_file_registry("ds", *window), ALL_ROWS, expected_rows(ALL_ROWS, *window))


def test_index_on_http_while_catalog_on_s3(s3_site, http_site, http_server):
    s3_site.catalog([publish_main(s3_site, index_site=http_site)])
    fr = s3_site.open()
    clear_log(http_server)
    window = ("2020-01-01T00:10:00Z", "2020-06-15T13:00:00Z")
    assert_frame(fr.request_file_registry("ds", *window), ALL_ROWS, expected_rows(ALL_ROWS, *window))
    paths = {p for p, _ in index_gets(http_server)}
    assert "/idx/ds_2020.csv" in paths
    # no credentials or S3 signatures are sent to the HTTP server
    for r in http_server.state.log():
        assert "authorization" not in {k.lower() for k in r["headers"]}


# --- times of mixed precision -----------------------------------------------------------------

MIXED = {
    2019: [  # (written start, written stop, full start, full stop, key)
        ("2019-05-01", "2019-05-02", "2019-05-01T00:00:00Z", "2019-05-02T00:00:00Z", _k("x_date")),
        ("2019-335", "2019-12-31T23Z", "2019-12-01T00:00:00Z", "2019-12-31T23:00:00Z", _k("x_ordinal")),
        ("2019-12-31T23:30Z", "2020-01-01T00:00:30.5Z", "2019-12-31T23:30:00Z", "2020-01-01T00:00:30.500Z",
         _k("x_dec")),
    ],
    2020: [
        ("2020-01-01T00:00:00.000Z", "2020-01-01T01Z", "2020-01-01T00:00:00Z", "2020-01-01T01:00:00Z", _k("y_ms")),
        ("2020-02-01T05Z", "2020-02-01T05:30Z", "2020-02-01T05:00:00Z", "2020-02-01T05:30:00Z", _k("y_hour")),
        ("2020-03-01", "2020-03-01T00:00:00.123456789Z", "2020-03-01T00:00:00Z", "2020-03-01T00:00:00.123456Z",
         _k("y_date")),
        ("2020-03-01T00:00:01.5Z", "2020-03-01 00:00:02", "2020-03-01T00:00:01.500Z", "2020-03-01T00:00:02Z",
         _k("y_space")),
        ("2020-04-01T00:00.00Z", "2020-04-01:01:00:00Z", "2020-04-01T00:00:00Z", "2020-04-01T01:00:00Z", _k("y_wild")),
    ],
    2021: [
        ("2021-01-01T00:00:00.000001Z", "2021-01-01T00:00:00.000002Z", "2021-01-01T00:00:00.000001Z",
         "2021-01-01T00:00:00.000002Z", _k("z_us")),
        ("2021", "2021-01-01T00:00:00.000001", "2021-01-01T00:00:00Z", "2021-01-01T00:00:00.000001Z", _k("z_year")),
    ],
}
MIXED_FULL = [(m[2], m[3], m[4], 10 + i) for i, m in enumerate(m for y in sorted(MIXED) for m in MIXED[y])]


def test_mixed_precision_within_and_across_years(site):
    i = 0
    for year, items in MIXED.items():
        rows = []
        for m in items:
            rows.append((m[0], m[1], m[4], 10 + i))
            i += 1
        # 2021 lists its rows out of order: the result is still sorted
        site.store(f"idx/mix_{year}.csv", csv_index(rows, header=None if year == 2020 else "# start, stop, datakey, filesize"))
    site.catalog([entry("mix", site.root + "idx/", "2019-05-01", "2021-01-01T01Z")])
    fr = site.open()
    windows = [
        ("2020-03-01T00:00:00Z", "2020-03-01T00:00:00.000001Z"),
        ("2020-02-29T00:00:00Z", "2020-03-01T00:00:00Z"),
        ("2020-03-01T00:00:00.123456Z", "2020-03-01T00:00:01.500Z"),
        ("2020-03-01T00:00:00.123457Z", "2020-03-01T00:00:01.500001Z"),
        ("2020-01-01T00:00:30.500Z", "2020-01-01T00:00:30.600Z"),
        ("2020-01-01T00:00:30.501Z", "2020-02-01T05:00:00Z"),
        ("2020-02-01T05:30:00Z", "2020-02-01T06:00:00Z"),
        ("2019-12-01T00:00:00Z", "2020-12-01T00:00:00Z"),
        ("2020-04-01T01:00:00Z", "2021-01-01T00:00:00.000001Z"),
        ("2021-01-01T00:00:00.000001Z", "2021-01-01T00:00:00.000002Z"),
        ("2000-01-01T00:00:00Z", "2030-01-01T00:00:00Z"),
    ]
    for window in windows:
        keys = expected_rows(MIXED_FULL, *window)
        assert_frame(fr.request_file_registry("mix", *window), MIXED_FULL, keys)


def test_window_arguments_of_mixed_precision(http_site):
    http_site.catalog([publish_main(http_site)])
    fr = http_site.open()
    for given_window, full in [
        (("2020-06-15T13Z", "2020-06-15T14:00Z"), ("2020-06-15T13:00:00Z", "2020-06-15T14:00:00Z")),
        (("2020-01-01", "2020-032"), ("2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z")),
        (("2019-12-31 23:30", "2020-01-01T00:00:00.000"), ("2019-12-31T23:30:00Z", "2020-01-01T00:00:00Z")),
        (("2020-06-15T15:00:00+02:00", "2020-06-15T13:00:00.000001"), ("2020-06-15T13:00:00Z",
                                                                       "2020-06-15T13:00:00.000001Z")),
    ]:
        assert_frame(fr.request_file_registry("ds", *given_window), ALL_ROWS, expected_rows(ALL_ROWS, *full))


# --- order, index and types ----------------------------------------------------------------------

def test_result_sorted_with_fresh_range_index(site):
    rng = random.Random(7)
    by_year = {}
    for year in (2019, 2020, 2021):
        rows = [(f"{year}-{m:02d}-{d:02d}T{h:02d}:00:00Z", f"{year}-{m:02d}-{d:02d}T{h:02d}:30:00Z",
                 _k(f"s{year}_{m}_{d}_{h}"), m * 100 + d) for m in (1, 6, 12) for d in (3, 17) for h in (4, 9)]
        if year < 2021:
            rows.append((f"{year}-12-31T23:00:00Z", f"{year + 1}-01-01T02:00:00Z", _k(f"s{year}_late"), 1))
        by_year[year] = rows
        shuffled = rows[:]
        rng.shuffle(shuffled)  # rows out of order within each file
        site.store(f"idx/shuf_{year}.csv", csv_index(shuffled))
    rows = [r for y in sorted(by_year) for r in by_year[y]]
    site.catalog([entry("shuf", site.root + "idx/", "2019-01-01T00:00:00Z", "2021-12-31T00:00:00Z")])
    fr = site.open()
    for window in [("2020-01-01T01:00:00Z", "2021-01-01T01:00:00Z"), ("2019-01-01T00:00:00Z", "2022-01-01T00:00:00Z"),
                   ("2021-01-01T00:00:00Z", "2021-07-01T00:00:00Z")]:
        keys = expected_rows(rows, *window)
        df = fr.request_file_registry("shuf", *window)
        assert_frame(df, rows, keys)


def test_dtypes_of_empty_and_full_results(site):
    site.catalog([publish_main(site)])
    fr = site.open()
    for window in [("2020-06-15T13:00:00Z", "2020-06-15T14:00:00Z"), ("2020-03-01T00:00:00Z", "2020-03-02T00:00:00Z")]:
        df = fr.request_file_registry("ds", *window)
        assert str(df["start"].dtype) == "datetime64[us, UTC]"
        assert str(df["stop"].dtype) == "datetime64[us, UTC]"
        assert df["filesize"].dtype == np.int64
        assert is_arrow_string(df["datakey"].dtype)
        assert isinstance(df.index, pd.RangeIndex) and list(df.index) == list(range(len(df)))


def test_extra_columns_survive_the_query(site):
    header = "# start, stop, datakey, filesize, checksum, checksum_algorithm, wavelength"
    rows19 = [("2019-12-31T23:00:00Z", "2020-01-01T01:00:00Z", _k("e19"), 1, "0012345", "md5", 94)]
    rows20 = [("2020-01-01T00:00:00Z", "2020-01-01T01:00:00Z", _k("e20a"), 2, "9999999", "sha256", 131),
              ("2020-02-01T00:00:00Z", "2020-02-01T01:00:00Z", _k("e20b"), 3, "abcdef0", "sha256", 171)]
    site.store("idx/ext_2019.csv", csv_index(rows19, header=header))
    site.store("idx/ext_2020.csv", csv_index(rows20, header=header))
    site.catalog([entry("ext", site.root + "idx/", "2019-06-01T00:00:00Z", "2020-12-31T00:00:00Z")])
    fr = site.open()
    rows = rows19 + rows20
    window = ("2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z")
    keys = expected_rows(rows, *window)
    df = fr.request_file_registry("ext", *window)
    assert_frame(df, rows, keys)
    assert list(df.columns) == ["start", "stop", "datakey", "filesize", "checksum", "checksum_algorithm", "wavelength"]
    by_key = {r[2]: r for r in rows}
    assert df["checksum"].tolist() == [by_key[k][4] for k in keys]
    assert df["wavelength"].tolist() == [by_key[k][6] for k in keys]


# --- spec 0.3 ---------------------------------------------------------------------------------

OLD = {
    2019: [("2019-03-01T00:00:00Z", None, _k("o2019_mar"), 1),
           ("2019-12-31T23:59:00Z", None, _k("o2019_dec"), 2)],
    2020: [("2020-01-01T00:00:00Z", None, _k("o2020_newyear"), 3),
           ("2020-05-01T00:00:00Z", None, _k("o2020_may"), 4),
           ("2020-05-01T12:00:00Z", None, _k("o2020_may_noon"), 5),
           ("2020-05-02T00:00:00Z", None, _k("o2020_may2"), 6)],
    2021: [("2021-01-01T00:00:00Z", None, _k("o2021"), 7)],
}
OLD_ROWS = [r for y in sorted(OLD) for r in OLD[y]]


@pytest.mark.parametrize("indextype", ["csv", "csv-zip"])
def test_spec03_dataset(site, indextype):
    headers = {2019: "# start, key, filesize", 2020: None, 2021: "start,datakey,filesize"}
    for year, rows in OLD.items():
        data = csv_index(rows, header=headers[year], old=True)
        if indextype == "csv-zip":
            data = zip_index(data, f"old_{year}.csv")
        site.store(f"idx/old_{year}.{EXT[indextype]}", data)
    site.catalog([entry("old", site.root + "idx/", "2019-01-01T00:00:00Z", "2021-01-01T00:00:00Z",
                        indextype=indextype)])
    fr = site.open()
    for window in [("2020-05-01T06:00:00Z", "2020-05-02T00:00:00Z"), ("2020-05-01T00:00:00Z", "2020-05-01T12:00:00Z"),
                   ("2019-12-31T23:59:30Z", "2020-01-01T00:00:00.001Z"), ("2019-01-01T00:00:00Z", "2021-01-01T00:00:00Z"),
                   ("2020-06-01T00:00:00Z", "2020-07-01T00:00:00Z")]:
        keys = expected_rows(OLD_ROWS, *window, has_stop=False)
        assert_frame(fr.request_file_registry("old", *window), OLD_ROWS, keys, has_stop=False)
    assert expected_rows(OLD_ROWS, "2020-05-01T06:00:00Z", "2020-05-02T00:00:00Z", has_stop=False) == [
        _k("o2020_may_noon")]
    df = fr.request_file_registry("old")
    assert_frame(df, OLD_ROWS, [r[2] for r in OLD_ROWS], has_stop=False)
    assert df["stop"].isna().all()


# --- static datasets, open-ended datasets -----------------------------------------------------------

def test_static_dataset(site):
    rows = [("2015-01-01T00:00:00Z", "2015-01-01T00:00:00Z", _k("static_a"), 1),
            ("2015-01-01T00:00:00Z", "2015-01-01T00:00:00Z", _k("static_b"), 2)]
    site.store("idx/stat_static.csv", csv_index(rows))
    site.catalog([entry("stat", site.root + "idx/", "static", "static")])
    fr = site.open()
    assert_frame(fr.request_file_registry("stat"), rows, [r[2] for r in rows])


def test_static_dataset_named_after_its_creation_year(s3_site):
    rows = [("2022-03-04T00:00:00Z", "2022-03-04T00:00:00Z", _k("static_c"), 3)]
    s3_site.store("idx/stat2_2022.csv", csv_index(rows))
    s3_site.catalog([entry("stat2", s3_site.root + "idx/", "static", "static", creation="2022-03-04T00:00:00Z")])
    assert_frame(s3_site.open().request_file_registry("stat2"), rows, [r[2] for r in rows])


def test_dataset_stop_at_new_year(http_site):
    """A dataset whose stop is 1 January 00:00, with a file starting exactly then: included when the
    stop is left to default, excluded by an explicit (exclusive) stop at that instant."""
    rows_2020 = [("2020-05-01T00:00:00Z", "2020-05-01T01:00:00Z", _k("ny_may"), 1),
                 ("2020-12-31T23:00:00Z", "2021-01-01T00:00:00Z", _k("ny_dec"), 2)]
    rows_2021 = [("2021-01-01T00:00:00Z", "2021-01-01T01:00:00Z", _k("ny_at_stop"), 3)]
    http_site.store("idx/ny_2020.csv", csv_index(rows_2020))
    http_site.store("idx/ny_2021.csv", csv_index(rows_2021))
    stop = "2021-01-01T00:00:00Z"
    http_site.catalog([entry("ny", http_site.root + "idx/", "2020-01-01T00:00:00Z", stop)])
    fr = http_site.open()
    rows = rows_2020 + rows_2021
    keys = expected_rows(rows, "2020-06-01T00:00:00Z", stop) + with_start_at(rows, stop)
    assert keys == [_k("ny_dec"), _k("ny_at_stop")]
    assert_frame(fr.request_file_registry("ny", "2020-06-01T00:00:00Z"), rows, keys)
    assert_frame(fr.request_file_registry("ny"), rows, [r[2] for r in rows])
    assert_frame(fr.request_file_registry("ny", "2020-06-01T00:00:00Z", stop), rows,
                 expected_rows(rows, "2020-06-01T00:00:00Z", stop))
    assert_frame(fr.request_file_registry("ny", stop), rows, expected_rows(rows, stop, stop) + [_k("ny_at_stop")])


def test_dataset_without_a_stop_runs_to_now(s3_site):
    rows = ROWS_2020 + ROWS_2021
    s3_site.store("idx/open_2020.csv", csv_index(ROWS_2020))
    s3_site.store("idx/open_2021.csv", csv_index(ROWS_2021))
    e = entry("open", s3_site.root + "idx/", "2020-01-01T00:00:00Z", "unused")
    del e["stop"]
    s3_site.catalog([e])
    fr = s3_site.open()
    assert_frame(fr.request_file_registry("open"), rows, [r[2] for r in rows])
    assert_frame(fr.request_file_registry("open", "2021-02-01T00:00:00Z"), rows,
                 expected_rows(rows, "2021-02-01T00:00:00Z", "2100-01-01T00:00:00Z"))


# --- property test: random windows over random rows ------------------------------------------------

@st.composite
def datasets(draw):
    base = dt.datetime(2018, 1, 1, tzinfo=UTC)
    span = 3 * 365 * 86400
    n = draw(st.integers(1, 30))
    starts = sorted(draw(st.lists(st.integers(0, span), min_size=n, max_size=n, unique=True)))
    rows = []
    for i, s in enumerate(starts):
        d0 = base + dt.timedelta(seconds=s)
        d1 = d0 + dt.timedelta(seconds=draw(st.integers(0, 20 * 86400)))
        rows.append((d0.strftime("%Y-%m-%dT%H:%M:%SZ"), d1.strftime("%Y-%m-%dT%H:%M:%SZ"), _k(f"r{i:03d}"), i))
    a = draw(st.integers(-60 * 86400, span + 60 * 86400))
    b = draw(st.integers(a, span + 90 * 86400))
    window = tuple((base + dt.timedelta(seconds=x)).strftime("%Y-%m-%dT%H:%M:%SZ") for x in (a, b))
    indextype = draw(st.sampled_from(["csv", "csv-zip", "parquet"]))
    return rows, window, indextype


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=datasets())
def test_property_random_windows(http_server, case):
    rows, window, indextype = case
    site = Site("http", http=http_server)
    eid = "p" + uuid.uuid4().hex[:10]
    by_year = {}
    for r in rows:
        by_year.setdefault(t(r[0]).year, []).append(r)
    for year, yrows in by_year.items():
        site.store(f"idx/{eid}_{year}.{EXT[indextype]}", year_file(yrows, year, indextype, eid))
    # the dataset covers every row entirely
    stop = max(t(r[1]) for r in rows).strftime("%Y-%m-%dT%H:%M:%SZ")
    site.catalog([entry(eid, site.root + "idx/", rows[0][0], stop, indextype=indextype)])
    fr = site.open()
    keys = expected_rows(rows, *window)
    assert_frame(fr.request_file_registry(eid, *window), rows, keys)
