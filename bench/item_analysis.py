"""Item analysis at scale: 10,000 candidates × 100 items (defaults), seeded, synthetic.

Times the three stages of ``sanguan exams item-analysis`` separately: reading the CSV
(``load_scores``), the statistics (``analyse``), and the JSON document; then the whole command
in a fresh process. Prints the best of ``--repeat`` runs for each stage, in seconds.

    .venv/bin/python bench/item_analysis.py [--candidates 10000] [--items 100] [--repeat 3] [--no-cli]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sanguan.exams.csvio import load_scores
from sanguan.exams.item_analysis import analyse


def synthetic(path: Path, n: int, k: int, seed: int) -> None:
    """A latent-ability sheet: half the items 0/1, half out of 5 in half marks; some empty cells."""
    rng = np.random.default_rng(seed)
    maxes = np.where(np.arange(k) % 2 == 0, 1.0, 5.0)
    theta = rng.normal(size=(n, 1))
    difficulty = rng.uniform(-1.5, 1.5, size=k)
    p = 1 / (1 + np.exp(-(theta - difficulty)))
    binary = (rng.random((n, k)) < p).astype(float)
    halves = np.clip(np.round(p * maxes * 2 + rng.normal(scale=1.0, size=(n, k))) / 2, 0, maxes)
    scores = np.where(maxes == 1, binary, halves)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["candidate", *(f"Q{j + 1:03d}" for j in range(k))])
        w.writerow(["max", *(f"{m:g}" for m in maxes)])
        for i, row in enumerate(scores):
            w.writerow([f"S{i + 1:06d}", *("" if v == 0 and (i + j) % 7 == 0 else f"{v:g}" for j, v in enumerate(row))])


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--candidates", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-cli", action="store_true", help="skip the end-to-end `sanguan exams item-analysis` run")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-items-") as tmp:
        path = Path(tmp) / "scores.csv"
        synthetic(path, a.candidates, a.items, a.seed)
        size = path.stat().st_size
        t_read, sheet = best(lambda: load_scores(path), a.repeat)
        t_stats, result = best(lambda: analyse(sheet.scores, sheet.maxes, sheet.item_ids), a.repeat)
        t_json, _doc = best(lambda: json.dumps(result.as_dict(), allow_nan=False, indent=2), a.repeat)
        print(f"sheet            {a.candidates} candidates x {a.items} items, {size / 1e6:.1f} MB CSV")
        print(f"read CSV         {t_read:.3f} s")
        print(f"statistics       {t_stats:.3f} s")
        print(f"JSON             {t_json:.3f} s")
        print(f"alpha            {result.test.cronbach_alpha:.4f}  (sanity: a latent-ability sheet is consistent)")
        if not a.no_cli:
            exe = Path(sys.executable).with_name("sanguan")
            env = {**os.environ, "SANGUAN_DATA_DIR": tmp}
            env.pop("DATABASE_URL", None)
            cmd = [str(exe), "exams", "item-analysis", str(path), "--json"]
            t_cli, _proc = best(lambda: subprocess.run(cmd, capture_output=True, env=env, check=True), a.repeat)  # noqa: S603
            print(f"sanguan command  {t_cli:.3f} s  (fresh process, Django start-up included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
