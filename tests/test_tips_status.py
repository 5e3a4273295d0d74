"""A citizen follows their report with its code; the page never shows who sent it."""

import pytest
from django.utils import translation

from tips.models import ReportStatus, normalise_tip_code

from .factories import ClarificationFactory, TipFactory

pytestmark = pytest.mark.django_db


def test_the_status_page_shows_text_date_and_status(client):
    tip = TipFactory(text="网传某小区自来水被污染")
    response = client.get(f"/en/tips/{tip.code}/")
    assert response.status_code == 200
    assert tip.code in response.text
    assert "网传某小区自来水被污染" in response.text
    assert "Received" in response.text
    assert 'name="robots" content="noindex"' in response.text


def test_the_status_page_never_shows_contact_data(client):
    tip = TipFactory(with_contact=True, client_hash="f" * 64)
    response = client.get(f"/tips/{tip.code}/")
    assert response.status_code == 200
    assert "citizen@example.com" not in response.text
    assert "f" * 64 not in response.text


@pytest.mark.parametrize("code", ["T-0000-0000", "T-ABCD", "nonsense", "T-ABCD-EFGU", "T-IIII-IIII-II"])
def test_an_unknown_or_malformed_code_is_a_404(client, code):
    TipFactory()
    assert client.get(f"/tips/{code}/").status_code == 404


def test_a_code_typed_loosely_leads_to_its_page(client):
    tip = TipFactory()
    loose = tip.code.lower().replace("-", "").replace("0", "o").replace("1", "l")
    response = client.get(f"/tips/{loose}/")
    assert response.status_code == 302
    assert response["Location"] == f"/tips/{tip.code}/"


def test_the_lookup_form_takes_a_citizen_to_their_report(client):
    tip = TipFactory()
    response = client.get("/tips/", {"code": f" {tip.code.lower()} "})
    assert response["Location"] == f"/tips/{tip.code}/"
    assert "This is not a reference code" in client.get("/en/tips/", {"code": "ABC"}).text


def test_normalising_follows_crockford(settings):
    assert normalise_tip_code("t-4f7k-9qxm") == "T-4F7K-9QXM"
    assert normalise_tip_code("T-4F7K-9QXU") is None
    assert normalise_tip_code("T4F7K9QXMZ") is None


def test_an_open_tip_shows_matching_clarifications(client):
    clarification = ClarificationFactory(title="全市停水三天的消息不实", claim="明天起全市停水三天")
    tip = TipFactory(text="明天起全市停水三天")
    response = client.get(f"/tips/{tip.code}/")
    assert clarification.title in response.text


def test_a_strong_match_on_the_receipt_is_the_answer_card_with_its_share_kit(client, django_assert_max_num_queries):
    clarification = ClarificationFactory(
        title="全市停水三天的消息不实", claim="明天起全市停水三天", truth="全市供水正常。", authority_name="市水务局"
    )
    ClarificationFactory.create_batch(3, title="网传全市停水不实", claim="全市停水三天，请转发")
    tip = TipFactory(text="明天起全市停水三天")
    # The rate limit's seven, the tip, the search's four, the cards' topics: as many for four cards as for one.
    with django_assert_max_num_queries(14):
        page = client.get(f"/tips/{tip.code}/").text
    card = page[page.index('<article class="answer-card') : page.index("</article>", page.index("answer-card"))]
    assert clarification.title in card
    assert "全市供水正常。" in card
    assert "市水务局" in card
    assert "data-share-wechat" in card
    assert page.count('class="card-title"') == 3


def test_the_page_shows_the_clarification_once_answered(client):
    clarification = ClarificationFactory(title="地铁停运传言不实")
    tip = TipFactory(status=ReportStatus.ANSWERED, clarification=clarification)
    response = client.get(f"/en/tips/{tip.code}/")
    assert "Our answer" in response.text
    assert clarification.title in response.text
    assert clarification.get_absolute_url() in response.text


def test_a_duplicate_shows_the_answer_of_its_original(client):
    clarification = ClarificationFactory(title="地铁停运传言不实")
    original = TipFactory(status=ReportStatus.ANSWERED, clarification=clarification)
    duplicate = TipFactory(status=ReportStatus.DUPLICATE, duplicate_of=original)
    assert clarification.title in client.get(f"/tips/{duplicate.code}/").text


def test_an_unpublished_answer_is_not_shown(client):
    clarification = ClarificationFactory(title="草稿中的澄清", draft=True)
    tip = TipFactory(status=ReportStatus.ANSWERED, clarification=clarification)
    assert "草稿中的澄清" not in client.get(f"/tips/{tip.code}/").text


def test_the_header_and_home_page_lead_to_the_tip_form(client):
    home = client.get("/")
    assert home.text.count('href="/tips/new/"') >= 2
    how_to = client.get("/how-to-report/")
    assert 'href="/tips/new/"' in how_to.text


def test_the_privacy_page_states_how_long_personal_data_is_kept(client, settings):
    settings.TIPS_PERSONAL_DATA_DAYS = 45
    assert "deleted after 45 days" in client.get("/en/privacy/").text


def test_the_status_page_and_the_code_look_up_are_rate_limited_per_client(client, settings):
    settings.TIPS_LOOKUP_RATE = "3/10m"
    status_url = f"/en/tips/{TipFactory().code}/"
    assert client.get(status_url).status_code == 200
    assert client.get("/en/tips/", {"code": "T-0000-0000"}).status_code == 302
    assert client.get("/en/tips/T-1111-1111/").status_code == 404
    refused = client.get(status_url)
    assert refused.status_code == 429
    assert "Too many look-ups" in refused.text
    assert client.get("/en/tips/", {"code": "T-2222-2222"}).status_code == 429
    # Another client is not affected.
    assert client.get(status_url, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_an_unknown_code_says_so_and_offers_the_code_box_again(client):
    TipFactory(code="T-4F7K-9QXM")
    response = client.get("/en/tips/t-4f7k-9qxn/")
    assert response.status_code == 404
    assert "No report has the code T-4F7K-9QXN." in response.text
    assert 'name="code" value="T-4F7K-9QXN"' in response.text
    # Not the site's page for a missing page, with its rumor search box.
    assert 'name="q"' not in response.text.split("<main", 1)[1]
    with translation.override("zh-hans"):
        message = translation.gettext(
            "No report has the code %(code)s. Please check the code you were given and type it again."
        )
    assert message % {"code": "T-4F7K-9QXN"} in client.get("/tips/T-4F7K-9QXN/").text


def test_the_look_up_form_leads_an_unknown_code_to_the_same_answer(client):
    response = client.get("/en/tips/", {"code": "4f7k9qxn"}, follow=True)
    assert response.status_code == 404
    assert "No report has the code T-4F7K-9QXN." in response.text


@pytest.mark.parametrize("typed", ["4F7K9QXM", "t4f7k-9qxm", "T 4F7K 9QXM", "4f7k-9qxm"])
def test_a_code_typed_without_its_t_prefix_is_found(client, typed):
    tip = TipFactory(code="T-4F7K-9QXM")
    assert client.get("/tips/", {"code": typed})["Location"] == f"/tips/{tip.code}/"


def test_a_code_whose_first_character_is_t_can_be_typed_without_the_prefix(client):
    tip = TipFactory(code="T-T4F7-K9QX")
    assert normalise_tip_code("t4f7k9qx") == "T-T4F7-K9QX"
    assert normalise_tip_code("T-T4F7-K9QX") == "T-T4F7-K9QX"
    assert client.get("/tips/", {"code": "T4F7K9QX"})["Location"] == f"/tips/{tip.code}/"
