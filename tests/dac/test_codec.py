"""The DAC codec against the ``dac`` package, on small seeded models with the published geometry.

The oracle is the package itself: ``dac.DAC.load`` of the same file, in eval mode,
``model.encode(model.preprocess(x))`` and ``model.decode(quantizer.from_codes(codes))``.
The native layers (the default, ``impl=native``) give its codes up to near-ties
(``codecreg_dac.parity``) and its audio within 1e-4; ``impl=package`` runs the package's
layers and gives both bit for bit.
"""

import math

import dac
import pytest
import torch

import codecreg
from codecreg.testing import CompressionModelContract, synthetic_audio
from codecreg_dac.native import NativeDac, build_native, fold_weight_norm
from codecreg_dac.checkpoint import read_checkpoint
from codecreg_dac.parity import assert_dac_codes_match_up_to_near_ties, count_dac_near_ties

NAMES = ("dac_44khz", "dac_24khz", "dac_16khz")  # dac_44khz_16kbps: test_real_models.py


def package_model(path) -> dac.DAC:
    return dac.DAC.load(str(path)).eval()


@torch.no_grad()
def package_codes(model: dac.DAC, audio: torch.Tensor, n_quantizers: int | None = None) -> torch.Tensor:
    """The package's codes of ``[B, N, T]``, one call per item as the plugin encodes (the N signals
    of an item form the call's batch)."""
    return torch.cat([model.encode(model.preprocess(item.transpose(0, 1), model.sample_rate), n_quantizers)[1]
                      for item in audio.split(1)])


@torch.no_grad()
def package_audio(model: dac.DAC, codes: torch.Tensor) -> torch.Tensor:
    return model.decode(model.quantizer.from_codes(codes)[0])


@torch.no_grad()
def package_latent(model: dac.DAC, audio: torch.Tensor) -> torch.Tensor:
    """What the package's quantizer receives, ``[B * N, D, T']`` (items one by one, as ``package_codes``)."""
    return torch.cat([model.encoder(model.preprocess(item.transpose(0, 1), model.sample_rate))
                      for item in audio.split(1)])


def assert_native_codes_match(codec, reference: dac.DAC, audio: torch.Tensor, expected: torch.Tensor,
                              codes: torch.Tensor) -> int:
    """Native ``codes`` of mono ``audio`` against the package's ``expected``, by the near-tie rule."""
    return assert_dac_codes_match_up_to_near_ties(codes, expected, package_latent(reference, audio), codec.model)


# the contract kit ---------------------------------------------------------------------------
class SmallDacContract(CompressionModelContract):
    duration = 0.313  # not a whole number of frames at 44.1, 24 or 16 kHz
    name = ""

    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls, load_by_name):
        return load_by_name(cls.name)


class TestDac44Contract(SmallDacContract):
    name = "dac_44khz"


class TestDac24Contract(SmallDacContract):
    name = "dac_24khz"


class TestDac16Contract(SmallDacContract):
    name = "dac_16khz"


class TestDacStereoContract(SmallDacContract):
    name = "dac_44khz?channels=2"


# parity with the package ----------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_package_path_gives_the_package_codes_and_audio_bit_for_bit(name, load_by_name, dac_checkpoint):
    codec = load_by_name(f"{name}?impl=package")
    reference = package_model(dac_checkpoint(name))
    audio = synthetic_audio(1, int(0.25 * codec.sample_rate), codec.sample_rate, batch=2)
    codes, scale = codec.encode(audio)
    expected = package_codes(reference, audio)
    assert scale is None and codes.dtype == torch.int64
    assert torch.equal(codes, expected)
    full, package_full = codec.decode(codes), package_audio(reference, codes)
    assert full.shape[-1] == codes.shape[-1] * codec.hop  # the 16/24 kHz decoders stop 8 samples short
    assert torch.equal(full[..., :package_full.shape[-1]], package_full)
    assert not full[..., package_full.shape[-1]:].any()


