"""The course website: built from a clean copy into a temporary folder, every page, link and image checked.

``python tools/build_site.py`` builds it (Jupyter Book 1, offline, stored
outputs, nothing executed). Here the build runs once for the module on a copy
of the files git knows (what a fresh clone has), with warnings as errors, so a
link to a missing section fails the build. Into that copy the fixture adds one
dummy GIF under ``notebooks/animations/`` and a markdown cell showing it, so
the path an animation takes to the site is tested whether or not the course
has animations yet.

The browser tests open pages in headless Chromium, among them the in-browser
playground (``site/playground/``), whose arithmetic is compared with the
helpers'; they are skipped, saying why, where no Chromium is installed
(``.ci/run`` installs it). The licence files and ``CITATION.cff`` are checked
here too, as they are stated on every page's footer.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html.parser
import http.server
import json
import re
import shutil
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
import yaml
from PIL import Image
from scripts import load_script

import helpers
from helpers import playground

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _load(name: str):
    return load_script(f"tools/{name}.py")


build_site = _load("build_site")


#: What the site is built from: the book's settings, the notebooks with every file under them
#: (animations, images), and the in-browser playground.
SITE_SOURCES = ("book/", "notebooks/", "site/")
#: A dummy animation the fixture adds to the copy (a 2x2 two-frame GIF), and the cell that shows it.
DUMMY_ANIMATION = "animations/site_test_dummy.gif"
DUMMY_ALT = "a dummy two-frame animation added by the site test"


def clean_copy(destination: Path, root: Path = ROOT) -> Path:
    """The files a fresh clone would have: tracked ones, plus new ones git does not ignore."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: take what the build reads
        listed = [str(p.relative_to(root)) for folder in SITE_SOURCES for p in (root / folder).rglob("*")]
    for name in listed:
        source = root / name
        if source.is_file() and name.startswith(SITE_SOURCES):
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


def add_dummy_animation(course: Path) -> None:
    """Put a small GIF under notebooks/animations/ and show it from a markdown cell at the end of the last notebook."""
    gif = course / "notebooks" / DUMMY_ANIMATION
    gif.parent.mkdir(parents=True, exist_ok=True)
    frames = [Image.new("L", (2, 2), 0), Image.new("L", (2, 2), 255)]
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=200, loop=0)
    last = sorted((course / "notebooks").glob("[0-9][0-9]_*.ipynb"))[-1]
    notebook = json.loads(last.read_text(encoding="utf-8"))
    source = f"![{DUMMY_ALT}]({DUMMY_ANIMATION})"
    notebook["cells"].append({"cell_type": "markdown", "metadata": {}, "source": source})
    last.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    copy = clean_copy(tmp_path_factory.mktemp("clone"))
    add_dummy_animation(copy)
    start = time.perf_counter()
    try:
        html = build_site.build(tmp_path_factory.mktemp("site"), root=copy, quiet=True)
    except SystemExit as failure:  # the build's own messages are printed above
        pytest.fail(f"{failure}; a broken #anchor? run python tools/fix_links.py and python tools/navigation.py")
    print(f"site built in {time.perf_counter() - start:.0f} s")
    return html


