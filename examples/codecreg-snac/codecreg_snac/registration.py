"""Registration only: plain data, so `codecreg list` stays fast and torch-free.

SNAC codes one codebook of 4096 entries per level, each level at twice the frame rate of the one
before (the ``vq_strides`` of its config); codecreg packs the levels into one grid at the
coarsest rate (docs/plugins.md, "Multi-rate codes").
"""

from codecreg import CodecSpec, hookimpl

#: name -> (sample rate, hop, vq_strides, what it was trained on): the published configs' numbers
MODELS = {
    "snac_24khz": (24000, 512, (4, 2, 1), "speech"),
    "snac_32khz": (32000, 384, (8, 4, 2, 1), "music and sound effects"),
    "snac_44khz": (44100, 384, (8, 4, 2, 1), "music and sound effects"),
}


def repo_of(name: str) -> str:
    return f"hubertsiuzdak/{name}"


def weights_here(name: str) -> bool:
    from codecreg.checkpoints import hub_snapshot_cached

    return hub_snapshot_cached(repo_of(name), ["pytorch_model.bin"])


@hookimpl
def register_codecs(register):
    for name, (rate, hop, strides, trained_on) in MODELS.items():
        rates = tuple(rate / (hop * stride) for stride in strides)
        rows = sum(strides[0] // stride for stride in strides)
        register(CodecSpec(
            name=name, factory=f"codecreg_snac.codec:build_{name.split('_')[1]}",
            description=f"SNAC at {rate} Hz, {len(strides)} levels at {', '.join(f'{r:.1f}' for r in rates)} "
                        f"frames/s ({trained_on})",
            sample_rate=rate, channels=1, frame_rate=rates[0], cardinality=4096,
            num_codebooks=rows, total_codebooks=rows,
            level_frame_rates=rates, level_codebooks=(1,) * len(strides),
            weights=f"Hugging Face Hub {repo_of(name)} (config.json, pytorch_model.bin)",
            aliases=(repo_of(name),), weights_check="codecreg_snac.registration:weights_here",
            notes=(f"codes at {len(strides)} frame rates packed into {rows} rows per coarse frame (level by level, "
                   "each level's frames in time order); SNAC decodes all levels together, so num_codebooks is "
                   f"{rows}; its decoder adds noise, drawn here from a fixed seed so decoding is reproducible"),
            requires=("torch", "snac"), install="pip install codecreg-snac",
            test_weights="codecreg_snac.test_weights:recipe",
        ))
