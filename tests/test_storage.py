"""Storage access modes: anonymous and signed S3, environment configuration, retries,
gaps, where credentials go, concurrency and option checking."""

from __future__ import annotations

import logging
import socket
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import scregistry
from builders import catalog, csv_index, entry
from registry_helpers import DS, keys_of, methods_since, private_bucket, publish_http, publish_s3, year_rows

WINDOW = {"start_date": "2019-01-01T00:00:00Z", "stop_date": "2022-01-01T00:00:00Z"}
FAKE_KEYS = {"aws_access_key_id": "AKIATESTTESTTEST", "aws_secret_access_key": "not-a-real-secret"}


def quick_storage(**kw):
    kw.setdefault("retries", 3)
    return scregistry.Storage(backoff=0.01, timeout=10, **kw)


def make_private(private_s3):
    """A private bucket with one dataset; returns (bucket, rows)."""
    years = (2019, 2020)
    name = "p-" + uuid.uuid4().hex[:12]
    rows = {y: year_rows(y, f"s3://{name}/data/") for y in years}
    files = {f"idx/{DS}_{y}.csv": csv_index(rows[y]) for y in years}
    files["catalog.json"] = catalog(f"s3://{name}/", [entry(DS, f"s3://{name}/idx/", "2019-01-01T00:00:00Z",
                                                           "2020-12-31T23:59:59Z")])
    private_s3.admin.create_bucket(Bucket=name)
    for key, data in files.items():
        private_s3.admin.put_object(Bucket=name, Key=key, Body=data)
    private_s3.enable_auth()
    return name, rows


# -- S3 access modes ------------------------------------------------------------------------

def test_public_bucket_read_anonymously(s3_endpoint, bucket, put):
    base, rows = publish_s3(put, bucket)
    fr = scregistry.FileRegistry(base, endpoint_url=s3_endpoint)
    assert fr.storage.signed is False
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)


def test_storage_object_is_anonymous_without_configuration():
    st = scregistry.Storage()
    assert st.signed is False


def test_private_bucket_with_credential_kwargs(private_s3):
    name, rows = make_private(private_s3)
    fr = scregistry.FileRegistry(f"s3://{name}/", endpoint_url=private_s3.endpoint,
                                 aws_access_key_id=private_s3.key_id,
                                 aws_secret_access_key=private_s3.secret)
    assert fr.storage.signed is True
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)


def test_private_bucket_with_environment_credentials(private_s3, monkeypatch):
    name, rows = make_private(private_s3)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", private_s3.key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", private_s3.secret)
    fr = scregistry.FileRegistry(f"s3://{name}/", endpoint_url=private_s3.endpoint)
    assert fr.storage.signed is True
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)


def test_private_bucket_anonymously_is_denied(private_s3):
    name = private_bucket(private_s3, {"catalog.json": catalog("s3://x/", [])})
    with pytest.raises(scregistry.AccessDeniedError):
        scregistry.FileRegistry(f"s3://{name}/", storage=quick_storage(endpoint_url=private_s3.endpoint))


def test_aws_endpoint_url_environment(s3_endpoint, bucket, put, monkeypatch):
    base, rows = publish_s3(put, bucket)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    fr = scregistry.FileRegistry(base)
    assert fr.storage.signed is False
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)


# -- retries --------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [503, 500, 429])
def test_transient_faults_are_retried(http_server, status):
    base, rows, paths = publish_http(http_server, "flaky")
    http_server.state.faults["/flaky/catalog.json"] = [status, status]
    http_server.state.faults[paths[2020]] = [status, status]
    fr = scregistry.FileRegistry(base, storage=quick_storage(retries=3))
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)
    assert methods_since(http_server, 0, "/flaky/catalog.json").count("GET") == 3
    assert methods_since(http_server, 0, paths[2020]).count("GET") == 3


def test_transient_faults_are_retried_with_cache(http_server, tmp_path):
    base, rows, paths = publish_http(http_server, "flaky")
    http_server.state.faults["/flaky/catalog.json"] = [503, 503]
    http_server.state.faults[paths[2020]] = [503, 503]
    fr = scregistry.FileRegistry(base, cache=True, cache_folder=tmp_path / "c", storage=quick_storage(retries=3))
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)


