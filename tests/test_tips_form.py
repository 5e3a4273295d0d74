"""A citizen reports a rumor through the public form; bad input is refused clearly and nothing is stored."""

import io
import os

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import ExifTags, Image

from tips.models import ReportStatus, Tip

from .tip_form import valid_data
from .tips_images import image_bytes, upload

pytestmark = pytest.mark.django_db

NEW = "/tips/new/"


def stored_files(root):
    return [os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names]


def test_the_form_is_at_the_contract_url_in_both_languages(client):
    assert reverse("tips:new") == NEW
    chinese = client.get(NEW)
    assert chinese.status_code == 200
    assert 'enctype="multipart/form-data"' in chinese.text
    assert 'name="csrfmiddlewaretoken"' in chinese.text
    assert reverse("clarifications:privacy") in chinese.text
    english = client.get("/en/tips/new/")
    assert english.status_code == 200
    assert "What did you see?" in english.text


def test_a_valid_tip_is_stored_and_leads_to_its_receipt(client):
    response = client.post(NEW, valid_data(seen_on="2025-03-01", link="https://mp.weixin.qq.com/s/abc"), follow=True)
    tip = Tip.objects.get()
    assert response.redirect_chain[-1][0] == f"/tips/{tip.code}/"
    assert tip.code in response.text
    assert "您的举报已收到" in response.text or "Thank you" in response.text
    assert tip.status == ReportStatus.NEW
    assert str(tip.seen_on) == "2025-03-01"
    assert tip.link == "https://mp.weixin.qq.com/s/abc"
    assert tip.language == "zh-hans"
    assert tip.rumor is not None


def test_the_reference_code_follows_the_contract(client):
    client.post(NEW, valid_data())
    code = Tip.objects.get().code
    assert len(code) == 11
    assert code[:2] == "T-"
    assert code[6] == "-"
    assert set(code[2:6] + code[7:]) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")


def test_the_client_address_is_kept_only_as_a_keyed_hash(client):
    client.post(NEW, valid_data(), REMOTE_ADDR="203.0.113.7")
    tip = Tip.objects.get()
    assert len(tip.client_hash) == 64
    assert "203.0.113.7" not in tip.client_hash


