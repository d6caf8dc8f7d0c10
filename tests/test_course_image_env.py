"""``CONVOLUTION_COURSE_IMAGE``: pointing ``load_lion()`` at another photograph (issue 19).

The variable wins over the stand-in switch and the download; the file is
decoded and checked like a downloaded image; a path that is no file, or a file
that is no usable image, gives an error naming the variable and the path.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import helpers
from helpers import images as images_module


@pytest.fixture
def no_download(monkeypatch):
    """Make any download attempt fail loudly: the variable must not reach the network."""

    def refuse(*args, **kwargs):
        raise AssertionError("load_lion tried to download although CONVOLUTION_COURSE_IMAGE is set")

    monkeypatch.setattr(images_module, "fetch_image", refuse)


def _save(array: np.ndarray, path, **options):
    Image.fromarray(array).save(path, **options)
    return path


def test_the_name_is_exported_and_is_the_one_documented():
    assert helpers.COURSE_IMAGE_ENV == "CONVOLUTION_COURSE_IMAGE"
    assert "COURSE_IMAGE_ENV" in helpers.__all__


@pytest.mark.parametrize("stand_in", ["1", None])
def test_the_file_wins_over_the_stand_in_and_the_download(tmp_path, monkeypatch, no_download, capsys, stand_in):
    rng = np.random.default_rng(0)
    gray = rng.integers(0, 256, size=(7, 11), dtype=np.uint8)
    lion_like = np.repeat(gray[..., None], 3, axis=2)  # the lion's layout: three equal channels
    path = _save(lion_like, tmp_path / "mine.png")
    monkeypatch.setenv(helpers.COURSE_IMAGE_ENV, str(path))
    if stand_in is None:
        monkeypatch.delenv(helpers.STAND_IN_ENV, raising=False)
    else:
        monkeypatch.setenv(helpers.STAND_IN_ENV, stand_in)
    loaded = helpers.load_lion_with_source()
    np.testing.assert_array_equal(loaded.pixels, lion_like)
    assert loaded.pixels.dtype == np.uint8
    assert loaded.name == "mine.png"
    assert str(path) in loaded.source and "CONVOLUTION_COURSE_IMAGE" in loaded.source
    assert loaded.reason == "CONVOLUTION_COURSE_IMAGE names this file"
    pixels = helpers.load_lion()
    np.testing.assert_array_equal(pixels, lion_like)
    assert capsys.readouterr().out == "Loaded mine.png (7, 11, 3) uint8: CONVOLUTION_COURSE_IMAGE names this file.\n"


@pytest.mark.parametrize(
    ("mode", "shape", "suffix"),
    [("L", (5, 6), ".png"), ("RGB", (5, 6, 3), ".png"), ("RGBA", (5, 6, 4), ".png"), ("RGB", (5, 6, 3), ".bmp")],
)
def test_gray_rgb_and_rgba_files_come_back_as_uint8_in_their_layout(
    tmp_path, monkeypatch, no_download, mode, shape, suffix
):
    pixels = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    path = tmp_path / f"image{suffix}"
    Image.fromarray(pixels).save(path)
    with Image.open(path) as written:
        assert written.mode == mode
    monkeypatch.setenv(helpers.COURSE_IMAGE_ENV, str(path))
    loaded = helpers.load_lion_with_source()
    assert loaded.pixels.dtype == np.uint8
    np.testing.assert_array_equal(loaded.pixels, pixels)


def test_a_palette_file_gives_pixel_values_not_indices(tmp_path, monkeypatch, no_download):
    image = Image.new("P", (3, 2))
    image.putpalette([0, 0, 0, 200, 100, 50] + [0] * 762)
    image.putpixel((1, 1), 1)
    path = tmp_path / "palette.png"
    image.save(path)
    monkeypatch.setenv(helpers.COURSE_IMAGE_ENV, str(path))
    pixels = helpers.load_lion_with_source().pixels
    assert pixels.shape == (2, 3, 3) and pixels[1, 1].tolist() == [200, 100, 50]


def test_an_empty_value_counts_as_unset(monkeypatch, no_download):
    monkeypatch.setenv(helpers.COURSE_IMAGE_ENV, "")
    monkeypatch.setenv(helpers.STAND_IN_ENV, "1")
    assert helpers.load_lion_with_source().name == "chelsea (stand-in)"


@pytest.mark.parametrize("target", ["missing.png", "a_folder"])
def test_a_path_that_is_not_a_file_names_the_variable(tmp_path, monkeypatch, no_download, target):
    (tmp_path / "a_folder").mkdir()
    path = tmp_path / target
    monkeypatch.setenv(helpers.COURSE_IMAGE_ENV, str(path))
    with pytest.raises(FileNotFoundError, match="CONVOLUTION_COURSE_IMAGE=") as raised:
        helpers.load_lion()
    assert str(path) in str(raised.value)
    assert ("a folder" if target == "a_folder" else "no such file") in str(raised.value)


def _truncated_png(tmp_path):
    path = _save(np.full((40, 40), 9, dtype=np.uint8), tmp_path / "whole.png")
    cut = tmp_path / "cut.png"
    body = path.read_bytes()
    cut.write_bytes(body[: len(body) // 2])
    return cut


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda tmp: (tmp / "notes.txt").write_text("not an image") and tmp / "notes.txt", "not an image"),
        (lambda tmp: (tmp / "empty.png").write_bytes(b"") == 0 and tmp / "empty.png", "not an image"),
        (_truncated_png, "truncated"),
        (lambda tmp: _save(np.full((3, 4), 60000, dtype=np.uint16), tmp / "deep.png"), "8 bits per channel"),
    ],
    ids=["text", "empty", "truncated", "16-bit"],
)
def test_a_file_that_is_not_a_usable_image_names_the_variable(tmp_path, monkeypatch, no_download, make, said):
    path = make(tmp_path)
    monkeypatch.setenv(helpers.COURSE_IMAGE_ENV, str(path))
    with pytest.raises(ValueError, match="CONVOLUTION_COURSE_IMAGE=") as raised:
        helpers.load_lion_with_source()
    assert str(path) in str(raised.value) and said in str(raised.value)


def test_size_limits_are_checked_before_decoding(tmp_path, monkeypatch, no_download):
    path = _save(np.zeros((30, 40), dtype=np.uint8), tmp_path / "big.png")
    monkeypatch.setenv(helpers.COURSE_IMAGE_ENV, str(path))
    monkeypatch.setattr(images_module, "COURSE_IMAGE_MAX_PIXELS", 1000)
    with pytest.raises(ValueError, match=r"declares 40x30 pixels, over the limit of 1000"):
        helpers.load_lion_with_source()
    monkeypatch.setattr(images_module, "COURSE_IMAGE_MAX_BYTES", 10)
    with pytest.raises(ValueError, match=r"CONVOLUTION_COURSE_IMAGE=.*over the limit of 10"):
        helpers.load_lion_with_source()


def test_a_fifo_or_device_is_not_called_missing(tmp_path, monkeypatch, no_download):
    import os

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    for target in (fifo, "/dev/zero"):
        monkeypatch.setenv(helpers.COURSE_IMAGE_ENV, str(target))
        with pytest.raises(FileNotFoundError, match="not a regular file"):
            helpers.load_lion()


def test_the_byte_limit_holds_when_the_file_size_says_less(tmp_path, monkeypatch, no_download):
    """A file whose size on disk understates its content (``/proc`` files say 0) is read only to the limit."""
    import os
    import pathlib

    path = tmp_path / "grows.png"
    Image.new("L", (40, 40), color=9).save(path)
    real_stat = pathlib.Path.stat

    def says_zero(self, **kwargs):
        result = real_stat(self, **kwargs)
        if self == path:
            return os.stat_result((*result[:6], 0, *result[7:]))
        return result

    monkeypatch.setattr(pathlib.Path, "stat", says_zero)
    monkeypatch.setattr(images_module, "COURSE_IMAGE_MAX_BYTES", 10)
    monkeypatch.setenv(helpers.COURSE_IMAGE_ENV, str(path))
    with pytest.raises(ValueError, match=r"CONVOLUTION_COURSE_IMAGE=.*over the limit of 10 bytes"):
        helpers.load_lion()
