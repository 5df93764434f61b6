"""The user's API, as the seed README writes it, against the embedded sample registry and
against registries on the loopback servers.

Expected values come from the fixtures: the sample registry's files are read here with the
standard library (csv, json, zipfile) and pyarrow.parquet; the server fixtures from the rows
built in registry_helpers / builders."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import os
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
from botocore.exceptions import ClientError
import pytest

import scregistry
from builders import catalog, csv_index, entry, registry
from servers import make_public
from registry_helpers import DS, keys_of, publish_s3, year_rows

UTC = dt.timezone.utc
SAMPLE = Path(scregistry.__file__).parent / "data" / "sample"


# -- reading the sample registry independently ------------------------------------------------

def ptime(text: str) -> dt.datetime:
    text = text.strip().strip("'").strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def sample_json(*parts):
    return json.loads((SAMPLE.joinpath(*parts)).read_text())


def sample_catalogs():
    """{bucket folder name: catalog document}."""
    reg = sample_json("registry.json")
    out = {}
    for e in reg["registry"]:
        folder = e["endpoint"].strip("/").split("/")[-1]
        out[folder] = sample_json("buckets", folder, "catalog.json")
    return out


def sample_entry(dataset_id):
    for folder, doc in sample_catalogs().items():
        for e in doc["catalog"]:
            if e["id"] == dataset_id:
                return folder, e
    raise LookupError(dataset_id)


def sample_rows(dataset_id):
    """All rows of a sample dataset as (start, stop or None, datakey, filesize), in file order."""
    folder, e = sample_entry(dataset_id)
    index_dir = SAMPLE / "buckets" / folder / e["index"]
    kind = e.get("indextype", "csv")
    rows = []
    for path in sorted(index_dir.iterdir()):
        name = path.name
        if not name.startswith(dataset_id + "_"):
            continue
        if kind == "parquet" and name.endswith(".parquet"):
            for r in pq.read_table(path).to_pylist():
                rows.append((r["start"].astimezone(UTC), r["stop"].astimezone(UTC), r["datakey"], int(r["filesize"])))
            continue
        if kind == "csv-zip" and name.endswith(".csv.zip"):
            with zipfile.ZipFile(path) as zf:
                text = zf.read(zf.namelist()[0]).decode()
        elif kind == "csv" and name.endswith(".csv"):
            text = path.read_text()
        else:
            continue
        for fields in csv.reader(io.StringIO(text), quotechar="'", skipinitialspace=True):
            if not fields or not fields[0].strip():
                continue
            first = fields[0].strip().lstrip("#").strip()
            if first[:1].isalpha():  # header line
                continue
            fields = [f.strip().strip("'") for f in fields]
            if len(fields) == 3:  # spec 0.3: start, key, filesize
                rows.append((ptime(fields[0]), None, fields[1], int(fields[2])))
            else:
                rows.append((ptime(fields[0]), ptime(fields[1]), fields[2], int(fields[3])))
    return rows


def overlapping(rows, start, stop, *, stop_inclusive=False):
    """SPEC's rule: row.stop >= start and row.start < stop (start <= row.start < stop without a stop)."""
    out = []
    for r in rows:
        before_end = r[0] <= stop if stop_inclusive else r[0] < stop
        reaches = (r[1] >= start) if r[1] is not None else (r[0] >= start)
        if before_end and reaches:
            out.append(r)
    return sorted(out, key=lambda r: r[0])


def check_frame(df, rows):
    assert df["datakey"].tolist() == [r[2] for r in rows]
    assert [int(x) for x in df["filesize"].tolist()] == [r[3] for r in rows]
    assert [ts.to_pydatetime().astimezone(UTC) for ts in df["start"]] == [r[0] for r in rows]


@pytest.fixture
def sample_env(monkeypatch):
    monkeypatch.setenv("ROOT_CATALOG_REGISTRY_URL", "sample")


