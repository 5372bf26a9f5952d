"""``python -m parallax.train all|STEP ... [--out build/] [--data ../shared/data]``: rebuild the models."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from parallax.errors import ParallaxError

from . import SHARED_DATA
from .recipe import STEPS, run_steps


def main(argv: list[str] | None = None) -> int:
    names = [step.name for step in STEPS]
    parser = argparse.ArgumentParser(
        prog="python -m parallax.train",
        description="Rebuild every shipped model file from the shared data, and print its scores beside the "
        "shipped ones. Steps, in order: " + "; ".join(f"{s.name} (~{s.minutes} min)" for s in STEPS) + ".",
    )
    parser.add_argument("steps", nargs="+", choices=["all", *names, "scores"],
                        help="'all', or steps to run (each reads what earlier steps left in --out); "
                        "'scores' only prints the table")
    parser.add_argument("--out", type=Path, default=Path("build"), help="where the rebuilt models go (default build/)")
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="the shared data (default ../shared/data)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    chosen = names if "all" in args.steps else [n for n in args.steps if n != "scores"]
    try:
        took = run_steps(chosen, args.out, args.data)
        from .scores import score_table, write_meta

        write_meta(args.out)
        for name, minutes in took.items():
            print(f"{name}: {minutes:.1f} min")
        print(score_table(args.out, args.data))
    except ParallaxError as exc:
        print(f"parallax.train: error: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
