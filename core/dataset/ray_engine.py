"""The Ray engine: a pool of Ray actors, each loading a task once, fed like the local pool.

The driver starts the actors, waits until each has loaded the task's models
(the job's start-up, as the local engine counts it), then keeps two inputs in
flight per actor and takes the results as they come; each actor runs the task
(``codecreg.dataset.tasks``: the same runner as the local engine's workers, so
the results are identical), and this process writes them with the same writer
and journal, so resuming works the same. Plain actors rather than Ray Data's actor pool: on 2 cores Ray Data
took 7 s more than plain actors to give its first result and 0.72x the local
engine's speed after start-up (docs/tokenize.md). An actor that dies is
restarted by Ray; its current input is tried once more, then recorded as
failed, and the inputs queued behind it are handed out again; it gets no input
until it answers again, since a call sent while Ray restarts it fails without
running and would be counted against an input that never killed anything. Actors ask for a
fraction of a CPU, the cluster's CPUs less one for Ray's own processes; with
``device="cuda"`` each asks for one GPU. Connects to a running cluster with
``address`` (``ray://...`` or ``auto``), otherwise starts a local instance and
shuts it down at the end; an instance already started in this process is used
as it is.
"""

from __future__ import annotations

import os
import time
from collections import deque
from typing import Any, Iterator

from ..errors import CodecregError, MissingDependencyError
from .inputs import Item
from .local_engine import ATTEMPTS, IN_FLIGHT

RAY_EXTRA = "pip install 'codecreg[ray]'"
RESTART_SECONDS = 300.0  # how long a restarting actor may stay unavailable before it is fed no more


def default_actors() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def actor_cpus(cluster_cpus: float, actors: int) -> float:
    """CPUs each actor asks for: the cluster's CPUs less one for Ray's own tasks, shared by the actors,
    at most one each (the torch threads follow this share)."""
    return max(0.25, min(1.0, (cluster_cpus - 1) / actors))


def run_ray(codec_name: str, device: str, work: list[tuple[int, Item]], actors: int, threads: int | None,
            address: str | None) -> Iterator[tuple]:
    """Yield what ``run_local`` yields, the work done by a pool of Ray actors."""
    from .tasks import TokenizeTask

    return run_task_ray(TokenizeTask(codec_name, device), work, actors, threads, address)


