"""The benchmark harness still runs (tiny data, one run, no peer client): no timings are asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_smoke_mode_runs_and_checks_results(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--smoke", "--workdir",
                           str(tmp_path)], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "results equal across clients: yes" in proc.stdout
    assert "| full range, cold cache |" in proc.stdout
    assert "scregistry / floor" in proc.stdout
    assert "search results equal across clients: yes" in proc.stdout
    assert "| search over 20 buckets |" in proc.stdout
