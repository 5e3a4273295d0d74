"""The content model: clarifications of rumors, their evidence and corrections, topics and notices.

Visibility lives in one place, ``ClarificationQuerySet.published()``: every page, feed, sitemap,
search and API asks it what the public may see. A published clarification whose publish time is in
the future is *scheduled*; no job flips it, the query condition simply starts to match.
"""

import bisect
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import connection, connections, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import search
from .validators import validate_synonym_forms


class Language(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"


class Verdict(models.TextChoices):
    FALSE = "false", _("False")
    MISLEADING = "misleading", _("Misleading")
    PARTLY_FALSE = "partly_false", _("Partly false")
    UNPROVEN = "unproven", _("Unproven")
    TRUE = "true", _("True")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Platform(models.TextChoices):
    WECHAT_GROUP = "wechat_group", _("WeChat group")
    WECHAT_ARTICLE = "wechat_article", _("WeChat article")
    WEIBO = "weibo", _("Weibo")
    DOUYIN = "douyin", _("Douyin")
    OTHER = "other", _("Other")


class ContentVersion(models.Model):
    """One row: the version of everything the public pages show (see pagecache.py).

    ``number`` increases with every change to public content. ``schedule`` lists the publish times
    still to come (scheduled clarifications and notices, as Unix times), so that the moment one of
    them passes changes the version without anybody writing: the version a page is cached under is
    the number and how many of those moments have passed (``token``).

    Each process keeps what it read for at most ``PAGE_CACHE_RECHECK_SECONDS`` and then reads the row
    again (one primary-key SELECT, never a write), so a change reaches every worker and every app
    server within that time while a cached page costs no query at all.
    """

    number = models.PositiveBigIntegerField(default=1)
    changed_at = models.DateTimeField(default=timezone.now)
    schedule = models.TextField(blank=True, default="", db_default="")

    ROW = 1

    # What this process last read: (number, schedule), and when (time.monotonic()).
    _known = None
    _read_at = float("-inf")

    def __str__(self):
        return f"content version {self.number}"

    @classmethod
    def token(cls):
        """The version of the public content as of now, as this process knows it (see class docstring)."""
        known = cls._known  # once: another thread may forget it meanwhile
        if known is None or time.monotonic() - cls._read_at >= settings.PAGE_CACHE_RECHECK_SECONDS:
            known = cls._known = cls.read()
            cls._read_at = time.monotonic()
        number, schedule = known
        return f"{number}.{bisect.bisect_right(schedule, time.time())}"

    @classmethod
    def read(cls):
        """(number, schedule) in one plain SQL statement: read on the hot path, so no ORM query."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT number, schedule FROM {cls._meta.db_table} WHERE id = %s",  # noqa: S608
                [cls.ROW],
            )
            row = cursor.fetchone()
        if row is None:
            return 0, ()
        return row[0], tuple(float(moment) for moment in row[1].split())

    @classmethod
    def forget(cls):
        """Make this process read the row again on the next request."""
        cls._known = None

    @classmethod
    def bump(cls, *, public=True):
        """Record a change to content: ``public`` moves the number on (retiring every cached page);
        otherwise only the schedule is refreshed (a scheduled item's time may have moved)."""
        now = timezone.now()
        moments = set(Clarification.objects.scheduled().values_list("published_at", flat=True))
        moments |= set(Notice.objects.scheduled().values_list("published_at", flat=True))
        schedule = " ".join(repr(moment.timestamp()) for moment in sorted(moments))
        fields: dict[str, Any] = {"schedule": schedule}
        if public:
            fields.update(number=models.F("number") + 1, changed_at=now)
        if not cls.objects.filter(pk=cls.ROW).update(**fields):
            cls.objects.get_or_create(pk=cls.ROW, defaults={"changed_at": now, "schedule": schedule})
        # This process sees its own change at once; the others within PAGE_CACHE_RECHECK_SECONDS. Once
        # more after the commit, in case a request read the row in between.
        cls.forget()
        transaction.on_commit(cls.forget)


class PublicContentQuerySet(models.QuerySet):
    """Bulk writes to public content also make cached pages stale (see pagecache.py)."""

    def update(self, **kwargs):
        result = super().update(**kwargs)
        ContentVersion.bump()
        return result

    def delete(self):
        result = super().delete()
        ContentVersion.bump()
        return result


class Visibility(models.TextChoices):
    """Where a row of public content stands, for the page cache (see ``PublicContentModel``)."""

    VISIBLE = "visible"
    SCHEDULED = "scheduled"
    HIDDEN = "hidden"


def record_change(*visibilities):
    """Bump the content version for a change seen by the public; refresh the schedule for one that
    will be; leave the cache alone for drafts and reviews."""
    if Visibility.VISIBLE in visibilities:
        ContentVersion.bump()
    elif Visibility.SCHEDULED in visibilities:
        ContentVersion.bump(public=False)


class PublicContentModel(models.Model):
    """A model whose rows may appear on public pages: saving or deleting one bumps the content version
    when the row is (or was, or is scheduled to be) public, and only then."""

    objects = PublicContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        before = self.stored_visibility()
        super().save(*args, **kwargs)
        record_change(before, self.visibility())

    def delete(self, *args, **kwargs):
        before = self.visibility()
        result = super().delete(*args, **kwargs)
        record_change(before)
        return result

    def visibility(self):
        """Where this row (as it is in memory) stands; a subclass whose rows can be hidden says when."""
        return Visibility.VISIBLE

    def stored_visibility(self):
        """Where the row as last saved stands (before this save)."""
        if self.pk is None:
            return Visibility.HIDDEN
        stored = type(self).objects.filter(pk=self.pk).first()
        return stored.visibility() if stored else Visibility.HIDDEN


def _visibility_by_time(published_at):
    if published_at is not None and published_at > timezone.now():
        return Visibility.SCHEDULED
    return Visibility.VISIBLE


class TopicQuerySet(PublicContentQuerySet):
    def in_use(self):
        """Topics with at least one public clarification (a semi-join: no DISTINCT over the join)."""
        return self.filter(Exists(Clarification.objects.published().filter(topics=OuterRef("pk"))))


class Topic(PublicContentModel):
    name = models.CharField(_("name"), max_length=80, unique=True, help_text=_("Chinese name."))
    name_en = models.CharField(_("English name"), max_length=80, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.display_name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = self._free_slug(slugify(self.name_en or self.name, allow_unicode=True)[:70] or "topic")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("clarifications:topic", args=[self.slug])

    @property
    def display_name(self):
        if get_language() == Language.EN and self.name_en:
            return self.name_en
        return self.name

    @classmethod
    def _free_slug(cls, base):
        slug, number = base, 2
        while cls.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug


def new_external_id():
    return uuid.uuid4().hex


class ClarificationQuerySet(PublicContentQuerySet):
    def published(self, *, include_withdrawn=False):
        """What the public may see: published and its publish time reached.

        Withdrawn clarifications stay reachable at their own URL (with the withdrawal note) but are
        listed nowhere, so only the detail page asks for ``include_withdrawn=True``.
        """
        statuses = [Status.PUBLISHED, Status.WITHDRAWN] if include_withdrawn else [Status.PUBLISHED]
        return self.filter(status__in=statuses, published_at__lte=timezone.now())

    def scheduled(self):
        """Published with a publish time still to come: visible nowhere until then."""
        return self.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())

    def due_for_review(self):
        """Published clarifications whose "review again by" date has come (staff follow-up)."""
        return self.filter(status=Status.PUBLISHED, review_by__lte=timezone.localdate())

    def for_cards(self):
        """What a list of clarification cards needs, in a fixed number of queries."""
        return self.prefetch_related("topics")

    def delete(self):
        """Delete, and drop the rows from the search index (the admin's bulk delete comes here)."""
        ids = list(self.values_list("pk", flat=True))
        result = super().delete()
        search.unindex(ids, model=self.model, using=self.db)
        return result


class Clarification(PublicContentModel):
    title = models.CharField(_("title"), max_length=200)
    claim = models.TextField(_("claim"), help_text=_("The rumor as it circulated, quoted as seen."))
    claim_platform = models.CharField(
        _("where it circulated"), max_length=20, choices=Platform, default=Platform.WECHAT_GROUP
    )
    claim_seen_on = models.DateField(_("first seen on"), null=True, blank=True)
    claim_author = models.CharField(
        _("who spread it"),
        max_length=200,
        blank=True,
        help_text=_("The claim's originator, when known (an account or outlet); shown to search engines."),
    )
    claim_url = models.URLField(
        _("where it appeared (link)"),
        max_length=500,
        blank=True,
        help_text=_("A link to the post or article that carried the claim, when one is recorded."),
    )
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict)
    truth = models.TextField(
        _("the truth"), max_length=500, help_text=_("One or two sentences: what is actually true.")
    )
    body = models.TextField(_("explanation"), blank=True, help_text=_("Markdown."))
    authority_name = models.CharField(_("issuing authority"), max_length=200, blank=True)
    authority_url = models.URLField(_("authority's URL"), blank=True)
    topics = models.ManyToManyField(Topic, blank=True, related_name="clarifications", verbose_name=_("topics"))
    region = models.CharField(_("region or district"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=7, choices=Language, default=Language.ZH_HANS)
    image = models.ImageField(_("image"), upload_to="clarifications/%Y/%m/", blank=True)
    image_alt = models.CharField(
        _("image description"), max_length=250, blank=True, help_text=_("Required with an image, for screen readers.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        _("publish time"), null=True, blank=True, help_text=_("A future time schedules the clarification.")
    )
    withdrawal_note = models.TextField(_("withdrawal note"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    review_by = models.DateField(
        _("review again by"),
        null=True,
        blank=True,
        help_text=_("For time-sensitive answers: the date by which the facts should be checked again."),
    )
    external_id = models.CharField(
        _("external ID"),
        max_length=100,
        unique=True,
        default=new_external_id,
        help_text=_("Identifier in an imported archive; re-importing it updates this clarification."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_clarifications",
        verbose_name=_("author"),
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_clarifications",
        verbose_name=_("reviewer"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("last modified"), auto_now=True)

    # Topic changes are part of the history too (simple_history records them as their own entries).
    history = HistoricalRecords(m2m_fields=["topics"])
    objects = ClarificationQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("clarification")
        verbose_name_plural = _("clarifications")
        # Publishing is its own permission, so that roles can draft and edit without being able to
        # make anything public (see clarifications/services.py).
        permissions = [("publish_clarification", _("Can publish, schedule, unpublish and withdraw clarifications"))]
        indexes = [models.Index(fields=["status", "published_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(verdict__in=Verdict.values), name="clarification_verdict_valid"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="clarification_status_valid"),
            models.CheckConstraint(condition=Q(language__in=Language.values), name="clarification_language_valid"),
            models.CheckConstraint(
                condition=~Q(status__in=[Status.PUBLISHED, Status.WITHDRAWN]) | Q(published_at__isnull=False),
                name="clarification_published_has_time",
            ),
            models.CheckConstraint(condition=Q(image="") | ~Q(image_alt=""), name="clarification_image_has_alt"),
        ]

    def __str__(self):
        return self.title

    # The search index is kept in sync by explicit calls here rather than by signals, so that reading
    # save() and delete() shows every effect. Status changes need no re-index: visibility is applied
    # when searching. Writes that bypass save() call search.index_clarifications() themselves.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if search.needs_reindex(kwargs.get("update_fields")):
            search.index_clarifications([self], using=self._state.db)

    def get_absolute_url(self):
        return reverse("clarifications:detail", args=[self.pk])

    def delete(self, *args, **kwargs):
        pk = self.pk
        result = super().delete(*args, **kwargs)
        search.unindex([pk], model=type(self), using=self._state.db)
        return result

    def visibility(self):
        if self.status in (Status.PUBLISHED, Status.WITHDRAWN):
            return _visibility_by_time(self.published_at)
        return Visibility.HIDDEN

    @property
    def is_withdrawn(self):
        return self.status == Status.WITHDRAWN

    # The two properties below are ``published()`` and ``scheduled()`` for one object already loaded
    # (a tip answer, a staff preview): the same conditions, so the rule still has one meaning.
    @property
    def is_public(self):
        """Whether the public may see it now: published and its publish time reached (not withdrawn)."""
        return self.status == Status.PUBLISHED and self.published_at is not None and self.published_at <= timezone.now()

    @property
    def is_scheduled(self):
        return self.status == Status.PUBLISHED and self.published_at is not None and self.published_at > timezone.now()

    @property
    def last_updated_at(self):
        """The date of the latest public correction, if any (uses prefetched updates)."""
        updates = list(self.updates.all())
        return max((update.date for update in updates), default=None)

    @property
    def public_modified_at(self):
        """When the public version last changed: the latest correction, or else the publish time.

        Feeds, the sitemap and ClaimReview's dateModified use this, so a correction moves all of them.
        Edits without an update entry do not count: a silent change is not a public modification.
        """
        dates = [date for date in (self.published_at, self.last_updated_at) if date]
        return max(dates, default=None)


class Source(PublicContentModel):
    """A piece of evidence the clarification rests on."""

    clarification = models.ForeignKey(Clarification, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(_("title"), max_length=300)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("evidence source")
        verbose_name_plural = _("evidence sources")

    def __str__(self):
        return self.title

    def visibility(self):
        return self.clarification.visibility()

    def stored_visibility(self):
        return self.visibility()  # a source or update stays with its clarification


class Update(PublicContentModel):
    """A public entry in the updates log: corrections are shown, never silent."""

    clarification = models.ForeignKey(Clarification, on_delete=models.CASCADE, related_name="updates")
    date = models.DateTimeField(_("date"), default=timezone.now)
    note = models.TextField(_("note"))

    history = HistoricalRecords()

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("update")
        verbose_name_plural = _("updates")

    def __str__(self):
        return f"{self.date:%Y-%m-%d}: {self.note[:60]}"

    def visibility(self):
        return self.clarification.visibility()

    def stored_visibility(self):
        return self.visibility()  # a source or update stays with its clarification


class NoticeQuerySet(PublicContentQuerySet):
    def published(self):
        """What the public may see: marked published and its publish time reached."""
        return self.filter(is_published=True, published_at__lte=timezone.now())

    def scheduled(self):
        """Marked published with a publish time still to come: visible nowhere until then."""
        return self.filter(is_published=True, published_at__gt=timezone.now())


class Notice(PublicContentModel):
    """A dated official announcement of the office."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Markdown."))
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=7, choices=Language, default=Language.ZH_HANS)
    source_url = models.URLField(_("original URL"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("publish time"), default=timezone.now)
    modified_at = models.DateTimeField(_("last modified"), auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("clarifications:notice", args=[self.pk])

    def visibility(self):
        return _visibility_by_time(self.published_at) if self.is_published else Visibility.HIDDEN


class SynonymGroupQuerySet(PublicContentQuerySet):
    """Bulk changes to the groups reach every worker's search too (``search.synonyms.changed``)."""

    def update(self, **kwargs):
        result = super().update(**kwargs)
        search.synonyms.changed(connections[self.db])
        return result

    def delete(self):
        result = super().delete()
        search.synonyms.changed(connections[self.db])
        return result


class SynonymGroup(PublicContentModel):
    """Words that mean the same thing in a rumor (新冠, 新型冠状病毒): a text holding one finds the others.

    The office's own groups, beside the built-in list (``clarifications/search/synonyms.txt``). Saving or
    deleting one takes effect at the next search of every worker (``search.synonyms``: each process
    reads the list again when its version changes) and retires the cached pages (the content version).
    """

    forms = models.TextField(
        _("words for the same thing"),
        max_length=500,
        validators=[validate_synonym_forms],
        help_text=_(
            "Two or more words or phrases that mean the same thing in a rumor, separated by commas: "
            "新冠, 新型冠状病毒, 新冠肺炎. Case and full-width letters do not matter."
        ),
    )
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Why they mean the same thing, for the next editor.")
    )
    active = models.BooleanField(_("in use"), default=True, help_text=_("Searches apply only the groups in use."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("last modified"), auto_now=True)

    objects = SynonymGroupQuerySet.as_manager()

    class Meta:
        db_table = search.synonyms.TABLE
        ordering = ["-modified_at", "-id"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonyms and abbreviations")

    def __str__(self):
        return ", ".join(search.synonyms.split_forms(self.forms))

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        search.synonyms.changed(connections[self._state.db])

    def delete(self, *args, **kwargs):
        using = self._state.db
        result = super().delete(*args, **kwargs)
        search.synonyms.changed(connections[using])
        return result


class SearchTerm(models.Model):
    """In how many clarifications a search term occurs (maintained by ``clarifications.search``).

    The ranking's document frequencies, on both databases; see ``clarifications/search/statistics.py``.
    Never edited by hand: ``manage.py rebuild_search_index`` recomputes it.
    """

    term = models.CharField(primary_key=True, max_length=64)
    documents = models.IntegerField(default=0)

    class Meta:
        db_table = "clarifications_searchterm"

    def __str__(self):
        return f"{self.term}: {self.documents}"


class DailyViews(models.Model):
    """How often a public clarification was read on one local day: a count, and nothing about readers.

    Counted by the page's beacon (see ``clarifications/pageviews.py``), never from a cookie, an address
    or a log line; one row per clarification and day.
    """

    # No index of its own: the unique constraint's index starts with it.
    clarification = models.ForeignKey(
        Clarification, on_delete=models.CASCADE, related_name="daily_views", db_index=False
    )
    day = models.DateField(_("day"))
    views = models.PositiveIntegerField(_("views"), default=0)

    class Meta:
        verbose_name = _("daily views")
        verbose_name_plural = _("daily views")
        constraints = [models.UniqueConstraint(fields=["clarification", "day"], name="daily_views_one_row_a_day")]
        # The ranking sums a week of rows without reading the table (covering index).
        indexes = [models.Index(fields=["day", "clarification", "views"], name="daily_views_by_day")]

    def __str__(self):
        return f"{self.day}: {self.views}"


class ImportProgress(models.Model):
    """How far an import of one JSON Lines file got (``clarifications/archive.py``): importing the same
    file again after a crash continues after the last batch stored. Deleted when the file is done."""

    file_sha256 = models.CharField(_("file's SHA-256"), max_length=64, unique=True)
    file_name = models.CharField(_("file name"), max_length=500, blank=True)
    lines_done = models.PositiveIntegerField(_("lines done"), default=0)
    created = models.PositiveIntegerField(_("clarifications created"), default=0)
    updated = models.PositiveIntegerField(_("clarifications updated"), default=0)
    unchanged = models.PositiveIntegerField(_("lines already stored"), default=0)
    skipped = models.PositiveIntegerField(_("lines skipped"), default=0)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last batch stored"), auto_now=True)

    class Meta:
        verbose_name = _("import in progress")
        verbose_name_plural = _("imports in progress")

    def __str__(self):
        return f"{self.file_name or self.file_sha256[:12]}: {self.lines_done} lines"
