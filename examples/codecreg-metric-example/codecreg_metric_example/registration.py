"""Registration: a spec only. ``codecreg list`` imports this module, so it imports nothing heavy."""

from codecreg import MetricSpec, hookimpl


@hookimpl
def register_metrics(register):
    register(MetricSpec(
        name="segsnr", factory="codecreg_metric_example.metric:build", unit="dB", higher_is_better=True,
        description="segmental SNR over 20 ms frames at 16 kHz, each frame clamped to -10..35 dB",
        sample_rates=(16000,),  # the study converts the aligned audio to 16 kHz ...
        channel_mode="mono",  # ... mixed down to one channel, with codecreg.convert_audio
        needs_reference=True, value_range=(-10.0, 35.0),
        requires=("numpy",), install="pip install codecreg-metric-example",
    ))
