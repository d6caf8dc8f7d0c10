"""fetch_image and load_lion against a real HTTP server on 127.0.0.1.

Every failure must raise ImageDownloadError naming the URL and leave the cache
folder empty: no partial file, no temporary file, no invalid image.
"""

from __future__ import annotations

import hashlib
import io
import socket
import struct
import sys
import threading
import time
import warnings
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


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_with_rows(array: np.ndarray, rows: int) -> bytes:
    """A gray PNG whose header declares all of ``array`` but whose (complete) zlib stream holds only ``rows`` rows."""
    height, width = array.shape
    raw = b"".join(b"\0" + array[row].tobytes() for row in range(rows))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )


def encoded(image: Image.Image, format: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format)
    return buffer.getvalue()


PIXELS = np.arange(48, dtype=np.uint8).reshape(6, 8)
GOOD = png_bytes(PIXELS)
LION = png_bytes(np.dstack([PIXELS] * 3))
SLOW_SECONDS = 3.0
TRICKLE_SECONDS = 3.0  # how long the trickling server keeps going, whatever the client does
COLOUR = np.random.default_rng(7).integers(0, 256, size=(16, 24, 3), dtype=np.uint8)
CMYK_JPEG = encoded(Image.fromarray(COLOUR).convert("CMYK"), "JPEG")
ALPHA = np.full((6, 8), 200, dtype=np.uint8)
LA_PNG = encoded(Image.fromarray(np.dstack([PIXELS, ALPHA])), "PNG")
HALF_ROWS_PNG = png_with_rows(PIXELS, 3)


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
        elif self.path == "/tall-header.png":
            self.send_body(png_declaring(1, 49_000_000))  # 1x49,000,000 declared, 1x1 sent
        elif self.path == "/half-rows.png":
            self.send_body(HALF_ROWS_PNG)
        elif self.path == "/cmyk.jpg":
            self.send_body(CMYK_JPEG, content_type="image/jpeg")
        elif self.path == "/la.png":
            self.send_body(LA_PNG)
        elif self.path == "/trickle.png":
            self.trickle(GOOD, every=0.05)
        elif self.path == "/stall-body.png":
            self.trickle(GOOD, every=0.0, stall_after=len(GOOD) // 2)
        else:
            self.send_error(500, "Unexpected path")

    def trickle(self, body: bytes, *, every: float, stall_after: int | None = None) -> None:
        """Send ``body`` a byte at a time, ``every`` seconds apart (or stall half-way), for TRICKLE_SECONDS at most."""
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        stop = time.monotonic() + TRICKLE_SECONDS
        try:
            for index in range(len(body)):
                if time.monotonic() > stop:
                    return
                if index == stall_after:
                    time.sleep(max(0.0, stop - time.monotonic()))
                    return
                self.wfile.write(body[index : index + 1])
                self.wfile.flush()
                time.sleep(every)
        except OSError:  # the client hung up: what a deadline is for
            return

    def do_HEAD(self):  # pragma: no cover - requests.get never sends HEAD
        self.send_error(405)


class QuietServer(ThreadingHTTPServer):
    """The test server; a client that hangs up early (a deadline test) is expected, not an error to print."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
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
    ("/page.html", {}, "the body is not an image \\(first bytes: b'<html><body>Not an image'\\)"),
    ("/truncated-length.png", {}, "download failed"),
    ("/truncated.png", {}, "truncated"),
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
    with pytest.raises(images_module.ImageCacheError, match="disk full"):
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


# --------------------------------------------------------------------------
# Issue 16: hostile servers, cache failures, colour modes, truncation, threads.


@pytest.mark.parametrize(
    ("path", "said"),
    [("/trickle.png", "the body was still arriving after timeout=0.5 s"), ("/stall-body.png", "timeout=0.5 s")],
)
def test_timeout_is_the_whole_download_budget(server, tmp_path, path, said):
    # issue 16 item 1: one byte every 0.05 s never hit the per-read timeout and held the call for the whole body
    started = time.monotonic()
    with pytest.raises(ImageDownloadError, match=said) as caught:
        fetch_image(f"{server}{path}", tmp_path / "image.png", timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert "budget for the whole download" in str(caught.value)
    assert "ConnectionError" not in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_a_read_timeout_inside_the_body_is_reported_as_a_timeout():
    # requests wraps urllib3's ReadTimeoutError in a ConnectionError; it is still a timeout
    import requests
    import urllib3

    wrapped = requests.ConnectionError(urllib3.exceptions.ReadTimeoutError(None, "http://x", "Read timed out."))
    assert images_module._timed_out(wrapped)
    refused = requests.ConnectionError(ConnectionRefusedError(111, "Connection refused"))
    assert not images_module._timed_out(refused)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_connection_refused_keeps_the_cause_and_no_memory_address(tmp_path):
    # issue 16 item 11: the message was cut at 160 characters, before the cause, and held "at 0x7f..."
    url = f"http://127.0.0.1:{_closed_port()}/x.png"
    with pytest.raises(ImageDownloadError, match="Connection refused") as caught:
        fetch_image(url, tmp_path / "x.png", timeout=2)
    assert url in str(caught.value) and " at 0x" not in str(caught.value)


def test_a_name_that_does_not_resolve_keeps_the_cause(tmp_path, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "no-such-host.invalid":
            raise socket.gaierror(-2, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(ImageDownloadError, match="Name or service not known") as caught:
        fetch_image("http://no-such-host.invalid/x.png", tmp_path / "x.png", timeout=2)
    assert " at 0x" not in str(caught.value)


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"timeout": float("inf")}, ValueError, "timeout must be positive and at most 3600 s"),
        ({"timeout": float("nan")}, ValueError, "timeout must be positive"),
        ({"timeout": 1e300}, ValueError, "at most 3600 s"),
        ({"timeout": 0}, ValueError, "timeout must be positive"),
        ({"timeout": "5"}, TypeError, "timeout must be a number of seconds"),
        ({"timeout": True}, TypeError, "timeout must be a number of seconds"),
        ({"sha256": "abc"}, ValueError, "sha256 must be 64 hex digits"),
        ({"sha256": "g" * 64}, ValueError, "sha256 must be 64 hex digits"),
        ({"sha256": 12}, ValueError, "sha256 must be 64 hex digits"),
        ({"max_bytes": 1.5}, TypeError, "max_bytes must be an int"),
        ({"max_bytes": True}, TypeError, "max_bytes must be an int"),
        ({"max_pixels": -1}, ValueError, "max_pixels must be positive"),
        ({"path": None}, TypeError, "path must be a str or os.PathLike"),
    ],
)
def test_bad_arguments_fail_before_any_request(server, tmp_path, options, error, message):
    # issue 16 item 12: inf gave OverflowError, "5" a raw TypeError, a malformed sha256 downloaded first
    arguments = {"url": f"{server}/ok.png", "path": tmp_path / "ok.png", **options}
    with pytest.raises(error, match=message):
        fetch_image(**arguments)
    assert sum(Handler.hits.values()) == 0
    assert list(tmp_path.iterdir()) == []


def test_a_cache_folder_that_is_a_file_gives_a_named_error_with_the_pixels(server, tmp_path):
    # issue 16 item 4: FileExistsError escaped after a successful download
    blocker = tmp_path / "cache"
    blocker.write_bytes(b"not a folder")
    with pytest.raises(images_module.ImageCacheError, match=r"could not be cached at .*cache/ok\.png") as caught:
        fetch_image(f"{server}/ok.png", blocker / "ok.png")
    np.testing.assert_array_equal(caught.value.pixels, PIXELS)
    assert isinstance(caught.value, ImageDownloadError)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_a_target_that_is_a_folder_gives_a_named_error_and_leaves_no_temporary_file(server, tmp_path):
    # issue 16 item 4: IsADirectoryError escaped
    (tmp_path / "ok.png").mkdir()
    with pytest.raises(images_module.ImageCacheError, match="IsADirectoryError") as caught:
        fetch_image(f"{server}/ok.png", tmp_path / "ok.png")
    np.testing.assert_array_equal(caught.value.pixels, PIXELS)
    assert [p.name for p in tmp_path.iterdir()] == ["ok.png"]
    assert list((tmp_path / "ok.png").iterdir()) == []


def test_a_read_only_cache_folder_gives_a_named_error(server, tmp_path, monkeypatch):
    # issue 16 item 4: PermissionError escaped (simulated: the tests may run as root, who can write anywhere)
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(images_module.tempfile, "mkstemp", refuse)
    with pytest.raises(images_module.ImageCacheError, match=r"PermissionError.*Permission denied"):
        fetch_image(f"{server}/ok.png", tmp_path / "ok.png")


def test_load_lion_returns_the_downloaded_lion_when_it_cannot_be_cached(server, tmp_path, monkeypatch):
    # issue 16 item 4: it fell over instead of returning the pixels it had
    monkeypatch.delenv(helpers.STAND_IN_ENV, raising=False)
    monkeypatch.setattr(images_module, "LION_URL", f"{server}/lion.png")
    blocker = tmp_path / "cache"
    blocker.write_bytes(b"not a folder")
    loaded = helpers.load_lion_with_source(cache_dir=blocker)
    assert loaded.name == "lion" and loaded.pixels.shape == (6, 8, 3)
    assert loaded.reason.startswith("downloaded, but not cached")


def test_a_cmyk_jpeg_comes_back_as_rgb(server, tmp_path):
    # issue 16 item 6: raw CMYK came back, and to_grayscale read it as RGBA (off by up to 243 levels)
    pixels = fetch_image(f"{server}/cmyk.jpg", tmp_path / "photo.jpg")
    assert pixels.shape == (16, 24, 3) and pixels.dtype == np.uint8
    pillow_gray = np.asarray(Image.open(io.BytesIO(CMYK_JPEG)).convert("L")).astype(int)
    assert np.abs(helpers.to_grayscale(pixels).astype(int) - pillow_gray).max() <= 1


def test_gray_with_alpha_comes_back_as_rgba(server, tmp_path):
    # issue 16 item 6: LA came back as (H, W, 2), refused by to_grayscale and show_images
    pixels = fetch_image(f"{server}/la.png", tmp_path / "la.png")
    assert pixels.shape == (6, 8, 4)
    np.testing.assert_array_equal(helpers.to_grayscale(pixels), PIXELS)
    np.testing.assert_array_equal(pixels[..., 3], ALPHA)


@pytest.mark.parametrize("path", ["/half-rows.png", "/tall-header.png"])
def test_a_png_whose_rows_end_early_is_refused(server, tmp_path, path):
    # issue 16 item 7: missing rows were decoded as zeros and the file cached
    assert Image.open(io.BytesIO(HALF_ROWS_PNG)).size == (8, 6)  # the header is whole
    with pytest.raises(ImageDownloadError, match="the PNG is truncated"):
        fetch_image(f"{server}{path}", tmp_path / "image.png")
    assert list(tmp_path.iterdir()) == []


def test_interlaced_and_16_bit_pngs_still_decode(server, tmp_path):
    # the completeness check must count Adam7 passes and 16-bit rows right
    rng = np.random.default_rng(3)
    for array, options in (
        (rng.integers(0, 256, size=(13, 11, 3), dtype=np.uint8), {"interlace": 1}),
        (rng.integers(0, 65536, size=(5, 7), dtype=np.uint16), {}),
    ):
        buffer = io.BytesIO()
        Image.fromarray(array).save(buffer, format="PNG", **options)
        target = tmp_path / "cached.png"
        target.write_bytes(buffer.getvalue())
        np.testing.assert_array_equal(fetch_image("http://127.0.0.1:9/never-asked.png", target), array)


def test_decoding_leaves_the_warning_filters_alone(server, tmp_path, monkeypatch):
    # issue 16 item 9: warnings.catch_warnings is not thread-safe, and an 'error' filter could be left behind
    seen = []
    real_open = images_module.Image.open

    def spying_open(*args, **kwargs):
        seen.append([f for f in warnings.filters if f[0] == "error" and f[2] is Image.DecompressionBombWarning])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(images_module.Image, "open", spying_open)
    fetch_image(f"{server}/ok.png", tmp_path / "ok.png")
    assert seen == [[]]


def test_concurrent_fetches_leave_no_global_warning_filter(server, tmp_path):
    before = list(warnings.filters)
    errors = []

    def fetch(index):
        path = "/large-header.png" if index % 2 else "/ok.png"
        try:
            fetch_image(f"{server}{path}", tmp_path / f"{index}.png")
        except ImageDownloadError as error:
            errors.append(str(error))

    threads = [threading.Thread(target=fetch, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert warnings.filters == before
    assert len(errors) == 4 and all("decompression bomb" in error for error in errors)


def test_decided_the_cache_is_keyed_by_path_and_sha256_ties_it_to_content(server, tmp_path):
    # decided in issue 16 (documented in fetch_image): a new URL at a cached path returns the cached file
    target = tmp_path / "image.png"
    target.write_bytes(LION)
    np.testing.assert_array_equal(fetch_image(f"{server}/ok.png", target), np.dstack([PIXELS] * 3))
    assert Handler.hits["/ok.png"] == 0
    np.testing.assert_array_equal(
        fetch_image(f"{server}/ok.png", target, sha256=hashlib.sha256(GOOD).hexdigest()), PIXELS
    )
    assert Handler.hits["/ok.png"] == 1 and target.read_bytes() == GOOD


def test_decided_a_cached_file_over_max_bytes_is_not_read_but_replaced(server, tmp_path):
    # decided in issue 16: max_bytes bounds what is read back from the cache, not only what is downloaded
    target = tmp_path / "ok.png"
    big = png_bytes(np.random.default_rng(0).integers(0, 256, size=(64, 64), dtype=np.uint8))
    assert len(big) > 2000 > len(GOOD)
    target.write_bytes(big)
    np.testing.assert_array_equal(fetch_image(f"{server}/ok.png", target, max_bytes=2000), PIXELS)
    assert Handler.hits["/ok.png"] == 1 and target.read_bytes() == GOOD
