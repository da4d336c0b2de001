"""The Python API against the installed registry, plus specs registered in process."""

import pytest

import codecreg
from codecreg import (CheckpointError, CodecSpec, DuplicateNameError, IncompatibleCodecError, InvalidNameError,
                      MissingDependencyError, UnknownNameError)


@pytest.fixture
def fresh_registry():
    """The installed registry, rediscovered, and forgotten again after the test's registrations."""
    codecreg.reset_registry()
    yield codecreg.get_registry()
    codecreg.reset_registry()


def test_list_codecs_with_wildcards():
    names = [spec.name for spec in codecreg.list_codecs("debug*")]
    assert names == ["debug_compression_model"]
    assert [spec.name for spec in codecreg.list_codecs("debug")] == ["debug_compression_model"]  # via alias
    assert codecreg.list_codecs("no_such_codec_*") == []


def test_codec_info_needs_no_build():
    spec = codecreg.codec_info("//pretrained/debug_compression_model")
    assert (spec.sample_rate, spec.frame_rate, spec.num_codebooks, spec.cardinality) == (32000, 25.0, 4, 400)
    assert spec.plugin == "builtin" and spec.distribution == "codecreg"
    assert spec.bitrate() == pytest.approx(4 * 8.643856 * 25 / 1000, rel=1e-6)


def test_a_typo_names_the_closest_codec():
    with pytest.raises(UnknownNameError, match="Did you mean 'debug_compression_model'"):
        codecreg.load_codec("debug_compresion_model")


def test_the_issue_typo_names_encodec_32khz():
    with pytest.raises(UnknownNameError, match="Did you mean 'encodec_32khz'"):
        codecreg.load_codec("encodc_32khz")
    with pytest.raises(UnknownNameError, match="Did you mean 'encodec_32khz'"):
        codecreg.codec_info("encodc_32khz")


def test_audiocraft_strings_resolve_to_registered_codecs():
    assert codecreg.codec_info("facebook/encodec_32khz").name == "encodec_32khz"
    assert codecreg.codec_info("//pretrained/facebook/encodec_32khz").name == "encodec_32khz"
    for name in ("dac_44khz", "dac_24khz", "debug_compression_model"):
        assert codecreg.codec_info(f"//pretrained/{name}").name == name


def test_an_unregistered_repo_id_is_not_looked_up_on_the_network():
    with pytest.raises(UnknownNameError, match=r"name its source explicitly: 'hf:someone/some_codec'"):
        codecreg.load_codec("someone/some_codec")


def test_an_unknown_scheme_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="unknown source 'nope'.*Known sources"):
        codecreg.load_codec("nope:thing")


def test_options_set_the_number_of_codebooks():
    codec = codecreg.load_codec("debug?num_codebooks=2")
    assert codec.num_codebooks == 2 and codec.name == "debug?num_codebooks=2"
    # 0.5 kbps / (log2(400) bits x 25 Hz) = 2.31 -> 2 codebooks
    assert codecreg.load_codec("debug?bandwidth=0.5").num_codebooks == 2
    assert codecreg.load_codec("debug?n_q=1").bitrate == pytest.approx(0.2161, abs=1e-4)


@pytest.mark.parametrize("name, message", [
    ("debug?num_codebooks=9", "from 1 to 4"),
    ("debug?num_codebooks=two", "must be an integer"),
    ("debug?bandwidth=100", "outside this codec's range"),
    ("debug?bandwidth=0.1", "outside this codec's range"),
    ("debug?num_codebooks=2,bandwidth=0.5", "not both"),
    ("debug?window=5", "unknown option 'window'.*accepted: num_codebooks, bandwidth, chunk_seconds, resampler, stereo, channels"),
])
def test_bad_options_are_refused_with_the_reason(name, message):
    with pytest.raises(InvalidNameError, match=message):
        codecreg.load_codec(name)


def test_missing_dependencies_give_the_install_command(fresh_registry):
    codecreg.register(CodecSpec(
        name="needs_missing_module", factory="codecreg_missing_module_xyz:build",
        requires=("codecreg_missing_module_xyz",), install="pip install 'codecreg-xyz[gpu]'",
        sample_rate=16000, frame_rate=50.0, cardinality=1024, num_codebooks=1, total_codebooks=1))
    spec = codecreg.codec_info("needs_missing_module")
    assert spec.status() == "missing codecreg_missing_module_xyz: pip install 'codecreg-xyz[gpu]'"
    with pytest.raises(MissingDependencyError, match=r"Install it with: pip install 'codecreg-xyz\[gpu\]'"):
        codecreg.load_codec("needs_missing_module")


def test_registering_a_taken_name_names_both_origins(fresh_registry):
    spec = CodecSpec(name="debug", factory="codecreg.codec.debug_codec:build", sample_rate=32000, frame_rate=25.0,
                     cardinality=400, num_codebooks=4, total_codebooks=4)
    with pytest.raises(DuplicateNameError, match=r"builtin \(codecreg\).*__main__ \(\(in process\)\)"):
        codecreg.register(spec)
    codecreg.register(spec, clobber=True)  # fsspec's escape hatch, on purpose only
    assert codecreg.codec_info("debug").plugin == "__main__"


def test_paths_that_do_not_exist_or_are_not_checkpoints(tmp_path):
    with pytest.raises(CheckpointError, match="no such checkpoint"):
        codecreg.load_codec(str(tmp_path / "missing.th"))
    junk = tmp_path / "notes.txt"
    junk.write_text("not a model")
    with pytest.raises(CheckpointError, match="no installed plugin recognizes"):
        codecreg.load_codec(str(junk))


