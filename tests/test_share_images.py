"""The picture drawn for sharing a clarification: real Chinese glyphs, the verdict, cached until it changes."""

import io

import pytest
from PIL import Image, ImageChops

from clarifications import share_font, share_images
from clarifications.share_images import font

from .factories import ClarificationFactory

pytestmark = pytest.mark.django_db


def picture(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
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
    assert len(drawn) == 2 and after["ETag"] != before["ETag"]
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
    assert "True" in words and "City Internet Information Office" in words
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
    assert "已撤回" in words and "谣言" not in words


@pytest.mark.parametrize("trait", ["draft", "in_review", "scheduled"])
def test_nothing_unpublished_has_a_picture(client, trait):
    clarification = ClarificationFactory(**{trait: True})
    assert client.get(f"/clarifications/{clarification.pk}/share.png").status_code == 404


def test_the_page_offers_the_picture_to_save_for_wechat(client):
    clarification = ClarificationFactory()
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert f'<a href="/clarifications/{clarification.pk}/share-square.png">分享到微信的图片</a>' in page


def test_the_cache_follows_every_word_drawn_including_names_and_language(settings):
    clarification = ClarificationFactory()
    key = share_images.cache_key(clarification, "wide", "zh-hans")
    assert share_images.cache_key(clarification, "wide", "en") != key
    settings.OFFICE_NAME = "区互联网信息办公室"
    assert share_images.cache_key(clarification, "wide", "zh-hans") != key


def test_bold_text_is_set_in_the_bold_face_of_the_system_font():
    regular, bold = share_font.font_file(share_images.REGULAR), share_font.font_file(share_images.BOLD)
    assert regular and bold and regular != bold
    assert font(48, share_images.BOLD).getname() == ("Noto Sans CJK SC", "Bold")


def test_without_a_chinese_font_the_check_warns_and_clarifications_share_the_default_picture(client, settings):
    settings.SHARE_FONT_PATH = "/nonexistent/NotoSansCJK-Regular.ttc"
    warnings = share_font.check_share_font(None)
    assert [warning.id for warning in warnings] == ["piyao.W002"]
    assert "/nonexistent/NotoSansCJK-Regular.ttc" in warnings[0].msg
    clarification = ClarificationFactory()
    response = client.get(f"/clarifications/{clarification.pk}/share.png")
    assert response.status_code == 302 and response["Location"] == "/static/img/share-default.png"
    page = client.get(clarification.get_absolute_url()).content.decode()
    assert '<meta property="og:image" content="http://testserver/static/img/share-default.png">' in page
    with pytest.raises(share_font.FontMissing):
        font(48)


def test_a_font_named_in_the_setting_is_used(settings):
    settings.SHARE_FONT_PATH = share_font.DEBIAN_FONT.replace("Regular", "Bold")
    assert share_font.check_share_font(None) == []
    assert font(48).getname() == ("Noto Sans CJK SC", "Bold")