def snapshot(folder):
    return sorted(str(p.relative_to(folder)) for p in Path(folder).rglob("*"))


# -- README: Initial Setup and Global Catalog -------------------------------------------------

@pytest.mark.parametrize("how", ["env", "argument"])
def test_readme_global_catalog_on_sample(sample_env, how, capsys):
    reg = sample_json("registry.json")
    # Create CatalogRegistry object which will by default pull from the Heliocloud global catalog
    cr = scregistry.CatalogRegistry() if how == "env" else scregistry.CatalogRegistry("sample")
    print(cr.get_catalog())
    print(cr.get_entries())
    assert cr.get_catalog() == reg
    expected = [(e["name"], e["region"]) for e in reg["registry"]]
    assert cr.get_entries() == expected
    assert cr.get_entries_name_region() == expected
    assert [r["name"] for r in cr.get_registry()] == [e["name"] for e in reg["registry"]]
    assert capsys.readouterr().out


def test_sample_endpoints_resolve_to_bucket_folders():
    cr = scregistry.CatalogRegistry("sample")
    for e in sample_json("registry.json")["registry"]:
        endpoint = cr.get_endpoint(e["name"], region_prefix="")
        assert os.path.samefile(endpoint, SAMPLE / e["endpoint"])
        fr = scregistry.FileRegistry(endpoint)
        assert fr.get_catalog() == sample_json(e["endpoint"], "catalog.json")


# -- README: Finding and Requesting the File Registry (sample) ---------------------------------

def test_readme_request_block_on_sample(sample_env, tmp_path, monkeypatch, capsys):
    cwd = tmp_path / "work"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    before = snapshot(SAMPLE)
    cr = scregistry.CatalogRegistry()
    # With the bucket name we have obtained (possibly by using cr.get_endpoint(name, region_prefix=''))
    bucket_name = cr.get_endpoint("Sample SDO archive", region_prefix="")
    fr = scregistry.FileRegistry(bucket_name, cache_folder=None, cache=True)
    print(fr.get_catalog())
    print(fr.get_entries())
    fr_id = "aia_0094"
    start_date = "2007-02-01T00:00:00Z"
    end_date = None
    myfiles = fr.request_file_registry(fr_id, start_date=start_date, end_date=end_date, overwrite=False)

    doc = sample_json("buckets", "helio-sample-sdo", "catalog.json")
    assert fr.get_catalog() == doc
    assert fr.get_entries() == [(e["id"], e["title"]) for e in doc["catalog"]]
    assert fr.get_entries_id_title() == fr.get_entries()
    assert fr.get_entries_dict() == doc["catalog"]
    rows = sample_rows(fr_id)
    _, e = sample_entry(fr_id)
    expected = overlapping(rows, ptime(start_date), ptime(e["stop"]), stop_inclusive=True)
    assert len(expected) == 6768  # the sample's README: rows per year 932+1456+1464+1456+1460
    check_frame(myfiles, expected)
    # the cache went to <bucket>_cache in the current folder, and the package data is untouched
    assert [p.name for p in cwd.iterdir()] == ["helio-sample-sdo_cache"]
    assert snapshot(SAMPLE) == before


@pytest.mark.parametrize("dataset_id", ["aia_0094", "aia_0171", "mms1_feeps_brst_electron",
                                        "goes16_xrs_1s", "ace_swepam_legacy"])
def test_terse_example_full_range_on_sample(dataset_id):
    folder, e = sample_entry(dataset_id)
    s3bucket = str(SAMPLE / "buckets" / folder) + "/"
    fr = scregistry.FileRegistry(s3bucket)
    mylist = fr.request_file_registry(dataset_id,
                                      start_date=fr.get_entry(dataset_id)["start"],
                                      stop_date=fr.get_entry(dataset_id)["stop"])
    assert fr.get_entry(dataset_id) == e
    expected = overlapping(sample_rows(dataset_id), ptime(e["start"]), ptime(e["stop"]))
    check_frame(mylist, expected)


