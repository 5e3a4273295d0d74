"""Other words for the same thing: a text saying 新冠 finds the clarification saying 新型冠状病毒, from the
built-in list and from the office's own groups, which editors keep in the admin and which every worker
applies at its next search. Runs on SQLite and on PostgreSQL."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from clarifications import search
from clarifications.models import Clarification, ContentVersion, SynonymGroup

from .factories import ClarificationFactory

pytestmark = pytest.mark.django_db


def item(title, claim, days_ago=1, **kwargs):
    return ClarificationFactory(
        title=title, claim=claim, truth="—", body="", published_at=timezone.now() - timedelta(days=days_ago), **kwargs
    )


def first(text):
    ranking = search.rank(Clarification.objects.published(), text)
    return Clarification.objects.get(pk=ranking.ids[0]).title if ranking.ids else None


def titles(text):
    return [item.title for item in search.search(Clarification.objects.published(), text)]


def test_an_abbreviation_finds_the_clarification_that_writes_it_out():
    answered = item("网传喝板蓝根能预防新型冠状病毒不实", "喝板蓝根可以预防新型冠状病毒")
    item("网传喝板蓝根能治感冒不实", "喝板蓝根可以治感冒", days_ago=0)
    assert first("板蓝根防新冠") == answered.title


def test_the_long_form_finds_the_clarification_that_abbreviates_it():
    answered = item("网传地铁10号线停运不实", "地铁10号线下周停运")
    item("网传10号线公交停运不实", "10路公交下周停运", days_ago=0)
    assert first("轨道交通10号线停运") == answered.title


@pytest.mark.parametrize("text", ["USA bans TikTok", "U.S. bans TikTok", "America bans TikTok"])
def test_english_abbreviations_and_names_find_the_same_clarification(text):
    answered = item("No, the United States has not banned TikTok", "The United States bans TikTok next week.")
    item("No, India has not banned TikTok", "India bans TikTok next week.", days_ago=0)
    assert first(text) == answered.title


def test_the_texts_own_words_rank_above_another_form_of_them():
    own_words = item("网传新冠疫苗致癌不实", "新冠疫苗会致癌", days_ago=5)
    other_form = item("网传新型冠状病毒疫苗致癌不实", "新型冠状病毒疫苗会致癌", days_ago=1)
    assert titles("新冠疫苗致癌")[:2] == [own_words.title, other_form.title]


def test_another_form_adds_nothing_to_a_clarification_that_already_has_the_texts_words():
    both = item("网传新冠疫苗致癌", "新冠疫苗会致癌，新型冠状病毒疫苗不安全", days_ago=5)
    ranking = search.rank(Clarification.objects.published(), "新冠疫苗致癌", explain=True)
    alone = search.rank(
        Clarification.objects.published(), search.parse_query("新冠疫苗致癌").with_alternatives(()), explain=True
    )
    assert ranking.details[both.pk].terms == pytest.approx(alone.details[both.pk].terms)


# --- The office's own groups --------------------------------------------------------------------


@pytest.fixture
def sauerkraut():
    """The clarification the text 泡菜防癌 means, which says 酸菜, and a newer one sharing only 防癌."""
    answered = item("网传吃酸菜能防癌不实", "多吃酸菜能防癌", days_ago=5)
    item("网传吃大蒜能防癌不实", "多吃大蒜能防癌", days_ago=1)
    return answered


@pytest.fixture
def fresh_lists():
    """Each test starts from what a new worker knows: the built-in list, the office's read at first need."""
    search.synonyms.forget()
    yield
    search.synonyms.forget()


@pytest.mark.usefixtures("fresh_lists")
def test_a_group_added_by_an_editor_in_the_admin_finds_the_clarification(client, editor, sauerkraut):
    answered = sauerkraut
    assert first("泡菜防癌") != answered.title
    client.force_login(editor)
    response = client.post(
        reverse("admin:clarifications_synonymgroup_add"),
        {"forms": "酸菜，泡菜", "note": "东北叫法", "active": "on"},
    )
    assert response.status_code == 302
    assert first("泡菜防癌") == answered.title


