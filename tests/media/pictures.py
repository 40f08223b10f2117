"""Images made here for the media tests: drawn by Pillow, never copied from anywhere."""

import io

from PIL import Image, ImageDraw

GPS = 0x8825
ORIENTATION = 0x0112


def picture(
    width: int = 1200, height: int = 800, *, kind: str = "JPEG", rotated: bool = False
) -> bytes:
    """A small drawing (two coloured halves and a circle); a JPEG carries GPS tags, and with
    `rotated` an EXIF orientation that says "turn it 90 degrees to show it"."""
    image = Image.new("RGB", (width, height), (30, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width // 2, height), fill=(240, 180, 40))
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(200, 30, 60))
    out = io.BytesIO()
    if kind == "JPEG":
        exif = Image.Exif()
        exif[0x010F] = "Test Camera"  # Make
        exif[GPS] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
        if rotated:
            exif[ORIENTATION] = 6
        image.save(out, format="JPEG", exif=exif, quality=80)
    else:
        image.save(out, format=kind)
    return out.getvalue()


def exif_of(data: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif())


def size_of(data: bytes) -> tuple[int, int]:
    with Image.open(io.BytesIO(data)) as image:
        return image.size