def test_terse_sdo_example_on_sample():
    dataid = "aia_0094"
    s3bucket = str(SAMPLE / "buckets" / "helio-sample-sdo") + "/"
    fr = scregistry.FileRegistry(s3bucket)
    mySDOlist = fr.request_file_registry(dataid,
                                         start_date=fr.get_entry(dataid)['start'],
                                         stop_date=fr.get_entry(dataid)['stop'])
    assert len(mySDOlist) == 6768
    assert mySDOlist["datakey"].iloc[0] == sample_rows(dataid)[0][2]


def test_terse_mms_example_on_sample():
    dataid = "mms1_feeps_brst_electron"
    s3bucket = str(SAMPLE / "buckets" / "helio-sample-public") + "/"
    fr = scregistry.FileRegistry(s3bucket)
    myMMSlist = fr.request_file_registry(dataid,
                                         start_date=fr.get_entry(dataid)['start'],
                                         stop_date=fr.get_entry(dataid)['stop'])
    assert len(myMMSlist) == 3066
    spec_row = ("s3://helio-sample-public/mms/mms1/feeps/brst/l2/electron/2020/02/"
                "mms1_feeps_brst_l2_electron_20200201081923_v7.1.1.cdf")
    assert spec_row in set(myMMSlist["datakey"])


def test_window_across_new_year_on_sample():
    """A window starting in 2021 must include the burst listed at the end of the 2020 file."""
    dataid = "mms1_feeps_brst_electron"
    fr = scregistry.FileRegistry(str(SAMPLE / "buckets" / "helio-sample-public") + "/")
    start, stop = "2021-01-01T00:00:00Z", "2021-01-20T00:00:00Z"
    df = fr.request_file_registry(dataid, start_date=start, stop_date=stop)
    expected = overlapping(sample_rows(dataid), ptime(start), ptime(stop))
    assert any(r[2].endswith("20201231235800_v7.1.1.cdf") for r in expected)
    check_frame(df, expected)


def test_stop_date_and_end_date_are_the_same_argument():
    dataid = "goes16_xrs_1s"
    fr = scregistry.FileRegistry(str(SAMPLE / "buckets" / "helio-sample-public") + "/")
    a = fr.request_file_registry(dataid, start_date="2018-03-01T00:00:00Z", stop_date="2018-04-01T00:00:00Z")
    b = fr.request_file_registry(dataid, start_date="2018-03-01T00:00:00Z", end_date="2018-04-01T00:00:00Z")
    expected = overlapping(sample_rows(dataid), ptime("2018-03-01T00:00:00Z"), ptime("2018-04-01T00:00:00Z"))
    check_frame(a, expected)
    check_frame(b, expected)


def test_successor_names_on_sample():
    assert scregistry.CloudCatalog is not None
    dataid = "aia_0171"
    cc = scregistry.CloudCatalog(str(SAMPLE / "buckets" / "helio-sample-sdo") + "/")
    df = cc.request_cloud_catalog(dataid, start_date="2012-06-01T00:00:00Z", stop_date="2012-07-01T00:00:00Z")
    expected = overlapping(sample_rows(dataid), ptime("2012-06-01T00:00:00Z"), ptime("2012-07-01T00:00:00Z"))
    check_frame(df, expected)
    fr = scregistry.FileRegistry(str(SAMPLE / "buckets" / "helio-sample-sdo") + "/")
    assert fr.request_cloud_catalog(dataid, start_date="2012-06-01T00:00:00Z",
                                    stop_date="2012-07-01T00:00:00Z")["datakey"].tolist() == [r[2] for r in expected]


# -- README on real protocol: a registry on HTTP pointing at moto buckets ----------------------

