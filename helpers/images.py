"""Getting images into numpy arrays: download with a cache, the course image, grayscale.

Examples
--------
>>> rgb = np.zeros((2, 2, 3), dtype=np.uint8)
>>> rgb[..., 0] = 255  # pure red
>>> to_grayscale(rgb)
array([[76, 76],
       [76, 76]], dtype=uint8)
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import requests
from PIL import Image

from helpers._checks import as_real_array, check_ndim

__all__ = [
    "LION_URL",
    "STAND_IN_ENV",
    "ImageDownloadError",
    "LoadedImage",
    "fetch_image",
    "load_lion",
    "load_lion_with_source",
    "to_grayscale",
]

#: The grayscale lion the 2016 post used (a 303x497 PNG with three equal channels).
LION_URL = "https://vignette2.wikia.nocookie.net/grayscale/images/4/47/lion.png/revision/latest?cb=20130926182831"

#: Set this environment variable to ``1`` to skip the download and use the
#: stand-in photograph. The test suite and the re-execution script set it, so
#: stored notebook outputs are the same on every machine, online or not.
STAND_IN_ENV = "CONVOLUTION_COURSE_STAND_IN"

#: Where downloaded images are cached (ignored by git, never committed).
CACHE_DIR = Path(__file__).resolve().parent.parent / "data" / "cache"

#: ITU-R BT.601 luma weights for R, G, B: the ones Pillow's ``convert("L")`` uses.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


class ImageDownloadError(RuntimeError):
    """An image could not be downloaded or is not a valid image; the message names the URL and the cause."""


@dataclass(frozen=True)
class LoadedImage:
    """An image and where it came from."""

    pixels: np.ndarray
    name: str
    source: str
    licence: str
    reason: str


def fetch_image(
    url: str,
    path: str | os.PathLike[str],
    *,
    timeout: float = 10.0,
    max_bytes: int = 20_000_000,
    max_pixels: int = 50_000_000,
    sha256: str | None = None,
) -> np.ndarray:
    """Download an image once, cache it at ``path`` and return its pixels.

    A valid cached file (it decodes, and matches ``sha256`` when given) is used
    without touching the network. Otherwise the body is streamed, stopping as
    soon as it exceeds ``max_bytes``, checked, and written atomically: first to
    a temporary file in the same folder, then renamed. Whatever goes wrong, no
    partial or invalid file is left behind.

    Parameters
    ----------
    url : str
        An ``http://`` or ``https://`` address.
    path : str or os.PathLike
        Where to cache the file; its folder is created if needed.
    timeout : float, optional
        Seconds to wait for the connection and for each read.
    max_bytes : int, optional
        Largest body accepted.
    max_pixels : int, optional
        Largest image (width x height) accepted, checked from the header
        before any pixel is decoded: a small file can declare a huge image (a
        decompression bomb). Pillow's own guard stays on as well.
    sha256 : str, optional
        Expected hex digest of the file; a mismatch is an error.

    Returns
    -------
    numpy.ndarray
        ``(H, W)`` or ``(H, W, C)``, as Pillow decodes it (usually uint8).

    Raises
    ------
    ImageDownloadError
        HTTP error status, timeout or connection failure, a body over
        ``max_bytes``, a body that is not an image or is truncated, an image
        over ``max_pixels``, or a wrong sha256. The message names the URL.
    ValueError
        ``url`` is not http(s), or a limit is not positive.

    Examples
    --------
    >>> fetch_image("ftp://example.org/a.png", "a.png")
    Traceback (most recent call last):
    ...
    ValueError: url must start with http:// or https://, got 'ftp://example.org/a.png'
    """
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"url must start with http:// or https://, got {url!r}")
    for name, value in (("timeout", timeout), ("max_bytes", max_bytes), ("max_pixels", max_pixels)):
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value!r}")
    target = Path(path)
    if target.is_file():
        cached = target.read_bytes()
        try:
            return _decode_and_check(cached, url, max_pixels, sha256)
        except ImageDownloadError:
            pass  # an invalid cache entry is replaced by a fresh download

    body = _download(url, timeout, max_bytes)
    pixels = _decode_and_check(body, url, max_pixels, sha256)
    _write_atomically(target, body)
    return pixels


def _download(url: str, timeout: float, max_bytes: int) -> bytes:
    try:
        with requests.get(url, stream=True, timeout=timeout) as response:
            if response.status_code != 200:
                raise ImageDownloadError(f"{url}: the server answered HTTP {response.status_code} {response.reason}")
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                raise ImageDownloadError(f"{url}: the body is {declared} bytes, over the limit of {max_bytes}")
            chunks, received = [], 0
            for chunk in response.iter_content(chunk_size=65536):
                received += len(chunk)
                if received > max_bytes:
                    raise ImageDownloadError(f"{url}: the body exceeds the limit of {max_bytes} bytes")
                chunks.append(chunk)
    except requests.Timeout:
        raise ImageDownloadError(f"{url}: no answer within {timeout} s (timeout)") from None
    except requests.RequestException as error:
        raise ImageDownloadError(f"{url}: the download failed ({type(error).__name__}: {_short(error)})") from None
    return b"".join(chunks)


def _short(error: Exception, limit: int = 160) -> str:
    """The first line of an error message, cut to ``limit`` characters (urllib3's can run to several lines)."""
    text = str(error).splitlines()[0] if str(error) else ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _decode_and_check(body: bytes, url: str, max_pixels: int, sha256: str | None) -> np.ndarray:
    if sha256 is not None:
        digest = hashlib.sha256(body).hexdigest()
        if digest != sha256.lower():
            raise ImageDownloadError(f"{url}: sha256 is {digest}, expected {sha256}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(body)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageDownloadError(
                        f"{url}: the image declares {width}x{height} pixels, over the limit of {max_pixels} "
                        "(a possible decompression bomb)"
                    )
                image.load()
                # palette indices and single bits are not pixel values: decode them to gray or colour
                if image.mode == "1":
                    image = image.convert("L")
                elif image.mode in ("P", "PA"):
                    image = image.convert("RGBA" if image.mode == "PA" or "transparency" in image.info else "RGB")
                return np.array(image)
    except ImageDownloadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageDownloadError(f"{url}: refused as a decompression bomb ({error})") from None
    except (OSError, SyntaxError, ValueError) as error:
        # Pillow raises UnidentifiedImageError (an OSError) for non-images and
        # OSError for truncated files.
        raise ImageDownloadError(f"{url}: the body is not a valid image ({error})") from None


def _write_atomically(target: Path, body: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(body)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_lion_with_source(*, cache_dir: str | os.PathLike[str] | None = None, timeout: float = 10.0) -> LoadedImage:
    """The post's lion, or a freely licensed stand-in, and a note on which one it is.

    The lion is fetched from :data:`LION_URL` once and cached. When that fails
    (offline, link gone) or the environment variable :data:`STAND_IN_ENV` is
    ``1``, the stand-in is scikit-image's ``chelsea`` (a 300x451 colour photo
    of a cat, CC0, shipped inside scikit-image).

    Returns
    -------
    LoadedImage
        ``pixels`` as decoded (uint8, H x W x 3), with ``name``, ``source``,
        ``licence`` and the ``reason`` this image was chosen.
    """
    if os.environ.get(STAND_IN_ENV, "") == "1":
        return _stand_in(f"the stand-in was requested ({STAND_IN_ENV}=1)")
    folder = Path(cache_dir) if cache_dir is not None else CACHE_DIR
    try:
        pixels = fetch_image(LION_URL, folder / "lion.png", timeout=timeout, max_bytes=5_000_000)
    except ImageDownloadError as error:
        return _stand_in(f"the lion could not be fetched: {error}")
    return LoadedImage(
        pixels=pixels,
        name="lion",
        source=LION_URL,
        licence="unknown: fetched at run time from its page, never redistributed",
        reason="downloaded (or read from the cache)",
    )


def load_lion(*, cache_dir: str | os.PathLike[str] | None = None, timeout: float = 10.0) -> np.ndarray:
    """Return the course image's pixels and print one line saying which image it is.

    See :func:`load_lion_with_source` for the choice between the lion and the
    stand-in.
    """
    loaded = load_lion_with_source(cache_dir=cache_dir, timeout=timeout)
    print(f"Loaded {loaded.name} {loaded.pixels.shape} {loaded.pixels.dtype}: {loaded.reason}.")
    return loaded.pixels


def _stand_in(reason: str) -> LoadedImage:
    from skimage import data  # imported here: only the stand-in needs it

    return LoadedImage(
        pixels=data.chelsea(),
        name="chelsea (stand-in)",
        source="scikit-image, skimage.data.chelsea(); photograph by Stefan van der Walt",
        licence="CC0 (public domain dedication)",
        reason=reason,
    )


def to_grayscale(image: np.ndarray) -> np.ndarray:
    """One channel from an image: the shared channel if all are equal, else luminance.

    Parameters
    ----------
    image : array_like
        ``(H, W)`` (returned unchanged), or ``(H, W, 3)`` / ``(H, W, 4)``
        (RGB or RGBA; alpha is ignored).

    Returns
    -------
    numpy.ndarray, shape (H, W)
        If R, G and B are equal, channel 0 itself. Otherwise the ITU-R BT.601
        luma ``0.299 R + 0.587 G + 0.114 B`` (the weights Pillow's
        ``convert("L")`` uses), rounded back to uint8 for uint8 input and
        float64 otherwise.

    Examples
    --------
    >>> gray = np.full((2, 2, 3), 7, dtype=np.uint8)
    >>> to_grayscale(gray)
    array([[7, 7],
           [7, 7]], dtype=uint8)
    """
    pixels = as_real_array(image, "image")
    check_ndim(pixels, "image", (2, 3), "(H, W) or (H, W, 3) / (H, W, 4)")
    if pixels.ndim == 2:
        return pixels
    if pixels.shape[2] not in (3, 4):
        raise ValueError(f"image must have 3 (RGB) or 4 (RGBA) channels, got shape {pixels.shape}")
    rgb = pixels[..., :3]
    if np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2]):
        return rgb[..., 0]
    luma = rgb.astype(np.float64) @ LUMA_WEIGHTS
    if pixels.dtype == np.uint8:
        return np.clip(np.rint(luma), 0, 255).astype(np.uint8)
    return luma
