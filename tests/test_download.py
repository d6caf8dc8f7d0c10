"""fetch_image and load_lion against a real HTTP server on 127.0.0.1.

Every failure must raise ImageDownloadError naming the URL and leave the cache
folder empty: no partial file, no temporary file, no invalid image.
"""

from __future__ import annotations

import hashlib
import io
import struct
import threading
import time
import zlib
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest
from PIL import Image

import helpers
from helpers import ImageDownloadError, fetch_image
from helpers import images as images_module


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height pixels (a decompression bomb's header)."""
    data = bytearray(png_bytes(np.zeros((1, 1), dtype=np.uint8)))
    start = data.index(b"IHDR")
    data[start + 4 : start + 12] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[start : start + 17])) & 0xFFFFFFFF
    data[start + 17 : start + 21] = struct.pack(">I", crc)
    return bytes(data)


def palette_png(array: np.ndarray) -> bytes:
    """A PNG that stores palette indices: gray level 4 * i is stored as index i."""
    image = Image.fromarray((array // 4).astype(np.uint8), mode="P")
    image.putpalette([4 * i for i in range(64) for _ in range(3)])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


PIXELS = np.arange(48, dtype=np.uint8).reshape(6, 8)
GOOD = png_bytes(PIXELS)
LION = png_bytes(np.dstack([PIXELS] * 3))
SLOW_SECONDS = 3.0


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[Counter] = Counter()

    def log_message(self, *args):  # keep the test output clean
        pass

    def send_body(self, body: bytes, *, content_type="image/png", length: int | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        Handler.hits[self.path] += 1
        if self.path in ("/ok.png", "/lion.png"):
            self.send_body(
                GOOD if self.path == "/ok.png" else LION, length=len(GOOD if self.path == "/ok.png" else LION)
            )
        elif self.path == "/palette.png":
            self.send_body(palette_png(PIXELS * 4))
        elif self.path == "/missing.png":
            self.send_error(404, "Not Found")
        elif self.path == "/slow.png":
            time.sleep(SLOW_SECONDS)
            self.send_body(GOOD, length=len(GOOD))
        elif self.path == "/page.html":
            self.send_body(b"<html><body>Not an image</body></html>", content_type="text/html")
        elif self.path == "/truncated-length.png":
            self.send_body(GOOD[: len(GOOD) // 2], length=len(GOOD))  # promises more than it sends
        elif self.path == "/truncated.png":
            self.send_body(GOOD[: len(GOOD) // 2])  # no length: ends early, then closes
        elif self.path == "/big-declared.png":
            self.send_body(b"\0" * 5000, length=5000)
        elif self.path == "/big-streamed.png":
            self.send_body(b"\0" * 5000)  # no Content-Length: only counting the stream can stop it
        elif self.path == "/bomb.png":
            self.send_body(png_declaring(30000, 30000))
        elif self.path == "/large-header.png":
            self.send_body(png_declaring(8000, 8000))
        else:
            self.send_error(500, "Unexpected path")

    def do_HEAD(self):  # pragma: no cover - requests.get never sends HEAD
        self.send_error(405)


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _fresh_counts():
    Handler.hits.clear()


def test_download_then_reuse_the_cache_without_a_request(server, tmp_path):
    target = tmp_path / "cache" / "ok.png"
    first = fetch_image(f"{server}/ok.png", target)
    np.testing.assert_array_equal(first, PIXELS)
    assert target.read_bytes() == GOOD
    second = fetch_image(f"{server}/ok.png", target)
    np.testing.assert_array_equal(second, PIXELS)
    assert Handler.hits["/ok.png"] == 1
    assert sorted(p.name for p in target.parent.iterdir()) == ["ok.png"]


def test_a_palette_png_is_decoded_to_pixel_values_not_indices(server, tmp_path):
    pixels = fetch_image(f"{server}/palette.png", tmp_path / "palette.png")
    assert pixels.shape == (6, 8, 3)
    for channel in range(3):
        np.testing.assert_array_equal(pixels[..., channel], PIXELS * 4)


def test_a_correct_sha256_is_accepted(server, tmp_path):
    digest = hashlib.sha256(GOOD).hexdigest()
    np.testing.assert_array_equal(fetch_image(f"{server}/ok.png", tmp_path / "ok.png", sha256=digest), PIXELS)


def test_an_invalid_cached_file_is_replaced(server, tmp_path):
    target = tmp_path / "ok.png"
    target.write_bytes(b"half a png")
    np.testing.assert_array_equal(fetch_image(f"{server}/ok.png", target), PIXELS)
    assert target.read_bytes() == GOOD
    assert Handler.hits["/ok.png"] == 1


FAILURES = [
    ("/missing.png", {}, "HTTP 404"),
    ("/slow.png", {"timeout": 0.5}, "timeout"),
    ("/page.html", {}, "not a valid image"),
    ("/truncated-length.png", {}, "download failed"),
    ("/truncated.png", {}, "not a valid image"),
    ("/big-declared.png", {"max_bytes": 1000}, "over the limit of 1000"),
    ("/big-streamed.png", {"max_bytes": 1000}, "exceeds the limit of 1000 bytes"),
    ("/bomb.png", {}, "decompression bomb"),
    ("/large-header.png", {}, "decompression bomb"),
    ("/ok.png", {"sha256": "0" * 64}, "sha256 is"),
]


@pytest.mark.parametrize(("path", "options", "cause"), FAILURES)
def test_failures_raise_a_named_error_and_leave_nothing_behind(server, tmp_path, path, options, cause):
    url = f"{server}{path}"
    with pytest.raises(ImageDownloadError, match=cause) as caught:
        fetch_image(url, tmp_path / "image.png", **options)
    assert url in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_rename_leaves_no_temporary_file(server, tmp_path, monkeypatch):
    def refuse(*args):
        raise OSError("disk full")

    monkeypatch.setattr(images_module.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        fetch_image(f"{server}/ok.png", tmp_path / "ok.png")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"url": "ftp://127.0.0.1/x.png"}, "url must start with http"),
        ({"max_bytes": 0}, "max_bytes must be positive"),
        ({"timeout": -1}, "timeout must be positive"),
    ],
)
def test_bad_arguments_are_named(tmp_path, arguments, message):
    options = {"url": "http://127.0.0.1:9/x.png", "path": tmp_path / "x.png", **arguments}
    with pytest.raises(ValueError, match=message):
        fetch_image(**options)


def test_load_lion_downloads_and_caches(server, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(helpers.STAND_IN_ENV, raising=False)
    monkeypatch.setattr(images_module, "LION_URL", f"{server}/lion.png")
    loaded = helpers.load_lion_with_source(cache_dir=tmp_path)
    assert loaded.name == "lion" and loaded.pixels.shape == (6, 8, 3)
    assert (tmp_path / "lion.png").read_bytes() == LION
    pixels = helpers.load_lion(cache_dir=tmp_path)
    np.testing.assert_array_equal(pixels, loaded.pixels)
    assert Handler.hits["/lion.png"] == 1
    assert capsys.readouterr().out.startswith("Loaded lion (6, 8, 3) uint8")


def test_load_lion_falls_back_to_the_stand_in_and_says_why(server, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(helpers.STAND_IN_ENV, raising=False)
    monkeypatch.setattr(images_module, "LION_URL", f"{server}/missing.png")
    pixels = helpers.load_lion(cache_dir=tmp_path)
    assert pixels.shape == (300, 451, 3)
    out = capsys.readouterr().out
    assert "chelsea (stand-in)" in out and "HTTP 404" in out
    assert list(tmp_path.iterdir()) == []


def test_the_environment_variable_forces_the_stand_in_without_a_request(server, tmp_path, monkeypatch):
    monkeypatch.setenv(helpers.STAND_IN_ENV, "1")
    monkeypatch.setattr(images_module, "LION_URL", f"{server}/lion.png")
    loaded = helpers.load_lion_with_source(cache_dir=tmp_path)
    assert loaded.name == "chelsea (stand-in)" and loaded.licence.startswith("CC0")
    assert Handler.hits["/lion.png"] == 0
