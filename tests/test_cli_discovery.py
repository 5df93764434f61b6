"""The discovery commands through the real entry point (``python -m scregistry.cli``):
registry, catalog, info, files, search, tree, inspect; shared options before or after the
command; text / csv / json / parquet outputs read back and compared with the library's results
for the same query and with the fixtures; exit codes with one-line messages; the sample registry.

The world of buckets is the one of ``test_search`` (``build_world``), published again here.
Independent commands run concurrently to keep the file fast.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import scregistry
from builders import t
from servers import HTTPTestServer
from test_search import (FAILING, HEALTHY, MMS_E, MMS_I, build_world, has_filetype, overlaps, quick_storage,
                         window_rows)

SAMPLE = Path(scregistry.__file__).parent / "data" / "sample"
COMMANDS = ["registry", "catalog", "info", "files", "search", "tree", "inspect"]


# -- running the command -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(s3_admin, s3_endpoint, private_s3):
    http = HTTPTestServer()
    try:
        yield build_world(s3_admin, s3_endpoint, private_s3, http)
    finally:
        http.stop()


@pytest.fixture(scope="module")
def cli(world):
    """run(*args, env=...) and run_many([args, ...]): the command in a subprocess, with s3:// pointed
    at the public moto server and, as a safety net, a loopback registry by default (never the
    internet's)."""
    base_env = dict(os.environ, AWS_ENDPOINT_URL=world.s3_endpoint, ROOT_CATALOG_REGISTRY_URL=world.clean_url)
    base_env.pop("SCREGISTRY_CACHE_DIR", None)
    base_env.pop("SCREGISTRY_LOGLEVEL", None)

    def run(*args: str, env: dict | None = None, drop: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        full = dict(base_env, **(env or {}))
        for name in drop:
            full.pop(name, None)
        return subprocess.run([sys.executable, "-m", "scregistry.cli", *args], capture_output=True, text=True,
                              env=full, timeout=120)

    def run_many(arg_lists, env=None):
        with ThreadPoolExecutor(4) as pool:
            return list(pool.map(lambda a: run(*a, env=env), arg_lists))

    run.many = run_many
    return run


def ok(proc, allowed=()) -> None:
    """A successful run: exit 0, and stderr free of progress bars or carriage returns; any line on it
    must be a warning about one of the ``allowed`` (failing) endpoints."""
    assert proc.returncode == 0, (proc.returncode, proc.stderr)
    assert "\r" not in proc.stderr and "\x1b" not in proc.stderr
    for line in proc.stderr.splitlines():
        assert any(e in line for e in allowed), f"unexpected stderr line: {line!r}"


def failing_endpoints(world, without=("down",)):
    return [world.endpoints[r] for r in FAILING if r not in without]


def csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def lib_search(world, url=None):
    return scregistry.EntireCatalogSearch(url or world.cli_url, storage=quick_storage(endpoint_url=world.s3_endpoint))


def lib_fr(world, role="gamma"):
    return scregistry.FileRegistry(world.endpoints[role], storage=quick_storage(endpoint_url=world.s3_endpoint))


# -- registry, catalog, tree ---------------------------------------------------------------------

def test_registry_command_lists_every_bucket(world, cli):
    proc = cli("registry", "--registry", world.full_url, "--format", "csv")
    ok(proc)  # the registry alone is read: no bucket is contacted
    rows = csv_rows(proc.stdout)
    assert [(r["endpoint"], r["name"], r["region"]) for r in rows] == world.registry_rows
    lib = scregistry.CatalogRegistry(world.full_url, storage=quick_storage())
    assert [r["name"] for r in rows] == [n for n, _ in lib.get_entries()]


def test_catalog_by_endpoint_bare_name_and_registry_name(world, cli):
    gamma = [world.entries[i] for i in world.ids_in("gamma")]
    by_endpoint, by_name, by_registry_name = cli.many([
        ["catalog", world.endpoints["gamma"], "--format", "csv"],
        ["catalog", world.names["gamma"], "--registry", world.clean_url, "--format", "json"],
        ["--registry", world.cli_url, "catalog", "HTTP archive", "--format", "json"],
    ])
    for proc in (by_endpoint, by_name, by_registry_name):
        ok(proc)
    keys = ["id", "title", "start", "stop", "filetype"]
    assert csv_rows(by_endpoint.stdout) == [{k: e[k] for k in keys} for e in gamma]
    assert json.loads(by_name.stdout) == [{k: e[k] for k in keys} for e in gamma]
    assert json.loads(by_registry_name.stdout) == [{k: world.entries["neutral_atoms"][k] for k in keys}]


def test_catalog_with_endpoint_url_option_and_text_output(world, cli):
    proc = cli("catalog", world.endpoints["alpha"], "--endpoint-url", world.s3_endpoint, drop=("AWS_ENDPOINT_URL",))
    ok(proc)
    lines = proc.stdout.splitlines()
    assert lines[0].split()[0] == "id"
    assert [line.split()[0] for line in lines[1:]] == world.ids_in("alpha")
    for line, eid in zip(lines[1:], world.ids_in("alpha")):
        assert world.entries[eid]["title"] in line


def test_catalog_signed_and_anonymous(world, cli):
    creds = {"AWS_ACCESS_KEY_ID": world.private_key[0], "AWS_SECRET_ACCESS_KEY": world.private_key[1]}
    target = f"s3://{world.names['forbidden']}/"
    signed, anon = cli.many([
        ["catalog", target, "--endpoint-url", world.private_endpoint, "--signed", "--format", "json"],
        ["--anon", "catalog", target, "--endpoint-url", world.private_endpoint],
    ], env=creds)
    ok(signed)
    assert [r["id"] for r in json.loads(signed.stdout)] == ["secret_ds"]
    assert anon.returncode == 3, anon.stderr
    assert "access denied" in anon.stderr.lower() and "Traceback" not in anon.stderr
    assert len(anon.stderr.strip().splitlines()) == 1


def test_tree_text_on_full_registry_skips_failing_buckets(world, cli):
    """Eleven buckets, five unreadable (one of them down, which costs the default retries)."""
    proc = cli("tree", "--registry", world.full_url)
    failing = failing_endpoints(world, without=())
    ok(proc, allowed=failing)
    for endpoint in failing:
        warned = [line for line in proc.stderr.splitlines() if endpoint in line]
        assert len(warned) == 1, (endpoint, proc.stderr)
        assert not any(line.startswith(endpoint) and "datasets" in line for line in proc.stdout.splitlines())
    lines = proc.stdout.splitlines()
    for role, (name, _, datasets) in HEALTHY.items():
        head = [line for line in lines if line.startswith(world.endpoints[role])]
        assert len(head) == 1 and name in head[0], (role, head)
        for eid, *_ in datasets:
            assert len([line for line in lines if line.split() and line.split()[0] == eid]) == 1, eid
    # datasets are shown under their bucket, in registry order
    firsts = [line.split()[0] for line in lines if line.startswith("  ")]
    assert firsts == world.healthy_ids


def test_tree_json_matches_library(world, cli):
    proc = cli("tree", "--registry", world.cli_url, "--format", "json")
    ok(proc, allowed=failing_endpoints(world))
    rows = json.loads(proc.stdout)
    lib = lib_search(world)
    assert [(r["bucket"], r["id"]) for r in rows] == [(fr.url, e["id"]) for fr in lib.catalogs
                                                      for e in fr.get_entries_dict()]
    assert [(r["bucket"], r["id"]) for r in rows] == [(world.endpoints[world.bucket_of[i]], i)
                                                      for i in world.healthy_ids]


# -- info, files, inspect ------------------------------------------------------------------------

def test_info_shows_the_catalog_entry(world, cli, tmp_path):
    out = tmp_path / "info.json"
    via_registry, via_bucket = cli.many([
        ["info", "corona_temperature", "--registry", world.cli_url, "--format", "json"],
        ["info", "neutral_atoms", "--bucket", world.endpoints["http"], "--format", "json", "-o", str(out)],
    ])
    ok(via_registry, allowed=failing_endpoints(world))
    ok(via_bucket)
    doc = json.loads(via_registry.stdout)
    e = world.entries["corona_temperature"]
    assert {k: doc[k] for k in e} == e
    assert world.endpoints["gamma"] in via_registry.stdout
    assert via_bucket.stdout == ""
    doc2 = json.loads(out.read_text())
    assert {k: doc2[k] for k in world.entries["neutral_atoms"]} == world.entries["neutral_atoms"]


def test_files_csv_matches_library_and_fixture(world, cli):
    start, stop = "2020-06-01T00:00:00Z", "2021-04-01T00:00:00Z"
    proc = cli("files", MMS_E, "--registry", world.cli_url, "--start", start, "--stop", stop, "--format", "csv")
    ok(proc, allowed=failing_endpoints(world))
    rows = csv_rows(proc.stdout)
    expected = window_rows(world.rows[MMS_E], start, stop)
    assert [r["datakey"] for r in rows] == [r[2] for r in expected]
    assert [int(r["filesize"]) for r in rows] == [r[3] for r in expected]
    assert [t(r["start"]) for r in rows] == [t(r[0]) for r in expected]
    assert [t(r["stop"]) for r in rows] == [t(r[1]) for r in expected]
    df = lib_fr(world).request_file_registry(MMS_E, start_date=start, stop_date=stop)
    assert [r["datakey"] for r in rows] == df["datakey"].tolist()
    assert list(rows[0])[:4] == ["start", "stop", "datakey", "filesize"]


def test_files_match_json_and_parquet_output(world, cli, tmp_path):
    start, stop, pattern = "2020-01-01T00:00:00Z", "2022-01-01T00:00:00Z", "*_v7*.cdf"
    out = tmp_path / "ion.parquet"
    as_json, as_parquet = cli.many([
        ["files", MMS_E, "--start", start, "--stop", stop, "--match", pattern, "--format", "json",
         "--registry", world.clean_url],
        ["files", MMS_I, "--bucket", world.endpoints["gamma"], "--start", start, "--stop", stop,
         "--format", "parquet", "-o", str(out)],
    ])
    ok(as_json)
    ok(as_parquet)
    got = json.loads(as_json.stdout)
    expected = [r for r in window_rows(world.rows[MMS_E], start, stop)
                if fnmatch.fnmatchcase(r[2].rsplit("/", 1)[1], pattern)]
    assert [r["datakey"] for r in got] == [r[2] for r in expected]
    assert [r["datakey"] for r in got] == \
        lib_fr(world).request_file_registry(MMS_E, start, stop, match=pattern)["datakey"].tolist()
    assert as_parquet.stdout == ""
    table = pq.read_table(out).to_pylist()
    expected = window_rows(world.rows[MMS_I], start, stop)
    assert [r["datakey"] for r in table] == [r[2] for r in expected]
    assert [int(r["filesize"]) for r in table] == [r[3] for r in expected]
    assert [r["start"].astimezone(t(start).tzinfo) for r in table] == [t(r[0]) for r in expected]
    df = lib_fr(world).request_file_registry(MMS_I, start, stop)
    assert [r["datakey"] for r in table] == df["datakey"].tolist()


def test_inspect_matches_year_summary(world, cli):
    proc = cli("inspect", MMS_I, "--registry", world.clean_url, "--format", "json")
    ok(proc)
    got = json.loads(proc.stdout)
    lib = lib_fr(world).year_summary(MMS_I)
    assert [(g["year"], g["files"], g["bytes"]) for g in got] == [(s["year"], s["files"], s["bytes"]) for s in lib]
    for year, g in zip((2020, 2021), got):
        rs = [r for r in world.rows[MMS_I] if r[0].startswith(str(year))]
        assert (g["year"], g["files"], g["bytes"]) == (year, len(rs), sum(r[3] for r in rs))
        assert t(g["first"]) == min(t(r[0]) for r in rs)
        assert t(g["last"]) == max(t(r[1]) for r in rs)


# -- search --------------------------------------------------------------------------------------

def test_search_json_csv_parquet_match_library(world, cli, tmp_path):
    out = tmp_path / "found.parquet"
    lib = lib_search(world)
    as_json, as_csv, as_parquet = cli.many([
        ["search", "corona", "--registry", world.cli_url, "--format", "json"],
        ["search", "--filetype", "cdf", "--start", "2015-01-01", "--stop", "2016-01-01", "--registry",
         world.cli_url, "--format", "csv"],
        ["search", "solar", "wind", "--registry", world.cli_url, "--format", "parquet", "-o", str(out)],
    ])
    for proc in (as_json, as_csv, as_parquet):
        ok(proc, allowed=failing_endpoints(world))

    got = json.loads(as_json.stdout)
    assert [r["id"] for r in got] == ["corona_temperature", "euv_survey_b", "euv_survey_a"]
    assert [r["id"] for r in got] == [m["id"] for m in lib.search("corona")]
    assert [r["bucket"] for r in got] == [world.endpoints[world.bucket_of[r["id"]]] for r in got]
    assert [r["title"] for r in got] == [world.entries[r["id"]]["title"] for r in got]

    rows = csv_rows(as_csv.stdout)
    expected = [i for i in world.healthy_ids
                if overlaps(world.entries[i], "2015-01-01T00:00:00Z", "2016-01-01T00:00:00Z")
                and has_filetype(world.entries[i], "cdf")]
    assert expected == ["windowed_counts", "solar_wind_speed", "neutral_atoms"]
    assert [r["id"] for r in rows] == expected
    assert [r["id"] for r in rows] == [m["id"] for m in lib.search(filetype="cdf", start="2015-01-01",
                                                                     stop="2016-01-01")]
    assert [r["filetype"] for r in rows] == [world.entries[i]["filetype"] for i in expected]

    table = pq.read_table(out).to_pylist()
    assert [r["id"] for r in table][0] == "solar_wind_speed"
    assert [r["id"] for r in table] == [m["id"] for m in lib.search("solar wind")]


def test_search_filters_limit_and_reverse_lookup(world, cli):
    ion_key = world.rows[MMS_I][-1][2]
    collection, by_bucket, key_fragment, full_key = cli.many([
        ["search", "--collection", "MMS", "--limit", "1", "--registry", world.cli_url, "--format", "json"],
        ["search", "--bucket", world.names["gamma"], "--registry", world.cli_url, "--format", "json"],
        ["search", "--key", "mms1/feeps/brst", "--registry", world.cli_url, "--format", "json"],
        ["search", "--key", ion_key, "--registry", world.clean_url, "--format", "csv"],
    ])
    for proc in (collection, by_bucket, key_fragment, full_key):
        ok(proc, allowed=failing_endpoints(world))
    lib = lib_search(world)
    assert [r["id"] for r in json.loads(collection.stdout)] == [MMS_E]
    assert [r["id"] for r in json.loads(by_bucket.stdout)] == world.ids_in("gamma")
    assert [r["id"] for r in json.loads(key_fragment.stdout)] == [MMS_E, MMS_I]
    assert [r["id"] for r in json.loads(key_fragment.stdout)] == [m["id"] for m in
                                                                   lib.reverse_lookup("mms1/feeps/brst")]
    assert [r["id"] for r in csv_rows(full_key.stdout)] == [MMS_I]


def test_shared_options_before_or_after_the_command(world, cli):
    before, after, mixed = cli.many([
        ["--registry", world.cli_url, "--format", "json", "search", "storm"],
        ["search", "storm", "--registry", world.cli_url, "--format", "json"],
        ["--format", "json", "search", "storm", "--registry", world.cli_url],
    ])
    for proc in (before, after, mixed):
        ok(proc, allowed=failing_endpoints(world))
        assert [r["id"] for r in json.loads(proc.stdout)] == ["geomag_index_b", "geomag_index_a"]


def test_cache_dir_and_no_cache(world, cli, tmp_path):
    cache, env_cache = tmp_path / "cache", tmp_path / "env-cache"
    cached, uncached = cli.many([
        ["search", "tiemarker", "--registry", world.clean_url, "--cache-dir", str(cache), "--format", "json"],
        ["search", "tiemarker", "--registry", world.clean_url, "--no-cache", "--format", "json"],
    ], env={"SCREGISTRY_CACHE_DIR": str(env_cache)})
    for proc in (cached, uncached):
        ok(proc)
        assert [r["id"] for r in json.loads(proc.stdout)] == ["zeta_tie", "mid_tie", "able_tie"]
    assert not env_cache.exists()
    stored = {p.read_bytes() for p in cache.rglob("*") if p.is_file()}
    import urllib.request

    with urllib.request.urlopen(world.clean_url, timeout=10) as fh:
        assert fh.read() in stored  # the registry was kept
    s3 = scregistry.Storage(endpoint_url=world.s3_endpoint)
    assert bytes(s3.read(world.endpoints["gamma"] + "catalog.json")) in stored  # and the catalogs


# -- exit codes and messages ---------------------------------------------------------------------

def test_exit_codes_with_one_line_messages(world, cli):
    clean = ["--registry", world.clean_url]
    cases = [
        # 1: no match
        (["search", "zzqxnothing", *clean], 1, ["no", "match"]),
        (["search", "--key", "no/such/fragment/anywhere", *clean], 1, []),
        (["info", "no_such_dataset", *clean], 1, ["no_such_dataset"]),
        (["files", MMS_E, *clean, "--start", "2020-01-01", "--stop", "2022-01-01", "--match", "*.fits"], 1, []),
        (["files", MMS_E, *clean, "--start", "2023-01-01", "--stop", "2023-02-01"], 1, []),
        # 2: usage
        (["files", MMS_E, *clean, "--start", "yesterday"], 2, ["yesterday"]),
        (["files", MMS_E, *clean, "--start", "2021-01-01", "--stop", "2020-01-01"], 2, ["2021-01-01"]),
        (["search", "corona", *clean, "--start", "last tuesday"], 2, ["last tuesday"]),
        (["catalog", "Mirror archive", *clean], 2, [world.endpoints["beta"], world.endpoints["delta"]]),
        # 3: remote or format
        (["catalog", world.endpoints["malformed"], *clean], 3, ["not valid JSON", world.names["malformed"]]),
        (["catalog", world.endpoints["unavailable"], *clean], 3, ["temporarily unavailable", "down for reindexing"]),
        (["catalog", world.endpoints["forbidden"], *clean], 3, ["access denied"]),
        (["registry", "--registry", world.bad_registry_url], 3, ["not valid JSON", "bad-registry.json"]),
    ]
    procs = cli.many([c[0] for c in cases])
    problems = []
    for (args, code, words), proc in zip(cases, procs):
        lines = proc.stderr.strip().splitlines()
        if proc.returncode != code:
            problems.append((args, "exit", proc.returncode, proc.stderr))
        elif len(lines) != 1 or not lines[0].startswith("scregistry: ") or "Traceback" in proc.stderr:
            problems.append((args, "stderr", proc.stderr))
        elif not all(w.lower() in proc.stderr.lower() for w in words):
            problems.append((args, "words", words, proc.stderr))
        elif proc.stdout.strip():
            problems.append((args, "stdout", proc.stdout))
    assert not problems, problems


def test_click_usage_errors_exit_2_and_verbose_shows_traceback(world, cli):
    bad_format, bad_limit, bad_command, missing_arg, verbose = cli.many([
        ["--format", "xml", "registry", "--registry", world.clean_url],
        ["search", "x", "--limit", "many", "--registry", world.clean_url],
        ["nosuchcommand"],
        ["info", "--registry", world.clean_url],
        ["info", "no_such_dataset", "--registry", world.clean_url, "-v"],
    ])
    for proc in (bad_format, bad_limit, bad_command, missing_arg):
        assert proc.returncode == 2, (proc.args, proc.stderr)
        assert "Traceback" not in proc.stderr and proc.stderr.strip()
    assert "xml" in bad_format.stderr and "many" in bad_limit.stderr and "nosuchcommand" in bad_command.stderr
    assert verbose.returncode == 1
    assert "Traceback" in verbose.stderr
    assert verbose.stderr.strip().splitlines()[-1].startswith("scregistry: ")
    assert "no_such_dataset" in verbose.stderr.strip().splitlines()[-1]


def test_every_command_help_shows_an_example(cli):
    procs = cli.many([["--help"]] + [[c, "--help"] for c in COMMANDS])
    for name, proc in zip(["scregistry"] + COMMANDS, procs):
        assert proc.returncode == 0, (name, proc.stderr)
        # an example: an indented command line, for a subcommand one of that subcommand
        examples = [line.strip() for line in proc.stdout.splitlines()
                    if re.match(r"^\s+scregistry [a-z]+\b", line)]
        assert examples, (name, proc.stdout)
        if name != "scregistry":
            assert any(line.startswith(f"scregistry {name} ") for line in examples), (name, examples)
        else:
            assert {line.split()[1] for line in examples} & set(COMMANDS), examples
            for option in ("--registry", "--format", "--output", "--cache-dir", "--no-cache", "--endpoint-url",
                           "--anon", "--bucket"):
                assert option in proc.stdout, (name, option)
        assert proc.stderr == ""


# -- the embedded sample registry ----------------------------------------------------------------

def sample_json(*parts):
    return json.loads(SAMPLE.joinpath(*parts).read_text())


def sample_catalogs() -> list[tuple[Path, dict]]:
    return [(SAMPLE / e["endpoint"], sample_json(e["endpoint"], "catalog.json"))
            for e in sample_json("registry.json")["registry"]]


def sample_entry(eid):
    for folder, doc in sample_catalogs():
        for e in doc["catalog"]:
            if e["id"] == eid:
                return folder, e
    raise LookupError(eid)


def sample_csv_rows(eid):
    """(start, stop, datakey, filesize) of a sample dataset with plain csv yearly files (header first)."""
    folder, e = sample_entry(eid)
    rows = []
    for path in sorted((folder / e["index"]).glob(f"{eid}_*.csv")):
        with open(path, newline="") as fh:
            reader = csv.reader(fh, quotechar="'", skipinitialspace=True)
            next(reader)
            rows += [(r[0], r[1], r[2], int(r[3])) for r in reader if r]
    return rows


def test_sample_registry_tree_and_info(cli):
    reg, tree, info = cli.many([
        ["registry", "--registry", "sample", "--format", "json"],
        ["tree", "--registry", "sample"],
        ["info", "goes16_xrs_1s", "--registry", "sample", "--format", "json"],
    ])
    for proc in (reg, tree, info):
        ok(proc)
    listed = json.loads(reg.stdout)
    expected = sample_json("registry.json")["registry"]
    assert [(r["name"], r["region"]) for r in listed] == [(e["name"], e["region"]) for e in expected]
    for r, e in zip(listed, expected):
        assert os.path.samefile(r["endpoint"], SAMPLE / e["endpoint"])
    ids_in_tree = [line.split()[0] for line in tree.stdout.splitlines() if line.startswith("  ")]
    assert ids_in_tree == [e["id"] for _, doc in sample_catalogs() for e in doc["catalog"]]
    for e in expected:
        assert e["name"] in tree.stdout
    doc = json.loads(info.stdout)
    _, entry = sample_entry("goes16_xrs_1s")
    assert {k: doc[k] for k in entry} == entry


def test_sample_search_inspect_files(cli):
    search, fits, inspect, files = cli.many([
        ["search", "electron", "--registry", "sample", "--format", "json"],
        ["search", "--filetype", "FITS", "--registry", "sample", "--format", "csv"],
        ["inspect", "mms1_feeps_brst_electron", "--registry", "sample", "--format", "csv"],
        ["files", "mms1_feeps_brst_electron", "--registry", "sample", "--start", "2020-12-31",
         "--stop", "2021-01-03", "--match", "*_v7.1.1.cdf", "--format", "csv"],
    ])
    for proc in (search, fits, inspect, files):
        ok(proc)
    entries = [e for _, doc in sample_catalogs() for e in doc["catalog"]]

    def mentions(e, word):
        text = " ".join([e["id"], e["title"], e.get("description", ""), e["index"]]
                        + e.get("collections", []) + e.get("tags", []))
        return word in text.lower()

    found = [r["id"] for r in json.loads(search.stdout)]
    assert found[0] == "mms1_feeps_brst_electron"  # the only one with the word in its id
    assert sorted(found) == sorted(e["id"] for e in entries if mentions(e, "electron"))

    assert [r["id"] for r in csv_rows(fits.stdout)] == [e["id"] for e in entries if has_filetype(e, "fits")]

    rows = sample_csv_rows("mms1_feeps_brst_electron")
    by_year: dict[int, list] = {}
    for r in rows:
        by_year.setdefault(int(r[0][:4]), []).append(r)
    got = csv_rows(inspect.stdout)
    assert [(int(g["year"]), int(g["files"]), int(g["bytes"])) for g in got] == \
        [(y, len(rs), sum(r[3] for r in rs)) for y, rs in sorted(by_year.items())]
    assert [(t(g["first"]), t(g["last"])) for g in got] == \
        [(min(t(r[0]) for r in rs), max(t(r[1]) for r in rs)) for _, rs in sorted(by_year.items())]

    expected = [r[2] for r in window_rows(rows, "2020-12-31T00:00:00Z", "2021-01-03T00:00:00Z")
                if fnmatch.fnmatchcase(r[2].rsplit("/", 1)[1], "*_v7.1.1.cdf")]
    assert any("20201231235800" in k for k in expected)  # the burst across the new year
    assert [r["datakey"] for r in csv_rows(files.stdout)] == expected


def test_sample_files_json_across_a_gap(cli):
    proc = cli("files", "aia_0094", "--registry", "sample", "--start", "2011-08-03", "--stop", "2011-08-06",
               "--format", "json")
    ok(proc)
    got = json.loads(proc.stdout)
    rows = window_rows(sample_csv_rows("aia_0094"), "2011-08-03T00:00:00Z", "2011-08-06T00:00:00Z")
    assert not any("20110804" in r[2] for r in rows)  # the sample's missing day
    assert [r["datakey"] for r in got] == [r[2] for r in rows]
    assert [t(r["start"]) for r in got] == [t(r[0]) for r in rows]
    assert [int(r["filesize"]) for r in got] == [r[3] for r in rows]


def test_sample_zip_index_read_independently_matches_files_command(cli, tmp_path):
    """csv-zip: the GOES sample, read here with zipfile, against ``files --format parquet``."""
    folder, e = sample_entry("goes16_xrs_1s")
    with zipfile.ZipFile(folder / e["index"] / "goes16_xrs_1s_2018.csv.zip") as zf:
        text = zf.read(zf.namelist()[0]).decode()
    rows = []
    for fields in csv.reader(io.StringIO(text), skipinitialspace=True):
        if fields and not fields[0].lstrip().startswith("#"):
            rows.append((fields[0], fields[1], fields[2], int(fields[3])))
    out = tmp_path / "goes.parquet"
    proc = cli("files", "goes16_xrs_1s", "--registry", "sample", "--start", "2018-03-01", "--stop", "2018-03-08",
               "--format", "parquet", "--output", str(out))
    ok(proc)
    table = pq.read_table(out)
    expected = window_rows(rows, "2018-03-01T00:00:00Z", "2018-03-08T00:00:00Z")
    assert table.column("datakey").to_pylist() == [r[2] for r in expected]
    assert table.column("filesize").to_pylist() == [r[3] for r in expected]
    assert "checksum" in table.column_names  # the extra columns come along
