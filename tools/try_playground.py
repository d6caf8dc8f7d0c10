"""Use the kernel playground (notebook 09) in a real browser, the way a learner would.

    python tools/try_playground.py            # screenshots go to _build/playground/ (git-ignored)

It starts JupyterLab on 127.0.0.1 with a random token, on a temporary copy of
notebooks/ (so nothing in the repository is saved over), opens
09_kernel_playground.ipynb in headless Chromium through Playwright, runs all
cells, types a fraction (``1/9``) into one kernel cell and checks that the
summary line and the output figure change, types ``1,5`` into another and checks
that the figure goes and a message names the cell. Then it picks a gallery
kernel, the border and the display, types a pixel into the sliders' readouts,
clicks a pixel on the input image and switches image, checking the summary line
after each. It saves screenshots along the way.

``--out`` is checked (a folder it can write, or one it can make) before anything
starts. The script removes only files it made itself: the screenshots and log
listed in ``try_playground-files.txt`` there by its previous run.

Playwright drives the system Chromium (``apt-get install chromium``), found as
``chromium`` on PATH or through ``CHROMIUM``; it never downloads a browser.
``.ci/run`` runs this script once; it takes about a minute, too long for every
``python -m pytest``. Exit status 0 means the playground reacted.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "09_kernel_playground.ipynb"
DEFAULT_OUT = ROOT / "_build" / "playground"
#: The list of files the last run wrote into the output folder: the only files a run removes.
MANIFEST = "try_playground-files.txt"


def prepare_out(out: Path) -> None:
    """Make sure ``out`` is a folder this script can write, and remove what its previous run left there.

    Raises ``ValueError`` (before any other work) when ``out`` is a file or cannot be written.
    Files not named in the folder's manifest are never touched.
    """
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        raise ValueError(f"--out {out} cannot be written: {error.strerror or error}") from None
    manifest = out / MANIFEST
    if manifest.is_file():
        for name in manifest.read_text().split():
            own = out / name
            # only plain names this script uses, never a path that leaves the folder
            if name == Path(name).name and name.startswith("playground-") and own.is_file():
                own.unlink()
        manifest.unlink()


def record(out: Path, path: Path) -> Path:
    """Add ``path`` (a file about to be written in ``out``) to the manifest; return it."""
    with open(out / MANIFEST, "a") as manifest:
        manifest.write(path.name + "\n")
    return path


def find_chromium() -> str | None:
    """The system Chromium's path, or None when there is none."""
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    return candidate if candidate and Path(candidate).exists() else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def jupyter_lab(folder: Path, log_path: Path, *, timeout: float = 90.0) -> Iterator[str]:
    """Run JupyterLab on ``folder`` (127.0.0.1, a random port and token); yield its base URL with the token."""
    port, token = free_port(), secrets.token_hex(16)
    env = dict(os.environ, CONVOLUTION_COURSE_STAND_IN="1", TF_CPP_MIN_LOG_LEVEL="3")
    # settings of its own: the learner's are left alone, and JupyterLab does not offer to fetch news
    settings = folder.parent / "lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    env["JUPYTERLAB_SETTINGS_DIR"] = str(folder.parent / "lab-settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(folder.parent / "lab-workspaces")
    # the kernel imports this checkout's helpers, even where another copy is installed
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1"]
    command += [f"--port={port}", f"--ServerApp.token={token}", f"--ServerApp.root_dir={folder}"]
    command += ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(log_path, "w")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start; see {log.name}") from None
                time.sleep(0.5)
        yield f"{base}|{token}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def try_playground(out: Path, chromium: str) -> list[str]:
    """Run the whole check; return what was observed, one line each. Raises AssertionError on failure."""
    from playwright.sync_api import sync_playwright

    seen: list[str] = []
    with tempfile.TemporaryDirectory(prefix="playground-") as temp:
        folder = Path(temp) / "notebooks"
        shutil.copytree(ROOT / "notebooks", folder)
        with (
            jupyter_lab(folder, record(out, out / "playground-jupyterlab.log")) as address,
            sync_playwright() as playwright,
        ):
            base, token = address.split("|")
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            try:
                seen += _drive(page, base, token, out)
            except Exception:
                page.screenshot(path=str(record(out, out / "playground-failure.png")))
                raise
            finally:
                browser.close()
    return seen


