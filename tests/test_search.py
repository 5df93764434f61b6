"""Discovery across a whole registry (the library side): EntireCatalogSearch over eleven buckets
served on loopback, five of which cannot be read; ranking, filters, DataFrame results, reverse
lookup, file-name globs, year summaries and cached catalogs.

Every expected value comes from the fixture world built here (``build_world``): the entries are
designed so that each ranking case has a known order that follows from the rules in the issue
(id/title above description and index path, whole word above substring, tags and collections
count, ties in registry order), never from running the code. ``test_cli_discovery`` reuses the
same world through ``build_world``.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import logging
import uuid
from dataclasses import dataclass, field

import pytest

import scregistry
from builders import catalog, csv_index, entry, registry, t
from registry_helpers import private_bucket
from servers import HTTPTestServer, free_port, make_public

UTC = dt.timezone.utc

MMS_E = "mms1_feeps_brst_electron"
MMS_I = "mms1_feeps_brst_ion"


def quick_storage(**kw):
    """Few retries with a tiny backoff: the DOWN bucket must not slow the tests down."""
    return scregistry.Storage(retries=1, backoff=0.01, timeout=10, **kw)


# -- the fixture world ---------------------------------------------------------------------------

#: role -> (registry name, region, datasets). Datasets: (id, start, stop, filetype, extra fields).
#: Registry order is FULL_ORDER below; the healthy buckets are interleaved with the failing ones.
HEALTHY = {
    "alpha": ("Alpha archive", "us-east-1", [
        ("euv_survey_a", "2010-05-13T00:00:00Z", "2014-12-31T23:59:59Z", "fits",
         {"title": "EUV survey A", "description": "Images of the corona at 17 nm.", "collections": ["SDO"]}),
        ("windowed_counts", "2015-06-01T00:00:00Z", "2015-12-31T00:00:00Z", "cdf",
         {"title": "Counts per accumulation"}),
        # stops exactly at the 2015 window's start: SPEC's overlap rule (stop >= start) keeps it
        ("geomag_index_a", "2000-01-01T00:00:00Z", "2015-01-01T00:00:00Z", "txt",
         {"title": "Stormtime indices"}),
        # starts exactly at the 2015 window's (exclusive) stop: not in it
        ("energetic_ions", "2016-01-01T00:00:00Z", "2018-12-31T00:00:00Z", "CDF",
         {"title": "Energetic ion counts", "description": "Measured across the inner heliosphere."}),
        ("irradiance_1s", "2017-02-07T00:00:00Z", "2020-12-31T23:59:59Z", "netcdf4",
         {"title": "Solar irradiance"}),
        ("zeta_tie", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z", "cdf,netcdf4",
         {"title": "Tiemarker survey"}),
        ("mid_tie", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z", "cdf,netcdf4",
         {"title": "Tiemarker survey"}),
    ]),
    "beta": ("Mirror archive", "us-west-2", [
        ("euv_survey_b", "2011-01-01T00:00:00Z", "2012-12-31T00:00:00Z", "FITS",
         {"title": "Coronagraph frames", "collections": ["SOHO"]}),
        ("solar_wind_speed", "1998-01-01T00:00:00Z", "2023-12-31T00:00:00Z", "netcdf4, CDF",
         {"title": "Speed", "tags": ["solar wind", "L1"]}),
        ("able_tie", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z", "cdf",
         {"title": "Tiemarker survey"}),
    ]),
    "gamma": ("Gamma archive", "us-east-1", [
        ("corona_temperature", "2014-06-01T00:00:00Z", "2015-03-01T00:00:00Z", "fits",
         {"title": "Temperature maps", "collections": ["SDO", "AIA"]}),
        (MMS_E, "2020-01-01T00:00:00Z", "2021-12-31T00:00:00Z", "cdf",
         {"title": "MMS1 FEEPS burst electrons", "collections": ["MMS"]}),
        (MMS_I, "2020-01-01T00:00:00Z", "2021-12-31T00:00:00Z", "cdf",
         {"title": "MMS1 FEEPS burst ions", "collections": ["MMS"]}),
    ]),
    # same registry name as beta: "Mirror archive" is ambiguous
    "delta": ("Mirror archive", "eu-west-1", [
        ("geomag_index_b", "2016-01-01T00:00:00Z", "2016-12-31T00:00:00Z", "txt",
         {"title": "Storm indices"}),
        ("cosmic_rays", "2019-01-01T00:00:00Z", "2020-12-31T00:00:00Z", "csv",
         {"title": "Galactic particle counts", "tags": ["heliosphere", "particles"]}),
    ]),
    "http": ("HTTP archive", "us-east-1", [
        ("neutral_atoms", "2009-01-01T00:00:00Z", "2019-12-31T00:00:00Z", "cdf",
         {"title": "Neutral atom maps", "collections": ["IBEX", "Heliosphere"]}),
    ]),
    "epsilon": ("Epsilon archive", "us-east-2", [
        # the word "wavesurvey" is only in this dataset's index path
        ("radio_bursts", "2015-01-01T00:00:00Z", "2015-01-02T00:00:00Z", "binary",
         {"title": "Radio burst lists"}),
        ("waves_summary", "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z", "other",
         {"title": "Wavesurvey summary"}),
    ]),
}
FAILING = ("down", "forbidden", "malformed", "unavailable", "missing")
FULL_ORDER = ["alpha", "down", "beta", "forbidden", "gamma", "malformed", "delta", "unavailable",
              "http", "missing", "epsilon"]
HEALTHY_ORDER = [r for r in FULL_ORDER if r in HEALTHY]
#: Words the failing buckets' reasons must contain (checked in lower case).
REASONS = {"down": ["cannot", "127.0.0.1"], "forbidden": ["access denied"], "malformed": ["not valid json"],
           "unavailable": ["temporarily unavailable", "down for reindexing"], "missing": ["no catalog"]}


def _iso(d: dt.datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def generic_rows(bucket_name: str, eid: str, start: str):
    """Two one-hour files from the dataset's start (both in its first year)."""
    t0 = t(start)
    out = []
    for i in range(2):
        s = t0 + dt.timedelta(hours=6 * i)
        out.append((_iso(s), _iso(s + dt.timedelta(hours=1)),
                    f"s3://{bucket_name}/data/{eid}/{s.year}/{eid}_{s:%Y%m%d%H}.cdf", 1000 + 10 * i + len(eid)))
    return out


