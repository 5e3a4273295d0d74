"""Staff preview a draft exactly as the public will see it; nobody else learns it exists."""

import pytest
from django.urls import reverse

from .factories import ClarificationFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    clarification = ClarificationFactory(draft=True, title="尚未发布的澄清", truth="这是草稿里的真相。")
    SourceFactory(clarification=clarification, title="草稿引用的来源")
    return clarification


def preview_url(clarification):
    return reverse("clarifications:preview", args=[clarification.pk])


def test_staff_see_the_draft_with_the_public_template_and_a_banner(client, editor, draft):
    client.force_login(editor)
    response = client.get(preview_url(draft))
    assert response.status_code == 200
    assert next(template.name for template in response.templates) == "clarifications/detail.html"
    page = response.content.decode()
    assert 'class="preview-banner"' in page
    assert "Preview — not public" in page or "预览" in page
    assert "尚未发布的澄清" in page
    assert "这是草稿里的真相。" in page
    assert "草稿引用的来源" in page


def test_the_preview_is_never_cached_nor_indexed(client, editor, draft):
    client.force_login(editor)
    response = client.get(preview_url(draft))
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]


def test_the_public_gets_not_found(client, draft):
    assert client.get(preview_url(draft)).status_code == 404
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_a_logged_in_non_staff_user_gets_not_found(client, draft):
    client.force_login(UserFactory(username="citizen", is_staff=False))
    assert client.get(preview_url(draft)).status_code == 404


def test_staff_without_clarification_permissions_get_not_found(client, tip_triager, draft):
    client.force_login(tip_triager)
    assert client.get(preview_url(draft)).status_code == 404


def test_the_public_page_has_no_banner(client):
    clarification = ClarificationFactory()
    assert 'class="preview-banner"' not in client.get(clarification.get_absolute_url()).content.decode()