class _Page(html.parser.HTMLParser):
    """The ids, links and sources of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.images: list[dict[str, str | None]] = []  # the attributes of every <img>

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes)
        for key in ("id", "name"):
            if attributes.get(key):
                self.ids.add(attributes[key])
        for key in ("href", "src"):
            if attributes.get(key) is not None:
                self.refs.append((tag, key, attributes[key]))


_parsed: dict[Path, _Page] = {}


def parse(path: Path) -> _Page:
    if path not in _parsed:
        page = _Page()
        page.feed(path.read_text(encoding="utf-8"))
        _parsed[path] = page
    return _parsed[path]


def test_every_notebook_is_a_page_and_search_is_built(site):
    for notebook in NOTEBOOKS:
        assert (site / f"{notebook.stem}.html").is_file(), f"no page for {notebook.name}"
    assert (site / "index.html").is_file() and (site / "search.html").is_file()
    index = (site / "searchindex.js").read_text(encoding="utf-8")
    assert "playground" in index and "correl" in index, "the search index does not hold the course's words"


def test_the_table_of_contents_is_in_course_order(site):
    refs = [value for tag, key, value in parse(site / f"{NOTEBOOKS[0].stem}.html").refs if tag == "a"]
    pages = [unquote(urlsplit(ref).path) for ref in refs if re.fullmatch(r"\d\d_\w+\.html", urlsplit(ref).path)]
    order = list(dict.fromkeys(pages))
    assert order[: len(NOTEBOOKS) - 1] == [f"{p.stem}.html" for p in NOTEBOOKS[1:]], order


def test_every_internal_link_and_image_resolves(site):
    problems = []
    pages = [page for page in sorted(site.rglob("*.html")) if "_static" not in page.parts]  # _static: theme templates
    assert len(pages) >= len(NOTEBOOKS)
    for page in pages:
        for tag, key, value in parse(page).refs:
            parts = urlsplit(value)
            if parts.scheme or value.startswith(("//", "mailto:", "javascript:", "data:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            where = f"{page.relative_to(site)}: <{tag} {key}={value!r}>"
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{where}: no file")
            elif parts.fragment and target.suffix == ".html" and parts.fragment not in parse(target).ids:
                problems.append(f"{where}: no id {parts.fragment!r} in {target.name}")
    assert not problems, f"{len(problems)} broken: " + "; ".join(problems[:10])


def test_links_between_notebooks_are_links_between_pages(site):
    page = parse(site / f"{NOTEBOOKS[1].stem}.html")
    hrefs = [value for tag, key, value in page.refs if tag == "a"]
    assert f"{NOTEBOOKS[2].stem}.html" in hrefs, "the navigation link to the next notebook is not a page link"
    local = [href for href in hrefs if not urlsplit(href).scheme and not href.startswith("_sources/")]
    assert not [href for href in local if ".ipynb" in href], "a link still points at an .ipynb file"


def test_math_is_served_from_the_site_not_a_cdn(site):
    scripts = [value for tag, key, value in parse(site / "02_convolution_by_hand.html").refs if tag == "script"]
    mathjax = [src for src in scripts if "MathJax" in src]
    assert mathjax and all(not urlsplit(src).scheme for src in mathjax), mathjax
    assert (site / "_static" / "mathjax" / "MathJax.js").is_file()
    remote = {src for page in site.glob("*.html") for tag, _, src in parse(page).refs if tag == "script"}
    assert not [src for src in remote if urlsplit(src).scheme], "a page loads a script from the internet"


# --------------------------------------------------------------------------
# In a real browser


def _chromium() -> str:
    found = _load("try_playground").find_chromium()
    if found is None:
        pytest.skip("no Chromium browser here (apt-get install chromium; .ci/run installs it)")
    return found


def _not_blank(path: Path) -> float:
    pixels = np.asarray(Image.open(path).convert("L"), dtype=np.float64)
    return float(pixels.std())


def test_the_site_in_headless_chromium(site, tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        remote = []
        page.on("request", lambda request: remote.append(request.url) if request.url.startswith("http") else None)
        page.goto((site / "index.html").as_uri())
        page.wait_for_selector("nav.bd-docs-nav", timeout=30_000)
        page.wait_for_load_state("networkidle")
        assert "Understanding Convolution" in page.title() or "Start here" in page.title(), page.title()
        page.screenshot(path=str(tmp_path / "index.png"))

        page.goto((site / "02_convolution_by_hand.html").as_uri())
        page.wait_for_function("() => document.querySelectorAll('.MathJax, mjx-container').length > 0", timeout=30_000)
        page.wait_for_selector(".cell_output img", timeout=30_000)  # a figure, not the launch menu's hidden logo
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(tmp_path / "02.png"), full_page=False)
        typeset = page.evaluate("document.querySelectorAll('.MathJax, mjx-container').length")
        figures = page.evaluate("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length")
        browser.close()
    for name in ("index.png", "02.png"):
        assert _not_blank(tmp_path / name) > 20, f"{name} looks blank"
    assert typeset > 0 and figures > 3
    badge_only = [url for url in remote if "mybinder.org" not in url]
    assert not badge_only, f"pages asked the internet for {badge_only[:3]}"
    keep = ROOT / "_build" / "screenshots"  # git-ignored, to look at after a run
    keep.mkdir(parents=True, exist_ok=True)
    for name in ("index.png", "02.png"):
        shutil.copy2(tmp_path / name, keep / f"site-{name}")


# --------------------------------------------------------------------------
# What the site shows differently from the notebooks (tools/build_site.py's staging copy)

REPOSITORY = "understanding-convolution/understanding-convolution"


def _pages(site: Path) -> list[Path]:
    return [page for page in sorted(site.rglob("*.html")) if "_static" not in page.parts]


def test_check_cells_are_collapsed_on_the_site(site):
    for notebook in NOTEBOOKS:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        checks = sum("check" in cell.get("metadata", {}).get("tags", []) for cell in cells)
        text = (site / f"{notebook.stem}.html").read_text(encoding="utf-8")
        shown = re.findall(r'<div class="cell tag_check[^"]*">\s*(<details class="[^"]*")?', text)
        assert len(shown) == checks, f"{notebook.name}: {checks} check cells, {len(shown)} on the page"
        expanded = [match for match in shown if "hide above-input" not in match]
        assert not expanded, f"{notebook.name}: {len(expanded)} check cells are not collapsed on the page"


def test_a_widget_cell_shows_a_note_not_its_repr(site):
    for page in _pages(site):
        assert "(children=" not in page.read_text(encoding="utf-8"), f"{page.name} shows a widget's repr"
    widget_page = site / "09_kernel_playground.html"
    assert 'class="widget-note"' in widget_page.read_text(encoding="utf-8")
    assert ("a", "href", "playground/index.html") in parse(widget_page).refs


def test_site_notebook_changes_a_copy_only():
    widget = {"output_type": "execute_result", "execution_count": 1, "metadata": {}}
    widget["data"] = {"text/plain": ["VBox(children=(HBox(children=(Dropdown(description='kernel')", "))"]}
    view = {"output_type": "display_data", "metadata": {}, "data": {"application/vnd.jupyter.widget-view+json": {}}}
    printed = {"output_type": "stream", "name": "stdout", "text": "VBox(children= is only text here\n"}
    notebook = {
        "cells": [
            {"cell_type": "code", "metadata": {"tags": ["check"]}, "source": "# Checks: x", "outputs": []},
            {"cell_type": "code", "metadata": {}, "source": "make()", "outputs": [printed, widget, view]},
            {"cell_type": "markdown", "metadata": {"tags": ["check"]}, "source": "text"},
        ]
    }
    before = json.dumps(notebook)
    staged = build_site.site_notebook(notebook)
    assert json.dumps(notebook) == before, "site_notebook changed the notebook it was given"
    assert staged["cells"][0]["metadata"]["tags"] == ["check", "hide-input"]
    assert staged["cells"][2]["metadata"]["tags"] == ["check"]  # markdown cells have no source to hide
    outputs = staged["cells"][1]["outputs"]
    assert outputs[0] == printed and len(outputs) == 2 and "widget-note" in outputs[1]["data"]["text/html"]
    assert build_site.site_notebook(staged) == staged  # staging twice changes nothing more


def test_files_next_to_the_notebooks_are_staged_and_cloned(tmp_path):
    course = tmp_path / "course"
    (course / "book").mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / "book" / name, course / "book" / name)
    shutil.copytree(ROOT / "notebooks", course / "notebooks", ignore=shutil.ignore_patterns(".*", "__pycache__"))
    add_dummy_animation(course)
    (course / "notebooks" / ".ipynb_checkpoints").mkdir(exist_ok=True)
    (course / "notebooks" / ".ipynb_checkpoints" / "x.gif").write_bytes(b"GIF89a")
    staging = tmp_path / "staging"
    staging.mkdir()
    build_site.stage(staging, course)
    assert (staging / DUMMY_ANIMATION).read_bytes() == (course / "notebooks" / DUMMY_ANIMATION).read_bytes()
    assert not (staging / ".ipynb_checkpoints").exists(), "a hidden folder was staged"
    toc = yaml.safe_load((staging / "_toc.yml").read_text(encoding="utf-8"))
    assert toc["chapters"][-1] == {"file": build_site.PLAYGROUND_PAGE}
    # a fresh clone (clean_copy) keeps the files under notebooks/ too, in their folders
    subprocess.run(["git", "init", "-q", str(course)], check=True)
    copied = clean_copy(tmp_path / "clone", root=course)
    assert (copied / "notebooks" / DUMMY_ANIMATION).is_file()


def test_an_animation_next_to_the_notebooks_shows_on_the_site(site):
    page = parse(site / f"{NOTEBOOKS[-1].stem}.html")
    shown = [image for image in page.images if image.get("alt") == DUMMY_ALT]
    assert len(shown) == 1, "the dummy animation's markdown image is not on the page"
    target = site / unquote(shown[0]["src"])
    assert target.is_file() and target.suffix == ".gif" and target.read_bytes().startswith(b"GIF8")


def test_every_notebook_page_has_a_binder_launch_button(site):
    for notebook in NOTEBOOKS:
        hrefs = {value for tag, key, value in parse(site / f"{notebook.stem}.html").refs if tag == "a"}
        launch = f"https://mybinder.org/v2/gh/{REPOSITORY}/main?urlpath=lab/tree/notebooks/{notebook.name}"
        assert launch in hrefs, f"{notebook.stem}.html has no Binder launch button for {notebook.name}"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"mybinder.org/v2/gh/{REPOSITORY}/" in readme, "the README's badge names another repository"


def test_every_page_states_the_licences_in_its_footer(site):
    for page in _pages(site):
        if page.name in ("genindex.html", "search.html") or page.parent.name == "playground":
            continue
        text = page.read_text(encoding="utf-8")
        if 'http-equiv="Refresh"' in text:  # index.html only redirects to the first page
            continue
        footer = text[text.find('<footer class="bd-footer-content">') :]
        assert "creativecommons.org/licenses/by/4.0" in footer and "MIT" in footer, f"{page.name}: no licence"
    playground_page = (site / "playground" / "index.html").read_text(encoding="utf-8")
    assert "creativecommons.org/licenses/by/4.0" in playground_page and "MIT" in playground_page


def test_every_image_on_the_site_has_alt_text(site):
    """Issue 21: each figure's alt text says what it shows (myst-nb reads cell metadata mystnb.image.alt).

    A figure without that metadata gets its file's path as alt text, which is counted as missing.
    """
    missing = []
    for page in _pages(site):
        for image in parse(page).images:
            alt = (image.get("alt") or "").strip()
            # docutils writes the image's path as its alt when none is given: that says nothing either
            if not alt or alt == image.get("src") or re.fullmatch(r"\S+\.(png|jpe?g|gif|svg)", alt):
                missing.append(f"{page.relative_to(site)}: {image.get('src', '')[:60]}")
    by_page: dict[str, int] = {}
    for entry in missing:
        by_page[entry.split(":")[0]] = by_page.get(entry.split(":")[0], 0) + 1
    assert not missing, f"{len(missing)} images without alt text, by page: {by_page}; first: {missing[:3]}"


# --------------------------------------------------------------------------
# The licences and the citation


def test_the_licences_are_stated_where_a_reader_looks():
    code = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert code.startswith("MIT License") and "Permission is hereby granted, free of charge" in code
    content = (ROOT / "LICENSE-CONTENT").read_text(encoding="utf-8")
    assert "https://creativecommons.org/licenses/by/4.0/legalcode" in content
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    data = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    for name, text in (("README.md", readme), ("data/README.md", data)):
        assert "CC BY 4.0" in text and "LICENSE-CONTENT" in text, f"{name} does not state the text licence"
    assert "[MIT" in readme and "CITATION.cff" in readme
    config = yaml.safe_load((ROOT / "book" / "_config.yml").read_text(encoding="utf-8"))
    assert "creativecommons.org/licenses/by/4.0" in config["html"]["extra_footer"]


def test_citation_cff_has_what_github_and_zenodo_read():
    """CITATION.cff 1.2.0: the required keys (cff-version, message, title, authors) and valid values."""
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert isinstance(citation, dict)
    missing = {"cff-version", "message", "title", "authors"} - set(citation)
    assert not missing, f"CITATION.cff lacks the required keys {sorted(missing)}"
    assert citation["cff-version"] == "1.2.0"  # a string: 1.2.0 is not a YAML number
    assert isinstance(citation["message"], str) and citation["message"].strip()
    assert isinstance(citation["title"], str) and citation["title"] == "Understanding Convolution"
    authors = citation["authors"]
    assert isinstance(authors, list) and authors, "authors must be a non-empty list"
    for author in authors:  # a person has family-names, an entity has a name
        assert isinstance(author, dict) and (author.get("family-names") or author.get("name")), author
    allowed = {"cff-version", "message", "title", "authors", "type", "license", "repository-code", "url"}
    allowed |= {"abstract", "keywords", "version", "date-released", "doi", "identifiers", "preferred-citation"}
    assert not set(citation) - allowed, f"keys the schema does not have: {sorted(set(citation) - allowed)}"
    assert citation.get("type", "software") in ("software", "dataset")
    licences = citation.get("license")
    assert licences in (["MIT", "CC-BY-4.0"], ["CC-BY-4.0", "MIT"]), "license must name both licences (SPDX)"
    assert citation["repository-code"] == f"https://github.com/{REPOSITORY}"
    assert all(isinstance(word, str) for word in citation.get("keywords", []))


# --------------------------------------------------------------------------
# The in-browser playground (site/playground/): data, arithmetic and page


make_data = None


def _make_data():
    global make_data
    if make_data is None:
        make_data = load_script("site/playground/make_data.py")
    return make_data


def test_the_playground_data_file_is_current():
    assert _make_data().main(["--check"]) == 0, "run python site/playground/make_data.py"


def test_the_playground_data_holds_the_helpers_kernels_and_image(monkeypatch):
    data = _make_data().course_data()
    assert {k["name"]: np.array(k["values"]) for k in data["kernels"]}.keys() == helpers.KERNELS.keys()
    for kernel in data["kernels"]:
        np.testing.assert_array_equal(kernel["values"], helpers.KERNELS[kernel["name"]])  # exact, no rounding
    assert list(data["borderModes"]) == list(helpers.BORDER_MODES)
    assert list(data["displayModes"]) == list(playground.DISPLAY_MODES)
    monkeypatch.setenv(helpers.STAND_IN_ENV, "1")
    course = helpers.to_grayscale(helpers.load_lion_with_source().pixels)
    pixels = np.frombuffer(base64.b64decode(data["image"]["base64"]), dtype=np.uint8)
    np.testing.assert_array_equal(pixels.reshape(data["image"]["rows"], data["image"]["cols"]), course)


@pytest.fixture(scope="module")
def browser():
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        yield launched
        launched.close()


@contextlib.contextmanager
def _open(browser, url: str, width: int = 1400, height: int = 1000):
    """A page at ``url``, failing on a script error, a console error or a request outside the page's origin."""
    page = browser.new_page(viewport={"width": width, "height": height})
    problems: list[str] = []
    origin = url.split("/playground/")[0]
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith((origin, "data:")) else problems.append(f"fetched {r.url}"))
    page.goto(url)
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)
    try:
        yield page
        assert not problems, problems
    finally:
        page.close()


