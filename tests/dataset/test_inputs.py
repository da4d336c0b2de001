"""Inputs beyond a folder: manifests with segments (JSONL and CSV), Parquet in Hugging Face datasets'
audio layout, globs; and the checks made before any work."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import soundfile

from codecreg import tokenize_dataset
from codecreg.files.inputs import InputError
from codecreg.dataset.inputs import collect_items

from .conftest import MIXED, reference_codes, rows_of


def test_manifest_segments_equal_codec_encode_of_each_segment(mixed_folder, debug_codec, tmp_path):
    manifest = tmp_path / "segments.jsonl"
    rows = [{"path": str(mixed_folder / "part2/long.wav"), "id": "long-head", "start": 0, "end": 1.25},
            {"path": str(mixed_folder / "part2/long.wav"), "id": "long-tail", "start": 1.25},
            {"path": str(mixed_folder / "a.wav")}]
    manifest.write_text("\n".join(map(json.dumps, rows)) + "\n")
    tokenize_dataset([manifest], "debug", tmp_path / "out", workers=1, show_progress=False)
    got = {row["id"]: np.array(row["codes"]) for row in rows_of(tmp_path / "out")}
    assert list(got) == ["long-head", "long-tail", str(mixed_folder / "a.wav")]
    assert np.array_equal(got["long-head"], reference_codes(debug_codec, mixed_folder / "part2/long.wav", 0, 1.25))
    assert np.array_equal(got["long-tail"], reference_codes(debug_codec, mixed_folder / "part2/long.wav", 1.25))
    assert got["long-head"].shape[1] == 32 and got["long-tail"].shape[1] == 49  # ceil(25 Hz x 1.25 s, x 1.95 s)
    assert not np.array_equal(got["long-head"][:, :20], got["long-tail"][:, :20])


def test_csv_manifest_paths_are_relative_to_the_manifest(mixed_folder, tmp_path):
    manifest = mixed_folder / "list.csv"
    manifest.write_text("path,start,end\npart1/clip001.wav,0.5,1.5\nb.flac,,\n")
    try:
        items, _ = collect_items([manifest])
    finally:
        manifest.unlink()
    assert [(item.id, item.start, item.end) for item in items] == [
        ("part1/clip001.wav@0.5-1.5", 0.5, 1.5), ("b.flac", None, None)]


@pytest.mark.parametrize("line, message", [
    ('{"id": "x"}', "has no 'path'"),
    ('{"path": "missing.wav"}', "no such file"),
    ('{"path": "a.wav", "start": 2, "end": 1}', "must be after start"),
    ('{"path": "a.wav", "start": "soon"}', "start must be a number of seconds"),
    ('not json', "is not JSON"),
])
def test_bad_manifest_rows_are_refused_up_front(mixed_folder, tmp_path, line, message):
    manifest = tmp_path / "bad.jsonl"
    manifest.write_text(f'{{"path": "{mixed_folder / "a.wav"}"}}\n' + line.replace('"a.wav"', f'"{mixed_folder / "a.wav"}"'))
    with pytest.raises(InputError, match=message):
        tokenize_dataset([manifest], "debug", tmp_path / "out", workers=1, show_progress=False)
    assert not (tmp_path / "out").exists(), "nothing may be written for refused inputs"


def test_parquet_in_datasets_audio_layout_tokenizes_without_unpacking(mixed_folder, debug_codec, tmp_path):
    datasets = pytest.importorskip("datasets")
    names = [name for name, *_ in MIXED if not name.endswith(".ogg")]
    table = datasets.Dataset.from_dict({"audio": [{"bytes": (mixed_folder / name).read_bytes(), "path": name}
                                                  for name in names], "text": names})
    table = table.cast_column("audio", datasets.Audio(decode=False))
    table.to_parquet(str(tmp_path / "hub-export.parquet"))
    tokenize_dataset([tmp_path / "hub-export.parquet"], "debug", tmp_path / "out", workers=2, shard_size=2,
                     show_progress=False)
    rows = rows_of(tmp_path / "out")
    assert [row["id"] for row in rows] == names
    for row in rows:
        assert np.array_equal(np.array(row["codes"]), reference_codes(debug_codec, mixed_folder / row["id"]))


def test_parquet_without_an_audio_column_is_refused(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": ["hello"]}), tmp_path / "text.parquet")
    with pytest.raises(InputError, match="no audio column in Hugging Face datasets' layout"):
        collect_items([tmp_path / "text.parquet"])


def test_a_glob_gives_ids_relative_to_its_folder(mixed_folder):
    items, _ = collect_items([f"{mixed_folder}/part1/**/*.wav"])
    assert [item.id for item in items] == ["clip001.wav", "deeper/clip003.wav"]
    with pytest.raises(InputError, match="no audio files match"):
        collect_items([f"{mixed_folder}/nothing/*.wav"])


def test_duplicate_ids_are_refused(mixed_folder):
    with pytest.raises(InputError, match="two inputs have the id 'a.wav'"):
        collect_items([mixed_folder / "a.wav", mixed_folder / "a.wav"])


def test_audio_bytes_that_do_not_decode_are_recorded(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    good = io.BytesIO()
    soundfile.write(good, np.zeros((3200, 1), np.float32) + 0.1, 32000, format="WAV")
    audio = pa.array([{"bytes": good.getvalue(), "path": "ok.wav"}, {"bytes": b"junk", "path": "bad.wav"}])
    pq.write_table(pa.table({"audio": audio}), tmp_path / "in.parquet")
    summary = tokenize_dataset([tmp_path / "in.parquet"], "debug", tmp_path / "out", workers=1,
                               show_progress=False)
    assert summary.failures == 1 and [row["id"] for row in rows_of(tmp_path / "out")] == ["ok.wav"]
    assert "cannot read the audio bytes of" in (tmp_path / "out" / "_errors.csv").read_text()
