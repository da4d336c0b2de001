"""Decode codes while they are generated, as MusicGen-style generation plays while it decodes.

A language model emits one frame of codes at a time; ``codec.decode_stream`` takes
them as they come and gives back each block of audio as soon as no later frame can
change it. Blocks come ``chunk_seconds`` at a time (the codec's option), plus the
decoder's context on the right: a small chunk is low latency, a large one less
work per sample. Here the
"language model" replays the codes of a synthetic clip frame by frame, and the
blocks are written to a WAV file as they arrive with ``audio_write_stream``.

    python examples/stream_decode.py [--codec debug] [--seconds 6] [--chunk-seconds 0.25] [--out streamed]

It prints how many frames each block waited for, and checks that the streamed audio
equals decoding all the codes at once (within 1e-5).
"""

from __future__ import annotations

import argparse

import torch

import codecreg
from codecreg.testing import synthetic_audio


def generated_frames(codes: torch.Tensor):
    """Stand-in for a language model: the codes ``[B, K, T']``, one frame at a time."""
    for frame in codes.split(1, dim=-1):
        yield frame


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codec", default="debug", help="any codec name with a coding plan (default: debug)")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--chunk-seconds", type=float, default=0.25, help="audio per block (latency)")
    parser.add_argument("--out", default="streamed", help="output stem (a .wav is added)")
    args = parser.parse_args(argv)

    codec = codecreg.load_codec(args.codec)
    codec.set_chunk_seconds(args.chunk_seconds)
    audio = synthetic_audio(codec.channels, int(args.seconds * codec.sample_rate), codec.sample_rate)
    codes, scale = codec.encode(audio)
    if scale is not None:
        raise SystemExit(f"{args.codec} renormalizes each segment: stream its (codes, scale) pairs instead")

    blocks, frames_seen = [], 0
    with codecreg.audio_write_stream(args.out, codec.sample_rate, codec.channels) as out:
        frames = generated_frames(codes)

        def counted():
            nonlocal frames_seen
            for frame in frames:
                frames_seen += 1
                yield frame

        for block in codec.decode_stream(counted(), length=audio.shape[-1]):
            out.write(block[0])
            blocks.append(block)
            heard = sum(b.shape[-1] for b in blocks) / codec.sample_rate
            print(f"after {frames_seen:4d} frames: {heard:6.2f} s of audio playable")

    streamed = torch.cat(blocks, dim=-1)
    error = float((streamed - codec.decode(codes, length=audio.shape[-1])).abs().max())
    print(f"wrote {out.path}; streamed vs one-pass decoding: max difference {error:.2g}")
    return error


if __name__ == "__main__":
    main()
