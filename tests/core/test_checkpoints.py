"""codecreg.checkpoints on the smallest inputs: the cache folder, the offline switch, atomic
hash-checked downloads (file:// URLs and a loopback server), the Hub through its cache,
safe loading and pickle sniffing that never runs what it reads."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import pickle
import socket
import subprocess
import sys
import threading
import zipfile
from fractions import Fraction

import pytest
import torch

from codecreg import CheckpointError
from codecreg.checkpoints import (SafetensorsFile, cache_folder, fetch, hash_in_name, hub_file, hub_snapshot,
                                  hub_snapshot_cached, load_safetensors, load_torch_file, offline_reason,
                                  sha256_of, sniff_torch_file)
from support.hf_cache import put_in_hf_cache


class MakesMarker:
    """Unpickling this creates the file ``marker``: what a malicious checkpoint would do."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


@pytest.fixture
def cache_root(tmp_path, monkeypatch):
    root = tmp_path / "codecreg-cache"
    monkeypatch.setenv("CODECREG_CACHE", str(root))
    monkeypatch.delenv("CODECREG_OFFLINE", raising=False)
    return root


def served_file(tmp_path, content: bytes, name: str) -> str:
    """A file:// URL of ``content`` saved as ``name``."""
    folder = tmp_path / "served"
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(content)
    return (folder / name).as_uri()


def prefix_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()[:8]


