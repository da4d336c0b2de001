"""`codecreg encode` / `decode` as a batch user and a receiver of someone else's token files meet them:
reruns, options checked before work, non-finite audio, impossible lengths, and token files that name paths."""

import os

import numpy as np
import pytest
import soundfile
import torch

import codecreg
from codecreg.cli.main import main

from .conftest import write_clip
from .test_tokens import metadata_of, rewrite


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    write_clip(folder / "a.wav", 1, 0.4, 32000, seed=1)
    write_clip(folder / "b.wav", 1, 0.3, 32000, seed=2)
    return folder


def stamps(folder):
    return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in sorted(folder.rglob("*.*"))}


@pytest.mark.parametrize("command", ["encode", "decode"])
def test_a_rerun_refuses_existing_outputs_skips_them_or_replaces_them(tmp_path, inputs, capsys, command):
    codes = tmp_path / "codes"
    assert main(["encode", str(inputs), "--codec", "debug", "-o", str(codes)]) == 0
    source, out, extra = (inputs, codes, ["--codec", "debug"]) if command == "encode" else (codes, tmp_path / "wav", [])
    if command == "decode":
        assert main(["decode", str(codes), "-o", str(out)]) == 0
    before = stamps(out)
    capsys.readouterr()

    assert main([command, str(source), "-o", str(out), *extra]) == 2
    assert "2 output(s) already exist" in capsys.readouterr().err and stamps(out) == before

    # nothing left to do, so not even the codec is built: a name that cannot build proves it
    unbuildable = ["--codec", "debug?channels=0"]
    assert main([command, str(source), "-o", str(out), *unbuildable, "--skip-existing"]) == 0
    captured = capsys.readouterr()
    assert "0 of 2 file(s), 2 kept as they were" in captured.out and stamps(out) == before

    os.remove(next(out.rglob("a.*")))
    assert main([command, str(source), "-o", str(out), *extra, "--skip-existing"]) == 0
    after = stamps(out)
    assert after[next(name for name in after if name.startswith("b."))] == before[
        next(name for name in before if name.startswith("b."))]
    assert any(name.startswith("a.") for name in after)

    assert main([command, str(source), "-o", str(out), *extra, "--overwrite"]) == 0
    replaced = stamps(out)
    assert all(replaced[name][0] != after[name][0] for name in after), "--overwrite must write every output anew"


def test_encode_refuses_non_finite_audio_naming_the_file(tmp_path, inputs, capsys):
    bad = inputs / "nan.wav"
    samples = np.zeros(3200, dtype=np.float32)
    samples[100] = np.nan
    soundfile.write(bad, samples, 32000, subtype="FLOAT")
    out = tmp_path / "codes"
    assert main(["encode", str(inputs), "--codec", "debug", "-o", str(out)]) == 1
    assert f"failed  {bad}: CodecregError: {bad} holds NaN or infinite samples" in capsys.readouterr().err
    assert sorted(path.name for path in out.iterdir()) == ["a.codes", "b.codes"]


@pytest.mark.parametrize("option", [["--format", "aac"], ["--strategy", "bogus"], ["--format", "mp3",
                                    "--sample-format", "s24"], ["--mp3-rate", "0"]])
def test_decode_options_are_checked_before_any_work(tmp_path, inputs, capsys, option):
    codes = tmp_path / "codes"
    assert main(["encode", str(inputs), "--codec", "debug", "-o", str(codes)]) == 0
    capsys.readouterr()
    out = tmp_path / "wav"
    assert main(["decode", str(codes), "-o", str(out), *option]) == 2
    err = capsys.readouterr().err
    assert err.startswith("codecreg: error:") and "failed" not in err
    assert not out.exists()


@pytest.mark.parametrize("channels", ["0", "-1", "abc", "1.5"])
def test_the_debug_codecs_channels_option_is_checked(channels):
    with pytest.raises(codecreg.InvalidNameError, match=f"channels must be a whole number from 1 up.*{channels!r}"):
        codecreg.load_codec(f"debug?channels={channels}")


def test_save_codes_refuses_a_length_the_codes_cannot_hold(tmp_path, debug_codec):
    codes, _ = debug_codec.encode(torch.zeros(1, 1, 3200))  # 3 frames of 1280 samples
    assert codecreg.load_codes(codecreg.save_codes(tmp_path / "ok.codes", codes, debug_codec, 3840)).length == 3840
    for length in (0, 3841, 99_999_999):
        with pytest.raises(ValueError, match="length"):
            codecreg.save_codes(tmp_path / "bad.codes", codes, debug_codec, length)
    assert not (tmp_path / "bad.codes").exists()


def test_a_token_file_claiming_an_impossible_length_does_not_decode(tmp_path, debug_codec):
    codes, _ = debug_codec.encode(torch.zeros(1, 1, 3200))
    path = codecreg.save_codes(tmp_path / "ok.codes", codes, debug_codec, 3200)
    tampered = rewrite(path, tmp_path / "long.codes", metadata_of(path)[1], length="99999999")
    with pytest.raises(ValueError, match="length=99999999 asks for more samples than the codes cover"):
        codecreg.load_codes(tampered).decode()


@pytest.mark.parametrize("named", ["/models/evil/checkpoint.pth", "./here.th", "hf:someone/codec@main"])
def test_a_path_or_source_a_token_file_names_is_not_loaded_unless_trusted(tmp_path, debug_codec, capsys, named):
    codes, _ = debug_codec.encode(torch.zeros(1, 1, 3200))
    path = codecreg.save_codes(tmp_path / "ok.codes", codes, debug_codec, 3200)
    folder = tmp_path / "received"
    folder.mkdir()
    rewrite(path, folder / "x.codes", metadata_of(path)[1], codec=named)

    with pytest.raises(codecreg.TokenFileError, match="does not load paths or sources it names.*--trust-codec-source"):
        codecreg.load_codes(folder / "x.codes").decode()
    assert main(["decode", str(folder), "-o", str(tmp_path / "a")]) == 1
    assert "--codec NAME" in capsys.readouterr().err

    # the user's own choice of codec decodes it, checked against the file's geometry
    assert main(["decode", str(folder), "-o", str(tmp_path / "b"), "--codec", "debug"]) == 0
    wav, rate = codecreg.audio_read(tmp_path / "b" / "x.wav")
    assert rate == 32000 and wav.shape == (1, 3200)

    # trusted, the name is loaded as any name would be (here it does not exist: a different error)
    with pytest.raises(codecreg.CodecregError) as trusted:
        codecreg.load_codes(folder / "x.codes").decode(trust_codec_source=True)
    assert "trust" not in str(trusted.value)
