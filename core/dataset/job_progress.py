"""What a tokenization job shows while it runs and says when it ends.

A bar over the inputs (files or segments) with the hours of audio done and the
throughput in audio seconds per second, its ETA from tqdm; at the end a summary:
hours in, tokens out, failures, throughput and the size of the shards.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class JobSummary:
    """The figures of one run of a job (``inputs_done`` and the rest count this run's work only)."""

    inputs: int
    inputs_done: int = 0
    already_done: int = 0
    failures: int = 0  # in the whole dataset, earlier runs included
    audio_seconds: float = 0.0
    tokens: int = 0
    seconds: float = 0.0
    output_bytes: int = 0
    startup_seconds: float = 0.0  # until the codec was loaded (workers or Ray started)
    skipped: list[Path] = field(default_factory=list)  # files in folders left out for their suffix

    @property
    def throughput(self) -> float:
        """Audio seconds encoded per second of wall time, start-up included."""
        return self.audio_seconds / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        done = f"tokenized {self.inputs_done} of {self.inputs} input(s)"
        if self.already_done:
            done += f" ({self.already_done} done by an earlier run)"
        return [
            done,
            f"audio in: {self.audio_seconds / 3600:.3f} h; tokens out: {self.tokens}; "
            f"failures: {self.failures}" + (" (see _errors.csv)" if self.failures else ""),
            f"throughput: {self.throughput:.1f} audio s/s over {self.seconds:.1f} s "
            f"(start-up {self.startup_seconds:.1f} s); shards: {self.output_bytes / 2 ** 20:.2f} MiB",
        ]


class JobProgress:
    """The bar of a running job: ``advance`` once per input finished."""

    def __init__(self, total: int, enabled: bool = True, description: str = "tokenize"):
        self.started = time.perf_counter()
        self.audio_seconds = 0.0
        self.bar = None
        if enabled and total:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                return
            self.bar = tqdm(total=total, desc=description, unit="input", file=sys.stderr, disable=None,
                            dynamic_ncols=True)

    def advance(self, audio_seconds: float) -> None:
        self.audio_seconds += audio_seconds
        if self.bar is not None:
            elapsed = time.perf_counter() - self.started
            self.bar.set_postfix_str(f"{self.audio_seconds / 3600:.3f} h audio, "
                                     f"{self.audio_seconds / elapsed if elapsed else 0:.1f} audio s/s",
                                     refresh=False)
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
