"""The name grammar of docs/names.md."""

import pytest

from codecreg import InvalidNameError, parse_name
from codecreg.registry.names import CODEC_OPTION_ALIASES, format_name


@pytest.mark.parametrize("text, scheme, target, revision, options", [
    ("encodec_32khz", None, "encodec_32khz", None, {}),
    ("facebook/encodec_32khz", None, "facebook/encodec_32khz", None, {}),
    ("//pretrained/dac_44khz", None, "dac_44khz", None, {}),
    ("hf:facebook/encodec_24khz", "hf", "facebook/encodec_24khz", None, {}),
    ("hf:facebook/encodec_24khz@v1.0", "hf", "facebook/encodec_24khz", "v1.0", {}),
    ("hf:/models/enc@main?bw=12", "hf", "/models/enc", "main", {"bandwidth": "12"}),
    ("dac_44khz?num_codebooks=4", None, "dac_44khz", None, {"num_codebooks": "4"}),
    ("dac_44khz?n_q=4,chunk_seconds=30", None, "dac_44khz", None, {"num_codebooks": "4", "chunk_seconds": "30"}),
    ("dac_44khz?n_q=4&chunk_seconds=30", None, "dac_44khz", None, {"num_codebooks": "4", "chunk_seconds": "30"}),
    ("/ckpt/encodec_24khz-d7cc33bc.th", "path", "/ckpt/encodec_24khz-d7cc33bc.th", None, {}),
    ("./weights.pth?num_codebooks=2", "path", "./weights.pth", None, {"num_codebooks": "2"}),
    ("  debug  ", None, "debug", None, {}),
])
def test_parse(text, scheme, target, revision, options):
    parsed = parse_name(text, CODEC_OPTION_ALIASES)
    assert (parsed.scheme, parsed.target, parsed.revision, parsed.options) == (scheme, target, revision, options)


def test_home_is_expanded(monkeypatch):
    monkeypatch.setenv("HOME", "/home/someone")
    assert parse_name("~/xp/compression_state_dict.bin").target == "/home/someone/xp/compression_state_dict.bin"


def test_an_existing_relative_path_is_a_path(tmp_path, monkeypatch):
    (tmp_path / "facebook").mkdir()
    (tmp_path / "facebook" / "encodec_32khz").mkdir()
    monkeypatch.chdir(tmp_path)
    assert parse_name("facebook/encodec_32khz").is_path
    assert not parse_name("facebook/encodec_24khz").is_path


@pytest.mark.parametrize("text, message", [
    ("", "empty name"),
    ("   ", "empty name"),
    ("?num_codebooks=4", "must follow a name"),
    ("dac_44khz?num_codebooks", "not 'key=value'"),
    ("dac_44khz?=4", "not 'key=value'"),
    ("dac_44khz?Num=4", "not 'key=value'"),
    ("dac_44khz?n_q=4,num_codebooks=2", "given twice"),
    ("encodec_32khz@main", "needs a source scheme"),
    ("hf:facebook/encodec_32khz@", "scheme:target@revision"),
    ("//pretrained/", "must be followed by a name"),
])
def test_malformed_names_say_what_is_wrong(text, message):
    with pytest.raises(InvalidNameError, match=message):
        parse_name(text, CODEC_OPTION_ALIASES)


def test_a_non_string_is_refused():
    with pytest.raises(InvalidNameError, match="must be a string"):
        parse_name(None)


@pytest.mark.parametrize("text, canonical", [
    ("debug?n_q=2", "debug?num_codebooks=2"),
    ("hf:org/name@rev?channels=2,bw=3", "hf:org/name@rev?bandwidth=3,channels=2"),
    ("//pretrained/dac_24khz", "dac_24khz"),
])
def test_canonical_form_round_trips(text, canonical):
    formatted = format_name(parse_name(text, CODEC_OPTION_ALIASES))
    assert formatted == canonical
    assert format_name(parse_name(formatted, CODEC_OPTION_ALIASES)) == canonical


ENV_PLUGIN = '''
import os

from codecreg import CheckpointError
from codecreg.codec.debug_codec import build


def envcodec(device="cpu", weights=None):
    path = weights or os.environ.get("ENVCODEC_WEIGHTS")
    if not path or not os.path.isfile(path):
        raise CheckpointError("envcodec needs its weights: set ENVCODEC_WEIGHTS or give ?weights=PATH")
    model = build(device)
    model.name = f"envcodec?weights={os.path.abspath(path)}"  # reproducible without the variable
    return model
'''


@pytest.fixture
def env_plugin(tmp_path, monkeypatch):
    """A codec whose factory finds its weights through an environment variable."""
    import codecreg
    from codecreg import CodecSpec

    (tmp_path / "envcodec_plugin.py").write_text(ENV_PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    codecreg.reset_registry()
    codecreg.register(CodecSpec(name="envcodec", factory="envcodec_plugin:envcodec", sample_rate=32000,
                                frame_rate=25.0, cardinality=400, num_codebooks=4, total_codebooks=4,
                                options=("weights",)))
    weights = tmp_path / "weights.bin"
    weights.write_bytes(b"weights")
    yield weights
    codecreg.reset_registry()


def test_a_name_the_factory_sets_is_kept_so_token_files_decode_without_its_variable(env_plugin, tmp_path,
                                                                                     monkeypatch):
    import codecreg
    from codecreg.testing import synthetic_audio

    monkeypatch.setenv("ENVCODEC_WEIGHTS", str(env_plugin))
    codec = codecreg.load_codec("envcodec?n_q=2")
    assert codec.name == f"envcodec?num_codebooks=2,weights={env_plugin}"  # core's options kept too
    audio = synthetic_audio(1, 3200, 32000)
    codes, scale = codec.encode(audio)
    tokens = codecreg.save_codes(tmp_path / "tokens.safetensors", codes, codec, length=audio.shape[-1])

    monkeypatch.delenv("ENVCODEC_WEIGHTS")
    decoded = codecreg.load_codes(tokens).decode()
    assert decoded.shape == audio.shape

