"""Reply latency over REST: 200 FAQ questions, sequential and 16 concurrent conversations.

The same run measures a plain one-intent Rasa bot (trained here once, in var/bench)
as the baseline, so the printed ratio shows what our pipeline and actions cost.
Usage: python bench/bench_latency.py [--questions 200] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from devtools.servers import RASA, assistant, rasa_env, start_rasa  # noqa: E402

BASELINE_FILES = {
    "config.yml": "recipe: default.v1\nlanguage: sl\nassistant_id: baseline\npipeline:\n"
    "  - name: WhitespaceTokenizer\n  - name: CountVectorsFeaturizer\n"
    "  - name: DIETClassifier\n    epochs: 10\npolicies:\n  - name: RulePolicy\n",
    "domain.yml": 'version: "3.1"\nintents:\n  - greet\nresponses:\n  utter_greet:\n'
    '    - text: "Pozdravljeni!"\n',
    "data/nlu.yml": 'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - živijo\n'
    "    - zdravo\n    - dober dan\n",
    "data/rules.yml": 'version: "3.1"\nrules:\n- rule: greet\n  steps:\n  - intent: greet\n'
    "  - action: utter_greet\n",
}


def questions(n: int) -> List[str]:
    """n FAQ questions drawn (seeded) from the topic files' examples."""
    pool: List[str] = []
    for path in sorted((ROOT / "data" / "faq_sl").glob("*.yml")):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            pool += [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
    rng = random.Random(7)
    return [rng.choice(pool) for _ in range(n)]


def baseline_model(work: Path) -> Path:
    model = work / "models" / "baseline.tar.gz"
    if model.exists():
        return model
    for name, text in BASELINE_FILES.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text)
    subprocess.run(
        [str(RASA), "train", "--fixed-model-name", "baseline", "--out", "models"],
        cwd=work, env=rasa_env(), check=True, stdout=subprocess.DEVNULL,
    )
    return model


def ask(url: str, sender: str, text: str) -> float:
    t0 = time.perf_counter()
    resp = httpx.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    resp.raise_for_status()
    return time.perf_counter() - t0


def measure(url: str, texts: List[str], concurrency: int) -> Dict[str, float]:
    senders = [f"bench-{uuid.uuid4().hex}" for _ in range(concurrency)]
    if concurrency == 1:
        lat = [ask(url, senders[0], t) for t in texts]
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            lat = list(pool.map(lambda it: ask(url, senders[it[0] % concurrency], it[1]), enumerate(texts)))
    lat.sort()
    return {
        "p50": statistics.median(lat) * 1000,
        "p95": lat[min(len(lat) - 1, int(len(lat) * 0.95))] * 1000,
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    work = ROOT / "var" / "bench" / "latency"
    work.mkdir(parents=True, exist_ok=True)
    texts = questions(args.questions)
    base_model = baseline_model(work / "baseline")
    results: Dict[str, Dict[str, float]] = {}
    token = uuid.uuid4().hex
    with assistant(work, ROOT / "models" / "current.tar.gz", token) as url:
        ask(url, "warm-up", texts[0])
        results["assistant sequential"] = measure(url, texts, 1)
        results[f"assistant {args.concurrency} concurrent"] = measure(url, texts, args.concurrency)
    base, base_url = start_rasa(work, base_model, rasa_env(), None, token, name="baseline")
    try:
        base.wait_ready()
        ask(base_url, "warm-up", "zdravo")
        results["baseline sequential"] = measure(base_url, texts, 1)
        results[f"baseline {args.concurrency} concurrent"] = measure(base_url, texts, args.concurrency)
    finally:
        base.stop()
    print(f"{len(texts)} FAQ questions over REST")
    print(f"{'run':32} {'p50 ms':>8} {'p95 ms':>8}")
    for name, r in results.items():
        print(f"{name:32} {r['p50']:8.1f} {r['p95']:8.1f}")
    for mode in ("sequential", f"{args.concurrency} concurrent"):
        a, b = results[f"assistant {mode}"], results[f"baseline {mode}"]
        p50, p95 = a["p50"] / b["p50"], a["p95"] / b["p95"]
        print(f"ratio assistant/baseline {mode}: p50 {p50:.2f}x, p95 {p95:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
