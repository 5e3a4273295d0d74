"""Two interface languages: Chinese at unprefixed URLs, English under /en/, on every public page."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.html import escape, strip_tags

from .factories import ClarificationFactory, NoticeFactory, TopicFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def catalogues():
    return sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po"))


def test_there_is_a_simplified_chinese_catalogue():
    assert [path.parts[-3] for path in catalogues()] == ["zh_Hans"]


@pytest.mark.parametrize("path", catalogues(), ids=lambda path: path.parts[-3])
def test_every_message_in_the_catalogue_is_translated_and_none_is_fuzzy(path):
    catalogue = polib.pofile(str(path))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [], f"translate these in {path.name}: {untranslated}"
    assert fuzzy == [], f"check these fuzzy translations and remove the flag: {fuzzy}"


@pytest.mark.parametrize("path", catalogues(), ids=lambda path: path.parts[-3])
def test_translations_keep_the_placeholders_of_their_message(path):
    placeholder = re.compile(r"%\(\w+\)s")
    for entry in polib.pofile(str(path)).translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert set(placeholder.findall(text)) == set(placeholder.findall(entry.msgid)), entry.msgid


@pytest.mark.django_db
def test_the_home_page_is_chinese_at_the_root_and_english_under_en(client):
    chinese = client.get("/").content.decode()
    english = client.get("/en/").content.decode()
    assert '<html lang="zh-hans">' in chinese
    assert "转发之前，先查一查" in chinese
    assert "Check a rumor before you share it" not in chinese
    assert '<html lang="en">' in english
    assert "Check a rumor before you share it" in english
    assert "转发之前，先查一查" not in english


@pytest.fixture
def public_pages(db):
    topic = TopicFactory(name="交通出行", name_en="Transport")
    clarification = ClarificationFactory(topics=[topic])
    notice = NoticeFactory()
    return {
        "home": reverse("home:index"),
        # Browsers send a query string percent-encoded.
        "list": reverse("clarifications:list") + "?q=%E5%81%9C%E6%B0%B4&sort=published",
        "detail": clarification.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "notices": reverse("clarifications:notices"),
        "notice": notice.get_absolute_url(),
        "about": reverse("clarifications:about"),
        "how_to_report": reverse("clarifications:how_to_report"),
        "privacy": reverse("clarifications:privacy"),
        "open_data": reverse("opendata:index"),
    }


@pytest.mark.parametrize(
    ("prefix", "language", "switch_label", "nav_label"),
    [("", "zh-hans", "English", "举报谣言"), ("/en", "en", "简体中文", "Report a rumor")],
)
def test_every_public_page_renders_in_both_languages_with_a_switch_to_the_same_page(
    client, public_pages, prefix, language, switch_label, nav_label
):
    other_prefix = "/en" if prefix == "" else ""
    for name, path in public_pages.items():
        response = client.get(prefix + path)
        page = response.content.decode()
        assert response.status_code == 200, name
        assert f'<html lang="{language}">' in page, name
        assert nav_label in page, name
        # The switch leads to this very page (query string kept) in the other language.
        href = escape(iri_to_uri(other_prefix + path))
        assert re.search(rf'<a href="{re.escape(href)}"[^>]*>{switch_label}</a>', page), name


@pytest.mark.parametrize(
    ("path", "switch_href", "text"),
    [("/no-such-page/", "/en/no-such-page/", "页面不存在"), ("/en/no-such-page/", "/no-such-page/", "Page not found")],
)
@pytest.mark.django_db
def test_the_language_switch_works_on_a_404_page(client, path, switch_href, text):
    response = client.get(path)
    page = response.content.decode()
    assert response.status_code == 404
    assert text in page
    assert f'<a href="{switch_href}"' in page


def test_head_names_both_languages_and_a_default_with_hreflang(client, public_pages):
    page = client.get("/en" + public_pages["detail"]).content.decode()
    detail = public_pages["detail"]
    assert f'<link rel="alternate" hreflang="zh-hans" href="http://testserver{detail}">' in page
    assert f'<link rel="alternate" hreflang="en" href="http://testserver/en{detail}">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{detail}">' in page


@pytest.mark.django_db
def test_dates_and_verdicts_are_written_the_way_each_language_writes_them(client):
    clarification = ClarificationFactory(verdict="false", published_at=datetime(2025, 3, 3, 10, tzinfo=SHANGHAI))
    chinese = client.get(clarification.get_absolute_url()).content.decode()
    english = client.get("/en" + clarification.get_absolute_url()).content.decode()
    # The verdict as a screen reader reads it (the icon beside it is hidden from them).
    assert "2025年3月3日" in chinese
    assert "结论： 谣言" in strip_tags(chinese)
    assert "发布于" in chinese
    assert "3 March 2025" in english
    assert "Verdict: False" in strip_tags(english)


@pytest.mark.django_db
def test_the_result_count_is_translated_with_its_number(client):
    ClarificationFactory.create_batch(3)
    assert "共 3 条辟谣信息" in client.get(reverse("clarifications:list")).content.decode()
    assert "3 clarifications" in client.get("/en" + reverse("clarifications:list")).content.decode()


def test_the_default_language_is_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    with translation.override("zh-hans"):
        assert reverse("clarifications:list") == "/clarifications/"
    with translation.override("en"):
        assert reverse("clarifications:list") == "/en/clarifications/"


@pytest.mark.django_db
def test_a_clarification_in_the_other_language_marks_its_own_text_not_the_interface_around_it(client):
    clarification = ClarificationFactory(language="en", title="Water supply is normal", truth="Water is fine.")
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert '<article class="clarification">' in page
    assert '<h1 lang="en">Water supply is normal</h1>' in page
    assert '<p lang="en">Water is fine.</p>' in page
    # The interface's own headings stay in the page's language for screen readers.
    assert '<h2 id="truth-heading">真相</h2>' in page
