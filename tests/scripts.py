"""Load the course's scripts (``tools/``, ``benchmarks/``, ``site/``) as modules, for tests that call their functions.

The scripts are not a package: each is loaded from its file, as a module of
its own that is not put in ``sys.modules``, so a test gets a fresh copy.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent


def load_script(relative: str | Path, name: str | None = None) -> ModuleType:
    """The script at ``ROOT / relative`` (for example ``"tools/navigation.py"``), run as a module.

    ``name`` is the module's ``__name__``, the file's stem unless given.
    """
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
