"""Synthetic buckets at real scale, written to a local folder that mirrors the bucket layout.

Deterministic (seeded), so every run measures the same bytes:
- ``bench-sdo``: an ``aia_0094``-like image series, 1.5 million rows over 13 yearly CSVs (2010-2022)
  with SDO-style keys, plus the same dataset with a parquet index (``aia_0094_pq``);
- ``bench-mms``: an ``MMS1_FEEPS_BRST_L2_ELECTRON``-like burst series, 64 thousand rows (2015-2022);
- ``bench-search-00`` .. ``bench-search-19``: 20 buckets of 5 datasets each, for search;
- ``bench-data``: 1,000 small data objects (4-16 KiB) indexed by the dataset ``small_files``, for transfers.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

YEARS = list(range(2010, 2023))


def _iso(seconds: float) -> str:
    whole = int(seconds)
    ms = int(round((seconds - whole) * 1000))
    if ms == 1000:
        whole, ms = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + f".{ms:03d}Z"


def _epoch(year: int) -> int:
    return int(time.mktime((year, 1, 1, 0, 0, 0, 0, 0, 0)) - time.timezone)


def _catalog(bucket: str, entries: list[dict]) -> bytes:
    return json.dumps({
        "version": "1.0", "name": bucket, "endpoint": f"s3://{bucket}/", "region": "us-east-1",
        "egress": "public, no-egress", "contact": "bench@example.org",
        "status": {"code": 1200, "message": "OK"}, "catalog": entries,
    }, indent=1).encode()


def _write(root: Path, bucket: str, key: str, data: bytes) -> None:
    path = root / bucket / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def aia_rows(total: int):
    """Yield (year, start_iso, stop_iso, key, size) for an AIA-like series of ``total`` rows."""
    rng = random.Random(94)
    per_year = total // len(YEARS)
    for i, year in enumerate(YEARS):
        n = per_year + (1 if i < total - per_year * len(YEARS) else 0)
        t0 = _epoch(year) + 2.12
        span = _epoch(year + 1) - _epoch(year) - 10
        step = span / n
        for j in range(n):
            s = t0 + j * step
            start = _iso(s)
            stamp = time.strftime("%Y_%m_%dT%H_%M_%S", time.gmtime(int(s)))
            day = time.strftime("%Y%m%d", time.gmtime(int(s)))
            key = (f"s3://bench-sdo/sdo/aia/{day}/0094/aia.lev1.94A_{stamp}.{int((s % 1) * 100):02d}Z"
                   f".image_lev1.fits")
            yield year, start, _iso(s + 2.9), key, rng.randint(6_000_000, 12_000_000)


def mms_rows(total: int):
    rng = random.Random(1)
    years = list(range(2015, 2023))
    per_year = total // len(years)
    for year in years:
        t0 = _epoch(year) + 3600
        span = _epoch(year + 1) - _epoch(year) - 7200
        step = span / per_year
        for j in range(per_year):
            s = int(t0 + j * step)
            stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(s))
            key = (f"s3://bench-mms/mms/mms1/feeps/brst/l2/electron/{year}/{time.strftime('%m', time.gmtime(s))}/"
                   f"mms1_feeps_brst_l2_electron_{stamp}_v7.1.1.cdf")
            yield (year, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s)),
                   time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(s + rng.randint(60, 600))), key,
                   rng.randint(500_000, 9_000_000))


def _csv_by_year(rows) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for year, start, stop, key, size in rows:
        out.setdefault(year, ["start,stop,datakey,filesize"]).append(f"{start},{stop},{key},{size}")
    return out


def generate(root: Path, *, aia_total: int = 1_500_000, mms_total: int = 64_000, search_buckets: int = 20,
             data_objects: int = 1000) -> dict:
    """Write every bench bucket under ``root`` (skipped when already there with the same sizes)."""
    stamp = root / "generated.json"
    params = {"aia_total": aia_total, "mms_total": mms_total, "search_buckets": search_buckets,
              "data_objects": data_objects, "format": 3}
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return params
    import shutil

    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    # SDO-like: csv index and the same rows with a parquet index
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    for year, lines in _csv_by_year(aia_rows(aia_total)).items():
        body = ("\n".join(lines) + "\n").encode()
        _write(root, "bench-sdo", f"sdo/aia/index/aia_0094_{year}.csv", body)
        table = pacsv.read_csv(pa.BufferReader(body), convert_options=pacsv.ConvertOptions(
            column_types={"start": pa.timestamp("ms", tz="UTC"), "stop": pa.timestamp("ms", tz="UTC")}))
        path = root / "bench-sdo" / f"sdo/aia/index-parquet/aia_0094_pq_{year}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path)
    aia_entry = {"id": "aia_0094", "index": "s3://bench-sdo/sdo/aia/index/", "title": "SDO AIA 94A images",
                 "start": "2010-01-01T00:00:02Z", "stop": "2022-12-31T23:59:00Z",
                 "modification": "2023-01-01T00:00:00Z", "indextype": "csv", "filetype": "fits"}
    pq_entry = dict(aia_entry, id="aia_0094_pq", index="s3://bench-sdo/sdo/aia/index-parquet/",
                    title="SDO AIA 94A images (parquet index)", indextype="parquet")
    _write(root, "bench-sdo", "catalog.json", _catalog("bench-sdo", [aia_entry, pq_entry]))
    # MMS-like
    for year, lines in _csv_by_year(mms_rows(mms_total)).items():
        _write(root, "bench-mms", f"mms/feeps/index/mms1_feeps_brst_electron_{year}.csv",
               ("\n".join(lines) + "\n").encode())
    mms_entry = {"id": "mms1_feeps_brst_electron", "index": "s3://bench-mms/mms/feeps/index/",
                 "title": "MMS1 FEEPS burst electrons", "start": "2015-01-01T01:00:00Z",
                 "stop": "2022-12-31T23:00:00Z", "modification": "2023-01-01T00:00:00Z",
                 "indextype": "csv", "filetype": "cdf"}
    _write(root, "bench-mms", "catalog.json", _catalog("bench-mms", [mms_entry]))
    # search: 20 buckets x 5 datasets
    rng = random.Random(20)
    missions = ["mms", "themis", "goes", "sdo", "psp", "wind", "ace", "stereo", "soho", "cluster"]
    kinds = ["magnetic field vector", "electron flux", "ion moments", "euv images", "plasma waves"]
    registry = []
    for b in range(search_buckets):
        bucket = f"bench-search-{b:02d}"
        entries = []
        for d in range(5):
            mission = missions[(b + d) % len(missions)]
            kind = kinds[d % len(kinds)]
            year = 2000 + rng.randint(0, 20)
            entries.append({"id": f"{mission}_{kind.split()[0]}_{b:02d}{d}", "index": f"s3://{bucket}/index/{d}/",
                            "title": f"{mission.upper()} {kind} dataset {d}", "start": f"{year}-01-01T00:00Z",
                            "stop": f"{year + 2}-06-30T00:00Z", "modification": "2024-01-01T00:00:00Z",
                            "indextype": "csv", "filetype": "cdf", "tags": [mission, kind.split()[0]]})
        _write(root, bucket, "catalog.json", _catalog(bucket, entries))
        registry.append({"endpoint": f"s3://{bucket}/", "name": bucket, "region": "us-east-1", "provider": "aws"})
    # transfers: small data objects with checksums in the index
    import hashlib

    lines = ["start,stop,datakey,filesize,checksum,checksum_algorithm"]
    t0 = _epoch(2020)
    for i in range(data_objects):
        body = rng.randbytes(rng.randint(4096, 16384))
        key = f"data/2020/obj_{i:04d}.bin"
        _write(root, "bench-data", key, body)
        lines.append(f"{_iso(t0 + 600 * i)},{_iso(t0 + 600 * i + 599)},s3://bench-data/{key},{len(body)},"
                     f"{hashlib.sha256(body).hexdigest()},sha256")
    _write(root, "bench-data", "index/small_files_2020.csv", ("\n".join(lines) + "\n").encode())
    _write(root, "bench-data", "catalog.json", _catalog("bench-data", [{
        "id": "small_files", "index": "s3://bench-data/index/", "title": "Small data objects for transfers",
        "start": _iso(t0), "stop": _iso(t0 + 600 * data_objects), "modification": "2024-01-01T00:00:00Z",
        "indextype": "csv", "filetype": "binary"}]))
    (root / "search-registry.json").write_text(json.dumps({"version": "1.0", "modificationDate": "2024-01-01T00:00Z",
                                                          "registry": registry}))
    stamp.write_text(json.dumps(params))
    return params


def buckets(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.is_dir())


def objects(root: Path, bucket: str):
    base = root / bucket
    for dirpath, _, files in os.walk(base):
        for name in files:
            path = Path(dirpath) / name
            yield path.relative_to(base).as_posix(), path
