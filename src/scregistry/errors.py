"""The exceptions scregistry raises.

Every error derives from :class:`ScregistryError` and, where one fits, from the
built-in exception a caller would already catch (``KeyError`` for an unknown
dataset id, ``ValueError`` for bad input or malformed files, ``ConnectionError``
and ``PermissionError`` for stores that cannot be read).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ScregistryError(Exception):
    """Base class of every error raised by scregistry."""


class UnknownDatasetError(ScregistryError, KeyError):
    """A dataset id that is not in the catalog."""

    def __init__(self, dataset_id: str, known_ids: Iterable[str], where: str = "") -> None:
        self.dataset_id = dataset_id
        known = list(known_ids)
        lowered = {k.lower(): k for k in known}
        close = difflib.get_close_matches(dataset_id.lower(), list(lowered), n=5, cutoff=0.5)
        self.suggestions = [lowered[c] for c in close]
        msg = f"unknown dataset id {dataset_id!r}"
        if where:
            msg += f" in {where}"
        if self.suggestions:
            msg += "; closest ids: " + ", ".join(self.suggestions)
        elif known:
            msg += f" ({len(known)} datasets there; list them with get_entries())"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would show the repr of the message
        return str(self.args[0])


class EndpointNotFoundError(ScregistryError, KeyError):
    """No registry entry has the requested name (and region prefix)."""

    def __str__(self) -> str:
        return str(self.args[0])


class AmbiguousNameError(ScregistryError, ValueError):
    """Several registry entries match a name; a region prefix is needed."""


class TimeFormatError(ScregistryError, ValueError):
    """A time string that is not restricted ISO 8601."""


class TimeRangeError(ScregistryError, ValueError):
    """A start time after the stop time."""


class FormatError(ScregistryError, ValueError):
    """A malformed registry, catalog or index file; the message names the URL (and line)."""

    def __init__(self, message: str, url: str = "", line: int | None = None) -> None:
        self.url = url
        self.line = line
        where = url
        if line is not None:
            where = f"{url}, line {line}"
        super().__init__(f"{where}: {message}" if where else message)


class CatalogUnavailableError(ScregistryError):
    """A catalog whose status says it is temporarily unavailable (code 1400)."""

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.provider_message = message
        super().__init__(
            f"{url} is temporarily unavailable (status 1400): {message or 'no message given'}; "
            "try again later"
        )


class StorageError(ScregistryError, OSError):
    """A store could not be read; the message names the URL and how it was accessed."""

    def __init__(self, message: str, url: str = "", signed: bool | None = None) -> None:
        self.url = url
        self.signed = signed
        OSError.__init__(self, message)

    def __str__(self) -> str:
        return str(self.args[0])


class RemoteUnavailableError(StorageError, ConnectionError):
    """A store that did not answer (refused, timed out, or kept failing)."""


class AccessDeniedError(StorageError, PermissionError):
    """A store that refused the request (403, or anonymous access not allowed)."""


class NotFoundError(StorageError, FileNotFoundError):
    """An object that does not exist."""