def _drive(page, base: str, token: str, out: Path) -> list[str]:
    """Open the notebook, run it, edit a kernel cell and see the output change."""
    seen = []

    def shot(name: str) -> Path:
        return record(out, out / name)

    page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    page.wait_for_selector(".jp-StatusBar-Widget:has-text('Idle')", timeout=90_000)  # the kernel is connected
    page.wait_for_timeout(2_000)
    seen.append("JupyterLab opened the notebook and its kernel is idle")

    page.click("li.lm-MenuBar-item:has-text('Run')")
    page.click("li.lm-Menu-item:has-text('Run All Cells')")
    image = page.locator(".jp-OutputArea-output .widget-image").first
    image.wait_for(timeout=180_000)
    summary = page.locator(".jp-OutputArea-output .widget-html-content").first
    page.wait_for_selector(".widget-html-content:has-text('edge_2 on step')", timeout=60_000)
    image.scroll_into_view_if_needed()
    before_text, before_src = summary.text_content().strip(), image.get_attribute("src")
    assert before_text.startswith("edge_2 on step"), f"unexpected summary line {before_text!r}"
    page.screenshot(path=str(shot("playground-before.png")))
    seen.append(f"after Run All the playground shows: {before_text}")

    cells = page.locator(".jp-OutputArea-output .widget-gridbox input")
    assert cells.count() == 25, f"expected 25 kernel cells, found {cells.count()}"

    def type_into(cell, text: str) -> None:
        cell.fill(text)
        cell.press("Enter")  # a text cell sends its value on Enter

    centre = cells.nth(12)  # row 2, column 2: the centre of the grid, where a 3x3 kernel has its centre
    type_into(centre, "1/9")
    page.wait_for_function(
        "([el, old]) => el.textContent.trim() !== old", arg=[summary.element_handle(), before_text], timeout=30_000
    )
    page.wait_for_function(
        "([el, old]) => el.getAttribute('src') !== old",
        arg=[image.element_handle(), before_src],
        timeout=30_000,
    )
    after_text = summary.text_content().strip()
    # edge_2 with 1/9 in the centre, at (32, 32) on the step: 255 above, below and right, 0 left, 255 / 9
    assert after_text.startswith("custom on step") and after_text.endswith("add up to 793.3"), after_text
    image.scroll_into_view_if_needed()
    page.screenshot(path=str(shot("playground-after.png")))
    seen.append(f"after typing 1/9 into the centre kernel cell: {after_text}")
    seen.append("the output figure's image changed (its src is a new PNG)")

    # a comma: no figure, and a message that names the cell (row 1, column 3 of the 3x3 kernel)
    type_into(cells.nth(8), "1,5")
    page.wait_for_selector(".widget-html-content:has-text('Not drawn')", timeout=30_000)
    message = summary.text_content().strip()
    assert "row 1, column 3" in message and "'1,5', which is not a number" in message, message
    assert not image.is_visible(), "the old figure is still shown beside the error"
    page.screenshot(path=str(shot("playground-error.png")))
    seen.append(f"after typing 1,5 into the top-right cell: {message}")
    type_into(cells.nth(8), "0")
    image.wait_for(state="visible", timeout=30_000)
    page.wait_for_selector(".widget-html-content:has-text('add up to 793.3')", timeout=30_000)
    seen.append("after typing 0 there instead, the figure is back")

    # the other controls, as a learner would use them: a gallery kernel, the border, the display, the pixel
    playground = page.locator(".jp-OutputArea-output:has(.widget-gridbox)").first

    def changed_to(expected: str, action) -> str:
        """Do ``action``, wait for a new figure and for ``expected`` in the summary line; return the line."""
        old = image.get_attribute("src")
        action()
        page.wait_for_function(
            "([el, old]) => el.getAttribute('src') !== old", arg=[image.element_handle(), old], timeout=30_000
        )
        # the figure and the summary line are two widgets, updated one after the other
        page.wait_for_function(
            "([el, text]) => el.textContent.includes(text)", arg=[summary.element_handle(), expected], timeout=30_000
        )
        return summary.text_content().strip()

    dropdowns = playground.locator(".widget-dropdown select")  # kernel, image, border
    changed_to("sobel_x on step", lambda: dropdowns.nth(0).select_option("sobel_x"))
    changed_to("mode=wrap", lambda: dropdowns.nth(2).select_option("wrap"))
    changed_to("mode=wrap", lambda: playground.locator("button:has-text('offset')").click())
    readouts = playground.locator(".widget-slider .widget-readout")  # row, col: click the number and type
    for index, value, expected in ((0, "5", "(row 5, col 32)"), (1, "0", "(row 5, col 0)")):

        def type_value(index=index, value=value):
            readouts.nth(index).click()
            page.keyboard.press("Control+A")
            page.keyboard.type(value)
            page.keyboard.press("Enter")

        text = changed_to(expected, type_value)
    assert "add up to -1020.0" in text, text  # wrap: white columns left of column 0, falling into the black
    image.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    image.screenshot(path=str(shot("playground-figure-controls.png")))
    seen.append(f"after picking sobel_x, border wrap, display offset and pixel (5, 0): {text}")

    # a click on the input image chooses the pixel: where is row 40, column 20 in the figure on screen?
    text = changed_to("(row 40, col 20)", lambda: image.click(position=_on_screen(image, row=40, col=20)))
    assert "sobel_x on step" in text, text
    seen.append(f"after clicking the input image at row 40, column 20: {text}")
    # another image: one new figure, the pixel at the same place in the photograph (300 x 451)
    text = changed_to("(row 189, col 144)", lambda: dropdowns.nth(1).select_option("course"))
    image.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    image.screenshot(path=str(shot("playground-figure-course.png")))
    seen.append(f"after switching to the course image: {text}")
    return seen


