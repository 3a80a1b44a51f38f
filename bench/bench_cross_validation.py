"""5-fold cross-validation of intents and FAQ responses; prints macro-F1 per topic and overall.

Runs `rasa test nlu --cross-validation` with the project's own config and data in the
Rasa environment, then reads the intent and response-selection reports it writes, and
lists the most frequent confusions so that the next data edit goes where it helps.
Rasa's own output goes to var/bench/cross_validation/rasa.log.
Rasa draws the folds from numpy's global random state without a seed, so two runs of the
same config would score different folds; this script seeds numpy before Rasa starts, so
that every run, and every config compared, gets the same folds.
Usage: python bench/bench_cross_validation.py [--folds 5] [--config config.yml]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUMMARY_ROWS = {"accuracy", "macro avg", "weighted avg", "micro avg"}
# `rasa` itself, with numpy seeded first: the folds are the same in every run
SEEDED_RASA = "import sys, numpy; numpy.random.seed(42); from rasa.__main__ import main; sys.exit(main())"


def print_report(title: str, report_file: Path) -> float:
    """Prints F1 and support per label; returns the macro-F1."""
    report = json.loads(report_file.read_text())
    print(f"\n{title}")
    print(f"{'label':40} {'f1':>6} {'support':>8}")
    for label, row in sorted(report.items()):
        if label in SUMMARY_ROWS or not isinstance(row, dict):
            continue
        print(f"{label:40} {row['f1-score']:6.3f} {int(row['support']):8d}")
    macro = float(report["macro avg"]["f1-score"])
    print(f"{'macro-F1':40} {macro:6.3f}")
    return macro


def print_confusions(errors_file: Path, target_key: str, prediction_key: str, top: int = 10) -> None:
    """The most frequent (true -> predicted) pairs among the misclassified examples."""
    if not errors_file.exists():
        return
    pairs = Counter(
        (e[target_key], (e.get(prediction_key) or {}).get("name"))
        for e in json.loads(errors_file.read_text())
    )
    if pairs:
        print("most frequent confusions: " + "; ".join(f"{t} -> {p} ({n})" for (t, p), n in pairs.most_common(top)))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--config", default="config.yml")
    args = ap.parse_args()
    out = ROOT / "var" / "bench" / "cross_validation"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false"}
    started = time.monotonic()
    with (out / "rasa.log").open("w") as log:
        subprocess.run(
            [str(ROOT / ".venv-rasa/bin/python"), "-c", SEEDED_RASA, "test", "nlu", "--nlu", "data", "--config", args.config,
             "--cross-validation", "--folds", str(args.folds), "--out", str(out), "--no-plot"],
            cwd=ROOT, env=env, check=True, stdout=log, stderr=subprocess.STDOUT,
        )
    print(f"{args.folds}-fold cross-validation ({args.config}) in {time.monotonic() - started:.0f} s")
    intents = print_report("Intents", out / "intent_report.json")
    print_confusions(out / "intent_errors.json", "intent", "intent_prediction")
    responses = print_report("FAQ topics (response selector)", out / "response_selection_report.json")
    print_confusions(
        out / "response_selection_errors.json", "intent_response_key_target", "intent_response_key_prediction"
    )
    print(f"\nmacro-F1 intents {intents:.3f}, FAQ topics {responses:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
