"""Helpers shared by test_api, test_cache, test_errors and test_storage: publish small
buckets (catalog + yearly index files) on the loopback HTTP server or on moto, and read
the request logs. Expected values always come from the rows built here."""

from __future__ import annotations

import uuid

from builders import catalog, csv_index, entry, t
from servers import free_port

DS = "ds"


def year_rows(year: int, key_base: str, eid: str = DS, months=(1, 4, 7, 10)):
    """Four rows in ``year`` (one on the 10th of each listed month, one hour long)."""
    return [
        (f"{year}-{m:02d}-10T00:00:00Z", f"{year}-{m:02d}-10T01:00:00Z",
         f"{key_base}{eid}/{year}/{eid}_{year}{m:02d}10.cdf", 1000 * year + m)
        for m in months
    ]


def publish_http(server, prefix: str = "bucket", years=(2019, 2020, 2021), eid: str = DS,
                 catalog_extra: dict | None = None, skip_years=()):
    """Publish a bucket at ``server.url/<prefix>/`` with one dataset ``eid`` whose index
    lives at ``/<prefix>/idx/``. Returns ``(bucket_url, rows_by_year, index_paths)``."""
    base = f"{server.url}/{prefix}/"
    index = f"{base}idx/"
    rows_by_year = {y: year_rows(y, f"s3://data-{prefix}/", eid) for y in years}
    paths = {}
    for y in years:
        path = f"/{prefix}/idx/{eid}_{y}.csv"
        paths[y] = path
        if y not in skip_years:
            server.state.put(path, csv_index(rows_by_year[y]))
    ent = entry(eid, index, f"{years[0]}-01-01T00:00:00Z", f"{years[-1]}-12-31T23:59:59Z")
    server.state.put(f"/{prefix}/catalog.json", catalog(base, [ent], **(catalog_extra or {})))
    return base, rows_by_year, paths


def publish_s3(put, bucket: str, years=(2019, 2020, 2021), eid: str = DS):
    """The same layout in a moto bucket: ``s3://<bucket>/catalog.json`` and ``idx/<eid>_<YYYY>.csv``."""
    rows_by_year = {y: year_rows(y, f"s3://{bucket}/data/", eid) for y in years}
    for y in years:
        put(bucket, f"idx/{eid}_{y}.csv", csv_index(rows_by_year[y]))
    ent = entry(eid, f"s3://{bucket}/idx/", f"{years[0]}-01-01T00:00:00Z", f"{years[-1]}-12-31T23:59:59Z")
    put(bucket, "catalog.json", catalog(f"s3://{bucket}/", [ent]))
    return f"s3://{bucket}/", rows_by_year


def keys_of(rows_by_year, years=None):
    """Datakeys of the given years' rows, in time order."""
    out = []
    for y in sorted(rows_by_year):
        if years is None or y in years:
            out += [r for r in rows_by_year[y]]
    out.sort(key=lambda r: t(r[0]))
    return [r[2] for r in out]


def requests_since(server, mark: int, path: str | None = None):
    log = server.state.log()[mark:]
    return [r for r in log if path is None or r["path"] == path]


def methods_since(server, mark: int, path: str | None = None):
    return [r["method"] for r in requests_since(server, mark, path)]


def closed_url_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()


def private_bucket(private_s3, files: dict[str, bytes]) -> str:
    """A fresh bucket on the authenticated moto server holding ``files``; auth is on afterwards.

    Objects are written before auth is switched on (or signed with the real key when it
    already is, since ``enable_auth`` replaces ``private_s3.admin``)."""
    name = "p-" + uuid.uuid4().hex[:12]
    private_s3.admin.create_bucket(Bucket=name)
    for key, data in files.items():
        private_s3.admin.put_object(Bucket=name, Key=key, Body=data)
    private_s3.enable_auth()
    return name


def current_etag(server, path: str) -> str | None:
    """The ETag the HTTP test server gives ``path`` now (quoted md5 of its content)."""
    import hashlib

    with server.state.lock:
        data = server.state.files.get(path)
    return None if data is None else '"' + hashlib.md5(data).hexdigest() + '"'


def downloads_since(server, mark: int, path: str | None = None):
    """GET requests since ``mark`` that ask for the body: conditional GETs whose
    ``If-None-Match`` names the object's current ETag do not count, since a server that
    implements them answers 304 with no body (the test server ignores the header)."""
    out = []
    for r in requests_since(server, mark, path):
        if r["method"] != "GET":
            continue
        headers = {k.lower(): v for k, v in r["headers"].items()}
        inm = headers.get("if-none-match")
        if inm is not None and current_etag(server, r["path"]) in [v.strip() for v in inm.split(",")]:
            continue
        out.append(r)
    return out


def unconditional_gets_since(server, mark: int, path: str | None = None):
    """GET requests since ``mark`` that carry no validator at all."""
    out = []
    for r in requests_since(server, mark, path):
        headers = {k.lower() for k in r["headers"]}
        if r["method"] == "GET" and not headers & {"if-none-match", "if-modified-since"}:
            out.append(r)
    return out
