"""What every transformers audio tokenizer behind ``hf:`` shares (Mimi, X-Codec, XCodec2,
WavTokenizer, NeuCodec, Higgs Audio v2): mono audio in, items encoded one at a time, codes
``[B, K, T']`` int64, decoded audio ``[B, 1, T' x hop]`` or exactly ``length`` samples.

A family adapter subclasses it and says how one item is encoded, how codes are decoded and
how codes become the decoder's latent; it declares its numbers with ``set_metadata``.
"""

from __future__ import annotations

import torch
from torch import nn

from codecreg import CompressionModel

from .lengths import pad_end


class TransformersTokenizer(CompressionModel, nn.Module):
    def __init__(self, model: nn.Module, hop: int):
        nn.Module.__init__(self)
        self.model = model.eval()
        self.hop = hop  # output samples per frame

    # contract -------------------------------------------------------------
    @torch.no_grad()
    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, None]:
        """Items are encoded one at a time, so an item's codes never depend on its batch (oneDNN
        picks kernels by problem size, and attention layers see the whole input)."""
        self.check_audio(x)
        x = x.to(self._parameter().device, self._parameter().dtype)
        return torch.cat([self._encode_item(item) for item in x.split(1)]).long(), None

    @torch.no_grad()
    def decode(self, codes: torch.Tensor, scale: torch.Tensor | None = None,
               length: int | None = None) -> torch.Tensor:
        """Audio ``[B, 1, T]``: ``length`` samples when given, else frames x hop. No scale here."""
        self.check_codes(codes)
        length = self.check_length(length)
        audio = self._decode(codes.to(self._parameter().device).long())
        audio = audio.reshape(codes.shape[0], 1, -1)
        covered = codes.shape[-1] * self.hop
        return self.trim_to_length(pad_end(audio, covered)[..., :covered], length)

    @torch.no_grad()
    def decode_latent(self, codes: torch.Tensor) -> torch.Tensor:
        """The decoder's input for these codes, ``[B, D, T']``."""
        self.check_codes(codes)
        return self._latent(codes.to(self._parameter().device).long())

    # what a family says ---------------------------------------------------
    def _encode_item(self, x: torch.Tensor) -> torch.Tensor:
        """Codes ``[1, K, T']`` of one item ``[1, 1, T]``, ``self.num_codebooks`` of them."""
        raise NotImplementedError

    def _decode(self, codes: torch.Tensor) -> torch.Tensor:
        """transformers' decoded audio for codes ``[B, K, T']``, with or without a channel axis."""
        raise NotImplementedError

    def _latent(self, codes: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def _parameter(self) -> torch.Tensor:
        return next(self.model.parameters())


class SingleCodebookTokenizer(TransformersTokenizer):
    """A family with one codebook (WavTokenizer, XCodec2, NeuCodec): its code count is fixed."""

    def set_num_codebooks(self, n: int) -> None:
        if n != 1:
            raise ValueError(
                f"{type(self).__name__} has a single codebook, so num_codebooks can only be 1 (asked for {n!r}); "
                "its bitrate is fixed. Drop num_codebooks/bandwidth from the name"
            )
        super().set_num_codebooks(n)