@pytest.fixture
def s3_registry(http_server, s3_admin, s3_endpoint, put, monkeypatch):
    """Two public moto buckets with catalogs, listed (with a same-named third) in a registry
    served over HTTP. AWS_ENDPOINT_URL points s3:// at moto."""
    import uuid

    names = ["b-" + uuid.uuid4().hex[:12] for _ in range(2)]
    for n in names:
        s3_admin.create_bucket(Bucket=n)
        make_public(s3_admin, n)
    rows = {n: publish_s3(put, n)[1] for n in names}
    buckets = [(f"s3://{names[0]}/", "Archive One", "us-east-1"),
               (f"s3://{names[1]}/", "Archive Two", "us-west-2"),
               (f"s3://{names[1]}-mirror/", "Archive Two", "eu-west-1")]
    http_server.state.put("/registry.json", registry(buckets))
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    return f"{http_server.url}/registry.json", names, rows, buckets


def test_catalog_registry_over_http(s3_registry):
    url, names, rows, buckets = s3_registry
    cr = scregistry.CatalogRegistry(url)
    assert cr.get_catalog() == json.loads(registry(buckets))
    assert cr.get_entries() == [(n, r) for _, n, r in buckets]
    assert cr.get_entries_name_region() == cr.get_entries()
    assert [(d["endpoint"], d["name"], d["region"]) for d in cr.get_registry()] == buckets
    assert cr.get_endpoint("Archive One", region_prefix="") == f"s3://{names[0]}/"
    assert cr.get_endpoint("Archive Two", region_prefix="us-") == f"s3://{names[1]}/"
    fr = scregistry.FileRegistry(cr.get_endpoint("Archive One", region_prefix=""))
    assert fr.get_entries() == [(DS, f"Dataset {DS}")]
    df = fr.request_file_registry(DS, start_date="2020-01-01T00:00:00Z", stop_date="2021-01-01T00:00:00Z")
    assert df["datakey"].tolist() == keys_of(rows[names[0]], years={2020})


def test_catalog_registry_from_environment_over_http(s3_registry, monkeypatch):
    url, names, rows, buckets = s3_registry
    monkeypatch.setenv("ROOT_CATALOG_REGISTRY_URL", url)
    cr = scregistry.CatalogRegistry()
    assert cr.get_entries() == [(n, r) for _, n, r in buckets]


# -- README block 2 with a bare bucket name ------------------------------------------------------

BARE = "a-bucket-name"
README_ID = "an_id_from_data_registry_catalog"


@pytest.fixture
def bare_bucket(s3_admin, s3_endpoint, monkeypatch):
    """The README's 'a-bucket-name' on moto, with real data objects behind every datakey."""
    try:
        s3_admin.create_bucket(Bucket=BARE)
    except ClientError as exc:  # already made by an earlier test of this session
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    make_public(s3_admin, BARE)
    rows = {y: year_rows(y, f"s3://{BARE}/data/", README_ID, months=(1, 3, 6, 12)) for y in (2006, 2007, 2008)}
    payloads = {}
    for y, rs in rows.items():
        fixed = []
        for r in rs:
            body = (f"data file {r[2]}\n".encode()) * (3 + r[3] % 7)
            key = r[2][len(f"s3://{BARE}/"):]
            s3_admin.put_object(Bucket=BARE, Key=key, Body=body)
            payloads[r[2]] = body
            fixed.append((r[0], r[1], r[2], len(body)))
        rows[y] = fixed
        s3_admin.put_object(Bucket=BARE, Key=f"index/{README_ID}_{y}.csv", Body=csv_index(fixed))
    s3_admin.put_object(Bucket=BARE, Key="catalog.json", Body=catalog(f"s3://{BARE}/", [
        entry(README_ID, f"s3://{BARE}/index/", "2006-01-10T00:00:00Z", "2008-12-10T01:00:00Z")]))
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    return rows, payloads


