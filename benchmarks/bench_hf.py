"""Time the hf plugin's encode and decode against bare transformers calls, in the same run.

Models are real-size transformers EncodecModel / DacModel (seeded random weights at the
published configurations, from tests/support/hf_models.py), saved with save_pretrained
into a temporary offline Hub cache; the plugin loads them by repo id
(``hf:facebook/encodec_32khz``), transformers' side uses the same weights. The bare calls
are ``model.encode(x, bandwidth=<highest>)`` and ``model.decode(codes, scales, ...)`` for
EnCodec, ``model.encode(padded x)`` and ``model.decode(audio_codes=codes)`` for DAC, under
``torch.no_grad()``. Methods run interleaved, each side first in turn, ``--repeats``
times each after a warm-up; the table shows medians and the plugin/transformers ratio.
Codes must be equal.

The audio tokenizers (Mimi, X-Codec, Higgs Audio v2, WavTokenizer, XCodec2, NeuCodec; real
sizes, the hf plugin's test-weights recipes in plugins/hf/test_weights.py) are timed the same way against their bare
transformers calls, with the preprocessing the plugin documents (X-Codec/Higgs: zero padding
to a hop multiple; XCodec2: the feature extractor; NeuCodec: padding, torchaudio resampling to
16 kHz, the feature extractor): ``model.encode(...)`` and ``model.decode(codes)``.

    .venv/bin/python benchmarks/bench_hf.py [--seconds 10] [--dac-seconds 3] [--repeats 5]
        [--only mimi,xcodec,...]   # repos or tokenizer families to run (default: all)
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="bench-hf-home-")
os.environ["HF_HUB_OFFLINE"] = "1"

import torch  # noqa: E402
import transformers  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import codecreg  # noqa: E402
from codecreg.testing import synthetic_audio  # noqa: E402
from support.hf_cache import put_in_hf_cache  # noqa: E402
from support.hf_models import build_dac, build_encodec, cache_model  # noqa: E402
from codecreg_hf.test_weights import config_fields, seeded_model  # noqa: E402

MODELS = {
    "facebook/encodec_32khz": lambda: build_encodec("encodec_32khz"),
    "facebook/encodec_48khz": lambda: build_encodec("encodec_48khz"),
    "descript/dac_44khz": lambda: build_dac(44100),
}
#: tokenizer family -> the registered name whose real-size recipe (plugins/hf/test_weights.py) is timed
TOKENIZER_NAMES = {
    "mimi": "mimi",
    "xcodec": "xcodec_hubert_librispeech",
    "higgs_audio_v2_tokenizer": "higgs_audio_v2_tokenizer",
    "wavtokenizer": "wavtokenizer_large_unify_40",
    "xcodec2": "xcodec2",
    "neucodec": "neucodec",
}
#: tokenizer family -> the repo it is cached as
TOKENIZERS = {family: codecreg.get_registry().codec(name).aliases[0] for family, name in TOKENIZER_NAMES.items()}


def tokenizer_calls(model, extractor, audio: torch.Tensor):
    """Bare encode and decode closures on a tokenizer, with the preprocessing its adapter documents."""
    config = model.config
    if config.model_type in ("xcodec", "higgs_audio_v2_tokenizer"):
        padded = torch.nn.functional.pad(audio, (0, -audio.shape[-1] % config.hop_length))
        bandwidth = max(config.target_bandwidths)
        return ((lambda: model.encode(padded, bandwidth=bandwidth, return_dict=True)),
                (lambda output: model.decode(output.audio_codes)))
    if extractor is None:  # Mimi, WavTokenizer
        return (lambda: model.encode(audio, return_dict=True)), (lambda output: model.decode(output.audio_codes))

    def encode():
        signal = audio
        if config.model_type == "neucodec":
            import torchaudio

            signal = torchaudio.functional.resample(
                torch.nn.functional.pad(audio, (0, -audio.shape[-1] % config.hop_length)),
                config.output_sampling_rate, config.input_sampling_rate)
        inputs = extractor(signal[0, 0], sampling_rate=extractor.sampling_rate, return_tensors="pt")
        return model.encode(**inputs, return_dict=True)

    return encode, (lambda output: model.decode(audio_codes=output.audio_codes))


def transformers_calls(model, audio: torch.Tensor):
    """Bare encode and decode closures on transformers' model, as a user would call it."""
    if model.config.model_type == "encodec":
        bandwidth = max(model.config.target_bandwidths)

        def encode():
            return model.encode(audio, bandwidth=bandwidth)

        def decode(output):
            return model.decode(output.audio_codes, output.audio_scales,
                                last_frame_pad_length=output.last_frame_pad_length).audio_values
        return encode, decode
    hop = model.config.hop_length
    padded = torch.nn.functional.pad(audio, (0, -audio.shape[-1] % hop))
    return (lambda: model.encode(padded)), (lambda output: model.decode(audio_codes=output.audio_codes))


