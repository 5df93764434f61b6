"""Every read of a registry, catalog, index or data file goes through here.

Objects are addressed by URL: ``s3://bucket/key`` (anonymous for public buckets,
signed when credentials are given or configured), ``http(s)://``, ``file://`` and
plain local paths (and any other fsspec protocol that is installed). This module
owns the concurrency, the retries with backoff, the timeouts, conditional requests
and the translation of each store's errors into :mod:`scregistry.errors`. It is the
only module that talks to obstore, s3fs or botocore.

Engine, chosen by measurement: remote reads go through obstore (a compiled client that
imports in milliseconds and fetches many objects concurrently without holding the GIL);
fsspec/s3fs is what :meth:`Storage.filesystem` and :meth:`Storage.storage_options` hand
to fsspec-based readers (astropy, xarray, pandas, Dask), so one configuration serves both.
"""

from __future__ import annotations

import logging
import mmap
import os
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .errors import (
    AccessDeniedError,
    NotFoundError,
    RemoteUnavailableError,
    StorageError,
)

log = logging.getLogger("scregistry")

T = TypeVar("T")
R = TypeVar("R")

_CREDENTIAL_ALIASES = {
    "aws_access_key_id": "key",
    "access_key": "key",
    "key": "key",
    "aws_secret_access_key": "secret",
    "secret_key": "secret",
    "secret": "secret",
    "aws_session_token": "token",
    "session_token": "token",
    "token": "token",
    "region_name": "region",
    "region": "region",
    "endpoint_url": "endpoint_url",
    "profile": "profile",
    "profile_name": "profile",
    "aws_profile": "profile",
    "anon": "anon",
    "requester_pays": "requester_pays",
}

# S3 error codes and HTTP statuses worth another try.
_TRANSIENT_CODES = {
    "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "RequestTimeTooSkewed",
    "InternalError", "ServiceUnavailable", "RequestLimitExceeded", "BandwidthLimitExceeded",
}
_TRANSIENT_STATUS = {408, 425, 429, 500, 502, 503, 504}
_TRANSIENT_TYPES = {
    "EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError",
    "ServerDisconnectedError", "ClientPayloadError", "ClientConnectorError", "ClientOSError",
    "FSTimeoutError", "TimeoutError", "IncompleteRead", "ResponseStreamingError", "ProxyConnectionError",
}
_DENIED_TYPES = {"PermissionDeniedError", "UnauthenticatedError"}
# words in an error's text that mean the connection itself failed (obstore's GenericError)
_CONNECTION_WORDS = re.compile(r"error sending request|connection (refused|reset|closed)|timed? ?out|"
                               r"dns error|broken pipe|incomplete", re.IGNORECASE)
_DENIED_CODES = {"AccessDenied", "AllAccessDisabled", "InvalidAccessKeyId", "SignatureDoesNotMatch",
                 "ExpiredToken", "InvalidToken", "AccountProblem"}


@dataclass(frozen=True)
class Fetched:
    """The result of a conditional GET: ``data`` (``bytes`` or another buffer, read without a
    copy) is ``None`` when the object was not modified."""

    data: Any
    info: "ObjectInfo"


@dataclass(frozen=True)
class ObjectInfo:
    """What a store says about one object: its size and the validators used by the cache."""

    url: str
    size: int | None
    etag: str | None
    last_modified: str | None

    def validators(self) -> dict[str, str]:
        """The fields that change when the object's content changes."""
        out = {}
        if self.etag:
            out["etag"] = self.etag
        if self.last_modified:
            out["last_modified"] = self.last_modified
        if self.size is not None:
            out["size"] = str(self.size)
        return out


