"""The endpoint under abuse: quick-query latency on an idle server and with 10 runaway clients
and 5 slow ones (the scenario of tests/test_load.py), against the goal of a median within 3x.

Run: python tests/benchmarks/abuse.py [--rounds 3] [--seconds 8]
Not part of the test run; prints one line per round and the goal's verdict.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.conftest import serving  # noqa: E402
from tests.test_load import TIMEOUT, _quick_clients, _summary, abuse, figures  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    ratios = []
    with serving("--timeout", str(TIMEOUT)) as (port, proc):
        for _ in range(args.rounds):
            idle = _quick_clients(port, 40, 4, 0.2)
            busy = abuse(port, proc.pid, args.seconds)
            print(figures(idle, busy), flush=True)
            ratios.append(_summary(busy["quick"])[0] / _summary(idle)[0])
    ratio = statistics.median(ratios)
    print(f"median of the median ratios: {ratio:.1f} (goal: 3.0 or less) -> {'met' if ratio <= 3 else 'missed'}")


if __name__ == "__main__":
    main()