def run_task_ray(task: Any, work: list[tuple[int, Any]], actors: int, threads: int | None,
                 address: str | None) -> Iterator[tuple]:
    """Yield what ``local_engine.run_task_local`` yields, ``task`` run by a pool of Ray actors."""
    try:
        import ray
    except ImportError:
        raise MissingDependencyError(f"the ray engine needs Ray, which is not installed: {RAY_EXTRA}") from None
    if actors < 1:
        raise CodecregError(f"--workers must be at least 1, got {actors}")
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 **({} if address else {"num_cpus": os.cpu_count()}))
    try:
        cpus = ray.cluster_resources().get("CPU", 1.0)
        actors = min(actors, max(1, len(work)))
        # --threads is the job's total, divided among the actors as among local workers
        pool = _ActorPool(ray, task, actors, max(1, (threads or int(cpus)) // actors), actor_cpus(cpus, actors))
        yield ("ready", pool.start())
        yield from pool.results(work)
    finally:
        if started_here:
            ray.shutdown()


class _ActorPool:
    """The actors and what each has in flight, oldest first (the first one is being encoded)."""

    def __init__(self, ray: Any, task: Any, size: int, threads: int, cpus: float):
        self.ray = ray
        gpus = 1 if str(getattr(task, "device", "cpu")).startswith("cuda") else 0
        actor_class = ray.remote(TaskActor).options(num_cpus=cpus, num_gpus=gpus, max_restarts=-1)
        self.actors = [actor_class.remote(task, threads) for _ in range(size)]
        self.in_flight: dict[Any, deque] = {actor: deque() for actor in self.actors}  # (index, ref), oldest first
        self.running: dict[Any, Any] = {}  # result ref -> actor
        self.restarting: dict[Any, Any] = {}  # describe ref -> an actor Ray restarts, fed again once it answers
        self.died_at: dict[Any, float] = {}  # a restarting actor -> when its death was seen
        self.retired: set = set()  # actors that did not start again: fed no more

    def start(self) -> dict:
        """The task's description, once every actor has loaded it."""
        try:
            loaded = self.ray.get([actor.describe.remote() for actor in self.actors])
        except self.ray.exceptions.RayActorError as error:
            raise CodecregError(f"a worker died while loading the codec; out of memory? Try fewer "
                                f"--workers ({type(error).__name__}: {str(error).splitlines()[0]})") from None
        for status, description in loaded:
            if status == "load_failed":
                raise description
        return loaded[0][1]

    def results(self, work: list[tuple[int, Item]]) -> Iterator[tuple]:
        items = dict(work)
        waiting = deque(index for index, _ in work)
        attempts: dict[int, int] = {}
        self._dispatch(items, waiting)
        while self.running or self.restarting:
            [ref], _ = self.ray.wait([*self.running, *self.restarting], num_returns=1)
            if ref in self.restarting:
                self._restarted(self.restarting.pop(ref), ref)
            else:
                actor = self.running[ref]
                try:
                    status, payload = self.ray.get(ref)
                except self.ray.exceptions.RayActorError as error:
                    yield from self._lost(actor, attempts, waiting, error)
                else:
                    del self.running[ref]
                    index, _ = self.in_flight[actor].popleft()  # an actor runs its calls in order
                    yield (status, index, payload)
            self._dispatch(items, waiting)
        if waiting:
            raise CodecregError(f"every worker died while restarting, {len(waiting)} inputs not tokenized; "
                                "out of memory? Try fewer --workers, then run the same command again to resume")

    def _dispatch(self, items: dict[int, Any], waiting: deque) -> None:
        for actor in self.actors:
            if actor in self.retired or actor in self.restarting.values():
                continue
            while waiting and len(self.in_flight[actor]) < IN_FLIGHT:
                index = waiting.popleft()
                ref = actor.run.remote(items[index])
                self.in_flight[actor].append((index, ref))
                self.running[ref] = actor

    def _lost(self, actor: Any, attempts: dict[int, int], waiting: deque, error: Exception) -> Iterator[tuple]:
        """``actor`` died (Ray restarts it). Its calls ran in order: those that finished are results;
        the first that did not is the input it died on, tried again or failed; the ones after it
        are handed out again. The actor gets no input until it answers again: a call sent while
        Ray restarts it can fail without having run, and must not count as an attempt."""
        calls = list(self.in_flight[actor])
        self.in_flight[actor].clear()
        for _, ref in calls:
            del self.running[ref]
        self.restarting[actor.describe.remote()] = actor
        self.died_at[actor] = time.monotonic()
        current, queued = None, []
        for position, (index, ref) in enumerate(calls):
            try:
                status, payload = self.ray.get(ref)
            except self.ray.exceptions.RayActorError:
                current, queued = index, [queued_index for queued_index, _ in calls[position + 1:]]
                break
            yield (status, index, payload)
        if current is None:  # it died between inputs
            return
        waiting.extendleft(reversed(queued))
        attempts[current] = attempts.get(current, 0) + 1
        if attempts[current] < ATTEMPTS:
            waiting.appendleft(current)
            return
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        yield ("failed", current, f"the worker encoding it died {ATTEMPTS} times (Ray: {reason}); "
                                  "out of memory? Try fewer --workers or split the input")

    def _restarted(self, actor: Any, describe: Any) -> None:
        """The restarted ``actor`` answered: fed again if it loaded its task. While Ray restarts it, a
        call fails at once (ActorUnavailableError): asked again, for up to RESTART_SECONDS."""
        try:
            status, _ = self.ray.get(describe)
        except self.ray.exceptions.ActorUnavailableError:
            if time.monotonic() - self.died_at[actor] < RESTART_SECONDS:
                time.sleep(0.1)
                self.restarting[actor.describe.remote()] = actor
                return
            status = "unavailable"
        except self.ray.exceptions.RayActorError:
            status = "died"
        del self.died_at[actor]
        if status != "ready":
            self.retired.add(actor)


class TaskActor:
    """A Ray actor: the task loaded once, then its runner on each input."""

    def __init__(self, task: Any, threads: int):
        import torch

        from .tasks import portable_error

        torch.set_num_threads(threads)
        try:
            self.runner, self.load_error = task.load(), None
        except Exception as error:  # returned by describe, not raised: Ray would wrap it
            self.runner, self.load_error = None, portable_error(error)

    def describe(self) -> tuple[str, Any]:
        """``("ready", description)``, or ``("load_failed", error)`` when the task did not load."""
        return ("load_failed", self.load_error) if self.runner is None else ("ready", self.runner.description)

    def run(self, item: Any) -> tuple:
        """``("done", result)`` or ``("failed", reason)`` for one input."""
        from .encoding import failure_reason

        try:
            return ("done", self.runner.run(item, self.runner.read(item)))
        except Exception as error:  # recorded as this input's failure
            return ("failed", failure_reason(error))
