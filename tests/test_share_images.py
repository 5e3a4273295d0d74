"""The picture drawn for sharing a clarification: real Chinese glyphs, the verdict, cached until it changes."""

import io
import json
from pathlib import Path

import pytest
import segno
from django.utils import translation
from PIL import Image, ImageChops

from clarifications import share_font, share_images
from clarifications.excerpts import ELLIPSIS, SENTENCE_END
from clarifications.share_images import Layout, font

from .factories import ClarificationFactory

pytestmark = pytest.mark.django_db


def picture(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    return Image.open(io.BytesIO(response.content)).convert("L")


def dark_pixels(image):
    return sum(image.point(lambda value: 255 if value < 100 else 0).histogram()[255:])


def test_the_font_has_real_glyphs_for_chinese_not_boxes():
    face = font(48)
    missing = face.getmask("\U000f0000")  # a private-use character no font has: the "tofu" box
    for char in "谣言真相网传辟办公室":
        mask = face.getmask(char)
        assert mask.getbbox(), f"{char} draws nothing"
        assert bytes(mask) != bytes(missing), f"{char} is drawn as a box"
    # Different characters give different shapes (boxes would all look alike).
    assert bytes(face.getmask("谣言")) != bytes(face.getmask("真相"))


def test_the_picture_has_the_size_for_link_previews_and_for_moments(client):
    clarification = ClarificationFactory()
    assert picture(client, f"/clarifications/{clarification.pk}/share.png").size == (1200, 630)
    assert picture(client, f"/clarifications/{clarification.pk}/share-square.png").size == (1080, 1080)


def test_the_chinese_truth_is_drawn_in_dark_glyph_strokes_that_differ_with_the_text(client):
    first = ClarificationFactory(truth="全市供水正常，没有停水计划。")
    second = ClarificationFactory(truth="地铁运营正常，没有停运安排。")
    # Between the verdict stamp and the footer: the rumor (the same in both) and the truth.
    region = (64, 240, 1136, 530)
    one = picture(client, f"/clarifications/{first.pk}/share.png").crop(region)
    two = picture(client, f"/clarifications/{second.pk}/share.png").crop(region)
    assert dark_pixels(one) > 2000, "no dark text where the truth should be"
    difference = ImageChops.difference(one, two).point(lambda value: 255 if value > 100 else 0)
    assert dark_pixels(difference.point(lambda value: 255 - value)) > 1000, "different text, same pixels"


def test_the_verdict_stamp_is_in_the_verdicts_colour(client):
    clarification = ClarificationFactory(verdict="false")
    response = client.get(f"/clarifications/{clarification.pk}/share.png")
    stamp = Image.open(io.BytesIO(response.content)).convert("RGB").crop((64, 140, 400, 240))
    colours = {colour for _count, colour in stamp.getcolors(100000)}
    assert share_images.VERDICT_COLOURS["false"] in colours


def test_the_picture_is_cached_and_drawn_again_when_the_clarification_changes(client, monkeypatch):
    clarification = ClarificationFactory(truth="全市供水正常。")
    url = f"/clarifications/{clarification.pk}/share.png"
    drawn = []
    original = share_images.draw
    monkeypatch.setattr(share_images, "draw", lambda *args: drawn.append(args) or original(*args))
    before = client.get(url)
    client.get(url)
    assert len(drawn) == 1, "the second request should come from the cache"
    assert client.get(url, HTTP_IF_NONE_MATCH=before["ETag"]).status_code == 304
    clarification.truth = "全市供水正常，水质达标。"
    clarification.save()
    after = client.get(url)
    assert len(drawn) == 2
    assert after["ETag"] != before["ETag"]
    assert after.content != before.content


def test_the_english_picture_speaks_english(client, monkeypatch):
    clarification = ClarificationFactory(verdict="true")
    words = []
    real_text = share_images.ImageDraw.ImageDraw.text
    monkeypatch.setattr(
        share_images.ImageDraw.ImageDraw,
        "text",
        lambda self, xy, text, **kw: words.append(text) or real_text(self, xy, text, **kw),
    )
    client.get(f"/en/clarifications/{clarification.pk}/share.png")
    assert "True" in words
    assert "City Internet Information Office" in words
    assert any(line.startswith("The truth: ") for line in words)


def test_a_withdrawn_clarification_is_pictured_as_withdrawn(client, monkeypatch):
    clarification = ClarificationFactory(withdrawn=True)
    words = []
    real_text = share_images.ImageDraw.ImageDraw.text
    monkeypatch.setattr(
        share_images.ImageDraw.ImageDraw,
        "text",
        lambda self, xy, text, **kw: words.append(text) or real_text(self, xy, text, **kw),
    )
    client.get(f"/clarifications/{clarification.pk}/share.png")
    assert "已撤回" in words
    assert "谣言" not in words


@pytest.mark.parametrize("trait", ["draft", "in_review", "scheduled"])
def test_nothing_unpublished_has_a_picture(client, trait):
    clarification = ClarificationFactory(**{trait: True})
    assert client.get(f"/clarifications/{clarification.pk}/share.png").status_code == 404


def test_the_page_offers_the_picture_to_save_for_wechat(client):
    clarification = ClarificationFactory()
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert f'<a class="button-secondary" href="/clarifications/{clarification.pk}/share-square.png">' in page


def test_the_cache_follows_every_word_drawn_including_names_and_language(settings):
    clarification = ClarificationFactory()
    url = "https://piyao.example/clarifications/1/"
    key = share_images.cache_key(clarification, "wide", "zh-hans", url)
    assert share_images.cache_key(clarification, "wide", "en", url) != key
    assert share_images.cache_key(clarification, "wide", "zh-hans", "https://other.example/clarifications/1/") != key
    settings.OFFICE_NAME = "区互联网信息办公室"
    assert share_images.cache_key(clarification, "wide", "zh-hans", url) != key


# --- The truth fits its box, whole or cut after a sentence; the QR code holds the page's address ---

DEMO = Path(share_images.__file__).parent / "demo" / "clarifications.jsonl"


def longest_demo(language):
    rows = [json.loads(line) for line in DEMO.read_text(encoding="utf-8").splitlines() if line.strip()]
    row = max((row for row in rows if row["language"] == language), key=lambda row: len(row["truth"]))
    return ClarificationFactory.build(
        pk=1,
        title=row["title"],
        claim=row["claim"],
        verdict=row["verdict"],
        truth=row["truth"],
        authority_name=row["authority"]["name"],
        language=language,
    )


def drawn_texts(monkeypatch, clarification, variant, language):
    """[(text, (left, top, right, bottom))] of every text the picture draws, in order."""
    drawn = []
    real_text = share_images.ImageDraw.ImageDraw.text

    def text(self, xy, words, **kw):
        drawn.append((words, self.textbbox(xy, words, font=kw.get("font"), anchor=kw.get("anchor"))))
        return real_text(self, xy, words, **kw)

    monkeypatch.setattr(share_images.ImageDraw.ImageDraw, "text", text)
    with translation.override(language):
        share_images.draw(clarification, variant, "https://piyao.example/clarifications/1/")
    return drawn


def truth_lines(drawn, language):
    with translation.override(language):
        label = share_images.words(ClarificationFactory.build(), "")["truth_label"]
        scan = share_images.words(ClarificationFactory.build(), "")["scan"]
    texts = [text for text, _box in drawn]
    start = next(index for index, text in enumerate(texts) if text.startswith(label))
    return drawn[start : texts.index(scan)], label


def joined(lines):
    """The lines as one text: Chinese lines join without a space, English ones with one."""
    text = ""
    for line, _box in lines:
        text += line if not text or not (text[-1].isascii() and line[0].isascii()) else " " + line
    return text


@pytest.mark.parametrize("variant", ["wide", "square"])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_longest_demo_truth_is_drawn_inside_its_box_whole_or_cut_after_a_sentence(monkeypatch, variant, language):
    clarification = longest_demo(language)
    layout = Layout(variant)
    drawn = drawn_texts(monkeypatch, clarification, variant, language)
    qr = (layout.qr_left, layout.qr_top, layout.qr_left + layout.qr_size, layout.qr_bottom)
    with translation.override(language):
        caption = share_images.words(clarification, "")["scan"]
    for text, (left, top, right, bottom) in drawn:
        assert 0 <= left <= right <= layout.width, text
        assert 0 <= top <= bottom <= layout.height, text
        if top > layout.band:  # below the header band, text keeps the margins and clear of the QR code
            assert layout.margin - 2 <= left <= right <= layout.width - layout.margin + 2, text
            clear = right <= qr[0] or left >= qr[2] or bottom <= qr[1] or top >= qr[3]
            assert clear or text == caption, f"{text} covers the QR code"
    lines, label = truth_lines(drawn, language)
    for line, (_left, _top, _right, bottom) in lines:
        assert bottom <= layout.rule, f"{line} runs into the footer"
    shown = joined(lines)[len(label) :]
    truth = " ".join(clarification.truth.split())
    if shown != truth:
        assert shown.endswith(ELLIPSIS), shown
        kept = shown[: -len(ELLIPSIS)].rstrip()
        assert truth.startswith(kept), f"not cut after a sentence: {shown}"
        assert SENTENCE_END.search(kept[-3:]), f"not cut after a sentence: {shown}"
    # The square picture, made for Moments, has the room for the whole truth in both languages.
    if variant == "square":
        assert shown == truth


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_truth_too_long_for_the_picture_is_cut_after_its_last_whole_sentence(monkeypatch, language):
    sentence = {
        "zh-hans": "经市交通委员会核实，本市地铁各线路运营正常，网传的全线停运安排并不存在，请市民以官方发布为准。",
        "en": "The transport commission confirms that every subway line runs as usual and no closure is planned. ",
    }[language]
    clarification = ClarificationFactory.build(pk=1, truth=(sentence * 6)[:500], language=language)
    lines, label = truth_lines(drawn_texts(monkeypatch, clarification, "wide", language), language)
    shown = joined(lines)[len(label) :]
    assert shown.endswith(ELLIPSIS)
    kept = shown[: -len(ELLIPSIS)].rstrip()
    assert kept.endswith(sentence.strip()[-1])
    assert clarification.truth.startswith(kept)
    assert len(kept) >= len(sentence.strip()), "at least the first sentence is shown"


def test_the_qr_code_holds_the_address_of_the_page_in_its_language(client):
    clarification = ClarificationFactory()
    address = f"http://testserver/en{clarification.get_absolute_url()}"
    for variant, path in [("square", "share-square.png"), ("wide", "share.png")]:
        image = picture(client, f"/en/clarifications/{clarification.pk}/{path}")
        layout = Layout(variant)
        box = (layout.qr_left, layout.qr_top, layout.qr_left + layout.qr_size, layout.qr_top + layout.qr_size)
        code = image.crop(box).point(lambda value: 255 if value < 100 else 0)
        left, top, right, _bottom = code.getbbox()
        expected = segno.make_qr(address, error="m", boost_error=False).matrix
        size = len(expected)
        module = (right - left) / size
        assert module >= 4, "modules too small to scan from a phone screen"
        centres = [(left + (x + 0.5) * module, top + (y + 0.5) * module) for y in range(size) for x in range(size)]
        dark = [int(code.getpixel((int(x), int(y))) > 0) for x, y in centres]
        read = [dark[row * size : (row + 1) * size] for row in range(size)]
        assert read == [list(row) for row in expected], f"the {variant} QR code does not hold {address}"


def test_bold_text_is_set_in_the_bold_face_of_the_system_font():
    regular, bold = share_font.font_file(share_font.REGULAR), share_font.font_file(share_font.BOLD)
    assert regular
    assert bold
    assert regular != bold
    assert font(48, share_font.BOLD).getname() == ("Noto Sans CJK SC", "Bold")


def test_without_a_chinese_font_the_check_warns_and_clarifications_share_the_default_picture(client, settings):
    settings.SHARE_FONT_PATH = "/nonexistent/NotoSansCJK-Regular.ttc"
    warnings = share_font.check_share_font(None)
    assert [warning.id for warning in warnings] == ["piyao.W002"]
    assert "/nonexistent/NotoSansCJK-Regular.ttc" in warnings[0].msg
    clarification = ClarificationFactory()
    response = client.get(f"/clarifications/{clarification.pk}/share.png")
    assert response.status_code == 302
    assert response["Location"] == "/static/img/share-default.png"
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert '<meta property="og:image" content="http://testserver/static/img/share-default.png">' in page
    with pytest.raises(share_font.FontMissing):
        font(48)


def test_a_font_named_in_the_setting_is_used(settings):
    settings.SHARE_FONT_PATH = share_font.DEBIAN_FONT.replace("Regular", "Bold")
    assert share_font.check_share_font(None) == []
    assert font(48).getname() == ("Noto Sans CJK SC", "Bold")
