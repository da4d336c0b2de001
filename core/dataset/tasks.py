"""What an engine's workers run: a task that loads its models once, then reads and processes one input at a time.

A task is a small picklable object (it travels to worker processes and Ray
actors) with a ``device`` and ``load()``; ``load`` builds the models where the
worker runs and returns a runner: ``description`` (a dict the job checks
before any input is processed), ``read(item)`` (run in a read-ahead thread
while the previous input is processed) and ``run(item, source)`` (the result
sent back to the job). ``TokenizeTask`` encodes for ``codecreg tokenize``;
``codecreg.study.study_task.CompareTask`` encodes, decodes and scores for
``codecreg compare``. The engines (``local_engine``, ``ray_engine``) know
nothing else of a task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ..errors import CodecregError
from .inputs import Item


@dataclass(frozen=True)
class TokenizeTask:
    """Encode each input with one codec: the result is an ``EncodedItem``."""

    codec_name: str
    device: str = "cpu"

    def load(self) -> "_TokenizeRunner":
        from ..registry.loading import load_codec

        try:
            return _TokenizeRunner(load_codec(self.codec_name, device=self.device), self.device)
        except Exception as error:  # the job stops with it, whatever the engine
            raise CodecregError(f"cannot load the codec {self.codec_name!r}: {type(error).__name__}: {error}") \
                from None


class _TokenizeRunner:
    def __init__(self, codec: Any, device: str):
        from .metadata import codec_description

        self.codec, self.device = codec, device
        self.description = codec_description(codec)

    def read(self, item: Item) -> Any:
        from .encoding import read_item

        return read_item(item, self.codec)

    def run(self, item: Item, source: Any) -> Any:
        from .encoding import encode_audio

        return encode_audio(self.codec, item, source, self.device)


def run_inline(task: Any, work: list[tuple[int, Any]], threads: int | None = None) -> Iterator[tuple]:
    """The engines' events, the work done in this process: ``("ready", description)``, then
    ``("done", index, result)`` or ``("failed", index, reason)`` per input, in order."""
    from .encoding import failure_reason

    if threads:
        import torch

        torch.set_num_threads(threads)
    runner = task.load()
    yield ("ready", runner.description)
    for index, item in work:
        try:
            result = ("done", index, runner.run(item, runner.read(item)))
        except Exception as error:  # recorded as this input's failure
            result = ("failed", index, failure_reason(error))
        yield result


def portable_error(error: BaseException) -> BaseException:
    """``error`` if it survives pickling (it is sent to the job's process), else a ``CodecregError`` saying it."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return CodecregError(f"{type(error).__name__}: {error}")
