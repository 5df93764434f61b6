"""Yearly index files: every variant of SPEC.md read by ``scregistry.index.read_index``.

Each file is built with tests/builders.py from a row list and the parsed table is compared with
that row list; expected times come from the standard library (``builders.t``) or are written out.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scregistry
from builders import csv_index, parquet_index, t, zip_index
from scregistry.index import read_index

UTC = dt.timezone.utc
URL = "s3://some-bucket/index/ds_2020.csv"
CORE = ["start", "stop", "datakey", "filesize"]
TS = pa.timestamp("us", tz="UTC")

ROWS = [
    ("2020-01-01T00:00:00Z", "2020-01-01T00:59:59Z", "s3://some-bucket/data/2020/a_20200101.cdf", 246000),
    ("2020-01-01T01:00:00.250Z", "2020-01-01T02:00:00.500Z", "s3://some-bucket/data/2020/a_20200101_01.cdf", 0),
    ("2020-03-15T12:30:45.123Z", "2020-03-15T12:31:00Z", "https://example.org/data/a%20b.fits", 5_000_000_000),
    ("2020-12-31T23:00:00Z", "2021-01-01T01:00:00Z", "s3://some-bucket/data/2020/a_20201231.cdf", 17),
]

HEADERS_NEW = [
    "# start, stop, datakey, filesize",
    "#start,stop,datakey,filesize",
    "# start,stop,datakey,filesize",
    "start,stop,datakey,filesize",
    "start, stop, datakey, filesize",
    "#  start ,  stop ,  datakey ,  filesize",
    "# start, stop, key, filesize",
    None,
]
HEADERS_OLD = [
    "# start, datakey, filesize",
    "# start, key, filesize",
    "#start,key,filesize",
    "start,datakey,filesize",
    "start, key, filesize",
    None,
]


def check(table: pa.Table, rows, *, old: bool = False, starts=None, stops=None) -> None:
    """``table`` holds exactly ``rows`` (times given in full form, or as ``starts``/``stops``)."""
    assert table.column_names[:4] == CORE
    assert table.schema.field("start").type == TS
    assert table.schema.field("stop").type == TS
    assert table.schema.field("datakey").type == pa.large_string()
    assert table.schema.field("filesize").type == pa.int64()
    assert table.num_rows == len(rows)
    exp_start = starts if starts is not None else [t(r[0]) for r in rows]
    exp_stop = stops if stops is not None else ([None] * len(rows) if old else [t(r[1]) for r in rows])
    assert table["start"].to_pylist() == exp_start
    assert table["stop"].to_pylist() == exp_stop
    assert table["datakey"].to_pylist() == [r[2] for r in rows]
    assert table["filesize"].to_pylist() == [int(r[3]) for r in rows]


# --- csv: headers, quoting, separators -----------------------------------------------------

@pytest.mark.parametrize("header", HEADERS_NEW)
@pytest.mark.parametrize("quote", ["", "'"])
@pytest.mark.parametrize("sep", [",", ", "])
def test_csv_1x_columns(header, quote, sep):
    table = read_index(csv_index(ROWS, header=header, quote=quote, sep=sep), URL, "csv")
    check(table, ROWS)
    assert table.num_columns == 4


@pytest.mark.parametrize("header", HEADERS_OLD)
@pytest.mark.parametrize("quote", ["", "'"])
@pytest.mark.parametrize("sep", [",", ", "])
def test_csv_spec03_columns(header, quote, sep):
    table = read_index(csv_index(ROWS, header=header, quote=quote, sep=sep, old=True), URL, "csv")
    check(table, ROWS, old=True)
    assert table.num_columns == 4


def test_csv_quoted_header():
    data = csv_index(ROWS, header="'start','stop','datakey','filesize'", quote="'")
    check(read_index(data, URL, "csv"), ROWS)


def test_csv_example_row_from_the_spec():
    line = ("2020-02-01T08:19:23Z,2020-02-01T08:21:32Z,s3://gov-nasa-hdrl-data1/spdf/cdaweb/data/mms/mms1/feeps/"
            "brst/l2/electron/2020/02/mms1_feeps_brst_l2_electron_20200201081923_v7.1.1.cdf,3405073\n")
    table = read_index(line.encode(), URL, "csv")
    assert table.to_pylist() == [{
        "start": dt.datetime(2020, 2, 1, 8, 19, 23, tzinfo=UTC),
        "stop": dt.datetime(2020, 2, 1, 8, 21, 32, tzinfo=UTC),
        "datakey": line.split(",")[2],
        "filesize": 3405073,
    }]


def test_csv_quoted_example_from_the_spec():
    data = b"'2010-05-08T12:05:30.000Z','2010-05-08T12:05:42.000Z','s3://gov-nasa-hdrl-data1/sdo/aia/x.fits','246000'\n"
    table = read_index(data, URL, "csv")
    assert table["start"].to_pylist() == [t("2010-05-08T12:05:30.000Z")]
    assert table["stop"].to_pylist() == [t("2010-05-08T12:05:42.000Z")]
    assert table["datakey"].to_pylist() == ["s3://gov-nasa-hdrl-data1/sdo/aia/x.fits"]
    assert table["filesize"].to_pylist() == [246000]


def test_csv_double_quoted_values():
    data = csv_index(ROWS, header="start,stop,datakey,filesize", quote='"')
    check(read_index(data, URL, "csv"), ROWS)


@pytest.mark.parametrize("header", ["# start, stop, datakey, filesize", None])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("quote,sep", [("", ","), ("'", ", ")])
def test_csv_line_endings_and_bom(header, newline, bom, quote, sep):
    data = csv_index(ROWS, header=header, newline=newline, quote=quote, sep=sep)
    if bom:
        data = b"\xef\xbb\xbf" + data
    check(read_index(data, URL, "csv"), ROWS)


@pytest.mark.parametrize("header", ["# start, key, filesize", None])
def test_csv_spec03_with_crlf_and_bom(header):
    data = b"\xef\xbb\xbf" + csv_index(ROWS, header=header, old=True, newline="\r\n")
    check(read_index(data, URL, "csv"), ROWS, old=True)


def test_csv_without_trailing_newline_and_with_blank_lines():
    data = csv_index(ROWS).rstrip(b"\n")
    check(read_index(data, URL, "csv"), ROWS)
    lines = csv_index(ROWS).split(b"\n")
    spaced = b"\n".join([lines[0], b"", lines[1], lines[2], b"", lines[3], lines[4], b"", b""])
    check(read_index(spaced, URL, "csv"), ROWS)


def test_positional_columns_tell_3_from_4():
    """Without a header, a 4-column file whose second field is a time is 1.x; a 4-column file
    whose second field is a key is spec 0.3 with one extra column."""
    four = read_index(csv_index(ROWS, header=None), URL, "csv")
    check(four, ROWS)
    old_plus_extra = [(r[0], r[1], r[2], r[3], "x" + str(i)) for i, r in enumerate(ROWS)]
    table = read_index(csv_index(old_plus_extra, header=None, old=True), URL, "csv")
    check(table, old_plus_extra, old=True)
    assert table.num_columns == 5
    assert table.column(4).to_pylist() == ["x0", "x1", "x2", "x3"]
    three = read_index(csv_index(ROWS, header=None, old=True), URL, "csv")
    check(three, ROWS, old=True)


# --- times of mixed precision -------------------------------------------------------------

MIXED = [
    # (written start, written stop, full start, full stop)
    ("2020", "2020-01-01T00:30Z", "2020-01-01T00:00:00Z", "2020-01-01T00:30:00Z"),
    ("2020-01-02", "2020-01-02T01Z", "2020-01-02T00:00:00Z", "2020-01-02T01:00:00Z"),
    ("2020-003", "2020-003T12:00Z", "2020-01-03T00:00:00Z", "2020-01-03T12:00:00Z"),
    ("2020-01-04T05Z", "2020-01-04T05:06:07Z", "2020-01-04T05:00:00Z", "2020-01-04T05:06:07Z"),
    ("2020-01-05T05:06Z", "2020-01-05T05:06:07.5Z", "2020-01-05T05:06:00Z", "2020-01-05T05:06:07.500Z"),
    ("2020-01-06T05:06:07.123Z", "2020-01-06T05:06:07.123456Z", "2020-01-06T05:06:07.123Z",
     "2020-01-06T05:06:07.123456Z"),
    ("2020-01-07T05:06:07.123456789Z", "2020-01-07 06:00:00", "2020-01-07T05:06:07.123456Z",
     "2020-01-07T06:00:00Z"),
    ("2020-01-08T00:00.00Z", "2020-01-08:01:00:00Z", "2020-01-08T00:00:00Z", "2020-01-08T01:00:00Z"),
    ("2020-01-09T03:00:00+01:00", "2020-01-09T03:00:00", "2020-01-09T02:00:00Z", "2020-01-09T03:00:00Z"),
]


@pytest.mark.parametrize("header", ["# start, stop, datakey, filesize", None])
@pytest.mark.parametrize("quote,sep", [("", ","), ("'", ","), ("", ", ")])
@pytest.mark.parametrize("kind", ["csv", "csv-zip"])
def test_mixed_precision_times_in_one_file(header, quote, sep, kind):
    rows = [(w0, w1, f"s3://b/d/{i}.cdf", 100 + i) for i, (w0, w1, _, _) in enumerate(MIXED)]
    data = csv_index(rows, header=header, quote=quote, sep=sep)
    if kind == "csv-zip":
        data = zip_index(data, "ds_2020.csv")
    table = read_index(data, URL, kind)
    check(table, rows, starts=[t(m[2]) for m in MIXED], stops=[t(m[3]) for m in MIXED])


def test_mixed_precision_spec03():
    rows = [(w0, None, f"s3://b/d/{i}.cdf", i) for i, (w0, _, _, _) in enumerate(MIXED)]
    table = read_index(csv_index(rows, header=None, old=True), URL, "csv")
    check(table, rows, old=True, starts=[t(m[2]) for m in MIXED])


# --- extra columns ------------------------------------------------------------------------

EXTRA_ROWS = [
    (r[0], r[1], r[2], r[3], cs, "sha256", wl, exp, label)
    for r, cs, wl, exp, label in zip(
        ROWS,
        ["0123456789", "9876543210", "0000000001", "1111111111"],
        [94, 131, 171, 1600],
        [2.9, 2.0, 0.5, 1.25],
        ["alpha", "beta", "gamma", "delta"],
    )
]
EXTRA_NAMES = ["checksum", "checksum_algorithm", "wavelength", "exposure", "label"]


@pytest.mark.parametrize("hash_prefix", ["# ", "#", ""])
@pytest.mark.parametrize("quote", ["", "'"])
@pytest.mark.parametrize("sep", [",", ", "])
@pytest.mark.parametrize("kind", ["csv", "csv-zip"])
def test_extra_columns_kept_with_types(hash_prefix, quote, sep, kind):
    header = hash_prefix + sep.join(CORE + EXTRA_NAMES)
    data = csv_index(EXTRA_ROWS, header=header, quote=quote, sep=sep)
    if kind == "csv-zip":
        data = zip_index(data, "ds_2020.csv")
    table = read_index(data, URL, kind)
    check(table, EXTRA_ROWS)
    assert table.column_names == CORE + EXTRA_NAMES
    types = {name: table.schema.field(name).type for name in EXTRA_NAMES}
    assert types["checksum"] == pa.string()  # all digits, leading zeros: still text
    assert types["checksum_algorithm"] == pa.string()
    assert types["wavelength"] == pa.int64()
    assert types["exposure"] == pa.float64()
    assert types["label"] == pa.string()
    assert table["checksum"].to_pylist() == [r[4] for r in EXTRA_ROWS]
    assert table["checksum_algorithm"].to_pylist() == ["sha256"] * 4
    assert table["wavelength"].to_pylist() == [r[6] for r in EXTRA_ROWS]
    assert table["exposure"].to_pylist() == [r[7] for r in EXTRA_ROWS]
    assert table["label"].to_pylist() == [r[8] for r in EXTRA_ROWS]


def test_extra_columns_spec03_with_header():
    header = "# start, key, filesize, checksum, wavelength"
    rows = [(r[0], None, r[2], r[3], r[4], r[6]) for r in EXTRA_ROWS]
    table = read_index(csv_index(rows, header=header, old=True), URL, "csv")
    check(table, rows, old=True)
    assert table.column_names == CORE + ["checksum", "wavelength"]
    assert table["checksum"].type == pa.string()
    assert table["checksum"].to_pylist() == [r[4] for r in rows]
    assert table["wavelength"].type == pa.int64()
    assert table["wavelength"].to_pylist() == [r[5] for r in rows]


def test_extra_columns_without_header_are_kept_by_position():
    rows = [(r[0], r[1], r[2], r[3], r[5], r[6], r[7]) for r in EXTRA_ROWS]
    table = read_index(csv_index(rows, header=None), URL, "csv")
    check(table, rows)
    assert table.num_columns == 7
    assert table.column(4).to_pylist() == ["sha256"] * 4
    assert table.column(5).to_pylist() == [r[5] for r in rows]
    assert pa.types.is_integer(table.column(5).type)
    assert table.column(6).to_pylist() == [r[6] for r in rows]
    assert pa.types.is_floating(table.column(6).type)


def test_core_columns_come_first_whatever_the_header_order():
    """Columns are fixed by the spec, but a header naming them in another order is still read by name."""
    header = "# datakey, filesize, start, stop"
    lines = [header] + [f"{r[2]},{r[3]},{r[0]},{r[1]}" for r in ROWS]
    table = read_index(("\n".join(lines) + "\n").encode(), URL, "csv")
    check(table, ROWS)


# --- parquet ------------------------------------------------------------------------------

@pytest.mark.parametrize("unit", ["ms", "us", "ns"])
def test_parquet(unit):
    table = read_index(parquet_index(ROWS, time_unit=unit), "s3://b/idx/ds_2020.parquet", "parquet")
    check(table, ROWS)


def test_parquet_seconds():
    rows = [(r[0][:19] + "Z", r[1][:19] + "Z", r[2], r[3]) for r in ROWS]
    check(read_index(parquet_index(rows, time_unit="s"), URL, "parquet"), rows)


def test_parquet_extras_keep_types():
    data = parquet_index(EXTRA_ROWS, extras_names=EXTRA_NAMES)
    table = read_index(data, URL, "parquet")
    check(table, EXTRA_ROWS)
    assert table.column_names == CORE + EXTRA_NAMES
    assert table["checksum"].type == pa.string()
    assert table["checksum"].to_pylist() == [r[4] for r in EXTRA_ROWS]
    assert table["wavelength"].type == pa.int64()
    assert table["exposure"].type == pa.float64()
    assert table["exposure"].to_pylist() == [r[7] for r in EXTRA_ROWS]


def _parquet(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf)
    return buf.getvalue()


def test_parquet_spec03_with_key_and_string_times():
    data = _parquet(pa.table({
        "start": pa.array([m[0] for m in MIXED]),
        "key": pa.array([f"s3://b/{i}" for i in range(len(MIXED))]),
        "filesize": pa.array(list(range(len(MIXED))), pa.int32()),
    }))
    table = read_index(data, URL, "parquet")
    rows = [(m[0], None, f"s3://b/{i}", i) for i, m in enumerate(MIXED)]
    check(table, rows, old=True, starts=[t(m[2]) for m in MIXED])


def test_parquet_naive_timestamps_are_utc():
    data = _parquet(pa.table({
        "start": pa.array([t(r[0]).replace(tzinfo=None) for r in ROWS], pa.timestamp("ms")),
        "stop": pa.array([t(r[1]).replace(tzinfo=None) for r in ROWS], pa.timestamp("ms")),
        "datakey": [r[2] for r in ROWS],
        "filesize": [r[3] for r in ROWS],
    }))
    check(read_index(data, URL, "parquet"), ROWS)


@pytest.mark.parametrize("spelling", ["csv_zip", "CSV-ZIP", "csv-zip"])
def test_indextype_spellings(spelling):
    data = zip_index(csv_index(ROWS), "ds_2020.csv")
    check(read_index(data, URL, spelling), ROWS)


@pytest.mark.parametrize("spelling", [None, "", "csv", "CSV"])
def test_indextype_missing_means_csv(spelling):
    check(read_index(csv_index(ROWS), URL, spelling), ROWS)


# --- empty files ----------------------------------------------------------------------------

EMPTY_CSVS = [
    b"",
    b"\n",
    b"\r\n\r\n",
    b"\xef\xbb\xbf",
    b"# start, stop, datakey, filesize\n",
    b"# start, stop, datakey, filesize",
    b"# start, stop, datakey, filesize\r\n",
    b"\xef\xbb\xbf# start, stop, datakey, filesize\r\n",
    b"start,stop,datakey,filesize\n\n",
    b"# start, key, filesize\n",
    b"# start, stop, datakey, filesize, checksum, checksum_algorithm\n",
]


def _assert_empty(table: pa.Table) -> None:
    assert table.num_rows == 0
    assert table.column_names[:4] == CORE
    assert table.schema.field("start").type == TS
    assert table.schema.field("stop").type == TS
    assert table.schema.field("filesize").type == pa.int64()


@pytest.mark.parametrize("data", EMPTY_CSVS)
def test_empty_and_header_only_csv(data):
    _assert_empty(read_index(data, URL, "csv"))


@pytest.mark.parametrize("data", EMPTY_CSVS[:2] + EMPTY_CSVS[4:5])
def test_empty_and_header_only_csv_zip(data):
    _assert_empty(read_index(zip_index(data, "ds_2020.csv"), URL, "csv-zip"))


def test_empty_parquet():
    _assert_empty(read_index(parquet_index([]), URL, "parquet"))


# --- malformed files ---------------------------------------------------------------------------

GOOD = [
    "2020-01-01T00:00:00Z,2020-01-01T01:00:00Z,s3://b/a.cdf,10",
    "2020-01-02T00:00:00Z,2020-01-02T01:00:00Z,s3://b/b.cdf,20",
    "2020-01-03T00:00:00Z,2020-01-03T01:00:00Z,s3://b/c.cdf,30",
    "2020-01-04T00:00:00Z,2020-01-04T01:00:00Z,s3://b/d.cdf,40",
]
BAD = {
    "too_many_columns": "2020-01-05T00:00:00Z,2020-01-05T01:00:00Z,s3://b/e.cdf,50,surprise",
    "too_few_columns": "2020-01-05T00:00:00Z,2020-01-05T01:00:00Z,s3://b/e.cdf",
    "bad_filesize_text": "2020-01-05T00:00:00Z,2020-01-05T01:00:00Z,s3://b/e.cdf,12kB",
    "bad_filesize_float": "2020-01-05T00:00:00Z,2020-01-05T01:00:00Z,s3://b/e.cdf,12.5",
    "bad_start_time": "2020-01-45T00:00:00Z,2020-01-05T01:00:00Z,s3://b/e.cdf,50",
    "garbage_start_time": "sometime,2020-01-05T01:00:00Z,s3://b/e.cdf,50",
    "bad_stop_time": "2020-01-05T00:00:00Z,2020-13-05T01:00:00Z,s3://b/e.cdf,50",
}


def _bad_file(bad: str, *, header: bool, quote: str, sep: str, newline: str, bad_at: int) -> bytes:
    lines = GOOD[:bad_at] + [bad] + GOOD[bad_at:]
    lines = [sep.join(f"{quote}{v}{quote}" for v in line.split(",")) for line in lines]
    if header:
        lines = ["# start, stop, datakey, filesize"] + lines
    return (newline.join(lines) + newline).encode()


@pytest.mark.parametrize("what", sorted(BAD))
@pytest.mark.parametrize("header", [True, False], ids=["header", "no-header"])
@pytest.mark.parametrize("quote,sep", [("", ","), ("'", ","), ("", ", "), ("'", ", ")],
                         ids=["bare", "quoted", "spaced", "quoted-spaced"])
def test_malformed_csv_names_url_and_line(what, header, quote, sep):
    bad_at = 2  # third data row
    data = _bad_file(BAD[what], header=header, quote=quote, sep=sep, newline="\n", bad_at=bad_at)
    line = bad_at + 1 + (1 if header else 0)
    with pytest.raises(scregistry.FormatError) as info:
        read_index(data, URL, "csv")
    assert isinstance(info.value, ValueError)
    assert URL in str(info.value)
    assert f"line {line}" in str(info.value), str(info.value)


@pytest.mark.parametrize("what", ["too_many_columns", "bad_filesize_text", "bad_start_time"])
def test_malformed_csv_with_crlf_and_bom_names_line(what):
    data = b"\xef\xbb\xbf" + _bad_file(BAD[what], header=True, quote="", sep=",", newline="\r\n", bad_at=3)
    with pytest.raises(scregistry.FormatError) as info:
        read_index(data, URL, "csv")
    assert URL in str(info.value)
    assert "line 5" in str(info.value), str(info.value)


@pytest.mark.parametrize("what", ["too_many_columns", "bad_filesize_text", "bad_stop_time"])
def test_malformed_csv_zip_names_url_and_line(what):
    url = "s3://some-bucket/index/ds_2020.csv.zip"
    data = zip_index(_bad_file(BAD[what], header=True, quote="", sep=",", newline="\n", bad_at=0), "ds_2020.csv")
    with pytest.raises(scregistry.FormatError) as info:
        read_index(data, url, "csv-zip")
    assert url in str(info.value)
    assert "line 2" in str(info.value), str(info.value)


def test_bad_line_far_into_a_large_file():
    """The line number is right beyond pyarrow's first block, too."""
    rows = [(f"2020-01-01T00:00:{i % 60:02d}Z", "2020-01-02T00:00:00Z", f"s3://b/{i:06d}.cdf", i) for i in range(20000)]
    lines = csv_index(rows).decode().splitlines()
    lines[15001] = lines[15001].rsplit(",", 1)[0] + ",oops"
    data = ("\n".join(lines) + "\n").encode()
    with pytest.raises(scregistry.FormatError) as info:
        read_index(data, URL, "csv")
    assert "line 15002" in str(info.value), str(info.value)


