"""Core's chunker on its own: stages with context, recurrent state, segments, and the checks that
catch a plan declared wrong."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import codecreg
from codecreg.chunking import Convolutional, Recurrent, SegmentLayout, StagedPlan, receptive_context
from codecreg.chunking.stages import StageChain, run_chain
from codecreg.testing import synthetic_audio

HOP = 8


def conv_stack(seed: int = 0) -> nn.Sequential:
    """A centred kernel-9 convolution, then a strided one: frames of HOP samples."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv1d(1, 4, 9, padding=4), nn.ELU(), nn.Conv1d(4, 3, HOP, stride=HOP)).eval()


def frames_of(stack: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return stack(nn.functional.pad(x, (0, -x.shape[-1] % HOP)))


def test_receptive_context_covers_the_field():
    stack = conv_stack()
    # 9 - 1 + 8 - 1 + 1 = 16 samples = 2 frames, plus one for the strided kernel's offset
    assert receptive_context(stack, HOP) == 3


@pytest.mark.parametrize("chunk", [1, 3, 10, None])
def test_stages_with_enough_context_equal_one_pass(chunk):
    stack = conv_stack()
    x = torch.randn(1, 1, 40 * HOP + 5)
    stage = Convolutional(lambda x: frames_of(stack, x), receptive_context(stack, HOP), steps_in=HOP)
    # equal up to the last bits: oneDNN picks convolution algorithms by input length
    torch.testing.assert_close(run_chain([stage], x, chunk), frames_of(stack, x), rtol=0, atol=1e-6)


def test_too_little_context_changes_frames_at_every_cut():
    """What the context is for: without it, frames beside each chunk edge see padding, not signal."""
    stack = conv_stack()
    x = torch.randn(1, 1, 40 * HOP)
    chunked = run_chain([Convolutional(lambda x: frames_of(stack, x), 0, steps_in=HOP)], x, 10)
    differing = ((chunked - frames_of(stack, x)).abs() > 1e-4).any(dim=1)[0].nonzero().flatten().tolist()
    assert differing and all(frame % 10 in (0, 9) for frame in differing)


def test_recurrent_state_is_carried_between_chunks():
    torch.manual_seed(1)
    lstm = nn.LSTM(3, 3)

    def step(x, state):
        y, state = lstm(x.permute(2, 0, 1), state)
        return y.permute(1, 2, 0), state

    x = torch.randn(1, 3, 50)
    with torch.no_grad():
        whole = step(x, None)[0]
        pieces = StageChain([Recurrent(step)], 7)
        out = [block for part in x.split(11, dim=-1) for block in pieces.feed(part)] + pieces.finish()
        restarted = torch.cat([step(part, None)[0] for part in x.split(11, dim=-1)], dim=-1)
    torch.testing.assert_close(torch.cat(out, dim=-1), whole, rtol=0, atol=1e-6)
    assert not torch.allclose(restarted, whole, atol=1e-3)  # without the state each piece starts over


def test_a_stage_giving_the_wrong_number_of_steps_is_named():
    stage = Convolutional(lambda x: x[..., :-1], 0)
    with pytest.raises(ValueError, match="must give 1 step"):
        run_chain([stage], torch.zeros(1, 1, 10), 4)


def test_segment_counts_and_cover():
    layout = SegmentLayout(48000, 47520, 320)
    assert layout.frames_for(2 * 47520 + 100) == [150, 149, 1]
    assert layout.covered_samples([150, 149, 1]) == 2 * 47520 + 320
    with pytest.raises(ValueError, match="pass the length"):
        layout.frame_counts(299, samples=2 * 47520 + 100)


class WrongContextCodec(codecreg.CompressionModel, nn.Module):
    """A codec that declares no context for a convolution that needs some: the kit must fail it."""

    def __init__(self, context: int):
        nn.Module.__init__(self)
        self.stack = conv_stack()
        self.context = context
        self.set_metadata(sample_rate=800, channels=1, frame_rate=800 / HOP, cardinality=64, total_codebooks=1)

    def coding_plan(self):
        def codes(x):  # the first latent channel in 64 fine bins: any change near a cut shows
            return (frames_of(self.stack, x)[:, :1] * 100).floor().clamp(-32, 31).long() + 32
        encode = Convolutional(codes, self.context, steps_in=HOP)
        decode = Convolutional(lambda c: c.float().repeat_interleave(HOP, dim=-1), 0, steps_out=HOP)
        return StagedPlan([encode], [decode], HOP)

    def decode_latent(self, codes):
        return codes.float()


@pytest.mark.parametrize("context, passes", [(0, False), (3, True)])
def test_the_contract_kit_catches_a_context_declared_too_small(context, passes):
    kit = codecreg.testing.CompressionModelContract()
    codec = WrongContextCodec(context)
    if passes:
        kit.test_chunked_coding_equals_one_pass(codec)
    else:
        with pytest.raises(AssertionError, match="is the declared context too small"):
            kit.test_chunked_coding_equals_one_pass(codec)


def test_streams_take_any_block_sizes_and_refuse_mixed_batches():
    codec = codecreg.load_codec("debug?chunk_seconds=0.3")
    audio = synthetic_audio(1, 32000 * 2 + 77, 32000, batch=2)
    codes, _ = codec.encode(audio)
    streamed = torch.cat([c for c, _ in codec.encode_stream(audio.split(999, dim=-1))], dim=-1)
    assert torch.equal(streamed, codes)
    decoded = torch.cat(list(codec.decode_stream(codes.split(1, dim=-1), length=audio.shape[-1])), dim=-1)
    torch.testing.assert_close(decoded, codec.decode(codes, length=audio.shape[-1]), rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="batch size 2"):
        list(codec.encode_stream([audio, audio[:1]]))
    with pytest.raises(ValueError, match="more samples than the codes cover"):
        list(codec.decode_stream([codes], length=audio.shape[-1] + 10 ** 6))


def test_chunk_seconds_is_a_core_option_kept_out_of_the_name():
    codec = codecreg.load_codec("debug?chunk_seconds=2.5,num_codebooks=2")
    assert codec.chunk_seconds == 2.5 and codec.num_codebooks == 2
    assert codec.name == "debug?num_codebooks=2"
    assert codecreg.load_codec("debug?chunk_seconds=0").chunk_seconds is None
    assert codecreg.load_codec("debug").chunk_seconds == codecreg.CompressionModel.chunk_seconds
    assert codecreg.codec_info("debug?chunk_seconds=3").name == "debug_compression_model"
    for bad in ("-1", "inf", "nan", "soon"):
        with pytest.raises(codecreg.InvalidNameError, match="chunk_seconds must be a number of seconds"):
            codecreg.load_codec(f"debug?chunk_seconds={bad}")


def test_memory_of_a_chain_is_bounded_by_the_chunk():
    """Every call of a stage covers at most chunk + 2 x context frames, however long the input."""
    stack = conv_stack()
    context = receptive_context(stack, HOP)
    seen = []
    stage = Convolutional(lambda x: (seen.append(x.shape[-1]), frames_of(stack, x))[1], context, steps_in=HOP)
    run_chain([stage], torch.randn(1, 1, 1000 * HOP + 3), 20)
    assert len(seen) == math.ceil(1001 / 20) and max(seen) == (20 + 2 * context) * HOP
