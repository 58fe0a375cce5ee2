"""
Check that the layered import contract (.importlinter) covers the package and bites.

1. Every module and subpackage of ``openedx_distinguished`` is named in the layers (a new module
   left out would be unchecked): run from the quality env, which has import-linter.
2. The contract fails on an import that would make a cycle: a copy of the package in a temporary
   directory gets ``credentials`` importing ``membership`` (which imports ``credentials``), and
   ``lint-imports`` must report that import as breaking the contract.

Exits non-zero, saying why, when either does not hold.
"""
import configparser
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "openedx_distinguished"
# Not layers: the package's data, templates and static files, and its own version.
NOT_CODE = {"__init__", "jsonld", "migrations", "program_data", "static", "templates", "locale", "__pycache__"}
BAD_IMPORT = "from openedx_distinguished import membership  # noqa  the deliberate cycle of the check\n"


def layer_names():
    """The module names the layers contract lists (optional ones without their parentheses)."""
    config = configparser.ConfigParser()
    config.read(ROOT / ".importlinter")
    names = set()
    for line in config["importlinter:contract:layers"]["layers"].splitlines():
        line = line.split("#", 1)[0]
        names.update(name.strip("() ") for name in re.split(r"[|:]", line) if name.strip("() "))
    return names


def package_names():
    """The package's modules and subpackages (``signals``'s modules one by one: they sit in two layers)."""
    names = {path.stem for path in PACKAGE.iterdir() if (path.suffix == ".py" or path.is_dir())}
    names.discard("signals")
    names |= {f"signals.{path.stem}" for path in (PACKAGE / "signals").glob("*.py") if path.stem != "__init__"}
    return names - NOT_CODE


def main():
    missing = sorted(package_names() - layer_names())
    if missing:
        sys.exit(f"not in the layers of .importlinter: {missing}; add each where it belongs")
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch)
        shutil.copytree(PACKAGE, copy / "openedx_distinguished", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(ROOT / ".importlinter", copy / ".importlinter")
        credentials = copy / "openedx_distinguished" / "credentials.py"
        credentials.write_text(credentials.read_text() + "\n" + BAD_IMPORT)
        result = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], cwd=copy, capture_output=True, text=True, check=False,
                                env={**os.environ, "PYTHONPATH": str(copy)})
    report = result.stdout + result.stderr
    if result.returncode == 0 or "openedx_distinguished.credentials -> openedx_distinguished.membership" \
            not in report:
        sys.exit(f"the contract did not catch credentials importing membership:\n{report[-2000:]}")
    print("import contract: every module is in a layer, and a cycle-making import breaks it")


if __name__ == "__main__":
    main()
