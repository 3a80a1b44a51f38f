"""NLU accuracy by message length on a held-out set (bench/data/long_questions.yml).

People write to support with a greeting, some context and then the question; this bench
shows whether such long messages are understood as well as short ones. A case is right
when the intent (and, for `faq`, the response selector's topic) is the expected one. An
`nlu_fallback` is a miss too, but it is counted apart ("asked instead of guessing"): the
bot then asks "Ste mislili …?", which is better than a wrong answer.

The model is loaded in-process (Rasa's Agent, so it runs in .venv-rasa: started from the
app venv, the script re-runs itself there), or a running Rasa is asked over
`/model/parse` with --url (token from --token or RASA_TOKEN). --baseline MODEL scores a
second model in the same run, on the same cases, for a before/after comparison.
Usage: python bench/bench_long_questions.py [--model models/current.tar.gz]
       [--baseline models/before.tar.gz] [--url http://127.0.0.1:5005] [--cases FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import yaml

ROOT = Path(__file__).resolve().parents[1]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
FALLBACK = "nlu_fallback"
RETRIEVAL_INTENT = "faq"
BUCKETS = ("<6", "6-9", ">=10")


@dataclass(frozen=True)
class Case:
    """One held-out message and what it should be understood as (`faq/<topic>` or an intent)."""

    text: str
    expect: str

    @property
    def bucket(self) -> str:
        """Length bucket by whitespace-separated words, as the issue counts them."""
        words = len(self.text.split())
        return "<6" if words < 6 else "6-9" if words < 10 else ">=10"


@dataclass(frozen=True)
class Outcome:
    """What the model made of one case."""

    case: Case
    predicted: str  # intent, `faq/<topic>`, or `nlu_fallback`
    guess: str  # the best intent or faq/<topic> (for a fallback: what it would have said)
    intent_confidence: float  # of the best intent other than the fallback
    topic_confidence: Optional[float]  # of the best FAQ topic, when the best intent is `faq`

    @property
    def right(self) -> bool:
        return self.predicted == self.case.expect

    @property
    def asked(self) -> bool:
        return self.predicted == FALLBACK

    def describe(self) -> str:
        """`faq/x 0.91/0.45` (intent/topic confidence), or `asked (faq/x? 0.91/0.45)`."""
        confidence = f"{self.intent_confidence:.2f}" + (
            f"/{self.topic_confidence:.2f}" if self.topic_confidence is not None else ""
        )
        return f"asked ({self.guess}? {confidence})" if self.asked else f"{self.predicted} {confidence}"


def load_cases(path: Path) -> List[Case]:
    """The cases of the YAML file; each needs `text` and `expect`."""
    return [Case(str(c["text"]), str(c["expect"])) for c in yaml.safe_load(path.read_text())["cases"]]


def outcome(case: Case, parsed: Dict[str, Any]) -> Outcome:
    """What was predicted for the case, from Rasa's parse result."""
    name = str((parsed.get("intent") or {}).get("name"))
    ranking = [r for r in parsed.get("intent_ranking") or [] if r.get("name") != FALLBACK]
    best = ranking[0] if ranking else parsed.get("intent") or {}
    guess, topic_confidence = str(best.get("name")), None
    if guess == RETRIEVAL_INTENT:
        selector = ((parsed.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}).get("response") or {}
        guess = str(selector.get("intent_response_key") or RETRIEVAL_INTENT)
        topic_confidence = float(selector.get("confidence") or 0.0)
    predicted = FALLBACK if name == FALLBACK else guess
    return Outcome(case, predicted, guess, float(best.get("confidence") or 0.0), topic_confidence)


def parse_in_process(model: Path) -> Callable[[Sequence[str]], List[Dict[str, Any]]]:
    """A parser over Rasa's Agent with the model loaded in this process."""
    warnings.filterwarnings("ignore")  # Rasa's dependencies' deprecation notices would bury the figures
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # structlog's default prints a debug line per parse
    logging.getLogger().setLevel(logging.WARNING)
    warnings.filterwarnings("ignore")  # importing Rasa resets the filters

    agent = Agent.load(str(model))

    def parse(texts: Sequence[str]) -> List[Dict[str, Any]]:
        async def run() -> List[Dict[str, Any]]:
            return [await agent.parse_message(t) for t in texts]

        return asyncio.run(run())

    return parse