@pytest.mark.parametrize("data", [b"this is not a file index at all\n", b"2020-01-01T00:00:00Z,12\n"])
def test_csv_that_is_not_an_index(data):
    with pytest.raises(scregistry.FormatError) as info:
        read_index(data, URL, "csv")
    assert URL in str(info.value)


def test_header_without_required_columns():
    data = b"# start, stop, url_of_nothing, bytes_not\n2020-01-01T00:00:00Z,2020-01-01T01:00:00Z,x,1\n"
    with pytest.raises(scregistry.FormatError) as info:
        read_index(data, URL, "csv")
    assert URL in str(info.value)
    assert "datakey" in str(info.value)


@pytest.mark.parametrize("data", [b"PAR1 definitely not parquet", b"", csv_index(ROWS)])
def test_malformed_parquet(data):
    url = "s3://some-bucket/index/ds_2020.parquet"
    with pytest.raises(scregistry.FormatError) as info:
        read_index(data, url, "parquet")
    assert url in str(info.value)


def test_parquet_without_datakey():
    url = "s3://some-bucket/index/ds_2020.parquet"
    data = _parquet(pa.table({"start": [t(ROWS[0][0])], "filesize": [1]}))
    with pytest.raises(scregistry.FormatError) as info:
        read_index(data, url, "parquet")
    assert url in str(info.value) and "datakey" in str(info.value)


