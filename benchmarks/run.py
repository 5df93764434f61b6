"""Side-by-side benchmarks of scregistry and the peer client ``cloudcatalog==1.3.3``.

    python benchmarks/run.py                 # full scale, 3 runs per workload, loopback S3
    python benchmarks/run.py --latency-ms 30 # the same behind a proxy adding 30 ms per request
    python benchmarks/run.py --smoke         # seconds: tiny data, no peer; checks the harness runs

Generates synthetic buckets (datasets.py), serves them from a moto S3 server on 127.0.0.1, installs
the peer into its own virtual environment, and runs every workload for each client in a fresh process
(worker.py), alternating clients, reporting the median time, the peak RSS and the ratios. Results are
checked equal before any time is reported.
"""

from __future__ import annotations

import argparse
import atexit
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PEER = "cloudcatalog==1.3.3"
# cloudcatalog 1.3.3 imports requests without declaring it
PEER_UNDECLARED = ["requests"]


# -- servers -------------------------------------------------------------------------------

#: The bucket and key the search registry (``search-registry.json`` of the data folder) is served
#: from, so that both clients fetch it over plain HTTP from the same server, behind the same latency.
REGISTRY_BUCKET, REGISTRY_KEY = "bench-registry", "search-registry.json"


class MotoProcess:
    """A moto S3 server in a process of its own on 127.0.0.1, so that it answers concurrent
    requests without sharing an interpreter lock with the harness and its proxy."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", "from moto.server import main; main()", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the moto server did not start")
                time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_s3(root: Path):
    """A moto S3 server on 127.0.0.1 holding every bench bucket, publicly readable, and the search
    registry as ``REGISTRY_BUCKET/REGISTRY_KEY`` (read anonymously over HTTP, path-style)."""
    import boto3
    from botocore.config import Config

    import datasets

    server = MotoProcess()
    atexit.register(server.stop)  # also when a workload fails
    endpoint = f"http://127.0.0.1:{server.port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                      aws_secret_access_key="bench", config=Config(s3={"addressing_style": "path"}))
    objects = {bucket: list(datasets.objects(root, bucket)) for bucket in datasets.buckets(root)}
    objects[REGISTRY_BUCKET] = [(REGISTRY_KEY, root / "search-registry.json")]
    for bucket, items in objects.items():
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket", "s3:HeadObject"],
            "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"]}]}))
        for key, path in items:
            s3.put_object(Bucket=bucket, Key=key, Body=path.read_bytes())
    return server, endpoint


class DelayProxy:
    """A TCP proxy on 127.0.0.1 that holds every client->server chunk (in practice every request)
    for ``delay`` seconds before passing it on: real object stores are not loopback."""

    def __init__(self, upstream_port: int, delay: float) -> None:
        self.upstream_port, self.delay = upstream_port, delay
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.port = 0

        async def pipe(reader, writer, delay):
            try:
                while data := await reader.read(1 << 16):
                    if delay:
                        await asyncio.sleep(delay)
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        async def handle(creader, cwriter):
            ureader, uwriter = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            await asyncio.gather(pipe(creader, uwriter, self.delay), pipe(ureader, cwriter, 0))

        async def serve():
            server = await asyncio.start_server(handle, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            ready.set()
            async with server:
                await server.serve_forever()

        threading.Thread(target=lambda: self.loop.run_until_complete(serve()), daemon=True).start()
        ready.wait(10)


# -- clients -------------------------------------------------------------------------------

def peer_python(workdir: Path) -> str:
    """The interpreter of a virtual environment holding the peer client (created on first use)."""
    venv = workdir / "peer-venv"
    python = venv / "bin" / "python"
    marker = venv / "installed.txt"
    wanted = " ".join([PEER, *PEER_UNDECLARED])
    if not (python.exists() and marker.exists() and marker.read_text() == wanted):
        print(f"installing {wanted} into {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PEER, *PEER_UNDECLARED], check=True)
        marker.write_text(wanted)
    return str(python)


def spawn(python: str, argv: list[str], env: dict) -> tuple[float, int, int]:
    """Run a process; return (wall seconds, exit status, peak RSS in MiB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([python, *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({proc.returncode}):\n{err[-3000:]}")
    return wall, proc.returncode, usage.ru_maxrss // 1024


def run_worker(python: str, workload: str, client: str, args: dict, env: dict, tmp: Path) -> dict:
    args_path = tmp / f"{workload}-{client}-args.json"
    out_path = tmp / f"{workload}-{client}-out.json"
    args_path.write_text(json.dumps(args))
    wall, _, _ = spawn(python, [str(HERE / "worker.py"), workload, client, str(out_path), str(args_path)], env)
    result = json.loads(out_path.read_text())
    result.update(wall=wall)  # the worker's rss_mib is its peak right after the request
    return result


def oneday_code(client: str, bucket: str, dataset: str, start: str, stop: str, table: bool = False) -> str:
    if client == "scregistry" and table:
        return (f"import scregistry; fr = scregistry.FileRegistry({bucket!r}); "
                f"t = fr.request_table({dataset!r}, start_date={start!r}, stop_date={stop!r}); "
                f"print(t.num_rows)")
    if client == "scregistry":
        return (f"import scregistry; fr = scregistry.FileRegistry({bucket!r}); "
                f"df = fr.request_file_registry({dataset!r}, start_date={start!r}, stop_date={stop!r}); "
                f"print(len(df))")
    return (f"import cloudcatalog; fr = cloudcatalog.CloudCatalog({bucket!r}); "
            f"df = fr.request_cloud_catalog({dataset!r}, start_date={start!r}, stop_date={stop!r}); "
            f"print(len(df))")


# -- main ----------------------------------------------------------------------------------

def median(values):
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="tiny data, one run, no peer: checks the harness")
    p.add_argument("--runs", type=int, default=3, help="runs per client and workload (median reported)")
    p.add_argument("--latency-ms", type=float, default=0.0, help="delay per request added by a proxy")
    p.add_argument("--no-peer", action="store_true", help="do not install or run cloudcatalog")
    p.add_argument("--workdir", type=Path, default=HERE / "work", help="generated data and the peer venv")
    p.add_argument("--json", type=Path, default=None, help="also write the results here")
    opts = p.parse_args(argv)
    sys.path.insert(0, str(HERE))
    import datasets

    runs = 1 if opts.smoke else max(1, opts.runs)
    with_peer = not (opts.smoke or opts.no_peer)
    sizes = dict(aia_total=13 * 300, mms_total=8 * 200, search_buckets=20, data_objects=50) if opts.smoke else {}
    data_root = opts.workdir / ("data-smoke" if opts.smoke else "data")
    t0 = time.perf_counter()
    datasets.generate(data_root, **sizes)
    print(f"data ready in {time.perf_counter() - t0:.1f}s: {data_root}", flush=True)
    server, endpoint = start_s3(data_root)
    proxy = None
    if opts.latency_ms > 0:
        proxy = DelayProxy(int(endpoint.rsplit(":", 1)[1]), opts.latency_ms / 1000)
        endpoint = f"http://127.0.0.1:{proxy.port}"
    print(f"S3 server at {endpoint} (latency {opts.latency_ms:g} ms per request)", flush=True)
    peer = peer_python(opts.workdir) if with_peer else None
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ENDPOINT_URL=endpoint, AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_DEFAULT_REGION="us-east-1")
    ours = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="scregistry-bench-"))
    full = {"bucket": "s3://bench-sdo/", "id": "aia_0094", "start": "2010-01-01T00:00:00Z",
            "stop": "2023-01-01T00:00:00Z"}
    years = range(2010, 2023)
    floor_args = {"endpoint": endpoint, "bucket": "bench-sdo",
                  "paths": [f"sdo/aia/index/aia_0094_{y}.csv" for y in years]}
    warm_dir = tmp / "warm-cache"
    # the seed's search: the registry over HTTP (path-style URL on the S3 server or its proxy)
    search_args = {"registry": f"{endpoint}/{REGISTRY_BUCKET}/{REGISTRY_KEY}"}
    results: dict[str, dict[str, list[dict]]] = {}

    def record(workload: str, client: str, result: dict) -> None:
        results.setdefault(workload, {}).setdefault(client, []).append(result)

    # warm the cache once (not timed)
    run_worker(ours, "files", "scregistry", dict(full, cache_dir=str(warm_dir)), env, tmp)
    mms = ("s3://bench-mms/", "mms1_feeps_brst_electron", "2019-06-15T00:00:00Z", "2019-06-16T00:00:00Z")
    for i in range(runs):
        print(f"run {i + 1}/{runs}", flush=True)
        for client, python in [("scregistry", ours), ("cloudcatalog", peer)]:
            if python is None:
                continue
            record("full_cold", client, run_worker(python, "files", client, full, env, tmp))
            record("oneday_process", client, _oneday(python, client, mms, env))
            if client == "scregistry":
                record("oneday_cli", client, _oneday(python, client, mms, env, cli=True))
                record("oneday_table", client, _oneday(python, client, mms, env, table=True))
            record("search", client, run_worker(python, "search", client, search_args, env, tmp))
        record("full_cold", "floor", run_worker(ours, "floor", "floor", floor_args, env, tmp))
        record("full_warm", "scregistry", run_worker(ours, "files", "scregistry",
                                                      dict(full, cache_dir=str(warm_dir)), env, tmp))
        record("full_parquet", "scregistry", run_worker(ours, "files", "scregistry",
                                                         dict(full, id="aia_0094_pq"), env, tmp))
    ok = check_equal(results)
    ok = check_search(results, data_root) and ok
    report(results, opts, with_peer)
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=1))
    server.stop()
    return 0 if ok else 1


