"""A chosen screenshot survives a tip form sent back, for its own browser only, and is purged after a while."""

import os
import re
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from core.storage import private_storage
from tips.intake import uploads
from tips.models import ScreenshotCheck, ScreenshotReading, Tip

from .tips_images import image_bytes, upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
NEW = "/en/tips/new/"


def valid_data(**overrides):
    return {"text": "群里说明天全市停水三天，大家赶紧囤水！", "platform": "wechat_group", **overrides}


def kept_token(page):
    found = re.search(r'name="kept_screenshot" value="([^"]+)"', page)
    return found.group(1) if found else None


def kept_files(private_root):
    folder = private_root / uploads.KEPT_FOLDER
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_screenshot_sent_with_a_mistake_is_kept_and_sent_with_the_corrected_report(client, private_root):
    page = client.post(NEW, valid_data(text="停", screenshot=upload("shot.png"))).text
    assert "Your screenshot is kept: shot.png (" in page
    assert "Remove it: send the report without this screenshot" in page
    token = kept_token(page)
    assert token
    assert len(kept_files(private_root)) == 1

    response = client.post(NEW, valid_data(kept_screenshot=token))
    assert response.status_code == 302
    tip = Tip.objects.get()
    assert tip.screenshot.name.startswith("tips/")
    assert private_storage().exists(tip.screenshot.name)
    # The kept copy went with the tip.
    assert kept_files(private_root) == []
    receipt = client.get(response["Location"]).text
    assert "Your screenshot was received." in receipt


def test_every_field_error_keeps_the_picture_and_the_words(client):
    data = valid_data(seen_on="2999-01-01", link="nonsense", contact_email="nobody", screenshot=upload("a.png"))
    page = client.post(NEW, data).text
    assert "Your screenshot is kept: a.png" in page
    assert "群里说明天全市停水三天，大家赶紧囤水！</textarea>" in page
    assert 'value="nonsense"' in page
    assert 'value="nobody"' in page


def test_the_kept_screenshot_can_be_removed(client, private_root):
    token = kept_token(client.post(NEW, valid_data(text="停", screenshot=upload())).text)
    response = client.post(NEW, valid_data(kept_screenshot=token, remove_screenshot="1"))
    assert response.status_code == 302
    assert Tip.objects.get().screenshot == ""
    assert kept_files(private_root) == []
    assert "None attached" in client.get(response["Location"]).text


def test_a_new_file_replaces_the_kept_one(client, private_root):
    token = kept_token(client.post(NEW, valid_data(text="停", screenshot=upload("first.png"))).text)
    page = client.post(NEW, valid_data(text="停", kept_screenshot=token, screenshot=upload("second.png"))).text
    assert "Your screenshot is kept: second.png" in page
    assert len(kept_files(private_root)) == 1


def test_a_refused_new_file_leaves_the_kept_one_in_place(client):
    token = kept_token(client.post(NEW, valid_data(text="停", screenshot=upload("good.png"))).text)
    page = client.post(NEW, valid_data(kept_screenshot=token, screenshot=upload("bad.png", b"not a picture"))).text
    assert "This file is not a picture we can read" in page
    assert "Your screenshot is kept: good.png" in page
    assert "The screenshot you chose (bad.png) was not attached" in page


def test_another_browser_cannot_attach_a_kept_screenshot(client, private_root):
    token = kept_token(client.post(NEW, valid_data(text="停", screenshot=upload())).text)
    stranger = Client()
    stranger.get(NEW)
    response = stranger.post(NEW, valid_data(kept_screenshot=token))
    assert response.status_code == 302
    assert Tip.objects.get().screenshot == ""
    # It is still the first browser's.
    assert len(kept_files(private_root)) == 1


@pytest.mark.parametrize("token", ["forged", "kept/../../etc/passwd", ""])
def test_a_forged_token_attaches_nothing(client, token):
    client.get(NEW)
    assert client.post(NEW, valid_data(kept_screenshot=token)).status_code == 302
    assert Tip.objects.get().screenshot == ""


def test_a_token_past_its_hour_attaches_nothing(client, monkeypatch):
    token = kept_token(client.post(NEW, valid_data(text="停", screenshot=upload())).text)
    later = time.time() + uploads.KEPT_FOR.total_seconds() + 60
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    client.post(NEW, valid_data(kept_screenshot=token))
    assert Tip.objects.get().screenshot == ""


def test_a_kept_screenshot_gone_before_the_report_is_sent_is_said_on_the_receipt(client, private_root):
    token = kept_token(client.post(NEW, valid_data(text="停", screenshot=upload())).text)
    for path in kept_files(private_root):
        path.unlink()  # purged meanwhile (kept an hour)
    receipt = client.post(NEW, valid_data(kept_screenshot=token), follow=True).text
    assert Tip.objects.get().screenshot == ""
    assert "the one kept for you was no longer here" in receipt


def test_a_kept_screenshot_is_not_decoded_or_counted_again(client, settings):
    settings.TIPS_RATE = "2/10m"
    token = kept_token(client.post(NEW, valid_data(text="停", screenshot=upload())).text)  # counted: decoded
    page = client.post(NEW, valid_data(text="停", kept_screenshot=token)).text  # a mistake again: free
    assert client.post(NEW, valid_data(kept_screenshot=kept_token(page))).status_code == 302  # the report
    assert Tip.objects.get().screenshot


