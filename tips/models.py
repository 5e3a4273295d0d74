"""Reports of rumors: citizens' tips, staff's sightings on patrol, and the groups reporting one rumor.

Two channels feed one triage queue, as the office's notice says ("based on public reports and online
inspections"): a ``Tip`` comes from a citizen (the web form or the office's WeChat official account),
a ``Sighting`` is recorded by staff who found the rumor online. Both are a ``Report`` (the fields and
the one lifecycle they share: ``ReportStatus``, moved only by ``tips.casework.lifecycle``) and join
``Rumor`` groups, the unit of the office's work: a group is answered once, for all its reports.

A tip is public only through its reference code (``/tips/<code>/``), which shows its text, date and
status but never the contact data. Personal data (the contact e-mail and the keyed hash of the
client's address) is visible to staff with ``tips.view_tip_contact`` only, and is purged from
closed tips after ``TIPS_PERSONAL_DATA_DAYS``.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clarifications.models import Clarification, Platform
from core.storage import private_storage

# Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand is unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = len("T-XXXX-XXXX")
TEXT_MAX_LENGTH = 2000


def new_tip_code():
    """``T-XXXX-XXXX``: 40 random bits, so codes cannot be guessed or enumerated."""
    chars = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"T-{chars[:4]}-{chars[4:]}"


def normalise_tip_code(raw):
    """The canonical form of a code as a citizen may type it, or None when it cannot be one.

    Crockford's rules: case does not matter, O reads as 0 and I/L as 1, dashes and spaces are optional.
    The leading "T" is optional too: it is dropped only from nine characters, since T is also a code
    character ("T4F7K9QX" is the code T-T4F7-K9QX, "T4F7K9QXM" the code T-4F7K-9QXM).
    """
    text = "".join(raw.split()).upper().replace("-", "")
    text = text.translate(str.maketrans("OIL", "011"))
    if len(text) == 9 and text.startswith("T"):
        text = text[1:]
    if len(text) != 8 or any(char not in CODE_ALPHABET for char in text):
        return None
    return f"T-{text[:4]}-{text[4:]}"


class ReportStatus(models.TextChoices):
    """Where a report stands, whatever its channel. Which status may follow which, who may move it and
    what each move records is one table: ``tips.casework.lifecycle.MOVES``."""

    NEW = "new", _("Received")
    REVIEWING = "reviewing", _("Being reviewed")
    ANSWERED = "answered", _("Answered")
    NOT_ACTIONABLE = "not_actionable", _("Not actionable")
    DUPLICATE = "duplicate", _("Duplicate")


class TipChannel(models.TextChoices):
    WEB = "web", _("web form")
    WECHAT = "wechat", _("WeChat official account")


OPEN_STATUSES = [ReportStatus.NEW, ReportStatus.REVIEWING]
CLOSED_STATUSES = [ReportStatus.ANSWERED, ReportStatus.NOT_ACTIONABLE, ReportStatus.DUPLICATE]


class ScreenshotReading(models.TextChoices):
    """What became of reading a screenshot's text (OCR) and fingerprint, in the task queue."""

    NONE = "", _("No screenshot")
    PENDING = "pending", _("Waiting to be read")
    READ = "read", _("Read")
    UNAVAILABLE = "unavailable", _("OCR unavailable")
    FAILED = "failed", _("Could not be read")


class RumorQuerySet(models.QuerySet):
    def empty(self):
        """Groups no report belongs to any more (after a merge, a move or a split)."""
        return self.filter(tips__isnull=True, sightings__isnull=True)