def _oneday(python: str, client: str, mms: tuple, env: dict, cli: bool = False, table: bool = False) -> dict:
    """A whole process, imports included: ``python -c`` returning a DataFrame (or, with ``table``,
    an Arrow table), or the command line."""
    bucket, dataset, start, stop = mms
    if cli:
        argv = ["-m", "scregistry.cli", "files", dataset, "--bucket", bucket, "--start", start, "--stop", stop]
    else:
        argv = ["-c", oneday_code(client, bucket, dataset, start, stop, table)]
    t0 = time.perf_counter()
    proc = subprocess.Popen([python, *argv], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - t0
    no_match = cli and proc.returncode == 1 and not out.strip()  # the CLI's exit code for "no files"
    if proc.returncode != 0 and not no_match:
        raise RuntimeError(f"one-day {client} failed: {err.decode()[-2000:]}")
    lines = out.decode().strip().splitlines()
    rows = len(lines) if cli else int(lines[-1])
    return {"seconds": wall, "wall": wall, "rows": rows, "digest": str(rows), "rss_mib": 0}


def check_equal(results: dict) -> bool:
    """Every client of a workload returned the same rows (same count, same keys)."""
    ok = True
    for workload, by_client in results.items():
        if workload == "search":  # compared call by call in check_search
            continue
        seen = {(client, r["rows"], r["digest"]) for client, runs in by_client.items() for r in runs}
        if len({(rows, dig) for _, rows, dig in seen}) > 1:
            ok = False
            print(f"!! {workload}: clients disagree: {sorted(seen)}")
    pairs = [("full_warm", "full_cold"), ("full_parquet", "full_cold"), ("oneday_cli", "oneday_process"),
             ("oneday_table", "oneday_process")]
    for workload, reference in pairs:
        ref = results.get(reference, {}).get("scregistry", [{}])[0]
        got = results.get(workload, {}).get("scregistry", [{}])[0]
        if got and ref and (got["rows"], got["digest"]) != (ref["rows"], ref["digest"]):
            ok = False
            print(f"!! {workload} differs from {reference}: {got['rows']} vs {ref['rows']} rows")
    print("results equal across clients: " + ("yes" if ok else "NO"), flush=True)
    return ok


def reference_search(data_root: Path) -> list[dict]:
    """The seed's search calls answered from the data folder with cloudcatalog 1.3.3's rules
    (substrings; keywords counted in id, index, title and tags, most first, stable): what scregistry
    is compared with when the peer does not run (``--smoke``, ``--no-peer``)."""
    from worker import SEARCH_CALLS

    registry = json.loads((data_root / "search-registry.json").read_text())["registry"]
    entries = []
    for item in registry:
        bucket = item["endpoint"].removeprefix("s3://").rstrip("/")
        entries += json.loads((data_root / bucket / "catalog.json").read_text())["catalog"]
    calls = []
    for method, arg in SEARCH_CALLS:
        if method == "search_by_keywords":
            counted = []
            for e in entries:
                n = sum(e[f].lower().count(k.lower()) for k in arg for f in ("id", "index", "title"))
                n += sum(k.lower() in t.lower() for k in arg for t in e.get("tags", []))
                if n:
                    counted.append((e, n))
            found = [e for e, _ in sorted(counted, key=lambda x: x[1], reverse=True)]
        else:
            field = "id" if method == "search_by_id" else "title"
            found = [e for e in entries if arg.lower() in e[field].lower()]
        calls.append({"call": f"{method}({arg!r})", "ids": [e["id"] for e in found]})
    return calls


def check_search(results: dict, data_root: Path) -> bool:
    """The seed's search calls agree between clients: the same ids in the same order for
    search_by_id and search_by_title, the same set of ids for search_by_keywords (scregistry ranks
    differently by design; both orders are printed when only the order differs). Every run of a
    client must give the same answers and every bucket of the registry must have been read."""
    by_client = results.get("search", {})
    if not by_client:
        return True
    ok = True
    buckets = len(json.loads((data_root / "search-registry.json").read_text())["registry"])
    answers = {}
    for client, runs in by_client.items():
        first = runs[0]["calls"]
        if any(r["calls"] != first for r in runs[1:]):
            ok = False
            print(f"!! search: {client} answered differently from one run to the next")
        read = {r["catalogs"] for r in runs}
        if read != {buckets}:
            ok = False
            print(f"!! search: {client} read {sorted(read)} bucket catalogs of {buckets}")
        answers[client] = first
    ours = answers.get("scregistry")
    if "cloudcatalog" in answers:
        other, label = answers["cloudcatalog"], "cloudcatalog"
    else:
        other, label = reference_search(data_root), "reference (cloudcatalog's rules, from the data folder)"
    if ours is not None:
        for mine, theirs in zip(ours, other):
            call, a, b = mine["call"], mine["ids"], theirs["ids"]
            if mine["call"] != theirs["call"]:
                ok = False
                print(f"!! search: calls out of step: {call} vs {theirs['call']}")
            elif call.startswith("search_by_keywords"):
                if set(a) != set(b):
                    ok = False
                    print(f"!! search: {call} returns different entries: only scregistry "
                          f"{sorted(set(a) - set(b))}, only {label} {sorted(set(b) - set(a))}")
                elif a != b:
                    print(f"search: {call}: same {len(a)} entries, ranked differently (by design):")
                    print(f"    scregistry:   {a}")
                    print(f"    {label}: {b}")
            elif a != b:
                ok = False
                print(f"!! search: {call} differs:\n    scregistry:   {a}\n    {label}: {b}")
        if not any(c["ids"] for c in ours):
            ok = False
            print("!! search: every call returned nothing")
        if label == "cloudcatalog" and reference_search(data_root) != other:
            print("note: the reference used without the peer differs from cloudcatalog's answers")
        sizes = ", ".join(f"{c['call']}: {len(c['ids'])}" for c in ours)
        print(f"search results checked against {label}: {sizes}")
    print("search results equal across clients: " + ("yes" if ok else "NO"), flush=True)
    return ok


def report(results: dict, opts, with_peer: bool) -> None:
    def med(workload, client, key="seconds"):
        return median([r[key] for r in results.get(workload, {}).get(client, [])])

    peer_cold = med("full_cold", "cloudcatalog")
    rows = [
        ("full range, cold cache", med("full_cold", "scregistry"), peer_cold, ">= 8x",
         med("full_cold", "scregistry", "rss_mib"), med("full_cold", "cloudcatalog", "rss_mib")),
        ("full range, warm cache (vs peer cold)", med("full_warm", "scregistry"), peer_cold, ">= 20x",
         med("full_warm", "scregistry", "rss_mib"), med("full_cold", "cloudcatalog", "rss_mib")),
        ("full range, parquet index (vs peer csv)", med("full_parquet", "scregistry"), peer_cold, "report",
         med("full_parquet", "scregistry", "rss_mib"), med("full_cold", "cloudcatalog", "rss_mib")),
        ("one day MMS, whole process, python -c", med("oneday_process", "scregistry"),
         med("oneday_process", "cloudcatalog"), "<= 0.5x time", float("nan"), float("nan")),
        ("one day MMS, whole process, CLI (vs peer python -c)", med("oneday_cli", "scregistry"),
         med("oneday_process", "cloudcatalog"), "<= 0.5x time", float("nan"), float("nan")),
        ("one day MMS, whole process, python -c, Arrow table (vs peer python -c)", med("oneday_table", "scregistry"),
         med("oneday_process", "cloudcatalog"), "report", float("nan"), float("nan")),
    ]
    if "search" in results:
        buckets = results["search"]["scregistry"][0]["catalogs"]
        rows.append((f"search over {buckets} buckets", med("search", "scregistry"), med("search", "cloudcatalog"),
                     ">= 8x", med("search", "scregistry", "rss_mib"), med("search", "cloudcatalog", "rss_mib")))
    floor = med("full_cold", "floor")
    n = results.get("full_cold", {}).get("scregistry", [{}])[0].get("rows")
    print()
    print(f"latency {opts.latency_ms:g} ms/request; median of {len(results['full_cold']['scregistry'])} run(s); "
          f"full range = {n} rows")
    print("| workload | scregistry s | cloudcatalog s | speed-up | target | RSS MiB ours | RSS MiB peer | RSS ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for name, ours, peer, target, rss_o, rss_p in rows:
        speed = f"{peer / ours:.1f}x" if with_peer and ours == ours and peer == peer else "-"
        if name.startswith("one day") and with_peer:
            speed = f"{ours / peer:.2f}x time"
        rss_ratio = f"{rss_o / rss_p:.2f}" if with_peer and rss_p == rss_p else "-"
        rss_o_text = f"{rss_o:.0f}" if rss_o == rss_o else "-"
        rss_p_text = f"{rss_p:.0f}" if rss_p == rss_p else "-"
        print(f"| {name} | {ours:.3f} | {peer:.3f} | {speed} | {target} | {rss_o_text} | {rss_p_text} | {rss_ratio} |")
    ours_cold = med("full_cold", "scregistry")
    print(f"| floor: concurrent fetch + pyarrow parse | {floor:.3f} | | scregistry / floor = "
          f"{ours_cold / floor:.2f}x | <= 1.5x | {med('full_cold', 'floor', 'rss_mib'):.0f} | | |")


if __name__ == "__main__":
    sys.exit(main())
