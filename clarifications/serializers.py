"""What the read-only API says about a clarification. Field names are a contract: add, never rename."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Clarification, Source, Topic, Update


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name", "name_en"]


class SourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["title", "url", "publisher", "date"]


class UpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = Update
        fields = ["date", "note"]


class AuthoritySerializer(serializers.Serializer):
    name = serializers.CharField(source="authority_name")
    url = serializers.CharField(source="authority_url")


class ClarificationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The clarification's public page.")
    verdict_label = serializers.CharField(source="get_verdict_display", read_only=True)
    claim_platform_label = serializers.CharField(source="get_claim_platform_display", read_only=True)
    authority = AuthoritySerializer(source="*", read_only=True)
    topics = TopicSerializer(many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)
    updates = UpdateSerializer(many=True, read_only=True)
    image = serializers.SerializerMethodField(help_text="Absolute URL of the illustration, or null.")
    public_modified_at = serializers.DateTimeField(
        read_only=True, help_text="The latest public update's date, or the publish time."
    )

    class Meta:
        model = Clarification
        fields = [
            "id",
            "url",
            "title",
            "claim",
            "claim_platform",
            "claim_platform_label",
            "claim_seen_on",
            "claim_author",
            "claim_url",
            "verdict",
            "verdict_label",
            "truth",
            "body",
            "authority",
            "topics",
            "region",
            "language",
            "image",
            "image_alt",
            "sources",
            "updates",
            "status",
            "withdrawal_note",
            "withdrawn_at",
            "published_at",
            "public_modified_at",
        ]

    @extend_schema_field(serializers.URLField())
    def get_url(self, clarification):
        return self.context["request"].build_absolute_uri(clarification.get_absolute_url())

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image(self, clarification):
        if not clarification.image:
            return None
        return self.context["request"].build_absolute_uri(clarification.image.url)


class MatchRequestSerializer(serializers.Serializer):
    """A text to check: a forwarded message as received, or a few words of it."""

    text = serializers.CharField(max_length=2000, help_text="The message, up to 2,000 characters.")
    limit = serializers.IntegerField(min_value=1, max_value=20, default=5, help_text="How many results (1-20).")


class MatchSerializer(ClarificationSerializer):
    match_strength = serializers.ChoiceField(
        choices=["strong", "match", "related"],
        read_only=True,
        help_text=(
            "`strong`: the text contains most of this clarification's claim; `match`: most of the text "
            "is in the clarification; `related`: it only shares some words."
        ),
    )

    class Meta(ClarificationSerializer.Meta):
        fields = [*ClarificationSerializer.Meta.fields, "match_strength"]


class MatchResponseSerializer(serializers.Serializer):
    results = MatchSerializer(many=True, help_text="Best first; empty when nothing shares a word with the text.")