def parse_over_http(url: str, token: Optional[str]) -> Callable[[Sequence[str]], List[Dict[str, Any]]]:
    """A parser that asks a running Rasa server's /model/parse."""
    endpoint = url.rstrip("/") + "/model/parse" + (f"?{urllib.parse.urlencode({'token': token})}" if token else "")

    def parse(texts: Sequence[str]) -> List[Dict[str, Any]]:
        results = []
        for text in texts:
            request = urllib.request.Request(
                endpoint, data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    results.append(json.loads(response.read()))
            except urllib.error.HTTPError as error:
                hint = ": no or wrong --token (RASA_TOKEN)" if error.code in (401, 403) else ""
                raise SystemExit(f"{url}/model/parse answered HTTP {error.code}{hint}") from None
        return results

    return parse


def score(cases: Sequence[Case], parse: Callable[[Sequence[str]], List[Dict[str, Any]]]) -> List[Outcome]:
    """Parses every case and records what was predicted."""
    return [outcome(c, p) for c, p in zip(cases, parse([c.text for c in cases]), strict=True)]


def summary_rows(outcomes: Sequence[Outcome]) -> List[tuple[str, int, int, int, int]]:
    """(bucket, n, right, asked, wrong) per bucket and overall."""
    rows = []
    for bucket in (*BUCKETS, "all"):
        chosen = [o for o in outcomes if bucket in ("all", o.case.bucket)]
        right = sum(o.right for o in chosen)
        asked = sum(o.asked for o in chosen)
        rows.append((bucket, len(chosen), right, asked, len(chosen) - right - asked))
    return rows


def print_summary(title: str, outcomes: Sequence[Outcome], seconds: float) -> None:
    print(f"\n{title} ({len(outcomes)} cases, {seconds:.1f} s)")
    print(f"{'words':6} {'n':>4} {'accuracy':>9} {'asked':>6} {'wrong':>6}")
    for bucket, n, right, asked, wrong in summary_rows(outcomes):
        accuracy = right / n if n else 0.0
        print(f"{bucket:6} {n:4d} {accuracy:9.3f} {asked:6d} {wrong:6d}")


def print_misses(title: str, outcomes: Sequence[Outcome]) -> None:
    misses = [o for o in outcomes if not o.right]
    print(f"\nmisses of {title}: {len(misses)}")
    for o in sorted(misses, key=lambda o: (BUCKETS.index(o.case.bucket), o.asked, o.case.expect)):
        print(f"  [{o.case.bucket:>4}] {o.case.expect} -> {o.describe()} | {o.case.text}")


def in_rasa_env() -> bool:
    try:
        import rasa  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=str(ROOT / "models" / "current.tar.gz"))
    ap.add_argument("--baseline", help="a second model scored in the same run")
    ap.add_argument("--url", help="a running Rasa server instead of --model (its /model/parse)")
    ap.add_argument("--token", default=os.environ.get("RASA_TOKEN"), help="Rasa's API token for --url")
    ap.add_argument("--cases", default=str(ROOT / "bench" / "data" / "long_questions.yml"))
    args = ap.parse_args()
    needs_rasa = args.url is None or args.baseline is not None
    if needs_rasa and not in_rasa_env():  # Rasa lives in its own Python 3.10 venv
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONWARNINGS": "ignore",
        }
        os.execve(str(RASA_PYTHON), [str(RASA_PYTHON), __file__, *sys.argv[1:]], env)
    sys.path.insert(0, str(ROOT))  # the custom components in the model import from the repo root
    cases = load_cases(Path(args.cases))
    if args.url:
        runs = [(args.url, parse_over_http(args.url, args.token))]
    else:
        runs = [(args.model, parse_in_process(Path(args.model)))]
    if args.baseline:
        runs.append((f"baseline {args.baseline}", parse_in_process(Path(args.baseline))))
    results = []
    for title, parse in runs:
        started = time.monotonic()
        outcomes = score(cases, parse)
        results.append((title, outcomes, time.monotonic() - started))
    for title, outcomes, _ in results:
        print_misses(title, outcomes)
    for title, outcomes, seconds in results:
        print_summary(title, outcomes, seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
