#!/usr/bin/env python3
"""(Re)create the embedded sample registry in ``src/scregistry/data/sample/``.

Deterministic: every random choice comes from seeded ``random.Random`` instances,
zip members carry a fixed timestamp and mode, and parquet files are written with
fixed options, so re-running this script produces byte-identical files (for a
given pyarrow / zlib build).  Needs only the standard library and pyarrow; no
network access.

Run from the repository root::

    python scripts/make_sample.py

The sample folder is deleted and rebuilt on every run.

Layout (see the README.md written next to the data for details)::

    sample/registry.json                     global registry, endpoints relative to it
    sample/buckets/helio-sample-sdo/         aia_0094 (csv), aia_0171 (parquet)
    sample/buckets/helio-sample-public/      mms1_feeps_brst_electron (quoted csv),
                                             goes16_xrs_1s (csv-zip + extra columns),
                                             ace_swepam_legacy (spec 0.3 style csv)
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import shutil
import sys
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "scregistry" / "data" / "sample"

UTC = timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MODIFIED = "2026-10-15T00:00:00Z"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

SDO_BUCKET = "helio-sample-sdo"
PUB_BUCKET = "helio-sample-public"


# --------------------------------------------------------------------------- time helpers
# Internally every time is an int: milliseconds since 1970-01-01T00:00:00Z.


def ms_of(dt: datetime) -> int:
    return (dt - EPOCH) // timedelta(milliseconds=1)


def dt_of(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def iso_ms(ms: int) -> str:
    """2010-05-13T00:00:02.120Z"""
    d = dt_of(ms)
    return d.strftime("%Y-%m-%dT%H:%M:%S") + f".{ms % 1000:03d}Z"


def iso_s(ms: int) -> str:
    """2019-01-01T08:19:23Z (ms must be a whole second)."""
    assert ms % 1000 == 0, ms
    return dt_of(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_min(ms: int) -> str:
    """2017-02-07T00:00Z (ms must be a whole minute)."""
    assert ms % 60000 == 0, ms
    return dt_of(ms).strftime("%Y-%m-%dT%H:%MZ")


def floor_s(ms: int) -> str:
    """Restricted ISO 8601 (whole seconds), rounded down: for catalog `start`."""
    return iso_s(ms - ms % 1000)


def ceil_s(ms: int) -> str:
    """Restricted ISO 8601 (whole seconds), rounded up: for catalog `stop`."""
    return iso_s(ms + (-ms) % 1000)


def days(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def day_ms(d: date) -> int:
    return ms_of(datetime(d.year, d.month, d.day, tzinfo=UTC))


def year_of(ms: int) -> int:
    return dt_of(ms).year


# --------------------------------------------------------------------------- writers

WRITTEN: list[Path] = []


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    WRITTEN.append(path)


def write_text(path: Path, text: str) -> None:
    _write_bytes(path, text.encode("utf-8"))


def write_json(path: Path, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def csv_text(header: str | None, lines: list[str]) -> str:
    out = [] if header is None else [header]
    out.extend(lines)
    return "\n".join(out) + "\n"


def write_csv_zip(path: Path, member: str, text: str) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(member, date_time=ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.create_system = 3  # unix, whatever the host
        info.external_attr = 0o100644 << 16
        zf.writestr(info, text.encode("utf-8"), compresslevel=9)
    _write_bytes(path, buf.getvalue())


PARQUET_SCHEMA = pa.schema(
    [
        pa.field("start", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("stop", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("datakey", pa.string(), nullable=False),
        pa.field("filesize", pa.int64(), nullable=False),
    ]
)


def write_parquet(path: Path, rows: list[tuple[int, int, str, int]]) -> None:
    table = pa.Table.from_arrays(
        [
            pa.array([r[0] for r in rows], type=pa.timestamp("ms", tz="UTC")),
            pa.array([r[1] for r in rows], type=pa.timestamp("ms", tz="UTC")),
            pa.array([r[2] for r in rows], type=pa.string()),
            pa.array([r[3] for r in rows], type=pa.int64()),
        ],
        schema=PARQUET_SCHEMA,
    )
    buf = pa.BufferOutputStream()
    pq.write_table(
        table,
        buf,
        compression="zstd",
        compression_level=9,
        use_dictionary=False,
        write_statistics=True,
        row_group_size=len(rows) + 1,  # one row group per file
        data_page_version="1.0",
    )
    _write_bytes(path, buf.getvalue().to_pybytes())


def by_year(rows, start_of=lambda r: r[0]) -> dict[int, list]:
    """Group rows (already sorted) by the calendar year of their start time."""
    out: dict[int, list] = {}
    for r in rows:
        out.setdefault(year_of(start_of(r)), []).append(r)
    return out


def check_sorted(rows, name: str) -> None:
    for a, b in zip(rows, rows[1:]):
        assert a[0] < b[0], (name, a, b)


# --------------------------------------------------------------------------- datasets

STATS: dict[str, dict[int, int]] = {}


def aia_rows(
    wave: str,
    first_day: date,
    last_day: date,
    offset_ms: int,
    exposure_ms: int,
    missing: set[date],
    size_range: tuple[int, int],
    seed: int,
    last_offset_ms: int,
) -> list[tuple[int, int, str, int]]:
    """One AIA level-1 image every 6 hours (00, 06, 12, 18 UT) with small jitters."""
    rng = random.Random(seed)
    # Jitters seen in AIA T_OBS series: the frame a step earlier/later in the
    # 12 s cadence, or the exposure start drifting by a few hundredths.
    jitters = [-1000, 1000, 450, -10, 20, 12000]
    rows = []
    for d in days(first_day, last_day):
        if d in missing:
            continue
        for hour in (0, 6, 12, 18):
            t = day_ms(d) + hour * 3_600_000 + offset_ms
            if rng.random() < 0.03:
                t += rng.choice(jitters)
            rows.append(t)
    # Fixed boundaries: un-jittered first image; whole-second last stop, so the
    # catalog stop equals the last row's stop exactly.
    rows[0] = day_ms(first_day) + offset_ms
    rows[-1] = day_ms(last_day) + 18 * 3_600_000 + last_offset_ms
    out = []
    for t in rows:
        d = dt_of(t)
        stamp = d.strftime("%Y_%m_%dT%H_%M_%S") + f".{(t % 1000) // 10:02d}Z"
        assert t % 10 == 0
        key = (
            f"s3://{SDO_BUCKET}/sdo/aia/{d:%Y%m%d}/{wave}/"
            f"aia.lev1.{int(wave)}A_{stamp}.image_lev1.fits"
        )
        out.append((t, t + exposure_ms, key, rng.randint(*size_range)))
    return out


def make_aia_0094(bucket_dir: Path) -> dict:
    ds_id, index = "aia_0094", "sdo/aia/index/aia_0094/"
    rows = aia_rows(
        "0094",
        date(2010, 5, 13),
        date(2014, 12, 31),
        offset_ms=2120,
        exposure_ms=2900,
        missing={date(2011, 8, 4), date(2013, 3, 12)},
        size_range=(6_100_000, 11_900_000),
        seed=94,
        last_offset_ms=2100,  # 18:00:02.100Z + 2.9 s -> stop 18:00:05.000Z
    )
    check_sorted(rows, ds_id)
    STATS[ds_id] = {}
    for year, yrows in by_year(rows).items():
        lines = [f"{iso_ms(a)},{iso_ms(b)},{k},{s}" for a, b, k, s in yrows]
        write_text(
            bucket_dir / index / f"{ds_id}_{year}.csv",
            csv_text("# start, stop, datakey, filesize", lines),
        )
        STATS[ds_id][year] = len(yrows)
    return {
        "id": ds_id,
        "index": index,
        "title": "SDO/AIA level 1 images, 94 Angstrom (sample, 6-hourly)",
        "start": floor_s(rows[0][0]),
        "stop": ceil_s(rows[-1][1]),
        "modification": MODIFIED,
        "indextype": "csv",
        "filetype": "fits",
        "description": (
            "Sample of the Solar Dynamics Observatory Atmospheric Imaging Assembly level 1 "
            "94 A (Fe XVIII) image series, one 4096x4096 FITS image every 6 hours. "
            "Synthetic index modelled on the real archive; the data keys do not exist."
        ),
        "resource": "https://sdo.gsfc.nasa.gov/data/",
        "collections": ["SDO", "AIA", "EUV imaging"],
        "tags": ["sun", "corona", "EUV", "image", "94A", "sample"],
    }


def make_aia_0171(bucket_dir: Path) -> dict:
    ds_id, index = "aia_0171", "sdo/aia/index/aia_0171/"
    rows = aia_rows(
        "0171",
        date(2011, 1, 1),
        date(2012, 12, 31),
        offset_ms=11340,
        exposure_ms=2000,
        missing={date(2012, 6, 18)},
        size_range=(9_200_000, 13_800_000),
        seed=171,
        last_offset_ms=11000,  # 18:00:11.000Z + 2.0 s -> stop 18:00:13.000Z
    )
    check_sorted(rows, ds_id)
    STATS[ds_id] = {}
    for year, yrows in by_year(rows).items():
        write_parquet(bucket_dir / index / f"{ds_id}_{year}.parquet", yrows)
        STATS[ds_id][year] = len(yrows)
    return {
        "id": ds_id,
        "index": index,
        "title": "SDO/AIA level 1 images, 171 Angstrom (sample, 6-hourly, parquet index)",
        "start": floor_s(rows[0][0]),
        "stop": ceil_s(rows[-1][1]),
        "modification": MODIFIED,
        "indextype": "parquet",
        "filetype": "fits",
        "description": (
            "Sample of the SDO/AIA level 1 171 A (Fe IX) image series, one FITS image every "
            "6 hours, indexed with yearly parquet files (start/stop as timestamp[ms, UTC]). "
            "Synthetic index modelled on the real archive; the data keys do not exist."
        ),
        "resource": "https://sdo.gsfc.nasa.gov/data/",
        "collections": ["SDO", "AIA", "EUV imaging"],
        "tags": ["sun", "corona", "EUV", "image", "171A", "sample"],
    }


# MMS burst intervals -------------------------------------------------------------

MMS_FIRST, MMS_LAST = date(2019, 1, 1), date(2022, 6, 30)
# (start, stop, filesize) that must exist verbatim.
MMS_FORCED = {
    date(2019, 1, 1): ("2019-01-01T08:19:23Z", "2019-01-01T08:21:32Z", 3405073),
    date(2020, 2, 1): ("2020-02-01T08:19:23Z", "2020-02-01T08:21:32Z", 3405073),
    # crosses the year boundary: listed in the 2020 file only
    date(2020, 12, 31): ("2020-12-31T23:58:00Z", "2021-01-01T00:03:00Z", 7412388),
}
# weights for 0..12 bursts in a day (mean about 2.5)
MMS_WEIGHTS = [300, 150, 130, 110, 90, 70, 50, 30, 25, 15, 10, 7, 3]


def parse_s(text: str) -> int:
    return ms_of(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC))


def mms_bursts(rng: random.Random, n: int, lo: int, hi: int) -> list[tuple[int, int]]:
    """n back-to-back-ish bursts (seconds of day) inside [lo, hi]."""
    while n > 0:
        durs = [rng.randint(60, 330) for _ in range(n)]
        gaps = [rng.choice([0, 0, 1, 2, rng.randint(30, 2400)]) for _ in range(n - 1)]
        total = sum(durs) + sum(gaps)
        if total <= hi - lo:
            t = rng.randint(lo, hi - total)
            out = []
            for i, dur in enumerate(durs):
                out.append((t, t + dur))
                t += dur + (gaps[i] if i < n - 1 else 0)
            return out
        n -= 1
    return []


def make_mms(bucket_dir: Path) -> dict:
    ds_id, index = "mms1_feeps_brst_electron", "mms/index/mms1_feeps_brst_electron/"
    rng = random.Random(20190101)
    rows = []
    for d in days(MMS_FIRST, MMS_LAST):
        n = rng.choices(range(len(MMS_WEIGHTS)), weights=MMS_WEIGHTS)[0]
        lo, hi = 60, 86399
        forced = MMS_FORCED.get(d)
        if d == MMS_LAST:
            n = max(n, 1)
        if d == date(2021, 1, 1):
            lo = 3 * 60 + 60  # after the cross-year burst ends (00:03:00)
        if forced is not None:
            f_start, f_stop = parse_s(forced[0]), parse_s(forced[1])
            f_lo = (f_start - day_ms(d)) // 1000
            f_hi = (f_stop - day_ms(d)) // 1000
            if d == date(2020, 12, 31):
                hi = f_lo - 60  # random bursts before the cross-year one
            else:
                lo = f_hi + 1  # random bursts after the forced one
        spans = mms_bursts(rng, n, lo, hi)
        day_rows = []
        for a, b in spans:
            dur = b - a
            size = int(dur * rng.uniform(18_000, 32_000))
            day_rows.append((day_ms(d) + a * 1000, day_ms(d) + b * 1000, size))
        if forced is not None:
            day_rows.append((parse_s(forced[0]), parse_s(forced[1]), forced[2]))
        day_rows.sort()
        rows.extend(day_rows)
    out = []
    for a, b, size in rows:
        d = dt_of(a)
        key = (
            f"s3://{PUB_BUCKET}/mms/mms1/feeps/brst/l2/electron/{d:%Y}/{d:%m}/"
            f"mms1_feeps_brst_l2_electron_{d:%Y%m%d%H%M%S}_v7.1.1.cdf"
        )
        out.append((a, b, key, size))
    check_sorted(out, ds_id)
    for x, y in zip(out, out[1:]):
        assert x[1] <= y[0], ("overlap", x, y)
    assert iso_s(out[0][0]) == "2019-01-01T08:19:23Z"
    STATS[ds_id] = {}
    for year, yrows in by_year(out).items():
        lines = [f"'{iso_s(a)}','{iso_s(b)}','{k}','{s}'" for a, b, k, s in yrows]
        write_text(
            bucket_dir / index / f"{ds_id}_{year}.csv",
            csv_text("start,stop,datakey,filesize", lines),
        )
        STATS[ds_id][year] = len(yrows)
    return {
        "id": ds_id,
        "index": index,
        "title": "MMS1 FEEPS burst-mode level 2 electron data (sample)",
        "start": floor_s(out[0][0]),
        "stop": ceil_s(out[-1][1]),
        "modification": MODIFIED,
        "indextype": "csv",
        "filetype": "cdf",
        "description": (
            "Sample of the Magnetospheric Multiscale mission, spacecraft 1, Fly's Eye Energetic "
            "Particle Sensor burst-mode electron intervals (irregular, a few minutes each). One "
            "burst crosses the 2020/2021 year boundary and is listed in the 2020 file only. "
            "Synthetic index; values are single-quoted; the data keys do not exist."
        ),
        "resource": "https://cdaweb.gsfc.nasa.gov/misc/NotesM.html#MMS1_FEEPS_BRST_L2_ELECTRON",
        "collections": ["MMS", "FEEPS", "energetic particles"],
        "tags": ["magnetosphere", "electrons", "burst", "in-situ", "sample"],
    }


# GOES-16 XRS ----------------------------------------------------------------------

GOES_PARAMETERS = {
    "parameters": [
        {
            "name": "checksum",
            "type": "string",
            "units": None,
            "desc": "Hex digest computed with checksum_algorithm (sample: sha256 of the datakey text)",
        },
        {
            "name": "checksum_algorithm",
            "type": "string",
            "units": None,
            "desc": "Hash algorithm used for checksum (sha256)",
        },
        {
            "name": "wavelength",
            "type": "int",
            "units": "Angstrom",
            "desc": "Upper edge of the XRS-B channel band (1-8 Angstrom)",
        },
        {
            "name": "quality",
            "type": "double",
            "units": None,
            "desc": "Fraction of 1-second samples in the day flagged good (0..1)",
        },
    ]
}


def make_goes(bucket_dir: Path) -> dict:
    ds_id, index = "goes16_xrs_1s", "goes/index/goes16_xrs_1s/"
    rng = random.Random(16)
    rows = []
    for d in days(date(2017, 2, 7), date(2020, 12, 31)):
        start = day_ms(d)
        stop = start + 86_399_000
        key = (
            f"s3://{PUB_BUCKET}/goes/goes16/l2/data/xrsf-l2-flx1s_science/{d:%Y}/{d:%m}/"
            f"sci_xrsf-l2-flx1s_g16_d{d:%Y%m%d}_v2-2-0.nc"
        )
        size = rng.randint(5_050_000, 5_350_000)
        checksum = hashlib.sha256(key.encode("utf-8")).hexdigest()
        if rng.random() < 0.03:
            quality = rng.uniform(0.2, 0.85)
        else:
            quality = rng.uniform(0.97, 1.0)
        rows.append((start, stop, key, size, checksum, "sha256", 8, quality))
    check_sorted(rows, ds_id)
    STATS[ds_id] = {}
    header = "# start, stop, datakey, filesize, checksum, checksum_algorithm, wavelength, quality"
    for year, yrows in by_year(rows).items():
        lines = [
            f"{iso_min(a)},{iso_s(b)},{k},{s},{c},{alg},{w},{q:.4f}"
            for a, b, k, s, c, alg, w, q in yrows
        ]
        member = f"{ds_id}_{year}.csv"
        write_csv_zip(bucket_dir / index / f"{member}.zip", member, csv_text(header, lines))
        STATS[ds_id][year] = len(yrows)
    write_json(bucket_dir / index / f"{ds_id}.json", GOES_PARAMETERS)
    return {
        "id": ds_id,
        "index": index,
        "title": "GOES-16 XRS 1-second solar X-ray irradiance, daily files (sample)",
        "start": floor_s(rows[0][0]),
        "stop": ceil_s(rows[-1][1]),
        "modification": MODIFIED,
        "indextype": "csv-zip",
        "filetype": "netcdf4",
        "description": (
            "Sample of the GOES-16 X-Ray Sensor level 2 science-quality 1-second flux, one NetCDF4 "
            "file per day. Yearly indices are zipped csv files with extra columns (checksum, "
            "checksum_algorithm, wavelength, quality) described in goes16_xrs_1s.json. "
            "Synthetic index; the data keys do not exist."
        ),
        "resource": (
            "https://data.ngdc.noaa.gov/platforms/solar-space-observing-satellites/"
            "goes/goes16/l2/data/xrsf-l2-flx1s_science/"
        ),
        "collections": ["GOES-R", "XRS", "solar irradiance"],
        "tags": ["sun", "X-ray", "flares", "irradiance", "sample"],
    }


# ACE SWEPAM, old spec 0.3 layout -----------------------------------------------------


def make_ace(bucket_dir: Path) -> dict:
    ds_id, index = "ace_swepam_legacy", "ace/index/ace_swepam_legacy/"
    rng = random.Random(1998)
    rows = []
    for year in range(1998, 2004):
        for month in range(1, 13):
            start = ms_of(datetime(year, month, 1, tzinfo=UTC))
            key = (
                f"s3://{PUB_BUCKET}/ace/swepam/level_2_cdaweb/swe_h2/{year}/"
                f"ac_h2_swe_{year}{month:02d}01_v06.cdf"
            )
            rows.append((start, key, rng.randint(96_000, 138_000)))
    check_sorted(rows, ds_id)
    STATS[ds_id] = {}
    for year, yrows in by_year(rows).items():
        lines = [f"{iso_s(a)},{k},{s}" for a, k, s in yrows]
        write_text(bucket_dir / index / f"{ds_id}_{year}.csv", csv_text(None, lines))
        STATS[ds_id][year] = len(yrows)
    # No stop column: the last monthly file runs to the end of December 2003.
    return {
        "id": ds_id,
        "index": index,
        "title": "ACE SWEPAM hourly-averaged solar wind, monthly files (legacy index, sample)",
        "start": floor_s(rows[0][0]),
        "stop": "2003-12-31T23:59:59Z",
        "modification": MODIFIED,
        "filetype": "CDF",
        "description": (
            "Sample of the Advanced Composition Explorer Solar Wind Electron Proton Alpha Monitor "
            "level 2 1-hour averages, one CDF file per month. Indexed the spec 0.3 way: "
            "columns start, key, filesize, no header line, no stop column, no indextype. "
            "Synthetic index; the data keys do not exist."
        ),
        "resource": "https://cdaweb.gsfc.nasa.gov/misc/NotesA.html#AC_H2_SWE",
        "collections": ["ACE", "SWEPAM", "solar wind"],
        "tags": ["solar wind", "plasma", "L1", "in-situ", "legacy", "sample"],
    }


# --------------------------------------------------------------------------- catalogs


def bucket_catalog(bucket: str, name: str, region: str, description: str, entries) -> dict:
    return {
        "version": "1.1",
        "name": name,
        "endpoint": f"s3://{bucket}/",
        "region": region,
        "egress": "public, no-egress",
        "contact": "Sample data maintainers <sample-data@example.org>",
        "description": description,
        "status": {"code": 1200, "message": "OK"},
        "catalog": entries,
    }


REGISTRY = {
    "version": "1.0",
    "modificationDate": "2026-11-01T00:00:00Z",
    "registry": [
        {
            "endpoint": f"buckets/{SDO_BUCKET}/",
            "name": "Sample SDO archive",
            "provider": "aws",
            "region": "us-east-1",
        },
        {
            "endpoint": f"buckets/{PUB_BUCKET}/",
            "name": "Sample public heliophysics archive",
            "provider": "aws",
            "region": "us-west-2",
        },
    ],
}


def readme() -> str:
    s = STATS

    def years(ds: str) -> str:
        return ", ".join(f"{y}: {n}" for y, n in sorted(s[ds].items()))

    def total(ds: str) -> int:
        return sum(s[ds].values())

    return f"""# Embedded sample registry

