"""The folders carry the architecture: import rules, package APIs and the shape of the tree, held by tests.

House rule: a new file goes in its concept's folder; a new concept is a new folder whose ``__init__`` lists
its API. These tests fail when a change breaks that rule, so it is held by tools rather than memory.
"""

from __future__ import annotations

import ast
import os
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("convviz", "ui")
MAX_MODULES = 12  # modules in one folder before it hides a concept


def _packages() -> list[Path]:
    return sorted(p.parent for top in PACKAGES for p in (ROOT / top).rglob("__init__.py"))


def test_import_rules_hold():
    """import-linter's contracts (pyproject.toml): the core never imports the UI or Streamlit, ui.draw no
    page or state, no page another page, and the UI's layers point downwards."""
    from importlinter.cli import lint_imports

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0, "see the broken contract"
    finally:
        os.chdir(cwd)


def test_drawing_helpers_never_touch_session_state():
    """ui/draw turns arrays into pictures: no module there reads or writes ``st.session_state``."""
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "ui" / "draw").rglob("*.py")
                 if any(isinstance(node, ast.Attribute) and node.attr in ("session_state", "query_params")
                        for node in ast.walk(ast.parse(p.read_text())))]
    assert offenders == []


@pytest.mark.parametrize("package", _packages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_package_init_lists_its_api(package):
    """Every package's ``__init__.py`` has a docstring and ``__all__``; each name in it exists."""
    tree = ast.parse((package / "__init__.py").read_text())
    assert ast.get_docstring(tree), "a 1-3 sentence docstring says what the package is"
    assigned = {t.id for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(t, ast.Name)}
    assert "__all__" in assigned
    module = __import__(".".join(package.relative_to(ROOT).parts), fromlist=["__all__"])
    for name in module.__all__:
        assert hasattr(module, name) or (package / f"{name}.py").exists() or (package / name).is_dir(), name


@pytest.mark.parametrize("package", _packages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_folder_is_a_flat_list(package):
    """At most ~12 modules per folder, and no family of 3 or more modules sharing a name prefix (a
    package in disguise: ``image_*``, ``lab_*``)."""
    modules = [p.stem for p in package.glob("*.py") if p.stem != "__init__"]
    assert len(modules) <= MAX_MODULES, modules
    prefixes = Counter(m.lstrip("_").split("_")[0] for m in modules if "_" in m.lstrip("_"))
    assert [p for p, n in prefixes.items() if n >= 3] == []


def test_tests_mirror_the_packages():
    """Each concept package of the core has its own test folder (tests/ops, tests/image, ...)."""
    concepts = [p.name for p in (ROOT / "convviz").iterdir() if (p / "__init__.py").exists()]
    missing = [name for name in concepts if not (ROOT / "tests" / name / "__init__.py").exists()]
    assert missing == [] and (ROOT / "tests" / "ui").is_dir()
