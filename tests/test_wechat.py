"""The WeChat official account's server URL, against a simulated WeChat (tests/wechat_simulator.py)."""

import re
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tips.intake.wechat import pictures
from tips.models import ReportStatus, Tip, TipChannel, WeChatMessage

from .factories import ClarificationFactory
from .tips_images import image_bytes
from .wechat_simulator import ACCOUNT, TOKEN, PictureServer, WeChat, xml_message

pytestmark = pytest.mark.django_db

RUMOR = "紧急通知！明天起全市停水三天，请大家转发给家人。"


@pytest.fixture(autouse=True)
def wechat_settings(settings):
    settings.WECHAT_TOKEN = TOKEN
    settings.WECHAT_ACCOUNT_ID = ACCOUNT
    settings.WECHAT_PICTURE_HOSTS = ["127.0.0.1"]
    settings.TIPS_RATE = "5/10m"


@pytest.fixture
def wechat(client):
    return WeChat(client)


def chinese(message, **params):
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return text % params if params else text


@pytest.fixture
def water():
    return ClarificationFactory(
        title="“全市停水三天”系谣言",
        claim="明天起全市停水三天，请大家转发给家人",
        truth="自来水公司只在部分街道做例行检修，停水不超过四小时。",
        verdict="false",
    )


# --- the server URL check and the signature ---------------------------------------------------


def test_the_url_check_echoes_the_echostr_when_signed_with_the_token(wechat):
    response, echostr = wechat.verify_url()
    assert response.status_code == 200
    assert response.content.decode() == echostr


def test_a_bad_signature_is_refused_and_nothing_is_stored(wechat):
    response, _echostr = wechat.verify_url(signature="0" * 40)
    assert response.status_code == 403
    forged = WeChat(wechat.client, token="not-the-token")
    reply, _msg_id = forged.send("text", Content=RUMOR)
    assert reply.status == 403
    assert Tip.objects.count() == 0
    assert WeChatMessage.objects.count() == 0


def test_an_old_request_is_refused_as_a_replay(wechat):
    body = xml_message("text", openid=wechat.openid, msg_id=42, Content=RUMOR)
    reply = wechat.post(body, timestamp=int(time.time()) - 3600)
    assert reply.status == 403
    assert Tip.objects.count() == 0


def test_without_a_token_the_channel_does_not_exist(settings, wechat):
    settings.WECHAT_TOKEN = ""
    assert wechat.verify_url()[0].status_code == 404


def test_a_message_for_another_account_is_refused(wechat):
    body = xml_message("text", openid=wechat.openid, msg_id=43, Content=RUMOR).replace(ACCOUNT, "gh_someone_else")
    assert wechat.post(body).status == 403
    assert Tip.objects.count() == 0


# --- bodies that are not messages -------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "<xml><ToUserName>",
        "not xml at all",
        "<html><body>hello</body></html>",
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<xml><ToUserName>gh_0a1b2c3d4e5f</ToUserName><FromUserName>o1</FromUserName>"
        "<MsgType>text</MsgType><Content>&b;&b;&b;</Content><MsgId>1</MsgId></xml>",
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
        "<xml><ToUserName>gh_0a1b2c3d4e5f</ToUserName><FromUserName>o1</FromUserName>"
        "<MsgType>text</MsgType><Content>&secret;</Content><MsgId>2</MsgId></xml>",
        "<xml><ToUserName><![CDATA[gh_0a1b2c3d4e5f]]></ToUserName><Encrypt><![CDATA[c2VjcmV0]]></Encrypt></xml>",
    ],
    ids=["truncated", "text", "other-root", "entity-expansion", "external-entity", "encrypted-only"],
)
def test_malformed_or_hostile_xml_is_refused_cleanly(wechat, body):
    reply = wechat.post(body)
    assert reply.status == 400
    assert "root:" not in reply.body
    assert Tip.objects.count() == 0
    assert WeChatMessage.objects.count() == 0


def test_a_signature_that_is_not_ascii_is_refused_not_an_error(client):
    client.raise_request_exception = False
    assert client.get("/wechat/?signature=%E4%B8%AD&timestamp=1&nonce=1").status_code == 403
    assert client.get("/wechat/?signature=a&timestamp=%D9%A1&nonce=1").status_code == 403