def mms_rows(bucket_name: str, species: str):
    """Burst files over 2020-2021 in several versions (and one non-CDF file), one burst crossing
    the new year (listed in the 2020 file only)."""
    base = f"s3://{bucket_name}/mms/mms1/feeps/brst/l2/{species}"
    spec = [
        ("2020-02-01T08:19:23Z", "2020-02-01T08:21:32Z", "v6.0.0", "cdf"),
        ("2020-06-15T10:00:00Z", "2020-06-15T10:03:00Z", "v7.1.1", "cdf"),
        ("2020-12-31T23:58:00Z", "2021-01-01T00:03:00Z", "v7.1.1", "cdf"),
        ("2021-03-05T12:00:00Z", "2021-03-05T12:04:00Z", "v7.0.0", "cdf"),
        ("2021-03-05T13:00:00Z", "2021-03-05T13:02:00Z", "v6.2.1", "cdf"),
        ("2021-08-09T01:00:00Z", "2021-08-09T01:05:00Z", "v7.1.1", "txt"),
        ("2021-11-30T22:10:00Z", "2021-11-30T22:12:30Z", "v7.2.0", "cdf"),
    ]
    rows = []
    for i, (a, b, version, ext) in enumerate(spec):
        ts = a[:19].replace("-", "").replace("T", "").replace(":", "")
        key = f"{base}/{a[:4]}/{a[5:7]}/mms1_feeps_brst_l2_{species}_{ts}_{version}.{ext}"
        rows.append((a, b, key, 3_000_000 + 1111 * i + (7 if species == "ion" else 0)))
    return rows


@dataclass
class World:
    s3_endpoint: str
    http: HTTPTestServer
    private_endpoint: str
    private_key: tuple[str, str]
    endpoints: dict[str, str] = field(default_factory=dict)   # role -> endpoint
    names: dict[str, str] = field(default_factory=dict)       # role -> bare bucket name (s3 roles)
    entries: dict[str, dict] = field(default_factory=dict)    # id -> catalog entry, as published
    bucket_of: dict[str, str] = field(default_factory=dict)   # id -> role
    rows: dict[str, list] = field(default_factory=dict)       # id -> index rows
    registry_rows: list = field(default_factory=list)         # (endpoint, name, region), full order
    full_url: str = ""    # all eleven buckets
    cli_url: str = ""     # without DOWN (whose retries make every command wait)
    clean_url: str = ""   # the six healthy buckets only
    bad_registry_url: str = ""

    @property
    def healthy_ids(self) -> list[str]:
        """Every readable dataset id, in registry (then catalog) order."""
        return [d[0] for role in HEALTHY_ORDER for d in HEALTHY[role][2]]

    def ids_in(self, role: str) -> list[str]:
        return [d[0] for d in HEALTHY[role][2]]


