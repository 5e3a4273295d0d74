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

Safe (encrypted) mode wraps the same XML in AES (``crypto``); the views open the envelope before
``parse`` and seal the reply after ``text_reply``. Without the AppID and EncodingAESKey, a message with
only the encrypted part is refused (400) and compatible mode's plain fields are used. See docs/reports.md.
"""

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

MAX_BODY_BYTES = 64 * 1024
MAX_CLOCK_SKEW = 300
# A passive text reply longer than about 2 KB of UTF-8 is not delivered.
MAX_REPLY_BYTES = 2000

# What the fields that are stored or compared may look like; anything else is a malformed message (400),
# never a database error. ``MsgId`` is a 64-bit number in WeChat's messages; the bound is the column's.
MSG_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
MSG_TYPE = re.compile(r"[a-z_]{1,20}")
USER_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")  # gh_… account ids and OpenIDs (28 characters)
EVENT = re.compile(r"[a-z_]{0,64}")
# WeChat sends UTF-8; a declaration naming anything else (an unknown encoding made the parser raise
# LookupError) is refused before parsing.
XML_DECLARATION = re.compile(rb"\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
# Characters that URL parsers drop, fold or read differently (tab, newline, backslash, space, DEL, ...).
URL_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


class ProtocolError(Exception):
    """A request that does not follow the protocol; its message is for the log."""


def signature(token, timestamp, nonce):
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324 (the protocol's)


def verify(*, token, signature_given, timestamp, nonce, now=None):
    """Raise ProtocolError unless the request is signed with ``token`` and is recent."""
    if not (token and signature_given and timestamp and nonce):
        raise ProtocolError("missing signature, timestamp or nonce")
    # Bytes: compare_digest refuses str holding anything but ASCII (a TypeError, once a 500).
    if not hmac.compare_digest(signature(token, timestamp, nonce).encode(), signature_given.lower().encode()):
        raise ProtocolError("bad signature")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise ProtocolError("timestamp is not a number")
    sent = int(timestamp)
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
    # A link message (a forwarded article): its title, description and address.
    title: str = ""
    description: str = ""
    url: str = ""
    # A voice message: WeChat's speech recognition, when the account has it switched on.
    recognition: str = ""
    # A menu button's key in a CLICK event (a VIEW event carries its address): only compared, never stored.
    event_key: str = ""


def parse(body: bytes) -> Message:
    """The message in ``body``, or ProtocolError for anything that is not one."""
    if len(body) > MAX_BODY_BYTES:
        raise ProtocolError("body too large")
    declared = XML_DECLARATION.match(body)
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        raise ProtocolError("not UTF-8: the XML declares another encoding")
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (ParseError, DefusedXmlException, ValueError, LookupError) as error:
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
        title=field("Title"),
        description=field("Description"),
        url=field("Url"),
        recognition=field("Recognition"),
        event_key=field("EventKey"),
    )
    if not message.msg_type and message.encrypted:
        raise ProtocolError(
            "encrypted (safe) mode is not configured: set WECHAT_APP_ID and WECHAT_ENCODING_AES_KEY, "
            "or the account to plain or compatible mode"
        )
    if not (message.to_user and message.from_user and message.msg_type):
        raise ProtocolError("a message needs ToUserName, FromUserName and MsgType")
    check_fields(message)
    return message


def check_fields(message: Message):
    """ProtocolError for a field that no message from WeChat has: too long, or characters it never uses."""
    for name, value, pattern in [
        ("ToUserName", message.to_user, USER_NAME),
        ("FromUserName", message.from_user, USER_NAME),
        ("MsgType", message.msg_type, MSG_TYPE),
        ("Event", message.event, EVENT),
    ]:
        if not pattern.fullmatch(value):
            raise ProtocolError(f"malformed {name}")
    if message.msg_id and not MSG_ID.fullmatch(message.msg_id):
        raise ProtocolError("malformed MsgId")
    if message.pic_url and (problem := url_problem(message.pic_url)):
        raise ProtocolError(f"malformed PicUrl: {problem}")


def url_problem(url):
    """Why ``url`` is not a plain http(s) address with a host and nothing ambiguous, or "" when it is.

    Strict on purpose: no user info (``http://127.0.0.1 @host/`` is a different host to different
    parsers), no space, control character or backslash anywhere, a port that is a port.
    """
    if URL_UNSAFE.search(url):
        return "space, control character or backslash"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is not one)
    except ValueError:
        return "not a URL"
    if parts.scheme not in ("http", "https"):
        return "not http or https"
    if "@" in parts.netloc:
        return "user info"
    if not parts.hostname:
        return "no host"
    return ""


def picture_url_allowed(url, *, hosts, max_length):
    """Whether a picture may be fetched from ``url``: a strict address (``url_problem``) on one of ``hosts``."""
    if len(url) > max_length or url_problem(url):
        return False
    return urlsplit(url).hostname in hosts


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
