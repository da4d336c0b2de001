"""Reading the shards back: open_tokens (rows, metadata, torch view), pyarrow.dataset, polars and
datasets.load_dataset as they are; and the example that shows it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from codecreg import CodecregError, open_tokens, tokenize_dataset

from .conftest import ROOT, rows_of


@pytest.fixture(scope="module")
def tokens_folder(mixed_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("tokens")
    tokenize_dataset([mixed_folder / "part1", mixed_folder / "a.wav"], "debug", out, workers=1, shard_size=2,
                     show_progress=False)
    return out


def test_metadata_beside_the_shards_and_in_their_schema(tokens_folder):
    beside = json.loads((tokens_folder / "_codecreg.json").read_text())
    assert beside["codec"] == "debug" and beside["frame_rate"] == 25.0 and beside["cardinality"] == 400
    assert beside["num_codebooks"] == 4 and beside["codes_type"] == "uint16" and beside["codecreg_version"]
    for shard in tokens_folder.glob("shard-*.parquet"):
        schema = pq.read_schema(shard)
        assert json.loads(schema.metadata[b"codecreg"]) == beside
        assert schema.field("codes").type.value_type.value_type == pa.uint16()  # K lists of T' codes


def test_open_tokens_rows_and_torch_view(tokens_folder):
    import torch

    tokens = open_tokens(tokens_folder)
    rows = list(tokens)
    assert len(tokens) == len(rows) == 4
    assert [row["id"] for row in rows] == ["clip001.wav", "clip002.ogg", "deeper/clip003.wav", "a.wav"]
    tensors = list(torch.utils.data.DataLoader(tokens.torch(), batch_size=None, num_workers=2))
    assert sorted(row["id"] for row in tensors) == sorted(row["id"] for row in rows)
    for row in tensors:
        same = next(r for r in rows if r["id"] == row["id"])
        assert row["codes"].dtype == torch.int64 and row["codes"].shape == (4, same["num_frames"])
        assert np.array_equal(row["codes"].numpy(), same["codes"])


def test_pyarrow_polars_and_datasets_read_the_folder_as_it_is(tokens_folder):
    import pyarrow.dataset

    expected = rows_of(tokens_folder)
    table = pyarrow.dataset.dataset(tokens_folder, format="parquet").to_table()
    assert table.column("id").to_pylist() == [row["id"] for row in expected]
    assert table.column("codes").to_pylist() == [row["codes"] for row in expected]
    polars = pytest.importorskip("polars")
    frame = polars.read_parquet(tokens_folder / "shard-*.parquet")
    assert frame["codes"].to_list() == [row["codes"] for row in expected]
    datasets = pytest.importorskip("datasets")
    loaded = datasets.load_dataset("parquet", data_files=str(tokens_folder / "shard-*.parquet"), split="train",
                                   cache_dir=str(tokens_folder.parent / "hf-datasets-cache"))
    assert loaded["id"] == [row["id"] for row in expected] and loaded["length"] == [r["length"] for r in expected]


def test_open_tokens_on_a_folder_without_a_dataset_says_how_to_make_one(tmp_path):
    with pytest.raises(CodecregError, match="codecreg tokenize INPUT"):
        open_tokens(tmp_path)


def test_the_example_loads_the_tokens(tokens_folder):
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"),
                                                                            *sys.path])),
                       HF_DATASETS_CACHE=str(tokens_folder.parent / "example-datasets-cache"))
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "load_tokens.py"), str(tokens_folder)],
                            capture_output=True, text=True, timeout=300, env=environment)
    assert result.returncode == 0, result.stderr
    assert "4 rows of debug: 4 codebooks x 400 entries, 25 frames/s" in result.stdout
    assert "torch: clip001.wav -> (4, 53) torch.int64" in result.stdout
    assert "datasets: 4 rows, columns ['id', 'codes', 'length'" in result.stdout
