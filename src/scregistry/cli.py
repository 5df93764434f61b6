"""The ``scregistry`` command: a thin layer over the library.

Exit codes: 0 success, 1 no match, 2 usage error, 3 remote or format error; each failure
prints one line on stderr (the traceback too with ``-v``).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from typing import Any, Callable

import click

from .errors import (
    AmbiguousNameError,
    EndpointNotFoundError,
    ScregistryError,
    TimeFormatError,
    TimeRangeError,
    UnknownDatasetError,
)
from .output import FORMATS

EXIT_OK, EXIT_NO_MATCH, EXIT_USAGE, EXIT_REMOTE = 0, 1, 2, 3

log = logging.getLogger("scregistry")

#: Options every command takes, before or after the command name.
_SHARED = ("registry", "bucket", "cache_dir", "no_cache", "endpoint_url", "profile", "region", "anon",
           "requester_pays", "fmt", "output", "verbose")


class NoMatch(Exception):
    """Nothing matched: exit code 1."""


def _setup_logging(verbose: int) -> None:
    level_name = os.environ.get("SCREGISTRY_LOGLEVEL", "").upper()
    level = getattr(logging, level_name, None) if level_name else None
    if verbose:
        level = logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level or logging.WARNING, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


def _shared_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--registry", metavar="URL|sample", default=None,
                     help="Global registry URL, or 'sample' for the embedded sample registry "
                          "(default: $ROOT_CATALOG_REGISTRY_URL, else the HelioCloud registry)."),
        click.option("--bucket", metavar="URL", default=None,
                     help="Use this bucket's catalog.json (s3://name/, a bucket name, https://..., a folder) "
                          "instead of searching the registry; for 'search', keep matches from buckets "
                          "whose name or URL contains this."),
        click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
                     help="Keep catalogs and index files here and revalidate them on later runs "
                          "(default: $SCREGISTRY_CACHE_DIR; no cache when neither is set)."),
        click.option("--no-cache", is_flag=True, default=None, help="Do not cache, even with $SCREGISTRY_CACHE_DIR."),
        click.option("--endpoint-url", default=None, help="S3-compatible endpoint (default: $AWS_ENDPOINT_URL)."),
        click.option("--profile", default=None, help="AWS profile for signed requests."),
        click.option("--region", default=None, help="S3 region name."),
        click.option("--anon/--signed", "anon", default=None,
                     help="Force anonymous or signed S3 requests (default: signed only when credentials "
                          "are configured: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a profile; keys are not "
                          "taken on the command line, where they would end up in shell histories)."),
        click.option("--requester-pays", is_flag=True, default=None,
                     help="Read requester-pays buckets (your account pays the transfer)."),
        click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                     help="Output format (default: text, an aligned table)."),
        click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
                     help="Write to this file instead of standard output."),
        click.option("-v", "--verbose", count=True, default=None,
                     help="More logging: -v info, -vv debug (also $SCREGISTRY_LOGLEVEL)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


class Settings:
    """The shared options, from the group and the command (the command's win)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)

    @property
    def cache_folder(self) -> str | None:
        if self.no_cache:
            return None
        return self.cache_dir or os.environ.get("SCREGISTRY_CACHE_DIR") or None

    def storage(self):
        from .storage import Storage

        kwargs: dict[str, Any] = {}
        for name, key in (("endpoint_url", "endpoint_url"), ("profile", "profile_name"), ("region", "region_name")):
            if getattr(self, name):
                kwargs[key] = getattr(self, name)
        if self.anon is not None:
            kwargs["anon"] = self.anon
        if self.requester_pays:
            kwargs["requester_pays"] = True
        return Storage(**kwargs)

    def emit_rows(self, rows: list[dict], columns: list[str]) -> None:
        from .output import write_rows

        if not rows:
            raise NoMatch("nothing matched")
        write_rows(rows, columns, self.fmt or "text", path=self.output)

    def emit_text(self, text: str) -> None:
        if self.output:
            with open(self.output, "w", encoding="utf-8") as fh:
                fh.write(text)
        else:
            click.echo(text, nl=False)

    def emit_table(self, table) -> None:
        from .output import write_table

        if table.num_rows == 0:
            raise NoMatch("no files in that window")
        write_table(table, self.fmt or "text", path=self.output)


def command(name: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
    """A subcommand taking the shared options, with errors mapped to exit codes."""

    def wrap(func: Callable[..., Any]) -> Any:
        @functools.wraps(func)
        def run(*args: Any, **values: Any) -> None:
            ctx = click.get_current_context()
            group = (ctx.obj or {})
            mine = {k: values.pop(k, None) for k in _SHARED}
            settings = Settings({k: mine[k] if mine[k] not in (None, 0, False) else group.get(k) for k in _SHARED})
            _setup_logging(settings.verbose or 0)
            from . import progress

            progress.enable()
            try:
                func(settings, *args, **values)
                return
            except (NoMatch, UnknownDatasetError, EndpointNotFoundError) as exc:
                code, error = EXIT_NO_MATCH, exc
            except (TimeFormatError, TimeRangeError, AmbiguousNameError) as exc:
                code, error = EXIT_USAGE, exc
            except ScregistryError as exc:
                code, error = EXIT_REMOTE, exc
            except ValueError as exc:  # bad arguments caught by the library's own checks
                code, error = EXIT_USAGE, exc
            if settings.verbose:
                log.error("failed", exc_info=error)
            click.echo(f"scregistry: {error}", err=True)
            sys.exit(code)

        return main.command(name, **kwargs)(_shared_options(run))

    return wrap


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="scregistry")
@_shared_options
@click.pass_context
def main(ctx: click.Context, **values: Any) -> None:
    """Find heliophysics datasets in cloud object stores and list their files.

    \b
    The discovery flow, on the embedded sample registry (no network needed):
      scregistry registry --registry sample            # the buckets
      scregistry tree --registry sample                # every bucket and its datasets
      scregistry search mms electron --registry sample # find a dataset by words
      scregistry info mms1_feeps_brst_electron --registry sample
      scregistry inspect mms1_feeps_brst_electron --registry sample   # files and bytes per year
      scregistry files mms1_feeps_brst_electron --registry sample --start 2021-01-01 --stop 2021-01-02

    Options such as --registry, --format and --output go before or after the command.
    """
    ctx.obj = values


def _catalog_for(settings: Settings, dataset_id: str):
    """The FileRegistry holding ``dataset_id``: --bucket, else found through the registry."""
    from .catalog import FileRegistry
    from .search import EntireCatalogSearch

    storage = settings.storage()
    cache = {"cache": settings.cache_folder is not None, "cache_folder": settings.cache_folder}
    if settings.bucket:
        return FileRegistry(settings.bucket, storage=storage, **cache)
    search = EntireCatalogSearch(settings.registry, storage=storage)
    endpoint = search.find_dataset(dataset_id).endpoint
    if settings.cache_folder:
        from .urls import short_name

        cache["cache_folder"] = os.path.join(settings.cache_folder, short_name(endpoint))
    return FileRegistry(endpoint, storage=storage, **cache)


def _search(settings: Settings):
    from .search import EntireCatalogSearch

    return EntireCatalogSearch(settings.registry, storage=settings.storage(), cache_folder=settings.cache_folder)


@command("registry")
def registry_cmd(settings: Settings) -> None:
    """List the buckets of the registry: name, region, endpoint.

    \b
    Example:
      scregistry registry --registry sample
    """
    from .registry import CatalogRegistry

    cr = CatalogRegistry(settings.registry, storage=settings.storage())
    rows = [{"name": e.name, "region": e.region, "endpoint": e.endpoint} for e in cr.entries]
    settings.emit_rows(rows, ["name", "region", "endpoint"])


@command("catalog")
@click.argument("where", metavar="BUCKET")
def catalog_cmd(settings: Settings, where: str) -> None:
    """List the datasets of one bucket: id, title, start, stop, filetype.

    BUCKET is an endpoint (s3://name/, https://..., a folder), a bare bucket name, or the name of a
    bucket in the registry.

    \b
    Example:
      scregistry catalog "Sample SDO archive" --registry sample
      scregistry catalog s3://gov-nasa-hdrl-data1/ --format csv
    """
    from .catalog import FileRegistry
    from .urls import has_scheme

    storage = settings.storage()
    target = where
    if not has_scheme(where) and not os.path.isdir(where):
        from .registry import CatalogRegistry

        try:
            target = CatalogRegistry(settings.registry, storage=storage).get_endpoint(where)
        except EndpointNotFoundError:
            if " " in where:
                raise
    cache = {"cache": settings.cache_folder is not None, "cache_folder": settings.cache_folder}
    fr = FileRegistry(target, storage=storage, **cache)
    rows = [{k: e.get(k) for k in ("id", "title", "start", "stop", "filetype")} for e in fr.get_entries_dict()]
    settings.emit_rows(rows, ["id", "title", "start", "stop", "filetype"])


@command("info")
@click.argument("dataset_id", metavar="ID")
def info_cmd(settings: Settings, dataset_id: str) -> None:
    """Show one dataset's catalog entry (JSON), found across the registry unless --bucket is given.

    \b
    Example:
      scregistry info aia_0094 --registry sample
    """
    fr = _catalog_for(settings, dataset_id)
    entry = dict(fr.get_entry(dataset_id), bucket=fr.url)
    if (settings.fmt or "json") in ("json", "text"):
        settings.emit_text(json.dumps(entry, indent=1) + "\n")
    else:
        settings.emit_rows([entry], list(entry))


@command("files")
@click.argument("dataset_id", metavar="ID")
@click.option("--start", metavar="TIME", default=None, help="Start of the window, ISO 8601 (default: the dataset start).")
@click.option("--stop", metavar="TIME", default=None,
              help="End of the window, exclusive, ISO 8601 (default: the dataset stop, inclusive).")
@click.option("--match", metavar="GLOB", default=None, help="Keep files whose name matches, e.g. '*_v7*.cdf'.")
def files_cmd(settings: Settings, dataset_id: str, start: str | None, stop: str | None, match: str | None) -> None:
    """List the files of dataset ID overlapping [--start, --stop), one line per file.

    Without --bucket the dataset is found through the registry.

    \b
    Example:
      scregistry files aia_0094 --registry sample --start 2010-06-01 --stop 2010-06-02
      scregistry files mms1_feeps_brst_electron --registry sample --match '*_v7*.cdf' --format csv -o files.csv
    """
    fr = _catalog_for(settings, dataset_id)
    table = fr.request_table(dataset_id, start, stop, match=match)
    if table.num_rows == 0:
        raise NoMatch(f"no files of {dataset_id} in that window" + (f" matching {match!r}" if match else ""))
    settings.emit_table(table)


@command("search")
@click.argument("words", nargs=-1, metavar="WORDS...")
@click.option("--start", metavar="TIME", default=None, help="Keep datasets covering time after this.")
@click.option("--stop", metavar="TIME", default=None, help="Keep datasets covering time before this.")
@click.option("--filetype", default=None, help="Keep datasets of this file type (cdf, fits, netcdf4, ...).")
@click.option("--collection", default=None, help="Keep datasets in this collection (or with this tag).")
@click.option("--limit", type=int, default=None, help="At most this many results.")
@click.option("--key", "datakey", metavar="FRAGMENT", default=None,
              help="Reverse lookup: datasets that index this data key or path fragment.")
def search_cmd(settings: Settings, words: tuple[str, ...], start: str | None, stop: str | None,
               filetype: str | None, collection: str | None, limit: int | None, datakey: str | None) -> None:
    """Search every bucket of the registry; the best match first.

    Words are matched in id and title (most), tags and collections, description and index path;
    whole words count more than parts of words.

    \b
    Example:
      scregistry search mms electron --registry sample
      scregistry search --filetype cdf --start 2020-01-01 --stop 2020-02-01 --registry sample
      scregistry search --key mms1/feeps/brst --registry sample
    """
    search = _search(settings)
    if datakey:
        found = search.reverse_lookup(datakey)
    else:
        found = search.search(list(words) or None, start=start, stop=stop, filetype=filetype,
                              bucket=settings.bucket, collection=collection, limit=limit)
    rows = [{"id": m.get("id"), "title": m.get("title"), "start": m.get("start"), "stop": m.get("stop"),
             "filetype": m.get("filetype"), "bucket": m.endpoint, "score": m.score} for m in found]
    if not rows:
        raise NoMatch("no dataset matched")
    settings.emit_rows(rows, ["id", "title", "start", "stop", "filetype", "bucket", "score"])


@command("tree")
def tree_cmd(settings: Settings) -> None:
    """Every bucket of the registry and its datasets, with counts.

    \b
    Example:
      scregistry tree --registry sample
    """
    search = _search(settings)
    rows = []
    for fr in search.catalogs:
        for e in fr.get_entries_dict():
            rows.append({"bucket": fr.url, "id": e.get("id"), "title": e.get("title"), "start": e.get("start"),
                         "stop": e.get("stop")})
    if (settings.fmt or "text") != "text":
        settings.emit_rows(rows, ["bucket", "id", "title", "start", "stop"])
        return
    lines = []
    names = {e.endpoint: e.name for e in search.registry.entries}
    for fr in search.catalogs:
        entries = fr.get_entries_dict()
        lines.append(f"{fr.url}  {names.get(fr.url, '')} ({len(entries)} datasets)")
        width = max((len(str(e.get('id'))) for e in entries), default=0)
        for e in entries:
            lines.append(f"  {str(e.get('id')):<{width}}  {e.get('start')} .. {e.get('stop')}  {e.get('title')}")
    for endpoint, reason in search.failed:
        lines.append(f"{endpoint}  (unreadable: {reason})")
    total = sum(len(fr.get_entries_dict()) for fr in search.catalogs)
    lines.append(f"{len(search.catalogs)} buckets, {total} datasets"
                 + (f", {len(search.failed)} unreadable" if search.failed else ""))
    settings.emit_text("\n".join(lines) + "\n")


@command("inspect")
@click.argument("dataset_id", metavar="ID")
def inspect_cmd(settings: Settings, dataset_id: str) -> None:
    """The years present in a dataset's index, with the number of files and bytes of each.

    \b
    Example:
      scregistry inspect mms1_feeps_brst_electron --registry sample
    """
    fr = _catalog_for(settings, dataset_id)
    rows = fr.year_summary(dataset_id)
    settings.emit_rows(rows, ["year", "files", "bytes", "first", "last"])


if __name__ == "__main__":  # pragma: no cover
    main()