class Rumor(models.Model):
    """Reports (tips and sightings) about one rumor: the unit of the office's work. New reports join the
    most similar open group; staff confirm, merge or split. A group is answered once, for all its open
    reports, with its ``clarification``; a report joining a group answered by a public clarification is
    answered at once (``tips.casework``).

    ``reports``, ``open_reports``, ``latest_report_at`` and ``heat_key`` are kept by
    ``tips.casework.rumors.recount`` whenever a report arrives, moves or changes status, so that the
    triage queue is sorted by an index instead of an aggregate per group (``tips.analytics.heat``).
    """

    label = models.CharField(_("label"), max_length=200, help_text=_("A short description for staff."))
    confirmed = models.BooleanField(
        _("grouping confirmed"), default=False, help_text=_("Set when staff checked that these tips are one rumor.")
    )
    clarification = models.ForeignKey(
        Clarification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rumors",
        verbose_name=_("clarification"),
        help_text=_("The clarification that answers this rumor, or the draft being written for it."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    reports = models.PositiveIntegerField(_("reports"), default=0, editable=False)
    open_reports = models.PositiveIntegerField(_("open reports"), default=0, editable=False)
    latest_report_at = models.DateTimeField(_("latest report"), null=True, blank=True, editable=False)
    heat_key = models.FloatField(
        _("heat key"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("log Σ exp(t / τ) over the group's reports: sorts groups by heat at any moment."),
    )

    objects = RumorQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["reports", "open_reports", "latest_report_at", "heat_key"])

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reported rumor")
        verbose_name_plural = _("reported rumors")
        permissions = [
            # Handing a case to the police is its own decision: granted per person, like view_tip_contact.
            ("export_evidence", "Can export a rumor's evidence package for referral"),
            ("triage_report", "Can move reports through their lifecycle"),
            # Re-opening a closed report takes back what the citizen was told: its own permission.
            ("reopen_report", "Can re-open a closed report"),
        ]
        indexes = [
            models.Index(fields=["latest_report_at"], name="rumor_latest_report"),
            models.Index(fields=["-heat_key"], name="rumor_heat"),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        # The kept counts change only through ``rumors.recount``/``rumors.add`` (an UPDATE of their own):
        # a group loaded a moment ago and saved (a label edited in the admin) must not write back the
        # counts it read, which a report arriving meanwhile has already changed.
        if self.pk is not None and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in KEPT_COUNTS
            ]
        super().save(*args, **kwargs)


# What ``tips.casework.rumors`` keeps up to date on each group, never saved from a loaded instance.
KEPT_COUNTS = {"reports", "open_reports", "latest_report_at", "heat_key"}


class ReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)


class Report(models.Model):
    """What every report has, whatever channel brought it: what it said (typed and read from its
    screenshot), where, its rumor group and its place in the one lifecycle. ``kind`` names the channel
    family in the lifecycle table and the logs; ``reference`` is how staff and the police cite it;
    ``reported_at`` is when the rumor reached the office (the time every count of reports reads)."""

    kind = ""
    reported_at_field = ""  # when the rumor reached the office: what every count of reports reads
    received_at_field = ""  # when the office stored the report

    # Blank only when a screenshot says it all (a tip's WeChat picture, a sighting's screenshot).
    text = models.TextField(
        _("what was seen"), max_length=TEXT_MAX_LENGTH, blank=True, help_text=_("The message as it was seen.")
    )
    platform = models.CharField(_("where"), max_length=20, choices=Platform.choices, default=Platform.WECHAT_GROUP)
    link = models.URLField(_("link"), max_length=500, blank=True)
    # Filled by the task queue (tips.intake.tasks), never in the request that stores the report.
    screenshot_reading = models.CharField(
        _("screenshot reading"), max_length=12, choices=ScreenshotReading, default="", blank=True
    )
    screenshot_text = models.TextField(
        _("text read from the screenshot"),
        blank=True,
        help_text=_("Filled in when the screenshot has been read; used for grouping and matching like the text."),
    )
    screenshot_fingerprint = models.CharField(
        _("screenshot fingerprint"),
        max_length=600,
        blank=True,
        help_text=_("Perceptual hashes: the same picture, re-compressed, resized or cropped, has a close one."),
    )
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus, default=ReportStatus.NEW)
    rumor = models.ForeignKey(
        Rumor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("rumor group"),
    )
    clarification = models.ForeignKey(
        Clarification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)ss",
        verbose_name=_("answered by"),
    )
    staff_notes = models.TextField(_("staff notes"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        abstract = True
        # %(class)s: each kind of report has its own (tip_status_valid, sighting_status_valid, ...).
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="%(class)s_status_valid"),
            models.CheckConstraint(condition=Q(platform__in=Platform.values), name="%(class)s_platform_valid"),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.ANSWERED) | Q(clarification__isnull=False),
                name="%(class)s_answer_has_clarification",
            ),
        ]

    @property
    def is_closed(self):
        return self.status in CLOSED_STATUSES

    @property
    def matching_text(self):
        """What grouping and matching read: the words given and those read from the screenshot."""
        return "\n".join(part for part in (self.text, self.screenshot_text) if part)

    @property
    def reported_at(self):
        return getattr(self, self.reported_at_field)

    @property
    def received_at(self):
        return getattr(self, self.received_at_field)

    @property
    def reference(self):
        raise NotImplementedError

    @property
    def seen_on_date(self):
        """The local day the rumor was seen, when known."""
        raise NotImplementedError

    @property
    def channel_label(self):
        raise NotImplementedError

    @property
    def evidence_text(self):
        """The report's words as evidence: what was received, exactly."""
        raise NotImplementedError

    def contact(self):
        """The personal contact details the report carries (none, unless a citizen left them)."""
        return {}


