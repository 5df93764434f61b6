"""The local cache: what is written where, when the server is asked again, and what happens
when the server changes, loses a file or stops answering."""

from __future__ import annotations

import logging
import os

import pytest

import scregistry
from builders import csv_index
from registry_helpers import (
    DS, closed_url_port, downloads_since, keys_of, methods_since, publish_http, publish_s3, requests_since,
    unconditional_gets_since, year_rows,
)

WINDOW = {"start_date": "2019-01-01T00:00:00Z", "stop_date": "2022-01-01T00:00:00Z"}


def quick_storage(**kw):
    return scregistry.Storage(retries=1, backoff=0.01, timeout=10, **kw)


def all_files(folder):
    """Every file under ``folder`` (hidden ones included), relative, as posix strings."""
    out = []
    for root, _dirs, files in os.walk(folder):
        for name in files:
            out.append(os.path.relpath(os.path.join(root, name), folder).replace(os.sep, "/"))
    return sorted(out)


def find_copy(folder, basename):
    """The cached copy named ``basename`` (not its metadata sidecar), or None."""
    hits = [p for p in all_files(folder) if p.split("/")[-1] == basename]
    assert len(hits) <= 1, hits
    return (folder / hits[0]) if hits else None


@pytest.fixture
def cwd(tmp_path, monkeypatch):
    d = tmp_path / "cwd"
    d.mkdir()
    monkeypatch.chdir(d)
    return d


@pytest.fixture
def site(http_server):
    base, rows, paths = publish_http(http_server, "bucket")
    return http_server, base, rows, paths


def test_catalog_and_index_files_are_written_under_the_folder_only(tmp_path, cwd, site):
    server, base, rows, paths = site
    folder = tmp_path / "cache"
    fr = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    df = fr.request_file_registry(DS, **WINDOW)
    assert df["datakey"].tolist() == keys_of(rows)

    catalog_copy = find_copy(folder, "catalog.json")
    assert catalog_copy is not None
    assert catalog_copy.read_bytes() == server.state.files["/bucket/catalog.json"]
    for year, path in paths.items():
        copy = find_copy(folder, f"{DS}_{year}.csv")
        assert copy is not None, f"{DS}_{year}.csv not cached: {all_files(folder)}"
        assert copy.read_bytes() == server.state.files[path]
    # nothing outside the folder: the working directory and tmp_path gain nothing
    assert all_files(cwd) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "cwd"]


def test_second_registry_uses_cache_without_get(tmp_path, cwd, site):
    server, base, rows, paths = site
    folder = tmp_path / "cache"
    first = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    expected = first.request_file_registry(DS, **WINDOW)["datakey"].tolist()
    assert expected == keys_of(rows)

    mark = len(server.state.log())
    again = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    df = again.request_file_registry(DS, **WINDOW)
    assert df["datakey"].tolist() == expected
    # revalidation only: HEAD requests, or conditional GETs naming the current ETag (which a
    # server answers 304 without a body); no download
    assert requests_since(server, mark), "the cache was not revalidated at all"
    assert downloads_since(server, mark) == []
    assert set(methods_since(server, mark)) <= {"HEAD", "GET"}
    # every cached object was revalidated (so a growing index is never served stale)
    revalidated = {r["path"] for r in requests_since(server, mark)}
    assert {"/bucket/catalog.json", *paths.values()} <= revalidated


def test_changed_server_copy_is_fetched_again(tmp_path, cwd, site):
    server, base, rows, paths = site
    folder = tmp_path / "cache"
    fr = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    fr.request_file_registry(DS, **WINDOW)

    # the current-year file grows: new content, new ETag
    grown = rows[2021] + year_rows(2021, "s3://data-bucket/", DS, months=(11, 12))
    server.state.put(paths[2021], csv_index(grown))
    mark = len(server.state.log())
    fr2 = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    df = fr2.request_file_registry(DS, **WINDOW)
    assert df["datakey"].tolist() == keys_of({**rows, 2021: grown})
    assert downloads_since(server, mark, paths[2021])
    for year in (2019, 2020):  # unchanged files are not downloaded again
        assert downloads_since(server, mark, paths[year]) == []
    assert find_copy(folder, f"{DS}_2021.csv").read_bytes() == csv_index(grown)


def test_changed_catalog_is_fetched_again(tmp_path, cwd, http_server):
    base, rows, _ = publish_http(http_server, "bucket", years=(2019, 2020))
    folder = tmp_path / "cache"
    fr = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    assert fr.get_entry(DS)["stop"] == "2020-12-31T23:59:59Z"
    # the owner extends the dataset: the catalog changes on the server
    base2, rows2, _ = publish_http(http_server, "bucket", years=(2019, 2020, 2021))
    fr2 = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    assert fr2.get_entry(DS)["stop"] == "2021-12-31T23:59:59Z"
    assert fr2.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows2)


