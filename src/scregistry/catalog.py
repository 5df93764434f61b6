"""FileRegistry: one bucket's ``catalog.json`` and the time-range query over its datasets."""

from __future__ import annotations

import functools
import logging
import os
import re
from typing import Any, Callable

import pyarrow as pa

from . import cache as _cache
from .errors import NotFoundError, UnknownDatasetError
from .index import empty_table, index_filename, read_index, read_index_body
from .memory import POOL, release_memory
from .models import Entry, check_catalog, parse_json
from .frames import pandas_column
from .query import Window, make_window, plan_years, select, sort_by_start
from .storage import Storage
from .urls import folder_url, join, short_name

log = logging.getLogger("scregistry")

#: How much of the end of the previous year's index is read to find files running into the window.
TAIL_BYTES = 64 * 1024

#: Year files fetched and parsed at once: enough to hide latency, few enough that the raw bytes
#: of a 1.5-million-row request never sit in memory all together.
INDEX_CONCURRENCY = 4

_UNSET: Any = object()


class _StaticOrBound:
    """A method callable on the class (``FileRegistry.stream(df, f)``, as the seed shows) and on an
    instance (``fr.stream(df, f)``, which then uses that instance's credentials)."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, obj: Any, cls: Any = None) -> Callable[..., Any]:
        bound = functools.partial(self.func, obj)
        functools.update_wrapper(bound, self.func)
        return bound


def _stream(owner: Any, file_registry, process_func: Callable[..., Any],
            ignore_faileds3get: bool = False, **kwargs: Any) -> None:
    """Fetch each file listed in a file-registry DataFrame and pass it to ``process_func``.

    ``process_func(file_bytes, start, filesize)`` (the seed's form) or
    ``process_func(file_bytes, start, stop, filesize)``; ``file_bytes`` is a ``BytesIO``,
    times are ISO 8601 strings. Files are prefetched concurrently and delivered in order.
    A file that cannot be read raises, unless ``ignore_faileds3get=True`` (then it is
    logged and skipped). Called on an instance, that instance's credentials are used.
    """
    from .transfer import stream

    storage = getattr(owner, "storage", None)
    stream(file_registry, process_func, storage=storage, ignore_errors=ignore_faileds3get, **kwargs)


class FileRegistry:
    """One bucket (or folder) that holds a ``catalog.json``, and the files of its datasets.

    ``bucket_name`` is ``s3://bucket/``, a bare bucket name, an ``https://`` or ``file://``
    folder URL, or a local folder. With ``cache=True`` the catalog and every index file read
    are kept under ``cache_folder`` (default ``<bucket>_cache`` in the current folder) and
    revalidated against the server on later use. ``client_kwargs`` are the boto-style
    storage options of :class:`~scregistry.storage.Storage` (credentials, ``region_name``,
    ``endpoint_url``, ``profile_name``, ``requester_pays``).
    """

    def __init__(
        self,
        bucket_name: str,
        cache_folder: str | os.PathLike[str] | None = None,
        cache: bool = False,
        altcatalog: str | None = None,
        *,
        storage: Storage | None = None,
        **client_kwargs: Any,
    ) -> None:
        self.url = folder_url(str(bucket_name))
        self.bucket_name = short_name(self.url)
        self.catalog_name = altcatalog or "catalog.json"
        self.catalog_url = join(self.url, self.catalog_name)
        self.storage = storage if storage is not None else Storage(**client_kwargs)
        self.cache = bool(cache)
        self.cache_folder: str | None = None
        self._cache: _cache.Cache | None = None
        if self.cache:
            self.cache_folder = str(cache_folder) if cache_folder is not None else self.bucket_name + "_cache"
            self._cache = _cache.Cache(self.cache_folder)
        self.catalog: dict = {}
        self._entries: dict[str, dict] = {}
        self._parsed: dict[str, Entry] = {}
        self._load_catalog()

    # -- catalog ----------------------------------------------------------------------

    def _load_catalog(self, overwrite: bool = False) -> None:
        try:
            data = _cache.fetch(self.storage, self.catalog_url, self._cache,
                                _safe_relname(self.catalog_name) or "catalog.json", overwrite=overwrite)
        except NotFoundError as exc:
            raise NotFoundError(f"no catalog at {self.catalog_url}: is {self.url} a bucket that follows "
                                f"the Shared Cloud Registry format? ({exc})", self.catalog_url, exc.signed) from None
        doc = parse_json(data, self.catalog_url, "the catalog")
        entries = check_catalog(doc, self.catalog_url)
        by_id: dict[str, dict] = {}
        for raw in entries:
            eid = raw.get("id")
            if not isinstance(eid, str):
                log.warning("%s: skipping a catalog entry without an id: %.200r", self.catalog_url, raw)
                continue
            if eid in by_id:
                log.warning("%s: dataset id %r appears twice; using the first", self.catalog_url, eid)
                continue
            by_id[eid] = raw
        self.catalog = doc
        self._entries = by_id
        self._parsed = {}

    def get_catalog(self) -> dict:
        """The bucket's catalog, as the JSON document it is."""
        return self.catalog

    def get_entries_dict(self) -> list[dict]:
        """Every dataset entry of the catalog, as JSON objects."""
        return list(self._entries.values())

    def get_entries(self) -> list[tuple[str, str]]:
        """``(id, title)`` of each dataset."""
        return [(eid, str(raw.get("title", ""))) for eid, raw in self._entries.items()]

    get_entries_id_title = get_entries

    def get_entry(self, entry_id: str) -> dict:
        """The catalog entry of one dataset.

        Raises :class:`UnknownDatasetError` (a ``KeyError``) naming the closest ids.
        """
        raw = self._entries.get(entry_id)
        if raw is None:
            folded = {k.lower(): k for k in self._entries}
            if isinstance(entry_id, str) and entry_id.lower() in folded:
                return self._entries[folded[entry_id.lower()]]
            raise UnknownDatasetError(str(entry_id), self._entries, self.catalog_url)
        return raw

    def entry(self, entry_id: str) -> Entry:
        """The parsed entry of one dataset (times as datetimes, index URL resolved)."""
        raw = self.get_entry(entry_id)
        eid = raw["id"]
        if eid not in self._parsed:
            self._parsed[eid] = Entry.from_json(raw, self.catalog_url)
        return self._parsed[eid]

    # -- files ------------------------------------------------------------------------

    def request_file_registry(
        self,
        catalog_id: str,
        start_date: Any = None,
        stop_date: Any = _UNSET,
        overwrite: bool = False,
        *,
        end_date: Any = _UNSET,
        match: str | None = None,
    ):
        """The files of dataset ``catalog_id`` overlapping ``[start_date, stop_date)``, as a DataFrame.

        Columns ``start, stop, datakey, filesize`` then any extra index columns, sorted by
        start, index ``0..n-1``. Times are ISO 8601 strings or datetimes; ``None`` means the
        dataset's start (or stop, which is then included). ``end_date`` is another name for
        ``stop_date``. ``overwrite=True`` refetches cached index files. ``match`` keeps only the
        files whose name (the last part of the data key) matches a glob such as ``'*_v7*.cdf'``.
        """
        from .frames import to_dataframe

        stop = _one_stop(stop_date, end_date)
        return to_dataframe(self.request_table(catalog_id, start_date, stop, overwrite=overwrite, match=match))

    request_cloud_catalog = request_file_registry

    def request_table(self, catalog_id: str, start_date: Any = None, stop_date: Any = None,
                      *, overwrite: bool = False, match: str | None = None) -> pa.Table:
        """Like :meth:`request_file_registry`, as an Arrow table (no pandas needed).

        Time and numeric columns come in one chunk each and text as ``large_string``: the layout
        pandas uses as it is, so the DataFrame of the same rows costs no copy.
        """
        table = self._request_table(catalog_id, start_date, stop_date, overwrite)
        return filter_names(table, match) if match else table

    def _request_table(self, catalog_id: str, start_date: Any, stop_date: Any, overwrite: bool) -> pa.Table:
        entry = self.entry(catalog_id)
        window = make_window(entry, start_date, stop_date)
        table = self._read_static(entry, overwrite) if entry.static else self._read_years(entry, window, overwrite)
        # laid out for pandas here, where nothing else holds the old columns, so each one is
        # freed as soon as it is rewritten
        for i, name in enumerate(table.column_names):
            col = pandas_column(table.column(i))
            if col is not None:
                table = table.set_column(i, name, col)
                release_memory()
        return table

    def _read_years(self, entry: Entry, window: Window, overwrite: bool) -> pa.Table:
        plan = plan_years(entry, window)
        jobs: list[tuple[int, bool]] = [(y, False) for y in plan.years]
        if plan.tail_year is not None:
            jobs.append((plan.tail_year, True))

        def one(job: tuple[int, bool]) -> pa.Table | None:
            table = self._read_year(entry, job[0], job[1], overwrite)
            table = None if table is None else select(table, window)
            release_memory()
            return table

        tables = self.storage.map(one, jobs, limit=INDEX_CONCURRENCY, progress="year files")
        release_memory()
        found = [(job, t) for job, t in zip(jobs, tables) if t is not None]
        log.info("%s: read %d of %d year file(s) for %s .. %s", entry.id, len(found), len(jobs),
                 window.start.isoformat(), window.stop.isoformat())
        if not found:
            return empty_table()
        full = [t for (year, tail), t in found if not tail]
        parts = [_align_tail(t, full) if tail else t for (year, tail), t in found]
        table = pa.concat_tables(parts, promote_options="permissive", memory_pool=POOL) if len(parts) > 1 else parts[0]
        return sort_by_start(table)

    def _index_url(self, entry: Entry, year: int | str) -> str:
        return join(entry.index, index_filename(entry.id, year, entry.indextype))

    def _read_year(self, entry: Entry, year: int | str, tail: bool, overwrite: bool) -> pa.Table | None:
        url = self._index_url(entry, year)
        relname = _safe_relname(f"{entry.id}/{index_filename(entry.id, year, entry.indextype)}")
        cache = self._cache if relname else None
        try:
            if tail and entry.indextype == "csv" and not (cache and cache.meta(relname) is not None):
                # one byte more than the tail, so that a line starting exactly at the tail is kept whole
                data = self.storage.read(url, start=-(TAIL_BYTES + 1))
                return read_index(data, url, entry.indextype, partial=len(data) > TAIL_BYTES)
            return _cache.fetch(self.storage, url, cache, relname or "", overwrite=overwrite,
                                parse=lambda body: read_index_body(body, url, entry.indextype))
        except NotFoundError:
            log.debug("%s: no index file for %s (a gap): %s", entry.id, year, url)
            return None

    def _read_static(self, entry: Entry, overwrite: bool) -> pa.Table:
        years: list[int | str] = ["static"]
        created = entry.raw.get("creation")
        if isinstance(created, str) and created[:4].isdigit():
            years.append(int(created[:4]))
        for year in years:
            table = self._read_year(entry, year, False, overwrite)
            if table is not None:
                return table
        return empty_table()

    def year_summary(self, catalog_id: str, *, overwrite: bool = False) -> list[dict]:
        """For each year file of a dataset that exists: ``year``, ``files``, ``bytes``, ``first``
        (earliest start) and ``last`` (latest stop, or start), read concurrently."""
        import pyarrow.compute as pc

        entry = self.entry(catalog_id)
        if entry.static:
            years: list[int | str] = ["static"]
        else:
            years = list(range(entry.start.year, entry.stop.year + 1))  # type: ignore[union-attr]
        tables = self.storage.map(lambda y: self._read_year(entry, y, False, overwrite), years,
                                  limit=INDEX_CONCURRENCY, progress="year files")
        out = []
        for year, table in zip(years, tables):
            if table is None:
                continue
            ends = table["stop"] if table["stop"].null_count < table.num_rows else table["start"]
            out.append({"year": year, "files": table.num_rows,
                        "bytes": int(pc.sum(table["filesize"]).as_py() or 0),
                        "first": pc.min(table["start"]).as_py(), "last": pc.max(ends).as_py()})
        release_memory()
        return out

    def sample_key(self, catalog_id: str) -> str | None:
        """The dataset's first data key (from the first rows of its first year file, one small
        range read), or ``None`` when it has none."""
        entry = self.entry(catalog_id)
        year = "static" if entry.static else entry.start.year  # type: ignore[union-attr]
        url = self._index_url(entry, year)
        if entry.indextype == "csv":
            head = self.storage.read(url, start=0, end=8192)
            cut = head.rfind(b"\n")
            table = read_index(head[: cut + 1] if cut > 0 else head, url, "csv")
        else:
            table = self._read_year(entry, year, False, False)
        if table is None or table.num_rows == 0:
            return None
        return str(table["datakey"][0].as_py())

    # -- data files --------------------------------------------------------------------

    stream = _StaticOrBound(_stream)


#: The successor's name for FileRegistry.
CloudCatalog = FileRegistry


def _one_stop(stop_date: Any, end_date: Any) -> Any:
    if stop_date is not _UNSET and end_date is not _UNSET and stop_date != end_date:
        raise TypeError(f"stop_date={stop_date!r} and end_date={end_date!r} are the same argument; pass one")
    if stop_date is not _UNSET:
        return stop_date
    if end_date is not _UNSET:
        return end_date
    return None


def filter_names(table: pa.Table, pattern: str) -> pa.Table:
    """The rows whose file name (the data key after its last ``/``) matches the glob ``pattern``."""
    import pyarrow.compute as pc

    names = pc.replace_substring_regex(table["datakey"], r"^.*/", "", memory_pool=POOL)
    keep = pc.match_substring_regex(names, glob_regex(pattern), memory_pool=POOL)
    return pc.filter(table, keep, memory_pool=POOL)


def glob_regex(pattern: str) -> str:
    """A shell glob (``*``, ``?``, ``[...]``) as an anchored regular expression Arrow's engine takes."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[" and "]" in pattern[i + 1:]:
            j = pattern.index("]", i + 1)
            body = pattern[i + 1:j]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "^" + "".join(out) + "$"


def _safe_relname(name: str) -> str | None:
    if _cache.is_safe_name(name):
        return name
    log.warning("not caching %r: the name is not a plain file name", name)
    return None


def _align_tail(tail: pa.Table, full: list[pa.Table]) -> pa.Table:
    """Give a header-less tail the column names of a full year file with the same layout."""
    for t in full:
        if t.num_columns == tail.num_columns and t.column_names != tail.column_names:
            return tail.rename_columns(t.column_names)
    return tail
