"""The Makefile is the one entry point: `make help` names every target it has; coverage covers every app."""

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.subprocess
@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_target():
    makefile = (ROOT / "Makefile").read_text()
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE).group(1).split()
    targets = set(re.findall(r"^([a-z][a-z-]*):(?!=)", makefile, re.MULTILINE))
    assert targets == set(phony)
    listed = subprocess.run(["make", "-s", "help"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for target in targets - {"help"}:
        assert re.search(rf"^make {target}\b", listed, re.MULTILINE), target


def test_coverage_measures_every_app_and_the_project_package_with_a_floor():
    """A new app is measured from its first test on, and make ci fails below the floor (pytest-cov reads it)."""
    coverage = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["coverage"]
    apps = {path.parent.name for path in ROOT.glob("*/apps.py")}
    assert set(coverage["run"]["source"]) == apps | {"config"}
    assert coverage["report"]["fail_under"] >= 89
