from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Clarification, Notice, Source, Topic, Update


class SourceInline(admin.TabularInline):
    model = Source
    extra = 1
    fields = ["title", "url", "publisher", "date", "position"]


class UpdateInline(admin.TabularInline):
    model = Update
    extra = 0
    fields = ["date", "note"]


@admin.register(Clarification)
class ClarificationAdmin(SimpleHistoryAdmin):
    list_display = ["title", "verdict", "status", "language", "published_at", "author"]
    list_filter = ["status", "verdict", "language", "claim_platform", "topics"]
    search_fields = ["title", "claim", "truth", "external_id"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["topics"]
    raw_id_fields = ["author", "reviewer"]
    readonly_fields = ["created_at", "modified_at"]
    inlines = [SourceInline, UpdateInline]
    list_select_related = ["author"]
    fieldsets = [
        (None, {"fields": ["title", "language", "verdict", "truth"]}),
        (_("The rumor"), {"fields": ["claim", "claim_platform", "claim_seen_on", "region"]}),
        (_("Explanation"), {"fields": ["body", "image", "image_alt", "topics"]}),
        (_("Authority"), {"fields": ["authority_name", "authority_url"]}),
        (_("Publication"), {"fields": ["status", "published_at", "withdrawal_note", "author", "reviewer"]}),
        (_("Record"), {"fields": ["external_id", "created_at", "modified_at"], "classes": ["collapse"]}),
    ]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["title", "issuer", "language", "is_published", "published_at"]
    list_filter = ["is_published", "language"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
