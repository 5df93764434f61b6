"""EntireCatalogSearch: every bucket catalog of a registry, searched together."""

from __future__ import annotations

import logging
from typing import Any

from .catalog import FileRegistry
from .errors import ScregistryError
from .registry import CatalogRegistry
from .storage import Storage

log = logging.getLogger("scregistry")


class EntireCatalogSearch:
    """All the bucket catalogs listed in a registry, fetched concurrently, searchable by id,
    title and keywords. A bucket that cannot be read is skipped with a warning and listed in
    :attr:`failed` as ``(endpoint, reason)``."""

    def __init__(self, catalog_url: str | None = None, *, cache_folder: str | None = None,
                 **client_kwargs: Any) -> None:
        self.storage = Storage(**client_kwargs)
        self.registry = CatalogRegistry(catalog_url, storage=self.storage)
        self.catalog_url = self.registry.catalog_url
        self.failed: list[tuple[str, str]] = []
        self.catalogs: list[FileRegistry] = []

        def load(endpoint: str) -> FileRegistry | Exception:
            try:
                return FileRegistry(endpoint, storage=self.storage)
            except ScregistryError as exc:
                return exc

        endpoints = [e.endpoint for e in self.registry.entries]
        for endpoint, result in zip(endpoints, self.storage.map(load, endpoints)):
            if isinstance(result, Exception):
                log.warning("skipping bucket %s: %s", endpoint, result)
                self.failed.append((endpoint, str(result)))
            else:
                self.catalogs.append(result)
        #: The catalog documents that could be read, in registry order.
        self.combined_catalog = [fr.get_catalog() for fr in self.catalogs]

    def _entries(self):
        for fr in self.catalogs:
            for entry in fr.get_entries_dict():
                yield fr, entry

    def search_by_id(self, catalog_id_substr: str) -> list[dict]:
        """Entries whose id contains the text (case-insensitive), in registry order."""
        text = catalog_id_substr.lower()
        return [e for _, e in self._entries() if text in str(e.get("id", "")).lower()]

    def search_by_title(self, title_substr: str) -> list[dict]:
        """Entries whose title contains the text (case-insensitive), in registry order."""
        text = title_substr.lower()
        return [e for _, e in self._entries() if text in str(e.get("title", "")).lower()]

    def search_by_keywords(self, keywords: list[str]) -> list[dict]:
        """Entries matching any keyword in id, index, title or tags, the best match first
        (most occurrences; ties keep registry order)."""
        words = [k.lower() for k in ([keywords] if isinstance(keywords, str) else keywords)]
        scored = []
        for fr, entry in self._entries():
            fields = [str(entry.get(k, "")).lower() for k in ("id", "index", "title")]
            tags = [str(t).lower() for t in (entry.get("tags") or []) + (entry.get("collections") or [])]
            count = sum(f.count(w) for w in words for f in fields) + sum(w in t for w in words for t in tags)
            if count:
                scored.append((count, entry))
        scored.sort(key=lambda item: -item[0])
        return [entry for _, entry in scored]


def locate_dataset(dataset_id: str, registry_url: str | None = None, *, storage: Storage | None = None) -> str:
    """The endpoint of the bucket whose catalog lists ``dataset_id``, searching every bucket of the
    registry concurrently. Raises :class:`UnknownDatasetError` naming the closest ids."""
    from .errors import UnknownDatasetError

    storage = storage or Storage()
    registry = CatalogRegistry(registry_url, storage=storage)

    def load(endpoint: str) -> FileRegistry | None:
        try:
            return FileRegistry(endpoint, storage=storage)
        except ScregistryError as exc:
            log.warning("skipping bucket %s: %s", endpoint, exc)
            return None

    catalogs = [fr for fr in storage.map(load, [e.endpoint for e in registry.entries]) if fr is not None]
    for fr in catalogs:
        if dataset_id in fr._entries:
            return fr.url
    folded = dataset_id.lower()
    for fr in catalogs:
        if any(k.lower() == folded for k in fr._entries):
            return fr.url
    known = [k for fr in catalogs for k in fr._entries]
    raise UnknownDatasetError(dataset_id, known, f"any bucket of {registry.catalog_url}")