@pytest.fixture(scope="module")
def playground_page(site, browser):
    """The playground of the built site, opened from file://."""
    with _open(browser, (site / "playground" / "index.html").as_uri()) as page:
        yield page


def test_the_playground_correlates_as_the_helpers_do(playground_page):
    rng = np.random.default_rng(2026)
    cases = []
    for mode in helpers.BORDER_MODES:
        for kh in (1, 3, 5, 7):
            for kw in (1, 3, 5, 7):
                rows, cols = (int(n) for n in rng.integers(1, 13, size=2))
                image = rng.uniform(0, 255, size=(rows, cols))
                kernel = rng.normal(size=(kh, kw))
                cases.append((image, kernel, mode))
    pages = playground_page.evaluate(
        "cases => cases.map(([image, kernel, mode]) => courseConvolution.correlate2d(image, kernel, mode))",
        [[image.tolist(), kernel.tolist(), mode] for image, kernel, mode in cases],
    )
    assert len(pages) == len(cases) == 80
    for (image, kernel, mode), got in zip(cases, pages, strict=True):
        expected = helpers.correlate2d(image, kernel, mode=mode)
        np.testing.assert_allclose(np.array(got), expected, rtol=0, atol=1e-9, err_msg=f"{mode} {kernel.shape}")
    # the patch table's arithmetic at a random pixel of each case, against helpers.playground.patch_at
    spots = [(int(rng.integers(image.shape[0])), int(rng.integers(image.shape[1]))) for image, _, _ in cases]
    tables = playground_page.evaluate(
        "cases => cases.map(([i, k, m, r, c]) => courseConvolution.patchAt(i, k, r, c, m))",
        [[i.tolist(), k.tolist(), m, r, c] for (i, k, m), (r, c) in zip(cases, spots, strict=True)],
    )
    for (image, kernel, mode), (row, col), table in zip(cases, spots, tables, strict=True):
        expected = playground.patch_at(image, kernel, row, col, mode=mode)
        np.testing.assert_allclose(table["pixels"], expected.pixels, rtol=0, atol=1e-9)
        np.testing.assert_allclose(table["products"], expected.products, rtol=0, atol=1e-9)
        assert abs(table["total"] - expected.total) <= 1e-9, (mode, kernel.shape, row, col)
    # even kernels: the extra padding row and column go at the bottom and right, as in the helpers
    for mode in helpers.BORDER_MODES:
        image, kernel = rng.uniform(0, 255, size=(5, 6)), rng.normal(size=(2, 4))
        got = playground_page.evaluate(
            "([i, k, m]) => courseConvolution.correlate2d(i, k, m)", [image.tolist(), kernel.tolist(), mode]
        )
        np.testing.assert_allclose(got, helpers.correlate2d(image, kernel, mode=mode), rtol=0, atol=1e-9, err_msg=mode)
    # images smaller than the kernel, where every border mode repeats itself past the image
    tiny = [([[7.0]], [[1.0] * 7] * 7), ([[1.0, 2.0]], np.arange(35.0).reshape(5, 7).tolist())]
    for image, kernel in tiny:
        for mode in helpers.BORDER_MODES:
            got = playground_page.evaluate(
                "([i, k, m]) => courseConvolution.correlate2d(i, k, m)", [image, kernel, mode]
            )
            np.testing.assert_allclose(
                got, helpers.correlate2d(np.array(image), np.array(kernel), mode=mode), atol=1e-9
            )


