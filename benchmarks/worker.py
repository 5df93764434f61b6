"""One workload, run in a fresh process by run.py, for one client.

Usage: python worker.py WORKLOAD CLIENT OUT.json ARGS.json
Writes {"seconds": request time, "rows": n, "digest": ..., "bytes": sum of filesize} to OUT.json.
The digest is over the sorted datakeys, so results of different clients can be compared.
The search workload also writes "calls": the ids each of the seed's search calls returned, in order.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time


def digest(keys) -> str:
    h = hashlib.sha256()
    for k in sorted(keys):
        h.update(str(k).encode())
        h.update(b"\n")
    return h.hexdigest()


def run_files(client: str, args: dict) -> dict:
    """The request alone (client creation included, imports excluded: see the one-day workload)."""
    if client == "scregistry":
        import pandas  # noqa: F401  (imported by the request; excluded from its time like the peer's)
        import scregistry

        t0 = time.perf_counter()
        fr = scregistry.FileRegistry(args["bucket"], cache=bool(args.get("cache_dir")),
                                     cache_folder=args.get("cache_dir"))
        df = fr.request_file_registry(args["id"], start_date=args["start"], stop_date=args["stop"])
    elif client == "cloudcatalog":
        import cloudcatalog

        t0 = time.perf_counter()
        fr = cloudcatalog.CloudCatalog(args["bucket"])
        df = fr.request_cloud_catalog(args["id"], start_date=args["start"], stop_date=args["stop"])
    else:
        raise SystemExit(f"unknown client {client}")
    seconds = time.perf_counter() - t0
    rss = peak_rss_mib()  # before the digest below builds Python strings of its own
    keys = df["datakey"].tolist() if len(df) else []
    sizes = int(df["filesize"].sum()) if len(df) else 0
    return {"seconds": seconds, "rows": len(keys), "digest": digest(keys), "bytes": sizes, "rss_mib": rss}


#: The seed's search calls, timed together with the construction of EntireCatalogSearch.
SEARCH_CALLS = [
    ("search_by_keywords", ["vector", "mission", "useful"]),
    ("search_by_keywords", ["mms", "electron"]),
    ("search_by_id", "mms"),
    ("search_by_title", "magnetic"),
]


def run_search(client: str, args: dict) -> dict:
    """Building the search over every bucket of the registry, then the seed's four calls
    (construction included, imports excluded, like the files workload)."""
    if client == "scregistry":
        import scregistry as module
    elif client == "cloudcatalog":
        import cloudcatalog as module
    else:
        raise SystemExit(f"unknown client {client}")
    t0 = time.perf_counter()
    s = module.EntireCatalogSearch(args["registry"])
    answers = [getattr(s, method)(arg) for method, arg in SEARCH_CALLS]
    seconds = time.perf_counter() - t0
    rss = peak_rss_mib()
    calls = [{"call": f"{method}({arg!r})", "ids": [e["id"] for e in found]}
             for (method, arg), found in zip(SEARCH_CALLS, answers)]
    catalogs = len(s.combined_catalog)
    keys = [f"{i}:{c['call']}:{x}" for i, c in enumerate(calls) for x in c["ids"]]
    return {"seconds": seconds, "rows": len(keys), "digest": digest(keys), "rss_mib": rss,
            "catalogs": catalogs, "calls": calls}


def peak_rss_mib() -> int:
    """The peak resident set of this process so far. ``VmHWM`` of ``/proc/self/status``, not
    ``ru_maxrss``: Linux carries ``ru_maxrss`` over from the parent through fork and exec, so a
    worker started by a large harness (moto holds every bench object in memory) would report the
    harness's size instead of its own."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def run_floor(args: dict) -> dict:
    """The floor: fetch the same objects concurrently (obstore, the fastest client measured here)
    and parse them with pyarrow, nothing else: no cache, no checks, no pandas."""
    from concurrent.futures import ThreadPoolExecutor

    import obstore
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from obstore.store import S3Store

    t0 = time.perf_counter()
    store = S3Store(args["bucket"], endpoint=args["endpoint"], skip_signature=True, region="us-east-1",
                    virtual_hosted_style_request=False, client_options={"allow_http": True})
    ts = pa.timestamp("us", tz="UTC")

    def one(path: str):
        data = obstore.get(store, path).bytes()
        return pacsv.read_csv(pa.BufferReader(data), convert_options=pacsv.ConvertOptions(
            column_types={"start": ts, "stop": ts, "filesize": pa.int64()}))

    with ThreadPoolExecutor(16) as pool:
        tables = list(pool.map(one, args["paths"]))
    table = pa.concat_tables(tables)
    seconds = time.perf_counter() - t0
    rss = peak_rss_mib()
    keys = table["datakey"].to_pylist()
    return {"seconds": seconds, "rows": len(keys), "digest": digest(keys),
            "bytes": int(sum(table["filesize"].to_pylist())), "rss_mib": rss}


def main() -> None:
    workload, client, out, args_path = sys.argv[1:5]
    args = json.loads(open(args_path).read())
    if workload == "floor":
        result = run_floor(args)
    elif workload == "search":
        result = run_search(client, args)
    else:
        result = run_files(client, args)
    with open(out, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