@pytest.mark.parametrize("encoding", ["x-evil", "utf-16", "gbk"])
def test_a_message_declaring_another_encoding_than_utf8_is_refused(client, wechat, encoding):
    client.raise_request_exception = False
    body = f'<?xml version="1.0" encoding="{encoding}"?>' + xml_message(
        "text", openid=wechat.openid, msg_id=45, Content=RUMOR
    )
    assert wechat.post(body).status == 400
    assert Tip.objects.count() == 0
    assert WeChatMessage.objects.count() == 0


def test_a_message_declaring_utf8_is_answered(wechat):
    body = '<?xml version="1.0" encoding="UTF-8"?>' + xml_message(
        "text", openid=wechat.openid, msg_id=46, Content=RUMOR
    )
    assert wechat.post(body).status == 200
    assert Tip.objects.count() == 1


@pytest.mark.parametrize(
    "fields",
    [{"msg_id": "1" * 80}, {"msg_type": "x" * 50}, {"msg_id": "12 34"}, {"openid": "o" * 65}, {"openid": "o\u00e9"}],
    ids=["long-msgid", "long-msgtype", "msgid-with-space", "long-openid", "openid-not-ascii"],
)
def test_fields_no_wechat_message_has_are_refused_before_the_database(client, wechat, fields):
    client.raise_request_exception = False
    body = xml_message(
        fields.get("msg_type", "text"),
        openid=fields.get("openid", wechat.openid),
        msg_id=fields.get("msg_id", 47),
        Content=RUMOR,
    )
    assert wechat.post(body).status == 400
    assert Tip.objects.count() == 0
    assert WeChatMessage.objects.count() == 0


@pytest.mark.parametrize(
    "pic_url",
    [
        "http://127.0.0.1 @mmbiz.qpic.cn:8765/x",
        "http://user:secret@mmbiz.qpic.cn/x",
        "http://mmbiz.qpic.cn\\@127.0.0.1/x",
        "http://mmbiz.qpic.cn/a\tb",
        "http://mmbiz.qpic.cn:99999/x",
        "http://mmbiz.qpic.cn:80x/x",
        "http:///x",
    ],
)
def test_a_picture_address_that_is_not_a_plain_url_is_refused(client, settings, wechat, pic_url):
    settings.WECHAT_PICTURE_HOSTS = ["mmbiz.qpic.cn"]
    client.raise_request_exception = False
    assert wechat.image(pic_url).status == 400
    assert Tip.objects.count() == 0
    assert WeChatMessage.objects.count() == 0
    assert not pictures.allowed(pic_url)


def test_a_plain_picture_address_on_an_allowed_host_is_taken(settings, wechat):
    settings.WECHAT_PICTURE_HOSTS = ["mmbiz.qpic.cn"]
    assert pictures.allowed("http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg")
    assert pictures.allowed("https://mmbiz.qpic.cn:443/x")
    assert not pictures.allowed("ftp://mmbiz.qpic.cn/x")
    assert not pictures.allowed("http://mmbiz.qpic.cn.evil.example/x")


def test_an_oversized_body_is_refused_before_it_is_read(wechat):
    body = xml_message("text", openid=wechat.openid, msg_id=44, Content="谣" * 30_000)
    reply = wechat.post(body)
    assert reply.status == 413
    assert Tip.objects.count() == 0


# --- text messages ------------------------------------------------------------------------------


def test_a_text_matching_a_clarification_gets_its_verdict_truth_and_link(wechat, water):
    reply = wechat.text("【转发】" + RUMOR)
    assert reply.status == 200
    assert reply.field("ToUserName") == wechat.openid
    assert reply.field("FromUserName") == ACCOUNT
    assert reply.field("MsgType") == "text"
    assert "【谣言】“全市停水三天”系谣言" in reply.text
    assert "自来水公司只在部分街道做例行检修" in reply.text
    assert reply.text.endswith("http://testserver" + water.get_absolute_url())
    assert len(reply.text.encode()) <= 2048
    assert Tip.objects.count() == 0
    assert WeChatMessage.objects.get().clarification == water


