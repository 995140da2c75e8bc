"""The wheel: one top-level import name (``scm_plugin``), and the bridge's data files in it,
so a wheel install behaves like the editable one the other tests run on."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_NOT_SOURCES = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                      "*.db", "*.db-wal", "*.db-shm", "scm-demo", "test-artifacts", "node_modules")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """``pip wheel --no-deps .`` of a clean copy of the working tree (a stale build/ in the
    checkout would otherwise be packaged too, and concurrent builds would race)."""
    root = tmp_path_factory.mktemp("wheel")
    src, out = root / "src", root / "out"
    shutil.copytree(REPO, src, ignore=_NOT_SOURCES)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), "."],
                          cwd=src, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(out.glob("scm_plugin-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.mark.slow
def test_only_top_level_package_is_scm_plugin(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/", 1)[0] for n in names}
    packages = {t for t in top if not t.endswith((".dist-info", ".data"))}
    assert packages == {"scm_plugin"}, sorted(top)
    top_level = next(n for n in names if n.endswith(".dist-info/top_level.txt"))
    assert zipfile.ZipFile(wheel).read(top_level).decode().split() == ["scm_plugin"]


@pytest.mark.slow
def test_bridge_data_files_are_in_the_wheel(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("scm_plugin/config/erp_mapping.toml", "scm_plugin/config/erp_seed.json",
                     "scm_plugin/erp_bridge/sql/erp.sql", "scm_plugin/erp_bridge/dialects/mssql.py",
                     "scm_plugin/erp_bridge/migrations/v0001_initial.py"):
        assert required in names
    # Every query file and migration of the source tree, including per-dialect overrides.
    for path in (REPO / "erp_bridge" / "sql").rglob("*.sql"):
        assert f"scm_plugin/erp_bridge/sql/{path.relative_to(REPO / 'erp_bridge' / 'sql').as_posix()}" in names
    for path in (REPO / "erp_bridge" / "migrations").glob("v*.py"):
        assert f"scm_plugin/erp_bridge/migrations/{path.name}" in names


@pytest.mark.slow
def test_unpacked_wheel_serves_the_bridge(wheel, tmp_path):
    """Imported from the wheel's files alone (not the checkout), the bridge finds its
    mapping, seed, queries and migrations, and no generic top-level names exist."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import importlib.util, json, scm_plugin.erp_bridge as b\n"
        "from scm_plugin.erp_bridge import Mapping, erp_schema, migrations\n"
        "from scm_plugin.erp_bridge.queries import QueryRegistry\n"
        "print(json.dumps({'file': b.__file__, 'entities': len(Mapping.default().entities),\n"
        "  'queries': QueryRegistry.default().names(), 'seed': len(erp_schema.reference_seed()['customer']),\n"
        "  'migrations': migrations.latest_version(),\n"
        "  'generic': [n for n in ('blueprints', 'config', 'erp_bridge', 'templates', 'tests')\n"
        "              if importlib.util.find_spec(n) is not None]}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    import json

    from scm_plugin.erp_bridge import migrations
    from scm_plugin.erp_bridge.queries import QueryRegistry

    got = json.loads(proc.stdout)
    assert got["file"].startswith(str(site))
    assert got["entities"] == 13 and got["seed"] >= 3
    assert got["queries"] == QueryRegistry.default().names()
    assert got["migrations"] == migrations.latest_version()
    assert got["generic"] == []


def test_every_module_package_and_template_is_in_the_wheel(wheel):
    """Each blueprint package, the SMS layer, the demo and every template ship."""
    names = set(zipfile.ZipFile(wheel).namelist())
    root = Path(__file__).resolve().parents[2]
    expected = {f"scm_plugin/blueprints/{p.parent.name}/__init__.py"
                for p in (root / "blueprints").glob("*/__init__.py")}
    expected |= {"scm_plugin/sms/__init__.py", "scm_plugin/demo/__init__.py", "scm_plugin/demo/sql/erp_standin.sql"}
    expected |= {"scm_plugin/templates/" + str(p.relative_to(root / "templates"))
                 for p in (root / "templates").rglob("*.html")}
    missing = sorted(expected - names)
    assert not missing, missing
