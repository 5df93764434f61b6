"""Every error scregistry raises: its class, the built-in it also is, and what its message says."""

from __future__ import annotations

import json

import pytest

import scregistry
from builders import catalog, csv_index, entry, registry
from registry_helpers import closed_url_port, publish_http, private_bucket

IDS = ["aia_0094", "aia_0171", "mms1_feeps_brst_electron", "goes16_xrs_1s"]


def quick_storage(**kw):
    return scregistry.Storage(retries=1, backoff=0.01, timeout=10, **kw)


@pytest.fixture
def many_ids(http_server):
    """A bucket on the HTTP server with several datasets (only ``aia_0094`` has an index file)."""
    base = f"{http_server.url}/many/"
    entries = [entry(i, f"{base}idx/", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z") for i in IDS]
    http_server.state.put("/many/catalog.json", catalog(base, entries))
    http_server.state.put("/many/idx/aia_0094_2020.csv", csv_index(
        [("2020-03-01T00:00:00Z", "2020-03-01T00:01:00Z", "s3://x/a.fits", 5)]))
    return scregistry.FileRegistry(base, storage=quick_storage())


# -- unknown dataset id ---------------------------------------------------------------------

@pytest.mark.parametrize("call", ["get_entry", "request_file_registry"])
def test_unknown_dataset_id_names_id_and_closest(many_ids, call):
    with pytest.raises(scregistry.UnknownDatasetError) as info:
        if call == "get_entry":
            many_ids.get_entry("aia_094")
        else:
            many_ids.request_file_registry("aia_094", start_date="2020-01-01T00:00:00Z")
    exc = info.value
    assert isinstance(exc, KeyError)
    assert isinstance(exc, scregistry.ScregistryError)
    msg = str(exc)
    assert "aia_094" in msg
    assert "aia_0094" in msg  # the closest id is suggested
    assert "goes16_xrs_1s" not in msg  # not a close match


def test_unknown_dataset_id_is_catchable_as_keyerror(many_ids):
    with pytest.raises(KeyError):
        many_ids.get_entry("nothing_like_it_at_all")


# -- times ----------------------------------------------------------------------------------

def test_start_after_stop_is_time_range_error(many_ids):
    with pytest.raises(scregistry.TimeRangeError) as info:
        many_ids.request_file_registry("aia_0094", start_date="2020-06-01T00:00:00Z",
                                       stop_date="2020-02-01T00:00:00Z")
    exc = info.value
    assert isinstance(exc, ValueError) and isinstance(exc, scregistry.ScregistryError)
    assert "2020-06-01" in str(exc) and "2020-02-01" in str(exc)


@pytest.mark.parametrize("arg, value", [("start_date", "not-a-time"), ("stop_date", "2020-13-45T99:00Z"),
                                        ("start_date", "yesterday")])
def test_unparseable_time_is_time_format_error(many_ids, arg, value):
    kwargs = {"start_date": "2020-01-01T00:00:00Z", "stop_date": "2020-12-01T00:00:00Z", arg: value}
    with pytest.raises(scregistry.TimeFormatError) as info:
        many_ids.request_file_registry("aia_0094", **kwargs)
    exc = info.value
    assert isinstance(exc, ValueError) and isinstance(exc, scregistry.ScregistryError)
    assert value in str(exc)


# -- catalog status -------------------------------------------------------------------------

@pytest.mark.parametrize("status", [
    {"code": 1400, "message": "maintenance until Monday"},
    "1400/maintenance until Monday",
])
def test_status_1400_is_catalog_unavailable(http_server, status):
    publish_http(http_server, "down", catalog_extra={"status": status})
    with pytest.raises(scregistry.CatalogUnavailableError) as info:
        scregistry.FileRegistry(f"{http_server.url}/down/", storage=quick_storage())
    exc = info.value
    assert isinstance(exc, scregistry.ScregistryError)
    msg = str(exc)
    assert "temporarily unavailable" in msg
    assert "maintenance until Monday" in msg
    assert f"{http_server.url}/down/catalog.json" in msg


@pytest.mark.parametrize("status", [{"code": 1200, "message": "OK"}, "1200/OK"])
def test_status_1200_is_fine(http_server, status):
    publish_http(http_server, "up", catalog_extra={"status": status})
    fr = scregistry.FileRegistry(f"{http_server.url}/up/", storage=quick_storage())
    assert [e[0] for e in fr.get_entries()] == ["ds"]


# -- malformed catalog ----------------------------------------------------------------------

def test_catalog_bad_json_names_url_and_line(http_server):
    bad = b'{\n  "version": "1.0",\n  "catalog": [\n    {"id": "x", oops}\n  ]\n}\n'
    http_server.state.put("/badjson/catalog.json", bad)
    with pytest.raises(scregistry.FormatError) as info:
        scregistry.FileRegistry(f"{http_server.url}/badjson/", storage=quick_storage())
    exc = info.value
    assert isinstance(exc, ValueError) and isinstance(exc, scregistry.ScregistryError)
    msg = str(exc)
    assert f"{http_server.url}/badjson/catalog.json" in msg
    assert "line 4" in msg


@pytest.mark.parametrize("doc", [{"version": "1.0", "name": "no list"}, {"catalog": "not a list"}, ["a", "b"]])
def test_catalog_without_catalog_list_is_format_error(http_server, doc):
    http_server.state.put("/nolist/catalog.json", json.dumps(doc).encode())
    with pytest.raises(scregistry.FormatError) as info:
        scregistry.FileRegistry(f"{http_server.url}/nolist/", storage=quick_storage())
    assert f"{http_server.url}/nolist/catalog.json" in str(info.value)


# -- malformed index file -------------------------------------------------------------------

GOOD = "2020-02-01T00:00:00Z,2020-02-01T01:00:00Z,s3://x/a.cdf,10"
BAD_LINES = {
    "wrong_column_count": "2020-03-01T00:00:00Z,2020-03-01T01:00:00Z,s3://x/b.cdf",
    "non_integer_filesize": "2020-03-01T00:00:00Z,2020-03-01T01:00:00Z,s3://x/b.cdf,twelve",
    "bad_time": "2020-99-99Tnope,2020-03-01T01:00:00Z,s3://x/b.cdf,12",
}


@pytest.mark.parametrize("kind", sorted(BAD_LINES))
def test_malformed_index_names_url_and_line(http_server, kind):
    base, _, paths = publish_http(http_server, "badidx", years=(2020,))
    text = "# start, stop, datakey, filesize\n" + GOOD + "\n" + BAD_LINES[kind] + "\n" + GOOD + "\n"
    http_server.state.put(paths[2020], text.encode())
    fr = scregistry.FileRegistry(base, storage=quick_storage())
    with pytest.raises(scregistry.FormatError) as info:
        fr.request_file_registry("ds", start_date="2020-01-01T00:00:00Z", stop_date="2020-12-31T00:00:00Z")
    exc = info.value
    assert isinstance(exc, ValueError)
    msg = str(exc)
    assert http_server.url + paths[2020] in msg
    assert "line 3" in msg


# -- stores that cannot be read -------------------------------------------------------------

@pytest.mark.parametrize("signed", [False, True])
def test_unreachable_s3_store_is_remote_unavailable(signed):
    port = closed_url_port()
    creds = {"aws_access_key_id": "AKIAEXAMPLE", "aws_secret_access_key": "secret"} if signed else {}
    with pytest.raises(scregistry.RemoteUnavailableError) as info:
        scregistry.FileRegistry("s3://nowhere-bucket/",
                                storage=quick_storage(endpoint_url=f"http://127.0.0.1:{port}", **creds))
    exc = info.value
    assert isinstance(exc, ConnectionError) and isinstance(exc, scregistry.ScregistryError)
    msg = str(exc)
    assert "s3://nowhere-bucket/catalog.json" in msg
    if signed:
        assert "credentials" in msg and "anonymous" not in msg
    else:
        assert "anonymous" in msg or "no credentials" in msg


@pytest.mark.parametrize("cache", [False, True])
def test_unreachable_http_store_is_remote_unavailable(tmp_path, cache):
    port = closed_url_port()
    url = f"http://127.0.0.1:{port}/gone/"
    with pytest.raises(scregistry.RemoteUnavailableError) as info:
        scregistry.FileRegistry(url, cache=cache, cache_folder=tmp_path / "c", storage=quick_storage())
    exc = info.value
    assert isinstance(exc, ConnectionError)
    msg = str(exc)
    assert url + "catalog.json" in msg
    assert "no credentials" in msg or "anonymous" in msg


def test_forbidden_bucket_anonymously_is_access_denied(private_s3):
    name = private_bucket(private_s3, {"catalog.json": catalog("s3://x/", [])})
    with pytest.raises(scregistry.AccessDeniedError) as info:
        scregistry.FileRegistry(f"s3://{name}/", storage=quick_storage(endpoint_url=private_s3.endpoint))
    exc = info.value
    assert isinstance(exc, PermissionError) and isinstance(exc, scregistry.ScregistryError)
    msg = str(exc)
    assert f"s3://{name}/catalog.json" in msg
    assert "anonymous" in msg


def test_bucket_without_catalog_is_not_found(s3_endpoint, bucket):
    with pytest.raises(scregistry.NotFoundError) as info:
        scregistry.FileRegistry(f"s3://{bucket}/", storage=quick_storage(endpoint_url=s3_endpoint))
    exc = info.value
    assert isinstance(exc, scregistry.ScregistryError)
    assert f"s3://{bucket}/catalog.json" in str(exc)


def test_http_folder_without_catalog_is_not_found(http_server):
    with pytest.raises(scregistry.NotFoundError) as info:
        scregistry.FileRegistry(f"{http_server.url}/empty/", storage=quick_storage())
    assert f"{http_server.url}/empty/catalog.json" in str(info.value)


# -- global registry ------------------------------------------------------------------------

@pytest.fixture
def registry_url(http_server):
    http_server.state.put("/reg/registry.json", registry([
        ("s3://gov-nasa-hdrl-data1/", "GSFC HelioCloud Set 1", "us-east-1"),
        ("s3://helio-public/", "Helio Public", "us-west-2"),
        ("s3://shared-east/", "Shared Archive", "us-east-1"),
        ("s3://shared-west/", "Shared Archive", "us-west-2"),
    ]))
    return f"{http_server.url}/reg/registry.json"


def test_get_endpoint_no_match_names_closest(registry_url):
    cr = scregistry.CatalogRegistry(registry_url, storage=quick_storage())
    with pytest.raises(scregistry.EndpointNotFoundError) as info:
        cr.get_endpoint("GSFC HelioCloud Set1")
    exc = info.value
    assert isinstance(exc, KeyError) and isinstance(exc, scregistry.ScregistryError)
    msg = str(exc)
    assert "GSFC HelioCloud Set1" in msg
    assert "GSFC HelioCloud Set 1" in msg


def test_get_endpoint_no_match_in_region(registry_url):
    cr = scregistry.CatalogRegistry(registry_url, storage=quick_storage())
    with pytest.raises(scregistry.EndpointNotFoundError):
        cr.get_endpoint("Helio Public", region_prefix="eu-")


def test_get_endpoint_ambiguous_lists_candidates(registry_url):
    cr = scregistry.CatalogRegistry(registry_url, storage=quick_storage())
    with pytest.raises(scregistry.AmbiguousNameError) as info:
        cr.get_endpoint("Shared Archive")
    exc = info.value
    assert isinstance(exc, ValueError) and isinstance(exc, scregistry.ScregistryError)
    msg = str(exc)
    assert "s3://shared-east/" in msg and "s3://shared-west/" in msg
    assert cr.get_endpoint("Shared Archive", region_prefix="us-west") == "s3://shared-west/"
    assert cr.get_endpoint("Shared Archive", region_prefix="us-east-1") == "s3://shared-east/"
    assert cr.get_endpoint("Helio Public") == "s3://helio-public/"


# -- hierarchy ------------------------------------------------------------------------------

@pytest.mark.parametrize("name, builtin", [
    ("UnknownDatasetError", KeyError),
    ("EndpointNotFoundError", KeyError),
    ("AmbiguousNameError", ValueError),
    ("TimeFormatError", ValueError),
    ("TimeRangeError", ValueError),
    ("FormatError", ValueError),
    ("CatalogUnavailableError", Exception),
    ("RemoteUnavailableError", ConnectionError),
    ("AccessDeniedError", PermissionError),
    ("NotFoundError", Exception),
])
def test_every_error_subclasses_base(name, builtin):
    cls = getattr(scregistry, name)
    assert issubclass(cls, scregistry.ScregistryError)
    assert issubclass(cls, builtin)
