"""URL helpers: what a bucket argument means, and relative references resolved against a document."""

from __future__ import annotations

import os
import posixpath
import re
from urllib.parse import urljoin, urlsplit

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.\-_]{1,253}$", re.IGNORECASE)


def has_scheme(url: str) -> bool:
    """True when ``url`` starts with a scheme such as ``s3://`` (a drive letter does not count)."""
    return len(urlsplit(url).scheme) > 1


def folder_url(location: str) -> str:
    """The URL of a bucket or folder given as ``s3://b``, ``https://...``, ``file://...``, a local
    folder, or a bare S3 bucket name; always ending with ``/``."""
    loc = location.strip()
    if not loc:
        raise ValueError("an empty string is not a bucket or folder")
    if not has_scheme(loc):
        if os.path.isdir(loc) or loc.startswith((".", "/", "~")) or os.sep in loc or "/" in loc:
            loc = os.path.abspath(os.path.expanduser(loc))
            return loc.rstrip(os.sep) + os.sep
        if not _BUCKET_NAME.match(loc):
            raise ValueError(f"{location!r} is neither a bucket name, a URL nor an existing folder")
        loc = "s3://" + loc
    return loc if loc.endswith("/") else loc + "/"


def resolve(base: str, ref: str) -> str:
    """``ref`` as an absolute URL: unchanged when it has a scheme or is an absolute path,
    else relative to the document at ``base`` (a file's URL or path)."""
    if has_scheme(ref) or os.path.isabs(ref):
        return ref
    if has_scheme(base) and urlsplit(base).scheme.lower() != "file":
        scheme = urlsplit(base).scheme
        if scheme in ("http", "https"):
            return urljoin(base, ref)
        head, path = base.split("://", 1)
        return f"{head}://{posixpath.normpath(posixpath.join(posixpath.dirname(path), ref))}" + (
            "/" if ref.endswith("/") else ""
        )
    if base.startswith("file://"):
        base = urlsplit(base).path
    out = os.path.normpath(os.path.join(os.path.dirname(base), ref))
    return out + (os.sep if ref.endswith("/") else "")


def join(folder: str, name: str) -> str:
    """``name`` inside ``folder`` (a URL or local folder ending with a separator)."""
    if folder.endswith(("/", os.sep)):
        return folder + name
    return folder + "/" + name


def short_name(url: str) -> str:
    """A short, filesystem-safe name for a bucket or folder URL (``s3://gov-nasa-hdrl-data1/`` ->
    ``gov-nasa-hdrl-data1``), used for the default cache folder."""
    parts = urlsplit(url)
    if len(parts.scheme) > 1 and parts.scheme.lower() != "file":
        raw = (parts.netloc + parts.path).strip("/")
    else:
        raw = os.path.basename(os.path.normpath(parts.path if parts.scheme else url))
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", raw).strip("._") or "registry"
    return safe