def test_readme_request_block_with_bare_bucket_name(bare_bucket, tmp_path, monkeypatch, capsys):
    rows, payloads = bare_bucket
    monkeypatch.chdir(tmp_path)
    bucket_name = 'a-bucket-name'
    fr = scregistry.FileRegistry(bucket_name, cache_folder=None, cache=True)
    print(fr.get_catalog())
    print(fr.get_entries())
    fr_id = 'an_id_from_data_registry_catalog'
    start_date = '2007-02-01T00:00:00Z'
    end_date = None
    myfiles = fr.request_file_registry(fr_id, start_date=start_date, end_date=end_date, overwrite=False)

    assert fr.get_entries() == [(README_ID, f"Dataset {README_ID}")]
    all_rows = [(ptime(a), ptime(b), k, s) for y in sorted(rows) for a, b, k, s in rows[y]]
    expected = overlapping(all_rows, ptime(start_date), ptime("2008-12-10T01:00:00Z"), stop_inclusive=True)
    assert myfiles["datakey"].tolist() == [r[2] for r in expected]
    assert myfiles["datakey"].tolist()[0] == f"s3://{BARE}/data/{README_ID}/2007/{README_ID}_20070310.cdf"
    # cache_folder defaults to bucket_name + '_cache', in the current folder
    assert (tmp_path / "a-bucket-name_cache").is_dir()
    assert [p.name for p in tmp_path.iterdir()] == ["a-bucket-name_cache"]


def test_readme_stream_three_argument_form_on_class(bare_bucket):
    rows, payloads = bare_bucket
    fr = scregistry.FileRegistry('a-bucket-name')
    file_registry = fr.request_file_registry(README_ID, start_date="2007-01-01T00:00:00Z",
                                             stop_date="2008-01-01T00:00:00Z")
    expected = [r for r in rows[2007]]
    assert file_registry["datakey"].tolist() == [r[2] for r in expected]
    seen = []
    scregistry.FileRegistry.stream(file_registry,
                                   lambda bfile, startdate, filesize: seen.append((bfile.read(), startdate, filesize)))
    assert [s[0] for s in seen] == [payloads[r[2]] for r in expected]
    assert [int(s[2]) for s in seen] == [r[3] for r in expected]
    assert [ptime(str(s[1])) if isinstance(s[1], str) else s[1] for s in seen] == [ptime(r[0]) for r in expected]


def test_stream_four_argument_form_on_instance_uses_its_storage(s3_endpoint, bucket, s3_admin):
    """No AWS_ENDPOINT_URL here: only the instance's endpoint_url can reach the data."""
    rows = year_rows(2020, f"s3://{bucket}/data/")
    payloads = {}
    fixed = []
    for i, r in enumerate(rows):
        body = bytes(range(256)) * (i + 1)
        s3_admin.put_object(Bucket=bucket, Key=r[2][len(f"s3://{bucket}/"):], Body=body)
        payloads[r[2]] = body
        fixed.append((r[0], r[1], r[2], len(body)))
    s3_admin.put_object(Bucket=bucket, Key=f"idx/{DS}_2020.csv", Body=csv_index(fixed))
    s3_admin.put_object(Bucket=bucket, Key="catalog.json", Body=catalog(f"s3://{bucket}/", [
        entry(DS, f"s3://{bucket}/idx/", "2020-01-01T00:00:00Z", "2020-12-31T23:59:59Z")]))
    fr = scregistry.FileRegistry(f"s3://{bucket}/", endpoint_url=s3_endpoint)
    df = fr.request_file_registry(DS, start_date="2020-01-01T00:00:00Z", stop_date="2021-01-01T00:00:00Z")
    df = df.iloc[::-1].reset_index(drop=True)  # delivery follows the DataFrame's order
    seen = []

    def process(file_bytes, start, stop, filesize):
        seen.append((file_bytes.read(), start, stop, filesize))

    fr.stream(df, process)
    order = list(reversed(fixed))
    assert [s[0] for s in seen] == [payloads[r[2]] for r in order]
    assert [int(s[3]) for s in seen] == [r[3] for r in order]
    assert [ptime(str(s[1])) for s in seen] == [ptime(r[0]) for r in order]
    assert [ptime(str(s[2])) for s in seen] == [ptime(r[1]) for r in order]


