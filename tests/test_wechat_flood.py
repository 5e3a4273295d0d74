"""The WeChat channel on a real server: concurrent messages and WeChat's retries of them, against 4
gunicorn workers on SQLite, each answered once, alike, and with no tip made twice."""

import pytest

from benchmarks.wechat_flood import run

pytestmark = pytest.mark.subprocess


def test_concurrent_messages_and_their_retries_are_answered_alike_and_make_each_tip_once(tmp_path):
    figures = run(messages=30, threads=8, workers=4, data_dir=tmp_path)
    assert figures["errors"] == 0
    assert figures["answered"] == figures["sent"] == 45
    assert figures["matched"] == figures["expected_matched"] == 10
    assert figures["tips"] == figures["expected_tips"] == 20
    assert figures["retries_answered_alike"] == figures["retries"] == 15