def test_the_playground_refuses_what_the_helpers_refuse(playground_page):
    for arguments, message in [
        ([[[1.0]], [[1.0]], "symmetric"], 'unknown mode "symmetric"'),
        ([[[1.0, 2.0], [3.0]], [[1.0]], "wrap"], "image row 1 has 1 entries"),
        ([[[1.0]], [[None]], "wrap"], "kernel[0][0] is null"),
    ]:
        call = "([i, k, m]) => { try { courseConvolution.correlate2d(i, k, m); } catch (e) { return e.message; } }"
        error = playground_page.evaluate(call, arguments)
        assert error and message in error, error


def test_the_playground_displays_and_images_are_the_helpers(playground_page):
    rng = np.random.default_rng(7)
    values = rng.normal(scale=300, size=(6, 9))
    for how in playground.DISPLAY_MODES:
        for case in (values, np.full((2, 3), -5.0)):
            got = playground_page.evaluate("([v, h]) => courseConvolution.display(v, h)", [case.tolist(), how])
            np.testing.assert_allclose(got, playground.display(case, how), rtol=0, atol=1e-9, err_msg=how)
    for name in playground.SYNTHETIC_IMAGES:
        for shape in ((64, 64), (9, 13), (20, 8)):
            got = playground_page.evaluate("([n, r, c]) => courseConvolution.syntheticImage(n, r, c)", [name, *shape])
            np.testing.assert_array_equal(got, playground.synthetic_image(name, shape=shape), err_msg=f"{name} {shape}")


