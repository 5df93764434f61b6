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

def start_s3(root: Path):
    """A moto S3 server on 127.0.0.1 holding every bench bucket, publicly readable."""
    import boto3
    from botocore.config import Config
    from moto.server import ThreadedMotoServer

    import datasets

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bench",
                      aws_secret_access_key="bench", config=Config(s3={"addressing_style": "path"}))
    for bucket in datasets.buckets(root):
        s3.create_bucket(Bucket=bucket)
        s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket", "s3:HeadObject"],
            "Resource": [f"arn:aws:s3:::{bucket}/*", f"arn:aws:s3:::{bucket}"]}]}))
        for key, path in datasets.objects(root, bucket):
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


def oneday_code(client: str, bucket: str, dataset: str, start: str, stop: str) -> str:
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
        record("full_cold", "floor", run_worker(ours, "floor", "floor", floor_args, env, tmp))
        record("full_warm", "scregistry", run_worker(ours, "files", "scregistry",
                                                      dict(full, cache_dir=str(warm_dir)), env, tmp))
        record("full_parquet", "scregistry", run_worker(ours, "files", "scregistry",
                                                         dict(full, id="aia_0094_pq"), env, tmp))
    ok = check_equal(results)
    report(results, opts, with_peer)
    if opts.json:
        opts.json.write_text(json.dumps(results, indent=1))
    server.stop()
    return 0 if ok else 1


def _oneday(python: str, client: str, mms: tuple, env: dict, cli: bool = False) -> dict:
    """A whole process, imports included: ``python -c`` returning a DataFrame, or the command line."""
    bucket, dataset, start, stop = mms
    if cli:
        argv = ["-m", "scregistry.cli", "files", dataset, "--bucket", bucket, "--start", start, "--stop", stop]
    else:
        argv = ["-c", oneday_code(client, bucket, dataset, start, stop)]
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
        seen = {(client, r["rows"], r["digest"]) for client, runs in by_client.items() for r in runs}
        if len({(rows, dig) for _, rows, dig in seen}) > 1:
            ok = False
            print(f"!! {workload}: clients disagree: {sorted(seen)}")
    pairs = [("full_warm", "full_cold"), ("full_parquet", "full_cold"), ("oneday_cli", "oneday_process")]
    for workload, reference in pairs:
        ref = results.get(reference, {}).get("scregistry", [{}])[0]
        got = results.get(workload, {}).get("scregistry", [{}])[0]
        if got and ref and (got["rows"], got["digest"]) != (ref["rows"], ref["digest"]):
            ok = False
            print(f"!! {workload} differs from {reference}: {got['rows']} vs {ref['rows']} rows")
    print("results equal across clients: " + ("yes" if ok else "NO"), flush=True)
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
    ]
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