def test_old_kept_screenshots_are_purged_daily_and_whenever_another_is_kept(client, private_root):
    client.post(NEW, valid_data(text="停", screenshot=upload()))
    (old,) = kept_files(private_root)
    an_hour_ago = time.time() - uploads.KEPT_FOR.total_seconds() - 60
    os.utime(old, (an_hour_ago, an_hour_ago))
    client.post(NEW, valid_data(text="停", screenshot=upload()))
    assert old not in kept_files(private_root)
    assert len(kept_files(private_root)) == 1

    (recent,) = kept_files(private_root)
    os.utime(recent, (an_hour_ago, an_hour_ago))
    call_command("purge_tip_personal_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert kept_files(private_root) == []


def test_a_too_large_screenshot_then_a_smaller_one_sends_the_smaller_one(client):
    refused = client.post(NEW, valid_data(screenshot=upload("big.png", b"\0" * (6 * MB))))
    assert refused.status_code == 413
    assert 'name="refused_screenshot" value="big.png"' in refused.text
    response = client.post(NEW, valid_data(refused_screenshot="big.png", screenshot=upload("small.png")))
    assert response.status_code == 302
    receipt = client.get(response["Location"]).text
    assert "Your screenshot was received." in receipt
    assert "sent without a screenshot" not in receipt


def test_a_report_sent_after_a_refused_screenshot_without_one_says_so_on_its_receipt(client):
    response = client.post(NEW, valid_data(refused_screenshot="big.png"))
    receipt = client.get(response["Location"]).text
    assert "It was sent without a screenshot: big.png could not be taken." in receipt
    assert "None attached" in receipt


# --- "Report this rumor" from a screenshot check ------------------------------------------------


@pytest.fixture
def read_check(private_root):
    name = private_storage().save("checks/seen.png", upload("seen.png"))
    return ScreenshotCheck.objects.create(
        image=name, reading=ScreenshotReading.READ, text="下周一开始全市中小学放假两周", read_at=timezone.now()
    )


def test_report_it_from_a_check_that_matched_nothing_carries_the_picture(client, read_check):
    result = client.get(f"/en/check/{read_check.pk}/").text
    assert f'name="check" value="{read_check.pk}"' in result
    assert "Your screenshot goes with the report" in result
    form = client.post("/en/tips/new/from-search/", {"text": read_check.text, "check": str(read_check.pk)}).text
    assert "Your screenshot is kept: the screenshot you checked" in form
    assert "It is the picture you checked." in form
    assert "下周一开始全市中小学放假两周</textarea>" in form
    response = client.post(NEW, valid_data(text=read_check.text, kept_screenshot=kept_token(form)))
    assert response.status_code == 302
    tip = Tip.objects.get()
    assert tip.screenshot
    assert private_storage().exists(tip.screenshot.name)
    with private_storage().open(tip.screenshot.name) as file:
        assert file.read() == image_bytes()  # the re-encoded picture the check held
    # The check's own picture was lent, not copied: it went with the tip.
    assert not private_storage().exists(read_check.image)


def test_report_it_again_and_again_writes_nothing(client, read_check, private_root):
    for _ in range(3):
        form = client.post("/en/tips/new/from-search/", {"text": read_check.text, "check": str(read_check.pk)})
        assert "Your screenshot is kept" in form.text
    assert kept_files(private_root) == []


@pytest.mark.parametrize("check_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_report_it_with_an_unknown_check_is_the_plain_prefilled_form(client, check_id):
    form = client.post("/en/tips/new/from-search/", {"text": "下周一开始全市中小学放假两周", "check": check_id})
    assert form.status_code == 200
    assert "Your screenshot is kept" not in form.text


def test_a_check_picture_is_removed_an_hour_after_its_reading(client, read_check):
    from tips.intake.checks import remove_read_check_pictures

    assert remove_read_check_pictures() == 0
    ScreenshotCheck.objects.filter(pk=read_check.pk).update(read_at=timezone.now() - timedelta(hours=2))
    assert remove_read_check_pictures() == 1
    assert not private_storage().exists(read_check.image)
    result = client.get(f"/en/check/{read_check.pk}/").text
    assert 'name="check"' not in result


# --- The receipt ------------------------------------------------------------------------------------


def test_the_receipt_confirms_the_screenshot_and_the_masked_address_to_write_to(client):
    response = client.post(NEW, valid_data(contact_email="citizen@example.com", screenshot=upload()))
    receipt = client.get(response["Location"]).text
    assert "Your screenshot was received." in receipt
    assert "We will e-mail you at c***@example.com when we answer." in receipt
    assert "citizen@example.com" not in receipt
    assert 'data-copy-code="' + Tip.objects.get().code + '"' in receipt
    assert "Copy the code" in receipt


def test_the_chinese_receipt_uses_chinese_punctuation(client):
    response = client.post("/tips/new/", valid_data(seen_on="2026-12-05"))
    receipt = client.get(response["Location"]).text
    facts = receipt.split('class="tip-facts"', 1)[1].split("</dl>", 1)[0]
    assert "微信群，<time" in facts
    assert ", " not in re.sub(r"<[^>]+>", "", facts)


def test_a_body_of_many_files_passes_no_more_than_one_screenshot_to_disk():
    guard = uploads.ScreenshotSizeGuard(max_bytes=100)
    passed = []
    for name in ("a.png", "b.png", "c.png"):
        guard.new_file("screenshot", name, "image/png", 1000)
        passed += [guard.receive_data_chunk(b"x" * 40, 0)]
        result = guard.file_complete(40)
        assert (result is None) == (name != "c.png")
    assert passed[:2] == [b"x" * 40, b"x" * 40]
    assert passed[2] is None
