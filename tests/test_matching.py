"""A citizen pastes a forwarded message: the clarification of its rumor comes first, and the page says
how well it matched. Runs on SQLite and on PostgreSQL: the expected order is the same on both.
"""

import urllib.parse
import urllib.request
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from clarifications import search
from clarifications.models import Clarification, Status
from tips.models import Tip

from .factories import ClarificationFactory
from .servers import import_records, prepare, site_environment, start_gunicorn, stop_gunicorn

pytestmark = pytest.mark.django_db

CLAIMS = {
    "medical": (
        "网传医保个人账户余额年底清零",
        "医保个人账户里的钱今年年底会全部清零，没用完就作废，大家赶紧去药店买药",
    ),
    "subway": ("网传地铁2号线下周起停运三个月", "地铁2号线从下周一开始全线停运三个月进行改造，上班的朋友提前安排"),
    "social": ("网传社保卡下月起停用", "社保卡下个月起全部停用，必须到银行换领新卡，否则养老金无法发放"),
    "pension": ("网传养老金明年停发", "养老金明年起停止发放，改为一次性补贴"),
    "exam": ("网传中考取消体育考试", "今年中考取消体育考试，体育成绩不再计入总分"),
    "water": ("网传本市自来水被污染", "本市自来水被工厂废水污染，这几天千万不要喝自来水"),
    "vaccine": (
        "No, vaccines do not contain microchips",
        "The new vaccines contain microchips that track your location.",
    ),
    "flood": (
        "No, the city dam has not cracked",
        "The city dam has cracked and the river will flood downtown tonight.",
    ),
    "bank": ("No, banks will not freeze savings", "Banks will freeze all savings accounts over 50,000 next Monday."),
    "mask": (
        "No, masks do not cause oxygen deficiency",
        "Wearing a mask for more than an hour causes oxygen deficiency.",
    ),
}
ZH_WRAPPERS = [
    "【重要通知，请务必转发】各位亲朋好友：{}",
    "转给你关心的人🙏 {}",
    "{}，不转不是中国人！",
    "【扩散】{}",
    "家人们注意了！！{}",
    "紧急通知：{} 收到请回复",
    "刚刚朋友圈看到的：{}",
    "{}。看到的都转一下吧，功德无量🙏🙏",
    "各位群友早上好☀️ {}",
    "转自业主群：{}……",
    "内部消息，千万别外传：{}",
    "{}\n\n——转发自“城市生活圈”",
    "速看！{}，已经证实了",
    "老同学发的：{} 大家注意",
    "⚠️⚠️⚠️ {} ⚠️⚠️⚠️",
    "{} https://mp.weixin.qq.com/s/abc123",
    "今天上班听同事说，{}，是真的吗？",
    "[转发] {}",
    "重要的事情说三遍！{}！{}！",
    "群里都在传：{}。请大家互相转告。",
]
EN_WRAPPERS = [
    "FWD: {}",
    "Please share!! {}",
    "Forwarded as received: {}",
    "URGENT!!! {} Share with everyone you love 🙏",
    "My cousin who works at the hospital says {}",
    "{} Copy and paste, don't just share.",
    "Good morning friends ☀️ {}",
    "BREAKING: {}",
    "{} https://example.com/news/123",
    "Fw: Fw: Fw: {}",
    "Read this before it gets deleted: {}",
    "{}\n\nSent from my phone",
    "Heard at work today: {} Is it true?",
    "⚠️⚠️ {} ⚠️⚠️",
    "Family group: {} Stay safe everyone!",
    "Not sure if true but {}",
    "{} Pass it on!",
    "A friend in the police told me: {}",
    "IMPORTANT NOTICE {} PLEASE FORWARD",
    "Doctors don't want you to know: {}",
]


@pytest.fixture
def archive():
    """The clarifications of CLAIMS, plus others sharing the forwards' common words."""
    made = {}
    for key, (title, claim) in CLAIMS.items():
        language = "en" if title.startswith("No,") else "zh-hans"
        made[key] = ClarificationFactory(
            title=title,
            claim=claim,
            truth="经核实，该消息不实。" if language == "zh-hans" else "This is false.",
            language=language,
            published_at=timezone.now() - timedelta(days=len(made) + 1),
        )
    for number, text in enumerate(
        ["上班的朋友注意，本市天气转凉", "各位朋友，转发通知：本市举办马拉松", "请大家转发：社区通知"]
    ):
        ClarificationFactory(title=f"网传消息{number}", claim=text, published_at=timezone.now())
    return made


def best(text):
    return search.rank(Clarification.objects.published(), text)


@pytest.mark.parametrize("wrapper", ZH_WRAPPERS)
def test_a_chinese_claim_wrapped_in_a_forwarding_phrase_finds_its_clarification_first(archive, wrapper):
    for key in ("medical", "subway", "social", "pension", "exam", "water"):
        ranking = best(wrapper.format(CLAIMS[key][1], CLAIMS[key][1]))
        assert ranking.ids[0] == archive[key].pk, (key, wrapper)
        assert ranking.best_strength == search.Strength.STRONG


