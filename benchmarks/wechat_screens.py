"""WeChat-like phone screenshots, drawn with Pillow, for the OCR benchmark and the screenshot tests.

A chat (status bar, title bar, avatars, bubbles, in light or dark mode) or an article (title, account
line, paragraphs), in the Noto Sans CJK face the share pictures use (``clarifications.share_images``),
and the copies a rumor's picture goes through on its way: re-compressed, downscaled, the status bar
cropped off, photographed from another screen.
"""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

from clarifications.share_font import BOLD, REGULAR, font

LIGHT = {"page": (237, 237, 237), "bar": (237, 237, 237), "text": (25, 25, 25), "mine": (149, 236, 105)}
LIGHT |= {"theirs": (255, 255, 255), "muted": (140, 140, 140)}
DARK = {"page": (17, 17, 17), "bar": (30, 30, 30), "text": (220, 220, 220), "mine": (89, 178, 105)}
DARK |= {"theirs": (44, 44, 44), "muted": (120, 120, 120)}
NAMES = ["张阿姨", "李老师", "王建国", "小陈", "物业-刘经理", "Amy", "赵师傅"]
SMALL_TALK = ["收到", "谢谢分享！", "真的假的？", "转发到家长群了", "大家注意安全", "Ok 👍", "哪里看到的？"]


def wrap(text, face, width):
    """Lines of ``text`` no wider than ``width`` pixels, broken anywhere (Chinese has no spaces)."""
    lines, line = [], ""
    for char in text:
        if char == "\n":
            lines.append(line)
            line = ""
        elif face.getlength(line + char) > width and line:
            lines.append(line)
            line = char
        else:
            line += char
    return [*lines, line] if line else lines


def _status_bar(pen, width, scale, colours):
    face = font(round(30 * scale), BOLD)
    pen.rectangle((0, 0, width, round(88 * scale)), fill=colours["bar"])
    pen.text((round(40 * scale), round(44 * scale)), "9:41", font=face, fill=colours["text"], anchor="lm")
    pen.text((width - round(40 * scale), round(44 * scale)), "5G 87%", font=face, fill=colours["text"], anchor="rm")
    return round(88 * scale)


