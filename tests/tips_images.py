"""Pictures for the tip tests, made with Pillow in memory."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (31.0, 14.0, 0.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (121.0, 28.0, 0.0),
}


def image_bytes(image_format="PNG", size=(60, 40), gps=False):
    exif = Image.Exif()
    if gps:
        exif[ExifTags.Base.Model] = "Citizen's phone"
        exif[ExifTags.IFD.GPSInfo] = GPS
    buffer = io.BytesIO()
    options = {"exif": exif} if gps else {}
    Image.new("RGB", size, (200, 30, 30)).save(buffer, image_format, **options)
    return buffer.getvalue()


def upload(name="screenshot.png", content=None, content_type="image/png"):
    return SimpleUploadedFile(name, image_bytes() if content is None else content, content_type=content_type)
