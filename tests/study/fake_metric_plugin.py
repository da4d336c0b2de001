"""A third-party metrics plugin, as another distribution would ship it: registered through the hook."""

import numpy as np

from codecreg import MetricSpec, hookimpl


@hookimpl
def register_metrics(register):
    register(MetricSpec(name="peak_ratio", factory="study.fake_metric_plugin:build_peak_ratio", unit="x",
                        higher_is_better=False, description="reconstruction peak over reference peak"))
    register(MetricSpec(name="always_fails", factory="study.fake_metric_plugin:build_always_fails"))


def peak_ratio(reference, estimate, sample_rate):
    return float(np.abs(estimate).max() / np.abs(reference).max())


def build_peak_ratio():
    return peak_ratio


def build_always_fails():
    def always_fails(reference, estimate, sample_rate):
        raise RuntimeError("this metric needs 16 kHz audio")
    return always_fails