@pytest.mark.parametrize("wrapper", EN_WRAPPERS)
def test_an_english_claim_wrapped_in_a_forwarding_phrase_finds_its_clarification_first(archive, wrapper):
    for key in ("vaccine", "flood", "bank", "mask"):
        ranking = best(wrapper.format(CLAIMS[key][1]))
        assert ranking.ids[0] == archive[key].pk, (key, wrapper)
        assert ranking.best_strength == search.Strength.STRONG


def test_a_long_forward_with_a_preamble_finds_its_clarification_first(archive):
    message = (
        "【重要通知，请务必转发】各位亲朋好友，各位上班的朋友：\n"
        "今天社区群里说了好几件事，大家看一下。\n"
        + CLAIMS["medical"][1]
        + "。\n另外本市下周降温，出门多穿衣服。中考的家长也注意一下报名时间。\n转给你关心的人🙏🙏🙏"
    )
    assert best(message).ids[0] == archive["medical"].pk


def test_keywords_and_partial_quotes_still_find_their_clarification(archive):
    assert best("医保 清零").ids[0] == archive["medical"].pk
    assert best("2号线停运").ids[0] == archive["subway"].pk
    assert best("vaccine microchips").ids[0] == archive["vaccine"].pk
    assert best("freeze all savings accounts").ids[0] == archive["bank"].pk


def test_a_message_about_something_never_clarified_matches_nothing_strongly(archive):
    ranking = best("火星人入侵本市")
    assert ranking.ids  # 本市 is shared ...
    assert all(strength == search.Strength.RELATED for strength in ranking.strengths.values())  # ... and no more


def list_page(client, **data):
    with translation.override("en"):
        url = reverse("clarifications:list")
    return client.get(url, data)


def test_a_strong_match_is_announced_above_the_first_result(client, archive):
    page = list_page(client, q="转给你关心的人🙏 " + CLAIMS["water"][1]).content.decode()
    assert "This message matches the clarification below." in page
    assert page.index("This message matches") < page.index(CLAIMS["water"][0])
    # The rest of the archive shares one word with it (本市): nothing is listed as possibly related.
    assert "Possibly related" not in page


def test_a_few_matching_words_are_listed_without_a_claim_of_certainty(client, archive):
    page = list_page(client, q="医保").content.decode()
    assert CLAIMS["medical"][0] in page
    assert "This message matches" not in page
    assert "No clarification of this claim was found" not in page


def test_nothing_close_says_so_shows_the_nearest_as_possibly_related_and_offers_a_report(client, archive):
    page = list_page(client, q="火星人入侵本市").content.decode()
    assert "No clarification of this claim was found" in page
    assert page.index("No clarification") < page.index("Possibly related") < page.index(CLAIMS["water"][0])
    assert f'action="{reverse("tips:prefill")}"' in page
    assert '<input type="hidden" name="text" value="火星人入侵本市">' in page


def test_a_match_below_a_merely_related_first_result_is_counted_and_not_denied(client, db):
    # The first result holds one rare word in its title and claim (a high score, little of the text);
    # the second holds two of the three words in its body (a lower score, most of the text).
    related = ClarificationFactory(
        title="Zyxwv zyxwv", claim="Zyxwv one two three four five six seven", truth="—", body=""
    )
    matching = ClarificationFactory(title="Other news", claim="Something else entirely", truth="—", body="alpha beta")
    ranking = search.rank(Clarification.objects.published(), "zyxwv alpha beta")
    assert ranking.ids == [related.pk, matching.pk]
    assert [ranking.strengths[pk] for pk in ranking.ids] == [search.Strength.RELATED, search.Strength.MATCH]
    page = list_page(client, q="zyxwv alpha beta").content.decode()
    assert "1 clarification matches" in page
    assert "No clarification of this claim was found" not in page


def test_report_this_rumor_carries_the_pasted_text_into_the_tip_form(client):
    text = "【扩散】火星人入侵本市，" * 100  # longer than any address could carry
    response = client.post(reverse("tips:prefill"), {"text": text})
    assert response.status_code == 200
    assert "火星人入侵本市" in response.content.decode()
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    assert Tip.objects.count() == 0  # nothing is sent until the citizen sends the form


def test_a_short_posted_search_is_redirected_to_its_bookmarkable_address(client, archive):
    response = client.post(reverse("clarifications:list"), {"q": "医保 清零", "language": "zh-hans"})
    assert response.status_code == 302
    assert (
        response["Location"]
        == reverse("clarifications:list") + "?q=%E5%8C%BB%E4%BF%9D+%E6%B8%85%E9%9B%B6&language=zh-hans"
    )


