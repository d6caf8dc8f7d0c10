"""The course website: built from a clean copy into a temporary folder, every page, link and image checked.

``python tools/build_site.py`` builds it (Jupyter Book 1, offline, stored
outputs, nothing executed). Here the build runs once for the module on a copy
of the files git knows (what a fresh clone has), with warnings as errors, so a
link to a missing section fails the build. The browser test opens two pages
in headless Chromium; it is skipped, saying why, where no Chromium is
installed (``.ci/run`` installs it).
"""

from __future__ import annotations

import html.parser
import importlib.util
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_site = _load("build_site")


def clean_copy(destination: Path) -> Path:
    """The files a fresh clone would have: tracked ones, plus new ones git does not ignore."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout: take what the build reads
        listed = [str(p.relative_to(ROOT)) for folder in ("book", "notebooks") for p in (ROOT / folder).rglob("*")]
    for name in listed:
        source = ROOT / name
        if source.is_file() and name.startswith(("book/", "notebooks/")):
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    return destination


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    copy = clean_copy(tmp_path_factory.mktemp("clone"))
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

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
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
        page.wait_for_selector("img", timeout=30_000)
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
