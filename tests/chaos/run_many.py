"""Run many generated fault schedules of a heal and print how many ran and how many failed.

    python tests/chaos/run_many.py [--schedules N] [--seed S] [--stop]

Each schedule is drawn with a seeded ``random.Random`` from the same space as the tests'
(:func:`tests.chaos.schedules.build`) and checked with the same invariants. A failed schedule is
printed with the assertion that failed, so that it can be replayed as a test.
"""

from __future__ import annotations

import argparse
import pathlib
import random
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

import tests.conftest  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import  # the collection importable
from tests.chaos import schedules  # noqa: E402  pylint: disable=wrong-import-position


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=500, help="how many schedules (default 500)")
    parser.add_argument("--seed", type=int, default=int(time.time()), help="seed of the draws (default: the time)")
    parser.add_argument("--stop", action="store_true", help="stop at the first failure")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    failed = 0
    started = time.monotonic()
    for number in range(1, args.schedules + 1):
        schedule = schedules.build(rng.choice)
        with tempfile.TemporaryDirectory() as directory:
            try:
                schedules.check(schedule, directory)
            except AssertionError as error:
                failed += 1
                print("FAILED schedule %d: %s\n  %s" % (number, schedules.describe(schedule), error), flush=True)
                if args.stop:
                    break
    ran = number if args.schedules else 0
    print("seed %d: %d schedules ran, %d failed, in %.1f s" % (args.seed, ran, failed, time.monotonic() - started))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