def test_a_long_posted_message_is_answered_at_once(client, archive):
    message = ("各位亲朋好友，" * 150) + CLAIMS["subway"][1] + "。转给你关心的人🙏"
    response = client.post("/en" + reverse("clarifications:list"), {"q": message})
    assert response.status_code == 200
    page = response.content.decode()
    assert page.index("This message matches") < page.index(CLAIMS["subway"][0])


def test_suggestions_take_a_long_text_by_post_and_skip_unrelated_items(client, archive):
    message = "转给你关心的人🙏 " + CLAIMS["pension"][1] + "，" + "家人们注意了！" * 100
    results = client.post(reverse("clarifications:suggest"), {"q": message}).json()["results"]
    assert results[0]["title"] == CLAIMS["pension"][0]
    assert results[0]["strength"] == "strong"
    assert client.post(reverse("clarifications:suggest"), {"q": "火星人入侵本市"}).json()["results"] == []


def test_the_api_matches_a_posted_message(client, archive):
    message = "FWD: " + CLAIMS["mask"][1] + " Please share!! " * 50
    response = client.post("/api/clarifications/match/", {"text": message, "limit": 3}, content_type="application/json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) <= 3
    assert results[0]["title"] == CLAIMS["mask"][0]
    assert results[0]["match_strength"] == "strong"


def test_the_api_refuses_an_over_long_text_with_a_message(client, archive):
    response = client.post("/api/clarifications/match/", {"text": "x" * 2001}, content_type="application/json")
    assert response.status_code == 400
    assert "2000" in response.json()["text"][0]


@pytest.mark.parametrize("status", [Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN, "scheduled"])
def test_hidden_clarifications_never_match_a_pasted_message(client, status):
    claim = "明天起全市地铁免费乘坐一个月"
    if status == "scheduled":
        ClarificationFactory(title="网传地铁免费", claim=claim, published_at=timezone.now() + timedelta(days=1))
    else:
        published_at = timezone.now() if status == Status.WITHDRAWN else None
        ClarificationFactory(title="网传地铁免费", claim=claim, status=status, published_at=published_at)
    assert best("【扩散】" + claim).ids == []
    response = client.post("/api/clarifications/match/", {"text": claim}, content_type="application/json")
    assert response.json()["results"] == []


def english(tip):
    with translation.override("en"):
        return tip.get_absolute_url()


def test_a_tip_receipt_offers_only_real_matches(client, archive):
    unanswered = Tip.objects.create(text="火星人入侵本市，大家快跑", platform="wechat_group")
    page = client.get(english(unanswered)).content.decode()
    assert "We have not published a clarification of this message yet." in page
    assert "本市天气转凉" not in page
    answered = Tip.objects.create(text="【扩散】" + CLAIMS["exam"][1], platform="wechat_group")
    page = client.get(english(answered)).content.decode()
    assert CLAIMS["exam"][0] in page


@pytest.mark.subprocess
def test_a_two_thousand_character_paste_goes_through_gunicorn(tmp_path):
    """The home page's form posts; the search answers from the POST itself, in the page's language."""
    env = site_environment(tmp_path, WEB_CONCURRENCY="1")
    prepare(tmp_path, env)
    record = (
        '{"title": "网传地铁2号线停运", "claim": "地铁2号线从下周一开始全线停运三个月", "verdict": "false", '
        '"truth": "不实", "language": "zh-hans", "status": "published", "published_at": "2025-01-01T10:00:00+08:00"}'
    )
    import_records(env, record)
    process, base_url = start_gunicorn(env, log_path=tmp_path / "gunicorn.log")
    try:
        message = ("各位亲朋好友，请务必转发！" * 160)[:1982] + "地铁2号线从下周一开始全线停运三个月"
        assert len(message) >= 1990
        body = urllib.parse.urlencode({"q": message}).encode()
        request = urllib.request.Request(f"{base_url}/en/clarifications/", data=body)  # noqa: S310 (our own server)
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            page = response.read().decode()
        assert response.status == 200
        assert "This message matches the clarification below." in page
        assert "网传地铁2号线停运" in page
    finally:
        stop_gunicorn(process)


def test_the_search_page_says_it_takes_posted_messages(client):
    response = client.options(reverse("clarifications:list"))
    assert response.status_code == 200
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_the_list_and_the_screenshot_check_present_a_ranking_alike():
    """One rule (``Ranking.notice``) for every page that shows a pasted text's results."""
    from clarifications.search.ranking import Ranking, Strength

    def notice(*strengths):
        ids = list(range(len(strengths)))
        return Ranking(query=None, ids=ids, strengths=dict(zip(ids, strengths, strict=True))).notice()

    assert notice(Strength.STRONG, Strength.RELATED) == "strong"
    assert notice(Strength.MATCH) is None
    # A match below a merely related first result is still a match: not "nothing found".
    assert notice(Strength.RELATED, Strength.MATCH) is None
    assert notice(Strength.RELATED, Strength.RELATED) == "none"
    assert notice() == "none"