def test_an_english_tip_remembers_its_language(client):
    client.post("/en/tips/new/", valid_data(text="A message says the water will be cut for three days."))
    assert Tip.objects.get().language == "en"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"text": ""}, "text", "Please tell us what the message said."),
        ({"text": "hi"}, "text", "Please tell us a little more about the message."),
        ({"text": "x" * 2001}, "text", "at most 2000 characters"),
        ({"platform": "telegram"}, "platform", "Select a valid choice."),
        ({"seen_on": "yesterday"}, "seen_on", "Please enter a date such as 2025-03-01."),
        ({"seen_on": "2999-01-01"}, "seen_on", "This date is in the future."),
        ({"link": "not a link"}, "link", "Please enter a web address"),
        ({"contact_email": "nobody"}, "contact_email", "Please enter an e-mail address"),
    ],
)
def test_each_bad_field_is_refused_with_a_clear_message_and_nothing_is_stored(client, overrides, field, message):
    response = client.post("/en/tips/new/", valid_data(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert message.split("<")[0] in response.text.replace("&#x27;", "'")
    assert Tip.objects.count() == 0


def test_an_address_given_without_a_second_tick_is_accepted_and_recorded_as_the_request_to_write(client):
    response = client.post(NEW, valid_data(contact_email="citizen@example.com"))
    assert response.status_code == 302
    tip = Tip.objects.get()
    assert tip.contact_email == "citizen@example.com"
    assert tip.contact_consent is True


def test_the_sentence_beside_the_address_says_what_giving_it_means_and_no_box_is_asked_for(client):
    page = client.get("/en/tips/new/").text
    assert "Give it and we will e-mail you when we answer this report, and for nothing else." in page
    assert 'type="checkbox"' not in page


def test_no_address_records_no_consent(client):
    client.post(NEW, valid_data(contact_consent="on"))
    tip = Tip.objects.get()
    assert tip.contact_email == ""
    assert tip.contact_consent is False


def test_the_honeypot_refuses_a_bot_and_stores_nothing(client):
    response = client.post("/en/tips/new/", valid_data(website="http://spam.example"))
    assert response.status_code == 200
    assert "Your report could not be accepted" in response.text
    assert Tip.objects.count() == 0


def test_the_form_needs_a_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(NEW, valid_data())
    assert response.status_code == 403
    assert Tip.objects.count() == 0


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP"])
def test_a_screenshot_in_each_allowed_format_is_stored_privately(client, private_root, media_root, image_format):
    extension = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}[image_format]
    screenshot = upload(f"shot.{extension}", image_bytes(image_format), f"image/{extension}")
    client.post(NEW, valid_data(screenshot=screenshot))
    tip = Tip.objects.get()
    assert tip.screenshot.name.endswith(f".{extension}")
    files = stored_files(private_root)
    assert len(files) == 1
    assert not stored_files(media_root)
    with Image.open(files[0]) as stored:
        assert stored.format == image_format
        assert stored.size == (60, 40)


def test_gps_location_and_other_exif_data_are_removed_from_a_photo(client, private_root):
    original = image_bytes("JPEG", gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    client.post(NEW, valid_data(screenshot=upload("photo.jpg", original, "image/jpeg")))
    (path,) = stored_files(private_root)
    with Image.open(path) as stored:
        assert "exif" not in stored.info
        assert len(stored.getexif()) == 0
        assert not stored.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    with open(path, "rb") as raw:
        assert b"Citizen's phone" not in raw.read()


@pytest.mark.parametrize(
    ("screenshot", "message"),
    [
        (upload("notes.png", b"this is a text file, not a picture\n" * 20, "image/png"), "This file is not a picture"),
        (upload("broken.png", image_bytes("PNG")[:60], "image/png"), "This file is not a picture"),
        (upload("shot.gif", image_bytes("GIF"), "image/gif"), "Screenshots must be JPEG, PNG or WebP"),
        (upload("shot.bmp", image_bytes("BMP"), "image/bmp"), "Screenshots must be JPEG, PNG or WebP"),
    ],
    ids=["renamed-text-file", "corrupt-image", "gif", "bmp"],
)
def test_a_bad_upload_is_a_form_error_and_nothing_is_stored(client, private_root, screenshot, message):
    response = client.post("/en/tips/new/", valid_data(screenshot=screenshot))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["screenshot"])
    assert message in response.text
    assert Tip.objects.count() == 0
    assert not stored_files(private_root)


def test_a_too_large_screenshot_is_refused_with_the_limit(client, settings, private_root):
    settings.TIPS_MAX_UPLOAD_BYTES = 1024 * 1024
    # Random pixels do not compress: a real picture just over the limit.
    noisy = Image.frombytes("RGB", (620, 620), os.urandom(620 * 620 * 3))
    buffer = io.BytesIO()
    noisy.save(buffer, "PNG")
    big = buffer.getvalue()
    assert 1024 * 1024 < len(big) < 1024 * 1024 + 256 * 1024
    response = client.post("/en/tips/new/", valid_data(screenshot=upload("big.png", big)))
    assert "The screenshot is too large" in response.text
    assert "The limit is 1 MB" in response.text
    assert Tip.objects.count() == 0
    assert not stored_files(private_root)


def test_a_decompression_bomb_is_refused_without_decoding_it(client, private_root):
    # A small file that claims 7000 x 7000 pixels, more than any screenshot.
    buffer = io.BytesIO()
    Image.new("1", (7000, 7000)).save(buffer, "PNG")
    assert len(buffer.getvalue()) < 100_000
    response = client.post("/en/tips/new/", valid_data(screenshot=upload("bomb.png", buffer.getvalue())))
    assert response.status_code == 200
    assert response.context["form"].errors["screenshot"]
    assert Tip.objects.count() == 0


def test_an_over_long_body_is_refused_before_it_is_read(client, settings):
    settings.TIPS_MAX_UPLOAD_BYTES = 1024 * 1024
    response = client.post(
        "/en/tips/new/", valid_data(screenshot=upload("huge.png", b"\0" * (2 * 1024 * 1024))), follow=False
    )
    assert response.status_code == 413
    assert "too large" in response.text
    assert "1 MB" in response.text
    assert Tip.objects.count() == 0


def test_a_tip_submitted_today_can_say_it_was_seen_today(client):
    client.post(NEW, valid_data(seen_on=timezone.localdate().isoformat()))
    assert Tip.objects.get().seen_on == timezone.localdate()


def png_header(width, height):
    """The first bytes of a PNG that claims ``width`` x ``height`` pixels: all a decoder reads first."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(6000, 6600), (30000, 30000)])
def test_a_picture_with_too_many_pixels_is_refused_with_the_limit(client, private_root, width, height):
    response = client.post("/en/tips/new/", valid_data(screenshot=upload("huge.png", png_header(width, height))))
    assert response.status_code == 200
    assert "The screenshot has too many pixels. The limit is 20 megapixels." in response.text
    assert Tip.objects.count() == 0
    assert not stored_files(private_root)


def test_the_form_says_the_size_and_pixel_limits(client):
    assert "at most 5 MB and 20 megapixels" in client.get("/en/tips/new/").text


def test_a_large_jpeg_is_stored_scaled_down_and_upright(client, private_root):
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 120, 200)).save(buffer, "JPEG", quality=50)
    response = client.post(NEW, valid_data(screenshot=upload("big.jpg", buffer.getvalue(), "image/jpeg")))
    assert response.status_code == 302
    with Image.open(Tip.objects.get().screenshot.path) as stored:
        assert stored.size == (2000, 1500)


def test_a_phones_multi_picture_jpeg_is_accepted_as_a_jpeg(client, private_root):
    buffer = io.BytesIO()
    main, preview = Image.new("RGB", (120, 80), (200, 30, 30)), Image.new("RGB", (60, 40), (0, 0, 0))
    main.save(buffer, "MPO", save_all=True, append_images=[preview])
    with Image.open(io.BytesIO(buffer.getvalue())) as check:
        assert check.format == "MPO"
    response = client.post(NEW, valid_data(screenshot=upload("photo.jpg", buffer.getvalue(), "image/jpeg")))
    assert response.status_code == 302
    tip = Tip.objects.get()
    assert tip.screenshot.name.endswith(".jpg")
    with Image.open(tip.screenshot.path) as stored:
        assert (stored.format, stored.size) == ("JPEG", (120, 80))


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_a_screenshot_loses_its_comment_and_colour_profile(client, private_root, image_format):
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    options = {"comment": b"shot at Home Street 5"} if image_format == "JPEG" else {}
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buffer, image_format, icc_profile=profile, **options)
    kind = "image/jpeg" if image_format == "JPEG" else "image/png"
    client.post(NEW, valid_data(screenshot=upload(f"shot.{image_format.lower()}", buffer.getvalue(), kind)))
    with open(Tip.objects.get().screenshot.path, "rb") as raw:
        stored = raw.read()
    assert b"Home Street" not in stored
    assert b"sRGB" not in stored
    assert b"ICC_PROFILE" not in stored
    assert b"iCCP" not in stored
