"""What the site answers to a message sent to the official account, in Chinese.

- A **text** is matched like a message pasted into the search (``clarifications.search``): a strong
  match is answered with the verdict, the truth in one line and the link; anything else becomes a tip
  (``tips.intake.receive.tip_submit``, channel WeChat) and the answer gives its code and status page.
  A text too short to report anything (a greeting) gets a line saying what to send. A text longer
  than a tip holds (``TEXT_MAX_LENGTH``, 2,000 characters) is stored cut, and the reply says so.
- A **link** (a forwarded article) is a text made of its title and description, matched and stored
  the same way, with the article's address as the tip's link.
- A **voice** message is the text WeChat recognised in it (``Recognition``, sent when the account has
  speech recognition switched on); without one, the reply asks for the words or a screenshot.
- An **image** becomes a tip at once, with the picture's address (``PicUrl``) kept on it, and the
  answer gives the code and says that the matching clarifications will be on its status page once the
  picture is read, usually within a minute: fetched, then read by the task queue, where reading a
  screenshot takes about a second (0.8 s median, 2.8 s for a worker's first, measured on two shared
  cores) and a tip's reading waits at most about a minute behind visitors' checks (``tips.intake.tasks``).
  Without a running worker it takes as long as the worker is away. The picture
  itself is fetched after the reply (``pictures``): fetching it could take longer than the 5 seconds
  WeChat waits.
- A **subscription** is welcomed; a **menu button** (a CLICK event) with one of the keys below is
  answered with what to send; other events get no reply; video, location and the rest get a line
  saying that only words, articles and pictures can be handled.

The account's menu (自定义菜单) is set up by the office in the account's settings: "click" buttons
whose key is ``MENU_REPORT_RUMOR`` (举报谣言) or ``MENU_CHECK_MESSAGE`` (查一查), exactly as written.

A clarification's reply opens with words that fit every verdict (a true claim is "checked", not
"debunked"), then the verdict itself.

Every message with a ``MsgId`` is recorded (``WeChatMessage``) in the same transaction as its tip, so a
retry from WeChat, even one arriving while the first is still being answered, gets the same answer and
creates nothing: the second insert of the same ``MsgId`` waits for the first and then fails. Storing
never makes the reply wait for a locked database past WeChat's limit (``storing``).
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from clarifications.models import Clarification
from clarifications.search import Strength, find_similar
from core import ratelimit
from core.clients import client_hash
from core.logs import log_event
from tips.models import TEXT_MAX_LENGTH, ReportStatus, Tip, WeChatMessage

from . import pictures, storing
from .protocol import MAX_REPLY_BYTES, Message, url_problem

logger = logging.getLogger(__name__)

MIN_TEXT_CHARS = 3
NO_REPLY = ""
# The keys of the account's menu buttons (see the module docstring).
MENU_REPORT_RUMOR = "REPORT_RUMOR"
MENU_CHECK_MESSAGE = "CHECK_MESSAGE"
# A link is stored as a tip's link only when it fits the column and is a plain address.
LINK_MAX_LENGTH = Tip._meta.get_field("link").max_length or 0


def answer(message: Message, *, site_url: str) -> str:
    """The text to reply to ``message`` (empty: no reply), creating a tip when one is due."""
    with translation.override("zh-hans"):
        if message.msg_id:
            earlier = WeChatMessage.objects.filter(msg_id=message.msg_id).first()
            if earlier is not None:
                log_event(logger, "wechat.retry_answered", msg_id=message.msg_id)
                return earlier.reply
        if message.msg_type == "text":
            return answer_text(message, message.content, site_url=site_url)
        if message.msg_type == "link":
            return answer_link(message, site_url=site_url)
        if message.msg_type == "voice":
            if message.recognition:
                return answer_text(message, message.recognition, site_url=site_url)
            return record(
                message,
                _("We cannot listen to voice messages. Please type the words of the message, or send a screenshot."),
            )
        if message.msg_type == "image":
            return answer_image(message, site_url=site_url)
        if message.msg_type == "event":
            return answer_event(message)
        return record(
            message,
            _(
                "We can only read words, articles and pictures. Please send the text of the message, forward the "
                "article, or send a screenshot of it."
            ),
        )


def welcome():
    return _("Thank you for following us. Send us a rumor you saw (its words or a screenshot) and we will check it.")


def answer_event(message: Message) -> str:
    if message.event == "subscribe":
        return welcome()
    if message.event == "click" and message.event_key == MENU_REPORT_RUMOR:
        return _(
            "To report a rumor, send us the message as you saw it: its words, the article forwarded, or a "
            "screenshot. You will get a code to follow your report."
        )
    if message.event == "click" and message.event_key == MENU_CHECK_MESSAGE:
        return _(
            "To check a message, send us its words or forward the article: if we have checked it, our answer "
            "comes at once. A screenshot is read, usually within a minute; its answer is then on a page we link to."
        )
    return NO_REPLY


def answer_text(message: Message, text: str, *, site_url: str, link: str = "") -> str:
    if len(text) < MIN_TEXT_CHARS:
        return record(message, _("Send us the message you saw (its words or a screenshot) and we will check it."))
    strong = find_similar(text, queryset=Clarification.objects.published(), limit=1, at_least=Strength.STRONG)
    if strong:
        clarification = strong[0]
        return record(message, clarification_reply(clarification, site_url=site_url), clarification=clarification)
    return submit(message, site_url=site_url, text=text, link=link)


def answer_link(message: Message, *, site_url: str) -> str:
    """A forwarded article: its title and description carry the claim; its address becomes the tip's link."""
    text = "\n".join(part for part in (message.title, message.description) if part)
    return answer_text(message, text, site_url=site_url, link=storable_link(message.url))