def _on_screen(image, *, row: int, col: int) -> dict[str, float]:
    """Where to click the figure (as shown, maybe scaled) to hit the input panel's pixel (row, col)."""
    import numpy as np

    if str(ROOT) not in sys.path:  # this checkout's helpers, as the kernel imports them
        sys.path.insert(0, str(ROOT))
    from helpers import playground

    state = playground.PlaygroundState(
        kernel=np.zeros((3, 3)), image="step", mode="wrap", display="offset", row=row, col=col
    )
    where = playground.rendering_png_and_map(playground.render_state(state, playground.synthetic_image("step")))[1]
    left, top, right, bottom = where.panels[0]
    shape = where.shape
    x = left + (col + 0.5) / shape[1] * (right - left)
    y = top + (row + 0.5) / shape[0] * (bottom - top)
    natural = image.evaluate("el => [el.naturalWidth, el.naturalHeight]")
    box = image.bounding_box()
    assert natural == list(where.size), f"the figure on screen is {natural}, not the expected {where.size}"
    return {"x": x * box["width"] / natural[0], "y": y * box["height"] / natural[1]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the screenshots")
    args = parser.parse_args(argv)
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium found: apt-get install chromium (or set CHROMIUM=/path/to/chromium)", file=sys.stderr)
        return 2
    if not (ROOT / "notebooks" / NOTEBOOK).is_file():
        print(f"no notebooks/{NOTEBOOK} in {ROOT}", file=sys.stderr)
        return 2
    try:
        prepare_out(args.out)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    start = time.perf_counter()
    for line in try_playground(args.out, chromium):
        print(line)
    print(f"playground checked in a real browser in {time.perf_counter() - start:.0f} s; screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