def test_persistent_503_is_remote_unavailable(http_server):
    base, rows, paths = publish_http(http_server, "down")
    http_server.state.faults["/down/catalog.json"] = [503] * 50
    with pytest.raises(scregistry.RemoteUnavailableError) as info:
        scregistry.FileRegistry(base, storage=scregistry.Storage(retries=2, backoff=0.01))
    assert isinstance(info.value, ConnectionError)
    assert f"{base}catalog.json" in str(info.value)
    # one attempt and two retries
    assert methods_since(http_server, 0, "/down/catalog.json").count("GET") == 3


def test_persistent_503_on_a_year_file_is_an_error_not_a_gap(http_server):
    base, rows, paths = publish_http(http_server, "half")
    http_server.state.faults[paths[2020]] = [503] * 50
    fr = scregistry.FileRegistry(base, storage=scregistry.Storage(retries=2, backoff=0.01))
    with pytest.raises(scregistry.RemoteUnavailableError) as info:
        fr.request_file_registry(DS, **WINDOW)
    assert http_server.url + paths[2020] in str(info.value)


# -- gaps -----------------------------------------------------------------------------------

def test_missing_year_file_is_a_gap_logged_at_debug(http_server, caplog):
    base, rows, paths = publish_http(http_server, "gappy", skip_years=(2020,))
    caplog.set_level(logging.DEBUG, logger="scregistry")
    fr = scregistry.FileRegistry(base, storage=quick_storage())
    df = fr.request_file_registry(DS, **WINDOW)
    assert df["datakey"].tolist() == keys_of(rows, years={2019, 2021})
    about = [r for r in caplog.records if f"{DS}_2020.csv" in r.getMessage()]
    assert about, "the gap was not logged"
    assert any(r.levelno == logging.DEBUG for r in about)
    assert all(r.levelno < logging.WARNING for r in about)


# -- credentials never go to http(s) hosts --------------------------------------------------

def no_credentials_sent(server):
    for req in server.state.log():
        names = {k.lower() for k in req["headers"]}
        assert "authorization" not in names, req
        assert not any(n.startswith("x-amz-") for n in names), req


def test_credential_kwargs_not_sent_to_http(http_server):
    base, rows, paths = publish_http(http_server, "open")
    fr = scregistry.FileRegistry(base, storage=quick_storage(**FAKE_KEYS))
    assert fr.storage.signed is True
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)
    assert http_server.state.log()
    no_credentials_sent(http_server)


