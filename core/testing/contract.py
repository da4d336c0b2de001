"""The contract test kit for codec plugins.

Subclass ``CompressionModelContract`` in a pytest module and provide the codec,
either by name or through the ``codec`` fixture, and pytest runs the shape,
dtype, round-trip length, batch, metadata and ``set_num_codebooks`` tests:

    from codecreg.testing import CompressionModelContract

    class TestMyCodec(CompressionModelContract):
        codec_name = "my_codec"

Imports torch and pytest: only test code imports this module.
"""

from __future__ import annotations

import math

import pytest
import torch

from ..registry.loading import codec_info, get_registry, load_codec
from ..audio import synthetic
from ..codec.compression import CompressionModel
from ..errors import UnknownNameError


def _core_options_only(name: str) -> bool:
    """Whether ``name`` is a registered name (maybe) whose options are all core's, which ``codec_info`` applies."""
    from ..errors import InvalidNameError
    from ..registry.names import CODEC_OPTION_ALIASES, CORE_CODEC_OPTIONS, parse_name

    try:
        parsed = parse_name(name, CODEC_OPTION_ALIASES)
    except InvalidNameError:
        return False
    return bool(parsed.options) and parsed.scheme is None and set(parsed.options) <= set(CORE_CODEC_OPTIONS)


def synthetic_audio(channels: int, length: int, sample_rate: int, batch: int = 1, seed: int = 0) -> torch.Tensor:
    """Deterministic ``[batch, channels, length]`` audio as a tensor (see ``codecreg.audio.synthetic``)."""
    return torch.from_numpy(synthetic.synthetic_audio(channels, length, sample_rate, batch, seed))


