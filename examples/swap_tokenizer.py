"""Swap an audio language model's tokenizer by changing one string in its config.

    python examples/swap_tokenizer.py                                   # the config below
    python examples/swap_tokenizer.py --tokenizer 'debug?num_codebooks=2'
    python examples/swap_tokenizer.py --tokenizer encodec_32khz --card 2048 --n-q 4 --frame-rate 50

The language model is trained on one tokenizer's grid: its vocabulary per
codebook, number of parallel streams and frame rate. check_compatible refuses a
tokenizer that does not fit, before any token is produced.
"""

import argparse

import torch

import codecreg
from codecreg.audio.synthetic import synthetic_audio

CONFIG = {"tokenizer": "//pretrained/debug_compression_model",
          "lm": {"card": 400, "n_q": 4, "frame_rate": 25.0}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokenizer", default=CONFIG["tokenizer"], help="any name of docs/names.md")
    parser.add_argument("--card", type=int, default=CONFIG["lm"]["card"], help="the LM's vocabulary per codebook")
    parser.add_argument("--n-q", type=int, default=CONFIG["lm"]["n_q"], help="the LM's number of codebooks")
    parser.add_argument("--frame-rate", type=float, default=CONFIG["lm"]["frame_rate"], help="the LM's frames/s")
    args = parser.parse_args()

    codec = codecreg.load_codec(args.tokenizer)
    try:
        codecreg.check_compatible(codec, cardinality=args.card, num_codebooks=args.n_q, frame_rate=args.frame_rate)
    except codecreg.IncompatibleCodecError as error:
        raise SystemExit(f"cannot swap in {args.tokenizer!r}: {error}")
    audio = torch.from_numpy(synthetic_audio(codec.channels, 2 * codec.sample_rate, codec.sample_rate))
    codes, _ = codec.encode(audio)
    print(f"{codec.name}: 2 s of audio -> {codes.shape[1]} streams x {codes.shape[2]} tokens "
          f"(vocabulary {codec.cardinality}, {codec.bitrate:.3g} kbps); first tokens {codes[0, :, :6].tolist()}")


if __name__ == "__main__":
    main()