def build_world(s3_admin, s3_endpoint, private_s3, http: HTTPTestServer) -> World:
    """Publish the eleven buckets and three registries (full, without DOWN, healthy only)."""
    u = uuid.uuid4().hex[:8]
    w = World(s3_endpoint=s3_endpoint, http=http, private_endpoint=private_s3.endpoint,
              private_key=(private_s3.key_id, private_s3.secret))
    for role in HEALTHY:
        if role == "http":
            w.endpoints[role] = f"{http.url}/heliohttp/"
            continue
        name = f"{role}-{u}"
        s3_admin.create_bucket(Bucket=name)
        make_public(s3_admin, name)
        w.names[role] = name
        w.endpoints[role] = f"s3://{name}/"

    for role, (_, _, datasets) in HEALTHY.items():
        endpoint = w.endpoints[role]
        published = []
        for eid, start, stop, filetype, extra in datasets:
            if role == "http":
                index, data_bucket = f"{http.url}/heliohttp/idx/{eid}/", "heliohttp-data"
            elif eid in (MMS_E, MMS_I):
                index, data_bucket = f"s3://{w.names[role]}/mms/index/{eid}/", w.names[role]
            elif eid == "radio_bursts":
                index, data_bucket = f"s3://{w.names[role]}/archive/wavesurvey/{eid}/", w.names[role]
            else:
                index, data_bucket = f"s3://{w.names[role]}/idx/{eid}/", w.names[role]
            if eid in (MMS_E, MMS_I):
                rows = mms_rows(data_bucket, "electron" if eid == MMS_E else "ion")
            else:
                rows = generic_rows(data_bucket, eid, start)
            w.rows[eid] = rows
            by_year: dict[int, list] = {}
            for r in rows:
                by_year.setdefault(int(r[0][:4]), []).append(r)
            # the cross-year burst is listed in its start year's file only
            for year, year_rows in by_year.items():
                body = csv_index(year_rows)
                rel = index.split("/", 3)[3] + f"{eid}_{year}.csv"
                if role == "http":
                    http.state.put("/" + rel, body)
                else:
                    s3_admin.put_object(Bucket=w.names[role], Key=rel, Body=body)
            e = entry(eid, index, start, stop, filetype=filetype, **extra)
            published.append(e)
            w.entries[eid] = e
            w.bucket_of[eid] = role
        doc = catalog(endpoint, published, name=HEALTHY[role][0])
        if role == "http":
            http.state.put("/heliohttp/catalog.json", doc)
        else:
            s3_admin.put_object(Bucket=w.names[role], Key="catalog.json", Body=doc)

    # the failing ones
    w.endpoints["down"] = f"http://127.0.0.1:{free_port()}/down/"
    forbidden = private_bucket(private_s3, {"catalog.json": catalog("s3://forbidden/", [
        entry("secret_ds", "s3://forbidden/idx/", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z",
              title="Secret dataset")])})
    w.names["forbidden"] = forbidden
    w.endpoints["forbidden"] = f"{private_s3.endpoint}/{forbidden}/"
    for role in ("malformed", "unavailable", "missing"):
        name = f"{role}-{u}"
        s3_admin.create_bucket(Bucket=name)
        make_public(s3_admin, name)
        w.names[role] = name
        w.endpoints[role] = f"s3://{name}/"
    s3_admin.put_object(Bucket=w.names["malformed"], Key="catalog.json", Body=b'{"catalog": [ {"id": "x", ]')
    s3_admin.put_object(Bucket=w.names["unavailable"], Key="catalog.json", Body=catalog(
        w.endpoints["unavailable"], [entry("hidden_ds", f"s3://{w.names['unavailable']}/idx/",
                                           "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")],
        status={"code": 1400, "message": "down for reindexing"}))
    # "missing": a bucket without any catalog.json

    meta = {"down": ("Down archive", "us-east-1"), "forbidden": ("Private archive", "us-east-1"),
            "malformed": ("Broken archive", "us-west-1"), "unavailable": ("Resting archive", "us-east-1"),
            "missing": ("Empty archive", "us-east-1")}
    meta.update({r: HEALTHY[r][:2] for r in HEALTHY})
    w.registry_rows = [(w.endpoints[r], meta[r][0], meta[r][1]) for r in FULL_ORDER]
    http.state.put("/full.json", registry(w.registry_rows))
    http.state.put("/cli.json", registry([row for r, row in zip(FULL_ORDER, w.registry_rows) if r != "down"]))
    http.state.put("/clean.json", registry([row for r, row in zip(FULL_ORDER, w.registry_rows) if r in HEALTHY]))
    http.state.put("/bad-registry.json", b"registry: not json at all\n")
    w.full_url, w.cli_url = f"{http.url}/full.json", f"{http.url}/cli.json"
    w.clean_url, w.bad_registry_url = f"{http.url}/clean.json", f"{http.url}/bad-registry.json"
    return w


