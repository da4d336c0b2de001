"""The token file: round trip, interoperability with plain safetensors, and clear errors for bad files."""

import pickle
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.numpy import save_file

import codecreg
from codecreg.tokens.token_file import FORMAT_VERSION, TokenFile, TokenFileError, load_codes, save_codes

from .conftest import clip

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def encode(codec, seconds=1.1, channels=1):
    audio = torch.from_numpy(clip(channels, seconds, codec.sample_rate))[None]
    codes, scale = codec.encode(audio)
    return audio, codes, scale


@pytest.fixture(scope="module")
def token_file(tmp_path_factory, debug_codec) -> Path:
    audio, codes, scale = encode(debug_codec)
    return save_codes(tmp_path_factory.mktemp("tokens") / "clip.codes", codes, debug_codec, audio.shape[-1], scale)


def metadata_of(path):
    with safe_open(str(path), framework="numpy") as reader:
        return reader.metadata(), {key: reader.get_tensor(key) for key in reader.keys()}


def rewrite(source, path, tensors, **changes):
    """``source``'s metadata with ``changes`` (None removes a key) and ``tensors``, saved as ``path``."""
    metadata, _ = metadata_of(source)
    metadata.update(changes)
    save_file(tensors, str(path), metadata={k: v for k, v in metadata.items() if v is not None})
    return path


# round trip ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["debug", "debug?num_codebooks=2", "debug?channels=2"])
def test_round_trip_decodes_like_the_codec_to_the_original_length(tmp_path, name):
    codec = codecreg.load_codec(name)
    audio, codes, scale = encode(codec, channels=codec.channels)
    path = save_codes(tmp_path / "x.codes", codes, codec, audio.shape[-1], scale)

    tokens = load_codes(path)
    assert np.array_equal(tokens.codes, codes.numpy()) and tokens.codes.dtype == np.int64
    assert (tokens.codec, tokens.sample_rate, tokens.channels, tokens.frame_rate, tokens.cardinality,
            tokens.num_codebooks, tokens.length) == (name, 32000, codec.channels, 25.0, 400,
                                                     codec.num_codebooks, audio.shape[-1])
    assert (tokens.codecreg_version, tokens.format_version) == (codecreg.__version__, FORMAT_VERSION)
    decoded = tokens.decode()  # reloads the codec by its stored name
    assert decoded.shape == audio.shape
    assert torch.equal(decoded, codec.decode(codes, scale, length=audio.shape[-1]))


def test_file_is_plain_safetensors_with_compact_codes(token_file):
    metadata, tensors = metadata_of(token_file)
    assert metadata["format"] == "codecreg.codes" and metadata["codec"] == "debug"
    assert set(tensors) == {"codes"} and tensors["codes"].dtype == np.uint16  # 400 entries fit in 16 bits
    assert token_file.stat().st_size < 8 + 600 + tensors["codes"].size * 2


def test_scale_is_stored_and_given_back(tmp_path, debug_codec):
    audio, codes, _ = encode(debug_codec)
    scale = torch.tensor([[0.25]])
    tokens = load_codes(save_codes(tmp_path / "s.codes", codes, debug_codec, audio.shape[-1], scale))
    assert tokens.scale is not None and tokens.scale.dtype == np.float32 and tokens.scale.tolist() == [[0.25]]


def test_save_refuses_codes_the_codec_cannot_have_made(tmp_path, debug_codec):
    with pytest.raises(ValueError, match=r"\[0, 400\)"):
        save_codes(tmp_path / "x.codes", torch.full((1, 4, 3), 400), debug_codec, 100)
    with pytest.raises(ValueError, match="integer codes"):
        save_codes(tmp_path / "x.codes", torch.zeros(1, 4, 3), debug_codec, 100)
    with pytest.raises(ValueError, match="batch, codebooks, frames"):
        save_codes(tmp_path / "x.codes", torch.zeros(4, 3, dtype=torch.long), debug_codec, 100)
    assert not (tmp_path / "x.codes").exists()


# clear errors ----------------------------------------------------------------
@pytest.mark.parametrize("keep", [0, 5, 8, 60, -1])
def test_truncated_file_is_refused(tmp_path, token_file, keep):
    data = token_file.read_bytes()
    path = tmp_path / "cut.codes"
    path.write_bytes(data[:keep] if keep >= 0 else data[:-1])
    with pytest.raises(TokenFileError, match="truncated"):
        load_codes(path)


