"""SCM_UNIT_DECIMALS is checked when the app is built: a wrong value stops it with the
project's one-line ConfigError (exit 2 on the command line), a right one is used."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from flask import Flask

from scm_plugin import SCMPlugin
from scm_plugin.errors import ConfigError

FLASK = [sys.executable, "-m", "flask", "--app", "scm_plugin.app", "scm"]


@pytest.mark.parametrize("value", [
    "片",                          # text, not a dict
    ["片", 0],                     # a list
    {"片": 0.5},                   # not a whole number
    {"片": "0"},                   # text
    {"片": -1},
    {"片": 5},                     # more than the 4 places any quantity may have
    {"片": True},                  # a bool is no number of places
    {"片": None},
    {"": 0},
    {"   ": 0},
    {1: 0},                        # a unit is text
    {"片": 0, " 片 ": 1},          # the same unit twice
    {"片\n盒": 0.5},               # still one line
])
def test_a_wrong_setting_stops_the_app_with_one_line(value):
    app = Flask("host")
    app.config.update(SECRET_KEY="k", SCM_ERP_DSN="DRIVER={SQLite3};Database=/tmp/never.db",
                      SCM_UNIT_DECIMALS=value)
    with pytest.raises(ConfigError, match="SCM_UNIT_DECIMALS") as caught:
        SCMPlugin(app)
    assert "\n" not in str(caught.value)
    assert "scm" not in app.extensions


@pytest.mark.parametrize("value", [{}, None, {"公斤": 2}, {"片": 0, "PCS": 0, "米": 4}])
def test_a_right_setting_is_accepted(value):
    app = Flask("host")
    app.config.update(SECRET_KEY="k", SCM_ERP_DSN="DRIVER={SQLite3};Database=/tmp/never.db",
                      SCM_UNIT_DECIMALS=value)
    SCMPlugin(app)
    assert app.config["SCM_UNIT_DECIMALS"] == value
    app.extensions["scm"].db.dispose()


def test_the_default_counts_pieces_in_whole_numbers():
    app = Flask("host")
    app.config.update(SECRET_KEY="k", SCM_ERP_DSN="DRIVER={SQLite3};Database=/tmp/never.db")
    SCMPlugin(app)
    assert app.config["SCM_UNIT_DECIMALS"] == {"片": 0, "套": 0, "张": 0, "个": 0, "盒": 0}
    app.extensions["scm"].db.dispose()


def _run(args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "SCM_"))}
    clean.update(env)
    return subprocess.run(args, cwd=tmp_path, env=clean, capture_output=True, text=True, timeout=120)


def test_from_the_environment_bad_is_exit_2_and_good_works(db, engine_db, tmp_path):
    env = {"FLASK_SECRET_KEY": "x", "FLASK_SCM_ERP_DSN": engine_db.dsn}
    result = _run([*FLASK, "check-erp"], tmp_path, FLASK_SCM_UNIT_DECIMALS='{"片": 0.5}', **env)
    assert result.returncode == 2 and "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "SCM_UNIT_DECIMALS" in lines[0] and "0.5" in lines[0]
    result = _run([*FLASK, "check-erp"], tmp_path, FLASK_SCM_UNIT_DECIMALS='片=0', **env)
    assert result.returncode == 2 and "SCM_UNIT_DECIMALS must be a dict" in result.stderr
    result = _run([*FLASK, "check-erp"], tmp_path, FLASK_SCM_UNIT_DECIMALS='{"片": 0, "PCS": 0}', **env)
    assert result.returncode == 0, result.stdout + result.stderr