# -- independent references ----------------------------------------------------------------------

def overlaps(eid_entry: dict, start: str | None, stop: str | None) -> bool:
    """SPEC's overlap rule applied to a dataset's coverage: stop >= start and start < stop."""
    a, b = t(eid_entry["start"]), t(eid_entry["stop"])
    return (start is None or b >= t(start)) and (stop is None or a < t(stop))


def has_filetype(eid_entry: dict, kind: str) -> bool:
    return kind.lower() in [k.strip().lower() for k in eid_entry["filetype"].split(",")]


def window_rows(rows, start, stop):
    return sorted([r for r in rows if t(r[1]) >= t(start) and t(r[0]) < t(stop)], key=lambda r: t(r[0]))


def ids(results) -> list[str]:
    return [r["id"] for r in results]


# -- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(s3_admin, s3_endpoint, private_s3):
    http = HTTPTestServer()
    try:
        yield build_world(s3_admin, s3_endpoint, private_s3, http)
    finally:
        http.stop()


@pytest.fixture(scope="module")
def search(world):
    """One search over the full registry, shared by the read-only tests."""
    return scregistry.EntireCatalogSearch(world.full_url, storage=quick_storage(endpoint_url=world.s3_endpoint))


# -- failing buckets -----------------------------------------------------------------------------

def test_failing_buckets_are_skipped_once_each_with_a_reason(world, caplog):
    caplog.set_level(logging.WARNING, logger="scregistry")
    s = scregistry.EntireCatalogSearch(world.full_url, storage=quick_storage(endpoint_url=world.s3_endpoint))

    assert len(world.registry_rows) == 11
    failed = [tuple(f) for f in s.failed]
    assert sorted(e for e, _ in failed) == sorted(world.endpoints[r] for r in FAILING)
    reasons = dict(failed)
    for role in FAILING:
        endpoint = world.endpoints[role]
        assert [e for e, _ in failed].count(endpoint) == 1, role
        for word in REASONS[role]:
            assert word in reasons[endpoint].lower(), (role, reasons[endpoint])
        warned = [r for r in caplog.records if r.levelno >= logging.WARNING and endpoint in r.getMessage()]
        assert len(warned) == 1, (role, [r.getMessage() for r in warned])
    assert world.endpoints["down"].split("/")[2] in reasons[world.endpoints["down"]]  # 127.0.0.1:port
    # the readable buckets, in registry order, with all their datasets
    assert [fr.url for fr in s.catalogs] == [world.endpoints[r] for r in HEALTHY_ORDER]
    assert ids(s.search()) == world.healthy_ids
    assert ids(s.search_by_id("secret")) == [] and ids(s.search_by_id("hidden")) == []


def test_healthy_bucket_results_survive_failures(search, world):
    assert len(search.failed) == len(FAILING)
    assert ids(search.search_by_keywords(["tiemarker"])) == ["zeta_tie", "mid_tie", "able_tie"]
    assert search.combined_catalog[0]["catalog"] == [world.entries[i] for i in world.ids_in("alpha")]


def test_client_kwargs_and_registry_from_environment(world, monkeypatch):
    monkeypatch.setenv("ROOT_CATALOG_REGISTRY_URL", world.clean_url)
    s = scregistry.EntireCatalogSearch(endpoint_url=world.s3_endpoint)
    assert s.failed == []
    assert s.catalog_url == world.clean_url
    assert ids(s.search()) == world.healthy_ids