class CompressionModelContract:
    """Tests every CompressionModel must pass. Set ``codec_name`` or override the ``codec`` fixture.

    An overridden ``codec`` fixture must stay a class-scoped ``@classmethod``, as below
    (pytest deprecates instance-method fixtures, an error under ``-W error``). Every check
    says what it expected and found: pytest does not rewrite asserts in an installed module.
    """

    codec_name: str = ""
    #: the registered spec whose static metadata the built codec must match; by default the
    #: spec ``codec_name`` (or the codec's name) names. Set it when the ``codec`` fixture builds
    #: the codec another way (from a checkpoint made in the test), or the check is skipped.
    spec_name: str = ""
    #: seconds of audio for most tests; deliberately not a multiple of any hop
    duration: float = 1.337
    batch: int = 2
    #: seconds of audio, and of each chunk, for the long-audio checks (several chunks, the last partial)
    chunked_duration: float = 2.3
    chunk_seconds: float = 0.5

    #: "small" or "real": load ``codec_name`` on its plugin's seeded test weights at that size
    #: (``CodecSpec.test_weights``); empty: on whatever weights this machine holds
    seeded_weights: str = ""

    @pytest.fixture(scope="class")
    @classmethod
    def codec(cls) -> CompressionModel:
        if not cls.codec_name:
            raise NotImplementedError("set codec_name or override the codec fixture")
        if cls.seeded_weights:
            from .weights import load_test_codec

            return load_test_codec(cls.codec_name, cls.seeded_weights)
        return load_codec(cls.codec_name)

    @pytest.fixture(scope="class")
    @classmethod
    def audio(cls, codec: CompressionModel) -> torch.Tensor:
        return synthetic_audio(codec.channels, int(cls.duration * codec.sample_rate), codec.sample_rate, cls.batch)

    @pytest.fixture(scope="class")
    @classmethod
    def encoded(cls, codec: CompressionModel, audio: torch.Tensor):
        return codec.encode(audio.to(_device_of(codec)))

    def expected_frames(self, codec: CompressionModel, length: int) -> int:
        """Frames for ``length`` samples: what the codec's ``frames_for`` promises."""
        return codec.frames_for(length)

    # tests ----------------------------------------------------------------
    def test_metadata_is_consistent(self, codec: CompressionModel) -> None:
        _expect(isinstance(codec.sample_rate, int) and codec.sample_rate > 0,
                f"sample_rate must be a positive int, found {codec.sample_rate!r}")
        _expect(isinstance(codec.channels, int) and codec.channels >= 1,
                f"channels must be an int >= 1, found {codec.channels!r}")
        _expect(isinstance(codec.frame_rate, float) and 0 < codec.frame_rate <= codec.sample_rate,
                f"frame_rate must be a float in (0, sample_rate={codec.sample_rate}], found {codec.frame_rate!r}")
        _expect(isinstance(codec.cardinality, int) and codec.cardinality >= 2,
                f"cardinality must be an int >= 2, found {codec.cardinality!r}")
        _expect(1 <= codec.num_codebooks <= codec.total_codebooks,
                f"num_codebooks must lie in [1, total_codebooks={codec.total_codebooks}], found {codec.num_codebooks}")
        expected = codec.num_codebooks * math.log2(codec.cardinality) * codec.frame_rate / 1000
        _expect(codec.bitrate == pytest.approx(expected),
                f"bitrate must be num_codebooks x log2(cardinality) x frame_rate / 1000 = {expected:.6g} kbps, "
                f"found {codec.bitrate!r}")

    def test_metadata_matches_registered_spec(self, codec: CompressionModel) -> None:
        name = self.spec_name or codec.name
        try:
            spec = get_registry().codec(name) if self.spec_name or not _core_options_only(name) \
                else codec_info(name)  # a registered name whose options core applies (stereo=, num_codebooks=)
        except UnknownNameError:
            if self.spec_name:
                raise
            pytest.skip("codec was not loaded by a registered name with core options only (no plugin "
                        "option, no source): set spec_name to check it against a registered spec")
        found = (codec.sample_rate, codec.channels, codec.cardinality, codec.total_codebooks)
        declared = (spec.sample_rate, spec.channels, spec.cardinality, spec.total_codebooks)
        _expect(declared == found, f"(sample_rate, channels, cardinality, total_codebooks): spec {spec.name!r} "
                                   f"declares {declared}, the built codec has {found}")
        _expect(spec.frame_rate == pytest.approx(codec.frame_rate, rel=1e-3),
                f"frame_rate: spec {spec.name!r} declares {spec.frame_rate}, the built codec has {codec.frame_rate}")
        declared_levels, levels = spec.code_levels(), codec.code_levels
        _expect((declared_levels is None) == (levels is None)
                and (levels is None or levels.matches(declared_levels)),
                f"code levels: spec {spec.name!r} declares "
                f"{'one frame rate' if declared_levels is None else declared_levels.describe()}, the built codec "
                f"has {'one frame rate' if levels is None else levels.describe()}")
        _expect(spec.has_decoder == codec.has_decoder,
                f"has_decoder: spec {spec.name!r} declares {spec.has_decoder}, the built codec {codec.has_decoder}")

    def test_encode_shape_dtype_and_range(self, codec, audio, encoded) -> None:
        codes, _ = encoded
        _expect(codes.dtype == torch.int64, f"codes must be torch.int64, found {codes.dtype}")
        shape = (audio.shape[0], codec.num_codebooks, self.expected_frames(codec, audio.shape[-1]))
        _expect(tuple(codes.shape) == shape, f"codes of {audio.shape[-1]} samples must have shape [batch, "
                                             f"num_codebooks, frames] = {shape}, found {tuple(codes.shape)}")
        _expect(int(codes.min()) >= 0 and int(codes.max()) < codec.cardinality,
                f"codes must lie in [0, {codec.cardinality}), found {int(codes.min())}..{int(codes.max())}")

    def test_codes_vary_over_time(self, encoded) -> None:
        codes, _ = encoded
        for k in range(codes.shape[1]):
            _expect(len(torch.unique(codes[0, k])) > 1,
                    f"every frame got the same code in codebook {k}: degenerate (seed the codebooks)")

    def test_decode_restores_exact_length(self, codec, audio, encoded) -> None:
        _needs_decoder(codec)
        codes, scale = encoded
        decoded = codec.decode(codes, scale, length=audio.shape[-1])
        _expect(tuple(decoded.shape) == tuple(audio.shape),
                f"decode(length={audio.shape[-1]}) must return shape {tuple(audio.shape)}, found {tuple(decoded.shape)}")
        _expect(decoded.dtype == audio.dtype, f"decoded audio must be {audio.dtype}, found {decoded.dtype}")
        _expect(bool(torch.isfinite(decoded).all()), "decoded audio holds NaN or infinite samples")

    def test_decode_without_length_covers_input(self, codec, audio, encoded) -> None:
        _needs_decoder(codec)
        codes, scale = encoded
        decoded = codec.decode(codes, scale)
        _expect(decoded.shape[:2] == audio.shape[:2] and decoded.shape[-1] >= audio.shape[-1],
                f"decode without length must cover the input {tuple(audio.shape)}, found {tuple(decoded.shape)}")

    def test_decode_gives_exactly_length_or_refuses_it(self, codec, encoded) -> None:
        _needs_decoder(codec)
        codes, scale = encoded
        covered = codec.decode(codes, scale).shape[-1]
        for length in (covered - 1, covered):  # a segmented codec may refuse far shorter lengths: allowed
            found = codec.decode(codes, scale, length=length).shape[-1]
            _expect(found == length, f"decode(length={length}) must return {length} samples, found {found}")
        for bad in (-3, 0, covered + 1, 99_999_999, 1.5, True):
            try:
                decoded = codec.decode(codes, scale, length=bad)
            except ValueError:
                continue
            raise AssertionError(f"decode(length={bad!r}) must raise ValueError (the codes cover {covered} "
                                 f"samples), but it returned {decoded.shape[-1]} samples")

    def test_decode_latent_shape(self, codec, encoded) -> None:
        _needs_decoder(codec)
        codes, _ = encoded
        latent = codec.decode_latent(codes)
        # a multi-rate codec's latent runs at its finest level's rate
        frames = codes.shape[-1] * (1 if codec.code_levels is None else max(codec.code_levels.strides))
        _expect(latent.dim() == 3 and latent.shape[0] == codes.shape[0] and latent.shape[-1] == frames,
                f"decode_latent of codes {tuple(codes.shape)} must be [batch, dim, frames] = "
                f"[{codes.shape[0]}, D, {frames}], found {tuple(latent.shape)}")

    def test_batch_equals_items(self, codec, audio, encoded) -> None:
        codes, _ = encoded
        device = _device_of(codec)
        items = torch.cat([codec.encode(audio[i:i + 1].to(device))[0] for i in range(audio.shape[0])])
        _expect(torch.equal(items, codes), f"an item's codes must not depend on what it is batched with: "
                                           f"{int((items != codes).sum())} of {codes.numel()} codes differ")

    def test_set_num_codebooks(self, codec, audio) -> None:
        original = codec.num_codebooks
        short = audio[:1, :, : int(0.5 * codec.sample_rate)].to(_device_of(codec))
        accepted = [n for n in range(1, codec.total_codebooks + 1) if _accepts(codec, n)]
        _expect(bool(accepted) and accepted[-1] == codec.total_codebooks,
                f"check_num_codebooks must accept total_codebooks={codec.total_codebooks}")
        try:
            for n in sorted({accepted[0], accepted[-1]}):
                codec.set_num_codebooks(n)
                _expect(codec.num_codebooks == n, f"after set_num_codebooks({n}), num_codebooks is {codec.num_codebooks}")
                found = codec.encode(short)[0].shape[1]
                _expect(found == n, f"after set_num_codebooks({n}), encode must give {n} codebooks, found {found}")
                expected = n * math.log2(codec.cardinality) * codec.frame_rate / 1000
                _expect(codec.bitrate == pytest.approx(expected),
                        f"after set_num_codebooks({n}), bitrate must be {expected:.6g} kbps, found {codec.bitrate}")
            levels = codec.code_levels
            inside = [] if levels is None else [n for n in range(1, codec.total_codebooks) if n not in levels.boundaries]
            for bad in (0, codec.total_codebooks + 1, *inside[:1]):  # multi-rate: a count that cuts a level
                with pytest.raises(ValueError):
                    codec.set_num_codebooks(bad)
        finally:
            codec.set_num_codebooks(original)

    def test_code_levels(self, codec, audio, encoded) -> None:
        """A multi-rate codec's grid unpacks into its levels and packs back; ``encode_levels`` and
        ``decode_levels`` are ``encode`` and ``decode`` of them. A single-rate codec is one level."""
        codes, scale = encoded
        levels = codec.code_levels
        unpacked, _ = codec.encode_levels(audio[:1].to(_device_of(codec)))
        if levels is None:
            _expect(len(unpacked) == 1 and torch.equal(unpacked[0], codes[:1]),
                    f"a single-rate codec's encode_levels must be [encode's codes], found {len(unpacked)} level(s)")
            return
        _expect(levels.rows == codec.total_codebooks and levels.frame_rates[0] == pytest.approx(codec.frame_rate),
                f"code levels {levels.describe()} must pack into total_codebooks={codec.total_codebooks} rows at "
                f"frame_rate={codec.frame_rate}")
        frames = codes.shape[-1]
        shapes = [(1, k, frames * s) for k, s in zip(levels.codebooks, levels.strides)]
        found = [tuple(level.shape) for level in unpacked]
        _expect(found == shapes, f"encode_levels must give levels shaped {shapes} for {frames} coarse frames, "
                                 f"found {found}")
        _expect(torch.equal(levels.pack(unpacked), codes[:1]), "pack(encode_levels(x)) must be encode(x)'s codes")
        for index, level in enumerate(unpacked):
            _expect(len(torch.unique(level)) > 1, f"level {index} gave one code for every frame: degenerate "
                                                  "(seed the codebooks)")
        if codec.has_decoder:
            first = None if scale is None else scale[:1]
            with torch.random.fork_rng(devices=[]):  # a decoder that draws noise draws the same for both
                torch.manual_seed(0)
                whole = codec.decode(codes[:1], first, length=audio.shape[-1])
                torch.manual_seed(0)
                by_levels = codec.decode_levels(unpacked, first, length=audio.shape[-1])
            _expect(torch.equal(whole, by_levels), "decode_levels of the levels must equal decode of their grid")

    def test_decoder_or_its_refusal(self, codec, encoded) -> None:
        """A codec decodes, or declares it cannot (``has_decoder=False``) and refuses with NoDecoderError."""
        from ..errors import NoDecoderError

        codes, scale = encoded
        if codec.has_decoder:
            _expect(codec.decode(codes, scale).shape[0] == codes.shape[0], "decode must keep the batch")
            return
        for call in (lambda: codec.decode(codes, scale), lambda: codec.decode_latent(codes)):
            with pytest.raises(NoDecoderError, match="encode-only"):
                call()

    def test_wrong_channel_count_is_refused(self, codec) -> None:
        wrong = 2 if codec.channels == 1 else 1
        with pytest.raises(ValueError, match="channel"):
            codec.encode(torch.zeros(1, wrong, codec.sample_rate // 10, device=_device_of(codec)))

    def test_wrong_rank_is_refused(self, codec) -> None:
        with pytest.raises(ValueError, match="batch, channels, time"):
            codec.encode(torch.zeros(codec.sample_rate // 10, device=_device_of(codec)))

    def test_non_finite_audio_is_refused(self, codec) -> None:
        audio = torch.zeros(1, codec.channels, codec.sample_rate // 10, device=_device_of(codec))
        for bad in (float("nan"), float("inf")):
            audio[0, 0, 7] = bad
            with pytest.raises(ValueError, match="NaN or infinite"):
                codec.encode(audio)

    def test_arrays_and_other_dtypes_are_refused_with_what_to_pass(self, codec) -> None:
        audio = torch.zeros(1, codec.channels, codec.sample_rate // 10, device=_device_of(codec))
        with pytest.raises(ValueError, match="torch.from_numpy"):
            codec.encode(audio.cpu().numpy())
        with pytest.raises(ValueError, match=r"x\.float\(\)"):
            codec.encode(audio.double())

    def test_codes_outside_the_codebooks_are_refused(self, codec, encoded) -> None:
        _needs_decoder(codec)
        codes, scale = encoded
        with pytest.raises(ValueError, match=rf"codes must lie in \[0, {codec.cardinality}\)"):
            codec.decode(torch.full_like(codes, codec.cardinality), scale)


    # long audio: only for codecs that declare a coding plan --------------------------------
    def test_chunked_coding_equals_one_pass(self, codec) -> None:
        audio = self._long_audio(codec)
        whole, whole_scale, whole_audio = self._coded(codec, audio, 0)
        chunked, scale, chunked_audio = self._coded(codec, audio, self.chunk_seconds)
        flips = int((chunked != whole).sum())
        _expect(flips == 0, f"codes encoded {self.chunk_seconds} s at a time must equal one pass: {flips} of "
                            f"{whole.numel()} differ (at frames {_differing_frames(chunked, whole)}); is the "
                            "declared context too small?")
        _expect((scale is None) == (whole_scale is None) and (scale is None or torch.equal(scale, whole_scale)),
                "chunked encoding must give one pass's scale")
        error = float((chunked_audio - whole_audio).abs().max())
        _expect(error <= 1e-5, f"audio decoded {self.chunk_seconds} s at a time must equal one pass within 1e-5, "
                               f"found a difference of {error:.3g}")

    def test_streams_equal_whole_coding(self, codec) -> None:
        audio = self._long_audio(codec)
        codes, scale, decoded = self._coded(codec, audio, 0)
        original = codec.chunk_seconds
        try:
            codec.set_chunk_seconds(self.chunk_seconds)
            blocks = audio.split(max(1, int(0.37 * codec.sample_rate)), dim=-1)  # cuts that fit no frame
            pairs = list(codec.encode_stream(blocks))
            streamed = torch.cat([c for c, _ in pairs], dim=-1)
            _expect(torch.equal(streamed, codes), f"encode_stream's codes must equal encode's: "
                                                  f"{int((streamed != codes).sum()) if streamed.shape == codes.shape else 'shapes differ'}")
            audio_blocks = list(codec.decode_stream(pairs, length=audio.shape[-1]))
        finally:
            codec.set_chunk_seconds(original)
        joined = torch.cat(audio_blocks, dim=-1)
        _expect(joined.shape == decoded.shape, f"decode_stream must give {tuple(decoded.shape)}, found {tuple(joined.shape)}")
        error = float((joined - decoded).abs().max())
        _expect(error <= 1e-5, f"decode_stream must equal decode within 1e-5, found {error:.3g}")

    def _long_audio(self, codec) -> torch.Tensor:
        _needs_decoder(codec)
        if codec.coding_plan() is None:
            pytest.skip("the codec declares no coding plan: it codes whole inputs only")
        length = int(self.chunked_duration * codec.sample_rate) + 7
        return synthetic_audio(codec.channels, length, codec.sample_rate, seed=3).to(_device_of(codec))

    def _coded(self, codec, audio, chunk_seconds):
        original = codec.chunk_seconds
        try:
            codec.set_chunk_seconds(chunk_seconds)
            codes, scale = codec.encode(audio)
            return codes, scale, codec.decode(codes, scale, length=audio.shape[-1])
        finally:
            codec.set_chunk_seconds(original)


def _needs_decoder(codec: CompressionModel) -> None:
    if not codec.has_decoder:
        pytest.skip("an encode-only tokenizer: no decoder (test_decoder_or_its_refusal checks its refusal)")


def _accepts(codec: CompressionModel, n: int) -> bool:
    """Whether the codec takes ``n`` codebooks (some take only some counts: even ones for stereo by rows)."""
    try:
        codec.check_num_codebooks(n)
    except ValueError:
        return False
    return True


def _differing_frames(a: torch.Tensor, b: torch.Tensor) -> list[int]:
    if a.shape != b.shape:
        return [f"shapes {tuple(a.shape)} and {tuple(b.shape)}"]
    return (a != b).any(dim=1).any(dim=0).nonzero().flatten().tolist()[:10]


def _expect(condition: bool, message: str) -> None:
    """An assert that keeps its message in a plugin's own suite, where pytest does not rewrite this module."""
    if not condition:
        raise AssertionError(message)


def _device_of(codec: CompressionModel) -> torch.device:
    parameter = next(iter(getattr(codec, "parameters", lambda: iter(()))()), None)
    return parameter.device if parameter is not None else torch.device("cpu")