class Body:
    """An object's content as it arrives from the store.

    Iterate over it for its chunks (bytes-like, in order, once), or call :meth:`read` for all
    of it in one buffer; after part was iterated, :meth:`read` fetches the object again.
    """

    def __init__(self, info: ObjectInfo | None, chunks: Iterable[Any], reread: Callable[[], Any]) -> None:
        self.info = info
        self._chunks = iter(chunks)
        self._reread = reread
        self._started = False
        #: The failure of the store while the chunks were being read, if any.
        self.error: BaseException | None = None

    @classmethod
    def of(cls, data: Any) -> "Body":
        """A body over bytes already in memory."""
        size = memoryview(data).nbytes
        return cls(ObjectInfo("", size, None, None), [data] if size else [], lambda: data)

    def __iter__(self) -> Iterator[Any]:
        self._started = True
        while True:
            try:
                chunk = next(self._chunks)
            except StopIteration:
                return
            except Exception as exc:
                self.error = exc
                raise
            yield chunk

    def read(self) -> Any:
        """All of the content in one buffer: a large body in an anonymous memory map, which goes
        back to the operating system as soon as it is dropped (heap memory freed by many
        threads at once is not: a 1.5-million-row request peaked 40% higher with heap buffers)."""
        if self._started:
            return self._reread()
        size = self.info.size if self.info is not None else None
        if not size:
            return b"".join(bytes(c) for c in self)
        buf: bytearray | mmap.mmap = mmap.mmap(-1, size) if size >= _MMAP_BODY else bytearray(size)
        view, pos = memoryview(buf), 0
        for chunk in self:
            n = len(chunk)
            if pos + n > size:
                self.error = ConnectionResetError(f"the body is longer than the {size} bytes announced")
                raise self.error
            view[pos:pos + n] = chunk
            pos += n
        view.release()
        if pos != size:
            self.error = ConnectionResetError(f"the body ended after {pos} of {size} bytes")
            raise self.error
        return buf


class _ConsumerError(Exception):
    """A failure of the code consuming a body (not of the store): passed on as it is."""


def is_remote(url: str) -> bool:
    """True for URLs that name an object on a server rather than on this machine."""
    scheme = urlsplit(url).scheme.lower()
    return len(scheme) > 1 and scheme not in ("file", "local")


def _status_and_code(exc: BaseException) -> tuple[int | None, str | None]:
    """Dig the HTTP status and S3 error code out of an exception or its causes."""
    seen = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        response = getattr(cur, "response", None)
        if isinstance(response, dict):
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            code = response.get("Error", {}).get("Code")
            return status, code
        status = getattr(cur, "status", None)
        if isinstance(status, int):
            return status, None
        m = _STATUS_IN_TEXT.search(str(cur))
        if m:
            return int(m.group(1)), None
        cur = cur.__cause__ or cur.__context__
    return None, None


_STATUS_IN_TEXT = re.compile(r"status(?: code)?:? (\d{3})\b")


def _type_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


