"""EntireCatalogSearch: every bucket catalog of a registry, searched together."""

from __future__ import annotations

import datetime as _dt
import logging
import os
import re
from typing import Any

from .catalog import FileRegistry
from .errors import FormatError, ScregistryError, TimeFormatError, UnknownDatasetError
from .models import Entry
from .ranking import rank
from .registry import CatalogRegistry
from .storage import Storage
from .times import parse_time
from .urls import short_name

log = logging.getLogger("scregistry")


class Match(dict):
    """A catalog entry found by a search: the entry itself (a ``dict``, as in ``catalog.json``),
    plus the bucket it came from (:attr:`endpoint`, :attr:`bucket`) and its :attr:`score`."""

    def __init__(self, entry: dict, endpoint: str, bucket: str, score: float = 0.0) -> None:
        super().__init__(entry)
        self.endpoint = endpoint
        self.bucket = bucket
        self.score = score


class Matches(list):
    """A list of :class:`Match`, best first, that also converts to a DataFrame."""

    def to_dataframe(self):
        """One row per match: id, title, start, stop, filetype, bucket, endpoint, score, index."""
        import pandas as pd

        rows = [{
            "id": m.get("id"), "title": m.get("title"), "start": m.get("start"), "stop": m.get("stop"),
            "filetype": m.get("filetype"), "bucket": m.bucket, "endpoint": m.endpoint, "score": m.score,
            "index": m.get("index"),
        } for m in self]
        columns = ["id", "title", "start", "stop", "filetype", "bucket", "endpoint", "score", "index"]
        return pd.DataFrame(rows, columns=columns)


