"""`codecreg encode` and `codecreg decode`: folders, conversion to the codec's format, and failures per file."""

import numpy as np
import pytest
import torch

import codecreg
from codecreg.cli.main import main

from .conftest import write_clip


@pytest.fixture
def folder(tmp_path):
    """Two good clips (one needing conversion to 32 kHz mono), one broken wav, one text file."""
    folder = tmp_path / "in"
    write_clip(folder / "a.wav", 1, 0.7, 32000, seed=1)
    write_clip(folder / "sub" / "b.wav", 2, 0.5, 44100, seed=2)
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    (folder / "notes.txt").write_text("not audio")
    return folder


def test_encode_a_folder_reports_the_bad_file_and_finishes_the_rest(tmp_path, folder, capsys):
    out = tmp_path / "codes"
    status = main(["encode", str(folder), "--codec", "debug?num_codebooks=2", "-o", str(out)])
    captured = capsys.readouterr()
    assert status == 1
    assert f"failed  {folder / 'broken.wav'}" in captured.err
    assert f"skipped {folder / 'notes.txt'}" in captured.err
    assert "encoded 2 of 3 file(s); 1 failed" in captured.out
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["a.codes", "sub", "sub/b.codes"]

    tokens = codecreg.load_codes(out / "sub" / "b.codes")
    assert (tokens.codec, tokens.num_codebooks, tokens.sample_rate, tokens.channels) == (
        "debug?num_codebooks=2", 2, 32000, 1)
    assert tokens.length == round(0.5 * 32000)  # converted from 44.1 kHz stereo


def test_encoded_codes_are_the_codecs_codes_of_the_converted_audio(tmp_path, folder):
    assert main(["encode", str(folder / "sub" / "b.wav"), "--codec", "debug", "-o", str(tmp_path)]) == 0
    wav, rate = codecreg.audio_read(folder / "sub" / "b.wav")
    converted = codecreg.convert_audio(wav, rate, 32000, 1)
    codes, _ = codecreg.load_codec("debug").encode(torch.from_numpy(converted)[None])
    assert np.array_equal(codecreg.load_codes(tmp_path / "b.codes").codes, codes.numpy())


def test_decode_writes_audio_of_the_original_length(tmp_path, folder, capsys):
    codes = tmp_path / "codes"
    main(["encode", str(folder), "--codec", "debug", "-o", str(codes)])
    (codes / "corrupt.codes").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{}")
    out = tmp_path / "decoded"
    status = main(["decode", str(codes), "-o", str(out), "--strategy", "clip"])
    captured = capsys.readouterr()
    assert status == 1 and f"failed  {codes / 'corrupt.codes'}: TokenFileError" in captured.err
    assert "decoded 2 of 3 file(s)" in captured.out

    for name, seconds in (("a", 0.7), ("sub/b", 0.5)):
        wav, rate = codecreg.audio_read(out / f"{name}.wav")
        assert rate == 32000 and wav.shape == (1, round(seconds * 32000))
        expected = codecreg.load_codes(codes / f"{name}.codes").decode()[0].numpy()
        limit = 10 ** (-1 / 20)  # 'clip' keeps the level and clips at audio_write's 1 dB headroom
        np.testing.assert_allclose(wav, np.clip(expected, -limit, limit), atol=1.5 / 32768)  # 16-bit wav


def test_decode_to_mp3_with_loudness_normalization(tmp_path, folder):
    main(["encode", str(folder / "a.wav"), "--codec", "debug", "-o", str(tmp_path)])
    status = main(["decode", str(tmp_path / "a.codes"), "-o", str(tmp_path / "mp3"), "--format", "mp3",
                   "--strategy", "loudness", "--mp3-rate", "128"])
    assert status == 0
    wav, rate = codecreg.audio_read(tmp_path / "mp3" / "a.mp3")
    assert rate == 32000 and abs(wav.shape[-1] - round(0.7 * 32000)) < 2000  # mp3 adds encoder padding


def test_missing_input_is_an_error_not_a_traceback(tmp_path, capsys):
    assert main(["encode", str(tmp_path / "absent.wav"), "--codec", "debug", "-o", str(tmp_path)]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_unknown_codec_fails_before_any_file(tmp_path, folder, capsys):
    assert main(["encode", str(folder), "--codec", "debugg", "-o", str(tmp_path / "x")]) == 2
    assert "Did you mean 'debug'" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_inputs_that_would_overwrite_each_other_are_refused_before_any_work(tmp_path, capsys):
    first = write_clip(tmp_path / "a" / "x.wav", 1, 0.2, 32000)
    second = write_clip(tmp_path / "b" / "x.wav", 1, 0.2, 32000)
    assert main(["encode", str(first), str(second), "--codec", "debug", "-o", str(tmp_path / "out")]) == 2
    assert "would both be written to" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
