"""Citizen tips: what a citizen saw, what became of it, and the groups of tips about one rumor.

A tip is public only through its reference code (``/tips/<code>/``), which shows its text, date and
status but never the contact data. Personal data (the contact e-mail and the keyed hash of the
client's address) is visible to staff with ``tips.view_tip_contact`` only, and is purged from
closed tips after ``TIPS_PERSONAL_DATA_DAYS``.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clarifications.models import Clarification, Platform

from .storage import private_storage

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
    text = text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(text) == 9 and text.startswith("T"):
        text = text[1:]
    if len(text) != 8 or any(char not in CODE_ALPHABET for char in text):
        return None
    return f"T-{text[:4]}-{text[4:]}"


class TipStatus(models.TextChoices):
    NEW = "new", _("Received")
    REVIEWING = "reviewing", _("Being reviewed")
    ANSWERED = "answered", _("Answered")
    NOT_ACTIONABLE = "not_actionable", _("Not actionable")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_STATUSES = [TipStatus.NEW, TipStatus.REVIEWING]
CLOSED_STATUSES = [TipStatus.ANSWERED, TipStatus.NOT_ACTIONABLE, TipStatus.DUPLICATE]


class RumorQuerySet(models.QuerySet):
    def with_counts(self):
        """Each group with its number of tips and of open tips: the triage queue's order."""
        return self.annotate(
            tip_count=Count("tips", distinct=True),
            open_count=Count("tips", filter=Q(tips__status__in=OPEN_STATUSES), distinct=True),
        )


class Rumor(models.Model):
    """Tips about one rumor. New tips join the most similar open group; staff confirm, merge or split."""

    label = models.CharField(_("label"), max_length=200, help_text=_("A short description for staff."))
    confirmed = models.BooleanField(
        _("grouping confirmed"), default=False, help_text=_("Set when staff checked that these tips are one rumor.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RumorQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("reported rumor")
        verbose_name_plural = _("reported rumors")
        # Handing a case to the police is its own decision: granted per person, like view_tip_contact.
        permissions = [("export_evidence", "Can export a rumor's evidence package for referral")]

    def __str__(self):
        return self.label


class TipQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def closed(self):
        return self.filter(status__in=CLOSED_STATUSES)


class Tip(models.Model):
    code = models.CharField(_("reference code"), max_length=CODE_LENGTH, unique=True, default=new_tip_code)
    text = models.TextField(_("what was seen"), max_length=TEXT_MAX_LENGTH)
    platform = models.CharField(_("where"), max_length=20, choices=Platform.choices, default=Platform.WECHAT_GROUP)
    seen_on = models.DateField(_("seen on"), null=True, blank=True)
    link = models.URLField(_("link"), max_length=500, blank=True)
    screenshot = models.FileField(_("screenshot"), storage=private_storage, upload_to="tips/%Y/%m/", blank=True)
    language = models.CharField(_("language"), max_length=7, default="zh-hans", help_text=_("Of the form used."))

    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_consent = models.BooleanField(_("agreed to be contacted"), default=False)
    client_hash = models.CharField(
        _("client address hash"), max_length=64, blank=True, help_text=_("Keyed hash; the address cannot be read back.")
    )

    status = models.CharField(_("status"), max_length=20, choices=TipStatus.choices, default=TipStatus.NEW)
    rumor = models.ForeignKey(
        Rumor, on_delete=models.SET_NULL, null=True, blank=True, related_name="tips", verbose_name=_("rumor group")
    )
    clarification = models.ForeignKey(
        Clarification,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tips",
        verbose_name=_("answered by"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    staff_notes = models.TextField(_("staff notes"), blank=True)

    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    personal_data_purged_at = models.DateTimeField(_("personal data purged"), null=True, blank=True)

    objects = TipQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        permissions = [("view_tip_contact", "Can see the contact details of tips")]
        indexes = [
            models.Index(fields=["status", "closed_at"]),
            # A clarification's first report (open data's time to clarification) read from the index alone.
            models.Index(fields=["clarification", "submitted_at"], name="tip_clarification_submitted"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TipStatus.values), name="tip_status_valid"),
            models.CheckConstraint(condition=Q(platform__in=Platform.values), name="tip_platform_valid"),
            models.CheckConstraint(
                condition=~Q(status=TipStatus.ANSWERED) | Q(clarification__isnull=False),
                name="tip_answer_has_clarification",
            ),
            models.CheckConstraint(
                condition=~Q(status=TipStatus.DUPLICATE) | Q(duplicate_of__isnull=False),
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
    def is_closed(self):
        return self.status in CLOSED_STATUSES


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


class RateLimitCounter(models.Model):
    """One fixed window of the tip rate limit for one client, shared by every worker (see ratelimit.py)."""

    key = models.CharField(max_length=150, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.count}"
