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

import contextlib
import datetime as _dt
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from collections.abc import Callable, Iterator
from typing import Any

from .errors import NotFoundError, RemoteUnavailableError
from .storage import Body, Storage
from .times import format_time

log = logging.getLogger("scregistry")

#: Suffix of the parsed (Arrow IPC) form kept beside a cached index file.
TABLE_SUFFIX = ".arrow"

_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def is_safe_name(relname: str) -> bool:
    """True when every ``/``-separated part of ``relname`` is a plain file name (no ``..``, no
    absolute path): only such names are cached, so nothing is written outside the folder."""
    return all(_SAFE_PART.match(p) for p in relname.split("/"))


class Cache:
    """A folder of cached objects; nothing is written outside it."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).expanduser()

    def path(self, relname: str) -> Path:
        """Where ``relname`` (``/``-separated, each part a plain file name) is kept."""
        if not is_safe_name(relname):
            raise ValueError(f"unsafe cache name {relname!r}")
        return self.folder.joinpath(*relname.split("/"))

    def meta(self, relname: str) -> dict | None:
        """The metadata of a complete copy of ``relname``, or ``None`` if there is none."""
        path = self.path(relname)
        if not path.is_file():
            return None
        try:
            return json.loads(path.with_name(path.name + ".meta.json").read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def load(self, relname: str, parse: Callable[[Body], Any] | None = None) -> Any:
        """The cached bytes of ``relname``, or their parsed table when ``parse`` is given (kept as
        an Arrow IPC file beside the copy and memory-mapped on later loads)."""
        path = self.path(relname)
        if parse is None:
            return path.read_bytes()
        table_path = path.with_name(path.name + TABLE_SUFFIX)
        if table_path.is_file() and table_path.stat().st_mtime_ns >= path.stat().st_mtime_ns:
            try:
                import pyarrow as pa

                return pa.ipc.open_file(pa.memory_map(str(table_path))).read_all()
            except (OSError, ValueError) as exc:  # an unreadable derived file is rebuilt
                log.debug("rebuilding %s: %s", table_path, exc)
        table = parse(Body.of(path.read_bytes()))
        self.store_table(relname, table)
        return table

    def receive(self, relname: str, body: Body, consume: Callable[[Body], Any]) -> Any:
        """``consume(body)``, while every chunk that passes is also written to the copy of
        ``relname``; the copy (and its stale parsed table) is replaced once all of it arrived."""
        path = self.path(relname)
        path.parent.mkdir(parents=True, exist_ok=True)
        with _replacing(path) as fh:
            recorder = _Recorder(body, fh)
            passing = Body(body.info, recorder.chunks(), recorder.reread)
            result = consume(passing)
            for _ in passing:  # what the consumer did not need is still kept
                pass
            _unlink(path.with_name(path.name + TABLE_SUFFIX))
        return result

    def store_meta(self, relname: str, meta: dict) -> None:
        """Write the metadata of the copy of ``relname`` atomically."""
        path = self.path(relname)
        _atomic_write(path.with_name(path.name + ".meta.json"), json.dumps(meta, indent=1).encode())

    def store_table(self, relname: str, table: Any) -> None:
        """Keep the parsed table of ``relname`` as an Arrow IPC file, atomically."""
        import pyarrow as pa

        path = self.path(relname)
        with _replacing(path.with_name(path.name + TABLE_SUFFIX)) as fh:
            with pa.ipc.new_file(pa.PythonFile(fh, mode="w"), table.schema) as writer:
                writer.write_table(table)

    def discard(self, relname: str) -> None:
        """Remove a copy whose object no longer exists on the server."""
        path = self.path(relname)
        for suffix in ("", ".meta.json", TABLE_SUFFIX):
            _unlink(path.with_name(path.name + suffix))


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


class _Recorder:
    """Writes the chunks of a body to a file as they pass, or all of it when it is read again."""

    def __init__(self, body: Body, fh: Any) -> None:
        self.body, self.fh, self.complete = body, fh, False

    def chunks(self) -> Iterator[Any]:
        for chunk in self.body:
            if self.complete:
                return
            self.fh.write(chunk)
            yield chunk
        self.complete = True

    def reread(self) -> Any:
        data = self.body.read()
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(data)
        self.complete = True
        return data


@contextlib.contextmanager
def _replacing(path: Path) -> Iterator[Any]:
    """A binary file whose content replaces ``path`` when the block ends without an error (it is
    written beside it under a temporary name, so an interrupted run never leaves half a file)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        _unlink(Path(tmp))
        raise


def _atomic_write(path: Path, data: Any) -> None:
    with _replacing(path) as fh:
        fh.write(data)


def fetch(storage: Storage, url: str, cache: Cache | None, relname: str, *, overwrite: bool = False,
          parse: Callable[[Body], Any] | None = None) -> Any:
    """The content of ``url``, through ``cache`` when one is given: its bytes (or another buffer),
    or ``parse(body)`` when ``parse`` is given (a :class:`~scregistry.storage.Body`, read as it
    arrives), which the cache then also keeps parsed.

    Raises :class:`NotFoundError` when the object does not exist (and drops a stale copy);
    other storage errors propagate, except that a cached copy stands in for a server that
    cannot be reached.
    """
    consume: Callable[[Body], Any] = parse or Body.read
    if cache is None:
        return storage.consume(url, consume).data

    def keep(body: Body) -> Any:
        return cache.receive(relname, body, consume)

    meta = None if overwrite else cache.meta(relname)
    if meta is not None and meta.get("url") != url:
        meta = None
    etag = (meta or {}).get("validators", {}).get("etag")
    fetched = None
    try:
        if meta is not None and not etag:
            # no ETag to send: compare what a HEAD request says
            unchanged = _same(meta.get("validators", {}), storage.info(url).validators())
        else:
            fetched = storage.consume(url, keep, if_none_match=etag)
            unchanged = fetched.data is None and meta is not None
    except NotFoundError:
        if meta is not None:
            log.info("%s no longer exists on the server; dropping the cached copy", url)
            cache.discard(relname)
        raise
    except RemoteUnavailableError as exc:
        if meta is None:
            raise
        log.warning("cannot reach %s (%s); using the cached copy from %s", url, exc,
                    meta.get("fetched", "an earlier run"))
        unchanged = True
    if unchanged:
        log.debug("cache hit: %s", url)
        return cache.load(relname, parse)
    if fetched is None or fetched.data is None:
        fetched = storage.consume(url, keep)
    cache.store_meta(relname, {
        "url": url,
        "validators": fetched.info.validators(),
        "fetched": format_time(_dt.datetime.now(_dt.timezone.utc)),
    })
    if parse is not None:
        cache.store_table(relname, fetched.data)
    return fetched.data


def _same(old: dict, new: dict) -> bool:
    """Validators match when every one the server gives now equals the stored one."""
    if not new or not old:
        return False
    for key in ("etag", "last_modified", "size"):
        if key in new and key in old and new[key] != old[key]:
            return False
    return any(k in new and k in old for k in ("etag", "last_modified"))
