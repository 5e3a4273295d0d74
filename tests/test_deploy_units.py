"""deploy/systemd's units pass ``systemd-analyze verify`` (skipped, with the reason, where systemd's tools
are not installed), and they start what the rest of deploy/ and the docs say."""

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .servers import REPO

UNITS = REPO / "deploy" / "systemd"


def adapted_units(folder):
    """The units with this checkout in place of /srv/piyao (verify checks that the commands exist)."""
    venv = Path(sys.executable).parent.parent
    written = []
    for unit in sorted(UNITS.glob("*.service")):
        text = unit.read_text()
        for old, new in (
            ("/srv/piyao/app/.venv", str(venv)),
            ("/srv/piyao/app", str(REPO)),
            ("/srv/piyao/data", str(folder)),
        ):
            text = text.replace(old, new)
        # A template is verified through one of its instances.
        name = unit.name.replace("@.service", "@1.service")
        (folder / name).write_text(text)
        written.append(folder / name)
    return written


@pytest.mark.subprocess
def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed (Debian: apt-get install systemd); the units are not verified")
    units = adapted_units(tmp_path)
    assert {unit.name for unit in units} == {"piyao-web.service", "piyao-worker@1.service"}
    result = subprocess.run([analyze, "verify", *map(str, units)], capture_output=True, text=True, cwd=tmp_path)
    # Unknown keys and bad values are warnings with exit status 0: any line about our units fails.
    ours = [line for line in (result.stdout + result.stderr).splitlines() if "piyao" in line]
    assert result.returncode == 0, result.stdout + result.stderr
    assert not ours, result.stdout + result.stderr


def read_unit(name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


def test_the_web_unit_runs_gunicorn_with_the_repositorys_settings_in_a_sandbox():
    service = read_unit("piyao-web.service")["Service"]
    assert service["ExecStart"].endswith("gunicorn --config /srv/piyao/app/gunicorn.conf.py")
    assert service["Type"] == "notify"  # gunicorn tells systemd when it is ready
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/srv/piyao/data"
    assert service["NoNewPrivileges"] == "yes"
    assert service["CapabilityBoundingSet"] == ""


def test_the_worker_unit_runs_the_task_queue_and_restarts_it():
    service = read_unit("piyao-worker@.service")["Service"]
    assert service["ExecStart"].endswith("manage.py run_worker")
    assert service["Restart"] == "always"
    assert service["KillSignal"] == "SIGTERM"  # the running task finishes first
    assert service["ProtectSystem"] == "strict"


def test_both_units_read_the_same_settings_and_share_the_metrics_folder():
    example = (REPO / "deploy" / "piyao.env.example").read_text()
    assert "METRICS_DIR=/run/piyao/metrics" in example
    for name in ("piyao-web.service", "piyao-worker@.service"):
        service = read_unit(name)["Service"]
        assert service["EnvironmentFile"] == "/etc/piyao/piyao.env"
        assert service["RuntimeDirectory"] == "piyao"
        assert service["RuntimeDirectoryPreserve"] == "yes"


def test_the_journal_keeps_the_logs_without_logrotate():
    journal = configparser.ConfigParser()
    journal.read(REPO / "deploy" / "journald.conf.d" / "piyao.conf")
    assert journal["Journal"]["Storage"] == "persistent"
    assert journal["Journal"]["MaxRetentionSec"]
    nginx = (REPO / "deploy" / "nginx.conf").read_text()
    assert "access_log syslog:server=unix:/dev/log" in nginx
    assert not list((REPO / "deploy").rglob("*logrotate*"))