# -- the seed's searches: full entries plus where they came from -----------------------------------

def test_results_are_full_entries_with_bucket_and_score(search, world):
    found = search.search_by_keywords(["corona"])
    assert found, "corona must match"
    for m in found:
        assert isinstance(m, dict)
        assert dict(m) == world.entries[m["id"]]
        role = world.bucket_of[m["id"]]
        assert m.endpoint == world.endpoints[role]
        assert m.bucket == world.names[role]
        assert m.score > 0
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    # a result from the HTTP-hosted catalog knows its endpoint too
    (atoms,) = search.search_by_id("neutral_atoms")
    assert atoms == world.entries["neutral_atoms"] and atoms.endpoint == world.endpoints["http"]


def test_search_by_id_and_title_are_case_insensitive_in_registry_order(search, world):
    assert ids(search.search_by_id("TIE")) == ["zeta_tie", "mid_tie", "able_tie"]
    assert ids(search.search_by_id("Mms1_Feeps")) == [MMS_E, MMS_I]
    assert ids(search.search_by_title("INDICES")) == ["geomag_index_a", "geomag_index_b"]
    assert ids(search.search_by_title("tiemarker SURVEY")) == ["zeta_tie", "mid_tie", "able_tie"]
    assert search.search_by_id("no_such_thing") == []
    assert search.search_by_id("corona_temp") == [world.entries["corona_temperature"]]


@pytest.mark.parametrize("keywords, expected", [
    # id (whole word) > title (inside the word "Coronagraph") > description only;
    # registry order is the reverse (alpha, beta, gamma)
    (["corona"], ["corona_temperature", "euv_survey_b", "euv_survey_a"]),
    (["CORONA"], ["corona_temperature", "euv_survey_b", "euv_survey_a"]),
    # whole word above substring, in the id: solar_wind_speed vs windowed_counts
    (["wind"], ["solar_wind_speed", "windowed_counts"]),
    # whole word above substring, in the title: "Storm indices" vs "Stormtime indices"
    (["storm"], ["geomag_index_b", "geomag_index_a"]),
    # a title match above a match in the index path only (radio_bursts comes first in its catalog)
    (["wavesurvey"], ["waves_summary", "radio_bursts"]),
    # equal matches keep registry order (alpha's two in catalog order, then beta's), not id order
    (["tiemarker"], ["zeta_tie", "mid_tie", "able_tie"]),
])
def test_keyword_ranking(search, keywords, expected):
    found = search.search_by_keywords(keywords)
    assert ids(found) == expected
    assert search.search_by_keywords(keywords[0]) == found  # one keyword as a plain string
    assert ids(search.search(" ".join(keywords))) == expected


def test_tags_and_collections_count_above_description(search):
    found = ids(search.search_by_keywords(["heliosphere"]))
    # cosmic_rays has it as a tag, neutral_atoms as a collection, energetic_ions in its description
    assert sorted(found[:2]) == ["cosmic_rays", "neutral_atoms"]
    assert found[2:] == ["energetic_ions"]


def test_more_keywords_matched_ranks_higher(search):
    found = search.search_by_keywords(["solar", "wind"])
    assert found[0]["id"] == "solar_wind_speed"  # both words, whole, in id and tags
    assert sorted(ids(found)) == ["irradiance_1s", "solar_wind_speed", "windowed_counts"]
    assert ids(search.search("solar wind"))[0] == "solar_wind_speed"
    assert search.search_by_keywords(["nothing-matches-this"]) == []


# -- search(): free text plus filters -------------------------------------------------------------

W2015 = ("2015-01-01T00:00:00Z", "2016-01-01T00:00:00Z")


def test_time_filter_overlaps_window(search, world):
    found = ids(search.search(start=W2015[0], stop=W2015[1]))
    expected = [i for i in world.healthy_ids if overlaps(world.entries[i], *W2015)]
    assert found == expected
    assert found == ["windowed_counts", "geomag_index_a", "solar_wind_speed", "corona_temperature",
                     "neutral_atoms", "radio_bursts"]
    assert "geomag_index_a" in found      # stops exactly at the window start
    assert "energetic_ions" not in found  # starts exactly at the exclusive window stop
    # open-ended windows
    assert ids(search.search(start="2021-06-01")) == [i for i in world.healthy_ids
                                                      if overlaps(world.entries[i], "2021-06-01T00:00:00Z", None)]
    assert ids(search.search(stop="2005-01-01")) == ["geomag_index_a", "solar_wind_speed"]