Generated by `scripts/make_sample.py` (deterministic, seeded; do not edit by hand, re-run the
script instead). Everything here is synthetic but modelled on real HelioCloud / CloudCatalog
archives; the `s3://` data keys do not exist. The folder mirrors the three layers of the format:

```
registry.json                              global registry; endpoints RELATIVE to this file
buckets/helio-sample-sdo/catalog.json      bucket catalog (version 1.1), region us-east-1
buckets/helio-sample-public/catalog.json   bucket catalog (version 1.1), region us-west-2
buckets/<bucket>/<index>/<id>_<YYYY>.<ext> yearly file indices
```

Dataset `index` values are relative folder paths, resolved against the folder holding
`catalog.json`. Catalog `start` is the first row's start rounded down to whole seconds and
`stop` the last row's stop rounded up. Both equal the row times exactly, except the `aia_0094` and
`aia_0171` starts (first rows at `.120` and `.340` ms) and `ace_swepam_legacy`, which has no stop
column (catalog stop = end of its last monthly file).

| bucket | id | variant | rows |
|---|---|---|---|
| helio-sample-sdo | `aia_0094` | csv, `# start, stop, datakey, filesize` header, millisecond times | {total("aia_0094")} |
| helio-sample-sdo | `aia_0171` | parquet (start/stop `timestamp[ms, tz=UTC]`, datakey string, filesize int64) | {total("aia_0171")} |
| helio-sample-public | `mms1_feeps_brst_electron` | csv, header without `#`, every value in single quotes, irregular | {total("mms1_feeps_brst_electron")} |
| helio-sample-public | `goes16_xrs_1s` | csv-zip, extra columns described in `goes16_xrs_1s.json` | {total("goes16_xrs_1s")} |
| helio-sample-public | `ace_swepam_legacy` | spec 0.3: `start, key, filesize`, no header, no stop, no `indextype` | {total("ace_swepam_legacy")} |

