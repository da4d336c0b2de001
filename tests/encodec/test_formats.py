"""Loading EnCodec from every on-disk format users hold, recognizing each by its content,
and refusing files that would run code."""

from __future__ import annotations

import http.server
import os
import threading

import pytest
import torch

import codecreg
from codecreg.checkpoints import fetch, sha256_of
from codecreg_encodec import sniffers
from codecreg_encodec.package_format import published_url
from support.hf_cache import put_in_hf_cache


def decode_with_package(model, codes: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model.decode([(codes, None)])


def random_codes(codec, frames: int = 40, batch: int = 1) -> torch.Tensor:
    generator = torch.Generator().manual_seed(0)
    return torch.randint(0, codec.cardinality, (batch, codec.total_codebooks, frames), generator=generator)


@pytest.fixture(scope="module")
def package_24khz():
    """The package's real-size 24 kHz model (random weights) and its state dict file."""
    from encodec import EncodecModel

    torch.manual_seed(0)
    return EncodecModel.encodec_model_24khz(pretrained=False)


@pytest.fixture(scope="module")
def package_24khz_file(package_24khz, tmp_path_factory):
    path = tmp_path_factory.mktemp("package") / "encodec_24khz-d7cc33bc.th"
    torch.save(package_24khz.state_dict(), path)
    return path


def small_package_model(stereo: bool = False):
    from encodec import EncodecModel
    from encodec.modules import SEANetDecoder, SEANetEncoder
    from encodec.quantization import ResidualVectorQuantizer

    torch.manual_seed(1)
    shape = dict(channels=2 if stereo else 1, dimension=16, n_filters=4, ratios=[4, 2], lstm=1,
                 norm="time_group_norm" if stereo else "weight_norm", causal=not stereo)
    return EncodecModel(SEANetEncoder(**shape), SEANetDecoder(**shape),
                        ResidualVectorQuantizer(dimension=16, n_q=4, bins=64),
                        target_bandwidths=[24.0], sample_rate=8000, channels=shape["channels"],
                        normalize=stereo).eval()


def audiocraft_xp(stereo: bool = False) -> dict:
    """audiocraft's experiment configuration for ``small_package_model``, interpolations included."""
    return {
        "sample_rate": 8000, "channels": 2 if stereo else 1, "compression_model": "encodec", "device": "cpu",
        "encodec": {"autoencoder": "seanet", "quantizer": "rvq", "sample_rate": "${sample_rate}",
                    "channels": "${channels}", "causal": not stereo, "renormalize": stereo},
        "seanet": {"dimension": 16, "channels": "${channels}", "causal": "${encodec.causal}", "n_filters": 4,
                   "n_residual_layers": 1, "ratios": [4, 2], "activation": "ELU", "activation_params": {"alpha": 1.0},
                   "norm": "time_group_norm" if stereo else "weight_norm", "norm_params": {}, "kernel_size": 7,
                   "residual_kernel_size": 3, "last_kernel_size": 7, "dilation_base": 2, "pad_mode": "reflect",
                   "true_skip": False, "compress": 2, "lstm": 1, "disable_norm_outer_blocks": 0,
                   "decoder": {"trim_right_ratio": 1.0, "final_activation": None, "final_activation_params": None},
                   "encoder": {}},
        "rvq": {"n_q": 4, "q_dropout": False, "bins": 64, "decay": 0.99, "kmeans_init": True, "kmeans_iters": 50,
                "threshold_ema_dead_code": 2},
    }


class Evil:
    """Unpickling this runs ``touch MARKER``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


# the encodec package's files ------------------------------------------------
def test_package_file_loads_by_its_published_name(package_24khz, package_24khz_file):
    assert sniffers.is_encodec_package_checkpoint(str(package_24khz_file))
    ours = codecreg.load_codec(str(package_24khz_file))
    assert (ours.sample_rate, ours.channels, ours.total_codebooks) == (24000, 1, 32)
    codes = random_codes(ours)
    assert (ours.decode(codes) - decode_with_package(package_24khz, codes)).abs().max() <= 1e-5


def test_renamed_package_files_are_recognized_by_their_tensors(tmp_path):
    from encodec import EncodecModel

    model = EncodecModel.encodec_model_48khz(pretrained=False)
    path = tmp_path / "my_checkpoint.th"
    torch.save(model.state_dict(), path)
    ours = codecreg.load_codec(f"encodec-package:{path}")
    assert (ours.sample_rate, ours.channels, ours.total_codebooks) == (48000, 2, 16)
    codes = random_codes(ours, frames=100)
    scale = torch.tensor([[0.3]])
    with torch.no_grad():
        expected = model.decode([(codes, scale)])
    assert (ours.decode(codes, scale) - expected).abs().max() <= 1e-5


def test_published_names_and_urls_map_to_the_package_url():
    assert published_url("encodec_48khz-7e698e3e.th") == "https://dl.fbaipublicfiles.com/encodec/v0/encodec_48khz-7e698e3e.th"
    assert published_url("https://example.org/x-12345678.th") == "https://example.org/x-12345678.th"
    assert published_url("missing-file.th") is None
    with pytest.raises(codecreg.CheckpointError, match="published names"):
        codecreg.load_codec("encodec-package:missing-file.th")


# downloads --------------------------------------------------------------------
@pytest.fixture
def file_server(tmp_path):
    """An HTTP server on localhost serving ``tmp_path / "served"``."""
    served = tmp_path / "served"
    served.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_published_url_is_downloaded_once_hash_checked_and_loaded(package_24khz, package_24khz_file, file_server):
    served, root = file_server
    name = f"encodec_24khz-{sha256_of(package_24khz_file)[:8]}.th"
    os.link(package_24khz_file, served / name)
    ours = codecreg.load_codec(f"encodec-package:{root}/{name}")
    cached = fetch(f"{root}/{name}", "encodec", require_hash=True)
    assert cached == __import__("pathlib").Path(os.environ["CODECREG_CACHE"]) / "encodec" / name
    codes = random_codes(ours)
    assert (ours.decode(codes) - decode_with_package(package_24khz, codes)).abs().max() <= 1e-5
    (served / name).unlink()  # served no more: the cached copy is used
    assert codecreg.load_codec(f"encodec-package:{root}/{name}").total_codebooks == 32


def test_a_download_whose_hash_does_not_match_is_refused_and_deleted(file_server):
    served, root = file_server
    (served / "weights-0badc0de.th").write_bytes(b"not the promised file")
    with pytest.raises(codecreg.CheckpointError, match="not the 0badc0de its name promises"):
        fetch(f"{root}/weights-0badc0de.th", "encodec-hash-test", require_hash=True)
    assert not any((__import__("pathlib").Path(os.environ["CODECREG_CACHE"]) / "encodec-hash-test").iterdir())


def test_a_damaged_cached_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CODECREG_CACHE", str(tmp_path))
    (tmp_path / "encodec").mkdir()
    (tmp_path / "encodec" / "encodec_24khz-d7cc33bc.th").write_bytes(b"truncated")
    with pytest.raises(codecreg.CheckpointError, match="damaged or another file"):
        codecreg.load_codec("encodec-package:encodec_24khz-d7cc33bc.th")


def test_an_unreachable_url_says_how_to_load_the_file_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("CODECREG_CACHE", str(tmp_path))
    with pytest.raises(codecreg.CheckpointError) as error:
        codecreg.load_codec("encodec-package:http://127.0.0.1:9/encodec_24khz-d7cc33bc.th")
    message = str(error.value)
    assert "downloading it failed" in message and "by its path" in message
    assert str(tmp_path / "encodec" / "encodec_24khz-d7cc33bc.th") in message
    assert list((tmp_path / "encodec").iterdir()) == []


def test_a_file_name_without_hash_cannot_be_downloaded():
    with pytest.raises(codecreg.CheckpointError, match="could not be checked"):
        codecreg.load_codec("encodec-package:https://example.org/weights.th")


# audiocraft's compression_state_dict.bin --------------------------------------
@pytest.mark.parametrize("stereo", [False, True], ids=["mono", "stereo"])
def test_audiocraft_checkpoint_with_yaml_config(tmp_path, stereo):
    yaml = pytest.importorskip("yaml")
    model = small_package_model(stereo)
    path = tmp_path / "compression_state_dict.bin"
    torch.save({"best_state": model.state_dict(), "xp.cfg": yaml.safe_dump(audiocraft_xp(stereo)),
                "version": "1.3.0", "exported": True}, path)
    assert sniffers.is_audiocraft_compression_checkpoint(str(path))
    assert not sniffers.is_encodec_package_checkpoint(str(path))
    ours = codecreg.load_codec(str(path))
    assert (ours.channels, ours.total_codebooks, ours.sample_rate) == (model.channels, 4, 8000)
    codes = random_codes(ours)
    with torch.no_grad():
        expected = model.decode([(codes, torch.ones(1, 1) if stereo else None)])
    assert (ours.decode(codes, torch.ones(1, 1) if stereo else None) - expected).abs().max() <= 1e-5


def test_audiocraft_checkpoint_with_a_pickled_omegaconf_config(tmp_path):
    import omegaconf  # in the test extra: how audiocraft itself saves xp.cfg
    model = small_package_model()
    xp = omegaconf.OmegaConf.create(audiocraft_xp())
    path = tmp_path / "compression_state_dict.bin"
    torch.save({"best_state": model.state_dict(), "xp.cfg": xp}, path)
    ours = codecreg.load_codec(str(path))
    codes = random_codes(ours)
    assert (ours.decode(codes) - decode_with_package(model, codes)).abs().max() <= 1e-5


def test_audiocraft_pretrained_pointer_loads_the_named_model(small_transformers, tmp_path, hub_cache):
    _, folder = small_transformers
    put_in_hf_cache(folder, "facebook/encodec_32khz", cache_dir=hub_cache)
    path = tmp_path / "compression_state_dict.bin"
    torch.save({"pretrained": "facebook/encodec_32khz", "exported": True, "version": "1.3.0"}, path)
    assert sniffers.is_audiocraft_compression_checkpoint(str(path))
    pointed = codecreg.load_codec(str(path))
    direct = codecreg.load_codec(str(folder))
    codes = random_codes(direct)
    assert torch.equal(pointed.decode(codes), direct.decode(codes))


# sniffing ---------------------------------------------------------------------
def test_sniffers_tell_the_formats_apart(tmp_path, package_24khz_file):
    folder = tmp_path / "dac_folder"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "dac"}')
    (folder / "model.safetensors").write_bytes(b"")
    assert not sniffers.is_transformers_encodec_folder(str(folder))
    (folder / "config.json").write_text('{"model_type": "encodec"}')
    assert sniffers.is_transformers_encodec_folder(str(folder))
    (folder / "model.safetensors").unlink()
    assert not sniffers.is_transformers_encodec_folder(str(folder))

    legacy = tmp_path / "legacy.th"
    torch.save(torch.load(package_24khz_file), legacy, _use_new_zipfile_serialization=False)
    assert sniffers.is_encodec_package_checkpoint(str(legacy))
    assert not sniffers.is_audiocraft_compression_checkpoint(str(legacy))
    other = tmp_path / "other.pt"
    torch.save({"model": {"conv.weight": torch.zeros(1)}}, other)
    noise = tmp_path / "noise.bin"
    noise.write_bytes(os.urandom(4096))
    for path in (other, noise, folder, tmp_path / "absent.th"):
        assert not sniffers.is_encodec_package_checkpoint(str(path))
        assert not sniffers.is_audiocraft_compression_checkpoint(str(path))


# refusing code ------------------------------------------------------------------
def _malicious_package_file(path, marker):
    torch.save({"encoder.model.0.conv.conv.weight_v": Evil(marker),
                "quantizer.vq.layers.0._codebook.embed": torch.zeros(2, 2)}, path)


def _malicious_audiocraft_file(path, marker):
    torch.save({"best_state": {"encoder.model.0.conv.conv.weight_v": torch.zeros(1),
                               "quantizer.vq.layers.0._codebook.embed": torch.zeros(1)},
                "xp.cfg": Evil(marker)}, path)


def _malicious_transformers_folder(path, marker):
    path.mkdir()
    (path / "config.json").write_text('{"model_type": "encodec"}')
    torch.save({"encoder.layers.0.conv.bias": Evil(marker)}, path / "pytorch_model.bin")


@pytest.mark.parametrize("write", [_malicious_package_file, _malicious_audiocraft_file, _malicious_transformers_folder],
                         ids=["encodec-package", "audiocraft", "transformers-folder"])
def test_a_pickle_that_would_run_code_is_refused(tmp_path, write):
    marker = tmp_path / "code-ran"
    path = tmp_path / "checkpoint"
    write(path, marker)
    assert codecreg.get_registry().source_for_path(str(path)).plugin == "encodec"
    with pytest.raises(codecreg.CheckpointError, match="could run arbitrary code") as error:
        codecreg.load_codec(str(path))
    assert "system" in str(error.value)
    assert not marker.exists()