def test_wrong_header_is_refused(tmp_path, token_file):
    path = tmp_path / "bad.codes"
    path.write_bytes(struct.pack("<Q", 40) + b"this is not the JSON header of anything" + token_file.read_bytes())
    with pytest.raises(TokenFileError, match="corrupted"):
        load_codes(path)


def test_other_safetensors_file_is_not_a_token_file(tmp_path):
    path = tmp_path / "weights.codes"
    save_file({"weight": np.zeros((2, 2), np.float32)}, str(path))
    with pytest.raises(TokenFileError, match="not a codecreg token file"):
        load_codes(path)


def test_wrong_dtype_is_refused(tmp_path, token_file):
    _, tensors = metadata_of(token_file)
    path = rewrite(token_file, tmp_path / "float.codes", {"codes": tensors["codes"].astype(np.float32)})
    with pytest.raises(TokenFileError, match="dtype float32"):
        load_codes(path)


@pytest.mark.parametrize("changes, message", [
    ({"num_codebooks": "3"}, "shape"),
    ({"cardinality": "10"}, r"outside \[0, 10\)"),
    ({"sample_rate": "fast"}, "sample_rate"),
    ({"frame_rate": "nan"}, "frame_rate"),
    ({"length": None}, "length"),
    ({"codec": ""}, "codec name"),
    ({"format_version": str(FORMAT_VERSION + 1)}, "upgrade codecreg"),
])
def test_corrupted_metadata_is_refused(tmp_path, token_file, changes, message):
    _, tensors = metadata_of(token_file)
    path = rewrite(token_file, tmp_path / "meta.codes", tensors, **changes)
    with pytest.raises(TokenFileError, match=message):
        load_codes(path)


def test_unknown_codec_is_named_on_decode(tmp_path, token_file):
    _, tensors = metadata_of(token_file)
    tokens = load_codes(rewrite(token_file, tmp_path / "other.codes", tensors, codec="debugg"))
    with pytest.raises(TokenFileError, match="'debugg', which no installed plugin provides.*Did you mean 'debug'"):
        tokens.decode()


def test_codec_with_another_geometry_is_refused(tmp_path, token_file):
    _, tensors = metadata_of(token_file)
    tokens = load_codes(rewrite(token_file, tmp_path / "rate.codes", tensors, sample_rate="24000"))
    with pytest.raises(TokenFileError, match="sample_rate: file 24000, codec 32000"):
        tokens.decode()


def test_missing_file_is_named(tmp_path):
    with pytest.raises(TokenFileError, match="no such token file"):
        load_codes(tmp_path / "absent.codes")


class _Marker:
    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_pickle_is_refused_without_running_it(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.codes"
    path.write_bytes(pickle.dumps(_Marker(str(marker))))
    with pytest.raises(TokenFileError, match="not a readable token file"):
        load_codes(path)
    assert not marker.exists()


# fuzzing ---------------------------------------------------------------------
def load_or_clear_error(path: Path) -> TokenFile | None:
    """Loading may succeed (a change inside the codes) or raise TokenFileError; anything else is a bug."""
    try:
        tokens = load_codes(path)
    except TokenFileError as error:
        assert str(error)
        return None
    assert tokens.codes.ndim == 3 and tokens.codes.shape[1] == tokens.num_codebooks
    assert tokens.codes.min() >= 0 and tokens.codes.max() < tokens.cardinality
    return tokens


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "fuzz.codes"
    path.write_bytes(data)
    assert load_or_clear_error(path) is None


@FUZZ
@given(keep=st.one_of(st.none(), st.integers(min_value=0)),
       edits=st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), max_size=4))
def test_fuzz_damaged_token_file(tmp_path, token_file, keep, edits):
    data = bytearray(token_file.read_bytes())
    for position, value in edits:
        data[position % len(data)] = value
    if keep is not None:
        data = data[: keep % len(data)]
    path = tmp_path / "damaged.codes"
    path.write_bytes(bytes(data))
    load_or_clear_error(path)


@settings(FUZZ, max_examples=60)
@given(header=st.dictionaries(st.sampled_from(["format", "format_version", "codec", "sample_rate", "channels",
                                               "frame_rate", "cardinality", "num_codebooks", "length"]),
                              st.text(max_size=12)))
def test_fuzz_metadata_values(tmp_path, token_file, header):
    _, tensors = metadata_of(token_file)
    load_or_clear_error(rewrite(token_file, tmp_path / "meta.codes", tensors, **header))
