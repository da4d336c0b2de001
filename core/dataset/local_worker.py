"""A worker process of the local engine: load a task once, then read and process what the parent sends.

Started as ``python -m codecreg.dataset.local_worker FD THREADS``, FD being its
end of a socket to the parent, which first sends the task
(``codecreg.dataset.tasks``). A thread reads the next input while the task
processes the current one.
"""

from __future__ import annotations

import queue
import sys
import threading
from multiprocessing.connection import Connection


def worker_main(conn: Connection, threads: int) -> None:
    """A worker process: load the task the parent sends once, then read and process the inputs it sends."""
    import torch

    from .encoding import failure_reason
    from .tasks import portable_error

    torch.set_num_threads(threads)
    try:
        task = conn.recv()
    except (EOFError, OSError):
        return
    try:
        runner = task.load()
    except Exception as error:  # reported to the parent, which stops the job with it
        conn.send(("load_failed", portable_error(error)))
        return
    conn.send(("ready", runner.description))
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
                sources.put((index, item, runner.read(item), None))
            except Exception as error:  # recorded as this input's failure
                sources.put((index, item, None, failure_reason(error)))

    threading.Thread(target=read_ahead, daemon=True).start()
    while (entry := sources.get()) is not None:
        index, item, source, reason = entry
        if reason is None:
            try:
                conn.send(("done", index, runner.run(item, source)))
                continue
            except Exception as error:  # recorded as this input's failure
                reason = failure_reason(error)
        conn.send(("failed", index, reason))


if __name__ == "__main__":
    descriptor, thread_count = sys.argv[1:]
    worker_main(Connection(int(descriptor)), int(thread_count))
