"""Registration of the hf plugin: specs only, no heavy imports."""

from codecreg import SourceSpec, hookimpl


@hookimpl
def register_sources(register):
    register(SourceSpec(
        name="hf",
        factory="codecreg_hf.loader:load",
        description="EnCodec or DAC checkpoints in transformers' format: hf:<repo id or folder>[@revision]",
        requires=("torch", "transformers", "huggingface_hub", "safetensors"),
        install="pip install 'codecreg[hf]'",
        claims_path="codecreg_hf.checkpoint_folder:is_transformers_dac_folder",
    ))