def storable_link(url: str) -> str:
    """``url`` when a tip can keep it as its link (a plain web address that fits the column), else ""."""
    if not url or len(url) > LINK_MAX_LENGTH or url_problem(url):
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url


def answer_image(message: Message, *, site_url: str) -> str:
    if not pictures.allowed(message.pic_url):
        log_event(logger, "wechat.picture_refused", msg_id=message.msg_id, host=urlsplit(message.pic_url).hostname)
        return record(message, _("We could not receive this picture. Please send it again, or send its text."))
    return submit(message, site_url=site_url, picture_url=message.pic_url)


def submit(message: Message, *, site_url: str, text: str = "", picture_url: str = "", link: str = "") -> str:
    """A tip from the message and the reply naming its code; once per ``MsgId``, and within WeChat's
    five seconds even while the database is locked (``storing``: the message is then kept on disk)."""
    sender = client_hash(f"wechat:{message.from_user}")
    kept = storing.kept_reply(message.msg_id)
    if kept is not None:
        return kept
    cut = len(text) > TEXT_MAX_LENGTH
    report = {"msg_id": message.msg_id, "kind": message.msg_type, "sender": sender, "text": text, "link": link}
    report.update(
        picture_url=picture_url,
        site_url=site_url,
        reply_for=lambda tip: tip_reply(tip, site_url=site_url, picture=bool(picture_url), cut=cut),
    )
    try:
        with storing.bounded_wait():
            if not ratelimit.hit("tips", sender, rate=settings.TIPS_RATE):
                return record(message, _("You have sent many reports in a short time. Please try again later."))
            return storing.store_tip(**report)
    except storing.UNAVAILABLE:
        try:
            return storing.keep(**report)
        except storing.KeptTooMany:
            return _("We could not take your message just now. Please send it again in a few minutes.")


def record(message: Message, reply: str, *, clarification=None) -> str:
    """Keep the reply for the message's retries (a message without ``MsgId`` is not retried by id)."""
    if message.msg_id:
        try:
            with storing.bounded_wait(), transaction.atomic():
                WeChatMessage.objects.create(
                    msg_id=message.msg_id, kind=message.msg_type, reply=reply, clarification=clarification
                )
        except IntegrityError:
            earlier = WeChatMessage.objects.filter(msg_id=message.msg_id).first()
            return earlier.reply if earlier is not None else reply
        except storing.UNAVAILABLE:
            # The database is locked or away: a retry is answered again, the same way.
            log_event(logger, "wechat.reply_not_recorded", msg_id=message.msg_id)
    return reply


def one_line(text, chars):
    return Truncator(" ".join(text.split())).chars(chars)


def clarification_reply(clarification: Clarification, *, site_url: str) -> str:
    # Words that fit every verdict: the claim may be true, so "matches our rumor clarification" would not.
    return answer_reply(_("We have checked what this message says:"), clarification, site_url=site_url)


def answer_reply(opening: str, clarification: Clarification, *, site_url: str) -> str:
    """``opening``, then the verdict, title and truth in a line each, then the clarification's link."""
    verdict = _("[%(verdict)s] %(title)s") % {
        "verdict": clarification.get_verdict_display(),
        "title": one_line(clarification.title, 60),
    }
    truth = _("The truth: %(truth)s") % {"truth": one_line(clarification.truth, 120)}
    return fit(f"{opening}\n{verdict}\n{truth}\n", site_url.rstrip("/") + clarification.get_absolute_url())


def tip_reply(tip, *, site_url: str, picture: bool = False, cut: bool = False) -> str:
    """The code and status page of a new tip; when its rumor group was already answered, the answer too.
    A picture's sender is told when the answer will be there; a text stored cut says so."""
    url = site_url.rstrip("/") + tip.get_absolute_url()
    if tip.status == ReportStatus.ANSWERED and tip.clarification is not None:
        opening = _("Your report %(code)s is about a message we have already checked:") % {"code": tip.code}
        return answer_reply(opening, tip.clarification, site_url=site_url)
    if picture:
        text = _(
            "We have received your picture. Its code is %(code)s. We read its words and show the clarifications "
            "that match them on its page, usually within a minute; our staff look at it too. Follow it here:"
        ) % {"code": tip.code}
    else:
        text = _("We have received your report. Its code is %(code)s. We will check it; you can follow it here:") % {
            "code": tip.code
        }
    if cut:
        note = _("Your message was longer than %(limit)s characters: we kept its first %(limit)s.")
        text = note % {"limit": TEXT_MAX_LENGTH} + "\n" + text
    return fit(text + "\n", url)


def fit(text: str, url: str) -> str:
    """``text`` and then ``url``, within what a passive reply may carry: the link is never cut."""
    room = MAX_REPLY_BYTES - len(url.encode())
    while len(text.encode()) > room:
        text = text[: max(len(text) - 20, 0)]
    return text + url
