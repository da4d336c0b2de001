"""Multi-rate codes (codecreg.codec.levels): the packing by its definition, and a two-rate codec through
the contract kit, token files, tokenize shards and compare."""

import json

import numpy as np
import pytest
import torch

import codecreg
from codecreg import CodeLevels, load_codec
from codecreg.testing import CompressionModelContract, synthetic_audio
from support.odd_codecs import odd_plugin  # noqa: F401 (a fixture)

SNAC_24 = CodeLevels((24000 / 2048, 24000 / 1024, 24000 / 512))


pytestmark = pytest.mark.usefixtures("odd_plugin")


# the packing, by the definition in docs/plugins.md ---------------------------------------------
@pytest.mark.parametrize("levels", [SNAC_24, CodeLevels((10.0, 20.0, 40.0, 80.0)), CodeLevels((50.0, 100.0), (1, 2)),
                                    CodeLevels((5.0, 15.0), (2, 3))])
def test_row_offset_k_s_j_of_coarse_frame_t_is_level_i_at_frame_t_s_j(levels):
    rng = np.random.default_rng(0)
    frames, batch = 6, 2
    per_level = [rng.integers(0, 4096, (batch, k, frames * s)) for k, s in zip(levels.codebooks, levels.strides)]
    grid = levels.pack(per_level)
    assert grid.shape == (batch, levels.rows, frames)
    offset = 0
    for codes, k_i, s_i in zip(per_level, levels.codebooks, levels.strides):
        for k in range(k_i):
            for j in range(s_i):
                for t in range(frames):
                    assert (grid[:, offset + k * s_i + j, t] == codes[:, k, t * s_i + j]).all()
        offset += k_i * s_i
    for got, want in zip(levels.unpack(grid), per_level):
        assert np.array_equal(got, want)
    # torch tensors, and rows without a batch axis (a dataset row), the same
    tensors = levels.unpack(torch.from_numpy(grid))
    assert all(torch.equal(t, torch.from_numpy(w)) for t, w in zip(tensors, per_level))
    assert torch.equal(levels.pack(tensors), torch.from_numpy(grid))
    assert all(np.array_equal(a, b[0]) for a, b in zip(levels.unpack(grid[0]), per_level))


def test_snac_24khz_packs_seven_rows_a_frame_and_its_published_bitrate():
    assert SNAC_24.strides == (1, 2, 4) and SNAC_24.rows == 7 and SNAC_24.boundaries == (1, 3, 7)
    grid = np.arange(7 * 3).reshape(1, 7, 3)
    coarse, middle, fine = SNAC_24.unpack(grid)
    assert coarse.tolist() == [[[0, 1, 2]]]
    assert middle[0, 0, :2].tolist() == [grid[0, 1, 0], grid[0, 2, 0]]  # frames 2t and 2t+1 of coarse frame t
    assert fine[0, 0, 4:8].tolist() == grid[0, 3:7, 1].tolist()
    assert round(7 * 12 * SNAC_24.frame_rates[0] / 1000, 2) == 0.98  # SNAC's published 0.98 kbps
    assert [level.shape for level in SNAC_24.unpack(grid[:, :3])] == [(1, 1, 3), (1, 1, 6)]  # the first two levels


def test_impossible_levels_and_cut_levels_are_refused():
    with pytest.raises(ValueError, match="whole multiple of the first"):
        CodeLevels((10.0, 15.0))
    with pytest.raises(ValueError, match="at least 2 levels"):
        CodeLevels((10.0,))
    with pytest.raises(ValueError, match="positive int per level"):
        CodeLevels((10.0, 20.0), (1,))
    with pytest.raises(ValueError, match="cut through a level"):
        SNAC_24.unpack(np.zeros((1, 5, 3), dtype=np.int64))
    with pytest.raises(ValueError, match=r"level 1 .* must be shaped"):
        SNAC_24.pack([np.zeros((1, 1, 3)), np.zeros((1, 1, 5))])
    assert CodeLevels.from_json(SNAC_24.to_json()) == SNAC_24


# a two-rate codec through everything ------------------------------------------------------------
class TestTwoRateCodec(CompressionModelContract):
    codec_name = "tworate_8khz"
    seeded_weights = "small"


def test_a_multi_rate_codec_takes_whole_levels_only_and_single_rate_codecs_are_unchanged():
    codec = load_codec("tworate_8khz")
    assert codec.code_levels == CodeLevels((50.0, 100.0), (1, 2)) and codec.bitrate == pytest.approx(5 * 6 * 50 / 1000)
    codec.set_num_codebooks(1)
    with pytest.raises(ValueError, match=r"must end on a level \(1, 5"):
        codec.set_num_codebooks(3)
    with pytest.raises(ValueError, match="must end on a level"):
        load_codec("tworate_8khz?num_codebooks=2")
    debug = load_codec("debug")
    assert debug.code_levels is None
    codes, _ = debug.encode_levels(synthetic_audio(1, 3200, debug.sample_rate))
    assert len(codes) == 1 and codes[0].shape == (1, 4, 3)
    with pytest.raises(codecreg.InvalidNameError, match="cut through a level"):
        codecreg.codec_info("tworate_8khz?num_codebooks=3")
    assert codecreg.codec_info("tworate_8khz?num_codebooks=1").num_codebooks == 1
    info = codecreg.codec_info("tworate_8khz").as_dict()
    assert info["levels"] == "2 levels at 50, 100 frames/s (1, 2 codebooks), 5 rows a frame"
    assert "levels" not in codecreg.codec_info("debug").as_dict()


