from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from clarifications.models import Clarification, Language, Notice, Platform, Source, Status, Topic, Update, Verdict


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"staff{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    is_staff = True
    password = factory.django.Password("correct horse battery staple")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"话题{n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")


class ClarificationFactory(factory.django.DjangoModelFactory):
    """A published clarification, visible since yesterday, with no sources unless asked."""

    class Meta:
        model = Clarification
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"网传消息{n}不实")
    claim = "紧急通知！明天起全市停水三天，请大家转发给家人。"
    claim_platform = Platform.WECHAT_GROUP
    verdict = Verdict.FALSE
    truth = "供水集团表示，全市供水正常，没有停水计划。"
    body = "经核实，该消息**不实**。"
    authority_name = "市水务局"
    authority_url = "https://swj.example.gov.cn/"
    language = Language.ZH_HANS
    status = Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    class Params:
        draft = factory.Trait(status=Status.DRAFT, published_at=None)
        in_review = factory.Trait(status=Status.IN_REVIEW, published_at=None)
        scheduled = factory.Trait(published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=2)))
        withdrawn = factory.Trait(status=Status.WITHDRAWN, withdrawal_note="新的证据表明原结论有误。")

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    clarification = factory.SubFactory(ClarificationFactory)
    title = "关于全市供水情况的说明"
    url = "https://swj.example.gov.cn/notice/1"
    publisher = "市水务局"


class UpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Update

    clarification = factory.SubFactory(ClarificationFactory)
    note = "补充了供水集团的最新说明。"


class NoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notice

    title = factory.Sequence(lambda n: f"通告{n}")
    body = "请广大网民自觉抵制网络谣言。"
    issuer = "市互联网信息办公室"
    is_published = True
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class RumorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tips.Rumor"

    label = factory.Sequence(lambda n: f"传言{n}")


class ReportFactory(factory.django.DjangoModelFactory):
    """A report stored as the site stores one: its rumor group counts it (``rumors.recount``)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from tips.casework import rumors

        report = super()._create(model_class, *args, **kwargs)
        rumors.recount([report.rumor_id])
        return report


class TipFactory(ReportFactory):
    """A new tip from a citizen who left no contact details, in its own rumor group."""

    class Meta:
        model = "tips.Tip"

    text = "群里说明天全市停水三天，是真的吗？"
    platform = Platform.WECHAT_GROUP
    rumor = factory.SubFactory(RumorFactory)
    client_hash = "0" * 64

    class Params:
        with_contact = factory.Trait(contact_email="citizen@example.com", contact_consent=True)


def png_file(name="illustration.png", size=(40, 30)):
    """A small real PNG for image fields."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, "#0b5394").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class SightingFactory(ReportFactory):
    """A sighting staff recorded on patrol an hour ago, in its own rumor group."""

    class Meta:
        model = "tips.Sighting"

    text = "朋友圈疯传：明天起全市停水三天，赶紧囤水！"
    platform = Platform.WECHAT_GROUP
    seen_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    reach = 2
    rumor = factory.SubFactory(RumorFactory)
    recorded_by = factory.SubFactory(UserFactory)
