"""The benchmarks of the office's aggregates keep working as the models grow: each runs end to end at a
tiny size (a throwaway SQLite database), so a new column without a default in their bulk inserts, or a
query they time that no longer exists, fails here rather than on the day someone measures."""

import subprocess
import sys

import pytest

from .servers import REPO

pytestmark = pytest.mark.subprocess


@pytest.mark.parametrize(
    ("script", "arguments", "printed"),
    [
        ("office_bench.py", ["--count", "300", "--reports", "2000", "--repeat", "1"], "slowest median"),
        ("open_data_bench.py", ["--clarifications", "300", "--tips", "2000", "--repeat", "1"], "JSON Lines"),
    ],
)
def test_the_benchmark_runs_at_a_tiny_size(script, arguments, printed):
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), *arguments],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert printed in result.stdout
