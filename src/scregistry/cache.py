"""Local copies of catalogs and index files, and the rule for when to trust them.

Each copy sits at ``<folder>/<relative name>`` with a ``.meta.json`` sidecar holding the
URL it came from and the server's validators (ETag, Last-Modified, size). Writes are
atomic (temporary file, then rename), so an interrupted run never leaves half a file.
A copy is revalidated with one conditional GET (``If-None-Match`` with its ETag; the
server answers 304 with no body when unchanged) or, without an ETag, a HEAD comparing
Last-Modified and size. It is used when unchanged, or when the server cannot be reached
(with a warning); otherwise the new content replaces it.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from .errors import NotFoundError, RemoteUnavailableError
from .storage import Storage
from .times import format_time

log = logging.getLogger("scregistry")

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class Cache:
    """A folder of cached objects; nothing is written outside it."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).expanduser()

    def path(self, relname: str) -> Path:
        """Where ``relname`` (``/``-separated, each part a plain file name) is kept."""
        parts = relname.split("/")
        if not all(_SAFE_PART.match(p) for p in parts):
            raise ValueError(f"unsafe cache name {relname!r}")
        return self.folder.joinpath(*parts)

    def load(self, relname: str) -> tuple[bytes, dict] | None:
        """The cached bytes and their metadata, or ``None`` if there is no complete copy."""
        path = self.path(relname)
        meta_path = path.with_name(path.name + ".meta.json")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            meta = json.loads(meta_path.read_text())
        except (FileNotFoundError, ValueError):
            meta = {}
        return data, meta

    def store(self, relname: str, data: Any, meta: dict) -> None:
        """Write ``data`` and its metadata atomically."""
        path = self.path(relname)
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, data)
        _atomic_write(path.with_name(path.name + ".meta.json"), json.dumps(meta, indent=1).encode())

    def discard(self, relname: str) -> None:
        """Remove a copy whose object no longer exists on the server."""
        path = self.path(relname)
        for p in (path, path.with_name(path.name + ".meta.json")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def _atomic_write(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def fetch(storage: Storage, url: str, cache: Cache | None, relname: str, *, overwrite: bool = False) -> Any:
    """The bytes of ``url`` (a ``bytes`` or another buffer), through ``cache`` when one is given.

    Raises :class:`NotFoundError` when the object does not exist (and drops a stale copy);
    other storage errors propagate, except that a cached copy stands in for a server that
    cannot be reached.
    """
    if cache is None:
        return storage.get(url).data
    cached = None if overwrite else cache.load(relname)
    etag = None
    if cached is not None and cached[1].get("url") == url:
        etag = cached[1].get("validators", {}).get("etag")
    try:
        if cached is not None and not etag:
            # no ETag to send: compare what a HEAD request says
            info = storage.info(url)
            if cached[1].get("url") == url and _same(cached[1].get("validators", {}), info.validators()):
                log.debug("cache hit: %s", url)
                return cached[0]
        fetched = storage.get(url, if_none_match=etag)
    except NotFoundError:
        if cached is not None:
            log.info("%s no longer exists on the server; dropping the cached copy", url)
            cache.discard(relname)
        raise
    except RemoteUnavailableError as exc:
        if cached is None:
            raise
        log.warning("cannot reach %s (%s); using the cached copy from %s", url, exc,
                    cached[1].get("fetched", "an earlier run"))
        return cached[0]
    if fetched.data is None and cached is not None:
        log.debug("cache hit (not modified): %s", url)
        return cached[0]
    data = fetched.data if fetched.data is not None else storage.read(url)
    cache.store(relname, data, {
        "url": url,
        "validators": fetched.info.validators(),
        "fetched": format_time(_dt.datetime.now(_dt.timezone.utc)),
    })
    return data


def _same(old: dict, new: dict) -> bool:
    """Validators match when every one the server gives now equals the stored one."""
    if not new or not old:
        return False
    for key in ("etag", "last_modified", "size"):
        if key in new and key in old and new[key] != old[key]:
            return False
    return any(k in new and k in old for k in ("etag", "last_modified"))
