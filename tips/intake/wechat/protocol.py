"""The official account's message protocol (公众号消息接口, plain mode): signatures, messages, replies.

- **Signature.** WeChat signs every request to the server URL: ``signature`` is the SHA-1 of the
  token, ``timestamp`` and ``nonce`` sorted as strings and joined. The token is shared with the
  account's settings and nothing else, so a valid signature proves the request came from WeChat.
- **Replay.** A signed request is valid forever in the protocol; a timestamp further than
  ``MAX_CLOCK_SKEW`` from our clock is refused, so a captured request cannot be replayed later.
  Within that window a replayed message carries its ``MsgId``, which is answered once (``replies``).
- **Messages** are small XML documents (``<xml><MsgType>…``). They are parsed with ``defusedxml``
  with DTDs forbidden: no entity expansion, no external entity, whatever the body says. A body larger
  than ``MAX_BODY_BYTES`` (real messages are under 2 KB) is refused unread.
- **Replies** are passive: the answer to the POST itself, a text message in XML, which must come
  within 5 seconds (else WeChat retries twice, then tells the user the service is unavailable).
  ``success`` (or an empty body) means "no reply".

Encrypted ("safe") mode wraps the same XML in AES. The one Python library that implements it
(``wechatpy``) has had no release since 2021, so only plain mode is supported; in compatible mode the
plain fields are present and are used. See the README.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_BODY_BYTES = 64 * 1024
MAX_CLOCK_SKEW = 300
# A passive text reply longer than about 2 KB of UTF-8 is not delivered.
MAX_REPLY_BYTES = 2000


class ProtocolError(Exception):
    """A request that does not follow the protocol; its message is for the log."""


def signature(token, timestamp, nonce):
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324 (the protocol's)


def verify(*, token, signature_given, timestamp, nonce, now=None):
    """Raise ProtocolError unless the request is signed with ``token`` and is recent."""
    if not (token and signature_given and timestamp and nonce):
        raise ProtocolError("missing signature, timestamp or nonce")
    if not hmac.compare_digest(signature(token, timestamp, nonce), signature_given.lower()):
        raise ProtocolError("bad signature")
    try:
        sent = int(timestamp)
    except ValueError:
        raise ProtocolError("timestamp is not a number") from None
    if abs((time.time() if now is None else now) - sent) > MAX_CLOCK_SKEW:
        raise ProtocolError("timestamp too old or in the future (replay?)")


@dataclass(frozen=True)
class Message:
    to_user: str  # the account's original id (gh_…)
    from_user: str  # the sender's OpenID
    msg_type: str
    msg_id: str = ""
    content: str = ""
    pic_url: str = ""
    media_id: str = ""
    event: str = ""
    encrypted: bool = False


def parse(body: bytes) -> Message:
    """The message in ``body``, or ProtocolError for anything that is not one."""
    if len(body) > MAX_BODY_BYTES:
        raise ProtocolError("body too large")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise ProtocolError(f"malformed XML: {error.__class__.__name__}") from None
    if root.tag != "xml":
        raise ProtocolError("not a message")

    def field(name):
        element = root.find(name)
        return (element.text or "").strip() if element is not None else ""

    message = Message(
        to_user=field("ToUserName"),
        from_user=field("FromUserName"),
        msg_type=field("MsgType").lower(),
        msg_id=field("MsgId"),
        content=field("Content"),
        pic_url=field("PicUrl"),
        media_id=field("MediaId"),
        event=field("Event").lower(),
        encrypted=bool(field("Encrypt")),
    )
    if not message.msg_type and message.encrypted:
        raise ProtocolError("encrypted (safe) mode is not supported: set the account to plain or compatible mode")
    if not (message.to_user and message.from_user and message.msg_type):
        raise ProtocolError("a message needs ToUserName, FromUserName and MsgType")
    return message


def cdata(text):
    # "]]>" would end the section early: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(message: Message, content: str, *, now=None) -> str:
    """The passive reply carrying ``content`` to the sender of ``message``."""
    created = int(time.time() if now is None else now)
    return (
        f"<xml><ToUserName>{cdata(message.from_user)}</ToUserName>"
        f"<FromUserName>{cdata(message.to_user)}</FromUserName>"
        f"<CreateTime>{created}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )
