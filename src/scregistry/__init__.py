"""scregistry: find heliophysics datasets in cloud object stores and list their files.

Reads the HelioCloud Shared Cloud Registry (CloudCatalog) format: a global registry of
buckets, each bucket's ``catalog.json`` of datasets, and each dataset's yearly index files.
"""

from __future__ import annotations

import logging

from .catalog import CloudCatalog, FileRegistry
from .errors import (
    AccessDeniedError,
    AmbiguousNameError,
    CatalogUnavailableError,
    EndpointNotFoundError,
    FormatError,
    NotFoundError,
    RemoteUnavailableError,
    ScregistryError,
    StorageError,
    TimeFormatError,
    TimeRangeError,
    UnknownDatasetError,
)
from .registry import DEFAULT_REGISTRY_URL, CatalogRegistry
from .search import EntireCatalogSearch
from .storage import Storage

__version__ = "0.4.0"

__all__ = [
    "CatalogRegistry", "FileRegistry", "CloudCatalog", "EntireCatalogSearch", "Storage",
    "DEFAULT_REGISTRY_URL",
    "ScregistryError", "UnknownDatasetError", "EndpointNotFoundError", "AmbiguousNameError",
    "TimeFormatError", "TimeRangeError", "FormatError", "CatalogUnavailableError",
    "StorageError", "RemoteUnavailableError", "AccessDeniedError", "NotFoundError",
]

logging.getLogger("scregistry").addHandler(logging.NullHandler())