def _table(page, which: str) -> np.ndarray:
    cells = page.eval_on_selector_all(
        f"#table-{which} .numbers span", "spans => spans.map(s => [+s.dataset.row, +s.dataset.col, +s.dataset.value])"
    )
    table = np.zeros((max(r for r, _, _ in cells) + 1, max(c for _, c, _ in cells) + 1))
    for r, c, value in cells:
        table[r, c] = value
    return table


def _click_pixel(page, row: int, col: int) -> float:
    """Click the input image at the centre of pixel (row, col); return a pixel's width on the screen (CSS px)."""
    box = page.locator("#input-canvas").bounding_box()
    rows, cols = page.evaluate(
        "() => [+document.getElementById('pixel-row').max + 1, +document.getElementById('pixel-col').max + 1]"
    )
    page.mouse.click(box["x"] + (col + 0.5) * box["width"] / cols, box["y"] + (row + 0.5) * box["height"] / rows)
    return box["width"] / cols


def _page_image(name: str) -> np.ndarray:
    if name in playground.SYNTHETIC_IMAGES:
        return playground.synthetic_image(name, shape=(64, 64))
    return np.frombuffer(base64.b64decode(_make_data().course_data()["image"]["base64"]), np.uint8).reshape(300, 451)


@pytest.mark.parametrize(
    ("image", "kernel", "mode", "row", "col"),
    [
        ("disk", "sobel_x", "constant", 32, 16),
        ("step", "sobel_x", "wrap", 10, 0),
        ("checkerboard", "edge_2", "reflect", 8, 8),
        ("checkerboard", "laplacian_of_gaussian", "mirror", 0, 63),
        ("course", "unsharp_5x5", "nearest", 299, 1),
        ("course", "box_blur", "mirror", 150, 225),
    ],
)
def test_a_clicked_pixel_shows_the_helpers_patch_products_and_sum(playground_page, image, kernel, mode, row, col):
    page = playground_page
    page.select_option("#image-menu", image)
    page.select_option("#kernel-menu", kernel)
    page.select_option("#mode-menu", mode)
    pixel_width = _click_pixel(page, row, col)
    shown = int(page.input_value("#pixel-row")), int(page.input_value("#pixel-col"))
    # the course image is drawn about 1 CSS px per pixel, where a click can land on the neighbour
    slack = 0 if pixel_width >= 4 else 1
    assert abs(shown[0] - row) <= slack and abs(shown[1] - col) <= slack, (shown, (row, col), pixel_width)
    row, col = shown
    pixels = _page_image(image)
    expected = playground.patch_at(pixels, helpers.KERNELS[kernel], row, col, mode=mode)
    np.testing.assert_array_equal(_table(page, "kernel"), helpers.KERNELS[kernel])  # the gallery's exact weights
    np.testing.assert_allclose(_table(page, "pixels"), expected.pixels, rtol=0, atol=1e-9)
    np.testing.assert_allclose(_table(page, "products"), expected.products, rtol=0, atol=1e-9)
    total = _table(page, "total")[0, 0]
    output = helpers.correlate2d(pixels, helpers.KERNELS[kernel], mode=mode)[row, col]
    assert abs(total - expected.total) <= 1e-9 and abs(total - output) <= 1e-9 * max(1.0, abs(output))
    assert f"(row {row}, col {col})" in page.inner_text("#summary")