def test_get_pretrained_is_load_codec():
    codec = codecreg.CompressionModel.get_pretrained("debug_compression_model", device="cpu")
    assert isinstance(codec, codecreg.CompressionModel) and codec.name == "debug_compression_model"


def test_check_compatible_lists_every_mismatch():
    codec = codecreg.load_codec("debug")
    codecreg.check_compatible(codec, cardinality=400, num_codebooks=4, sample_rate=32000, frame_rate=25.0)
    codecreg.check_compatible(codecreg.codec_info("debug"), cardinality=400, channels=1)
    with pytest.raises(IncompatibleCodecError) as error:
        codecreg.check_compatible(codec, cardinality=2048, num_codebooks=4, frame_rate=50.0)
    assert "cardinality: the model expects 2048, the codec has 400" in str(error.value)
    assert "frame_rate: the model expects 50.0, the codec has 25.0" in str(error.value)
    assert "num_codebooks: the model" not in str(error.value)


def test_a_frame_rate_written_to_two_decimals_matches_but_a_rounded_up_one_does_not():
    dac_44khz = codecreg.codec_info("dac_44khz")  # static metadata: 44100 / 512 = 86.1328125 Hz
    assert dac_44khz.frame_rate == 44100 / 512
    codecreg.check_compatible(dac_44khz, frame_rate=86.13)
    with pytest.raises(IncompatibleCodecError, match="frame_rate: the model expects 87, the codec has 86.1328125"):
        codecreg.check_compatible(dac_44khz, frame_rate=87)  # transformers' config.frame_rate rounds up


def test_get_pretrained_on_a_codec_class_refuses_a_name_that_builds_another_class():
    from codecreg.codec.debug_codec import DebugCompressionModel

    assert isinstance(DebugCompressionModel.get_pretrained("debug_compression_model"), DebugCompressionModel)

    class OtherCodec(codecreg.CompressionModel):
        pass

    with pytest.raises(IncompatibleCodecError,
                       match=r"OtherCodec.get_pretrained\('debug_compression_model'\): that name builds a "
                             r"DebugCompressionModel .*use DebugCompressionModel.get_pretrained"):
        OtherCodec.get_pretrained("debug_compression_model")


def test_of_two_sources_claiming_a_path_the_lower_priority_wins_and_a_tie_names_both(fresh_registry, tmp_path):
    checkpoint = tmp_path / "model.bin"
    checkpoint.write_bytes(b"weights")
    claims_any_file = "os.path:isfile"
    codecreg.register(codecreg.SourceSpec(name="first_format", factory="os:getcwd", claims_path=claims_any_file))
    assert fresh_registry.source_for_path(str(checkpoint)).name == "first_format"

    codecreg.register(codecreg.SourceSpec(name="second_format", factory="os:getcwd", claims_path=claims_any_file,
                                          priority=50))
    assert fresh_registry.source_for_path(str(checkpoint)).name == "second_format"

    codecreg.register(codecreg.SourceSpec(name="third_format", factory="os:getcwd", claims_path=claims_any_file,
                                          priority=50))
    with pytest.raises(DuplicateNameError, match=r"claimed by source 'second_format' of .* and source "
                                                 r"'third_format' of .*same priority 50"):
        codecreg.load_codec(str(checkpoint))


def test_an_encodec_folder_in_transformers_format_goes_to_the_native_plugin_and_hf_names_it(tmp_path):
    """Both plugins claim it: the native EnCodec plugin at the default priority, the hf source at 200."""
    (tmp_path / "config.json").write_text('{"model_type": "encodec"}')
    (tmp_path / "model.safetensors").write_bytes(b"")  # sniffers look at names, not contents
    claimants = [spec.name for spec in codecreg.get_registry().sources.values() if spec.claims(str(tmp_path))]
    assert len(claimants) == 2
    assert codecreg.get_registry().source_for_path(str(tmp_path)).plugin == "encodec"


#: codecreg.__all__ before the chunker's names moved to codecreg.chunking (66bef30)
PREVIOUS_PUBLIC_NAMES = (
    "AudioBlocks AudioStreamWriter AudioWriter CheckpointError CodecSpec CodecregError ComparisonTable "
    "CompressionModel Convolutional DuplicateNameError IncompatibleCodecError InvalidNameError MetricSpec "
    "MissingDependencyError PluginLoadError Recurrent SegmentLayout SegmentedPlan SourceSpec Stage StagedPlan "
    "TokenFile TokenFileError UnknownNameError WriterSpec __version__ audio_read audio_write audio_write_stream "
    "check_compatible codebooks_for_bandwidth codec_info compare convert_audio endpoint_unreachable get_registry "
    "get_writer hookimpl list_codecs list_writers load_codec load_codes open_tokens parse_int_option parse_name "
    "read_blocks receptive_context register reset_registry save_codes tokenize_dataset").split()


@pytest.mark.parametrize("name", PREVIOUS_PUBLIC_NAMES)
def test_every_previously_public_name_still_imports_and_a_moved_one_says_where_it_went(name):
    import warnings

    import codecreg.chunking

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = getattr(codecreg, name)
    moved = [str(warning.message) for warning in caught if issubclass(warning.category, DeprecationWarning)]
    if name in codecreg.__all__:
        assert not moved
    else:
        assert value is getattr(codecreg.chunking, name)
        assert moved == [f"codecreg.{name} moved to codecreg.chunking.{name}: import it from codecreg.chunking "
                         f"(the alias codecreg.{name} will be removed)"]