def test_malformed_zip():
    url = "s3://some-bucket/index/ds_2020.csv.zip"
    with pytest.raises(scregistry.FormatError) as info:
        read_index(csv_index(ROWS), url, "csv-zip")
    assert url in str(info.value)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.csv", csv_index(ROWS))
        zf.writestr("b.csv", csv_index(ROWS))
    with pytest.raises(scregistry.FormatError) as info:
        read_index(buf.getvalue(), url, "csv-zip")
    assert url in str(info.value)


def test_unknown_indextype():
    with pytest.raises(scregistry.FormatError) as info:
        read_index(csv_index(ROWS), URL, "xlsx")
    assert "xlsx" in str(info.value)


# --- the tail of a file (partial=True) ------------------------------------------------------

def test_partial_tail_drops_the_cut_line():
    rows = [(f"2020-12-{1 + i // 100:02d}T00:00:{i % 60:02d}Z", "2020-12-31T00:00:00Z", f"s3://b/{i:05d}.cdf", i)
            for i in range(1000)]
    data = csv_index(rows)
    lines = data.split(b"\n")[:-1]
    # cut in the middle of the line of row 900 (line 902 of the file, after the header)
    offset = len(b"\n".join(lines[:901])) + 1 + 7
    tail = data[offset:]
    table = read_index(tail, URL, "csv", partial=True)
    check(table, rows[901:])


