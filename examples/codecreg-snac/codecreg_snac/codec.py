"""SNAC through the codecreg contract: the ``snac`` package's model, its levels packed into one grid.

``encode`` runs the package's ``SNAC.encode`` (its padding to ``hop x lcm(vq_strides[0],
attn_window_size)`` included) on each item and packs the list of levels with the codec's
``CodeLevels``; ``decode`` unpacks them and runs ``SNAC.decode``, drawing the decoder's noise
from a fixed seed so the same codes always give the same audio.
"""

from __future__ import annotations

import json
import math

import torch
from snac import SNAC
from torch import nn

from codecreg import CheckpointError, CodeLevels, CompressionModel
from codecreg.checkpoints import hub_file, load_torch_file

from .registration import repo_of

#: the seed SNAC's decoder noise is drawn from (the package draws it from torch's global generator)
NOISE_SEED = 0


class SNACCodec(CompressionModel, nn.Module):
    def __init__(self, model: SNAC):
        nn.Module.__init__(self)
        self.model = model
        strides = list(model.vq_strides)
        self.hop = int(model.hop_length)
        self.pad_to = self.hop * math.lcm(strides[0], model.attn_window_size or 1)
        levels = CodeLevels(tuple(model.sampling_rate / (self.hop * s) for s in strides))
        self.set_metadata(sample_rate=model.sampling_rate, channels=1, frame_rate=levels.frame_rates[0],
                          cardinality=model.codebook_size, total_codebooks=levels.rows)
        self.set_code_levels(levels)

    def check_num_codebooks(self, n: int) -> int:
        n = super().check_num_codebooks(n)
        if n != self.total_codebooks:
            raise ValueError(f"SNAC decodes all its levels together: num_codebooks is {self.total_codebooks} "
                             f"(every level's rows), got {n}")
        return n

    def frames_for(self, length: int) -> int:
        padded = math.ceil(length / self.pad_to) * self.pad_to
        return padded // (self.hop * self.model.vq_strides[0])

    @torch.no_grad()
    def encode(self, x):
        self.check_audio(x)
        # item by item: an item's codes must not depend on its batch (kernels pick algorithms by size)
        grids = [self.code_levels.pack([level[:, None] for level in self.model.encode(item)]) for item in x.split(1)]
        return torch.cat(grids).long(), None

    @torch.no_grad()
    def decode_latent(self, codes):
        self.check_codes(codes)
        return self.model.quantizer.from_codes(self._snac_levels(codes))

    @torch.no_grad()
    def decode(self, codes, scale=None, length=None):
        self.check_length(length)
        self.check_codes(codes)
        devices = [codes.device] if codes.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(NOISE_SEED)
            audio = self.model.decode(self._snac_levels(codes))
        return self.trim_to_length(audio, length)

    def _snac_levels(self, codes):
        """The grid as snac takes codes: one ``[B, T_i]`` per level (one codebook each)."""
        return [level[:, 0] for level in self.code_levels.unpack(codes)]


def load(name: str, device="cpu") -> SNACCodec:
    """The published checkpoint layout: ``config.json`` (SNAC's keyword arguments) and
    ``pytorch_model.bin`` (its state dict), through the Hugging Face cache."""
    repo = repo_of(name)
    config = json.loads(hub_file(repo, ["config.json"]).read_text())
    try:
        model = SNAC(**config)
    except TypeError as error:
        raise CheckpointError(f"{repo}: config.json does not describe a SNAC model ({error})") from None
    state = load_torch_file(hub_file(repo, ["pytorch_model.bin"]))
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        raise CheckpointError(f"{repo}: pytorch_model.bin does not fit the architecture config.json describes: "
                              f"{str(error).splitlines()[0]}") from None
    codec = SNACCodec(model.eval()).to(device).eval()
    codec.name = name
    return codec


def build_24khz(device="cpu"):
    return load("snac_24khz", device)


def build_32khz(device="cpu"):
    return load("snac_32khz", device)


def build_44khz(device="cpu"):
    return load("snac_44khz", device)