## aia_0094 (`sdo/aia/index/aia_0094/`)

SDO/AIA level 1, 94 A: one FITS image every 6 hours (00, 06, 12, 18 UT, nominally `hh:00:02.12`),
2010-05-13T00:00:02.120Z to 2014-12-31T18:00:02.100Z, stop = start + 2.9 s. About 3% of
images carry a small jitter (+-0.01..1 s, or one 12 s cadence step). Missing days (gaps):
2011-08-04 and 2013-03-12. Filesize 6.1-11.9 MB.
Rows per year: {years("aia_0094")}.

## aia_0171 (`sdo/aia/index/aia_0171/`)

Same style, 171 A, 2011-2012, nominally `hh:00:11.34`, stop = start + 2.0 s; missing day
2012-06-18. Yearly parquet files, one row group, zstd. Rows per year: {years("aia_0171")}.

## mms1_feeps_brst_electron (`mms/index/mms1_feeps_brst_electron/`)

MMS1 FEEPS burst-mode electrons: 0-12 bursts per day (1-5.5 minutes each, non-overlapping),
second-precision times, 2019-01-01 to 2022-06-30. Header `start,stop,datakey,filesize`,
values quoted: `'2019-01-01T08:19:23Z','2019-01-01T08:21:32Z','s3://...','3405073'`.
Rows per year: {years("mms1_feeps_brst_electron")}.

