"""The layering the docs promise: a pure domain, and SQL only in store/."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "ceasefire"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules(folder: str = "") -> list[Path]:
    return sorted((PACKAGE / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library_and_itself(path):
    for name in imports_of(path):
        top = name.split(".")[0]
        allowed = (top in sys.stdlib_module_names or name.startswith("ceasefire.domain")
                   or name == "ceasefire.errors" or name == "__future__")
        assert allowed, f"{path.name} imports {name}"


@pytest.mark.parametrize("path", [p for p in modules() if "store" not in p.parts],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_sql_stays_in_store(path):
    for name in imports_of(path):
        if name.startswith("sqlalchemy"):
            # Only the Session type may cross, so routes can receive one by dependency.
            assert name == "sqlalchemy.orm", f"{path.name} imports {name}"
    assert "select(" not in path.read_text(encoding="utf-8")