def test_a_token_file_keeps_the_levels_and_decodes_them(tmp_path):
    codec = load_codec("tworate_8khz")
    audio = synthetic_audio(1, 8000 + 37, 8000)
    codes, scale = codec.encode(audio)
    path = codecreg.save_codes(tmp_path / "a.codes", codes, codec, audio.shape[-1], scale)
    tokens = codecreg.load_codes(path)
    assert tokens.code_levels == codec.code_levels and tokens.frame_rate == 50.0
    expected, _ = codec.encode_levels(audio)
    assert [level.shape for level in tokens.levels()] == [(1, 1, 51), (1, 2, 102)]
    assert all(np.array_equal(got, want.numpy()) for got, want in zip(tokens.levels(), expected))
    torch.manual_seed(0)
    decoded = tokens.decode()
    torch.manual_seed(0)
    assert torch.equal(decoded, codec.decode(codes, scale, length=audio.shape[-1]))
    # a single-rate file read by a multi-rate codec (and the other way) is refused by its levels
    debug = load_codec("debug")
    debug_audio = synthetic_audio(1, 3200, debug.sample_rate)
    plain = codecreg.save_codes(tmp_path / "b.codes", debug.encode(debug_audio)[0], debug, 3200)
    assert codecreg.load_codes(plain).code_levels is None and codecreg.load_codes(plain).levels()[0].shape == (1, 4, 3)
    from codecreg.tokens.token_file import TokenFileError, check_codec_matches

    pretend = type("Pretend", (), {k: getattr(codec, k) for k in ("sample_rate", "channels", "cardinality",
                                                                  "frame_rate", "total_codebooks", "name")})()
    with pytest.raises(TokenFileError, match="code levels: file 2 levels .*, codec one frame rate"):
        check_codec_matches(tokens, pretend)


def test_a_token_file_with_broken_levels_is_refused(tmp_path):
    from safetensors.numpy import load_file, save_file
    from safetensors import safe_open

    codec = load_codec("tworate_8khz")
    path = codecreg.save_codes(tmp_path / "a.codes", codec.encode(synthetic_audio(1, 800, 8000))[0], codec, 800)
    with safe_open(str(path), framework="numpy") as reader:
        metadata = reader.metadata()
    tensors = load_file(str(path))
    metadata["code_levels"] = json.dumps({"frame_rates": [50.0, 150.0], "codebooks": [1, 2]})  # 7 rows, not 5
    save_file(tensors, str(path), metadata=metadata)
    with pytest.raises(codecreg.TokenFileError, match="code_levels .* does not describe codes"):
        codecreg.load_codes(path)


def test_tokenize_records_the_levels_and_rows_unpack_to_encode_levels(tmp_path):
    import soundfile

    audio = synthetic_audio(1, 8000 * 2 + 11, 8000)
    soundfile.write(tmp_path / "a.wav", audio[0, 0].numpy(), 8000, subtype="FLOAT")
    summary = codecreg.tokenize_dataset([tmp_path / "a.wav"], "tworate_8khz", tmp_path / "out", workers=1,
                                        show_progress=False)
    assert summary.failures == 0 and summary.inputs_done == 1
    dataset = codecreg.open_tokens(tmp_path / "out")
    levels = dataset.metadata.levels()
    assert levels == CodeLevels((50.0, 100.0), (1, 2))
    (row,) = list(dataset)
    assert row["codes"].shape == (5, 101) and row["num_frames"] == 101
    expected, _ = load_codec("tworate_8khz").encode_levels(audio)
    assert all(np.array_equal(got, want[0].numpy()) for got, want in zip(levels.unpack(row["codes"]), expected))
    # a dataset of a single-rate codec records none, and reads as before
    summary = codecreg.tokenize_dataset([tmp_path / "a.wav"], "debug", tmp_path / "plain", workers=1,
                                        show_progress=False)
    assert codecreg.open_tokens(tmp_path / "plain").metadata.levels() is None


def test_old_dataset_metadata_without_levels_still_reads():
    from codecreg.dataset.metadata import DatasetMetadata

    old = {"codec": "debug", "sample_rate": 32000, "channels": 1, "frame_rate": 25.0, "cardinality": 400,
           "num_codebooks": 4, "codes_type": "uint16", "shard_size": 10, "num_inputs": 1, "inputs_digest": "x",
           "codecreg_version": "0.1.0"}
    assert DatasetMetadata.from_json(json.dumps(old)).code_levels == ""


def test_compare_runs_a_multi_rate_codec_and_skips_counts_that_cut_a_level():
    audio = synthetic_audio(1, 8000, 8000)[0].numpy()
    table = codecreg.compare(["tworate_8khz"], [("clip", audio, 8000)], num_codebooks=[1, 3, 5], metrics=["si_sdr"],
                             show_progress=False)
    assert sorted(int(row["num_codebooks"]) for row in table.rows) == [1, 5]
    assert any("num_codebooks=3 skipped" in warning and "must end on a level" in warning for warning in table.warnings)
