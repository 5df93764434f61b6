"""The scregistry command, through its real entry point."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from builders import catalog, csv_index, entry, registry, t

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "scregistry" / "data" / "sample"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "scregistry.cli", *args], capture_output=True, text=True,
                          env=full_env, timeout=120)


def sample_mms_rows():
    """The sample MMS index rows, read with the standard library."""
    rows = []
    folder = SAMPLE / "buckets" / "helio-sample-public"
    for path in sorted(folder.rglob("mms1_feeps_brst_electron_*.csv")):
        with open(path, newline="") as fh:
            reader = csv.reader(fh, quotechar="'")
            next(reader)
            rows += [r for r in reader if r]
    return rows


def test_files_from_sample_registry_finds_dataset_and_cross_year_file():
    proc = run("files", "mms1_feeps_brst_electron", "--registry", "sample", "--start", "2021-01-01",
               "--stop", "2021-01-02", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    got = list(csv.DictReader(io.StringIO(proc.stdout)))
    t0, t1 = t("2021-01-01T00:00:00Z"), t("2021-01-02T00:00:00Z")
    expected = [r[2] for r in sample_mms_rows() if t(r[1]) >= t0 and t(r[0]) < t1]
    assert [r["datakey"] for r in got] == expected
    assert any(t(r["start"]) < t0 for r in got), "the burst starting on 2020-12-31 must be listed"


def test_files_text_output_one_line_per_file(tmp_path):
    rows = [("2020-03-01T00:00:00Z", "2020-03-01T01:00:00Z", "s3://x/a.cdf", 10),
            ("2020-03-02T00:00:00Z", "2020-03-02T01:00:00Z", "s3://x/b.cdf", 20)]
    (tmp_path / "idx").mkdir()
    (tmp_path / "idx" / "ds_2020.csv").write_bytes(csv_index(rows))
    (tmp_path / "catalog.json").write_bytes(catalog("s3://x/", [entry("ds", "idx/", "2020-03-01T00:00:00Z",
                                                                        "2020-03-03T00:00:00Z")]))
    proc = run("files", "ds", "--bucket", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[-1] == "s3://x/a.cdf" and lines[1].split()[-1] == "s3://x/b.cdf"
    assert lines[1].split()[2] == "20"


@pytest.mark.parametrize("args, code, words", [
    (["files", "aia_0095", "--registry", "sample"], 1, ["aia_0095", "aia_0094"]),
    (["files", "aia_0094", "--registry", "sample", "--start", "2012-01-01", "--stop", "2011-01-01"], 2, ["2012-01-01"]),
    (["files", "aia_0094", "--registry", "sample", "--start", "yesterday"], 2, ["yesterday"]),
    (["files", "aia_0094", "--registry", "sample", "--start", "1990-01-01", "--stop", "1991-01-01"], 1, ["no files"]),
    (["files", "x", "--bucket", "/nonexistent/folder"], 3, ["/nonexistent/folder/catalog.json"]),
    (["files"], 2, ["Missing argument"]),
])
def test_exit_codes_and_one_line_errors(args, code, words):
    proc = run(*args)
    assert proc.returncode == code, (proc.returncode, proc.stderr)
    for w in words:
        assert w in proc.stderr
    if code != 2 or "Missing" not in words[0]:
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_registry_from_environment_and_bucket_on_s3(s3_endpoint, bucket, put, tmp_path):
    rows = [("2019-05-01T00:00:00Z", "2019-05-01T00:10:00Z", f"s3://{bucket}/d/1.cdf", 5)]
    put(bucket, "catalog.json", catalog(f"s3://{bucket}/", [entry("remote_ds", f"s3://{bucket}/i/",
                                                                  "2019-01-01T00:00:00Z", "2019-12-31T00:00:00Z")]))
    put(bucket, "i/remote_ds_2019.csv", csv_index(rows))
    reg = tmp_path / "registry.json"
    reg.write_bytes(registry([(f"s3://{bucket}/", "bench", "us-east-1")]))
    proc = run("files", "remote_ds", "--format", "csv",
               env={"ROOT_CATALOG_REGISTRY_URL": str(reg), "AWS_ENDPOINT_URL": s3_endpoint})
    assert proc.returncode == 0, proc.stderr
    assert [r["datakey"] for r in csv.DictReader(io.StringIO(proc.stdout))] == [rows[0][2]]


def test_help_teaches_with_an_example():
    proc = run("files", "--help")
    assert proc.returncode == 0
    assert "Example" in proc.stdout and "--registry sample" in proc.stdout


def _run_on_terminal(args: list[str], env: dict) -> tuple[int, str, str]:
    """Run the command with stderr on a pseudo-terminal of 40x100; return (code, stdout, terminal text)."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "scregistry.cli", *args], stdout=subprocess.PIPE,
                            stderr=slave, env=dict(os.environ, **env))
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the terminal closes with the process
            break
        if not data:
            break
        chunks.append(data)
    out = proc.stdout.read().decode()
    proc.wait(60)
    os.close(master)
    return proc.returncode, out, b"".join(chunks).decode(errors="replace")


def test_progress_bar_on_a_terminal_for_slow_work_and_not_in_pipes(http_server):
    names = [f"slow{i}" for i in range(3)]
    for name in names:
        http_server.state.put(f"/{name}/catalog.json", catalog(f"{http_server.url}/{name}/", [
            entry(f"ds_{name}", f"{http_server.url}/{name}/idx/", "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")]))
    http_server.state.put("/registry.json", registry([(f"{http_server.url}/{n}/", n, "") for n in names]))
    http_server.state.delay = 1.3  # every catalog takes longer than the second after which a bar appears
    code, out, terminal = _run_on_terminal(["tree", "--registry", f"{http_server.url}/registry.json"], {})
    assert code == 0, terminal
    assert "3 buckets, 3 datasets" in out
    assert "catalogs" in terminal and "%|" in terminal, terminal
    piped = run("tree", "--registry", f"{http_server.url}/registry.json")
    assert piped.returncode == 0 and "%|" not in piped.stderr and "\r" not in piped.stderr