@pytest.mark.parametrize("kind", ["cdf", "CDF", "netcdf4", "FITS", "txt"])
def test_filetype_filter_case_insensitive_and_comma_separated(search, world, kind):
    found = ids(search.search(filetype=kind))
    assert found == [i for i in world.healthy_ids if has_filetype(world.entries[i], kind)]
    assert found


def test_filetype_cdf_does_not_match_inside_netcdf4(search):
    cdf = ids(search.search(filetype="cdf"))
    assert "irradiance_1s" not in cdf            # "netcdf4" only
    assert {"solar_wind_speed", "zeta_tie", "energetic_ions"} <= set(cdf)  # "netcdf4, CDF", "cdf,netcdf4", "CDF"
    assert ids(search.search(filetype="netcdf4")) == ["irradiance_1s", "zeta_tie", "mid_tie", "solar_wind_speed"]


def test_bucket_filter_by_endpoint_or_name(search, world):
    gamma = world.ids_in("gamma")
    assert ids(search.search(bucket=world.endpoints["gamma"])) == gamma
    assert ids(search.search(bucket=world.names["gamma"])) == gamma
    assert ids(search.search(bucket=world.endpoints["http"])) == ["neutral_atoms"]
    assert ids(search.search("corona", bucket=world.names["alpha"])) == ["euv_survey_a"]


def test_collection_filter_uses_collections_and_tags(search):
    assert ids(search.search(collection="MMS")) == [MMS_E, MMS_I]
    assert ids(search.search(collection="SDO")) == ["euv_survey_a", "corona_temperature"]
    assert ids(search.search(collection="heliosphere")) == ["cosmic_rays", "neutral_atoms"]
    assert ids(search.search(collection="particles")) == ["cosmic_rays"]
    assert search.search(collection="no-such-collection") == []


def test_text_and_filters_combined_and_limit(search):
    assert ids(search.search("corona", start=W2015[0], stop=W2015[1])) == ["corona_temperature"]
    assert ids(search.search("corona", filetype="fits")) == ["corona_temperature", "euv_survey_b", "euv_survey_a"]
    assert ids(search.search("corona", limit=2)) == ["corona_temperature", "euv_survey_b"]
    assert ids(search.search("mms1", filetype="cdf", collection="MMS", start="2021-06-01",
                             stop="2021-07-01")) == [MMS_E, MMS_I]
    assert ids(search.search(filetype="cdf", limit=3)) == ["windowed_counts", "energetic_ions", "zeta_tie"]
    assert ids(search.search("corona", collection="SDO", filetype="fits", start="2012-01-01",
                             stop="2013-01-01")) == ["euv_survey_a"]


def test_bad_time_in_search_is_a_time_format_error(search):
    with pytest.raises(scregistry.TimeFormatError) as info:
        search.search("corona", start="last tuesday")
    assert "last tuesday" in str(info.value)


def test_results_as_dataframe(search, world):
    found = search.search("corona")
    df = found.to_dataframe()
    for col in ("id", "title", "start", "stop", "filetype", "bucket", "endpoint", "score"):
        assert col in df.columns, col
    assert df["id"].tolist() == ["corona_temperature", "euv_survey_b", "euv_survey_a"]
    assert df["title"].tolist() == [world.entries[i]["title"] for i in df["id"]]
    assert df["filetype"].tolist() == [world.entries[i]["filetype"] for i in df["id"]]
    assert df["endpoint"].tolist() == [world.endpoints[world.bucket_of[i]] for i in df["id"]]
    assert [t(x) for x in df["start"].astype(str)] == [t(world.entries[i]["start"]) for i in df["id"]]
    assert df["score"].tolist() == [m.score for m in found]
    empty = search.search("nothing-matches-this").to_dataframe()
    assert len(empty) == 0 and "id" in empty.columns


# -- reverse lookup ------------------------------------------------------------------------------

def test_reverse_lookup_path_fragment_finds_both_similar_datasets(search):
    assert ids(search.reverse_lookup("mms1/feeps/brst")) == [MMS_E, MMS_I]
    assert ids(search.reverse_lookup("feeps/brst/l2/ion")) == [MMS_I]


