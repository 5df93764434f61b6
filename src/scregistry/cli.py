"""The ``scregistry`` command: a thin layer over the library.

Exit codes: 0 success, 1 no match, 2 usage error, 3 remote or format error; each failure
prints one line on stderr (the traceback too with ``-v``).
"""

from __future__ import annotations

import functools
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

EXIT_OK, EXIT_NO_MATCH, EXIT_USAGE, EXIT_REMOTE = 0, 1, 2, 3

log = logging.getLogger("scregistry")


def _setup_logging(verbose: int) -> None:
    level_name = os.environ.get("SCREGISTRY_LOGLEVEL", "").upper()
    level = getattr(logging, level_name, None) if level_name else None
    if verbose:
        level = logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level or logging.WARNING, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)


def _fail(code: int, message: str) -> None:
    click.echo(f"scregistry: {message}", err=True)
    sys.exit(code)


def _guard(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn library errors into one-line messages and the documented exit codes."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        verbose = kwargs.get("verbose", 0)
        _setup_logging(verbose)
        try:
            return func(*args, **kwargs)
        except (UnknownDatasetError, EndpointNotFoundError) as exc:
            code, message = EXIT_NO_MATCH, str(exc)
        except (TimeFormatError, TimeRangeError, AmbiguousNameError) as exc:
            code, message = EXIT_USAGE, str(exc)
        except ScregistryError as exc:
            code, message = EXIT_REMOTE, str(exc)
        except ValueError as exc:  # bad arguments caught by the library's own checks
            code, message = EXIT_USAGE, str(exc)
        if verbose:
            log.exception("failed")
        _fail(code, message)

    return wrapper


def _storage_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command shares: where to look, credentials, cache, verbosity."""
    options = [
        click.option("--registry", "registry", metavar="URL|sample", default=None,
                     help="Global registry URL, or 'sample' for the embedded sample registry "
                          "(default: $ROOT_CATALOG_REGISTRY_URL, else the HelioCloud registry)."),
        click.option("--bucket", metavar="URL", default=None,
                     help="Read this bucket's catalog.json directly (s3://name/, https://..., a folder) "
                          "instead of searching the registry."),
        click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
                     help="Keep catalogs and index files in this folder and revalidate them on later runs."),
        click.option("--endpoint-url", default=None, help="S3-compatible endpoint (default: $AWS_ENDPOINT_URL)."),
        click.option("--profile", default=None, help="AWS profile for signed requests."),
        click.option("--region", default=None, help="S3 region name."),
        click.option("--anon/--signed", "anon", default=None,
                     help="Force anonymous or signed S3 requests (default: signed only when credentials "
                          "are configured)."),
        click.option("-v", "--verbose", count=True, help="More logging (-v info, -vv debug; also $SCREGISTRY_LOGLEVEL)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _client_kwargs(endpoint_url: str | None, profile: str | None, region: str | None, anon: bool | None) -> dict:
    out: dict[str, Any] = {}
    if endpoint_url:
        out["endpoint_url"] = endpoint_url
    if profile:
        out["profile_name"] = profile
    if region:
        out["region_name"] = region
    if anon is not None:
        out["anon"] = anon
    return out


def _file_registry(dataset_id: str, registry: str | None, bucket: str | None, cache_dir: str | None,
                   client_kwargs: dict):
    from .catalog import FileRegistry
    from .search import locate_dataset
    from .storage import Storage

    storage = Storage(**client_kwargs)
    cache = {"cache": cache_dir is not None, "cache_folder": cache_dir}
    if bucket:
        return FileRegistry(bucket, storage=storage, **cache)
    endpoint = locate_dataset(dataset_id, registry, storage=storage)
    return FileRegistry(endpoint, storage=storage, **cache)


def _format_times(col) -> list[str]:
    """ISO 8601 with a Z, milliseconds when the data has them, microseconds only when needed."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if col.null_count == len(col):
        return [""] * len(col)
    for unit in ("s", "ms", "us"):
        try:
            cast = pc.cast(col, pa.timestamp(unit, tz="UTC"))
            break
        except pa.ArrowInvalid:
            continue
    text = pc.strftime(cast, format="%Y-%m-%dT%H:%M:%SZ")
    return [v if v is not None else "" for v in text.to_pylist()]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="scregistry")
def main() -> None:
    """Find heliophysics datasets in cloud object stores and list their files.

    \b
    Try it on the embedded sample registry (no network needed):
      scregistry files mms1_feeps_brst_electron --registry sample --start 2021-01-01 --stop 2021-01-02
    """


@main.command("files")
@click.argument("dataset_id", metavar="ID")
@click.option("--start", metavar="TIME", default=None, help="Start of the window, ISO 8601 (default: the dataset start).")
@click.option("--stop", metavar="TIME", default=None,
              help="End of the window, exclusive, ISO 8601 (default: the dataset stop, inclusive).")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text", show_default=True,
              help="text: one aligned line per file; csv: start,stop,datakey,filesize with a header.")
@_storage_options
@_guard
def files_cmd(dataset_id: str, start: str | None, stop: str | None, fmt: str, registry: str | None,
              bucket: str | None, cache_dir: str | None, endpoint_url: str | None, profile: str | None,
              region: str | None, anon: bool | None, verbose: int) -> None:
    """List the files of dataset ID overlapping [--start, --stop), one line per file.

    Without --bucket the dataset is found through the registry.

    \b
    Example:
      scregistry files aia_0094 --registry sample --start 2010-06-01 --stop 2010-06-02
      scregistry files aia_0094 --bucket s3://gov-nasa-hdrl-data1/ --start 2015-01-01T00:00Z --stop 2015-01-01T01:00Z
    """
    fr = _file_registry(dataset_id, registry, bucket, cache_dir, _client_kwargs(endpoint_url, profile, region, anon))
    table = fr.request_table(dataset_id, start, stop)
    if table.num_rows == 0:
        _fail(EXIT_NO_MATCH, f"no files of {dataset_id} in that window")
    starts = _format_times(table["start"])
    stops = _format_times(table["stop"])
    keys = table["datakey"].to_pylist()
    sizes = table["filesize"].to_pylist()
    out = click.get_text_stream("stdout")
    if fmt == "csv":
        out.write("start,stop,datakey,filesize\n")
        for row in zip(starts, stops, keys, sizes):
            out.write(",".join(_csv_field(v) for v in row) + "\n")
    else:
        width = max(len(s) for s in starts)
        swidth = max((len(s) for s in stops), default=0)
        zwidth = max(len(str(z)) for z in sizes)
        for a, b, k, z in zip(starts, stops, keys, sizes):
            out.write(f"{a:<{width}}  {b:<{swidth}}  {z:>{zwidth}}  {k}\n")


def _csv_field(value: Any) -> str:
    text = str(value)
    if any(c in text for c in ',"\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


if __name__ == "__main__":  # pragma: no cover
    main()
