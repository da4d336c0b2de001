"""A worker process of the local engine: load the codec once, then read and encode what the parent sends.

Started as ``python -m codecreg.dataset.local_worker FD CODEC DEVICE THREADS``,
FD being its end of a socket to the parent. A thread reads the next input
while the codec encodes the current one.
"""

from __future__ import annotations

import queue
import sys
import threading
from multiprocessing.connection import Connection


def worker_main(conn: Connection, codec_name: str, device: str, threads: int) -> None:
    """A worker process: load the codec once, then read and encode the inputs the parent sends."""
    import torch

    from ..registry.loading import load_codec
    from .encoding import encode_audio, failure_reason, read_item
    from .metadata import codec_description

    torch.set_num_threads(threads)
    try:
        codec = load_codec(codec_name, device=device)
    except Exception as error:  # reported to the parent, which stops the job with it
        conn.send(("load_failed", f"cannot load the codec {codec_name!r}: {type(error).__name__}: {error}"))
        return
    conn.send(("ready", codec_description(codec)))
    sources: queue.Queue = queue.Queue(maxsize=1)

    def read_ahead() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                message = None
            if message is None:
                sources.put(None)
                return
            index, item = message
            try:
                sources.put((index, item, read_item(item, codec), None))
            except Exception as error:  # recorded as this input's failure
                sources.put((index, item, None, failure_reason(error)))

    threading.Thread(target=read_ahead, daemon=True).start()
    while (entry := sources.get()) is not None:
        index, item, source, reason = entry
        if reason is None:
            try:
                conn.send(("done", index, encode_audio(codec, item, source, device)))
                continue
            except Exception as error:  # recorded as this input's failure
                reason = failure_reason(error)
        conn.send(("failed", index, reason))


if __name__ == "__main__":
    descriptor, name, device_name, thread_count = sys.argv[1:]
    worker_main(Connection(int(descriptor)), name, device_name, int(thread_count))
