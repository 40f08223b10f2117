"""The demo's pictures, drawn here with Pillow so that the demo needs no other server: a
portrait for each writer, a cover for each post. The same seed draws the same picture."""

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

Colour = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    name: str
    ground: Colour
    accent: Colour
    deep: Colour


PALETTES = [
    Palette("teal", (222, 235, 231), (47, 111, 115), (24, 61, 64)),
    Palette("terracotta", (245, 232, 214), (214, 122, 74), (120, 60, 40)),
    Palette("indigo", (230, 233, 245), (88, 104, 178), (40, 48, 99)),
    Palette("moss", (238, 244, 222), (112, 150, 62), (52, 78, 30)),
    Palette("rose", (246, 226, 230), (190, 84, 110), (98, 36, 55)),
]
SKIN = [(241, 204, 176), (224, 172, 136), (198, 140, 100), (150, 100, 70), (110, 72, 50)]
HAIR = [(40, 30, 24), (92, 58, 32), (170, 120, 60), (60, 60, 64), (20, 20, 20)]


@dataclass(frozen=True)
class Picture:
    data: bytes  # a JPEG
    alt: str


def portrait(seed: str, name: str, size: int = 400) -> Picture:
    """A head-and-shoulders drawing on a soft ground."""
    rng = random.Random(seed)
    palette, skin, hair = rng.choice(PALETTES), rng.choice(SKIN), rng.choice(HAIR)
    scale = size * 4 / 100  # drawn at four times the size and shrunk: smooth edges
    image = Image.new("RGB", (size * 4, size * 4), palette.ground)
    draw = ImageDraw.Draw(image)

    def at(*points: float) -> list[float]:  # from a 100 x 100 sketch
        return [point * scale for point in points]

    draw.ellipse(at(14, 68, 86, 130), fill=palette.accent)  # shoulders
    draw.polygon(at(42, 70, 50, 82, 58, 70), fill=palette.deep)  # the collar's V
    draw.rectangle(at(44, 56, 56, 72), fill=skin)  # neck
    draw.ellipse(at(32, 22, 68, 64), fill=hair)
    draw.ellipse(at(35, 27, 65, 63), fill=skin)  # face
    draw.chord(at(*rng.choice([(31, 18, 69, 46), (33, 20, 67, 42)])), 180, 360, fill=hair)
    for eye in (44, 56):
        draw.ellipse(at(eye - 1.5, 43, eye + 1.5, 46), fill=palette.deep)
    draw.arc(at(44, 48, 56, 56), 20, 160, fill=palette.deep, width=int(scale))
    shrunk = image.resize((size, size), Image.Resampling.LANCZOS)
    return Picture(_jpeg(shrunk), f"A drawn portrait of {name}, in {palette.name}")


def cover(seed: str, width: int = 1200, height: int = 630) -> Picture:
    """An abstract cover: a wash between two colours crossed by rings."""
    rng = random.Random(seed)
    palette = rng.choice(PALETTES)
    blend = Image.linear_gradient("L").rotate(rng.choice([0, 45, 90, 135])).resize((width, height))
    image = Image.composite(
        Image.new("RGB", (width, height), palette.accent),
        Image.new("RGB", (width, height), palette.ground),
        blend,
    )
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randint(3, 6)):
        x, y = rng.uniform(0, width), rng.uniform(0, height)
        radius = rng.uniform(height * 0.15, height * 0.6)
        colour = rng.choice([palette.ground, palette.deep, palette.accent])
        ring = (x - radius, y - radius, x + radius, y + radius)
        draw.ellipse(ring, outline=colour, width=rng.randint(6, 28))
    softened = image.filter(ImageFilter.GaussianBlur(1))
    return Picture(_jpeg(softened), f"Rings on a {palette.name} wash: an abstract drawing")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=82, optimize=True, progressive=True)
    return out.getvalue()
