"""Images in, what the library stores out: the format read from the bytes themselves, the
size checked before anything is decoded, orientation applied, metadata (EXIF, GPS, XMP,
comments) left behind, and variants for each configured width, in the format and in WebP.

CPU-bound, and it holds the interpreter's lock in places: `process_apart` runs it in a
process of its own at a lower CPU priority, so that uploads never slow readers down."""

import io
import multiprocessing
import os
import threading
import warnings
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from cms.problems import ServiceUnavailable, Unprocessable, UnsupportedMediaType

# Pillow's format: (MIME type, extension). SVG and anything else is refused: SVG can carry
# script, and the rest are not what browsers show.
FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "GIF": ("image/gif", "gif"),
}
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
_EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "gif": "GIF"}
_QUALITY = {"JPEG": 85, "WEBP": 80}


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    mime_type: str
    extension: str
    data: bytes


@dataclass(frozen=True)
class Processed:
    original: Rendition  # at full size, metadata removed
    variants: list[Rendition]  # narrowest first


def sniff(data: bytes) -> str | None:
    """The format the bytes are in, from their first bytes, or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((name for signature, name in _SIGNATURES if data.startswith(signature)), None)


def check_claims(kind: str, *, filename: str, content_type: str | None) -> None:
    """415 when the file's name or declared type says another format than its bytes."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    named = _EXTENSIONS.get(extension)
    if extension and named != kind:
        raise UnsupportedMediaType(
            f"The file is {FORMATS[kind][1].upper()} but its name says .{extension}", field="file"
        )
    declared = (content_type or "").split(";")[0].strip().lower()
    if declared not in ("", "application/octet-stream", FORMATS[kind][0]):
        raise UnsupportedMediaType(
            f"The file is {FORMATS[kind][0]} but was sent as {declared}", field="file"
        )


def process(data: bytes, *, kind: str, widths: list[int], max_pixels: int) -> Processed:
    """The stored renditions of an image already sniffed as `kind`."""
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            # The header's size, before decoding: a bomb is refused without its pixels.
            if image.width * image.height > max_pixels:
                raise Unprocessable(
                    f"The image is {image.width}x{image.height}: over {max_pixels:,} pixels",
                    field="file",
                )
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise Unprocessable(f"The image cannot be read: {error}", field="file") from None
    except Image.DecompressionBombError as error:  # pragma: no cover (checked above)
        raise Unprocessable(str(error), field="file") from None
    original = _encode(upright, kind)
    variants = []
    for width in sorted(set(widths)):
        if width >= upright.width:
            continue
        height = max(1, round(upright.height * width / upright.width))
        smaller = upright.resize((width, height), Image.Resampling.LANCZOS)
        variants += [_encode(smaller, kind), _encode(smaller, "WEBP")]
    return Processed(original=original, variants=variants)


_workers: ProcessPoolExecutor | None = None
_starting = threading.Lock()  # two first uploads at once start one worker, not two


def process_apart(data: bytes, *, kind: str, widths: list[int], max_pixels: int) -> Processed:
    """`process`, in the worker process (started on first use, one upload at a time; a
    blocking call). Errors come back as raised there. A worker that died (killed for its
    memory, say) fails that upload with a 503 and is replaced for the next."""
    pool = _pool()
    try:
        return pool.submit(process, data, kind=kind, widths=widths, max_pixels=max_pixels).result()
    except BrokenProcessPool:
        _forget(pool)
        raise ServiceUnavailable(
            "The image worker stopped while making this upload's sizes; nothing was saved. "
            "Try again",
            headers={"Retry-After": "5"},
        ) from None


def _pool() -> ProcessPoolExecutor:
    global _workers
    with _starting:
        if _workers is None:
            context = multiprocessing.get_context("spawn")  # no copy of our connections
            _workers = ProcessPoolExecutor(1, mp_context=context, initializer=_lower_priority)
        return _workers


def _forget(pool: ProcessPoolExecutor) -> None:
    global _workers
    with _starting:
        if _workers is pool:
            _workers = None
    pool.shutdown(wait=False)


def _lower_priority() -> None:
    os.nice(10)  # readers' requests first: an upload may take a moment longer


def _encode(image: Image.Image, kind: str) -> Rendition:
    """The image in `kind`, with none of the source's metadata (Pillow writes EXIF, XMP or
    ICC text only when asked)."""
    out = io.BytesIO()
    frame = image
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        frame = image.convert("RGB")
    elif kind == "WEBP" and image.mode not in ("RGB", "RGBA"):
        frame = image.convert("RGBA" if "A" in image.mode or image.mode == "P" else "RGB")
    options: dict[str, object] = {}
    if kind in _QUALITY:
        options["quality"] = _QUALITY[kind]
    frame.save(out, format=kind, **options)
    mime_type, extension = FORMATS[kind]
    return Rendition(image.width, image.height, mime_type, extension, out.getvalue())
