"""What a plugin author writes to test S3Tokenizer: the contract kit (its decoding checks skip for an
encode-only tokenizer and the refusal is checked instead), and parity with the package's own tokens
from the same ONNX file through ``s3tokenizer.load_model``.

The seeded weights are the published architecture (the package loads no other from an ONNX file).
"""

import pytest
import torch
import s3tokenizer

from codecreg import NoDecoderError, load_codes, save_codes
from codecreg.testing import CompressionModelContract, checkpoint_folder, load_test_codec, synthetic_audio

SIZE = "real"
MODELS = {"s3tokenizer_v1": "speech_tokenizer_v1", "s3tokenizer_v1_25hz": "speech_tokenizer_v1_25hz"}


class TestS3TokenizerV1(CompressionModelContract):
    codec_name = "s3tokenizer_v1"
    seeded_weights = SIZE


class TestS3TokenizerV1At25Hz(CompressionModelContract):
    codec_name = "s3tokenizer_v1_25hz"
    seeded_weights = SIZE


@pytest.fixture(scope="module", params=sorted(MODELS))
def pair(request):
    name = request.param
    folder = checkpoint_folder(name, SIZE)
    # the package's own loader, as its README shows: load_model(path) for a local file. It picks the
    # stride by the name it is given, so the 25 Hz model must be loaded from a file named as published.
    reference = s3tokenizer.load_model(str(folder / f"{MODELS[name]}.onnx"))
    if name.endswith("25hz"):
        reference = s3tokenizer.S3Tokenizer(MODELS[name], reference.config)
        reference.init_from_onnx(str(folder / f"{MODELS[name]}.onnx"))
    return name, load_test_codec(name, SIZE), reference.eval()


def test_tokens_are_the_package_s_own(pair):
    name, codec, reference = pair
    audio = synthetic_audio(2, int(3.3 * 16000), 16000, seed=4)[0]  # two clips as a batch of mono items
    clips = [audio[0], audio[1, : 16000 * 2 + 77]]
    mels = [s3tokenizer.log_mel_spectrogram(clip) for clip in clips]
    batch, lengths = s3tokenizer.padding(mels)
    expected, counts = reference.quantize(batch, lengths)  # the package's batched call, its README's way
    for index, clip in enumerate(clips):
        codes, _ = codec.encode(clip[None, None])
        theirs = expected[index, : int(counts[index])]
        assert torch.equal(codes[0, 0], theirs), f"{name}: {int((codes[0, 0] != theirs).sum())} tokens differ"
        assert len(torch.unique(theirs)) > 1  # seeded codebook: not one token for every frame
        assert codes.shape[-1] == codec.frames_for(clip.shape[-1])


def test_tokens_are_written_to_a_token_file_but_never_decoded(pair, tmp_path):
    name, codec, _ = pair
    audio = synthetic_audio(1, 16000, 16000)
    codes, _ = codec.encode(audio)
    tokens = load_codes(save_codes(tmp_path / "a.codes", codes, codec, audio.shape[-1]))
    assert torch.equal(torch.from_numpy(tokens.codes), codes)
    with pytest.raises(NoDecoderError, match="encode-only tokenizer"):
        tokens.decode(codec)
