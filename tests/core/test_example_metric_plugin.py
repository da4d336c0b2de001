"""The example third-party metric, pip-installed, is discovered and scores a study: no change to codecreg."""

import json
import subprocess
import sys

import pytest
from support.examples import pip_install_example



@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    return pip_install_example("codecreg-metric-example", tmp_path_factory.mktemp("site"))


def test_the_installed_metric_scores_a_tiny_study_at_the_rate_it_declares(installed):
    code = """
import json, numpy as np, codecreg
from codecreg.study.scoring import load_metrics, score
spec = codecreg.get_registry().metric("segsnr")
tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(22050) / 22050))[None].astype(np.float32)
table = codecreg.compare("debug", [("tone", tone, 22050), ("click", tone[:, :200], 22050)],
                         metrics=["segsnr", "si_sdr"], show_progress=False)
metric = load_metrics(["segsnr"])[0]
print(json.dumps({"distribution": spec.distribution, "rates": spec.sample_rates, "mode": spec.channel_mode,
                  "per_input": table.per_input, "summary": table.rows[0],
                  "identity": score(metric, tone, tone, 22050)}, default=str))
"""
    result = subprocess.run([sys.executable, "-c", code], env=installed, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    data = json.loads(result.stdout.splitlines()[-1].replace("NaN", "null"))
    assert data["distribution"] == "codecreg-metric-example"
    assert data["rates"] == [16000] and data["mode"] == "mono"
    tone, click = data["per_input"]
    assert -10.0 <= tone["segsnr"] <= 35.0 and tone["unscored"] == ""
    assert click["segsnr"] is None and "segsnr: 0.00" in click["unscored"] and "shorter than one 320-sample frame" \
        in click["unscored"]
    assert data["summary"]["segsnr_scored"] == 1 and data["identity"] == 35.0
