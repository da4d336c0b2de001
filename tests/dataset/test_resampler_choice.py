"""The resampler a codec's input is brought to its rate with: the name option, ``encode``/``tokenize
--resampler``, what token files and shards record, and a resume with another resampler refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import soundfile
import torch

import codecreg
from codecreg import InvalidNameError, load_codes, tokenize_dataset
from codecreg.audio.reading.conversion import RESAMPLERS
from codecreg.dataset.metadata import DatasetMismatchError, read_metadata
from codecreg.registry.names import with_option
from codecreg.tokens.transcode import encode_file

from .conftest import rows_of, run_cli, write_audio

julius = pytest.importorskip("julius")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Two 44.1 kHz stereo files: the debug codec (32 kHz mono) resamples and mixes them."""
    made = tmp_path_factory.mktemp("rates")
    for index in range(2):
        write_audio(made / f"clip{index}.wav", 44100, 2, 1.1 + index, seed=index)
    return made


def audiocraft_codes(codec, path: Path) -> np.ndarray:
    """audiocraft's pipeline: its convert_audio (julius.resample_frac, then the mean to mono) and encode."""
    data, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
    wav = torch.from_numpy(np.ascontiguousarray(data.T))
    wav = julius.resample_frac(wav, int(rate), int(codec.sample_rate)).mean(dim=-2, keepdim=True)
    return codec.encode(wav[None])[0][0].numpy()


def test_the_name_option_sets_the_codec_resampler_and_stays_in_its_name():
    assert codecreg.load_codec("debug").resampler == "soxr"
    codec = codecreg.load_codec("debug?resampler=julius")
    assert codec.resampler == "julius" and codec.name == "debug?resampler=julius"
    assert codecreg.codec_info("debug?resampler=julius").name == "debug_compression_model"
    for bad in ("debug?resampler=sinc", "debug?resampler=JULIUS"):
        with pytest.raises(InvalidNameError, match="resampler must be soxr or julius"):
            codecreg.load_codec(bad)
        with pytest.raises(InvalidNameError, match="resampler must be soxr or julius"):
            codecreg.codec_info(bad)


def test_the_flag_and_the_option_agree_or_are_refused():
    assert with_option("debug", "resampler", "julius") == "debug?resampler=julius"
    assert with_option("debug?num_codebooks=2", "resampler", "julius") == "debug?num_codebooks=2,resampler=julius"
    assert with_option("debug?resampler=julius", "resampler", "julius") == "debug?resampler=julius"
    with pytest.raises(InvalidNameError, match="resampler=soxr and the command line says resampler=julius"):
        with_option("debug?resampler=soxr", "resampler", "julius")
    assert RESAMPLERS == ("soxr", "julius")  # names.with_resampler spells them out to stay light


class SampleCodes(codecreg.CompressionModel, torch.nn.Module):
    """One code per sample (16-bit PCM): codes that show every sample the codec was given."""

    name = "pcm16"

    def __init__(self, resampler: str):
        torch.nn.Module.__init__(self)
        self.set_metadata(sample_rate=32000, channels=1, frame_rate=32000.0, cardinality=65536, total_codebooks=1)
        self.resampler = resampler

    def encode(self, x):
        return torch.round((x.clamp(-1, 1) + 1) * 32767.5).long(), None

    def decode(self, codes, scale=None, length=None):
        return codes.float() / 32767.5 - 1

    def decode_latent(self, codes):
        return codes.float()


def test_encode_file_reads_with_the_codec_resampler_and_records_it(folder, tmp_path):
    path = folder / "clip1.wav"
    written = {name: load_codes(encode_file(path, SampleCodes(name), tmp_path / f"{name}.codes"))
               for name in RESAMPLERS}
    assert written["julius"].resampler == "julius" and written["soxr"].resampler == "soxr"
    np.testing.assert_array_equal(written["julius"].codes[0], audiocraft_codes(SampleCodes("julius"), path))
    assert not np.array_equal(written["soxr"].codes, written["julius"].codes)  # the choice reaches the codes


def test_a_dataset_item_is_read_with_the_codec_resampler(folder):
    from codecreg.dataset.encoding import read_item
    from codecreg.dataset.inputs import collect_items

    item = next(item for item in collect_items([folder])[0] if item.id == "clip0.wav")
    source = read_item(item, SampleCodes("julius"))
    data, rate = soundfile.read(str(folder / "clip0.wav"), dtype="float32", always_2d=True)
    expected = julius.resample_frac(torch.from_numpy(np.ascontiguousarray(data.T)), rate, 32000)
    np.testing.assert_array_equal(np.concatenate(list(source.blocks), axis=1),
                                  expected.mean(dim=-2, keepdim=True).numpy())


