"""Every relative link in the course resolves: the file exists, and its #anchor names a section there.

Files: README.md, CONTRIBUTING.md, data/README.md and the markdown cells of
every notebook. Anchors take the one form that works on GitHub, in JupyterLab
and on the course website (see tools/fix_links.py): the heading's GitHub slug,
and, for a heading inside a notebook, an explicit ``<a id="slug"></a>`` before
it, which is what JupyterLab scrolls to. ``python tools/fix_links.py`` rewrites
older links into this form.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote

import nbformat
import pytest
from scripts import load_script

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str):
    return load_script(f"tools/{name}.py")


fix_links = _load("fix_links")
FILES = fix_links.linking_files(ROOT)


def anchors_of(path: Path) -> set[str]:
    """The anchors a reader can land on in ``path``: heading slugs, plus explicit ids."""
    return {fix_links.slug(heading) for heading in fix_links.headings(path)} | fix_links.explicit_anchors(path)


def problems_in(path: Path) -> list[str]:
    found = []
    for text in fix_links.markdown_of(path):
        for target in fix_links.links(text):
            if fix_links.is_external(target):
                continue
            file_part, _, anchor = target.partition("#")
            destination = (path.parent / unquote(file_part)).resolve() if file_part else path
            if not destination.exists():
                found.append(
                    f"{target}: no file {destination.relative_to(ROOT) if ROOT in destination.parents else destination}"
                )
                continue
            if not anchor or destination.suffix not in (".md", ".ipynb"):
                continue
            if anchor not in anchors_of(destination):
                found.append(f"{target}: no heading with the slug {anchor!r} in {destination.name}")
            elif destination.suffix == ".ipynb" and anchor not in fix_links.explicit_anchors(destination):
                found.append(
                    f"{target}: the heading in {destination.name} has no <a id={anchor!r}> (JupyterLab needs it)"
                )
    return found


def test_the_files_are_found():
    names = {path.name for path in FILES}
    assert {"README.md", "CONTRIBUTING.md", "00_start_here.ipynb"} <= names
    assert (ROOT / "data" / "README.md") in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(path):
    problems = problems_in(path)
    assert not problems, (
        f"{path.relative_to(ROOT)}: " + "; ".join(problems) + " (python tools/fix_links.py rewrites old anchors)"
    )


@pytest.mark.parametrize("path", [p for p in FILES if p.suffix == ".ipynb"], ids=lambda p: p.name)
def test_section_slugs_are_unique_within_a_notebook(path):
    slugs = [fix_links.slug(heading) for heading in fix_links.headings(path)]
    repeated = sorted({s for s in slugs if slugs.count(s) > 1})
    assert not repeated, f"{path.name}: two headings share the anchor {repeated}; a link could land on either"


def test_slugs_follow_github():
    assert fix_links.slug("What's next") == "whats-next"
    assert fix_links.slug("A 1x1 convolution mixes channels") == "a-1x1-convolution-mixes-channels"
    assert fix_links.slug("Run it through `tf.nn.conv2d`") == "run-it-through-tfnnconv2d"
    assert fix_links.jupyter_anchor("What's next") == "What's-next"


def _notebook(path: Path, *sources: str) -> None:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text) for text in sources])
    nbformat.write(notebook, path)


def test_the_fixer_rewrites_old_links_and_anchors_their_headings(tmp_path):
    (tmp_path / "notebooks").mkdir()
    first, second = tmp_path / "notebooks" / "00_a.ipynb", tmp_path / "notebooks" / "01_b.ipynb"
    _notebook(
        first, "# A\n\n1. [What's next](#What's-next)\n2. [Sizes](01_b.ipynb#Output-size)", "## What's next\n\nend"
    )
    _notebook(second, "# B", "Some text.\n## Output size\n\nThe formula.")
    (tmp_path / "README.md").write_text("[b](notebooks/01_b.ipynb#Output-size)\n")
    assert fix_links.main(["--root", str(tmp_path), "--check"]) == 1

    assert fix_links.main(["--root", str(tmp_path)]) == 0
    cells = [cell.source for cell in nbformat.read(first, as_version=4).cells]
    assert "[What's next](#whats-next)" in cells[0] and "(01_b.ipynb#output-size)" in cells[0]
    assert cells[1].startswith('<a id="whats-next"></a>\n\n## What\'s next')
    second_cell = nbformat.read(second, as_version=4).cells[1].source
    assert second_cell == 'Some text.\n\n<a id="output-size"></a>\n\n## Output size\n\nThe formula.'
    assert fix_links.main(["--root", str(tmp_path), "--check"]) == 0  # a second run changes nothing
    assert (tmp_path / "README.md").read_text() == "[b](notebooks/01_b.ipynb#Output-size)\n"  # markdown files untouched


def test_the_fixer_leaves_broken_and_external_links_alone(tmp_path):
    (tmp_path / "notebooks").mkdir()
    path = tmp_path / "notebooks" / "00_a.ipynb"
    source = "# A\n\n[gone](#No-such-heading) [web](https://example.org/#Top) `[code](#A)`"
    _notebook(path, source)
    fix_links.main(["--root", str(tmp_path)])
    assert nbformat.read(path, as_version=4).cells[0].source == source


def test_the_fixer_on_copies_of_the_course(tmp_path):
    """The integrator's command after merging, tried on copies: afterwards every link passes."""
    for name in ("README.md", "CONTRIBUTING.md", "data", "notebooks"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, tmp_path / name)
    assert fix_links.main(["--root", str(tmp_path)]) == 0
    assert fix_links.main(["--root", str(tmp_path), "--check"]) == 0
    for path in fix_links.linking_files(tmp_path):
        for text in fix_links.markdown_of(path):
            for target in fix_links.links(text):
                file_part, _, anchor = target.partition("#")
                if fix_links.is_external(target) or not anchor:
                    continue
                destination = (path.parent / file_part).resolve() if file_part else path
                if destination.suffix == ".ipynb":
                    assert anchor in fix_links.explicit_anchors(destination), (path.name, target)


def test_the_readme_picture_is_the_stored_notebook_output():
    export = _load("export_readme_figure")
    assert "](docs/readme_figure.png)" in (ROOT / "README.md").read_text(encoding="utf-8")
    assert export.main(["--check"]) == 0, "run python tools/export_readme_figure.py"