@pytest.mark.usefixtures("fresh_lists")
def test_a_change_made_by_another_worker_is_applied_at_the_next_search_with_one_more_query_once(sauerkraut):
    answered = sauerkraut
    with CaptureQueriesContext(connection) as before:
        assert first("泡菜防癌") != answered.title
    # Another worker saves a group: this process still holds the list it read, under the old version.
    SynonymGroup.objects.create(forms="酸菜, 泡菜")
    with CaptureQueriesContext(connection) as after_change:
        assert first("泡菜防癌") == answered.title
    with CaptureQueriesContext(connection) as after_that:
        assert first("泡菜防癌") == answered.title
    # The list is read once, then the new form's statistics; after that searches cost what they did.
    assert len(after_change) == len(before) + 2
    assert len(after_that) == len(before)


@pytest.mark.usefixtures("fresh_lists")
def test_a_group_switched_off_or_deleted_no_longer_applies(sauerkraut):
    answered = sauerkraut
    group = SynonymGroup.objects.create(forms="酸菜, 泡菜")
    assert first("泡菜防癌") == answered.title
    SynonymGroup.objects.filter(pk=group.pk).update(active=False)
    assert first("泡菜防癌") != answered.title
    SynonymGroup.objects.filter(pk=group.pk).update(active=True)
    assert first("泡菜防癌") == answered.title
    group.delete()
    assert first("泡菜防癌") != answered.title


def test_editors_may_add_and_change_groups_and_only_publishers_delete_them(client, editor, publisher):
    group = SynonymGroup.objects.create(forms="酸菜, 泡菜")
    client.force_login(editor)
    change = reverse("admin:clarifications_synonymgroup_change", args=[group.pk])
    assert client.post(change, {"forms": "酸菜, 泡菜, 腌菜", "active": "on"}).status_code == 302
    group.refresh_from_db()
    assert group.forms == "酸菜, 泡菜, 腌菜"
    delete = reverse("admin:clarifications_synonymgroup_delete", args=[group.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.force_login(publisher)
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not SynonymGroup.objects.exists()


@pytest.mark.parametrize(
    ("forms", "message"),
    [
        ("泡菜", "Give at least two different words or phrases"),
        ("泡菜, 泡菜", "Give at least two different words or phrases"),
        ("USA, usa", "Give at least two different words or phrases"),
        ("泡菜, 菜", "The search cannot read 菜"),
        ("泡菜, 🥬", "The search cannot read 🥬"),
    ],
)
def test_a_group_the_search_cannot_use_is_refused_with_a_message(client, editor, english, forms, message):
    client.force_login(editor)
    response = client.post(reverse("admin:clarifications_synonymgroup_add"), {"forms": forms, "active": "on"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SynonymGroup.objects.exists()


def test_the_admin_list_shows_the_built_in_groups_beside_the_offices_own(client, editor, english):
    SynonymGroup.objects.create(forms="酸菜, 泡菜", note="东北叫法")
    client.force_login(editor)
    page = client.get(reverse("admin:clarifications_synonymgroup_changelist")).content.decode()
    assert "酸菜, 泡菜" in page
    assert "东北叫法" in page
    assert "built-in groups, applied to every search as well" in page
    assert "新冠, 新冠病毒, 新型冠状病毒" in page
    assert "USA, United States, U.S." in page


@pytest.mark.usefixtures("fresh_lists")
def test_a_cached_result_page_shows_a_new_group_at_the_next_visit(client, settings, sauerkraut):
    settings.PAGE_CACHE_ENABLED = True
    ContentVersion.forget()
    cache.clear()
    with translation.override("en"):
        url = reverse("clarifications:list")

    def first_result():
        page = client.get(url, {"q": "泡菜防癌"}).content.decode()
        return min(("网传吃酸菜能防癌不实", "网传吃大蒜能防癌不实"), key=page.index)

    assert first_result() == "网传吃大蒜能防癌不实"
    assert first_result() == "网传吃大蒜能防癌不实"  # from the cache
    SynonymGroup.objects.create(forms="酸菜, 泡菜")
    assert first_result() == sauerkraut.title
    ContentVersion.forget()
