"""Each kind of message a citizen sends the official account gets the right reply: forwarded articles,
voice, the menu's buttons, pictures, long texts, and openings that fit every verdict."""

import re
import secrets
import time

import pytest
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto

from tips.intake.wechat import replies
from tips.models import TEXT_MAX_LENGTH, Tip, WeChatMessage

from .factories import ClarificationFactory
from .test_wechat import chinese
from .test_wechat_safe_mode import AES_KEY, APP_ID, sealed_by_wechat
from .test_wechat_safe_mode import post as post_sealed
from .wechat_simulator import ACCOUNT, TOKEN, WeChat, xml_message

pytestmark = pytest.mark.django_db

CODE = re.compile(r"T-[0-9A-Z]{4}-[0-9A-Z]{4}")
ARTICLE_URL = "http://mp.weixin.qq.com/s?__biz=MzA3MDM3NjE5NQ==&mid=2650&idx=1&sn=5d0b"


@pytest.fixture(autouse=True)
def wechat_settings(settings):
    settings.WECHAT_TOKEN = TOKEN
    settings.WECHAT_ACCOUNT_ID = ACCOUNT
    settings.WECHAT_PICTURE_HOSTS = ["mmbiz.qpic.cn"]
    settings.TIPS_RATE = "20/10m"


@pytest.fixture
def wechat(client):
    return WeChat(client)


@pytest.fixture
def water():
    return ClarificationFactory(
        title="“全市停水三天”系谣言",
        claim="明天起全市停水三天，请大家转发给家人",
        truth="自来水公司只在部分街道做例行检修，停水不超过四小时。",
        verdict="false",
    )


@pytest.fixture
def vaccine_true():
    return ClarificationFactory(
        title="“65岁以上老人免费接种流感疫苗”属实",
        claim="本市65岁以上老人今年可以免费接种流感疫苗",
        truth="市卫健委确认：65岁以上户籍老人在社区卫生服务中心可免费接种。",
        verdict="true",
    )


def link_message(openid, *, title, description, url=ARTICLE_URL, msg_id=1234567890123456):
    """A link message as WeChat's documentation writes it (a forwarded article)."""
    return (
        "<xml><ToUserName><![CDATA[" + ACCOUNT + "]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[link]]></MsgType>"
        f"<Title><![CDATA[{title}]]></Title><Description><![CDATA[{description}]]></Description>"
        f"<Url><![CDATA[{url}]]></Url><MsgId>{msg_id}</MsgId></xml>"
    )


# --- forwarded articles -------------------------------------------------------------------------


def test_a_forwarded_article_is_matched_by_its_title_and_description(wechat, water):
    body = link_message(wechat.openid, title="紧急通知！明天起全市停水三天", description="请大家转发给家人，提前囤水")
    reply = wechat.post(body)
    assert reply.status == 200
    assert reply.text.startswith(chinese("We have checked what this message says:"))
    assert water.title in reply.text
    assert water.get_absolute_url() in reply.text
    assert Tip.objects.count() == 0
    assert WeChatMessage.objects.get().kind == "link"


def test_a_forwarded_article_matching_nothing_becomes_a_tip_with_its_link(wechat, water):
    body = link_message(wechat.openid, title="下周一全市中小学放假两周", description="教育局刚发的通知，速转")
    reply = wechat.post(body)
    tip = Tip.objects.get()
    assert tip.code in reply.text
    assert tip.text == "下周一全市中小学放假两周\n教育局刚发的通知，速转"
    assert tip.link == ARTICLE_URL


@pytest.mark.parametrize("url", ["javascript:alert(1)", "http://example.com/" + "x" * 600, ""])
def test_an_article_address_a_tip_cannot_keep_is_left_out_not_an_error(wechat, url):
    reply = wechat.post(link_message(wechat.openid, title="下周一全市中小学放假两周", description="速转", url=url))
    assert reply.status == 200
    assert Tip.objects.get().link == ""


# --- voice ----------------------------------------------------------------------------------------


def test_a_voice_message_is_matched_by_what_wechat_recognised_in_it(wechat, water):
    reply, _msg_id = wechat.send(
        "voice", MediaId="media1", Format="amr", Recognition="明天起全市停水三天，请大家转发给家人。"
    )
    assert reply.text.startswith(chinese("We have checked what this message says:"))
    assert water.title in reply.text


def test_a_voice_message_matching_nothing_becomes_a_tip_of_its_words(wechat):
    reply, _msg_id = wechat.send("voice", MediaId="media2", Format="amr", Recognition="听说下周一全市中小学放假两周")
    assert Tip.objects.get().text == "听说下周一全市中小学放假两周"
    assert Tip.objects.get().code in reply.text


def test_a_voice_message_without_recognition_is_asked_for_words(wechat):
    reply, _msg_id = wechat.send("voice", MediaId="media3", Format="amr")
    assert reply.text == chinese(
        "We cannot listen to voice messages. Please type the words of the message, or send a screenshot."
    )
    assert Tip.objects.count() == 0


def test_other_kinds_are_told_what_can_be_read(wechat):
    reply, _msg_id = wechat.send("video", MediaId="media4", ThumbMediaId="thumb")
    assert reply.text == chinese(
        "We can only read words, articles and pictures. Please send the text of the message, forward the "
        "article, or send a screenshot of it."
    )


