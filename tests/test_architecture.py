"""The layout's rules hold (``.importlinter``): config on top, apps in the middle, ``core`` at the bottom;
inside tips, the admin over intake, evidence and analytics, over casework, over the models; and no
import circle anywhere, imports inside functions included."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .servers import REPO

pytestmark = pytest.mark.subprocess

PACKAGES = ["config", "core", "clarifications", "tips", "home", "opendata", "ops"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(folder):
    return subprocess.run(
        [str(LINT_IMPORTS), str(folder / ".importlinter"), "--no-cache"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder)},
    )


def copy_of_the_code(tmp_path):
    for package in PACKAGES:
        shutil.copytree(REPO / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def test_the_code_keeps_every_contract_of_its_layout():
    result = lint_imports(REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_circle_hidden_in_a_function_is_caught(tmp_path):
    code = copy_of_the_code(tmp_path)
    # The answer e-mail's task reaching back into the lifecycle that queues it: the kind of circle an
    # import inside a function hides from Python, but not from the check.
    with (code / "tips/casework/tasks.py").open("a") as module:
        module.write("\n\ndef planted():\n    from . import lifecycle  # noqa: F401\n")
    result = lint_imports(code)
    assert result.returncode != 0
    assert "No cycles are allowed in tips.casework" in result.stdout
    assert ".tasks -> .lifecycle" in result.stdout


def test_an_app_importing_a_layer_above_it_is_caught(tmp_path):
    code = copy_of_the_code(tmp_path)
    with (code / "core/rates.py").open("a") as module:
        module.write("\n\ndef planted():\n    from tips import models  # noqa: F401\n")
    result = lint_imports(code)
    assert result.returncode != 0
    assert "core.rates -> tips.models" in result.stdout