class Storage:
    """Read objects by URL with one set of credentials, concurrency, retries and timeouts.

    Keyword arguments follow boto3 (``aws_access_key_id``, ``aws_secret_access_key``,
    ``aws_session_token``, ``region_name``, ``endpoint_url``, ``profile_name``) and also
    accept the s3fs names (``key``, ``secret``, ``token``, ``profile``). Without
    credentials, and with none in the ``AWS_ACCESS_KEY_ID`` / ``AWS_PROFILE`` environment
    variables, S3 is read anonymously. ``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_S3``)
    points ``s3://`` URLs at an S3-compatible store, with path-style addressing.
    Credentials are only ever sent to that S3 endpoint, never to ``http(s)://`` URLs.
    """

    def __init__(
        self,
        *,
        retries: int = 4,
        timeout: float = 60.0,
        max_concurrency: int = 32,
        backoff: float = 0.25,
        **client_kwargs: Any,
    ) -> None:
        opts: dict[str, Any] = {}
        for name, value in client_kwargs.items():
            canonical = _CREDENTIAL_ALIASES.get(name)
            if canonical is None:
                raise TypeError(
                    f"unknown storage option {name!r}; accepted: {', '.join(sorted(_CREDENTIAL_ALIASES))}"
                )
            if value is not None:
                opts[canonical] = value
        env = os.environ
        opts.setdefault("endpoint_url", env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL") or None)
        opts.setdefault("region", env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None)
        if "anon" not in opts:
            has_creds = bool(opts.get("key") or opts.get("profile"))
            has_env = bool(env.get("AWS_ACCESS_KEY_ID") or env.get("AWS_PROFILE"))
            opts["anon"] = not (has_creds or has_env)
        self.options = opts
        self.retries = max(0, int(retries))
        self.timeout = float(timeout)
        self.backoff = float(backoff)
        self.max_concurrency = max(1, int(max_concurrency))
        self._fs: dict[str, Any] = {}
        self._stores: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    # -- configuration ---------------------------------------------------------------

    @property
    def signed(self) -> bool:
        """True when ``s3://`` requests are signed with credentials."""
        return not self.options.get("anon", True)

    @property
    def endpoint_url(self) -> str | None:
        """The S3 endpoint, when it is not AWS."""
        return self.options.get("endpoint_url")

    def s3_storage_options(self) -> dict[str, Any]:
        """The s3fs options of this store, for fsspec-based readers (pandas, xarray, astropy, Dask)."""
        o = self.options
        out: dict[str, Any] = {"anon": bool(o.get("anon"))}
        for name in ("key", "secret", "token", "profile"):
            if o.get(name) and not out["anon"]:
                out[name] = o[name]
        if o.get("endpoint_url"):
            out["endpoint_url"] = o["endpoint_url"]
            out["config_kwargs"] = {"s3": {"addressing_style": "path"}}
        if o.get("region"):
            out.setdefault("client_kwargs", {})["region_name"] = o["region"]
        if o.get("requester_pays"):
            out["requester_pays"] = True
        return out

    def storage_options(self, url: str) -> dict[str, Any]:
        """Options to open ``url`` with fsspec: credentials for ``s3://`` only, none elsewhere."""
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("s3", "s3a"):
            return self.s3_storage_options()
        return {}

    def filesystem(self, url: str) -> tuple[Any, str]:
        """The fsspec filesystem that serves ``url`` and the path within it."""
        scheme = urlsplit(url).scheme.lower()
        if scheme in ("s3", "s3a"):
            fs = self._get_fs("s3")
            return fs, url.split("://", 1)[1]
        if scheme in ("http", "https"):
            return self._get_fs("http"), url
        if scheme == "file":
            return self._get_fs("file"), _file_url_to_path(url)
        if len(scheme) <= 1:  # plain path (or a Windows drive letter)
            return self._get_fs("file"), os.path.abspath(url)
        import fsspec

        try:
            return fsspec.core.url_to_fs(url)
        except (ValueError, ImportError) as exc:
            raise StorageError(f"cannot read {url}: the {scheme}:// protocol is not supported here ({exc})",
                               url, False) from None

    def _get_fs(self, kind: str) -> Any:
        with self._lock:
            fs = self._fs.get(kind)
            if fs is not None:
                return fs
            if kind == "s3":
                import s3fs

                opts = self.s3_storage_options()
                config = dict(opts.pop("config_kwargs", {}))
                config.update(
                    connect_timeout=min(self.timeout, 10.0),
                    read_timeout=self.timeout,
                    retries={"max_attempts": 1, "mode": "standard"},
                    max_pool_connections=max(10, self.max_concurrency * 2),
                )
                fs = s3fs.S3FileSystem(config_kwargs=config, skip_instance_cache=True, **opts)
                fs.retries = 1  # retries happen once, in Storage._call
            elif kind == "http":
                import aiohttp
                from fsspec.implementations.http import HTTPFileSystem

                fs = HTTPFileSystem(
                    client_kwargs={"timeout": aiohttp.ClientTimeout(total=self.timeout, connect=10)},
                    skip_instance_cache=True,
                )
            else:
                from fsspec.implementations.local import LocalFileSystem

                fs = LocalFileSystem()
            self._fs[kind] = fs
            return fs

    # -- engines ----------------------------------------------------------------------

    def _object_store(self, url: str) -> tuple[Any, str] | None:
        """The obstore store serving ``url`` and the path within it; ``None`` for local files
        and for protocols obstore does not speak (those go through fsspec)."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme in ("s3", "s3a"):
            bucket, key = parts.netloc, parts.path.lstrip("/")
            o = self.options
            if o.get("anon") and o.get("endpoint_url") and not o.get("requester_pays"):
                # Unsigned requests to a path-style endpoint are plain HTTP GETs of
                # <endpoint>/<bucket>/<key>: one connection pool then serves every bucket.
                origin = o["endpoint_url"].rstrip("/")
                return self._cached_store(("http", origin), lambda: self._make_http_store(origin)), f"{bucket}/{key}"
            return self._cached_store(("s3", bucket), lambda: self._make_s3_store(bucket)), key
        if scheme in ("http", "https"):
            origin = f"{scheme}://{parts.netloc}"
            path = parts.path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
            return self._cached_store(("http", origin), lambda: self._make_http_store(origin)), path
        return None

    def _cached_store(self, key: tuple[str, str], make: Callable[[], Any]) -> Any:
        store = self._stores.get(key)
        if store is None:
            store = make()  # outside the lock: building a client takes milliseconds
            with self._lock:
                store = self._stores.setdefault(key, store)
        return store

    def _client_options(self) -> dict[str, Any]:
        return {"allow_http": True, "timeout": f"{int(self.timeout * 1000)}ms",
                "connect_timeout": f"{int(min(self.timeout, 10.0) * 1000)}ms"}

    def _make_s3_store(self, bucket: str) -> Any:
        from obstore.store import S3Store

        o = self.options
        region = o.get("region")
        if not region and not o.get("endpoint_url"):
            region = bucket_region(bucket, timeout=min(self.timeout, 10.0))
        kwargs: dict[str, Any] = {"region": region or "us-east-1"}
        if o.get("endpoint_url"):
            kwargs["endpoint"] = o["endpoint_url"]
            kwargs["virtual_hosted_style_request"] = False
        if o.get("requester_pays"):
            kwargs["request_payer"] = True
        if o.get("anon"):
            kwargs["skip_signature"] = True
        else:
            key, secret, token = self._credentials()
            kwargs.update(access_key_id=key, secret_access_key=secret)
            if token:
                kwargs["token"] = token
        return S3Store(bucket, client_options=self._client_options(),
                       retry_config={"max_retries": 0}, **kwargs)

    def _credentials(self) -> tuple[str, str, str | None]:
        """Static credentials from the keywords, the environment or an AWS profile."""
        o, env = self.options, os.environ
        if o.get("key"):
            return o["key"], o.get("secret", ""), o.get("token")
        profile = o.get("profile") or (None if env.get("AWS_ACCESS_KEY_ID") else env.get("AWS_PROFILE"))
        if not profile and env.get("AWS_ACCESS_KEY_ID"):
            return env["AWS_ACCESS_KEY_ID"], env.get("AWS_SECRET_ACCESS_KEY", ""), env.get("AWS_SESSION_TOKEN")
        try:
            import botocore.session
        except ImportError:
            raise AccessDeniedError(f"reading the AWS profile {profile!r} needs botocore: "
                                    "pip install 'scregistry[aws]'", "", True) from None
        creds = botocore.session.Session(profile=profile).get_credentials()
        if creds is None:
            raise AccessDeniedError(f"no credentials found for AWS profile {profile!r}", "", True)
        frozen = creds.get_frozen_credentials()
        return frozen.access_key, frozen.secret_key, frozen.token

    def _make_http_store(self, origin: str) -> Any:
        from obstore.store import HTTPStore

        return HTTPStore.from_url(origin, client_options=self._client_options(), retry_config={"max_retries": 0})

    # -- operations -----------------------------------------------------------------

    def read(self, url: str, start: int | None = None, end: int | None = None) -> bytes:
        """The bytes of ``url`` (``start``/``end`` select a byte range; a negative ``start``
        with no ``end`` reads that many bytes from the end).

        Raises :class:`NotFoundError`, :class:`AccessDeniedError` or
        :class:`RemoteUnavailableError` naming the URL.
        """
        remote = self._object_store(url)
        if remote is not None:
            store, path = remote

            def op() -> bytes:
                import obstore

                if start is None and end is None:
                    return bytes(obstore.get(store, path).bytes())
                if start is not None and start < 0 and end is None:
                    return bytes(obstore.get(store, path, options={"range": {"suffix": -start}}).bytes())
                if end is None:
                    return bytes(obstore.get(store, path, options={"range": {"offset": start or 0}}).bytes())
                return bytes(obstore.get_range(store, path, start=start or 0, end=end))

            return self._call(op, url, "read")
        def fs_op() -> bytes:
            fs, path = self.filesystem(url)
            if start is not None and start < 0 and end is None:
                size = fs.size(path)
                return fs.cat_file(path, start=max(0, size + start))
            return fs.cat_file(path, start=start, end=end)

        return self._call(fs_op, url, "read")

    def info(self, url: str) -> ObjectInfo:
        """Size, ETag and Last-Modified of ``url`` (one HEAD request for remote stores)."""
        remote = self._object_store(url)
        if remote is not None:
            import obstore

            store, path = remote
            meta = self._call(lambda: obstore.head(store, path), url, "stat")
            return _object_info(url, meta)
        def fs_info() -> dict:
            fs, path = self.filesystem(url)
            return fs.info(path)

        raw = self._call(fs_info, url, "stat")
        etag = raw.get("ETag") or raw.get("etag")
        modified = raw.get("LastModified") or raw.get("Last-Modified") or raw.get("mtime") or raw.get("modified")
        if modified is not None and not isinstance(modified, str):
            modified = modified.isoformat() if hasattr(modified, "isoformat") else repr(modified)
        size = raw.get("size")
        return ObjectInfo(url=url, size=int(size) if size is not None else None,
                          etag=str(etag).strip('"') if etag else None, last_modified=modified)

    def get(self, url: str, *, if_none_match: str | None = None) -> Fetched:
        """The bytes of ``url`` and its validators in one request; with ``if_none_match`` (an ETag)
        the server answers "not modified" without a body when the object is unchanged."""
        return self.consume(url, Body.read, if_none_match=if_none_match)

    def consume(self, url: str, func: Callable[[Body], R], *, if_none_match: str | None = None) -> Fetched:
        """``Fetched(func(body), info)`` for the content of ``url`` as it arrives, so that it can be
        processed without holding all of it; ``Fetched(None, ...)`` when ``if_none_match`` (an
        ETag) says the object is unchanged.

        A failure of the store, also in the middle of the body, retries the request and ``func``
        from the start; what ``func`` raises itself is passed on as it is.
        """
        remote = self._object_store(url)
        if remote is None:
            info = self.info(url)
            if if_none_match and info.etag == if_none_match:
                return Fetched(None, info)

            def fs_op() -> Fetched:
                fs, path = self.filesystem(url)
                with fs.open(path, "rb") as fh:
                    body = Body(info, iter(lambda: fh.read(_CHUNK), b""), lambda: self.read(url))
                    return Fetched(_consume(func, body), info)

            return self._call(fs_op, url, "read")
        import obstore

        store, path = remote
        options = {"if_none_match": f'"{if_none_match}"'} if if_none_match else None

        def op() -> Fetched:
            try:
                result = obstore.get(store, path, options=options)
            except obstore.exceptions.NotModifiedError:
                return Fetched(None, ObjectInfo(url, None, if_none_match, None))
            info = _object_info(url, result.meta)
            body = Body(info, result.stream(min_chunk_size=_CHUNK), lambda: self.get(url).data)
            return Fetched(_consume(func, body), info)

        return self._call(op, url, "read")

    def map(self, func: Callable[[T], R], items: Iterable[T], *, limit: int | None = None,
            progress: str | None = None) -> list[R]:
        """``[func(i) for i in items]`` run concurrently (I/O-bound work), results in order;
        at most ``limit`` at a time when given; a progress bar counting ``progress`` items when
        progress bars are on (see :mod:`scregistry.progress`).

        The first exception raised by ``func`` is re-raised after the others finish.
        """
        from . import progress as _progress

        items = list(items)
        if len(items) <= 1:
            return [func(i) for i in items]
        gate = threading.BoundedSemaphore(max(1, limit)) if limit is not None else None

        def run(item: T) -> R:
            if gate is None:
                return func(item)
            with gate:
                return func(item)

        pool = self._executor()
        futures = [pool.submit(run, i) for i in items]
        results: list[Any] = []
        error: BaseException | None = None
        with _progress.bar(len(futures), progress or "items") as bar:
            for f in futures:
                try:
                    results.append(f.result())
                except BaseException as exc:  # noqa: BLE001 - re-raised below, after all finish
                    error = error or exc
                    results.append(None)
                bar.update(1)
        if error is not None:
            raise error
        return results

    def _executor(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.max_concurrency, thread_name_prefix="scregistry")
            return self._pool

    def close(self) -> None:
        """Stop the worker threads (the object stays usable; they restart on demand)."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False)

    # -- retries and error translation --------------------------------------------------

    def _call(self, op: Callable[[], T], url: str, what: str) -> T:
        attempt = 0
        while True:
            try:
                return op()
            except _ConsumerError as wrapped:
                error = wrapped.args[0]
                raise error.with_traceback(error.__traceback__) from error.__cause__
            except StorageError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is translated or re-raised
                kind = self._classify(exc)
                if kind == "transient" and attempt < self.retries:
                    delay = min(self.backoff * (2**attempt), 8.0) * (0.5 + random.random())
                    log.debug("%s %s failed (%s); retry %d in %.2fs", what, url, exc, attempt + 1, delay)
                    time.sleep(delay)
                    attempt += 1
                    continue
                raise self._translate(exc, kind, url, what, attempt) from exc

    def _classify(self, exc: BaseException) -> str:
        status, code = _status_and_code(exc)
        names = _type_names(exc)
        if isinstance(exc, FileNotFoundError) or status == 404 or code in ("NoSuchKey", "NoSuchBucket", "404"):
            return "missing"
        if (isinstance(exc, PermissionError) or names & _DENIED_TYPES or status in (401, 403)
                or code in _DENIED_CODES):
            return "denied"
        if code in _TRANSIENT_CODES or status in _TRANSIENT_STATUS:
            return "transient"
        if names & _TRANSIENT_TYPES or isinstance(exc, (ConnectionError, TimeoutError)):
            return "transient"
        if "ConnectionError" in names or "HTTPClientError" in names:
            return "transient"
        if status is None and _CONNECTION_WORDS.search(str(exc)):
            return "transient"
        return "other"

    def _access(self, url: str) -> str:
        if urlsplit(url).scheme.lower() in ("s3", "s3a"):
            how = "signed with credentials" if self.signed else "anonymous (no credentials used)"
            if self.endpoint_url:
                how += f" via endpoint {self.endpoint_url}"
            return how
        return "no credentials used" if is_remote(url) else "local file"

    def _translate(self, exc: BaseException, kind: str, url: str, what: str, attempts: int) -> StorageError:
        signed = self.signed if urlsplit(url).scheme.lower() in ("s3", "s3a") else False
        access = self._access(url)
        detail = (str(exc) or type(exc).__name__).split("Debug source")[0].strip().splitlines()[0][:400]
        if kind == "missing":
            return NotFoundError(f"not found: {url} ({access})", url, signed)
        if kind == "denied":
            hint = (
                "the credentials given were refused or lack permission"
                if signed
                else "the bucket is not public; pass credentials (aws_access_key_id=..., a profile, "
                "or AWS_* environment variables)"
            )
            if self.options.get("requester_pays") is not True and urlsplit(url).scheme.lower() in ("s3", "s3a"):
                hint += "; for a requester-pays bucket also pass requester_pays=True"
            return AccessDeniedError(f"access denied: {url} ({access}): {hint}", url, signed)
        if kind == "transient":
            tries = f" after {attempts + 1} attempts" if attempts else ""
            return RemoteUnavailableError(f"cannot {what} {url}{tries} ({access}): {detail}", url, signed)
        return StorageError(f"cannot {what} {url} ({access}): {detail}", url, signed)


#: Where the region of an AWS bucket is asked (an unsigned HEAD; AWS answers with the bucket's region
#: in ``x-amz-bucket-region`` even when it refuses the request). Names with dots use the path form.
REGION_PROBE = "https://{bucket}.s3.amazonaws.com/"
REGION_PROBE_DOTTED = "https://s3.amazonaws.com/{bucket}"
_REGIONS: dict[str, str | None] = {}


def bucket_region(bucket: str, *, timeout: float = 10.0, probe: str | None = None) -> str | None:
    """The AWS region of ``bucket``, or ``None`` when it cannot be learned (asked once per process).

    An S3 client aimed at the wrong region gets redirects instead of data, and registries and users
    often give a bucket without its region.
    """
    import urllib.error
    import urllib.request

    template = probe or (REGION_PROBE_DOTTED if "." in bucket else REGION_PROBE)
    url = template.format(bucket=bucket)
    if url in _REGIONS:
        return _REGIONS[url]
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            region = response.headers.get("x-amz-bucket-region")
    except urllib.error.HTTPError as exc:  # 301 / 403 still carry the header
        region = exc.headers.get("x-amz-bucket-region") if exc.headers else None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.debug("cannot learn the region of bucket %s from %s: %s", bucket, url, exc)
        region = None
    _REGIONS[url] = region
    log.debug("bucket %s is in region %s", bucket, region)
    return region


def _consume(func: Callable[[Body], R], body: Body) -> R:
    try:
        return func(body)
    except Exception as exc:
        if body.error is not None:  # the store failed: retried or translated by Storage._call
            raise body.error from None
        raise _ConsumerError(exc) from None


_MMAP_BODY = 1 << 20
#: Bytes handed on at a time from a body as it arrives.
_CHUNK = 1 << 18


def _object_info(url: str, meta: dict) -> ObjectInfo:
    modified = meta.get("last_modified")
    etag = meta.get("e_tag")
    return ObjectInfo(url=url, size=meta.get("size"), etag=etag.strip('"') if etag else None,
                      last_modified=modified.isoformat() if hasattr(modified, "isoformat") else modified)


def _file_url_to_path(url: str) -> str:
    from urllib.request import url2pathname

    parts = urlsplit(url)
    return url2pathname(parts.path) if not parts.netloc else url2pathname(f"//{parts.netloc}{parts.path}")