def test_kernel_cells_take_fractions_and_name_the_entry_that_is_not_a_number(playground_page):
    page = playground_page
    page.select_option("#image-menu", "step")
    page.select_option("#kernel-menu", "identity")
    cells = page.locator("#kernel-grid .cell")
    centre3 = [6, 7, 8, 11, 12, 13, 16, 17, 18]  # a 3x3 kernel uses the inner cells of the 5x5 grid
    for index, text in zip(centre3, ["1/9", "-0.5", "2e-1", ".25", "-1/16", "+3", "0", "1E1", " 4 "], strict=True):
        cells.nth(index).fill(text)
    assert page.inner_text("#kernel-message") == ""
    assert page.input_value("#kernel-menu") == "custom"
    expected = np.array([[1 / 9, -0.5, 0.2], [0.25, -1 / 16, 3.0], [0.0, 10.0, 4.0]])
    np.testing.assert_array_equal(_table(page, "kernel"), expected)
    for text, says in [
        ("1,5", 'row 2, column 3 (from the top left): "1,5" is not a number (write decimals with a dot: 1.5)'),
        ("abc", 'row 2, column 3 (from the top left): "abc" is not a number'),
        ("1/0", 'row 2, column 3 (from the top left): "1/0" divides by zero'),
        ("1e999", 'row 2, column 3 (from the top left): "1e999" is too large'),
        ("", 'row 2, column 3 (from the top left): "" is empty'),
    ]:
        cells.nth(13).fill(text)
        message = page.inner_text("#kernel-message")
        assert message.startswith("Not drawn:") and says in message, message
        assert cells.nth(13).get_attribute("aria-invalid") == "true"
        assert "stale" in page.get_attribute("#figures", "class")
    cells.nth(13).fill("1e308")  # a number, but the output overflows: said, not drawn stale
    assert "leaves the range of 64-bit floats" in page.inner_text("#kernel-message")
    cells.nth(13).fill("3")
    assert page.inner_text("#kernel-message") == "" and "stale" not in page.get_attribute("#figures", "class")