def test_stopped_http_server_serves_cached_rows_with_warning(tmp_path, cwd, site, caplog):
    server, base, rows, paths = site
    folder = tmp_path / "cache"
    fr = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    expected = fr.request_file_registry(DS, **WINDOW)["datakey"].tolist()
    server.stop()

    caplog.set_level(logging.WARNING, logger="scregistry")
    offline = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    df = offline.request_file_registry(DS, **WINDOW)
    assert df["datakey"].tolist() == expected == keys_of(rows)
    warnings = [r for r in caplog.records if r.name.startswith("scregistry") and r.levelno >= logging.WARNING]
    assert warnings, "no warning that cached copies stand in for an unreachable server"
    # the cached copies are kept
    for year in paths:
        assert find_copy(folder, f"{DS}_{year}.csv") is not None


def test_unreachable_s3_store_serves_cached_rows_with_warning(tmp_path, cwd, s3_endpoint, bucket, put, caplog):
    base, rows = publish_s3(put, bucket)
    folder = tmp_path / "cache"
    fr = scregistry.FileRegistry(base, cache_folder=folder, cache=True,
                                 storage=quick_storage(endpoint_url=s3_endpoint))
    expected = fr.request_file_registry(DS, **WINDOW)["datakey"].tolist()
    assert expected == keys_of(rows)

    caplog.set_level(logging.WARNING, logger="scregistry")
    dead = f"http://127.0.0.1:{closed_url_port()}"
    offline = scregistry.FileRegistry(base, cache_folder=folder, cache=True,
                                      storage=quick_storage(endpoint_url=dead))
    assert offline.request_file_registry(DS, **WINDOW)["datakey"].tolist() == expected
    warnings = [r for r in caplog.records if r.name.startswith("scregistry") and r.levelno >= logging.WARNING]
    assert warnings
    assert any(f"s3://{bucket}/" in r.getMessage() for r in warnings)


def test_overwrite_refetches_unchanged_files(tmp_path, cwd, site):
    server, base, rows, paths = site
    folder = tmp_path / "cache"
    fr = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    fr.request_file_registry(DS, **WINDOW)
    mark = len(server.state.log())
    df = fr.request_file_registry(DS, **WINDOW, overwrite=True)
    assert df["datakey"].tolist() == keys_of(rows)
    for path in paths.values():  # a plain GET, though nothing changed
        assert unconditional_gets_since(server, mark, path), (path, requests_since(server, mark, path))
    # and without overwrite, the same call does not download
    mark = len(server.state.log())
    fr.request_file_registry(DS, **WINDOW, overwrite=False)
    assert downloads_since(server, mark) == []


def test_year_file_deleted_on_server_is_dropped_and_a_gap(tmp_path, cwd, site):
    server, base, rows, paths = site
    folder = tmp_path / "cache"
    fr = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    fr.request_file_registry(DS, **WINDOW)
    assert find_copy(folder, f"{DS}_2020.csv") is not None

    with server.state.lock:
        del server.state.files[paths[2020]]
    fr2 = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    df = fr2.request_file_registry(DS, **WINDOW)
    assert df["datakey"].tolist() == keys_of(rows, years={2019, 2021})
    assert find_copy(folder, f"{DS}_2020.csv") is None
    assert find_copy(folder, f"{DS}_2019.csv") is not None


def test_cache_is_off_by_default(tmp_path, cwd, site):
    server, base, rows, paths = site
    fr = scregistry.FileRegistry(base, storage=quick_storage())
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)
    assert all_files(cwd) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd"]


def test_cache_false_writes_nothing_even_with_a_folder(tmp_path, cwd, site):
    server, base, rows, paths = site
    fr = scregistry.FileRegistry(base, cache_folder=tmp_path / "cache", cache=False, storage=quick_storage())
    fr.request_file_registry(DS, **WINDOW)
    assert not (tmp_path / "cache").exists() or all_files(tmp_path / "cache") == []
    assert all_files(cwd) == []


def test_default_folder_is_bucket_cache_in_cwd(tmp_path, cwd, s3_endpoint, bucket, put):
    base, rows = publish_s3(put, bucket)
    fr = scregistry.FileRegistry(base, cache=True, storage=quick_storage(endpoint_url=s3_endpoint))
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)
    folder = cwd / f"{bucket}_cache"
    assert folder.is_dir()
    assert sorted(p.name for p in cwd.iterdir()) == [f"{bucket}_cache"]
    assert find_copy(folder, "catalog.json") is not None
    for year in rows:
        assert find_copy(folder, f"{DS}_{year}.csv") is not None


def test_writes_are_atomic_no_part_files(tmp_path, cwd, site):
    server, base, rows, paths = site
    folder = tmp_path / "cache"
    fr = scregistry.FileRegistry(base, cache_folder=folder, cache=True, storage=quick_storage())
    fr.request_file_registry(DS, **WINDOW)
    server.state.put(paths[2020], csv_index(rows[2020][:2]))  # a rewrite of one copy
    fr.request_file_registry(DS, **WINDOW, overwrite=True)
    files = all_files(folder)
    assert not [f for f in files if f.endswith(".part") or ".part" in f.split("/")[-1]], files
    assert find_copy(folder, f"{DS}_2020.csv").read_bytes() == csv_index(rows[2020][:2])
