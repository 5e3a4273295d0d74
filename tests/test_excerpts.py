"""The truth shortened for the answer card, "copy for WeChat" and the share picture: whole when it fits,
otherwise cut after a sentence with "…"."""

from clarifications.excerpts import excerpt, excerpt_chars

TYPHOON = (
    "台风确将影响本市，市防汛防台指挥部已启动应急响应，全市中小学、幼儿园9月16日停课一天。"
    "但并未作出“全市停工停课三天”的决定，公共交通将视风力分线路临时调整，并非“全部停运”。"
)
PENSIONS = (
    "Retirees do need their pension eligibility confirmed once every 12 months, but most are verified "
    "automatically and others can do it online, with no citywide month-end deadline. If payments pause "
    "because verification lapses, they restart with arrears once eligibility is confirmed."
)


def test_a_truth_that_fits_is_kept_whole_with_its_white_space_collapsed():
    assert excerpt_chars("全市供水正常。\n没有停水计划。", 120) == "全市供水正常。 没有停水计划。"


def test_a_long_truth_is_cut_after_its_last_whole_sentence_that_fits():
    first_sentence = TYPHOON[: TYPHOON.index("。") + 1]
    assert excerpt_chars(TYPHOON, 60) == f"{first_sentence}…"
    assert excerpt(PENSIONS, fits=lambda text: len(text) <= 200).endswith("month-end deadline. …")


def test_a_first_sentence_too_long_even_for_twice_the_limit_is_cut_after_a_clause_then_a_word():
    assert excerpt_chars(PENSIONS, 80) == "Retirees do need their pension eligibility confirmed once every 12 months…"
    assert excerpt_chars(PENSIONS, 30) == "Retirees do need their…"


def test_a_decimal_point_is_not_the_end_of_a_sentence():
    assert excerpt_chars("Prices rose 3.5 percent in May and fell in June. Nothing else changed.", 60) == (
        "Prices rose 3.5 percent in May and fell in June. …"
    )