# -- README: Searching the Entire Catalog ------------------------------------------------------

def test_readme_search_on_sample(sample_env):
    search = scregistry.EntireCatalogSearch()
    ids_with_aia = sorted(e["id"] for doc in sample_catalogs().values() for e in doc["catalog"]
                          if "aia" in e["id"] or "aia" in e["title"].lower())
    assert sorted(e["id"] for e in search.search_by_keywords(["aia"])) == ids_with_aia
    top_search_result = search.search_by_keywords(["goes16"])[0]
    print(top_search_result)
    assert top_search_result == sample_entry("goes16_xrs_1s")[1]
    assert [e["id"] for e in search.search_by_id("mms1")] == ["mms1_feeps_brst_electron"]
    assert search.failed == []


@pytest.fixture
def search_registry(http_server, s3_admin, s3_endpoint, put, monkeypatch):
    import uuid

    good = ["b-" + uuid.uuid4().hex[:12] for _ in range(2)]
    empty = "b-" + uuid.uuid4().hex[:12]
    for n in good + [empty]:
        s3_admin.create_bucket(Bucket=n)
        make_public(s3_admin, n)
    entries_a = [
        entry("mag_vector_1s", f"s3://{good[0]}/idx/", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z",
              title="Useful vector magnetic field from the mission"),
        entry("plasma_moments", f"s3://{good[0]}/idx/", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z",
              title="Plasma moments"),
    ]
    entries_b = [
        entry("euv_images", f"s3://{good[1]}/idx/", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z",
              title="EUV images of the mission"),
        entry("vector_potential", f"s3://{good[1]}/idx/", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z",
              title="Useful vector potential model"),
    ]
    put(good[0], "catalog.json", catalog(f"s3://{good[0]}/", entries_a))
    put(good[1], "catalog.json", catalog(f"s3://{good[1]}/", entries_b))
    http_server.state.put("/badjson/catalog.json", b'{"catalog": [ {"id": "x", ]')
    bad_http = f"{http_server.url}/badjson/"
    buckets = [(f"s3://{good[0]}/", "A", "us-east-1"), (f"s3://{empty}/", "Empty", "us-east-1"),
               (bad_http, "Bad", "us-east-1"), (f"s3://{good[1]}/", "B", "us-west-2")]
    http_server.state.put("/reg.json", registry(buckets))
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    return f"{http_server.url}/reg.json", entries_a, entries_b, [f"s3://{empty}/", bad_http]


def test_entire_catalog_search_skips_unreadable_buckets(search_registry, caplog):
    url, entries_a, entries_b, bad = search_registry
    caplog.set_level(logging.WARNING, logger="scregistry")
    search = scregistry.EntireCatalogSearch(url)

    failed = [f[0] if isinstance(f, (tuple, list)) else f for f in search.failed]
    assert sorted(failed) == sorted(bad)
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    for endpoint in bad:
        assert endpoint in warned

    top_search_result = search.search_by_keywords(['vector', 'mission', 'useful'])[0]
    print(top_search_result)
    assert top_search_result == entries_a[0]
    ranked = [e["id"] for e in search.search_by_keywords(['vector', 'mission', 'useful'])]
    assert ranked == ["mag_vector_1s", "vector_potential", "euv_images"]
    assert [e["id"] for e in search.search_by_id("vector")] == ["mag_vector_1s", "vector_potential"]
    assert [e["id"] for e in search.search_by_title("mission")] == ["mag_vector_1s", "euv_images"]
    assert search.search_by_id("plasma") == [entries_a[1]]
    assert search.search_by_keywords(["nothing-matches-this"]) == []
