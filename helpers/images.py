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

import contextlib
import hashlib
import io
import math
import numbers
import os
import re
import socket
import struct
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import requests
import urllib3
from PIL import Image, UnidentifiedImageError

from helpers._checks import as_real_array, check_ndim

__all__ = [
    "COURSE_IMAGE_ENV",
    "LION_URL",
    "STAND_IN_ENV",
    "ImageCacheError",
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

#: Set this environment variable to the path of an image file to run the course
#: on that photograph instead: it takes precedence over :data:`STAND_IN_ENV`
#: and the download. The tests use it to run every notebook on photographs
#: other than the stand-in; a learner can use it to try their own.
COURSE_IMAGE_ENV = "CONVOLUTION_COURSE_IMAGE"

#: Largest file accepted from :data:`COURSE_IMAGE_ENV`, in bytes, and largest image, in pixels.
COURSE_IMAGE_MAX_BYTES = 50_000_000
COURSE_IMAGE_MAX_PIXELS = 50_000_000

#: Where downloaded images are cached (ignored by git, never committed).
CACHE_DIR = Path(__file__).resolve().parent.parent / "data" / "cache"

#: ITU-R BT.601 luma weights for R, G, B: the ones Pillow's ``convert("L")`` uses.
LUMA_WEIGHTS = np.array([0.299, 0.587, 0.114])


class ImageDownloadError(RuntimeError):
    """An image could not be downloaded or is not a valid image; the message names the URL and the cause."""


class ImageCacheError(ImageDownloadError):
    """The image was downloaded and is valid, but could not be written to the cache.

    The message names the path and the cause; ``pixels`` holds the decoded
    image, so a caller can still use it.
    """

    def __init__(self, message: str, pixels: np.ndarray) -> None:
        super().__init__(message)
        self.pixels = pixels


@dataclass(frozen=True)
class LoadedImage:
    """An image and where it came from."""

    pixels: np.ndarray
    name: str
    source: str
    licence: str
    reason: str


#: Longest ``timeout`` accepted, in seconds: it is the budget for the whole download.
MAX_TIMEOUT = 3600.0

_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


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

    A valid cached file (it is at most ``max_bytes``, decodes, and matches
    ``sha256`` when given) is used without touching the network. Otherwise the
    body is streamed, stopping as soon as it exceeds ``max_bytes`` or the time
    budget, checked, and written atomically: first to a temporary file in the
    same folder, then renamed. Whatever goes wrong, no partial or invalid file
    is left behind.

    Parameters
    ----------
    url : str
        An ``http://`` or ``https://`` address.
    path : str or os.PathLike
        Where to cache the file; its folder is created if needed. The cache is
        keyed by this path only: a file already there is returned for any
        ``url`` (it is not re-downloaded when the URL changes). Pass
        ``sha256`` to tie the cached file to its content; a file that does not
        match is replaced by a fresh download.
    timeout : float, optional
        Seconds for the whole download: connecting, waiting for the answer
        and receiving every byte of the body, together (at most
        :data:`MAX_TIMEOUT`). A server that sends one byte a second cannot
        hold the call longer than this.
    max_bytes : int, optional
        Largest body accepted, and largest cached file read back.
    max_pixels : int, optional
        Largest image (width x height) accepted, checked from the header
        before any pixel is decoded: a small file can declare a huge image (a
        decompression bomb). Pillow's own guard stays on as well.
    sha256 : str, optional
        Expected hex digest of the file (64 hex digits); a mismatch is an
        error.

    Returns
    -------
    numpy.ndarray
        The pixel values in one of three layouts, whatever the file stores:
        gray ``(H, W)`` (uint8; 16- and 32-bit gray files keep their uint16,
        int32 or float32 values), RGB ``(H, W, 3)`` or RGBA ``(H, W, 4)``
        (uint8). Palette, 1-bit, CMYK, YCbCr, LAB, HSV and other colour
        modes are converted to RGB by Pillow, and those with transparency,
        gray with alpha (LA) included, to RGBA.

    Raises
    ------
    ImageDownloadError
        HTTP error status, a download over its ``timeout``, connection
        failure, a body over ``max_bytes``, a body that is not an image or is
        truncated (a PNG whose compressed rows end early, even at a row
        boundary, is refused), an image over ``max_pixels``, or a wrong
        sha256. The message names the URL and the cause.
    ImageCacheError
        A subclass of :class:`ImageDownloadError`: the image was fetched and
        is valid, but the cache file could not be written (read-only folder,
        a file where the folder should be, a folder at ``path``). The message
        names the path and the cause; the exception's ``pixels`` holds the
        image.
    ValueError
        ``url`` is not http(s), a limit is not positive, ``timeout`` is not
        finite or over :data:`MAX_TIMEOUT`, or ``sha256`` is not 64 hex
        digits. Every argument is checked before any request is made.
    TypeError
        An argument of the wrong type (``timeout="5"``, ``max_bytes=1.5``).

    Examples
    --------
    >>> fetch_image("ftp://example.org/a.png", "a.png")
    Traceback (most recent call last):
    ...
    ValueError: url must start with http:// or https://, got 'ftp://example.org/a.png'
    """
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ValueError(f"url must start with http:// or https://, got {url!r}")
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {path!r}")
    if not isinstance(timeout, numbers.Real) or isinstance(timeout, bool):
        raise TypeError(f"timeout must be a number of seconds, got {timeout!r}")
    if not (math.isfinite(timeout) and 0 < timeout <= MAX_TIMEOUT):
        raise ValueError(f"timeout must be positive and at most {MAX_TIMEOUT:g} s, got {timeout!r}")
    for name, value in (("max_bytes", max_bytes), ("max_pixels", max_pixels)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, got {value!r}")
        if not value > 0:
            raise ValueError(f"{name} must be positive, got {value!r}")
    if sha256 is not None and (not isinstance(sha256, str) or not _SHA256.fullmatch(sha256)):
        raise ValueError(f"sha256 must be 64 hex digits, got {sha256!r}")
    timeout, max_bytes, max_pixels = float(timeout), int(max_bytes), int(max_pixels)
    target = Path(path)
    cached = _read_cache(target, max_bytes)
    if cached is not None:
        try:
            return _decode_and_check(cached, url, max_pixels, sha256)
        except ImageDownloadError:
            pass  # an invalid cache entry is replaced by a fresh download

    body = _download(url, timeout, max_bytes)
    pixels = _decode_and_check(body, url, max_pixels, sha256)
    try:
        _write_atomically(target, body)
    except OSError as error:
        raise ImageCacheError(
            f"{url}: downloaded, but could not be cached at {target} ({type(error).__name__}: {_cause(error)})",
            pixels,
        ) from None
    return pixels


def _read_cache(target: Path, max_bytes: int) -> bytes | None:
    """The cached file's bytes, or None when there is none, it is over ``max_bytes`` or it cannot be read."""
    try:
        if not target.is_file() or target.stat().st_size > max_bytes:
            return None
        return target.read_bytes()
    except OSError:
        return None


class _Transfer:
    """What the download thread shares with the caller, who may stop waiting for it."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self.response: requests.Response | None = None
        self.received = 0
        self.body: bytes | None = None
        self.error: BaseException | None = None

    def hang_up(self) -> None:
        """Shut the connection's socket so the download thread stops reading (best effort)."""
        connection = getattr(getattr(self.response, "raw", None), "connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _download(url: str, timeout: float, max_bytes: int) -> bytes:
    """The body at ``url``, received within ``timeout`` seconds in all.

    ``requests``' own timeout applies to each read, so a server that trickles
    bytes could hold it for ever. The transfer therefore runs in a thread, and
    the caller waits for it at most ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    transfer = _Transfer()
    worker = threading.Thread(
        target=_transfer_body,
        args=(url, timeout, deadline, max_bytes, transfer),
        name="fetch_image download",
        daemon=True,
    )
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        transfer.cancelled.set()
        transfer.hang_up()
        raise ImageDownloadError(_over_time(url, timeout, transfer))
    if transfer.error is not None:
        raise transfer.error
    assert transfer.body is not None
    return transfer.body


def _over_time(url: str, timeout: float, transfer: _Transfer) -> str:
    budget = f"timeout={timeout:g} s, the budget for the whole download"
    if transfer.response is None:
        return f"{url}: no answer within {budget}"
    return f"{url}: the body was still arriving after {budget} ({transfer.received} bytes received)"


def _transfer_body(url: str, timeout: float, deadline: float, max_bytes: int, transfer: _Transfer) -> None:
    try:
        with requests.get(url, stream=True, timeout=max(deadline - time.monotonic(), 0.001)) as response:
            transfer.response = response
            if response.status_code != 200:
                raise ImageDownloadError(f"{url}: the server answered HTTP {response.status_code} {response.reason}")
            declared = response.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > max_bytes:
                raise ImageDownloadError(f"{url}: the body is {declared} bytes, over the limit of {max_bytes}")
            chunks = []
            for chunk in response.iter_content(chunk_size=65536):
                if transfer.cancelled.is_set():
                    return
                transfer.received += len(chunk)
                if transfer.received > max_bytes:
                    raise ImageDownloadError(f"{url}: the body exceeds the limit of {max_bytes} bytes")
                chunks.append(chunk)
        transfer.body = b"".join(chunks)
    except requests.RequestException as error:
        if _timed_out(error):
            message = f"{url}: the server went quiet (timeout={timeout:g} s, the budget for the whole download)"
        else:
            message = f"{url}: the download failed ({type(error).__name__}: {_cause(error)})"
        transfer.error = ImageDownloadError(message)
    except BaseException as error:  # handed to the caller, who raises it
        transfer.error = error


def _chain(error: BaseException) -> list[BaseException]:
    """The error and the ones behind it: causes, contexts and urllib3's ``reason``s, outermost first."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not other for other in seen):
        seen.append(current)
        reason = getattr(current, "reason", None)
        inner = current.args[0] if current.args and isinstance(current.args[0], BaseException) else None
        current = next(
            (c for c in (reason, inner, current.__cause__, current.__context__) if isinstance(c, BaseException)),
            None,
        )
    return seen


def _timed_out(error: BaseException) -> bool:
    """Whether a timeout is behind ``error`` (urllib3's NewConnectionError subclasses its timeout class: not one)."""
    timeouts = (requests.Timeout, urllib3.exceptions.ReadTimeoutError, TimeoutError)
    return any(isinstance(e, timeouts) for e in _chain(error))


_ADDRESS = re.compile(r"<[^<>]* at 0x[0-9a-fA-F]+>:?\s*")


def _cause(error: BaseException, limit: int = 300) -> str:
    """The innermost error's message on one line, without memory addresses (they change every run)."""
    for inner in reversed(_chain(error)):
        text = _ADDRESS.sub("", " ".join(str(inner).split())).strip()
        if text:
            return text if len(text) <= limit else "..." + text[-(limit - 3) :]
    return type(error).__name__


def _png_rows_bytes(body: bytes) -> tuple[int, int, int] | None:
    """For a PNG: (width, height, bytes its compressed rows must inflate to); None for other formats."""
    if not body.startswith(b"\x89PNG\r\n\x1a\n") or body[12:16] != b"IHDR" or len(body) < 33:
        return None
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body[16:29])
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}.get(colour)
    if channels is None:
        return None  # Pillow refuses it with its own message
    bits = channels * depth
    if interlace != 1:
        return width, height, height * ((width * bits + 7) // 8 + 1)
    total = 0
    for x0, y0, dx, dy in (
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ):
        columns, rows = max(0, -(-(width - x0) // dx)), max(0, -(-(height - y0) // dy))
        if columns and rows:
            total += rows * ((columns * bits + 7) // 8 + 1)
    return width, height, total


def _png_inflates_to(body: bytes) -> int:
    """How many bytes the PNG's IDAT chunks inflate to (stopping past what is needed), without keeping them."""
    inflater, produced, position = zlib.decompressobj(), 0, 8
    while position + 8 <= len(body):
        (length,), kind = struct.unpack(">I", body[position : position + 4]), body[position + 4 : position + 8]
        data = body[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IEND":
            break
        if kind != b"IDAT":
            continue
        while data:
            produced += len(inflater.decompress(data, 1 << 20))
            data = inflater.unconsumed_tail
    return produced


def _decode_and_check(body: bytes, url: str, max_pixels: int, sha256: str | None) -> np.ndarray:
    if sha256 is not None:
        digest = hashlib.sha256(body).hexdigest()
        if digest != sha256.lower():
            raise ImageDownloadError(f"{url}: sha256 is {digest}, expected {sha256}")
    png = _png_rows_bytes(body)
    try:
        if png is not None:  # checked before Pillow reads the header: no DecompressionBombWarning either
            _check_pixel_count(png[0], png[1], url, max_pixels)
            inflated = _png_inflates_to(body)
            if inflated < png[2]:
                raise ImageDownloadError(
                    f"{url}: the PNG is truncated: its rows inflate to {inflated} bytes, "
                    f"but a {png[0]}x{png[1]} image needs {png[2]}"
                )
        with Image.open(io.BytesIO(body)) as image:
            _check_pixel_count(*image.size, url, max_pixels)
            image.load()
            return np.array(_in_a_documented_mode(image))
    except ImageDownloadError:
        raise
    except Image.DecompressionBombError as error:
        raise ImageDownloadError(f"{url}: refused as a decompression bomb ({error})") from None
    except UnidentifiedImageError:
        raise ImageDownloadError(f"{url}: the body is not an image (first bytes: {body[:24]!r})") from None
    except (OSError, SyntaxError, ValueError, zlib.error, struct.error) as error:
        # Pillow raises OSError for truncated and corrupt files.
        raise ImageDownloadError(f"{url}: the body is not a valid image ({_cause(error)})") from None


def _check_pixel_count(width: int, height: int, url: str, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageDownloadError(
            f"{url}: the image declares {width}x{height} pixels, over the limit of {max_pixels} "
            "(a possible decompression bomb)"
        )


_GRAY_MODES = ("L", "I;16", "I;16L", "I;16B", "I", "F")


def _in_a_documented_mode(image: Image.Image) -> Image.Image:
    """Gray, RGB or RGBA: palette indices, single bits, CMYK and the rest are converted to pixel values."""
    if image.mode in _GRAY_MODES or image.mode in ("RGB", "RGBA"):
        return image
    if image.mode == "1":
        return image.convert("L")
    has_alpha = "A" in image.getbands() or "a" in image.getbands() or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _write_atomically(target: Path, body: bytes) -> None:
    """Write ``body`` to a temporary file beside ``target``, then rename it: ``target`` is old or new, never half.

    The file gets the permissions a plain ``open(target, "w")`` would give
    (mkstemp's own are owner-only).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(body)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_lion_with_source(*, cache_dir: str | os.PathLike[str] | None = None, timeout: float = 10.0) -> LoadedImage:
    """The post's lion, or a freely licensed stand-in, and a note on which one it is.

    The choice, first match wins:

    1. The environment variable :data:`COURSE_IMAGE_ENV`
       (``CONVOLUTION_COURSE_IMAGE``) holds a path: that file's pixels,
       decoded and checked like a downloaded image. An empty value counts as
       unset.
    2. The environment variable :data:`STAND_IN_ENV` is ``1``: the stand-in,
       scikit-image's ``chelsea`` (a 300x451 colour photo of a cat, CC0,
       shipped inside scikit-image).
    3. The lion, fetched from :data:`LION_URL` once and cached; the stand-in
       when that fails (offline, link gone, ``timeout`` seconds spent). When
       the lion is downloaded but cannot be cached (read-only folder), it is
       still returned, and ``reason`` says so.

    Returns
    -------
    LoadedImage
        ``pixels`` as decoded: uint8, gray ``(H, W)``, RGB ``(H, W, 3)`` or
        RGBA ``(H, W, 4)`` (the lion and the stand-in are RGB), with ``name``,
        ``source`` (for a file from :data:`COURSE_IMAGE_ENV`, its path and
        the variable), ``licence`` and the ``reason`` this image was chosen.

    Raises
    ------
    FileNotFoundError
        :data:`COURSE_IMAGE_ENV` names a path that is not a file.
    ValueError
        The file it names is not an image, is corrupt or truncated, is over
        :data:`COURSE_IMAGE_MAX_BYTES` bytes or :data:`COURSE_IMAGE_MAX_PIXELS`
        pixels, or holds 16- or 32-bit values instead of 8-bit ones. Every
        message names the variable and the path.

    Examples
    --------
    A gray PNG written to a temporary folder, used through the variable (set
    only inside the ``with`` block, so it cannot leak into other code):

    >>> import os, tempfile
    >>> from unittest import mock
    >>> from PIL import Image
    >>> path = os.path.join(tempfile.mkdtemp(), "gray.png")
    >>> Image.new("L", (5, 3), color=40).save(path)
    >>> with mock.patch.dict(os.environ, {COURSE_IMAGE_ENV: path}):
    ...     loaded = load_lion_with_source()
    >>> loaded.pixels.shape, loaded.pixels.dtype, int(loaded.pixels.max())
    ((3, 5), dtype('uint8'), 40)
    >>> loaded.reason
    'CONVOLUTION_COURSE_IMAGE names this file'
    """
    chosen = os.environ.get(COURSE_IMAGE_ENV, "")
    if chosen:
        return _from_course_image_env(chosen)
    if os.environ.get(STAND_IN_ENV, "") == "1":
        return _stand_in(f"the stand-in was requested ({STAND_IN_ENV}=1)")
    folder = Path(cache_dir) if cache_dir is not None else CACHE_DIR
    reason = "downloaded (or read from the cache)"
    try:
        pixels = fetch_image(LION_URL, folder / "lion.png", timeout=timeout, max_bytes=5_000_000)
    except ImageCacheError as error:
        pixels, reason = error.pixels, f"downloaded, but not cached: {error}"
    except ImageDownloadError as error:
        return _stand_in(f"the lion could not be fetched: {error}")
    return LoadedImage(
        pixels=pixels,
        name="lion",
        source=LION_URL,
        licence="unknown: fetched at run time from its page, never redistributed",
        reason=reason,
    )


def load_lion(*, cache_dir: str | os.PathLike[str] | None = None, timeout: float = 10.0) -> np.ndarray:
    """Return the course image's pixels and print one line saying which image it is.

    See :func:`load_lion_with_source` for the choice between a file named by
    :data:`COURSE_IMAGE_ENV`, the lion and the stand-in, and for the errors.
    """
    loaded = load_lion_with_source(cache_dir=cache_dir, timeout=timeout)
    print(f"Loaded {loaded.name} {loaded.pixels.shape} {loaded.pixels.dtype}: {loaded.reason}.")
    return loaded.pixels


def _from_course_image_env(value: str) -> LoadedImage:
    """The image in the file that :data:`COURSE_IMAGE_ENV` names, checked like a downloaded one."""
    path = Path(value).expanduser()
    named = f"{COURSE_IMAGE_ENV}={value!r}"
    if not path.is_file():
        what = "a folder" if path.is_dir() else "not a regular file" if path.exists() else "no such file"
        raise FileNotFoundError(f"{named}: {what}; set it to the path of an image file, or unset it")
    too_big = f"{named}: the file is over the limit of {COURSE_IMAGE_MAX_BYTES} bytes"
    try:
        size = path.stat().st_size
        if size > COURSE_IMAGE_MAX_BYTES:
            raise ValueError(f"{too_big} ({size} bytes)")
        with path.open("rb") as file:  # at most one byte past the limit, whatever the size said (/proc files say 0)
            body = file.read(COURSE_IMAGE_MAX_BYTES + 1)
        if len(body) > COURSE_IMAGE_MAX_BYTES:
            raise ValueError(too_big)
    except OSError as error:
        raise FileNotFoundError(f"{named}: the file cannot be read ({type(error).__name__}: {_cause(error)})") from None
    try:
        pixels = _decode_and_check(body, named, COURSE_IMAGE_MAX_PIXELS, None)
    except ImageDownloadError as error:
        # the message starts with the label given above, which names the variable and the path
        raise ValueError(str(error)) from None
    if pixels.dtype != np.uint8:
        raise ValueError(
            f"{named}: the image holds {pixels.dtype} values (a 16- or 32-bit file); "
            "the course needs 8-bit gray, RGB or RGBA: save it with 8 bits per channel"
        )
    return LoadedImage(
        pixels=pixels,
        name=path.name,
        source=f"the file {path} (named by {COURSE_IMAGE_ENV})",
        licence="as the file's owner states: chosen by whoever set the variable, never redistributed by the course",
        reason=f"{COURSE_IMAGE_ENV} names this file",
    )


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
        ``(H, W)``, or ``(H, W, 3)`` / ``(H, W, 4)`` (RGB or RGBA; alpha is
        ignored).

    Returns
    -------
    numpy.ndarray, shape (H, W)
        A new array, never a view of ``image``: changing it leaves the input
        as it was. For a 2-D image, a copy; if R, G and B are equal, a copy of
        channel 0 (same dtype). Otherwise the ITU-R BT.601 luma
        ``0.299 R + 0.587 G + 0.114 B`` (the weights Pillow's
        ``convert("L")`` uses), rounded back to uint8 for uint8 input and
        float64 otherwise.

    Raises
    ------
    ValueError
        Not 2-D or 3-D, a channel count other than 3 or 4, empty, NaN or
        infinity, or over the size limit of :mod:`helpers._checks`.
    TypeError
        Not an array of real numbers (bool, complex, strings, objects).

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
        return pixels.copy()
    if pixels.shape[2] not in (3, 4):
        raise ValueError(f"image must have 3 (RGB) or 4 (RGBA) channels, got shape {pixels.shape}")
    rgb = pixels[..., :3]
    if np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2]):
        return rgb[..., 0].copy()
    luma = rgb.astype(np.float64) @ LUMA_WEIGHTS
    if pixels.dtype == np.uint8:
        return np.clip(np.rint(luma), 0, 255).astype(np.uint8)
    return luma
