"""Servers for the whole test session, all on 127.0.0.1."""

from __future__ import annotations

import os
import uuid

import pytest

from servers import HTTPTestServer, PrivateS3, make_public, s3_client

# The tests must never pick up a developer's own AWS settings or reach the internet.
for _name in [n for n in os.environ if n.startswith("AWS_")] + ["ROOT_CATALOG_REGISTRY_URL"]:
    os.environ.pop(_name, None)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
# A region given means no bucket-region lookup at AWS for an s3:// URL without an endpoint.
os.environ["AWS_REGION"] = "us-east-1"


@pytest.fixture(scope="session")
def s3_endpoint():
    """A moto S3 server (no authentication: every bucket behaves as public)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3_admin(s3_endpoint):
    """A boto3 client used to build fixtures on the public server."""
    return s3_client(s3_endpoint)


@pytest.fixture
def bucket(s3_admin):
    """A fresh, empty bucket on the public server; yields its name."""
    name = "b-" + uuid.uuid4().hex[:12]
    s3_admin.create_bucket(Bucket=name)
    make_public(s3_admin, name)
    return name


@pytest.fixture(scope="session")
def private_s3():
    """A separate moto server that refuses anonymous requests."""
    server = PrivateS3()
    server.admin.create_bucket(Bucket="private-bucket")
    yield server
    server.stop()


@pytest.fixture
def http_server():
    server = HTTPTestServer()
    yield server
    server.stop()


@pytest.fixture
def put(s3_admin):
    """put(bucket, key, bytes) on the public server."""

    def _put(bucket_name: str, key: str, data: bytes) -> None:
        s3_admin.put_object(Bucket=bucket_name, Key=key, Body=data)

    return _put