# --- the menu -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (replies.MENU_REPORT_RUMOR, "To report a rumor, send us the message as you saw it"),
        (replies.MENU_CHECK_MESSAGE, "To check a message, send us its words or forward the article"),
    ],
)
def test_a_menu_button_is_answered_with_what_to_send(wechat, key, expected):
    reply = wechat.post(xml_message("event", openid=wechat.openid, Event="CLICK", EventKey=key))
    assert reply.status == 200
    assert reply.text == chinese_prefix(expected)
    assert Tip.objects.count() == 0


def chinese_prefix(english_start):
    """The Chinese of the menu reply whose English starts with ``english_start``."""
    for message in (
        "To report a rumor, send us the message as you saw it: its words, the article forwarded, or a "
        "screenshot. You will get a code to follow your report.",
        "To check a message, send us its words or forward the article: if we have checked it, our answer "
        "comes at once. A screenshot is read, usually within a minute; its answer is then on a page we link to.",
    ):
        if message.startswith(english_start):
            return chinese(message)
    raise AssertionError(english_start)


@pytest.mark.parametrize(
    "fields",
    [{"Event": "CLICK", "EventKey": "SOMETHING_ELSE"}, {"Event": "VIEW", "EventKey": "https://example.com/page"}],
)
def test_other_menu_events_get_no_reply(wechat, fields):
    reply = wechat.post(xml_message("event", openid=wechat.openid, **fields))
    assert (reply.status, reply.body) == (200, "success")


# --- pictures and long texts ------------------------------------------------------------------------


def test_a_picture_s_sender_is_told_where_the_answer_will_be_and_how_long_it_usually_takes(wechat):
    reply = wechat.image("http://mmbiz.qpic.cn/mmbiz_jpg/abc/0")
    tip = Tip.objects.get()
    assert reply.text.startswith(
        chinese(
            "We have received your picture. Its code is %(code)s. We read its words and show the clarifications "
            "that match them on its page, usually within a minute; our staff look at it too. Follow it here:",
            code=tip.code,
        )
    )
    assert reply.text.endswith(tip.get_absolute_url())


def test_a_text_longer_than_a_tip_holds_is_kept_up_to_the_limit_and_the_reply_says_it_was_cut(wechat):
    text = "下周一全市中小学放假两周。" * 200  # 2,600 characters
    reply = wechat.text(text)
    tip = Tip.objects.get()
    assert tip.text == text[:TEXT_MAX_LENGTH]
    assert reply.text.startswith(
        chinese("Your message was longer than %(limit)s characters: we kept its first %(limit)s.", limit=2000)
    )
    assert tip.code in reply.text
    assert reply.text.endswith(tip.get_absolute_url())


def test_a_text_within_the_limit_says_nothing_about_a_cut(wechat):
    reply = wechat.text("下周一全市中小学放假两周。" * 100)
    assert "2000" not in reply.text


# --- openings that fit every verdict --------------------------------------------------------------


def test_a_true_claim_is_not_answered_as_a_debunked_rumor(wechat, vaccine_true):
    reply = wechat.text("本市65岁以上老人今年可以免费接种流感疫苗")
    assert reply.text.startswith(chinese("We have checked what this message says:"))
    assert "辟谣" not in reply.text
    assert "谣言" not in reply.text
    assert "【属实】" in reply.text


def test_a_report_joining_an_answered_rumor_opens_with_words_that_fit_every_verdict():
    clarification = ClarificationFactory(verdict="true")
    tip = Tip(code="T-ABCD-EFGH", status="answered", clarification=clarification)
    reply = replies.tip_reply(tip, site_url="https://piyao.example/")
    assert reply.startswith(chinese("Your report %(code)s is about a message we have already checked:", code=tip.code))
    assert "辟谣" not in reply.split("\n")[0]


# --- safe mode --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("msg_type", "fields"),
    [
        ("link", {"Title": "下周一全市中小学放假两周", "Description": "速转", "Url": ARTICLE_URL}),
        ("voice", {"MediaId": "m", "Format": "amr", "Recognition": "听说下周一全市中小学放假两周"}),
    ],
)
def test_articles_and_voice_work_in_safe_mode(client, settings, msg_type, fields):
    settings.WECHAT_APP_ID, settings.WECHAT_ENCODING_AES_KEY = APP_ID, AES_KEY
    sdk = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    plain = xml_message(msg_type, openid="oSafeSender09", msg_id=secrets.randbelow(10**12), **fields)
    body, envelope, nonce, timestamp = sealed_by_wechat(sdk, plain)
    response, _nonce = post_sealed(client, body, envelope=envelope, nonce=nonce, timestamp=timestamp)
    assert response.status_code == 200
    sealed = fromstring(response.content)
    opened = fromstring(
        sdk.decrypt_message(
            response.content.decode(), sealed.findtext("MsgSignature"), sealed.findtext("TimeStamp"), nonce
        )
    )
    tip = Tip.objects.get()
    assert tip.code in opened.findtext("Content")
    assert "下周一全市中小学放假两周" in tip.text


def test_replies_stay_bounded_in_queries(wechat, django_assert_max_num_queries, water):
    body = link_message(wechat.openid, title="下周一全市中小学放假两周", description="速转", msg_id=99)
    # 51 on SQLite, where each savepoint of the model's constraint checks counts as a query; fewer on PostgreSQL.
    with django_assert_max_num_queries(52):
        assert CODE.search(wechat.post(body).text)
