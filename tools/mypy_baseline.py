"""mypy over every app, held to a per-module baseline that may only shrink (``make typecheck``).

mypy checks the apps listed in pyproject.toml (``[tool.mypy] files``, migrations left out). A module's
error count may not grow past its number in ``tools/mypy-baseline.json``, and a module not listed there
must have none: new code comes typed, and old code only gets better. When a count falls, the check
passes and says so: lower the baseline (``--update``) and commit it with the fix, so the gain is kept.

    .venv/bin/python tools/mypy_baseline.py            # the check: exit status 1 if a count grew
    .venv/bin/python tools/mypy_baseline.py --update   # write today's counts as the baseline
"""

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "tools" / "mypy-baseline.json"
ERROR = re.compile(r"^(?P<module>[\w/.-]+\.py):\d+(:\d+)?: error: ")


def run_mypy():
    """mypy's error lines, as configured in pyproject.toml. Stops if mypy itself failed (status 2)."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1):
        sys.exit(f"mypy failed (status {result.returncode}):\n{result.stdout}{result.stderr}")
    return [line for line in result.stdout.splitlines() if ERROR.match(line)]


def count(errors):
    """``{module path: number of errors}`` from mypy's error lines."""
    return dict(Counter(ERROR.match(line)["module"] for line in errors))


def compare(counts, baseline):
    """``(grown, shrunk)``: ``{module: (baseline, now)}`` for the counts above, and below, the baseline."""
    modules = set(counts) | set(baseline)
    grown = {m: (baseline.get(m, 0), counts.get(m, 0)) for m in modules if counts.get(m, 0) > baseline.get(m, 0)}
    shrunk = {m: (baseline.get(m, 0), counts.get(m, 0)) for m in modules if counts.get(m, 0) < baseline.get(m, 0)}
    return dict(sorted(grown.items())), dict(sorted(shrunk.items()))


def per_app(counts):
    totals = Counter()
    for module, number in counts.items():
        totals[module.split("/", 1)[0]] += number
    return ", ".join(f"{app} {number}" for app, number in sorted(totals.items())) or "none"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="write the current counts as the baseline")
    arguments = parser.parse_args()

    errors = run_mypy()
    counts = count(errors)
    if arguments.update:
        BASELINE.write_text(json.dumps(dict(sorted(counts.items())), indent=2) + "\n")
        print(f"Wrote {BASELINE.relative_to(ROOT)}: {sum(counts.values())} errors ({per_app(counts)}).")
        return 0

    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    grown, shrunk = compare(counts, baseline)
    print(f"mypy: {sum(counts.values())} errors, baseline {sum(baseline.values())} (per app: {per_app(counts)}).")
    for module, (before, now) in shrunk.items():
        print(f"  {module}: {before} -> {now}. Well done: lower the baseline with {Path(__file__).name} --update.")
    if grown:
        print("\nMore type errors than the baseline allows (fix them; the baseline only goes down):")
        for module, (before, now) in grown.items():
            print(f"\n{module}: {now} errors, baseline {before}")
            for line in errors:
                if line.startswith(f"{module}:"):
                    print(f"  {line}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
