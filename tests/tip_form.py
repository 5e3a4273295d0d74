"""The citizens' tip form as the tests fill it in: a valid report, and posting one with the test client."""

TEXT = "群里说明天全市停水三天，大家赶紧囤水！"


def valid_data(**overrides):
    """What a citizen posts for a valid tip (no screenshot, link or date), with ``overrides``."""
    return {"text": TEXT, "platform": "wechat_group", "seen_on": "", "link": "", **overrides}


def post_tip(client, prefix="", **extra):
    """Post a valid tip to the form at ``prefix`` ("" in Chinese, "/en"); ``extra`` goes into the request
    (``REMOTE_ADDR=...``, ``HTTP_X_FORWARDED_FOR=...``)."""
    return client.post(f"{prefix}/tips/new/", valid_data(), **extra)
