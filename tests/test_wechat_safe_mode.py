"""Safe (encrypted) mode of the official account, against an independent implementation of WeChat's
WXBizMsgCrypt scheme: the ``wechatpy`` SDK seals what WeChat would send and opens what the site replies."""

import base64
import secrets
import time
from urllib.parse import urlencode

import pytest
from defusedxml.ElementTree import fromstring
from wechatpy.crypto import WeChatCrypto

from tips.intake.wechat.crypto import MessageCrypto, msg_signature
from tips.models import Tip, WeChatMessage

from .test_settings import run_settings
from .wechat_simulator import ACCOUNT, TOKEN, sign, xml_message

pytestmark = pytest.mark.django_db

APP_ID = "wx49f0ab532d5d035a"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")  # 43 characters, as the account shows it
RUMOR = "紧急通知！明天起全市停水三天，请大家转发给家人。"


@pytest.fixture(autouse=True)
def safe_mode(settings):
    settings.WECHAT_TOKEN = TOKEN
    settings.WECHAT_ACCOUNT_ID = ACCOUNT
    settings.WECHAT_APP_ID = APP_ID
    settings.WECHAT_ENCODING_AES_KEY = AES_KEY
    settings.TIPS_RATE = "5/10m"


@pytest.fixture
def sdk():
    return WeChatCrypto(TOKEN, AES_KEY, APP_ID)


def post(client, body, *, encrypt_type="aes", msg_signature_given=None, timestamp=None, nonce=None, envelope=None):
    """POST ``body`` as WeChat does, the query string signed; ``envelope`` is the SDK's sealed output."""
    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or secrets.token_hex(5)
    query = {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, "openid": "o1"}
    if encrypt_type:
        query["encrypt_type"] = encrypt_type
        query["msg_signature"] = msg_signature_given or fromstring(envelope).findtext("MsgSignature")
    return client.post(f"/wechat/?{urlencode(query)}", data=body, content_type="text/xml"), nonce


