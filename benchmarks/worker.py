"""One workload, run in a fresh process by run.py, for one client.

Usage: python worker.py WORKLOAD CLIENT OUT.json ARGS.json
Writes {"seconds": request time, "rows": n, "digest": ..., "bytes": sum of filesize} to OUT.json.
The digest is over the sorted datakeys, so results of different clients can be compared.
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
    keys = df["datakey"].tolist() if len(df) else []
    sizes = int(df["filesize"].sum()) if len(df) else 0
    return {"seconds": seconds, "rows": len(keys), "digest": digest(keys), "bytes": sizes}


def run_floor(args: dict) -> dict:
    """The floor: fetch the same objects concurrently and parse them with pyarrow, nothing else."""
    import io
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa
    import pyarrow.csv as pacsv
    import s3fs

    t0 = time.perf_counter()
    fs = s3fs.S3FileSystem(anon=True, endpoint_url=args["endpoint"])
    ts = pa.timestamp("ms", tz="UTC")

    def one(path: str):
        data = fs.cat_file(path)
        return pacsv.read_csv(io.BytesIO(data), convert_options=pacsv.ConvertOptions(
            column_types={"start": ts, "stop": ts, "filesize": pa.int64()}))

    with ThreadPoolExecutor(16) as pool:
        tables = list(pool.map(one, args["paths"]))
    table = pa.concat_tables(tables)
    seconds = time.perf_counter() - t0
    keys = table["datakey"].to_pylist()
    return {"seconds": seconds, "rows": len(keys), "digest": digest(keys),
            "bytes": int(sum(table["filesize"].to_pylist()))}


def main() -> None:
    workload, client, out, args_path = sys.argv[1:5]
    args = json.loads(open(args_path).read())
    if workload == "floor":
        result = run_floor(args)
    else:
        result = run_files(client, args)
    with open(out, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