def test_reverse_lookup_full_key_names_one_dataset(search, world):
    ion_key = next(r[2] for r in world.rows[MMS_I] if r[0].startswith("2021-11"))  # not the first key
    assert ids(search.reverse_lookup(ion_key)) == [MMS_I]
    electron_key = next(r[2] for r in world.rows[MMS_E] if "_v6.2.1" in r[2])
    found = search.reverse_lookup(electron_key)
    assert ids(found) == [MMS_E]
    assert found[0] == world.entries[MMS_E] and found[0].endpoint == world.endpoints["gamma"]
    other = world.rows["windowed_counts"][1][2]
    assert ids(search.reverse_lookup(other)) == ["windowed_counts"]


def test_reverse_lookup_index_fragment(search):
    assert ids(search.reverse_lookup("mms/index/mms1_feeps_brst_ion")) == [MMS_I]
    assert ids(search.reverse_lookup("heliohttp/idx/neutral_atoms")) == ["neutral_atoms"]
    assert ids(search.reverse_lookup("archive/wavesurvey")) == ["radio_bursts"]
    assert search.reverse_lookup("no/such/path/anywhere") == []


# -- file lists: globs and year summaries ---------------------------------------------------------

@pytest.mark.parametrize("pattern", ["*_v7*.cdf", "*_v6.?.?.cdf", "mms1_feeps_brst_l2_electron_2021*",
                                     "*[01]_v7.1.1.*"])
def test_request_file_registry_match_glob(world, pattern):
    fr = scregistry.FileRegistry(world.endpoints["gamma"], storage=quick_storage(endpoint_url=world.s3_endpoint))
    start, stop = "2020-01-01T00:00:00Z", "2022-01-01T00:00:00Z"
    df = fr.request_file_registry(MMS_E, start_date=start, stop_date=stop, match=pattern)
    expected = [r for r in window_rows(world.rows[MMS_E], start, stop)
                if fnmatch.fnmatchcase(r[2].rsplit("/", 1)[1], pattern)]
    assert expected, "the pattern must select something"
    assert df["datakey"].tolist() == [r[2] for r in expected]
    assert [int(x) for x in df["filesize"]] == [r[3] for r in expected]
    assert df.index.tolist() == list(range(len(expected)))


def test_match_glob_with_window_and_no_match(world):
    fr = scregistry.FileRegistry(world.endpoints["gamma"], storage=quick_storage(endpoint_url=world.s3_endpoint))
    start, stop = "2021-01-01T00:00:00Z", "2021-06-01T00:00:00Z"
    df = fr.request_file_registry(MMS_E, start_date=start, stop_date=stop, match="*_v7*.cdf")
    expected = [r[2] for r in window_rows(world.rows[MMS_E], start, stop)
                if fnmatch.fnmatchcase(r[2].rsplit("/", 1)[1], "*_v7*.cdf")]
    # the burst across the new year (listed in 2020's file) and the v7.0.0 file of March
    assert len(expected) == 2
    assert df["datakey"].tolist() == expected
    assert len(fr.request_file_registry(MMS_E, start_date=start, stop_date=stop, match="*.fits")) == 0
    # without a pattern every file of the window
    assert fr.request_file_registry(MMS_E, start_date=start, stop_date=stop)["datakey"].tolist() == \
        [r[2] for r in window_rows(world.rows[MMS_E], start, stop)]


def test_year_summary(world):
    fr = scregistry.FileRegistry(world.endpoints["gamma"], storage=quick_storage(endpoint_url=world.s3_endpoint))
    got = fr.year_summary(MMS_I)
    expected = []
    for year in (2020, 2021):
        rs = [r for r in world.rows[MMS_I] if r[0].startswith(str(year))]
        expected.append({"year": year, "files": len(rs), "bytes": sum(r[3] for r in rs),
                         "first": min(t(r[0]) for r in rs), "last": max(t(r[1]) for r in rs)})
    assert [g["year"] for g in got] == [2020, 2021]
    for g, e in zip(got, expected):
        assert (g["files"], g["bytes"]) == (e["files"], e["bytes"])
        assert g["first"].astimezone(UTC) == e["first"] and g["last"].astimezone(UTC) == e["last"]


# -- cached catalogs -----------------------------------------------------------------------------