def test_every_gallery_kernel_is_loaded_with_its_exact_weights(playground_page):
    for name, weights in helpers.KERNELS.items():
        playground_page.select_option("#kernel-menu", name)
        np.testing.assert_array_equal(_table(playground_page, "kernel"), weights, err_msg=name)


@contextlib.contextmanager
def _static_server(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no request log in the test output
        pass


@pytest.mark.parametrize(("size", "width", "height"), [("desktop", 1400, 1000), ("phone", 390, 844)])
def test_the_playground_page_from_a_static_server_at_desktop_and_phone_sizes(
    site, browser, tmp_path, size, width, height
):
    with _static_server(site) as base, _open(browser, f"{base}/playground/index.html", width, height) as page:
        assert "products add up to 1020.0" in page.inner_text("#summary")  # sobel_x on the disk at (32, 16)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow} px wider than a {width} px screen"
        canvas = page.locator("#output-canvas").bounding_box()
        assert canvas["width"] >= 0.3 * width, canvas
        shot = tmp_path / f"playground-{size}.png"
        page.screenshot(path=str(shot), full_page=True)
    assert _not_blank(shot) > 20
    keep = ROOT / "_build" / "screenshots"  # git-ignored, to look at after a run
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy2(shot, keep / shot.name)


def test_the_playground_works_from_the_repository_folder_too(browser):
    """site/playground/index.html opened straight from a checkout, as a learner might after cloning."""
    with _open(browser, (ROOT / "site" / "playground" / "index.html").as_uri()) as page:
        assert page.evaluate("() => courseConvolution.borderModes") == list(helpers.BORDER_MODES)


def test_make_data_never_leaves_a_half_written_file(tmp_path, monkeypatch):
    """A write that fails (disk full, killed) keeps the old data file whole and leaves no temporary file."""
    from helpers import images

    module = _make_data()
    target = tmp_path / "course-data.js"
    target.write_text("old, whole\n", encoding="utf-8")
    monkeypatch.setattr(module, "TARGET", target)
    monkeypatch.setattr(module, "ROOT", tmp_path)

    def disk_full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(images.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        module.main([])
    assert target.read_text(encoding="utf-8") == "old, whole\n"
    assert [p.name for p in tmp_path.iterdir()] == ["course-data.js"]
