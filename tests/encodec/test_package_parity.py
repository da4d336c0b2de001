"""Our EnCodec against the ``encodec`` package, the same weights on both sides: its state
dicts saved as the package publishes them and loaded through our loader."""

from __future__ import annotations

import math

import pytest
import torch

import codecreg
from codecreg.testing import assert_codes_match_up_to_near_ties, synthetic_audio
from codecreg_encodec.config import ENCODEC_24KHZ, ENCODEC_48KHZ
from codecreg.chunking import SegmentLayout
from codecreg_encodec.weights import build_codec


def package_encode(model, audio: torch.Tensor, bandwidth: float | None):
    """The package's codes, scales and decoded audio, item by item (it gives a batch other last
    bits than its items, which can change a code; ours encodes items one at a time)."""
    if bandwidth:
        model.set_target_bandwidth(bandwidth)
    codes, scales, decoded = [], [], []
    with torch.no_grad():
        for item in audio.split(1):
            frames = model.encode(item)
            decoded.append(model.decode(frames))
            codes.append(torch.cat([codes for codes, _ in frames], dim=-1))
            if frames[0][1] is not None:
                scales.append(torch.cat([scale for _, scale in frames], dim=1))
    return torch.cat(codes), torch.cat(scales) if scales else None, torch.cat(decoded)


def package_latent_and_codebooks(model, audio: torch.Tensor):
    """What the package's quantizer receives (segment by segment, each normalized as it does,
    concatenated along time like the codes) and its codebooks: the near-tie rule's inputs."""
    length = audio.shape[-1] if model.segment_length is None else model.segment_length
    stride = length if model.segment_stride is None else model.segment_stride
    latents = []
    with torch.no_grad():
        for item in audio.split(1):
            pieces = []
            for offset in range(0, audio.shape[-1], stride):
                segment = item[..., offset: offset + length]
                if model.normalize:
                    segment = segment / (1e-8 + segment.mean(1, keepdim=True).pow(2).mean(2, keepdim=True).sqrt())
                pieces.append(model.encoder(segment))
            latents.append(torch.cat(pieces, dim=-1))
    return torch.cat(latents), [layer._codebook.embed for layer in model.quantizer.vq.layers]


def package_decode(model, codes: torch.Tensor, scale: torch.Tensor | None, audio: torch.Tensor) -> torch.Tensor:
    """The package's decoding of ``codes`` (ours, cut back into its segments), item by item."""
    frames = model.encode(audio[:1])
    decoded = []
    with torch.no_grad():
        for b in range(codes.shape[0]):
            pieces, start = [], 0
            for index, (segment_codes, _) in enumerate(frames):
                stop = start + segment_codes.shape[-1]
                pieces.append((codes[b:b + 1, :, start:stop], None if scale is None else scale[b:b + 1, index, None, None]))
                start = stop
            decoded.append(model.decode(pieces))
    return torch.cat(decoded)


def small_package_model(refs, stereo: bool):
    """The package's classes at a small size: causal mono like 24 kHz, or stereo like 48 kHz."""
    from encodec import EncodecModel
    from encodec.modules import SEANetDecoder, SEANetEncoder
    from encodec.quantization import ResidualVectorQuantizer

    torch.manual_seed(3)
    norm = "time_group_norm" if stereo else "weight_norm"
    shape = dict(channels=2 if stereo else 1, dimension=16, n_filters=4, ratios=[4, 2], norm=norm,
                 causal=not stereo, lstm=1)
    model = EncodecModel(SEANetEncoder(**shape), SEANetDecoder(**shape),
                         ResidualVectorQuantizer(dimension=16, n_q=4, bins=64),
                         target_bandwidths=[6.0, 24.0], sample_rate=8000, channels=shape["channels"],
                         normalize=stereo, segment=0.5 if stereo else None).eval()
    refs.seed_package_codebooks(model, synthetic_audio(shape["channels"], 16000, 8000, seed=99))
    base = ENCODEC_48KHZ if stereo else ENCODEC_24KHZ
    config = base.replace(sample_rate=8000, ratios=(4, 2), n_filters=4, dimension=16, codebook_size=64,
                          num_codebooks=4, lstm_layers=1, segment=0.5 if stereo else None)
    return model, build_codec(config, model.state_dict())


