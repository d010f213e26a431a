"""The layering the docs promise: a pure domain, SQL only in store/, and the layers of
pyproject's import-linter contracts, which `make test` checks (an upward import fails)."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "ceasefire"


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


def _lint_imports(tmp_path: Path, plant: dict[str, str]) -> subprocess.CompletedProcess:
    """import-linter with the project's contracts over a copy of the package's modules,
    each of `plant` (module path -> line) appended to its module."""
    copy = tmp_path / "src" / "ceasefire"
    shutil.copytree(PACKAGE, copy, ignore=lambda folder, names: [
        n for n in names if not (n.endswith(".py") or (Path(folder) / n).is_dir())
        or n == "__pycache__"])
    for module, line in plant.items():
        with (copy / module).open("a", encoding="utf-8") as f:
            f.write(f"\n{line}  # planted\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src")}
    return subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache",
                           "--no-logo"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, check=False)


def test_the_contracts_hold_on_the_package_as_it_is(tmp_path):
    done = _lint_imports(tmp_path, {})
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("module", "line", "named"), [
    ("domain/when.py", "from ceasefire.services import ledger",
     "ceasefire.domain.when -> ceasefire.services.ledger"),
    ("store/rows.py", "import ceasefire.web", "ceasefire.store.rows -> ceasefire.web"),
    ("api/routes/reference.py", "from ceasefire.store import parties",
     "ceasefire.api.routes.reference -> ceasefire.store.parties"),
    ("services/overview.py", "from ceasefire.store.tables import OverviewRow",
     "ceasefire.services.overview -> ceasefire.store.tables"),
])
def test_an_import_against_the_layers_is_named(tmp_path, module, line, named):
    done = _lint_imports(tmp_path, {module: line})
    assert done.returncode == 1 and named in done.stdout, done.stdout + done.stderr


def _tree() -> dict[str, str]:
    """docs/architecture.md's tree: each entry of src/ceasefire and what it may import."""
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("```\nsrc/ceasefire/", 1)[1].split("```", 1)[0]
    entries = {}
    for line in block.splitlines()[1:]:
        name, rest = line.split(maxsplit=1)
        entries[name.rstrip("/").removesuffix(".py")] = rest.rsplit("  ", 1)[1].strip()
    return entries


def _layers() -> list[set[str]]:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"]
                   if c["type"] == "layers"]
    return [{m.strip().removeprefix("ceasefire.") for m in layer.split("|")}
            for layer in contract["layers"]]


def test_the_docs_tree_is_the_package():
    on_disk = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
               if p.name not in ("__init__.py", "__pycache__")
               and (p.is_dir() or p.suffix == ".py")}
    assert set(_tree()) == on_disk


def test_the_docs_tree_says_what_the_contract_lets_each_import():
    tree, layers = _tree(), _layers()
    assert [name for name in tree if any(name in layer for layer in layers)] == \
        [name for layer in layers for name in sorted(layer, key=list(tree).index)]
    for at, layer in enumerate(layers):
        below = layers[at + 1] if at + 1 < len(layers) else set()
        for name in layer:
            said = tree[name]
            if at + 2 < len(layers):
                assert said.endswith(" and below"), (name, said)
                said = said.removesuffix(" and below")
            named = {n.strip() for n in said.replace(" and ", ", ").split(",")}
            assert named == (below or {"nothing of ours"}), (name, said)
