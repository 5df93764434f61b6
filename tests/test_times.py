"""The restricted ISO 8601 parser: scalar (catalog entries, user input) and vectorised (index columns).

Expected values are written out by hand or built with the standard library, never with scregistry.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scregistry
from scregistry.times import TIME_TYPE, parse_time, parse_time_column

UTC = dt.timezone.utc


def D(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- every precision ---------------------------------------------------------------------

PRECISIONS = [
    ("2017", D(2017, 1, 1)),
    ("2017-03", D(2017, 3, 1)),
    ("2017-01-15", D(2017, 1, 15)),
    ("2017-015", D(2017, 1, 15)),
    ("2017-046", D(2017, 2, 15)),
    ("2016-366", D(2016, 12, 31)),  # leap year ordinal
    ("2017-365", D(2017, 12, 31)),
    ("2017-01-15T23Z", D(2017, 1, 15, 23)),
    ("2017-01-15T23:00Z", D(2017, 1, 15, 23)),
    ("2017-01-15T23:07Z", D(2017, 1, 15, 23, 7)),
    ("2017-01-15T23:07:09Z", D(2017, 1, 15, 23, 7, 9)),
    ("2017-01-15T23:07:09.1Z", D(2017, 1, 15, 23, 7, 9, 100000)),
    ("2017-01-15T23:07:09.12Z", D(2017, 1, 15, 23, 7, 9, 120000)),
    ("2017-01-15T23:07:09.123Z", D(2017, 1, 15, 23, 7, 9, 123000)),
    ("2017-01-15T23:07:09.123456Z", D(2017, 1, 15, 23, 7, 9, 123456)),
    ("2017-01-15T23:07:09.1234567Z", D(2017, 1, 15, 23, 7, 9, 123456)),
    ("2017-01-15T23:07:09.123456789Z", D(2017, 1, 15, 23, 7, 9, 123456)),
    ("2010-05-08T12:05:30.000Z", D(2010, 5, 8, 12, 5, 30)),
    ("2020-02-01T08:19:23Z", D(2020, 2, 1, 8, 19, 23)),
    ("2017-015T06:30Z", D(2017, 1, 15, 6, 30)),
    ("1900-01-01T00:00:00Z", D(1900, 1, 1)),
    ("2200-12-31T23:59:59.999999Z", D(2200, 12, 31, 23, 59, 59, 999999)),
]

LENIENT = [
    # missing Z
    ("2017-01-15T23:07:09", D(2017, 1, 15, 23, 7, 9)),
    ("2017-01-15T23:07", D(2017, 1, 15, 23, 7)),
    ("2017-01-15T23", D(2017, 1, 15, 23)),
    ("2017-01-15T23:07:09.250", D(2017, 1, 15, 23, 7, 9, 250000)),
    # space instead of T
    ("2017-01-15 23:07:09Z", D(2017, 1, 15, 23, 7, 9)),
    ("2017-01-15 23:07:09", D(2017, 1, 15, 23, 7, 9)),
    ("2017-01-15 23:07Z", D(2017, 1, 15, 23, 7)),
    ("2017-01-15 23:07:09.5Z", D(2017, 1, 15, 23, 7, 9, 500000)),
    # lower-case z
    ("2017-01-15T23:07:09z", D(2017, 1, 15, 23, 7, 9)),
    # surrounding white space
    ("  2017-01-15T23:07:09Z ", D(2017, 1, 15, 23, 7, 9)),
    # offsets are converted to UTC
    ("2017-01-15T23:07:09+02:00", D(2017, 1, 15, 21, 7, 9)),
    ("2017-01-15T23:07:09-05:30", D(2017, 1, 16, 4, 37, 9)),
    ("2017-01-15T01:00:00+0200", D(2017, 1, 14, 23, 0, 0)),
    ("2017-01-15T01:00:00+02", D(2017, 1, 14, 23, 0, 0)),
    ("2017-01-15T12:00:00+00:00", D(2017, 1, 15, 12)),
    ("2016-12-31T23:30:00-01:00", D(2017, 1, 1, 0, 30)),
    # malformed forms seen in real catalogs
    ("1995-01-01T00:00.00Z", D(1995, 1, 1)),
    ("1995-01-01T00:00.5Z", D(1995, 1, 1, 0, 0, 30)),
    ("2023-05-04:00:00:00Z", D(2023, 5, 4)),
    ("2023-05-04:12:34:56Z", D(2023, 5, 4, 12, 34, 56)),
]


@pytest.mark.parametrize("text,expected", PRECISIONS + LENIENT, ids=[p[0] for p in PRECISIONS + LENIENT])
def test_parse_time(text, expected):
    got = parse_time(text)
    assert got == expected
    assert got.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("text,expected", PRECISIONS + LENIENT, ids=[p[0] for p in PRECISIONS + LENIENT])
def test_parse_time_column_single(text, expected):
    got = parse_time_column(pa.array([text]))
    assert got.type == TIME_TYPE
    assert got.to_pylist() == [expected]


def test_parse_time_column_all_forms_in_one_column():
    """Every precision and every lenient form mixed in one column (the slow path)."""
    cases = PRECISIONS + LENIENT
    got = parse_time_column(pa.array([c[0] for c in cases]))
    assert got.type == TIME_TYPE
    assert got.to_pylist() == [c[1] for c in cases]


@pytest.mark.parametrize("cases", [PRECISIONS[7:18], [c for c in PRECISIONS if len(c[0]) <= 10]])
def test_parse_time_column_uniform_columns(cases):
    got = parse_time_column(pa.array([c[0] for c in cases]))
    assert got.to_pylist() == [c[1] for c in cases]


def test_parse_time_column_chunked_array():
    cases = PRECISIONS[:6] + LENIENT[:6]
    arr = pa.chunked_array([[c[0] for c in cases[:5]], [c[0] for c in cases[5:]]])
    got = parse_time_column(arr)
    assert got.type == TIME_TYPE
    assert got.to_pylist() == [c[1] for c in cases]


def test_parse_time_column_nulls_and_empty_strings():
    got = parse_time_column(pa.array(["2017-01-15T00:00:00Z", None, "", "2017-01-16T00:00:00Z"]))
    assert got.to_pylist() == [D(2017, 1, 15), None, None, D(2017, 1, 16)]


def test_parse_time_column_nulls_with_mixed_precision():
    got = parse_time_column(pa.array(["2017", None, "2017-015", "", "1995-01-01T00:00.00Z"]))
    assert got.to_pylist() == [D(2017, 1, 1), None, D(2017, 1, 15), None, D(1995, 1, 1)]


def test_parse_time_column_timestamp_input():
    naive = pa.array([dt.datetime(2017, 1, 15, 1, 2, 3)], pa.timestamp("ms"))
    aware = pa.array([D(2017, 1, 15, 1, 2, 3)], pa.timestamp("ns", tz="UTC"))
    assert parse_time_column(naive).to_pylist() == [D(2017, 1, 15, 1, 2, 3)]
    assert parse_time_column(naive).type == TIME_TYPE
    assert parse_time_column(aware).to_pylist() == [D(2017, 1, 15, 1, 2, 3)]
    assert parse_time_column(aware).type == TIME_TYPE


# --- non-string input to the scalar parser -----------------------------------------------

def test_parse_time_datetime_objects():
    assert parse_time(dt.datetime(2017, 1, 15, 3)) == D(2017, 1, 15, 3)  # naive means UTC
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert parse_time(dt.datetime(2017, 1, 15, 3, tzinfo=plus2)) == D(2017, 1, 15, 1)
    assert parse_time(dt.datetime(2017, 1, 15, 3, tzinfo=plus2)).utcoffset() == dt.timedelta(0)
    assert parse_time(dt.date(2017, 1, 15)) == D(2017, 1, 15)


def test_parse_time_pandas_timestamp():
    import pandas as pd

    assert parse_time(pd.Timestamp("2017-01-15T03:04:05.123456Z")) == D(2017, 1, 15, 3, 4, 5, 123456)
    assert parse_time(pd.Timestamp("2017-01-15T03:04:05")) == D(2017, 1, 15, 3, 4, 5)


# --- garbage -------------------------------------------------------------------------------

GARBAGE = [
    "",
    "   ",
    "yesterday",
    "2017-13-01",
    "2017-02-30",
    "2017-00-10",
    "2017-01-15T25:00Z",
    "2017-01-15T23:61Z",
    "2017-01-15T23:07:61Z",
    "2017-366",
    "2017-000",
    "17-01-15",
    "2017/01/15",
    "20170115T230709Z",
    "2017-01-15T23:07:09Zjunk",
    "2017-01-15TT23:07",
    "s3://bucket/key.cdf",
    "12345",
    "2017-01-15T23:07:09+25:00x",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_parse_time_garbage_raises_quoting_input(text):
    with pytest.raises(scregistry.TimeFormatError) as info:
        parse_time(text)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, scregistry.ScregistryError)
    assert repr(text) in str(info.value) or text in str(info.value)


@pytest.mark.parametrize("value", [12345, 3.5, None, b"2017-01-15", ["2017"]])
def test_parse_time_non_time_objects_raise(value):
    with pytest.raises(scregistry.TimeFormatError) as info:
        parse_time(value)
    assert repr(value) in str(info.value)


def test_parse_time_error_names_the_argument():
    with pytest.raises(scregistry.TimeFormatError, match="start_date"):
        parse_time("not a time", name="start_date")


@pytest.mark.parametrize("text", [g for g in GARBAGE if g.strip()])
def test_parse_time_column_garbage_raises_quoting_value_and_row(text):
    arr = pa.array(["2017-01-15T00:00:00Z", "2017-01-16T00:00:00Z", text, "2017-01-17T00:00:00Z"])
    with pytest.raises(scregistry.TimeFormatError) as info:
        parse_time_column(arr)
    assert isinstance(info.value, ValueError)
    assert repr(text) in str(info.value) or text in str(info.value)
    # the docstring promises the 0-based row of the first bad value
    assert getattr(info.value, "row", None) == 2


def test_parse_time_column_names_first_bad_row():
    arr = pa.array(["2017", "bad-one", "bad-two"])
    with pytest.raises(scregistry.TimeFormatError) as info:
        parse_time_column(arr)
    assert "bad-one" in str(info.value)
    assert getattr(info.value, "row", None) == 1


# --- property tests --------------------------------------------------------------------------

FORMS = ["year", "month", "date", "ordinal", "hour", "minute", "second", "milli", "micro", "nano"]


def fmt(d: dt.datetime, form: str, *, sep: str = "T", zone: str = "Z", extra: int = 0) -> str:
    """``d`` written at precision ``form`` (independent of scregistry)."""
    date = f"{d.year:04d}-{d.month:02d}-{d.day:02d}"
    if form == "year":
        return f"{d.year:04d}"
    if form == "month":
        return f"{d.year:04d}-{d.month:02d}"
    if form == "date":
        return date
    if form == "ordinal":
        return f"{d.year:04d}-{d.timetuple().tm_yday:03d}"
    text = f"{date}{sep}{d.hour:02d}"
    if form != "hour":
        text += f":{d.minute:02d}"
    if form in ("second", "milli", "micro", "nano"):
        text += f":{d.second:02d}"
    if form == "milli":
        text += f".{d.microsecond // 1000:03d}"
    elif form == "micro":
        text += f".{d.microsecond:06d}"
    elif form == "nano":
        text += f".{d.microsecond:06d}{extra:03d}"
    return text + zone


def truncate(d: dt.datetime, form: str) -> dt.datetime:
    if form == "year":
        return d.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if form == "month":
        return d.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if form in ("date", "ordinal"):
        return d.replace(hour=0, minute=0, second=0, microsecond=0)
    if form == "hour":
        return d.replace(minute=0, second=0, microsecond=0)
    if form == "minute":
        return d.replace(second=0, microsecond=0)
    if form == "second":
        return d.replace(microsecond=0)
    if form == "milli":
        return d.replace(microsecond=d.microsecond // 1000 * 1000)
    return d


datetimes = st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31, 23, 59, 59, 999999)
                         ).map(lambda d: d.replace(tzinfo=UTC))


@st.composite
def written_times(draw):
    d = draw(datetimes)
    form = draw(st.sampled_from(FORMS))
    sep = draw(st.sampled_from(["T", " "]))
    zone = draw(st.sampled_from(["Z", ""]))
    extra = draw(st.integers(0, 999))
    return fmt(d, form, sep=sep, zone=zone, extra=extra), truncate(d, form)


@settings(max_examples=50, deadline=None)
@given(d=datetimes, form=st.sampled_from(FORMS), extra=st.integers(0, 999))
def test_property_each_precision_round_trips(d, form, extra):
    text = fmt(d, form, extra=extra)
    assert parse_time(text) == truncate(d, form)
    assert parse_time_column(pa.array([text])).to_pylist() == [truncate(d, form)]


@settings(max_examples=50, deadline=None)
@given(case=written_times())
def test_property_lenient_forms_round_trip(case):
    text, expected = case
    assert parse_time(text) == expected


@settings(max_examples=50, deadline=None)
@given(cases=st.lists(st.one_of(written_times(), st.none()), max_size=30))
def test_property_scalar_and_vectorised_agree(cases):
    texts = [c[0] if c is not None else None for c in cases]
    expected = [c[1] if c is not None else None for c in cases]
    got = parse_time_column(pa.array(texts, pa.string()))
    assert got.type == TIME_TYPE
    assert got.to_pylist() == [parse_time(x) if x is not None else None for x in texts]
    assert got.to_pylist() == expected


@settings(max_examples=50, deadline=None)
@given(ds=st.lists(datetimes, min_size=1, max_size=30), form=st.sampled_from(FORMS))
def test_property_uniform_column_round_trips(ds, form):
    """A whole column at one precision (the vectorised fast path) parses exactly."""
    got = parse_time_column(pa.array([fmt(d, form) for d in ds]))
    assert got.to_pylist() == [truncate(d, form) for d in ds]