def chat(message, *, title="相亲相爱一家人(86)", width=750, height=1334, dark=False, seed=0):
    """A group chat whose longest bubble is ``message``, between a few short ones."""
    rng = random.Random(seed)
    colours = DARK if dark else LIGHT
    scale = width / 750
    image = Image.new("RGB", (width, height), colours["page"])
    pen = ImageDraw.Draw(image)
    top = _status_bar(pen, width, scale, colours)
    bar = round(96 * scale)
    pen.rectangle((0, top, width, top + bar), fill=colours["bar"])
    pen.text((width // 2, top + bar // 2), title, font=font(round(34 * scale), BOLD), fill=colours["text"], anchor="mm")
    face, small = font(round(32 * scale), REGULAR), font(round(24 * scale), REGULAR)
    y = top + bar + round(30 * scale)
    avatar, margin, pad = round(80 * scale), round(24 * scale), round(22 * scale)
    bubbles = [rng.choice(SMALL_TALK), message, rng.choice(SMALL_TALK), rng.choice(SMALL_TALK)]
    for index, text in enumerate(bubbles):
        mine = index == 2
        lines = wrap(text, face, width - 2 * (avatar + 2 * margin) - 2 * pad)
        line_height = round(46 * scale)
        box_width = max(face.getlength(line) for line in lines) + 2 * pad
        box_height = len(lines) * line_height + 2 * pad - round(8 * scale)
        if y + box_height > height:
            break
        if mine:
            x_avatar, x_box = width - margin - avatar, width - 2 * margin - avatar - box_width
        else:
            x_avatar, x_box = margin, 2 * margin + avatar
            pen.text((x_box, y - round(4 * scale)), rng.choice(NAMES), font=small, fill=colours["muted"], anchor="ls")
        tint = tuple(rng.randrange(90, 200) for _ in range(3))
        pen.rounded_rectangle((x_avatar, y, x_avatar + avatar, y + avatar), radius=round(8 * scale), fill=tint)
        fill = colours["mine"] if mine else colours["theirs"]
        pen.rounded_rectangle((x_box, y, x_box + box_width, y + box_height), radius=round(10 * scale), fill=fill)
        ink = (25, 25, 25) if mine else colours["text"]
        for number, line in enumerate(lines):
            pen.text((x_box + pad, y + pad + number * line_height), line, font=face, fill=ink)
        y += max(avatar, box_height) + round(48 * scale)
    return image


def article(title, body, *, account="城市生活圈", width=750, height=1334):
    """An official-account article: title, account line, then ``body`` in paragraphs."""
    colours = LIGHT
    scale = width / 750
    image = Image.new("RGB", (width, height), (255, 255, 255))
    pen = ImageDraw.Draw(image)
    y = _status_bar(pen, width, scale, colours | {"bar": (255, 255, 255)}) + round(40 * scale)
    margin = round(40 * scale)
    heading = font(round(44 * scale), BOLD)
    for line in wrap(title, heading, width - 2 * margin):
        pen.text((margin, y), line, font=heading, fill=(25, 25, 25))
        y += round(62 * scale)
    pen.text((margin, y + round(10 * scale)), account, font=font(round(28 * scale)), fill=(87, 107, 149))
    y += round(80 * scale)
    face = font(round(34 * scale))
    for paragraph in body.split("\n"):
        for line in wrap(paragraph, face, width - 2 * margin):
            if y + round(56 * scale) > height:
                return image
            pen.text((margin, y), line, font=face, fill=(50, 50, 50))
            y += round(56 * scale)
        y += round(30 * scale)
    return image


def encoded(image, image_format="PNG", **options):
    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def jpeg(image, quality=60):
    """The picture as it comes back after a forward or two: re-compressed."""
    return Image.open(io.BytesIO(encoded(image, "JPEG", quality=quality))).convert("RGB")


def half(image):
    return image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS)


def without_status_bar(image):
    """The same picture with the phone's status bar cropped off (as many people share it)."""
    return image.crop((0, round(88 * image.width / 750), image.width, image.height))


def photographed(image, seed=0):
    """A photo of the screen taken by another phone: bezel, a slight perspective, blur, noise, uneven light."""
    rng = random.Random(seed)
    width, height = image.size
    border = round(width * 0.06)
    canvas = Image.new("RGB", (width + 2 * border, height + 2 * border), (20, 20, 22))
    canvas.paste(image, (border, border))
    skew = width * 0.03
    # Pillow's QUAD: the source's upper-left, lower-left, lower-right and upper-right corners.
    upper_left = (rng.uniform(0, skew), rng.uniform(0, skew))
    lower_left = (rng.uniform(0, skew), canvas.height - rng.uniform(0, skew))
    corners = [upper_left, lower_left, (canvas.width, canvas.height), (canvas.width - rng.uniform(0, skew), 0)]
    quad = [coordinate for corner in corners for coordinate in corner]
    canvas = canvas.transform(canvas.size, Image.Transform.QUAD, quad, Image.Resampling.BICUBIC)
    canvas = canvas.rotate(rng.uniform(-2, 2), resample=Image.Resampling.BICUBIC, fillcolor=(20, 20, 22))
    canvas = canvas.filter(ImageFilter.GaussianBlur(1.1))
    light = Image.linear_gradient("L").resize(canvas.size).point(lambda value: 150 + value * 105 // 255)
    canvas = Image.composite(canvas, Image.new("RGB", canvas.size, (0, 0, 0)), light)
    noise = Image.effect_noise(canvas.size, 18).convert("RGB")
    return jpeg(Image.blend(canvas, noise, 0.08), quality=75)