def test_cached_search_revalidates_and_works_offline(http_server, tmp_path, caplog):
    srv = http_server
    entries_1 = [entry("offline_one", f"{srv.url}/one/idx/", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z",
                       title="Offline magnetometer")]
    entries_2 = [entry("offline_two", f"{srv.url}/two/idx/", "2019-01-01T00:00:00Z", "2019-12-31T00:00:00Z",
                       title="Offline plasma", filetype="netcdf4")]
    srv.state.put("/one/catalog.json", catalog(f"{srv.url}/one/", entries_1))
    srv.state.put("/two/catalog.json", catalog(f"{srv.url}/two/", entries_2))
    srv.state.put("/reg.json", registry([(f"{srv.url}/one/", "One", "us-east-1"),
                                         (f"{srv.url}/two/", "Two", "us-east-1")]))
    url = f"{srv.url}/reg.json"
    cache = tmp_path / "cache"

    first = scregistry.EntireCatalogSearch(url, cache_folder=cache, storage=quick_storage())
    assert first.failed == [] and ids(first.search()) == ["offline_one", "offline_two"]
    assert any(p.is_file() for p in cache.rglob("*"))

    # the server changes a catalog: the next search revalidates and sees it
    added = entry("offline_added", f"{srv.url}/two/idx/", "2021-01-01T00:00:00Z", "2021-12-31T00:00:00Z",
                  title="Added later")
    srv.state.put("/two/catalog.json", catalog(f"{srv.url}/two/", entries_2 + [added]))
    second = scregistry.EntireCatalogSearch(url, cache_folder=cache, storage=quick_storage())
    assert ids(second.search()) == ["offline_one", "offline_two", "offline_added"]

    # the server goes away: the cached copies stand in, with a warning
    srv.stop()
    caplog.set_level(logging.WARNING, logger="scregistry")
    offline = scregistry.EntireCatalogSearch(url, cache_folder=cache, storage=quick_storage())
    assert offline.failed == []
    assert ids(offline.search()) == ["offline_one", "offline_two", "offline_added"]
    assert ids(offline.search_by_keywords(["plasma"])) == ["offline_two"]
    assert offline.search_by_id("offline_added") == [added]
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    assert "cached" in warned
    for path in ("/one/catalog.json", "/two/catalog.json"):
        assert srv.url + path in warned

    # and without a cache the same registry is unreachable
    with pytest.raises(scregistry.RemoteUnavailableError):
        scregistry.EntireCatalogSearch(url, storage=quick_storage())


def test_world_catalogs_are_what_was_published(world):
    """A sanity check of the fixture itself, read with the standard library over HTTP."""
    import urllib.request

    with urllib.request.urlopen(world.full_url, timeout=10) as fh:
        doc = json.load(fh)
    assert [(e["endpoint"], e["name"], e["region"]) for e in doc["registry"]] == world.registry_rows
    with urllib.request.urlopen(world.endpoints["http"] + "catalog.json", timeout=10) as fh:
        assert json.load(fh)["catalog"] == [world.entries["neutral_atoms"]]


# -- a bucket of another protocol that cannot be read ------------------------------------------------

@pytest.mark.parametrize("odd", ["ftp-down", "unknown-protocol"])
def test_unreadable_bucket_of_another_protocol_is_skipped_too(world, http_server, caplog, odd):
    """A registry may list buckets the client cannot read for other reasons than HTTP/S3 errors: an
    FTP server that is down (connection refused on 127.0.0.1), a protocol with no backend installed.
    They must be skipped like the others, and the readable buckets' results still returned."""
    odd_endpoint = (f"ftp://127.0.0.1:{free_port()}/pub/" if odd == "ftp-down"
                    else "nosuchproto://archive-bucket/")
    http_server.state.put("/odd.json", registry([(world.endpoints["alpha"], "Alpha archive", "us-east-1"),
                                                 (odd_endpoint, "Odd archive", "us-east-1"),
                                                 (world.endpoints["gamma"], "Gamma archive", "us-east-1")]))
    caplog.set_level(logging.WARNING, logger="scregistry")
    s = scregistry.EntireCatalogSearch(f"{http_server.url}/odd.json",
                                       storage=quick_storage(endpoint_url=world.s3_endpoint))
    assert [e for e, _ in s.failed] == [odd_endpoint]
    assert s.failed[0][1]
    assert ids(s.search()) == world.ids_in("alpha") + world.ids_in("gamma")
    warned = [r for r in caplog.records if r.levelno >= logging.WARNING and odd_endpoint in r.getMessage()]
    assert len(warned) == 1
