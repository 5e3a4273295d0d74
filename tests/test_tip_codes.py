"""A tip's code is drawn again when it is taken, a bounded number of times (tips.intake.receive)."""

import pytest
from django.db import IntegrityError

from tips.intake import receive
from tips.models import Tip

pytestmark = pytest.mark.django_db


def draws(monkeypatch, *codes):
    remaining = list(codes)
    monkeypatch.setattr(receive, "new_tip_code", lambda: remaining.pop(0))


def test_a_taken_code_is_drawn_again(monkeypatch):
    draws(monkeypatch, "T-AAAA-AAAA", "T-AAAA-AAAA", "T-BBBB-BBBB")
    first = receive.tip_submit(text="网传明天全市停水", platform="wechat_group")
    second = receive.tip_submit(text="网传地铁停运三天", platform="wechat_group")
    assert (first.code, second.code) == ("T-AAAA-AAAA", "T-BBBB-BBBB")
    assert Tip.objects.count() == 2


def test_after_the_last_attempt_the_error_reaches_the_caller(monkeypatch):
    draws(monkeypatch, *["T-AAAA-AAAA"] * (receive.CODE_ATTEMPTS + 1))
    receive.tip_submit(text="网传明天全市停水", platform="wechat_group")
    with pytest.raises(IntegrityError):
        receive.tip_submit(text="网传地铁停运三天", platform="wechat_group")
    assert Tip.objects.count() == 1