Cross-year burst: `2020-12-31T23:58:00Z` to `2021-01-01T00:03:00Z`
(`.../2020/12/mms1_feeps_brst_l2_electron_20201231235800_v7.1.1.cdf`) is the last row of the
2020 file and does NOT appear in the 2021 file (the entry has no `multiyear` flag). It overlaps
any window touching `[2020-12-31T23:58:00Z, 2021-01-01T00:03:00Z]`, but a reader that opens only
the 2021 file for a window starting in 2021 will not see it. The first 2021 burst starts
after 00:04 UT. The spec's example row
(`2020-02-01T08:19:23Z`, `...20200201081923_v7.1.1.cdf`, 3405073) is present.

## goes16_xrs_1s (`goes/index/goes16_xrs_1s/`)

GOES-16 XRS 1-second science flux, one NetCDF4 file per day, 2017-02-07 to 2020-12-31, no gaps.
`<id>_<YYYY>.csv.zip` each holds one member `<id>_<YYYY>.csv` with header
`# start, stop, datakey, filesize, checksum, checksum_algorithm, wavelength, quality`.
start has MINUTE precision (`2017-02-07T00:00Z`), stop second precision (`2017-02-07T23:59:59Z`).
`checksum` is the sha256 hex digest of the datakey text, `wavelength` is always 8, `quality` a
4-decimal float in 0..1. `goes16_xrs_1s.json` describes the four extra columns.
Rows per year: {years("goes16_xrs_1s")}.