@pytest.mark.parametrize("name", NAMES)
def test_native_codes_and_audio_match_the_package(name, load_by_name, dac_checkpoint):
    codec = load_by_name(name)
    assert type(codec.model) is NativeDac  # the default
    reference = package_model(dac_checkpoint(name))
    audio = synthetic_audio(1, int(0.25 * codec.sample_rate), codec.sample_rate, batch=2)
    codes, scale = codec.encode(audio)
    expected = package_codes(reference, audio)
    assert scale is None and codes.dtype == torch.int64 and codes.shape == expected.shape
    assert_native_codes_match(codec, reference, audio, expected, codes)
    assert all(len(torch.unique(codes[0, k])) > 5 for k in range(codes.shape[1])), "codes barely vary"
    full, package_full = codec.decode(expected), package_audio(reference, expected)  # the same codes
    assert full.shape[-1] == codes.shape[-1] * codec.hop
    torch.testing.assert_close(full[..., :package_full.shape[-1]], package_full, rtol=0, atol=1e-4)
    assert not full[..., package_full.shape[-1]:].any()
    assert torch.equal(codec.decode(expected, length=audio.shape[-1]), full[..., :audio.shape[-1]])
    torch.testing.assert_close(codec.decode_latent(expected), reference.quantizer.from_codes(expected)[0],
                               rtol=0, atol=1e-5)


def test_every_tensor_of_the_native_model_moves_with_it(load_by_name):
    """Derived tensors (Snake's factors, normalized codebooks, the upsamplings' phase weights) are
    buffers, so ``codec.to(device or dtype)`` takes them along; a plain tensor attribute would stay."""
    codec = load_by_name("dac_44khz")
    strays = [f"{type(module).__name__}.{key}" for module in codec.modules() for key, value in vars(module).items()
              if isinstance(value, torch.Tensor)]
    assert strays == []
    names = {name.rsplit(".", 1)[-1] for name, _ in codec.named_buffers()}
    assert {"phase_weight", "phase_bias", "row_alpha", "unit_codebook"} <= names
    codec.to(torch.float64)
    assert all(tensor.dtype == torch.float64 for tensor in codec.buffers() if tensor.is_floating_point())


def test_a_wrong_weight_norm_fold_is_caught(dac_checkpoint):
    """The parity check can fail: weights left unfolded (``weight_v`` taken as the weight) or folded
    without their magnitude ``weight_g`` give other codes and audio. The seeded checkpoints hold
    ``weight_g = |weight_v|`` (as weight norm initializes it), which would hide a forgotten fold, so
    here every magnitude is scaled, in the package's model and ours alike."""
    _, state_dict = read_checkpoint(dac_checkpoint("dac_44khz"), accepted=())
    generator = torch.Generator().manual_seed(5)
    state_dict = {key: value * (0.5 + torch.rand(value.shape, generator=generator)) if key.endswith("weight_g")
                  else value for key, value in state_dict.items()}
    kwargs = dict(encoder_dim=4, decoder_dim=32)  # the small 44.1 kHz model (test_weights.SMALL_WIDTHS)
    reference = dac.DAC(**kwargs).eval()
    reference.load_state_dict(state_dict, strict=True)
    audio = synthetic_audio(1, 24 * 512, 44100)
    expected = package_codes(reference, audio)
    latent = package_latent(reference, audio)
    right = build_native(kwargs, dict(state_dict))  # build_native empties the dict it is given
    with torch.no_grad():
        assert count_dac_near_ties(right.quantize(right.encoder(audio), 9), expected, latent, right) == 0
        torch.testing.assert_close(right.decoder(right.from_codes(expected)), package_audio(reference, expected),
                                   rtol=0, atol=1e-4)
    wrong_folds = {
        "forgotten": {key.replace("weight_v", "weight"): value for key, value in state_dict.items()
                      if not key.endswith("weight_g")},
        "without the magnitude": {**fold_weight_norm(dict(state_dict)), **{
            key[:-len("weight_v")] + "weight": torch._weight_norm(value, torch.ones_like(state_dict[key[:-1] + "g"]), 0)
            for key, value in state_dict.items() if key.endswith("weight_v")}},
    }
    for why, folded in wrong_folds.items():
        with torch.device("meta"):
            wrong = NativeDac(**kwargs)
        wrong.load_state_dict(folded, strict=True, assign=True)
        wrong.prepare()
        with torch.no_grad():
            with pytest.raises(AssertionError, match="beyond a near-tie"):
                count_dac_near_ties(wrong.quantize(wrong.encoder(audio), 9), expected, latent, right)
            error = float((wrong.decoder(right.from_codes(expected)) - package_audio(reference, expected)).abs().max())
        assert error > 1e-3, why


@pytest.mark.parametrize("prefix", ["", "dac:"])
def test_a_path_loads_the_same_codec_as_the_name(prefix, load_by_name, dac_checkpoint):
    audio = synthetic_audio(1, 5000, 16000)
    by_path = codecreg.load_codec(f"{prefix}{dac_checkpoint('dac_16khz')}")
    assert torch.equal(by_path.encode(audio)[0], load_by_name("dac_16khz").encode(audio)[0])


