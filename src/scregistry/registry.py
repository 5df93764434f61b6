"""CatalogRegistry: the global registry of buckets."""

from __future__ import annotations

import difflib
import logging
import os
from typing import Any

from . import cache as _cache
from .errors import AmbiguousNameError, EndpointNotFoundError
from .models import RegistryEntry, parse_json, parse_registry
from .sample import resolve_registry
from .storage import Storage

log = logging.getLogger("scregistry")

#: The HelioCloud global registry, used when neither an argument nor the environment names one.
DEFAULT_REGISTRY_URL = "http://heliocloud.org/catalog/HelioDataRegistry.json"
#: The environment variable that overrides the default registry URL.
REGISTRY_ENV = "ROOT_CATALOG_REGISTRY_URL"


def registry_url(catalog_url: str | None = None) -> str:
    """The registry to use: the argument, else ``$ROOT_CATALOG_REGISTRY_URL``, else the HelioCloud one;
    the name ``sample`` means the embedded sample registry."""
    url = catalog_url or os.environ.get(REGISTRY_ENV) or DEFAULT_REGISTRY_URL
    return resolve_registry(url)


class CatalogRegistry:
    """The global registry: which buckets publish catalogs, with their names and regions."""

    def __init__(self, catalog_url: str | None = None, *, cache_folder: str | os.PathLike[str] | None = None,
                 storage: Storage | None = None, **client_kwargs: Any) -> None:
        self.catalog_url = registry_url(catalog_url)
        self.storage = storage if storage is not None else Storage(**client_kwargs)
        cache = _cache.Cache(cache_folder) if cache_folder is not None else None
        data = _cache.fetch(self.storage, self.catalog_url, cache, "registry.json")
        self.catalog: dict = parse_json(data, self.catalog_url, "the registry")
        self.entries: list[RegistryEntry] = parse_registry(self.catalog, self.catalog_url)

    def get_catalog(self) -> dict:
        """The whole registry document."""
        return self.catalog

    def get_registry(self) -> list[dict]:
        """Each bucket entry as a JSON object, with ``endpoint`` made absolute."""
        return [dict(e.raw, endpoint=e.endpoint, region=e.region) for e in self.entries]

    def get_entries(self) -> list[tuple[str, str]]:
        """``(name, region)`` of each bucket."""
        return [(e.name, e.region) for e in self.entries]

    get_entries_name_region = get_entries

    def get_endpoint(self, name: str, region_prefix: str = "", force_first: bool = False) -> str:
        """The endpoint URL of the bucket called ``name`` whose region starts with ``region_prefix``.

        Raises :class:`EndpointNotFoundError` (a ``KeyError``) naming the closest names when none
        matches, and :class:`AmbiguousNameError` (a ``ValueError``) listing the candidates when
        several do, unless ``force_first``.
        """
        matches = [e for e in self.entries if e.name == name and e.region.startswith(region_prefix)]
        if not matches:
            matches = [e for e in self.entries
                       if e.name.lower() == name.lower() and e.region.startswith(region_prefix)]
        if not matches:
            names = sorted({e.name for e in self.entries})
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.4)
            msg = f"no bucket named {name!r}"
            if region_prefix:
                msg += f" in a region starting with {region_prefix!r}"
            msg += f" in {self.catalog_url}"
            if close:
                msg += "; closest names: " + ", ".join(repr(c) for c in close)
            raise EndpointNotFoundError(msg)
        if len(matches) > 1 and not force_first:
            options = ", ".join(f"{e.endpoint} (region {e.region or '?'})" for e in matches)
            hint = ("pass region_prefix= to choose" if len({e.region for e in matches}) > 1
                    else "pass force_first=True to take the first")
            raise AmbiguousNameError(f"{len(matches)} buckets are named {name!r}: {options}; {hint}")
        return matches[0].endpoint