## ace_swepam_legacy (`ace/index/ace_swepam_legacy/`)

ACE SWEPAM 1-hour averages, one CDF per month, 1998-01 to 2003-12 (start on the 1st at 00:00:00Z).
Old layout: three columns `start, key, filesize`, no header line, no stop column; the catalog
entry has no `indextype` (means csv) and `filetype` "CDF" in upper case; catalog stop
2003-12-31T23:59:59Z. Rows per year: {years("ace_swepam_legacy")}.
"""


def main() -> int:
    if SAMPLE.exists():
        shutil.rmtree(SAMPLE)
    SAMPLE.mkdir(parents=True)

    sdo_dir = SAMPLE / "buckets" / SDO_BUCKET
    pub_dir = SAMPLE / "buckets" / PUB_BUCKET

    sdo_entries = [make_aia_0094(sdo_dir), make_aia_0171(sdo_dir)]
    pub_entries = [make_mms(pub_dir), make_goes(pub_dir), make_ace(pub_dir)]

    write_json(
        sdo_dir / "catalog.json",
        bucket_catalog(
            SDO_BUCKET,
            "Sample SDO archive",
            "us-east-1",
            "Embedded sample: SDO/AIA image series with csv and parquet indices.",
            sdo_entries,
        ),
    )
    write_json(
        pub_dir / "catalog.json",
        bucket_catalog(
            PUB_BUCKET,
            "Sample public heliophysics archive",
            "us-west-2",
            "Embedded sample: MMS, GOES and ACE datasets exercising the index variants "
            "(quoted csv, csv-zip with extra columns, legacy spec 0.3 csv).",
            pub_entries,
        ),
    )
    write_json(SAMPLE / "registry.json", REGISTRY)
    write_text(SAMPLE / "README.md", readme())

    total = sum(p.stat().st_size for p in WRITTEN)
    for ds, per_year in STATS.items():
        counts = " ".join(f"{y}:{n}" for y, n in sorted(per_year.items()))
        print(f"{ds:26s} {sum(per_year.values()):6d} rows  ({counts})")
    print(f"wrote {len(WRITTEN)} files, {total} bytes, under {SAMPLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
