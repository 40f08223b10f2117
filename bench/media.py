"""Benchmark: the media library under load (issue 15's targets).

    python bench/media.py [--uploads 3] [--seconds 5] [--database-url postgresql+psycopg://...]

Starts one `cms serve` on a seeded blog with its media in a folder of its own, then:
1. uploads a 12-megapixel JPEG (4000x3000, drawn here) `--uploads` times, one after another,
   and prints each upload's time with all its variants, the server's peak memory (VmHWM)
   before and after, and its image worker's;
2. measures readers (GETs of posts, wrk) alone, then while uploads run back to back in
   another thread, and prints both p99s (target: within 2x);
3. serves a stored variant under the same load, next to a warm Content API read (target: at
   least its req/s).
Figures are for this machine and this run: compare the ratios, not the numbers.
"""

import argparse
import io
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.load import Result, load, warm
from bench.seed import editor_token, seed, throwaway_database
from bench.servers import children_memory_mb, running_server, server_memory_mb

POSTS = 200
READS = [f"/api/v1/posts/post-{n}" for n in range(1, 51)]


def main() -> int:
    args = parse_args()
    photo = twelve_megapixels()
    with (
        tempfile.TemporaryDirectory() as folder,
        throwaway_database(args.database_url, Path(folder)) as url,
    ):
        seed(url, POSTS)
        editor = {"Authorization": f"Bearer {editor_token(url)}"}
        media = str(Path(folder) / "media")
        with running_server(url, CMS_MEDIA_DIR=media) as base:
            print(f"a 12-megapixel JPEG of {len(photo) / 2**20:.1f} MB, {POSTS} posts, "
                  f"{args.seconds} s a scenario")  # fmt: skip
            variant = uploads(base, editor, photo, args.uploads)
            readers(base, editor, photo, args.seconds)
            serving(base, variant, args.seconds)
    return 0


def twelve_megapixels() -> bytes:
    """A 4000x3000 photo-like drawing: gradients, shapes and grain, so that it compresses
    like a photo rather than like a flat colour."""
    image = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for n in range(40):
        x, y = (n * 397) % 4000, (n * 211) % 3000
        draw.ellipse((x, y, x + 600, y + 400), fill=((n * 53) % 256, (n * 97) % 256, 140))
    grain = Image.effect_noise((4000, 3000), 40).convert("RGB")
    image = Image.blend(image, grain, 0.25).filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return out.getvalue()


def upload(client: httpx.Client, base: str, editor: dict[str, str], photo: bytes) -> dict[str, Any]:
    files = {"file": ("photo.jpg", photo, "image/jpeg")}
    response = client.post(f"{base}/api/v1/admin/media", files=files, headers=editor)
    response.raise_for_status()
    item: dict[str, Any] = response.json()["data"]
    return item


def uploads(base: str, editor: dict[str, str], photo: bytes, times: int) -> str:
    """Upload `photo` `times` times; print each time and the peak memory; the path of a
    variant to serve."""
    before = server_memory_mb(base, "VmHWM")
    item: dict[str, Any] = {}
    with httpx.Client(timeout=120) as client:
        for number in range(times):
            began = time.perf_counter()
            item = upload(client, base, editor, photo)
            took = time.perf_counter() - began
            made = len(item["variants"])
            print(f"upload {number + 1}: {took:.2f} s, {made} variants "
                  f"({item['width']}x{item['height']})")  # fmt: skip
    after = server_memory_mb(base, "VmHWM")
    print(f"server peak memory (VmHWM): {before:.0f} MB before the uploads, {after:.0f} MB after")
    worker = children_memory_mb(base, "VmHWM")
    print(f"image worker's peak memory (VmHWM, a process of its own): {worker:.0f} MB")
    return str(httpx.URL(item["variants"][2]["url"]).path)  # the 640-wide JPEG


def readers(base: str, editor: dict[str, str], photo: bytes, seconds: int) -> None:
    warm(base, READS)
    alone = load(base, READS, seconds=seconds)
    stop = threading.Event()
    done = [0]

    def keep_uploading() -> None:
        with httpx.Client(timeout=120) as client:
            while not stop.is_set():
                upload(client, base, editor, photo)
                done[0] += 1

    uploader = threading.Thread(target=keep_uploading)
    uploader.start()
    try:
        during = load(base, READS, seconds=seconds)
    finally:
        stop.set()
        uploader.join()
    print(f"readers alone:         {row(alone)}")
    print(f"readers while uploads: {row(during)}  ({done[0]} uploads meanwhile)")
    ratio = during.p99_ms / alone.p99_ms if alone.p99_ms else 0.0
    print(f"p99 while uploading / alone: {ratio:.1f}x (target: at most 2x)")


def serving(base: str, variant: str, seconds: int) -> None:
    warm(base, [variant, READS[0]])
    stored = load(base, [variant], seconds=seconds)
    read = load(base, [READS[0]], seconds=seconds)
    print(f"a stored file:         {row(stored)}")
    print(f"a warm Content API read: {row(read)}")
    share = stored.rate / read.rate if read.rate else 0.0
    print(f"stored file / warm read: {share:.0%} (target: at least 100%)")


def row(result: Result) -> str:
    return f"{result.rate:8.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=3, help="timed uploads (3)")
    parser.add_argument("--seconds", type=int, default=5, help="per scenario (5)")
    parser.add_argument("--database-url", help="a PostgreSQL server to make a database on")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(main())
