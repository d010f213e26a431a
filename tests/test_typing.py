"""The type check `make test` runs: mypy over src/ with pyproject's configuration, strict on
domain, ledger and correlate, a baseline elsewhere. A type error in a strict package fails
it, and so does a function there without annotations, which the baseline lets pass."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs mypy

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "ceasefire"
STRICT = ("domain", "ledger", "correlate")
# One module of each strict package and one of the baseline, each reading little beyond
# itself, so that mypy has little else to check.
CHECKED = ("domain/verdict.py", "ledger/merkle.py", "correlate/settings.py", "errors.py")

WRONG_TYPE = 'PLANTED: int = "many"  # planted'
UNANNOTATED = "def planted(value):  # planted\n    return value"


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the module's runs: the standard library's and numpy's types are
    read once."""
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(tmp_path: Path, cache: Path, plant: dict[str, str]) -> tuple[int, list[str]]:
    """mypy with the project's configuration over a copy of the CHECKED modules (in a copy
    of the package, so that each has its own module name), each of `plant` (module path ->
    lines) appended to its module. Its exit status and its error lines, paths relative to
    src/."""
    src = tmp_path / "src"
    shutil.copytree(PACKAGE, src / "ceasefire", ignore=lambda folder, names: [
        n for n in names if not (n.endswith(".py") or (Path(folder) / n).is_dir())
        or n == "__pycache__"])
    for module, lines in plant.items():
        with (src / "ceasefire" / module).open("a", encoding="utf-8") as f:
            f.write(f"\n\n{lines}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPY")}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(cache), "--no-color-output", "--no-pretty",
         *(f"ceasefire/{m}" for m in CHECKED)],
        cwd=src, env=env, capture_output=True, text=True, check=False)
    errors = sorted(line for line in done.stdout.splitlines() if ": error:" in line)
    return done.returncode, errors


def _planted_line(module: str) -> int:
    """The first line of what `_mypy` appends to `module`."""
    return len((PACKAGE / module).read_text(encoding="utf-8").splitlines()) + 3


def test_the_checked_modules_pass_as_they_are(tmp_path, cache):
    status, errors = _mypy(tmp_path, cache, {})
    assert (status, errors) == (0, [])


def test_a_type_error_in_a_strict_package_fails_the_check(tmp_path, cache):
    strict = [m for m in CHECKED if m.split("/")[0] in STRICT]
    status, errors = _mypy(tmp_path, cache, {m: WRONG_TYPE for m in strict})
    assert status == 1
    assert errors == sorted(
        f'ceasefire/{m}:{_planted_line(m)}: error: Incompatible types in assignment '
        f'(expression has type "str", variable has type "int")  [assignment]'
        for m in strict)


def test_the_strict_packages_want_every_function_annotated_and_the_rest_does_not(
        tmp_path, cache):
    status, errors = _mypy(tmp_path, cache, {m: UNANNOTATED for m in CHECKED})
    assert status == 1
    assert errors == sorted(
        f"ceasefire/{m}:{_planted_line(m)}: error: Function is missing a type annotation  "
        "[no-untyped-def]" for m in CHECKED if m.split("/")[0] in STRICT)


def test_the_strict_packages_get_every_flag_of_strict_mode(monkeypatch):
    """`strict = true` in an overrides section would turn it on for every module, so the
    overrides name the flags one by one: all of --strict's, as this mypy has them."""
    from mypy.main import define_options, process_options

    monkeypatch.delenv("MYPY_CONFIG_FILE_DIR", raising=False)  # set by reading the config

    _, options = process_options(["--config-file", str(ROOT / "pyproject.toml"),
                                  str(PACKAGE)])
    _, _, strict_flags = define_options()
    for package in STRICT:
        module = options.clone_for_module(f"ceasefire.{package}.anything")
        assert [(flag, getattr(module, flag)) for flag, _ in strict_flags] == strict_flags
    baseline = options.clone_for_module("ceasefire.services.ledger")
    assert not baseline.disallow_untyped_defs
