"""The installed package: a wheel built from this tree carries the dashboard's assets, the shipped
scenarios and the schema, and works from another folder with the source tree out of reach."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "--disable-pip-version-check", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    (path,) = out.glob("backchannel-*.whl")
    return path


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed; the dependencies come from this
    interpreter's site-packages by a plain path entry (its .pth files, an editable install of this
    tree among them, are not run)."""
    env = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True, capture_output=True, env=_clean_env())
    py = env / "bin" / "python"
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True, env=_clean_env()).stdout.strip()
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--disable-pip-version-check",
                    str(wheel)], check=True, capture_output=True, env=_clean_env(), cwd=env)
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}  # after the install: pip must
    Path(site, "zz_dependencies.pth").write_text("".join(f"{d}\n" for d in sorted(deps)))  # not see other copies
    return env


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "BACKCHANNEL_SCENARIOS",
                                                             "BACKCHANNEL_DEFAULT_SCENARIO", "VIRTUAL_ENV")}
    return env | extra


def test_wheel_holds_every_module_and_the_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    source = {p.relative_to(ROOT).as_posix() for top in ("sim", "dashboard") for p in (ROOT / top).rglob("*.py")
              if "__pycache__" not in p.parts}
    assert source - names == set(), "add the missing packages to [tool.setuptools] packages in pyproject.toml"
    shipped = {"sim/data/" + p.relative_to(ROOT).as_posix() for p in (ROOT / "scenarios").rglob("*.yaml")}
    assert shipped and shipped <= names
    assert {"dashboard/assets/style.css", "dashboard/assets/backchannel.js",
            "sim/data/docs/scenario.schema.json"} <= names


def test_installed_wheel_runs_from_another_folder(venv, tmp_path):
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import sim, dashboard, sim.resources as r; print(sim.__file__); print(dashboard.__file__);"
                            "print(r.scenarios_dir()); print(r.schema_file())"],
                           cwd=tmp_path, env=_clean_env(), check=True, capture_output=True, text=True).stdout.split()
    assert all(Path(w).is_relative_to(venv) for w in where), where  # nothing comes from the source tree
    r = subprocess.run([str(venv / "bin" / "backchannel"), "run", "--format", "json"], cwd=tmp_path,
                       env=_clean_env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert '"title": "The release of Edan Alexander (May 2025)"' in r.stdout
    r = subprocess.run([str(venv / "bin" / "backchannel"), "validate", "--strict",
                        str(Path(where[2]) / "examples" / "harbour_strike.yaml")],
                       cwd=tmp_path, env=_clean_env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 (loopback only)
        return resp.status, resp.read()


def test_installed_dashboard_serves_its_page_and_assets(venv, tmp_path):
    port = _free_port()
    proc = subprocess.Popen([str(venv / "bin" / "backchannel"), "serve", "--port", str(port)], cwd=tmp_path,
                            env=_clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                status, page = _get(base + "/")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(proc.stdout.read() if proc.stdout else "serve did not start") from None
                time.sleep(0.5)
        assert status == 200
        assets = re.findall(r'(?:href|src)="(/assets/[^"]+)"', page.decode())
        assert {a.split("?")[0] for a in assets} >= {"/assets/style.css", "/assets/backchannel.js"}
        for a in assets:
            assert _get(base + a)[0] == 200, a
        assert _get(base + "/_dash-layout")[0] == 200
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    said = proc.stdout.read() if proc.stdout else ""
    assert f"Scenarios from {venv}" in said and "/sim/data/scenarios" in said, said


def test_serve_without_a_scenario_folder_says_so(tmp_path, monkeypatch):
    from dashboard.cli import app

    empty = tmp_path / "none"
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(empty))
    r = CliRunner().invoke(app, ["serve"])
    assert r.exit_code == 2 and f"no scenario folder: {empty} does not exist" in r.output
    empty.mkdir()
    r = CliRunner().invoke(app, ["serve"])
    assert r.exit_code == 2 and "holds no scenario file" in r.output


def test_serve_checks_the_alternative_before_starting(monkeypatch):
    from dashboard.cli import app

    for name in ("BACKCHANNEL_SCENARIOS", "BACKCHANNEL_DEFAULT_SCENARIO", "BACKCHANNEL_DEFAULT_ALTERNATIVE"):
        monkeypatch.setenv(name, "")  # the shipped folder and scenario; restored after the test
    monkeypatch.setattr("dashboard.app.create_app", None)  # never start a server here, whatever happens
    r = CliRunner().invoke(app, ["serve", "--alternative", "no_such"])
    assert r.exit_code == 2 and "no alternative 'no_such'" in r.output
    monkeypatch.setenv("BACKCHANNEL_DEFAULT_SCENARIO", "nowhere")
    r = CliRunner().invoke(app, ["serve", "--alternative", "no_tap"])
    assert r.exit_code == 2 and "no scenario 'nowhere'" in r.output