class EntireCatalogSearch:
    """All the bucket catalogs listed in a registry, fetched concurrently and searchable.

    A bucket that cannot be read (down, forbidden, malformed, or with status 1400) is skipped
    with one warning naming it and why, and listed in :attr:`failed` as ``(endpoint, reason)``.
    With ``cache_folder`` each bucket's catalog is cached under it (revalidated, usable offline).
    ``client_kwargs`` are the storage options of :class:`~scregistry.storage.Storage`.
    """

    def __init__(self, catalog_url: str | None = None, *, cache_folder: str | os.PathLike[str] | None = None,
                 storage: Storage | None = None, **client_kwargs: Any) -> None:
        self.storage = storage if storage is not None else Storage(**client_kwargs)
        self.registry = CatalogRegistry(catalog_url, storage=self.storage, cache_folder=cache_folder)
        self.catalog_url = self.registry.catalog_url
        self.failed: list[tuple[str, str]] = []
        self.catalogs: list[FileRegistry] = []

        def load(endpoint: str) -> FileRegistry | ScregistryError:
            cache = {}
            if cache_folder is not None:
                cache = {"cache": True, "cache_folder": os.path.join(cache_folder, short_name(endpoint))}
            try:
                return FileRegistry(endpoint, storage=self.storage, **cache)
            except ScregistryError as exc:
                return exc

        endpoints = [e.endpoint for e in self.registry.entries]
        results = self.storage.map(load, endpoints, progress="catalogs")
        for endpoint, result in zip(endpoints, results):
            if isinstance(result, ScregistryError):
                log.warning("skipping bucket %s: %s", endpoint, result)
                self.failed.append((endpoint, str(result)))
            else:
                self.catalogs.append(result)
        #: The catalog documents that could be read, in registry order.
        self.combined_catalog = [fr.get_catalog() for fr in self.catalogs]

    # -- the seed's searches ----------------------------------------------------------

    def _matches(self) -> list[Match]:
        return [Match(entry, fr.url, fr.bucket_name) for fr in self.catalogs for entry in fr.get_entries_dict()]

    def search_by_id(self, catalog_id_substr: str) -> Matches:
        """Entries whose id contains the text (case-insensitive), in registry order."""
        text = catalog_id_substr.lower()
        return Matches(m for m in self._matches() if text in str(m.get("id", "")).lower())

    def search_by_title(self, title_substr: str) -> Matches:
        """Entries whose title contains the text (case-insensitive), in registry order."""
        text = title_substr.lower()
        return Matches(m for m in self._matches() if text in str(m.get("title", "")).lower())

    def search_by_keywords(self, keywords: list[str] | str) -> Matches:
        """Entries matching any keyword, best match first (see :mod:`scregistry.ranking`)."""
        words = [keywords] if isinstance(keywords, str) else list(keywords)
        out = Matches()
        for value, match in rank(self._matches(), words):
            match.score = value
            out.append(match)
        return out

    # -- richer search ----------------------------------------------------------------

    def search(self, text: str | list[str] | None = None, *, start: Any = None, stop: Any = None,
               filetype: str | None = None, bucket: str | None = None, collection: str | None = None,
               limit: int | None = None) -> Matches:
        """Entries matching free ``text`` (words, ranked like :meth:`search_by_keywords`; none means
        every entry) and every filter given: time coverage overlapping ``[start, stop)``, a
        ``filetype`` (e.g. ``cdf``), a ``bucket`` (endpoint, bucket or registry name; a substring), a ``collection``
        (in ``collections`` or ``tags``). Use ``.to_dataframe()`` on the result for a table."""
        t0 = parse_time(start, name="start") if start is not None else None
        t1 = parse_time(stop, name="stop") if stop is not None else None
        names = {e.endpoint: e.name for e in self.registry.entries}
        candidates = [m for m in self._matches()
                      if _passes(m, t0, t1, filetype, bucket, collection, names.get(m.endpoint, ""))]
        if text:
            words = text.split() if isinstance(text, str) else list(text)
            ranked = rank(candidates, words)
            out = Matches()
            for value, match in ranked:
                match.score = value
                out.append(match)
        else:
            out = Matches(candidates)
        return Matches(out[:limit]) if limit else out

    def find_dataset(self, dataset_id: str) -> Match:
        """The entry of ``dataset_id`` (exact id, else case-insensitive) in any bucket.

        Raises :class:`UnknownDatasetError` naming the closest ids."""
        matches = self._matches()
        for m in matches:
            if m.get("id") == dataset_id:
                return m
        for m in matches:
            if str(m.get("id", "")).lower() == dataset_id.lower():
                return m
        raise UnknownDatasetError(dataset_id, [str(m.get("id")) for m in matches],
                                  f"any readable bucket of {self.catalog_url}")

    def reverse_lookup(self, fragment: str) -> Matches:
        """Datasets that index a data key or path fragment (e.g. ``'mms1/feeps/brst'`` or a whole
        ``s3://`` key): those whose id or index folder contains it, and those whose data keys
        share its folder (one small range read of each dataset's first year file, concurrently)."""
        frag = fragment.strip()
        if not frag:
            raise ValueError("an empty fragment matches everything")
        matches = self._matches()
        hits = {id(m) for m in matches if frag.lower() in str(m.get("index", "")).lower()
                or frag.lower() == str(m.get("id", "")).lower()}
        by_endpoint = {fr.url: fr for fr in self.catalogs}

        def sample(m: Match) -> str | None:
            try:
                return by_endpoint[m.endpoint].sample_key(str(m["id"]))
            except (ScregistryError, KeyError) as exc:
                log.debug("no sample key for %s: %s", m.get("id"), exc)
                return None

        rest = [m for m in matches if id(m) not in hits]
        found = []
        for m, key in zip(rest, self.storage.map(sample, rest, progress="datasets")):
            if not key:
                continue
            stem = _stem(key)
            if frag in key.rsplit("/", 1)[0] or (len(frag) > len(stem) and frag.startswith(stem)):
                found.append((m, key))
        # A whole key names one layout: among several candidates keep those of the same shape.
        same_shape = [m for m, key in found if _shape(key) == _shape(frag)]
        for m, _ in (found if not same_shape else [(m, None) for m in same_shape]):
            hits.add(id(m))
        return Matches(m for m in matches if id(m) in hits)


def _stem(key: str) -> str:
    """A data key up to its first folder that names a date or year (``.../aia/`` of
    ``.../aia/20100513/0094/x.fits``): the part every key of the dataset shares."""
    parts = key.split("/")
    for i, part in enumerate(parts[3:], start=3):
        if re.search(r"\d{4}", part):
            return "/".join(parts[:i]) + "/"
    return key.rsplit("/", 1)[0] + "/"


def _shape(text: str) -> str:
    """The text with every digit replaced by 0: keys of one dataset share it."""
    return re.sub(r"\d", "0", text)


def _passes(m: Match, t0: _dt.datetime | None, t1: _dt.datetime | None, filetype: str | None,
            bucket: str | None, collection: str | None, registry_name: str = "") -> bool:
    if filetype:
        kinds = {k.strip().lower() for k in str(m.get("filetype") or "").split(",")}
        if filetype.lower() not in kinds:
            return False
    if bucket and bucket.lower() not in "\n".join((m.endpoint, m.bucket, registry_name)).lower():
        return False
    if collection:
        labels = [str(v).lower() for key in ("collections", "tags") for v in (m.get(key) or [])]
        if collection.lower() not in labels:
            return False
    if t0 is not None or t1 is not None:
        try:
            entry = Entry.from_json(dict(m), m.endpoint + "catalog.json")
        except (FormatError, TimeFormatError):
            return False
        if entry.start is None or entry.stop is None:
            return True  # static data has no time axis to exclude it
        if t1 is not None and entry.start >= t1:
            return False
        if t0 is not None and entry.stop < t0:
            return False
    return True
