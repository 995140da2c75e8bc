"""The command line as an administrator meets it on a new machine: help before any
configuration, settings from FLASK_* variables as in any Flask app, and a configuration
error as one line with exit status 2 — never a traceback — through both entry points."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

FLASK = [sys.executable, "-m", "flask", "--app", "scm_plugin.app", "scm"]
SCM_PLUGIN = [sys.executable, "-m", "scm_plugin.cli"]


def _run(args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("FLASK_", "SCM_"))}
    clean.update(env)
    return subprocess.run(args, cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("entry", [FLASK, SCM_PLUGIN], ids=["flask", "scm-plugin"])
def test_help_works_without_any_configuration(tmp_path, entry):
    result = _run([*entry, "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    for command in ("init-db", "check-erp", "run-alerts", "send-outbox", "demo"):
        assert command in result.stdout
    result = _run([*entry, "check-erp", "--help"], tmp_path)
    assert result.returncode == 0 and "mapped ERP table" in result.stdout


@pytest.mark.parametrize("entry", [FLASK, SCM_PLUGIN], ids=["flask", "scm-plugin"])
def test_a_configuration_error_is_one_line_and_exit_2(tmp_path, entry):
    result = _run([*entry, "check-erp"], tmp_path, FLASK_SCM_ERP_DSN="DRIVER={SQLite3};Database=x.db")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SECRET_KEY is required" in lines[0]
    broken = tmp_path / "broken.cfg"
    broken.write_text("SECRET_KEY = 'x'\nSCM_ERP_DSN = (\n", encoding="utf-8")
    result = _run([*entry, "init-db"], tmp_path, SCM_SETTINGS=str(broken))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "broken.cfg" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_settings_from_flask_variables_without_a_settings_file(db, engine_db, tmp_path):
    env = {"FLASK_SECRET_KEY": "from-the-environment", "FLASK_SCM_ERP_DSN": engine_db.dsn}
    result = _run([*FLASK, "init-db"], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    result = _run([*FLASK, "check-erp"], tmp_path, **env)
    # the tests' database holds the reference ERP: every mapped table and column is there
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every mapped table and column exists" in result.stdout
    result = _run([*SCM_PLUGIN, "check-erp"], tmp_path, **env)
    assert result.returncode == 0, result.stdout + result.stderr