class Tip(Report):
    """A citizen's report, through the web form or the office's WeChat official account; public only
    through its reference code's status page."""

    kind = "tip"
    reported_at_field = "submitted_at"
    received_at_field = "submitted_at"

    code = models.CharField(_("reference code"), max_length=CODE_LENGTH, unique=True, default=new_tip_code)
    seen_on = models.DateField(_("seen on"), null=True, blank=True)
    screenshot = models.FileField(_("screenshot"), storage=private_storage, upload_to="tips/%Y/%m/", blank=True)
    language = models.CharField(_("language"), max_length=7, default="zh-hans", help_text=_("Of the form used."))
    channel = models.CharField(_("sent through"), max_length=20, choices=TipChannel, default=TipChannel.WEB)
    pending_picture_url = models.URLField(
        _("picture still to fetch"),
        max_length=1000,
        blank=True,
        help_text=_("Where WeChat keeps a picture sent to the official account, until it is stored as the screenshot."),
    )
    picture_fetch_error = models.CharField(_("why the picture could not be fetched"), max_length=200, blank=True)

    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_consent = models.BooleanField(_("agreed to be contacted"), default=False)
    client_hash = models.CharField(
        _("client address hash"), max_length=64, blank=True, help_text=_("Keyed hash; the address cannot be read back.")
    )

    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )

    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    personal_data_purged_at = models.DateTimeField(_("personal data purged"), null=True, blank=True)

    # Who moved it, when and why; never the citizen's contact details, which the purge must reach.
    history = HistoricalRecords(excluded_fields=["contact_email", "contact_consent", "client_hash"])

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        permissions = [("view_tip_contact", "Can see the contact details of tips")]
        indexes = [
            models.Index(fields=["status", "closed_at"]),
            # Covering indexes of the report aggregates (heat.py): a rumor's reports, and every report of
            # a period, with what the counts read (time, platform), so no table row is visited.
            models.Index(fields=["rumor", "submitted_at", "platform"], name="tip_rumor_time"),
            models.Index(fields=["submitted_at", "platform", "rumor"], name="tip_time_platform"),
            # A clarification's first report (open data's time to clarification) read from the index alone.
            models.Index(fields=["clarification", "submitted_at"], name="tip_clarification_submitted"),
        ]
        constraints = [
            *Report.Meta.constraints,
            models.CheckConstraint(condition=Q(channel__in=TipChannel.values), name="tip_channel_valid"),
            models.CheckConstraint(
                condition=~Q(text="") | ~Q(screenshot="") | ~Q(pending_picture_url=""), name="tip_has_content"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.DUPLICATE) | Q(duplicate_of__isnull=False),
                name="tip_duplicate_has_original",
            ),
            # An address without consent is never kept.
            models.CheckConstraint(
                condition=Q(contact_email="") | Q(contact_consent=True), name="tip_contact_has_consent"
            ),
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("tips:status", args=[self.code])

    @property
    def reference(self):
        return self.code

    @property
    def seen_on_date(self):
        return self.seen_on

    @property
    def channel_label(self):
        return self.get_channel_display()

    @property
    def evidence_text(self):
        # What the citizen sent; the text read from their screenshot is the site's reading, not evidence.
        return self.text

    def contact(self):
        return {"contact_email": self.contact_email, "contact_consent": self.contact_consent}


class Reach(models.IntegerChoices):
    """How widely a sighting had spread when it was seen: bands, not a count, since every platform
    counts differently (members of a group, reposts, reads shown as "10万+"). Staff pick the band
    that the largest figure they saw falls into, and may note the figure itself."""

    UNKNOWN = 0, _("not estimated")
    SMALL = 1, _("small: up to 100 people (one chat group, a few reposts, under 1,000 reads)")
    MEDIUM = 2, _("medium: hundreds (several groups or one full group of 500, tens of reposts, thousands of reads)")
    LARGE = 3, _("large: thousands (many groups, hundreds of reposts, tens of thousands of reads)")
    VIRAL = 4, _("viral: beyond (trending lists, thousands of reposts, reads shown as 100,000+)")


