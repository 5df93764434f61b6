"""Real servers on loopback for the tests: S3-protocol (moto) and plain HTTP."""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
from botocore.config import Config

ADMIN = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def s3_client(endpoint: str, **creds):
    """A boto3 client used by the tests to build fixtures (never by the code under test)."""
    return boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}),
                        **(creds or ADMIN))


def make_public(client, bucket: str) -> None:
    """Let anyone read and list ``bucket`` (a bucket policy, as public archives have). moto
    authorises an anonymous HEAD as ``s3:HeadObject``, so that action is listed too."""
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket", "s3:HeadObject"],
                       "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"]}],
    }))


class PrivateS3:
    """A moto server in its own process with IAM authentication switched on: anonymous
    requests are refused, requests signed with the created user's key are served."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from moto.server import main; main()", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the private moto server did not start")
                time.sleep(0.1)
        iam = boto3.client("iam", endpoint_url=self.endpoint, **ADMIN)
        iam.create_user(UserName="reader")
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        iam.put_user_policy(UserName="reader", PolicyName="all", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        self.key_id = key["AccessKeyId"]
        self.secret = key["SecretAccessKey"]
        self.admin = s3_client(self.endpoint)

    def enable_auth(self) -> None:
        import urllib.request

        req = urllib.request.Request(self.endpoint + "/moto-api/reset-auth", data=b"0", method="POST",
                                     headers={"Content-Type": "text/plain"})
        urllib.request.urlopen(req, timeout=10).read()
        # from now on the admin client must sign with the real key
        self.admin = s3_client(self.endpoint, aws_access_key_id=self.key_id,
                               aws_secret_access_key=self.secret, region_name="us-east-1")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class HTTPState:
    """What the HTTP test server serves and what it saw."""

    files: dict[str, bytes] = field(default_factory=dict)
    mtimes: dict[str, float] = field(default_factory=dict)
    # path -> list of statuses to answer before serving normally (e.g. [503, 503])
    faults: dict[str, list[int]] = field(default_factory=dict)
    requests: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # seconds every request waits before it is answered (a slow server)
    delay: float = 0.0
    # path -> (status, extra headers) answered instead of the object (e.g. an S3 redirect)
    replies: dict[str, tuple[int, dict]] = field(default_factory=dict)
    # path -> list of byte counts: the next GETs announce the whole body, send that many bytes
    # of it and drop the connection (a transfer broken in the middle)
    cuts: dict[str, list[int]] = field(default_factory=dict)

    def put(self, path: str, data: bytes) -> None:
        with self.lock:
            self.files[path] = data
            self.mtimes[path] = time.time()

    def log(self, path: str | None = None) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if path is None or r["path"] == path]


def _handler(state: HTTPState):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output quiet
            pass

        def _serve(self, body: bool) -> None:
            if state.delay:
                time.sleep(state.delay)
            path = self.path.split("?", 1)[0]
            with state.lock:
                state.requests.append({"method": self.command, "path": path, "headers": dict(self.headers)})
                faults = state.faults.get(path)
                fault = faults.pop(0) if faults else None
                reply = state.replies.get(path)
                cuts = state.cuts.get(path) if body else None
                cut = cuts.pop(0) if cuts else None
                data = state.files.get(path)
                mtime = state.mtimes.get(path, 0.0)
            if reply is not None:
                self.send_response(reply[0])
                for name, value in reply[1].items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if fault is not None:
                self.send_response(fault)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if data is None:
                msg = b"not found"
                self.send_response(404)
                self.send_header("Content-Length", str(len(msg)))
                self.end_headers()
                if body:
                    self.wfile.write(msg)
                return
            etag = '"' + hashlib.md5(data).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            status, payload = 200, data
            rng = self.headers.get("Range")
            if rng and rng.startswith("bytes="):
                spec = rng[6:]
                a, _, b = spec.partition("-")
                n = len(data)
                if a == "":
                    start, end = max(0, n - int(b)), n - 1
                else:
                    start, end = int(a), (int(b) if b else n - 1)
                end = min(end, n - 1)
                payload = data[start:end + 1]
                status = 206
            self.send_response(status)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", email.utils.formatdate(mtime, usegmt=True))
            self.send_header("Accept-Ranges", "bytes")
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            self.end_headers()
            if cut is not None:
                self.wfile.write(payload[:cut])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if body:
                self.wfile.write(payload)

        def do_GET(self):
            self._serve(True)

        def do_HEAD(self):
            self._serve(False)

    return Handler


class HTTPTestServer:
    """A threaded HTTP server on 127.0.0.1 serving :class:`HTTPState` with ETag,
    Last-Modified, Range and injectable faults."""

    def __init__(self) -> None:
        self.state = HTTPState()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.state))
        self.httpd.daemon_threads = True
        self.httpd.handle_error = self._handle_error
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def _handle_error(request, client_address) -> None:
        """Connections dropped on purpose (``HTTPState.cuts``) are not errors; the rest are printed."""
        import traceback

        if not isinstance(sys.exc_info()[1], (ConnectionError, OSError)):
            traceback.print_exc()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