@pytest.mark.parametrize("stereo", [False, True], ids=["causal-mono", "stereo-segments"])
def test_small_model_matches_the_package(refs, stereo):
    model, ours = small_package_model(refs, stereo)
    audio = synthetic_audio(ours.channels, 4000 * 5 + 37, 8000, batch=2, seed=4)
    expected_codes, expected_scale, expected_audio = package_encode(model, audio, None)
    codes, scale = ours.encode(audio)
    assert torch.equal(codes, expected_codes)
    assert len(torch.unique(codes[:, -1])) > 10
    if stereo:
        assert scale.shape == (2, 6) and torch.equal(scale, expected_scale)
    decoded = ours.decode(codes, scale)
    assert decoded.shape == expected_audio.shape
    assert (decoded - expected_audio).abs().max() <= 1e-5
    assert torch.equal(ours.decode(codes, scale, length=audio.shape[-1]), decoded[..., :audio.shape[-1]])


def test_segment_frames_are_recovered_from_the_concatenated_codes():
    layout = SegmentLayout(48000, 47520, 320)
    for length in [*range(1, 3 * 48000, 997), *range(2 * 47520 - 5, 2 * 47520 + 700, 13), 2 * 47520 + 48000]:
        frames = layout.frames_for(length)
        assert layout.frame_counts(sum(frames), segments=len(frames)) == frames, length
    # where the input ends just past a segment start, the last two segments are both short
    assert layout.frames_for(2 * 47520 + 100) == [150, 149, 1]


@pytest.mark.slow
def test_24khz_matches_the_package_at_every_bandwidth(refs, tmp_path):
    model = refs.package_model(24000)
    path = tmp_path / "encodec_24khz-d7cc33bc.th"
    torch.save(model.state_dict(), path)
    audio = synthetic_audio(1, 6 * 24000 + 55, 24000, seed=8)
    ours = codecreg.load_codec(str(path))
    assert ours.num_codebooks == 32
    latent, codebooks = package_latent_and_codebooks(model, audio)
    for bandwidth in model.target_bandwidths:
        expected_codes, _, _ = package_encode(model, audio, bandwidth)
        codes, scale = codecreg.load_codec(f"{path}?bandwidth={bandwidth:g}").encode(audio)
        assert scale is None and codes.shape[1] == math.floor(bandwidth / 0.75)
        near_ties = assert_codes_match_up_to_near_ties(codes, expected_codes, latent, codebooks)
        print(f"24 kHz at {bandwidth:g} kbps: {near_ties} of {codes.numel()} codes differ at near-ties")
        assert len(torch.unique(codes[0, -1])) > 20
        expected_audio = package_decode(model, codes, None, audio)
        assert (ours.decode(codes) - expected_audio).abs().max() <= 1e-5


@pytest.mark.slow
def test_48khz_stereo_segments_match_the_package_at_every_bandwidth(refs, tmp_path):
    model = refs.package_model(48000)
    path = tmp_path / "encodec_48khz-7e698e3e.th"
    torch.save(model.state_dict(), path)
    audio = synthetic_audio(2, 2 * 47520 + 20000, 48000, seed=9)  # three segments, the last one short
    ours = codecreg.load_codec(str(path))
    latent, codebooks = package_latent_and_codebooks(model, audio)
    for bandwidth in model.target_bandwidths:
        expected_codes, expected_scale, _ = package_encode(model, audio, bandwidth)
        ours.set_num_codebooks(int(bandwidth / 1.5))
        codes, scale = ours.encode(audio)
        assert codes.shape == (1, int(bandwidth / 1.5), 150 + 150 + 63)
        near_ties = assert_codes_match_up_to_near_ties(codes, expected_codes, latent, codebooks)
        print(f"48 kHz at {bandwidth:g} kbps: {near_ties} of {codes.numel()} codes differ at near-ties")
        assert torch.equal(scale, expected_scale)
        decoded = ours.decode(codes, scale)
        assert (decoded - package_decode(model, codes, scale, audio)).abs().max() <= 1e-5
        assert ours.decode(codes, scale, length=audio.shape[-1]).shape == audio.shape