def test_environment_credentials_not_sent_to_http(http_server, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", FAKE_KEYS["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", FAKE_KEYS["aws_secret_access_key"])
    base, rows, paths = publish_http(http_server, "open")
    fr = scregistry.FileRegistry(base, cache=True, cache_folder=tmp_path / "c")
    assert fr.storage.signed is True
    assert fr.request_file_registry(DS, **WINDOW)["datakey"].tolist() == keys_of(rows)
    no_credentials_sent(http_server)


def test_credentials_not_sent_to_http_index_of_s3_catalog(s3_endpoint, bucket, put, http_server):
    """A signed S3 catalog whose index (and data) live on an http host."""
    rows = {y: year_rows(y, f"{http_server.url}/data/") for y in (2019, 2020)}
    for y in rows:
        http_server.state.put(f"/hidx/{DS}_{y}.csv", csv_index(rows[y]))
    for r in rows[2019][:2]:
        http_server.state.put(r[2][len(http_server.url):], b"payload " + r[2].encode())
    put(bucket, "catalog.json", catalog(f"s3://{bucket}/", [
        entry(DS, f"{http_server.url}/hidx/", "2019-01-01T00:00:00Z", "2020-12-31T23:59:59Z")]))
    fr = scregistry.FileRegistry(f"s3://{bucket}/", endpoint_url=s3_endpoint, **FAKE_KEYS)
    assert fr.storage.signed is True
    df = fr.request_file_registry(DS, **WINDOW)
    assert df["datakey"].tolist() == keys_of(rows)
    got = []
    fr.stream(df.head(2), lambda b, start, stop, size: got.append(b.read()))
    assert got == [b"payload " + r[2].encode() for r in rows[2019][:2]]
    assert any(r["path"].startswith("/hidx/") for r in http_server.state.log())
    no_credentials_sent(http_server)


# -- concurrency ----------------------------------------------------------------------------

class _BarrierServer:
    """An HTTP server whose year-file GETs wait until ``parties`` of them are in flight at once.

    Sequential fetching never fills the barrier (it breaks after a safety timeout and the
    request is answered 500), so a successful request proves the year files were fetched
    concurrently. No timing is measured."""

    def __init__(self, files: dict[str, bytes], gated: set[str]) -> None:
        self.files = files
        self.gated = gated
        self.barrier = threading.Barrier(len(gated), timeout=10)
        self.broken = False
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                if path in outer.gated:
                    try:
                        outer.barrier.wait()
                    except threading.BrokenBarrierError:
                        outer.broken = True
                        self.send_response(500)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                data = outer.files.get(path)
                if data is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_year_files_of_one_request_are_fetched_concurrently():
    years = (2019, 2020, 2021)
    rows = {y: year_rows(y, "s3://data/") for y in years}
    files = {f"/c/idx/{DS}_{y}.csv": csv_index(rows[y]) for y in years}
    server = _BarrierServer(files, gated=set(files))
    try:
        base = f"{server.url}/c/"
        files["/c/catalog.json"] = catalog(base, [entry(DS, f"{base}idx/", "2019-01-01T00:00:00Z",
                                                        "2021-12-31T23:59:59Z")])
        fr = scregistry.FileRegistry(base, storage=scregistry.Storage(retries=0, max_concurrency=8))
        df = fr.request_file_registry(DS, **WINDOW)
        assert not server.broken, "year files were not fetched concurrently"
        assert df["datakey"].tolist() == keys_of(rows)
    finally:
        server.stop()


# -- options --------------------------------------------------------------------------------

def test_unknown_storage_keyword_is_type_error():
    with pytest.raises(TypeError) as info:
        scregistry.Storage(bogus_option=1)
    msg = str(info.value)
    assert "bogus_option" in msg
    assert "aws_access_key_id" in msg and "endpoint_url" in msg


def test_unknown_keyword_to_file_registry_is_type_error(http_server):
    base, rows, paths = publish_http(http_server, "kw")
    with pytest.raises(TypeError) as info:
        scregistry.FileRegistry(base, acess_key="typo")
    assert "acess_key" in str(info.value)
    assert "aws_access_key_id" in str(info.value)


# -- the region of an AWS bucket --------------------------------------------------------------------

@pytest.mark.parametrize("status", [200, 301, 403])
def test_bucket_region_is_read_from_the_header_aws_sends_with_any_answer(http_server, status):
    from scregistry.storage import bucket_region

    http_server.state.replies[f"/region-{status}/"] = (status, {"x-amz-bucket-region": "us-west-2"})
    probe = http_server.url + "/{bucket}/"
    assert bucket_region(f"region-{status}", probe=probe) == "us-west-2"
    heads = [r for r in http_server.state.log(f"/region-{status}/") if r["method"] == "HEAD"]
    assert len(heads) == 1 and "Authorization" not in heads[0]["headers"]
    assert bucket_region(f"region-{status}", probe=probe) == "us-west-2"  # asked once per process
    assert len(http_server.state.log(f"/region-{status}/")) == 1


def test_bucket_region_unknown_when_nobody_answers_or_no_header(http_server):
    from scregistry.storage import bucket_region

    http_server.state.replies["/plain/"] = (403, {})
    assert bucket_region("plain", probe=http_server.url + "/{bucket}/") is None
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    assert bucket_region("down", probe=f"http://127.0.0.1:{port}/{{bucket}}/", timeout=2) is None
