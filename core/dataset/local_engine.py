"""The local engine: a pool of worker processes on this machine, each loading a task's models once.

Each worker divides the machine's torch threads with the others and reads the
next input in a thread while it encodes the current one (the parent keeps two
inputs in flight per worker). Results come back in any order; the job puts
them into shards by input order, so the rows do not depend on the number of
workers. A worker that dies (out of memory, a segfault) is replaced: the input
it was encoding is tried once more, alone in a worker, and then recorded as
failed; the input it had only started reading is handed out again.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Iterator

from ..errors import CodecregError
from .inputs import Item

IN_FLIGHT = 2  # per worker: one encoding, one being read
ATTEMPTS = 2  # an input whose worker died is tried once more


def default_workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))


def run_local(codec_name: str, device: str, work: list[tuple[int, Item]], workers: int,
              threads: int | None = None) -> Iterator[tuple]:
    """Yield ``("ready", description)`` once the codec is loaded, then ``("done", index, EncodedItem)``
    or ``("failed", index, reason)`` for each of ``work``'s ``(index, item)``, in any order."""
    from .tasks import TokenizeTask

    return run_task_local(TokenizeTask(codec_name, device), work, workers, threads)


def run_task_local(task: Any, work: list[tuple[int, Any]], workers: int,
                   threads: int | None = None) -> Iterator[tuple]:
    """``task`` (``codecreg.dataset.tasks``) on ``work`` in ``workers`` processes: ``("ready", description)``
    once every worker has loaded it, then ``("done", index, result)`` or ``("failed", index, reason)``
    for each ``(index, item)``, in any order."""
    if workers < 1:
        raise CodecregError(f"--workers must be at least 1, got {workers}")
    workers = min(workers, max(1, len(work)))
    threads_each = max(1, (threads or os.cpu_count() or 1) // workers)
    pool = _Pool(task, threads_each)
    try:
        yield ("ready", pool.start(workers))
        yield from pool.results(work)
    finally:
        pool.stop()


@dataclass
class _Worker:
    process: subprocess.Popen
    conn: Connection
    in_flight: deque = field(default_factory=deque)
    alone: bool = False  # running a retry: nothing else is sent to it meanwhile


class _Pool:
    def __init__(self, task: Any, threads: int):
        self.task = task
        self.arguments = [str(threads)]
        self.workers: list[_Worker] = []

    def start(self, count: int) -> dict:
        self.workers = [self._spawn() for _ in range(count)]
        descriptions = [self._ready(worker) for worker in self.workers]
        return descriptions[0]

    def _spawn(self) -> _Worker:
        """A fresh interpreter running ``local_worker`` (not a fork of this one, which may hold torch
        threads, and not multiprocessing's spawn, which would run the caller's script again)."""
        parent_end, child_end = socket.socketpair()
        environment = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, sys.path)))
        # numpy's BLAS gets the worker's share of threads too, as Ray gives its actors (OMP_NUM_THREADS):
        # no oversubscription, and the engines compute alike
        environment.setdefault("OMP_NUM_THREADS", self.arguments[0])
        process = subprocess.Popen(
            [sys.executable, "-m", "codecreg.dataset.local_worker", str(child_end.fileno()), *self.arguments],
            pass_fds=[child_end.fileno()], env=environment, stdin=subprocess.DEVNULL)
        child_end.close()
        worker = _Worker(process, Connection(parent_end.detach()))
        try:
            worker.conn.send(self.task)
        except OSError:  # it died at once: _ready says so
            pass
        return worker

    def _ready(self, worker: _Worker) -> dict:
        try:
            message = worker.conn.recv()
        except EOFError:
            raise CodecregError(f"a worker died while loading the codec (exit code "
                                f"{worker.process.wait()}); out of memory? Try fewer --workers") from None
        if message[0] == "load_failed":
            raise message[1] if isinstance(message[1], BaseException) else CodecregError(str(message[1]))
        return message[1]

    def results(self, work: list[tuple[int, Item]]) -> Iterator[tuple]:
        items = dict(work)
        waiting = deque(index for index, _ in work)
        retries: deque[int] = deque()
        attempts: dict[int, int] = {}
        remaining = len(work)
        while remaining:
            self._dispatch(items, waiting, retries)
            ready = wait([worker.conn for worker in self.workers])
            for worker in [worker for worker in self.workers if worker.conn in ready]:
                for message in self._drain(worker):
                    worker.in_flight.remove(message[1])
                    worker.alone = False
                    remaining -= 1
                    yield message
                if worker.conn.closed:  # its end of the socket closed: the process has gone
                    remaining -= yield from self._replace(worker, attempts, waiting, retries)

    def _dispatch(self, items: dict, waiting: deque, retries: deque) -> None:
        for worker in self.workers:
            if retries and not worker.in_flight:
                index = retries.popleft()
                worker.alone = True
            elif waiting and not worker.alone and len(worker.in_flight) < IN_FLIGHT:
                index = waiting.popleft()
            else:
                continue
            worker.in_flight.append(index)
            try:
                worker.conn.send((index, items[index]))
            except OSError:  # it has just died: the next wait sees its sentinel and hands the input out again
                pass

    def _drain(self, worker: _Worker) -> list[tuple]:
        """The results ``worker`` has sent; closes its connection when it has gone."""
        messages = []
        try:
            while worker.conn.poll():
                messages.append(worker.conn.recv())
        except (EOFError, OSError):
            worker.conn.close()
        return messages

    def _replace(self, worker: _Worker, attempts: dict, waiting: deque, retries: deque) -> Iterator[tuple]:
        """Start a worker in place of ``worker``, which died; its current input is retried or failed."""
        code = worker.process.wait()
        self.workers.remove(worker)
        failed = 0
        if worker.in_flight:
            current, *started = worker.in_flight
            waiting.extendleft(reversed(started))
            attempts[current] = attempts.get(current, 0) + 1
            if attempts[current] >= ATTEMPTS:
                failed = 1
                how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
                yield ("failed", current, f"the worker encoding it died {ATTEMPTS} times ({how}); "
                                          "out of memory? Try fewer --workers or split the input")
            else:
                retries.append(current)
        replacement = self._spawn()
        self._ready(replacement)
        self.workers.append(replacement)
        return failed

    def stop(self) -> None:
        for worker in self.workers:
            try:
                worker.conn.send(None)
            except OSError:
                pass
        for worker in self.workers:
            try:
                worker.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
            worker.conn.close()
        self.workers = []