def test_debug_codes_of_the_julius_pipeline_are_audiocraft_codes(folder, tmp_path):
    path = folder / "clip1.wav"
    codec = codecreg.load_codec("debug?resampler=julius")
    written = load_codes(encode_file(path, codec, tmp_path / "j.codes"))
    assert written.resampler == "julius" and written.codec == "debug?resampler=julius"
    np.testing.assert_array_equal(written.codes[0], audiocraft_codes(codec, path))


def test_a_token_file_without_the_field_reads_as_soxr(folder, tmp_path):
    from safetensors.numpy import load_file, save_file
    from safetensors import safe_open

    made = encode_file(folder / "clip0.wav", codecreg.load_codec("debug"), tmp_path / "new.codes")
    with safe_open(str(made), framework="numpy") as reader:
        metadata = dict(reader.metadata())
    del metadata["resampler"]
    save_file(load_file(str(made)), str(tmp_path / "old.codes"), metadata=metadata)
    assert load_codes(tmp_path / "old.codes").resampler == "soxr"


def cli(*args: str) -> subprocess.CompletedProcess:
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [environment.get("PYTHONPATH"), *sys.path]))
    return subprocess.run([sys.executable, "-m", "codecreg.cli.main", *args], env=environment,
                          capture_output=True, text=True, timeout=300)


def test_encode_resampler_flag(folder, tmp_path):
    done = cli("encode", str(folder / "clip0.wav"), "--codec", "debug", "--resampler", "julius", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    tokens = load_codes(tmp_path / "clip0.codes")
    assert tokens.resampler == "julius" and tokens.codec == "debug?resampler=julius"
    clash = cli("encode", str(folder / "clip0.wav"), "--codec", "debug?resampler=soxr", "--resampler", "julius",
                "-o", str(tmp_path / "other"))
    assert clash.returncode == 2 and "give one of them" in clash.stderr
    assert not (tmp_path / "other").exists()


def test_tokenize_records_the_resampler_and_a_resume_with_another_is_refused(folder, tmp_path):
    out = tmp_path / "julius-set"
    summary = tokenize_dataset([folder], "debug", out, workers=1, shard_size=1, show_progress=False,
                               resampler="julius")
    assert summary.failures == 0
    metadata = read_metadata(out)
    assert metadata.resampler == "julius" and metadata.codec == "debug?resampler=julius"
    shard = json.loads(pq.read_schema(sorted(out.glob("shard-*"))[0]).metadata[b"codecreg"])
    assert shard["resampler"] == "julius"
    codec = codecreg.load_codec("debug")
    rows = {row["id"]: row for row in rows_of(out)}
    for index in range(2):
        assert rows[f"clip{index}.wav"]["codes"] == audiocraft_codes(codec, folder / f"clip{index}.wav").tolist()

    before = {path.name: path.read_bytes() for path in out.glob("shard-*")}
    refused = run_cli(str(folder), "--codec", "debug", "--out", str(out), "--workers", "1", "--shard-size", "1")
    assert refused.returncode == 2
    assert "resampled with julius" in refused.stderr and "--resampler julius" in refused.stderr
    with pytest.raises(DatasetMismatchError, match="resampler: 'julius' there, 'soxr' now"):
        tokenize_dataset([folder], "debug?resampler=soxr", out, workers=1, shard_size=1, show_progress=False)
    assert {path.name: path.read_bytes() for path in out.glob("shard-*")} == before
    again = run_cli(str(folder), "--codec", "debug", "--resampler", "julius", "--out", str(out),
                    "--shard-size", "1")
    assert again.returncode == 0, again.stderr


def test_an_older_dataset_without_the_field_is_a_soxr_dataset(folder, tmp_path):
    out = tmp_path / "old"
    tokenize_dataset([folder], "debug", out, workers=1, show_progress=False)
    description = out / "_codecreg.json"
    data = json.loads(description.read_text())
    del data["resampler"]
    description.write_text(json.dumps(data))
    assert read_metadata(out).resampler == "soxr"
    with pytest.raises(DatasetMismatchError, match="resampled with soxr"):
        tokenize_dataset([folder], "debug", out, workers=1, show_progress=False, resampler="julius")
