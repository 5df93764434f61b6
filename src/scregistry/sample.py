"""The sample registry that ships inside the package, addressed by the name ``sample``."""

from __future__ import annotations

import os

#: The name that stands for the embedded sample registry wherever a registry URL is accepted.
SAMPLE_NAME = "sample"


def sample_registry_path() -> str:
    """The path of the embedded sample registry's ``registry.json``."""
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "sample", "registry.json")


def resolve_registry(url: str) -> str:
    """``url`` itself, or the sample registry's path for the name ``sample``."""
    return sample_registry_path() if url.strip().lower() == SAMPLE_NAME else url