# --- property test: any valid rows round-trip in any variant --------------------------------

def _fmt(d: dt.datetime, form: str) -> str:
    date = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    return {
        "date": date,
        "hour": f"{date}T{d.hour:02d}Z",
        "minute": f"{date}T{d.hour:02d}:{d.minute:02d}Z",
        "second": f"{date}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}Z",
        "milli": f"{date}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}.{d.microsecond // 1000:03d}Z",
        "micro": f"{date}T{d.hour:02d}:{d.minute:02d}:{d.second:02d}.{d.microsecond:06d}Z",
    }[form]


def _trunc(d: dt.datetime, form: str) -> dt.datetime:
    return {
        "date": d.replace(hour=0, minute=0, second=0, microsecond=0),
        "hour": d.replace(minute=0, second=0, microsecond=0),
        "minute": d.replace(second=0, microsecond=0),
        "second": d.replace(microsecond=0),
        "milli": d.replace(microsecond=d.microsecond // 1000 * 1000),
        "micro": d,
    }[form]


KEY_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./"


@st.composite
def index_files(draw):
    n = draw(st.integers(0, 25))
    base = dt.datetime(2020, 1, 1, tzinfo=UTC)
    offsets = sorted(draw(st.lists(st.integers(0, 366 * 86400 * 10**6 - 1), min_size=n, max_size=n)))
    durations = draw(st.lists(st.integers(0, 3 * 86400 * 10**6), min_size=n, max_size=n))
    variant = draw(st.sampled_from(["csv", "csv-zip", "parquet"]))
    old = variant != "parquet" and draw(st.booleans())
    header = None if variant == "parquet" else draw(st.sampled_from(
        ["# ", "#", "", None]))
    with_extras = draw(st.booleans()) and header is not None or (variant == "parquet" and draw(st.booleans()))
    forms = st.sampled_from(["date", "hour", "minute", "second", "milli", "micro"])
    if variant == "parquet":
        forms = st.sampled_from(["second", "milli"])  # builders.parquet_index writes ms
    rows, expected = [], []
    for i in range(n):
        d0 = base + dt.timedelta(microseconds=offsets[i])
        d1 = d0 + dt.timedelta(microseconds=durations[i])
        f0, f1 = draw(forms), draw(forms)
        key = "s3://bucket-" + draw(st.text(KEY_CHARS, min_size=1, max_size=30))
        size = draw(st.integers(0, 2**62))
        row = [_fmt(d0, f0), _fmt(d1, f1), key, size]
        exp = [_trunc(d0, f0), None if old else _trunc(d1, f1), key, size]
        if with_extras:
            checksum = draw(st.text("0123456789abcdef", min_size=1, max_size=16))
            if i == 0 and draw(st.booleans()):
                checksum = "0" + "".join(c for c in checksum if c.isdigit())  # all digits
            wl = draw(st.integers(-10**6, 10**6))
            row += [checksum, wl]
            exp += [checksum, wl]
        rows.append(tuple(row))
        expected.append(exp)
    quote = draw(st.sampled_from(["", "'"]))
    sep = draw(st.sampled_from([",", ", "]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    names = ["start", "datakey", "filesize"] if old else ["start", "stop", "datakey", "filesize"]
    if with_extras:
        names += ["checksum", "wavelength"]
    if variant == "parquet":
        data = parquet_index(rows, extras_names=names[4:] if with_extras else ())
    else:
        head = None if header is None else header + sep.join(names)
        data = csv_index(rows, header=head, quote=quote, sep=sep, old=old, newline=newline)
        if bom:
            data = b"\xef\xbb\xbf" + data
        if variant == "csv-zip":
            data = zip_index(data, "x.csv")
    return variant, data, expected, with_extras


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=index_files())
def test_property_rows_round_trip(case):
    variant, data, expected, with_extras = case
    table = read_index(data, "s3://bucket/idx/x_2020." + variant, variant)
    assert table.column_names[:4] == CORE
    assert table.schema.field("start").type == TS
    assert table.schema.field("stop").type == TS
    assert table.schema.field("filesize").type == pa.int64()
    assert table["start"].to_pylist() == [e[0] for e in expected]
    assert table["stop"].to_pylist() == [e[1] for e in expected]
    assert table["datakey"].to_pylist() == [e[2] for e in expected]
    assert table["filesize"].to_pylist() == [e[3] for e in expected]
    if with_extras and expected:
        assert table.column_names[4:] == ["checksum", "wavelength"]
        assert table["checksum"].type == pa.string()
        assert table["checksum"].to_pylist() == [e[4] for e in expected]
        assert pa.types.is_integer(table["wavelength"].type)
        assert table["wavelength"].to_pylist() == [e[5] for e in expected]
    elif not with_extras:
        assert table.num_columns == 4