def test_num_codebooks_option_gives_k_4_and_its_bitrate(load_by_name, dac_checkpoint):
    codec = load_by_name("dac_44khz?num_codebooks=4")
    assert codec.num_codebooks == 4 and codec.total_codebooks == 9
    assert codec.bitrate == pytest.approx(4 * 10 * 44100 / 512 / 1000)  # 3.45 kbps
    audio = synthetic_audio(1, 20000, 44100)
    codes, _ = codec.encode(audio)
    assert codes.shape == (1, 4, math.ceil(20000 / 512))
    reference = package_model(dac_checkpoint("dac_44khz"))
    assert_native_codes_match(codec, reference, audio, package_codes(reference, audio, n_quantizers=4), codes)


def test_codebook_count_holds_in_train_mode_where_the_package_ignores_it(load_by_name, dac_checkpoint):
    codec = load_by_name("dac_16khz?num_codebooks=3")
    audio = synthetic_audio(1, 8000, 16000)
    expected, _ = codec.encode(audio)
    codec.train()
    try:
        assert torch.equal(codec.encode(audio)[0], expected)
    finally:
        codec.eval()
    reference = package_model(dac_checkpoint("dac_16khz")).train()
    assert package_codes(reference, audio, n_quantizers=3).shape[1] == 12  # the trap the codec avoids


def test_decoding_fewer_codebooks_equals_the_package(load_by_name, dac_checkpoint):
    codec = load_by_name("dac_24khz")
    codes, _ = codec.encode(synthetic_audio(1, 6000, 24000))
    reference = package_model(dac_checkpoint("dac_24khz"))
    torch.testing.assert_close(codec.decode(codes[:, :5], length=6000),
                               package_audio(reference, codes[:, :5])[..., :6000], rtol=0, atol=1e-4)


# lengths --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["dac_44khz", "dac_16khz"])
def test_decode_returns_exact_lengths(name, load_by_name):
    codec = load_by_name(name)
    for length in (1, codec.hop - 1, codec.hop, codec.hop + 1, 5 * codec.hop - 3):
        codes, _ = codec.encode(synthetic_audio(1, length, codec.sample_rate))
        assert codes.shape[-1] == math.ceil(length / codec.hop)
        assert codec.decode(codes, length=length).shape == (1, 1, length)
        assert codec.decode(codes).shape == (1, 1, codes.shape[-1] * codec.hop)


def test_decode_refuses_a_length_beyond_the_codes(load_by_name):
    codec = load_by_name("dac_16khz")
    codes, _ = codec.encode(synthetic_audio(1, 1000, 16000))
    with pytest.raises(ValueError, match=r"more samples than the codes cover \(they cover 1280\)"):
        codec.decode(codes, length=4 * 320 + 1)


def test_decode_refuses_codes_outside_the_codebooks(load_by_name):
    codec = load_by_name("dac_16khz")
    with pytest.raises(ValueError, match="entries 0 to 1023"):
        codec.decode(torch.full((1, 2, 3), 1024))


# stereo ---------------------------------------------------------------------------------------
def test_stereo_codes_interleave_the_package_codes_of_each_channel(load_by_name, dac_checkpoint):
    codec = load_by_name("dac_44khz?channels=2")
    reference = package_model(dac_checkpoint("dac_44khz"))
    audio = synthetic_audio(2, 12000, 44100, batch=2)
    codes, _ = codec.encode(audio)
    per_channel = package_codes(reference, audio)  # [B * C, 9, T'], item by item, channels as a batch
    left, right = per_channel.view(2, 2, 9, -1).unbind(dim=1)
    assert codes.shape == (2, 18, math.ceil(12000 / 512))
    ours = torch.stack([codes[:, 0::2], codes[:, 1::2]], dim=1).flatten(0, 1)  # [B * C, 9, T'] like per_channel
    assert_dac_codes_match_up_to_near_ties(ours, per_channel, package_latent(reference, audio), codec.model)
    codes = torch.stack([left, right], dim=2).flatten(1, 2)  # decode the package's codes
    assert codec.bitrate == pytest.approx(2 * codec_info_bitrate("dac_44khz"))

    decoded = codec.decode(codes, length=12000)
    torch.testing.assert_close(decoded[:, :1], package_audio(reference, left)[..., :12000], rtol=0, atol=1e-4)
    torch.testing.assert_close(decoded[:, 1:], package_audio(reference, right)[..., :12000], rtol=0, atol=1e-4)