def sealed_by_wechat(sdk, plain, *, compatible=False):
    """What WeChat posts in safe mode (ToUserName and Encrypt) or compatible mode (the plain fields too)."""
    nonce, timestamp = secrets.token_hex(5), str(int(time.time()))
    envelope = sdk.encrypt_message(plain, nonce, timestamp)
    encrypt = fromstring(envelope).findtext("Encrypt")
    if compatible:
        body = plain.replace("</xml>", f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>")
    else:
        body = f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    return body, envelope, nonce, timestamp


def test_an_encrypted_message_becomes_a_tip_and_the_reply_is_sealed_for_wechat(client, sdk):
    plain = xml_message("text", openid="oSafeSender01", msg_id=7001, Content=RUMOR)
    body, envelope, nonce, timestamp = sealed_by_wechat(sdk, plain)
    response, _nonce = post(client, body, envelope=envelope, nonce=nonce, timestamp=timestamp)
    assert response.status_code == 200
    reply = fromstring(response.content)
    assert reply.findtext("Content") is None  # nothing in clear
    opened = sdk.decrypt_message(
        response.content.decode(), reply.findtext("MsgSignature"), reply.findtext("TimeStamp"), nonce
    )
    inner = fromstring(opened)
    tip = Tip.objects.get()
    assert tip.code in inner.findtext("Content")
    assert inner.findtext("ToUserName") == "oSafeSender01"
    assert inner.findtext("FromUserName") == ACCOUNT
    assert WeChatMessage.objects.get().msg_id == "7001"


def test_in_compatible_mode_the_encrypted_copy_is_the_one_read(client, sdk):
    plain = xml_message("text", openid="oSafeSender02", msg_id=7002, Content=RUMOR)
    body, envelope, nonce, timestamp = sealed_by_wechat(sdk, plain, compatible=True)
    # The plain copy altered on the way: the signed, encrypted one wins.
    body = body.replace(RUMOR, "群里说今晚地铁全线停运", 1)
    response, _nonce = post(client, body, envelope=envelope, nonce=nonce, timestamp=timestamp)
    assert response.status_code == 200
    assert Tip.objects.get().text == RUMOR


def test_compatible_mode_without_keys_keeps_working_in_clear(client, sdk, settings):
    settings.WECHAT_APP_ID = settings.WECHAT_ENCODING_AES_KEY = ""
    plain = xml_message("text", openid="oSafeSender03", msg_id=7003, Content=RUMOR)
    body, envelope, nonce, timestamp = sealed_by_wechat(sdk, plain, compatible=True)
    response, _nonce = post(client, body, envelope=envelope, nonce=nonce, timestamp=timestamp)
    assert response.status_code == 200
    assert Tip.objects.get().code in fromstring(response.content).findtext("Content")


def test_plain_mode_still_works_with_keys_set(client):
    response, _nonce = post(client, xml_message("text", openid="o4", msg_id=7004, Content=RUMOR), encrypt_type="")
    assert response.status_code == 200
    assert Tip.objects.count() == 1


def test_a_bad_msg_signature_is_refused_as_not_from_wechat(client, sdk):
    body, _envelope, nonce, timestamp = sealed_by_wechat(
        sdk, xml_message("text", openid="o5", msg_id=7005, Content=RUMOR)
    )
    response, _nonce = post(client, body, msg_signature_given="0" * 40, nonce=nonce, timestamp=timestamp)
    assert response.status_code == 403
    assert Tip.objects.count() == 0


def for_another_app(_encrypt):
    """A message sealed with the right key for another account's AppID."""
    envelope = WeChatCrypto(TOKEN, AES_KEY, "wx0000000000000000").encrypt_message("<xml/>", "n", "1")
    return fromstring(envelope).findtext("Encrypt")


@pytest.mark.parametrize(
    "make_encrypt",
    [
        lambda encrypt: encrypt[:-8] + "AAAAAAA=",  # the last block changed: its padding is wrong
        lambda _encrypt: "not base64!",
        lambda _encrypt: base64.b64encode(b"x" * 20).decode(),  # not whole AES blocks
        for_another_app,
    ],
    ids=["bad-padding", "not-base64", "partial-block", "another-appid"],
)
def test_envelopes_that_do_not_open_are_refused_without_an_error(client, make_encrypt):
    nonce, timestamp = "abc", str(int(time.time()))
    encrypt = make_encrypt(MessageCrypto(token=TOKEN, encoding_aes_key=AES_KEY, app_id=APP_ID).encrypt(b"<xml/>"))
    body = f"<xml><ToUserName>{ACCOUNT}</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    signature = msg_signature(TOKEN, timestamp, nonce, encrypt)
    response, _nonce = post(client, body, msg_signature_given=signature, nonce=nonce, timestamp=timestamp)
    assert response.status_code == 400
    assert Tip.objects.count() == 0


def test_what_the_site_seals_the_sdk_opens_and_the_reverse():
    ours = MessageCrypto(token=TOKEN, encoding_aes_key=AES_KEY, app_id=APP_ID)
    sdk = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    for text in ["", "a", "谣" * 5, "x" * 31, "x" * 32, "y" * 1000]:
        message = f"<xml><Content><![CDATA[{text}]]></Content></xml>"
        sealed = ours.seal(message, nonce="n1", timestamp="1700000000")
        envelope = fromstring(sealed)
        assert sdk.decrypt_message(sealed, envelope.findtext("MsgSignature"), "1700000000", "n1") == message
        theirs = fromstring(sdk.encrypt_message(message, "n2", "1700000001"))
        assert ours.decrypt(theirs.findtext("Encrypt")) == message.encode()


@pytest.mark.subprocess
@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"WECHAT_APP_ID": APP_ID}, "WECHAT_APP_ID and WECHAT_ENCODING_AES_KEY go together"),
        ({"WECHAT_APP_ID": "wx123", "WECHAT_ENCODING_AES_KEY": AES_KEY}, "WECHAT_APP_ID must look like wx"),
        ({"WECHAT_APP_ID": APP_ID, "WECHAT_ENCODING_AES_KEY": AES_KEY + "="}, "43-character EncodingAESKey"),
        ({"WECHAT_APP_ID": APP_ID, "WECHAT_ENCODING_AES_KEY": AES_KEY[:-1] + "!"}, "43-character EncodingAESKey"),
    ],
)
def test_the_safe_mode_settings_are_parsed_strictly(environment, message):
    result = run_settings(DEBUG="true", **environment)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.subprocess
def test_good_safe_mode_settings_start():
    assert run_settings(DEBUG="true", WECHAT_APP_ID=APP_ID, WECHAT_ENCODING_AES_KEY=AES_KEY).returncode == 0
