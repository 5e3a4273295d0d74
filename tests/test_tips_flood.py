"""No tip is ever lost: 200 concurrent tips against 4 gunicorn workers on SQLite are all stored,
and the rate limit holds across those worker processes."""

import pytest

from benchmarks.tip_flood import run

pytestmark = pytest.mark.subprocess


def test_two_hundred_concurrent_tips_are_all_answered_and_stored_and_the_limit_holds_across_workers(tmp_path):
    flood = run(tips=200, threads=32, workers=4, data_dir=tmp_path)
    assert flood["errors"] == 0
    assert flood["answered"] == 200
    assert flood["accepted"] == 200
    assert flood["stored"] == 200
    assert flood["screenshots"] == flood["screenshot_files"] == 100

    # Same server setup, now with a limit: four worker processes share one counter.
    limited = run(tips=60, threads=16, workers=4, rate="20/1h", screenshots=False, data_dir=tmp_path)
    assert limited["errors"] == 0
    assert limited["accepted"] == 20
    assert limited["rate_limited"] == 40
    assert limited["stored"] == 20