def test_an_unknown_claim_becomes_a_tip_and_the_reply_gives_its_code(wechat, water):
    reply = wechat.text("网传地铁二号线下周全线停运一个月")
    tip = Tip.objects.get()
    assert (tip.text, tip.channel, tip.platform, tip.status) == (
        "网传地铁二号线下周全线停运一个月",
        TipChannel.WECHAT,
        "other",
        ReportStatus.NEW,
    )
    assert tip.client_hash
    assert wechat.openid not in tip.client_hash
    receipt = "We have received your report. Its code is %(code)s. We will check it; you can follow it here:"
    assert reply.text == chinese(receipt, code=tip.code) + "\nhttp://testserver" + tip.get_absolute_url()
    assert "编号 " + tip.code in reply.text


def test_an_unknown_claim_is_compared_with_the_open_reports_once_before_the_write_lock(monkeypatch, wechat):
    from tips.casework import grouping

    calls = []
    real = grouping.candidate_rumor_id
    monkeypatch.setattr(
        grouping, "candidate_rumor_id", lambda *args, **kwargs: calls.append(args) or real(*args, **kwargs)
    )
    wechat.text("网传地铁二号线下周全线停运一个月")
    assert Tip.objects.get().rumor_id
    assert len(calls) == 1


def test_a_retried_message_gets_the_same_answer_and_makes_no_second_tip(wechat):
    first, msg_id = wechat.send("text", Content="网传地铁二号线下周全线停运一个月")
    again, _same = wechat.send("text", Content="网传地铁二号线下周全线停运一个月", msg_id=msg_id)
    assert again.text == first.text
    assert Tip.objects.count() == 1
    other, _new = wechat.send("text", Content="网传地铁二号线下周全线停运一个月")
    assert Tip.objects.count() == 2
    assert other.text != first.text


def test_a_greeting_gets_a_hint_and_no_tip(wechat):
    reply = wechat.text("你好")
    assert reply.text == chinese("Send us the message you saw (its words or a screenshot) and we will check it.")
    assert Tip.objects.count() == 0


def test_too_many_reports_from_one_sender_are_refused_politely(settings, wechat):
    settings.TIPS_RATE = "2/10m"
    for number in range(2):
        wechat.text(f"网传第{number}条谣言的内容")
    reply = wechat.text("网传第三条谣言的内容")
    assert reply.text == chinese("You have sent many reports in a short time. Please try again later.")
    assert Tip.objects.count() == 2
    another_citizen = WeChat(wechat.client)
    code = re.search(r"T-[0-9A-Z]{4}-[0-9A-Z]{4}", another_citizen.text("网传另一位市民看到的消息").text).group()
    assert Tip.objects.filter(code=code).exists()
    assert Tip.objects.count() == 3


# --- other messages -----------------------------------------------------------------------------


def test_voice_without_words_and_other_kinds_get_a_polite_reply(wechat):
    reply, _msg_id = wechat.send("voice", MediaId="abc", Format="amr")
    expected = "We cannot listen to voice messages. Please type the words of the message, or send a screenshot."
    assert reply.text == chinese(expected)
    reply, _msg_id = wechat.send("location", Location_X="31.2", Location_Y="121.5", Scale="15", Label="上海")
    assert reply.text == chinese(
        "We can only read words, articles and pictures. Please send the text of the message, forward the "
        "article, or send a screenshot of it."
    )
    assert Tip.objects.count() == 0


def test_a_new_follower_is_welcomed_and_other_events_get_no_reply(wechat):
    welcome = wechat.post(xml_message("event", openid=wechat.openid, Event="subscribe"))
    assert "Thank you for following us" not in welcome.text
    assert welcome.text == chinese(
        "Thank you for following us. Send us a rumor you saw (its words or a screenshot) and we will check it."
    )
    menu = wechat.post(xml_message("event", openid=wechat.openid, Event="CLICK", EventKey="x"))
    assert (menu.status, menu.body) == (200, "success")


# --- pictures -----------------------------------------------------------------------------------