class Sighting(Report):
    """A rumor staff found on patrol ("online inspection"): where, when, what it said, how far it spread.

    It has no reference code, contact data or e-mail: the office itself recorded it. What was found is
    kept as found (the admin shows it read-only after recording); the reach may be updated as the rumor
    spreads.
    """

    kind = "sighting"
    reported_at_field = "seen_at"
    received_at_field = "recorded_at"

    screenshot = models.FileField(_("screenshot"), storage=private_storage, upload_to="sightings/%Y/%m/", blank=True)
    seen_at = models.DateTimeField(_("seen at"))
    reach = models.PositiveSmallIntegerField(_("reach"), choices=Reach, default=Reach.UNKNOWN)
    reach_details = models.CharField(
        _("reach in figures"),
        max_length=200,
        blank=True,
        help_text=_("What the platform showed, e.g. “group of 487 members”, “2,300 reposts”, “10万+ reads”."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="sightings",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-seen_at", "-id"]
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings (online inspection)")
        constraints = [
            *Report.Meta.constraints,
            models.CheckConstraint(condition=Q(reach__in=Reach.values), name="sighting_reach_valid"),
            models.CheckConstraint(condition=~Q(text="") | ~Q(screenshot=""), name="sighting_has_text_or_screenshot"),
        ]

    def __str__(self):
        return _("Sighting %(id)s on %(platform)s") % {"id": self.pk, "platform": self.get_platform_display()}

    @property
    def reference(self):
        return f"S-{self.pk}"

    @property
    def seen_on_date(self):
        return timezone.localdate(self.seen_at)

    @property
    def channel_label(self):
        return _("Online inspection")

    @property
    def evidence_text(self):
        # What staff typed and, below it, what the screenshot says: often the screenshot is all there is.
        return self.matching_text


REPORT_MODELS = [Tip, Sighting]


class WeChatMessage(models.Model):
    """A message the official account forwarded, kept by its ``MsgId`` so that WeChat's retries (it
    sends again when no answer came within 5 seconds) get the same answer and create nothing twice.

    The sender's OpenID is not kept here: the tip, if one was made, holds its keyed hash (purged with
    the tip's other personal data).
    """

    msg_id = models.CharField(_("WeChat message id"), max_length=64, unique=True)
    kind = models.CharField(_("message type"), max_length=20)
    reply = models.TextField(_("reply sent"), blank=True)
    tip = models.ForeignKey(
        Tip, on_delete=models.SET_NULL, null=True, blank=True, related_name="wechat_messages", verbose_name=_("tip")
    )
    clarification = models.ForeignKey(
        Clarification,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clarification sent"),
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat message")
        verbose_name_plural = _("WeChat messages")

    def __str__(self):
        return self.msg_id


class ScreenshotCheck(models.Model):
    """A visitor's "check a screenshot": the picture waits for the queue, is read, then deleted.

    The id is random and is the only way to the result (``/check/<id>/``). Until the picture is read,
    the keyed hash of the address it came from is kept, to bound the checks one address may have
    waiting; once read, nothing links the check to a person. Checks are removed a day after they were
    made (``tips.intake.checks.remove_old_screenshot_checks``).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    image = models.CharField(max_length=200, blank=True, help_text="Name in the private storage, until read.")
    client_hash = models.CharField(
        max_length=64, blank=True, help_text="Keyed hash of the sender's address, until the picture is read."
    )
    reading = models.CharField(max_length=12, choices=ScreenshotReading, default=ScreenshotReading.PENDING)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return str(self.id)


class EvidenceExport(models.Model):
    """The chain-of-custody record of one evidence package (see ``evidence.py``): who exported which
    reports of which rumor, when, and the SHA-256 of every file, so that a package handed over can be
    checked against what the office recorded. Never changed or deleted from the admin."""

    package_id = models.UUIDField(_("package ID"), unique=True, default=uuid.uuid4, editable=False)
    rumor = models.ForeignKey(
        Rumor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_exports",
        verbose_name=_("rumor group"),
    )
    # Copies, so the record still reads the same after the group or the account is gone.
    rumor_label = models.CharField(_("rumor group label"), max_length=200)
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence_exports",
        verbose_name=_("exported by"),
    )
    exported_by_username = models.CharField(_("exported by (username)"), max_length=150)
    exported_at = models.DateTimeField(_("exported"), db_index=True)
    reference = models.CharField(
        _("case reference"), max_length=200, blank=True, help_text=_("For example the police case number.")
    )
    contact_included = models.BooleanField(_("contact details included"), default=False)
    items = models.JSONField(_("reports"), default=list, help_text=_("The references of the exported reports."))
    files = models.JSONField(_("files and their SHA-256"), default=dict)
    manifest_sha256 = models.CharField(_("SHA-256 of manifest.json"), max_length=64)

    class Meta:
        ordering = ["-exported_at", "-id"]
        verbose_name = _("evidence package export")
        verbose_name_plural = _("evidence package exports")

    def __str__(self):
        return f"{self.rumor_label} ({self.package_id})"