# the cache folder and the offline switch ----------------------------------------
def test_cache_folder_follows_codecreg_cache_or_defaults_to_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("CODECREG_CACHE", str(tmp_path / "elsewhere"))
    assert cache_folder("dac") == tmp_path / "elsewhere" / "dac"
    monkeypatch.delenv("CODECREG_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache_folder("encodec") == tmp_path / ".cache" / "codecreg" / "encodec"
    for area in ("", "..", "a/b"):
        with pytest.raises(ValueError, match="one folder name"):
            cache_folder(area)


def test_offline_reason_names_the_switch_that_is_on(monkeypatch):
    from huggingface_hub import constants

    monkeypatch.delenv("CODECREG_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    assert offline_reason() is None and offline_reason(hub=True) is None
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    assert offline_reason() is None  # HF_HUB_OFFLINE is the Hub's switch only
    assert offline_reason(hub=True).startswith("HF_HUB_OFFLINE=")
    monkeypatch.setenv("CODECREG_OFFLINE", "yes")
    assert offline_reason() == offline_reason(hub=True) == "CODECREG_OFFLINE=yes"
    monkeypatch.setenv("CODECREG_OFFLINE", "0")
    assert offline_reason() is None


# downloads --------------------------------------------------------------------------
def test_a_download_lands_in_the_cache_once_and_is_then_read_from_it(tmp_path, cache_root):
    content = b"weights"
    url = served_file(tmp_path, content, f"model-{prefix_of(content)}.bin")
    path = fetch(url, "area")
    assert path == cache_root / "area" / f"model-{prefix_of(content)}.bin"
    assert path.read_bytes() == content
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left beside it
    (tmp_path / "served" / path.name).unlink()  # gone from the source: the cached copy serves
    assert fetch(url, "area") == path


def test_a_download_whose_hash_does_not_match_leaves_no_file(tmp_path, cache_root):
    url = served_file(tmp_path, b"not the promised bytes", "model-0badc0de.bin")
    with pytest.raises(CheckpointError, match="not the 0badc0de its name promises; it was deleted"):
        fetch(url, "area")
    assert list((cache_root / "area").iterdir()) == []


def test_an_explicit_hash_is_checked_and_a_name_without_one_can_be_required(tmp_path, cache_root):
    content = b"weights"
    url = served_file(tmp_path, content, "weights.pth")
    assert hash_in_name("weights.pth") is None and hash_in_name("w-d7cc33bc.th") == "d7cc33bc"
    with pytest.raises(CheckpointError, match="could not be checked"):
        fetch(url, "area", require_hash=True)
    with pytest.raises(CheckpointError, match="not the 12345678 expected"):
        fetch(url, "area", sha256="12345678")
    assert not (cache_root / "area" / "weights.pth").exists()
    full = hashlib.sha256(content).hexdigest()
    assert fetch(url, "area", sha256=full.upper(), require_hash=True).read_bytes() == content
    with pytest.raises(ValueError, match="hex digits"):
        fetch(url, "area", sha256="xyz")


def test_a_damaged_cached_file_is_refused(tmp_path, cache_root):
    (cache_root / "area").mkdir(parents=True)
    (cache_root / "area" / "model-d7cc33bc.th").write_bytes(b"truncated")
    with pytest.raises(CheckpointError, match="damaged or another file. Delete it"):
        fetch("file:///nowhere/model-d7cc33bc.th", "area")


def test_the_offline_switch_refuses_a_download_and_says_how_to_provide_the_file(tmp_path, cache_root,
                                                                                 monkeypatch):
    url = served_file(tmp_path, b"weights", "weights.pth")
    monkeypatch.setenv("CODECREG_OFFLINE", "1")
    with pytest.raises(CheckpointError) as error:
        fetch(url, "area", hint="The vendor's cache may hold it.")
    message = str(error.value)
    target = cache_root / "area" / "weights.pth"
    assert f"is not in codecreg's cache ({target}) and downloads are off (CODECREG_OFFLINE=1)" in message
    assert url in message and "CODECREG_CACHE" in message and message.endswith("The vendor's cache may hold it.")
    assert not target.exists()


@pytest.fixture
def loopback_server():
    """An HTTP server on 127.0.0.1: ``/truncated`` promises 1000 bytes and sends 10, anything
    else is a 404. Its base URL; stopped after the test."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/truncated"):
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"0123456789")
                self.close_connection = True
            else:
                self.send_error(404, "File not found")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_an_interrupted_download_leaves_no_file(loopback_server, cache_root):
    with pytest.raises(CheckpointError, match="downloading it failed: the connection ended after 10 of 1000 bytes"):
        fetch(f"{loopback_server}/truncated/weights.pth", "area", timeout=5)
    assert list((cache_root / "area").iterdir()) == []


def test_a_failed_download_names_the_http_error_and_leaves_no_file(loopback_server, cache_root):
    with pytest.raises(CheckpointError, match="downloading it failed: HTTP Error 404: File not found") as error:
        fetch(f"{loopback_server}/missing/weights.pth", "area", timeout=5)
    assert str(cache_root / "area" / "weights.pth") in str(error.value)
    assert list((cache_root / "area").iterdir()) == []


# the Hugging Face Hub ----------------------------------------------------------------
@pytest.fixture
def hub_cache(tmp_path, monkeypatch):
    """An empty Hub cache for one test, read offline (as the whole suite runs)."""
    from huggingface_hub import constants

    cache = tmp_path / "hub"
    cache.mkdir()
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    return cache


def cached_repo(tmp_path, hub_cache, files: dict[str, str], repo_id="org/model", revision="main"):
    folder = tmp_path / f"repo-{revision}"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    return put_in_hf_cache(folder, repo_id, revision=revision, cache_dir=hub_cache)


def test_hub_file_gives_the_first_file_the_cached_repo_holds(tmp_path, hub_cache):
    snapshot = cached_repo(tmp_path, hub_cache, {"config.json": "{}", "pytorch_model.bin": "w"})
    cached_repo(tmp_path, hub_cache, {"config.json": '{"v": 2}'}, revision="v2")
    assert hub_file("org/model", ("model.safetensors", "pytorch_model.bin")) == snapshot / "pytorch_model.bin"
    assert json.loads(hub_file("org/model", ("config.json",), revision="v2").read_text()) == {"v": 2}


def test_a_repo_that_is_not_cached_gets_the_one_message(hub_cache):
    with pytest.raises(CheckpointError) as error:
        hub_file("org/absent", ("config.json",), revision="v1", local_hint="load it from a folder: x:/path")
    message = str(error.value)
    assert message.startswith(f"org/absent@v1 is not in the Hugging Face cache ({hub_cache}) and downloads are "
                              "off (HF_HUB_OFFLINE=")
    assert "`hf download org/absent --revision v1`" in message and "HF_HOME or HF_HUB_CACHE" in message
    assert message.endswith("or load it from a folder: x:/path")
    with pytest.raises(CheckpointError) as snapshot_error:
        hub_snapshot("org/absent", "v1", allow_patterns=["*.json"], local_hint="load it from a folder: x:/path")
    assert str(snapshot_error.value) == message


def test_hub_snapshot_gives_the_cached_folder(tmp_path, hub_cache):
    snapshot = cached_repo(tmp_path, hub_cache, {"config.json": "{}", "model.safetensors": "w"})
    assert hub_snapshot("org/model", allow_patterns=["config.json", "*.safetensors"]) == snapshot


def test_codecreg_offline_keeps_the_hub_to_its_cache_too(hub_cache, monkeypatch):
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("CODECREG_OFFLINE", "1")
    with pytest.raises(CheckpointError, match=r"downloads are off \(CODECREG_OFFLINE=1\)"):
        hub_file("org/absent", ("config.json",))


def test_an_unreachable_hub_reads_only_the_cache_and_says_why(hub_cache, monkeypatch):
    from huggingface_hub import constants

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("CODECREG_OFFLINE", raising=False)
    with pytest.raises(CheckpointError, match=f"the Hub could not be reached to download it \\(127.0.0.1:{port}:"):
        hub_snapshot("org/absent", allow_patterns=["*.json"])


def _hub_error(kind: str) -> Exception:
    import httpx2
    from huggingface_hub import errors

    response = httpx2.Response(403, request=httpx2.Request("GET", "https://huggingface.co/org/model"))
    return getattr(errors, kind)(f"{kind} from the Hub", response=response)


@pytest.mark.parametrize("kind, expected", [
    ("GatedRepoError", r"org/model@v1: 'org/model' is gated on the Hub: accept its terms on "
                       r"https://huggingface.co/org/model and log in with `hf auth login`"),
    ("RepositoryNotFoundError", r"org/model@v1: no Hub repo 'org/model' \(check the spelling; for a private "
                                r"repo, log in with `hf auth login`\)"),
    ("RevisionNotFoundError", r"org/model@v1: the Hub repo 'org/model' has no revision 'v1' \(give a branch"),
    ("HfHubHTTPError", r"org/model@v1: the Hugging Face Hub answered with an error: HfHubHTTPError from the "
                       r"Hub. Try again later, or load it from a folder"),
])
def test_hub_errors_become_checkpoint_errors_that_say_what_to_do(monkeypatch, kind, expected):
    import huggingface_hub

    def refuse(*args, **kwargs):
        raise _hub_error(kind)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", refuse)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", refuse)
    with pytest.raises(CheckpointError, match=expected):
        hub_file("org/model", ("config.json",), "v1", local_hint="load it from a folder")
    with pytest.raises(CheckpointError, match=expected):
        hub_snapshot("org/model", "v1", allow_patterns=["*"], local_hint="load it from a folder")


def test_a_repo_without_any_of_the_files_says_which_were_looked_for(monkeypatch):
    import huggingface_hub
    from huggingface_hub.errors import RemoteEntryNotFoundError

    def absent(*args, **kwargs):
        raise RemoteEntryNotFoundError("no such file", response=_hub_error("HfHubHTTPError").response)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", absent)
    with pytest.raises(CheckpointError, match="org/model on the Hugging Face Hub has none of a.bin, b.bin"):
        hub_file("org/model", ("a.bin", "b.bin"))


def test_an_invalid_repo_id_is_refused():
    with pytest.raises(CheckpointError, match="'too/many/parts' is not a Hugging Face Hub repo id"):
        hub_snapshot("too/many/parts", allow_patterns=["*"])


def test_hub_snapshot_cached_reads_the_folder_layout(tmp_path, hub_cache):
    assert not hub_snapshot_cached("org/model", ("model.safetensors",))
    cached_repo(tmp_path, hub_cache, {"config.json": "{}"})
    assert not hub_snapshot_cached("org/model", ("model.safetensors",))  # no weights yet
    cached_repo(tmp_path, hub_cache, {"config.json": "{}", "model.safetensors": "w"}, revision="v2")
    assert hub_snapshot_cached("org/model", ("pytorch_model.bin", "model.safetensors"))
    assert not hub_snapshot_cached("org/other", ("model.safetensors",))


# safe loading -----------------------------------------------------------------------
class StandIn:
    """An inert object a caller allows in place of a class the pickle names."""

    def __init__(self, *args):
        self.args = args


def test_a_plain_state_dict_loads(tmp_path):
    path = tmp_path / "state.pt"
    torch.save({"weight": torch.arange(3.0), "meta": {"rate": 24000, "ratios": [8, 5]}}, path)
    loaded = load_torch_file(path)
    assert torch.equal(loaded["weight"], torch.arange(3.0)) and loaded["meta"] == {"rate": 24000, "ratios": [8, 5]}


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_a_pickle_that_would_run_code_is_refused_without_running_it(tmp_path, legacy):
    marker, path = tmp_path / "code-ran", tmp_path / "evil.pt"
    torch.save({"weight": torch.zeros(2), "payload": MakesMarker(marker)}, path,
               _use_new_zipfile_serialization=not legacy)
    assert not marker.exists()
    with pytest.raises(CheckpointError, match=r"refused to load .*\(Unsupported global: GLOBAL io.open was not "
                                              r"an allowed global by default.\).*could run arbitrary code"):
        load_torch_file(path)
    assert not marker.exists()


def test_globals_are_allowed_only_as_the_stand_ins_given(tmp_path):
    path = tmp_path / "config.pt"
    torch.save({"weight": torch.zeros(1), "config": Fraction(1, 3)}, path)
    with pytest.raises(CheckpointError, match="fractions.Fraction"):
        load_torch_file(path)
    loaded = load_torch_file(path, allowed=[(StandIn, "fractions.Fraction")])
    assert isinstance(loaded["config"], StandIn) and loaded["config"].args == (1, 3)


def test_a_file_that_is_no_checkpoint_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "notes.pt"
    path.write_bytes(b"hello")
    with pytest.raises(CheckpointError, match="cannot read .*notes.pt.* as a torch checkpoint"):
        load_torch_file(path)


def test_safetensors_are_read_tensor_by_tensor_and_checked(tmp_path):
    from safetensors.torch import save_file

    tensors = {"a": torch.arange(6, dtype=torch.float32).reshape(2, 3), "b": torch.tensor([1, 2], dtype=torch.int16),
               "c": torch.tensor([True, False])}
    path = tmp_path / "model.safetensors"
    save_file(tensors, str(path))
    loaded = load_safetensors(path)
    assert isinstance(loaded, SafetensorsFile) and sorted(loaded) == ["a", "b", "c"]
    for key, tensor in tensors.items():
        assert loaded[key].dtype == tensor.dtype and torch.equal(loaded[key], tensor)
    data = path.read_bytes()
    path.write_bytes(data[:-4])
    with pytest.raises(CheckpointError, match="cannot read .* as safetensors: tensor .* does not fit"):
        load_safetensors(path)
    path.write_bytes((10 ** 9).to_bytes(8, "little") + data[8:])
    with pytest.raises(CheckpointError, match="its header length 1000000000 does not fit"):
        load_safetensors(path)


# sniffing -----------------------------------------------------------------------------
@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_sniffing_lists_strings_and_globals_without_running_anything(tmp_path, legacy):
    marker, path = tmp_path / "code-ran", tmp_path / "evil.pt"
    torch.save({"encoder.weight": torch.zeros(2), "payload": MakesMarker(marker)}, path,
               _use_new_zipfile_serialization=not legacy)
    sniffed = sniff_torch_file(path)
    assert sniffed.kind == ("legacy" if legacy else "zip")
    assert {"encoder.weight", "payload", str(marker)} <= sniffed.strings
    assert {"io.open", "torch._utils._rebuild_tensor_v2", "collections.OrderedDict"} <= sniffed.globals
    assert (sniffed.members == ()) == legacy
    assert not marker.exists()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_globals_are_found_in_every_pickle_protocol(tmp_path, protocol):
    """Protocol 4 names a global by two strings on the stack (STACK_GLOBAL), often from the memo."""
    path = tmp_path / "archive.zip"
    data = pickle.dumps({"first": Fraction(1, 3), "again": Fraction(2, 3), "marker": MakesMarker("x")},
                        protocol=protocol)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", data)
    assert sniff_torch_file(path).globals == {"fractions.Fraction", "io.open"}


def test_sniffing_says_none_for_other_files_and_nothing_for_other_zips(tmp_path):
    noise, text = tmp_path / "noise.bin", tmp_path / "notes.txt"
    noise.write_bytes(os.urandom(4096))
    text.write_text("hello")
    for path in (noise, text, tmp_path, tmp_path / "absent.pt"):
        assert sniff_torch_file(path) is None, path
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("broken/data.pkl", b"\x80\x02}q\x00")  # a pickle cut short
        archive.writestr("broken/other", b"")
    sniffed = sniff_torch_file(broken)
    assert (sniffed.kind, sniffed.members, sniffed.strings, sniffed.globals) == (
        "zip", ("broken/data.pkl", "broken/other"), frozenset(), frozenset())


def test_sha256_of_reads_the_whole_file(tmp_path):
    path = tmp_path / "big.bin"
    content = os.urandom(3 * 2 ** 20 + 5)  # more than one read
    path.write_bytes(content)
    assert sha256_of(path) == hashlib.sha256(content).hexdigest()


# imports ----------------------------------------------------------------------------------
def test_importing_and_the_light_checks_import_no_torch(tmp_path):
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as archive:
        archive.writestr("plain/data.pkl", pickle.dumps({"key": 1}, protocol=2))
    script = (
        "import sys\n"
        "import codecreg.checkpoints as checkpoints\n"
        "after_import = sorted(m for m in ('torch', 'huggingface_hub') if m in sys.modules)\n"
        f"assert checkpoints.sniff_torch_file({str(plain)!r}).strings == {{'key'}}\n"
        "assert checkpoints.hub_snapshot_cached('org/model', ('model.safetensors',)) is False\n"
        "checkpoints.cache_folder('area'); checkpoints.offline_reason(hub=True)\n"
        "print(after_import, 'torch' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[] False"
