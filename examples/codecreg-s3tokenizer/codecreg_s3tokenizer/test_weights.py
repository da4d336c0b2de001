"""Seeded S3Tokenizer checkpoints in the package's format: an ONNX file that its ``onnx2torch``
(what ``S3Tokenizer.init_from_onnx`` runs) reads, so the real loading path is exercised.

The published files are ONNX exports of the model; ``onnx2torch`` finds each weight by the export's
names: the convolutions under their anonymous initializer names (``onnx::Conv_1519`` ... for v1),
the positional embedding as ``encoders.positional_embedding``, a transformer weight as the
initializer input of a node named like ``/blocks.0/attn/query/MatMul`` (transposed, ONNX's layout),
a layer norm's as the inputs of a ``LayerNormalization`` node, the codebook (transposed) under
``/quantizer/rq/model/layers.0/_codebook/Pow_1``. The file written here holds every weight so and
nothing else: it loads exactly as a published file does, but is not a runnable ONNX graph.
The codebook, zeros in a fresh model, is seeded with rows drawn from the normalized encoder
states of a test signal, so tokens vary frame to frame.

Both sizes are the published ``ModelConfig()`` (1280 wide, 20 heads, 6 layers, 128 mels, 4096
tokens, 118 M parameters): an ONNX file carries no config, and the package builds that one
architecture for every file it loads, so a narrower checkpoint could not be loaded its way.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from codecreg.testing import TestWeights

from .registration import MODELS

#: the anonymous initializer names of each export's two convolutions (weight, bias, weight, bias)
CONV_NAMES = {
    "speech_tokenizer_v1": ("onnx::Conv_1519", "onnx::Conv_1520", "onnx::Conv_1521", "onnx::Conv_1522"),
    "speech_tokenizer_v1_25hz": ("encoders.conv1.weight", "encoders.conv1.bias", "encoders.conv2.weight",
                                 "encoders.conv2.bias"),
}


def recipe(name: str, size: str) -> TestWeights:
    model_name = MODELS[name][0]
    config = {"model": model_name}  # the published architecture at both sizes (see the module)
    return TestWeights(config=config, build=partial(save_seeded, config),
                       cache_file=f"s3tokenizer/{model_name}.onnx", libraries=("torch", "s3tokenizer", "onnx"))


def seeded_model(config: dict, seed: int = 0):
    import torch
    from s3tokenizer import log_mel_spectrogram
    from s3tokenizer.model import ModelConfig, S3Tokenizer

    from codecreg.audio.synthetic import synthetic_audio
    from codecreg.testing import codebook_rows

    torch.manual_seed(seed)
    model = S3Tokenizer(config["model"], ModelConfig()).eval()
    audio = torch.from_numpy(synthetic_audio(1, 3 * 16000, 16000, seed=seed))[0, 0]
    mel = log_mel_spectrogram(audio, n_mels=model.config.n_mels)
    with torch.no_grad():
        hidden, _ = model.encoder(mel[None], torch.tensor([mel.shape[-1]]))
    vectors = torch.nn.functional.normalize(hidden[0].float(), dim=-1)  # what the quantizer compares
    rows = codebook_rows(vectors, model.config.n_codebook_size, torch.Generator().manual_seed(seed))
    model.quantizer._codebook.embed.copy_(torch.nn.functional.normalize(rows, dim=-1))
    return model


def save_seeded(config: dict, folder: Path) -> None:
    model = seeded_model(config)
    write_onnx_weights(model, CONV_NAMES[config["model"]], Path(folder) / f"{config['model']}.onnx")


def write_onnx_weights(model, conv_names: tuple[str, ...], path: Path) -> None:
    """``model``'s weights, named as the published export names them (see the module)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    state = {key: value.detach().float().numpy() for key, value in model.state_dict().items()}
    initializers, nodes = [], []

    def node(name, op, *arrays):
        inputs = ["x"]
        for init_name, array in arrays:
            initializers.append(numpy_helper.from_array(array.copy(), init_name))
            inputs.append(init_name)
        nodes.append(helper.make_node(op, inputs, [f"{name}_out"], name=name))

    convs = ["encoder.conv1.weight", "encoder.conv1.bias", "encoder.conv2.weight", "encoder.conv2.bias"]
    for key, init_name in zip(convs, conv_names):
        node(f"/conv/{init_name}", "Conv", (init_name, state.pop(key)))
    node("/positional", "Add", ("encoders.positional_embedding", state.pop("encoder.positional_embedding")))
    node("/quantizer/rq/model/layers.0/_codebook/Pow_1", "Pow",
         ("codebook", state.pop("quantizer._codebook.embed").T))
    for key in [k for k in state if k.endswith("_ln.weight")]:  # layer norms: attn_ln, mlp_ln
        stem = key[len("encoder."):-len(".weight")]
        node(f"/{stem}/LayerNormalization".replace(".attn_ln", "/attn_ln").replace(".mlp_ln", "/mlp_ln"),
             "LayerNormalization", (f"{stem}.scale", state.pop(key)), (f"{stem}.bias", state.pop(f"encoder.{stem}.bias")))
    for key, array in state.items():  # the transformer's linear layers
        module, kind = key[len("encoder."):].rsplit(".", 1)  # blocks.0.attn.query, weight
        path_name = "/" + module.replace(".attn.", "/attn/").replace(".mlp.", "/mlp/mlp.")
        op = "MatMul" if kind == "weight" else "Add"
        node(f"{path_name}/{op}", op, (key, array.T if array.ndim == 2 else array))
    graph = helper.make_graph(nodes, "s3tokenizer_weights",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)], [], initializers)
    onnx.save(helper.make_model(graph), str(path))