def test_stereo_num_codebooks_keeps_the_coarsest_levels_of_both_channels(load_by_name):
    full = load_by_name("dac_44khz?channels=2")
    audio = synthetic_audio(2, 8000, 44100)
    all_codes, _ = full.encode(audio)
    for rows in (4, 5, 1):
        codec = load_by_name(f"dac_44khz?channels=2,num_codebooks={rows}")
        codes, _ = codec.encode(audio)
        assert torch.equal(codes, all_codes[:, :rows])
        assert codec.bitrate == pytest.approx(rows * 10 * 44100 / 512 / 1000)
        assert codec.decode(codes, length=8000).shape == (1, 2, 8000)
    # one row: the right channel has no level and decodes from a zero latent
    dim = codec.model.latent_dim
    latent = codec.decode_latent(all_codes[:, :1])
    assert latent.shape == (1, 2 * dim, 16) and latent[:, :dim].abs().sum() > 0 and not latent[:, dim:].any()


def test_mono_audio_to_a_stereo_codec_is_refused(load_by_name):
    with pytest.raises(ValueError, match="2-channel codec but got 1 channel"):
        load_by_name("dac_44khz?channels=2").encode(torch.zeros(1, 1, 1000))


@pytest.mark.parametrize("option, message", [
    ("channels=0", "channels must be a whole number"),
    ("channels=two", "channels must be a whole number"),
    ("chunk_seconds=-1", "chunk_seconds must be a number of seconds"),
    ("chunk_seconds=inf", "chunk_seconds must be a number of seconds"),
])
def test_bad_options_are_refused(option, message, dac_checkpoint):
    with pytest.raises(codecreg.InvalidNameError, match=message):
        codecreg.load_codec(f"{dac_checkpoint('dac_16khz')}?{option}")


# batches --------------------------------------------------------------------------------------
def test_a_zero_padded_item_keeps_its_codes_except_the_last_frames(load_by_name):
    """Batching items of different lengths means zero-padding the short ones: only frames within
    the encoder's context of the item's end can change."""
    codec = load_by_name("dac_24khz")
    short = synthetic_audio(1, 9000, 24000)
    alone, _ = codec.encode(short)
    padded, _ = codec.encode(torch.nn.functional.pad(short, (0, 7000)))
    kept = alone.shape[-1] - codec.encoder_context
    assert torch.equal(padded[..., :kept], alone[..., :kept])


# long input -----------------------------------------------------------------------------------
def test_chunked_codes_and_audio_equal_one_pass_and_passes_stay_short(dac_checkpoint):
    path = dac_checkpoint("dac_16khz")
    whole = codecreg.load_codec(f"{path}?chunk_seconds=0")
    chunked = codecreg.load_codec(f"{path}?chunk_seconds=0.5")
    assert chunked.chunk_seconds == 0.5 and whole.chunk_seconds is None  # 25 frames at 50 Hz
    audio = synthetic_audio(1, int(2.2 * 16000), 16000)

    passes = {"encoder": [], "decoder": []}
    hooks = [getattr(chunked.model, part).register_forward_pre_hook(
        lambda module, args, part=part: passes[part].append(args[0].shape[-1])) for part in passes]
    try:
        codes, _ = chunked.encode(audio)
        decoded = chunked.decode(codes, length=audio.shape[-1])
    finally:
        for hook in hooks:
            hook.remove()

    expected, _ = whole.encode(audio)
    assert torch.equal(codes, expected)
    torch.testing.assert_close(decoded, whole.decode(expected, length=audio.shape[-1]), rtol=0, atol=1e-6)
    frames = expected.shape[-1]
    assert len(passes["encoder"]) == len(passes["decoder"]) == math.ceil(frames / 25)
    assert max(passes["encoder"]) <= (25 + 2 * chunked.encoder_context) * chunked.hop
    assert max(passes["decoder"]) <= 25 + 2 * chunked.decoder_context


def test_chunks_without_context_change_codes_near_their_edges(load_by_name):
    """Why the context is there: encoding pieces separately changes codes next to every cut."""
    codec = load_by_name("dac_16khz")
    audio = synthetic_audio(1, 16000 * 2, 16000)
    whole, _ = codec.encode(audio)
    cut = 40 * codec.hop
    pieces = torch.cat([codec.encode(audio[..., :cut])[0], codec.encode(audio[..., cut:])[0]], dim=-1)
    differing = (pieces != whole).any(dim=1)[0].nonzero().flatten()
    assert len(differing) > 0
    assert differing.min() >= 40 - codec.encoder_context and differing.max() < 40 + codec.encoder_context


def codec_info_bitrate(name: str) -> float:
    return codecreg.codec_info(name).bitrate()
