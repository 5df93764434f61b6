"""The registry, a bucket catalog and a dataset entry, read leniently from their JSON.

Real catalogs bend the format (see SPEC.md, "Seen in the wild"): these readers accept
every variant seen there, keep unknown keys, and raise :class:`FormatError` naming the
URL only when a document cannot be used at all.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import CatalogUnavailableError, FormatError, TimeFormatError
from .index import canonical_indextype
from .times import parse_time
from .urls import resolve


def parse_json(data: bytes, url: str, what: str) -> Any:
    """Decode a JSON document, naming the URL and line when it is malformed."""
    try:
        return json.loads(bytes(data).decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FormatError(f"{what} is not UTF-8 text: {exc}", url) from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"{what} is not valid JSON: {exc.msg} (column {exc.colno})", url, exc.lineno) from None


@dataclass(frozen=True)
class Status:
    """A catalog's ``status``: 1200 is OK, 1400 temporarily unavailable."""

    code: int
    message: str

    @classmethod
    def from_json(cls, raw: Any) -> "Status":
        if raw is None:
            return cls(1200, "OK")
        if isinstance(raw, dict):
            code, msg = raw.get("code", 1200), raw.get("message", "")
        elif isinstance(raw, (int, float)):
            code, msg = raw, ""
        else:  # "1200/OK", "1400 maintenance"
            m = re.match(r"\s*(\d+)\s*[/:\- ]?\s*(.*)$", str(raw))
            code, msg = (m.group(1), m.group(2)) if m else (1200, str(raw))
        try:
            code = int(code)
        except (TypeError, ValueError):
            code = 1200
        return cls(code, str(msg or ""))


@dataclass
class RegistryEntry:
    """One bucket of the global registry."""

    endpoint: str
    name: str
    region: str
    provider: str
    raw: dict = field(repr=False)


def parse_registry(doc: Any, url: str) -> list[RegistryEntry]:
    """The bucket entries of a global registry document; relative endpoints resolve against ``url``."""
    if not isinstance(doc, dict) or not isinstance(doc.get("registry"), list):
        raise FormatError("a registry must be a JSON object with a 'registry' list", url)
    out = []
    for i, raw in enumerate(doc["registry"]):
        if not isinstance(raw, dict) or not isinstance(raw.get("endpoint"), str) or not raw["endpoint"].strip():
            raise FormatError(f"registry entry #{i} has no 'endpoint': {raw!r}", url)
        endpoint = resolve(url, raw["endpoint"].strip())
        if not endpoint.endswith(("/", "\\")):
            endpoint += "/"
        out.append(RegistryEntry(endpoint=endpoint, name=str(raw.get("name") or endpoint),
                                 region=str(raw.get("region") or ""), provider=str(raw.get("provider") or "aws"),
                                 raw=raw))
    return out


_STATIC = "static"


@dataclass
class Entry:
    """One dataset of a bucket catalog, with its times parsed and its index resolved."""

    id: str
    index: str
    title: str
    start: _dt.datetime | None
    stop: _dt.datetime | None
    indextype: str
    multiyear: bool
    raw: dict = field(repr=False)

    @property
    def static(self) -> bool:
        """True for data with no time axis (start given as ``static``)."""
        return self.start is None

    @classmethod
    def from_json(cls, raw: dict, catalog_url: str) -> "Entry":
        eid = raw.get("id")
        where = f"{catalog_url} (dataset {eid!r})"
        if not isinstance(eid, str) or not eid:
            raise FormatError(f"a catalog entry has no 'id': {_brief(raw)}", catalog_url)
        index = raw.get("index")
        if not isinstance(index, str) or not index.strip():
            raise FormatError("the entry has no 'index' folder", where)
        index = resolve(catalog_url, index.strip())
        if not index.endswith(("/", "\\")):
            index += "/"
        start = _entry_time(raw.get("start"), "start", where)
        stop = _entry_time(raw.get("stop"), "stop", where)
        if start is not None and stop is None:
            stop = _dt.datetime.now(_dt.timezone.utc)
        multiyear = raw.get("multiyear", False)
        if isinstance(multiyear, str):
            multiyear = multiyear.strip().lower() in ("true", "yes", "1")
        return cls(id=eid, index=index, title=str(raw.get("title") or ""), start=start, stop=stop,
                   indextype=canonical_indextype(raw.get("indextype"), where=where),
                   multiyear=bool(multiyear), raw=raw)


def _entry_time(value: Any, name: str, where: str) -> _dt.datetime | None:
    if value is None or (isinstance(value, str) and value.strip().lower() in (_STATIC, "")):
        return None
    try:
        return parse_time(value, name=name)
    except TimeFormatError as exc:
        raise FormatError(str(exc), where) from None


def _brief(raw: Any) -> str:
    text = json.dumps(raw)[:200]
    return text


def check_catalog(doc: Any, url: str) -> list[dict]:
    """The dataset entries of a bucket catalog; raises for status 1400 or an unusable document."""
    if not isinstance(doc, dict):
        raise FormatError("a catalog must be a JSON object", url)
    status = Status.from_json(doc.get("status"))
    if status.code == 1400:
        raise CatalogUnavailableError(url, status.message)
    entries = doc.get("catalog")
    if not isinstance(entries, list):
        raise FormatError("a catalog must have a 'catalog' list of datasets", url)
    bad = [i for i, e in enumerate(entries) if not isinstance(e, dict)]
    if bad:
        raise FormatError(f"catalog entry #{bad[0]} is not an object", url)
    return entries