def test_a_picture_becomes_a_tip_at_once_and_is_fetched_after_the_reply(wechat, private_root, client):
    with PictureServer(image_bytes("JPEG", size=(300, 500), gps=True)) as server:
        reply = wechat.image(server.url)
        tip = Tip.objects.get()
        assert tip.code in reply.text
        assert server.requests == 0  # the reply did not wait for the picture
        assert (tip.pending_picture_url, tip.screenshot.name, tip.channel) == (server.url, "", TipChannel.WECHAT)
        assert "A picture (shown to our staff only)." in client.get(f"/en/tips/{tip.code}/").text
        call_command("fetch_wechat_pictures", stdout=open("/dev/null", "w"))  # noqa: SIM115
    tip.refresh_from_db()
    assert tip.pending_picture_url == ""
    assert tip.picture_fetch_error == ""
    with Image.open(private_root / tip.screenshot.name) as stored:
        assert stored.size == (300, 500)
        assert not stored.getexif()


def test_a_picture_from_a_host_that_is_not_wechats_is_not_taken(wechat):
    reply = wechat.image("http://169.254.169.254/latest/meta-data/")
    assert reply.text == chinese("We could not receive this picture. Please send it again, or send its text.")
    assert Tip.objects.count() == 0


@pytest.mark.parametrize(
    ("mode", "content", "error"),
    [
        ("ok", None, "too large"),
        ("no-length", None, "too large"),
        ("redirect", b"", "HTTP 302"),
        ("missing", b"", "HTTP 404"),
        (
            "ok",
            b"<html>not a picture</html>",
            "This file is not a picture we can read. Please attach a JPEG, PNG or WebP screenshot.",
        ),
    ],
    ids=["declared-too-large", "streamed-too-large", "redirect", "gone", "not-a-picture"],
)
def test_a_picture_that_cannot_be_fetched_is_noted_for_staff(settings, wechat, mode, content, error):
    settings.TIPS_MAX_UPLOAD_BYTES = 50_000
    with PictureServer(b"\0" * 80_000 if content is None else content, mode=mode) as server:
        wechat.image(server.url)
        tip = Tip.objects.get()
        assert pictures.fetch(tip.pk) is False
    tip.refresh_from_db()
    # Written in the site's language, for staff.
    assert chinese(error) in tip.picture_fetch_error
    assert tip.screenshot.name == ""
    assert pictures.fetch_pending() == (0, 0)


def test_a_slow_or_failing_picture_host_leaves_the_picture_pending_for_a_retry(monkeypatch, wechat):
    monkeypatch.setattr(pictures, "FETCH_DEADLINE", 0.5)
    # 200 KB at 1 KB every 0.3 s would take a minute: the fetch must give up and hang up long before.
    with PictureServer(b"\0" * 200_000, mode="slow") as server:
        wechat.image(server.url)
        assert pictures.fetch_pending() == (0, 1)
        assert server.finished.wait(30)
        assert server.sent < 50_000
    with PictureServer(b"", mode="error") as server:
        Tip.objects.update(pending_picture_url=server.url)
        assert pictures.fetch_pending() == (0, 1)
    tip = Tip.objects.get()
    assert tip.pending_picture_url
    assert not tip.picture_fetch_error


def test_the_tip_admin_says_a_picture_is_still_to_be_fetched(admin_client, wechat):
    wechat.image("http://127.0.0.1:9/picture")
    tip = Tip.objects.get()
    with translation.override("en"):
        page = admin_client.get(reverse("admin:tips_tip_change", args=[tip.pk]))
    assert "Not fetched yet: it becomes the screenshot once fetched." in page.text


def test_a_picture_tip_starts_a_draft_whose_claim_staff_type_from_the_picture(admin_client, wechat):
    wechat.image("http://127.0.0.1:9/picture")
    tip = Tip.objects.get()
    url = reverse("admin:tips_rumor_start_draft", args=[tip.rumor_id]) + f"?report={tip.pk}&kind=tip"
    with translation.override("en"):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["form"].initial["claim"] == ""
    assert tip.code in response.text


def test_a_picture_address_too_long_to_keep_is_refused_without_an_error(wechat):
    reply = wechat.image("http://127.0.0.1/" + "a" * 1200)
    assert reply.status == 200
    assert reply.text == chinese("We could not receive this picture. Please send it again, or send its text.")
    assert Tip.objects.count() == 0