def codecreg_calls(codec, audio: torch.Tensor):
    return (lambda: codec.encode(audio)), (lambda encoded: codec.decode(*encoded, length=audio.shape[-1]))


def same_codes(codec_codes: torch.Tensor, output) -> bool:
    codes = output.audio_codes
    if codes.dim() == 4:  # EnCodec: (chunks, B, K, T) with a padded last chunk
        chunks = list(codes)
        if output.last_frame_pad_length:
            chunks[-1] = chunks[-1][..., :-output.last_frame_pad_length]
        codes = torch.cat(chunks, dim=-1)
    return torch.equal(codes, codec_codes)


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


@torch.no_grad()
def bench(repo: str, seconds: float, repeats: int) -> list[tuple[str, str, float, float]]:
    family = next((name for name, cached in TOKENIZERS.items() if cached == repo), None)
    if family:
        model, extractor = seeded_model(config_fields(TOKENIZER_NAMES[family], "real"))
        with tempfile.TemporaryDirectory() as folder:
            model.save_pretrained(folder)
            if extractor is not None:
                extractor.save_pretrained(folder)
            put_in_hf_cache(folder, repo)
    else:
        model, extractor = MODELS[repo](), None
        cache_model(model, repo)
    load_theirs = timed(lambda: type(model).from_pretrained(repo))
    start = time.perf_counter()
    codec = codecreg.load_codec(f"hf:{repo}")
    load_ours = time.perf_counter() - start
    audio = synthetic_audio(codec.channels, int(seconds * codec.sample_rate), codec.sample_rate)
    bare_encode, bare_decode = (tokenizer_calls(model, extractor, audio) if family
                                else transformers_calls(model, audio))
    our_encode, our_decode = codecreg_calls(codec, audio)
    output, encoded = bare_encode(), our_encode()  # warm-up, and the codes must agree
    if not same_codes(encoded[0], output):
        raise SystemExit(f"{repo}: codes differ between codecreg and transformers")
    bare_decode(output), our_decode(encoded)
    timings: dict[str, list[float]] = {"encode ours": [], "encode theirs": [], "decode ours": [],
                                       "decode theirs": []}
    calls = {"encode theirs": bare_encode, "encode ours": our_encode,
             "decode theirs": lambda: bare_decode(output), "decode ours": lambda: our_decode(encoded)}
    for repeat in range(repeats):  # interleaved, each side first in turn: load and caches hit both alike
        for step in ("encode", "decode"):
            for side in (("theirs", "ours") if repeat % 2 == 0 else ("ours", "theirs")):
                timings[f"{step} {side}"].append(timed(calls[f"{step} {side}"]))
    rows = [(repo, "load", load_ours, load_theirs)]
    for step in ("encode", "decode"):
        rows.append((repo, step, statistics.median(timings[f"{step} ours"]),
                     statistics.median(timings[f"{step} theirs"])))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0, help="audio length for EnCodec")
    parser.add_argument("--dac-seconds", type=float, default=3.0, help="audio length for DAC (slow on CPU)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", default="", help="comma-separated repos or tokenizer families (default: all)")
    args = parser.parse_args()
    repos = list(MODELS) + list(TOKENIZERS.values())
    if args.only:
        wanted = [TOKENIZERS.get(name, name) for name in args.only.split(",")]
        unknown = sorted(set(wanted) - set(repos))
        if unknown:
            parser.error(f"--only: unknown {', '.join(unknown)}; choose from {', '.join(repos + list(TOKENIZERS))}")
        repos = wanted
    torch.set_num_threads(2)
    warnings.filterwarnings("ignore")
    transformers.utils.logging.disable_progress_bar()
    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads, median of {args.repeats}")
    print(f"{'model':<42} {'step':<7} {'audio s':>7} {'codecreg s':>11} {'transformers s':>15} {'ratio':>6}")
    for repo in repos:
        seconds = args.dac_seconds if repo.startswith("descript/") else args.seconds
        for name, step, ours, theirs in bench(repo, seconds, args.repeats):
            shown = "-" if step == "load" else f"{seconds:g}"
            print(f"{name:<42} {step:<7} {shown:>7} {ours:>11.3f} {theirs:>15.3f} {ours / theirs:>6.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
