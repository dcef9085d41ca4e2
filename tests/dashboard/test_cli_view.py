"""``backchannel export`` and ``serve`` (dashboard/cli.py); --help stays free of Dash."""

from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from dashboard.cli import app

from .conftest import DATA, ROOT


def test_export_writes_self_contained_html(tmp_path):
    out = tmp_path / "view.html"
    r = CliRunner().invoke(app, ["export", str(DATA / "tiny.yaml"), "-a", "slow_relay", "--fact", "offer",
                                 "-o", str(out)])
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "<script src=\"http" not in html and "Plotly.newPlot" in html and "sliders" in html


def test_export_unknown_fact_is_an_input_error(tmp_path):
    r = CliRunner().invoke(app, ["export", str(DATA / "tiny.yaml"), "--fact", "ofer", "-o", str(tmp_path / "x.html")])
    assert r.exit_code == 2
    assert not (tmp_path / "x.html").exists()


def test_help_does_not_import_dash():
    code = ("import sys; from dashboard.cli import app; "
            "assert 'dash' not in sys.modules and 'plotly' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_serve_file_sets_folder_and_default(tmp_path, monkeypatch):
    from dashboard.cli import _configure

    for name in ("BACKCHANNEL_SCENARIOS", "BACKCHANNEL_DEFAULT_SCENARIO", "BACKCHANNEL_DEFAULT_ALTERNATIVE"):
        monkeypatch.setenv(name, "")  # so that what _configure sets is undone after the test
    _configure(DATA / "tiny.yaml")
    import os

    assert os.environ["BACKCHANNEL_SCENARIOS"] == str(DATA.resolve())
    assert os.environ["BACKCHANNEL_DEFAULT_SCENARIO"] == "tiny"
