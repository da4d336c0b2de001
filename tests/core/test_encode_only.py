"""Encode-only tokenizers (codecreg.codec.encode_only): encode and tokenize work; decode, TokenFile.decode,
`codecreg decode` and compare refuse with NoDecoderError before any work."""

import numpy as np
import pytest
import soundfile

import codecreg
from codecreg import NoDecoderError, load_codec
from codecreg.cli.main import main
from codecreg.testing import CompressionModelContract, synthetic_audio
from support import odd_codecs
from support.odd_codecs import odd_plugin  # noqa: F401 (a fixture)

NAME = "meantokens_8khz"


pytestmark = pytest.mark.usefixtures("odd_plugin")


@pytest.fixture
def builds(monkeypatch):
    """How many times the tokenizer is built: a refusal before any work builds it never."""
    count = []
    original = odd_codecs.build_mean_tokenizer
    monkeypatch.setattr(odd_codecs, "build_mean_tokenizer", lambda device="cpu": count.append(1) or original(device))
    return count


@pytest.fixture
def token_file(tmp_path):
    codec = load_codec(NAME)
    audio = synthetic_audio(1, 8000, 8000)
    return codecreg.save_codes(tmp_path / "a.codes", codec.encode(audio)[0], codec, 8000)


class TestMeanTokenizer(CompressionModelContract):
    codec_name = NAME
    seeded_weights = "small"


def test_the_spec_and_the_model_say_there_is_no_decoder():
    assert codecreg.codec_info(NAME).has_decoder is False and codecreg.codec_info("debug").has_decoder is True
    codec = load_codec(NAME)
    assert codec.has_decoder is False and isinstance(codec, codecreg.EncodeOnlyModel)
    codes, _ = codec.encode(synthetic_audio(1, 1600, 8000))
    for call in (lambda: codec.decode(codes), lambda: codec.decode_latent(codes),
                 lambda: list(codec.decode_stream([codes]))):
        with pytest.raises(NoDecoderError, match=rf"'{NAME}' is an encode-only tokenizer: it has no decoder"):
            call()


def test_info_says_so_and_other_codecs_do_not(capsys):
    assert main(["info", NAME]) == 0
    assert "has_decoder: False" in capsys.readouterr().out
    assert main(["info", "debug"]) == 0
    assert "has_decoder" not in capsys.readouterr().out


def test_a_token_file_is_written_and_read_but_not_decoded(token_file, builds):
    tokens = codecreg.load_codes(token_file)
    assert tokens.codec == NAME and tokens.codes.shape == (1, 1, 50)
    with pytest.raises(NoDecoderError, match="cannot decode these tokens"):
        tokens.decode()
    assert builds == []  # refused by the spec, before the tokenizer was built


def test_codecreg_decode_refuses_before_any_work(token_file, tmp_path, capsys, builds):
    out = tmp_path / "out"
    assert main(["decode", str(token_file), "-o", str(out)]) == 1  # the file's codec: that file fails
    assert "NoDecoderError: codec 'meantokens_8khz' is an encode-only tokenizer" in capsys.readouterr().err
    assert not list(out.glob("*"))
    assert main(["decode", str(token_file), "-o", str(out), "--codec", NAME]) == 2  # named: nothing is done
    assert "encode-only tokenizer" in capsys.readouterr().err
    assert builds == [] and not list(out.glob("*"))


def test_compare_refuses_before_reading_any_input(tmp_path, builds):
    with pytest.raises(NoDecoderError, match="cannot be compared"):
        codecreg.compare(["debug", NAME], [str(tmp_path / "no-such-file.wav")], show_progress=False)
    assert builds == []


def test_codecreg_encode_and_tokenize_work(tmp_path, capsys):
    audio = synthetic_audio(1, 8000 + 100, 8000)
    soundfile.write(tmp_path / "a.wav", audio[0, 0].numpy(), 8000, subtype="FLOAT")
    assert main(["encode", str(tmp_path / "a.wav"), "--codec", NAME, "-o", str(tmp_path / "codes")]) == 0
    tokens = codecreg.load_codes(tmp_path / "codes" / "a.codes")
    expected = load_codec(NAME).encode(audio)[0].numpy()
    assert np.array_equal(tokens.codes, expected) and len(np.unique(expected)) > 1
    summary = codecreg.tokenize_dataset([tmp_path / "a.wav"], NAME, tmp_path / "dataset", workers=1,
                                        show_progress=False)
    assert summary.failures == 0 and summary.inputs_done == 1
    (row,) = list(codecreg.open_tokens(tmp_path / "dataset"))
    assert np.array_equal(row["codes"], expected[0])
