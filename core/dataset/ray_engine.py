"""The Ray engine: Ray Data streams the inputs through an actor pool whose actors each load a task once.

The inputs go in as rows (``ray.data.from_items``), each actor runs the task
(``codecreg.dataset.tasks``: the same runner as the local engine's workers, so
the results are identical) on them, and the results stream back to this
process, which writes the shards with the same writer and journal, so resuming
works the same.
Actors ask for a fraction of a CPU: on a small machine, whole-CPU actors leave
Ray's read and write tasks no CPU and the pipeline hangs. With
``device="cuda"`` each actor asks for one GPU. Connects to a running cluster
with ``address`` (``ray://...`` or ``auto``), otherwise starts a local instance
and shuts it down at the end; an instance already started in this process is
used as it is.
"""

from __future__ import annotations

import os
import pickle
from typing import Any, Iterator

from ..errors import MissingDependencyError
from .inputs import Item

RAY_EXTRA = "pip install 'codecreg[ray]'"


def default_actors() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def actor_cpus(cluster_cpus: float, actors: int) -> float:
    """CPUs each actor asks for: the cluster's CPUs less one for Ray's own tasks, shared by the actors,
    at most one each (the torch threads follow this share)."""
    return max(0.25, min(1.0, (cluster_cpus - 1) / actors))


def run_ray(codec_name: str, device: str, work: list[tuple[int, Item]], actors: int, threads: int | None,
            address: str | None) -> Iterator[tuple]:
    """Yield what ``run_local`` yields, the work done by a Ray Data actor pool."""
    from .tasks import TokenizeTask

    return run_task_ray(TokenizeTask(codec_name, device), work, actors, threads, address)


def run_task_ray(task: Any, work: list[tuple[int, Any]], actors: int, threads: int | None,
                 address: str | None) -> Iterator[tuple]:
    """Yield what ``local_engine.run_task_local`` yields, ``task`` run by a Ray Data actor pool."""
    try:
        import ray
    except ImportError:
        raise MissingDependencyError(f"the ray engine needs Ray Data, which is not installed: {RAY_EXTRA}") from None
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 **({} if address else {"num_cpus": os.cpu_count()}))
    try:
        cpus = ray.cluster_resources().get("CPU", 1.0)
        status, description = ray.get(ray.remote(num_cpus=actor_cpus(cpus, 1))(describe_task).remote(task))
        if status == "load_failed":
            raise description
        yield ("ready", description)
        if work:
            yield from _results(ray, task, work, actors, threads or max(1, int(cpus) // actors), cpus)
    finally:
        if started_here:
            ray.shutdown()


def _results(ray: Any, task: Any, work: list[tuple[int, Any]], actors: int, threads: int,
             cpus: float) -> Iterator[tuple]:
    import ray.data

    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # shards then complete in order: few results held
    context.enable_progress_bars = False
    rows = ray.data.from_items([{"index": index, "item": pickle.dumps(item)} for index, item in work],
                               override_num_blocks=max(1, min(len(work), 4 * actors)))
    device = getattr(task, "device", "cpu")
    encoded = rows.map_batches(
        TaskActor, batch_size=1, compute=ray.data.ActorPoolStrategy(size=actors),
        fn_constructor_kwargs={"task": pickle.dumps(task), "threads": threads},
        num_cpus=actor_cpus(cpus, actors), num_gpus=1 if str(device).startswith("cuda") else None)
    for batch in encoded.iter_batches(batch_size=None, batch_format="numpy"):
        for index, result in zip(batch["index"], batch["result"]):
            status, payload = pickle.loads(result)
            yield (status, int(index), payload)


def describe_task(task: Any) -> tuple[str, Any]:
    """``("ready", description)`` of ``task`` loaded where Ray runs it, or ``("load_failed", error)``
    (returned, not raised: Ray would wrap it)."""
    from .tasks import portable_error

    try:
        return ("ready", task.load().description)
    except Exception as error:
        return ("load_failed", portable_error(error))


class TaskActor:
    """A Ray Data actor: the task loaded once, then its runner on each row."""

    def __init__(self, task: bytes, threads: int):
        import torch

        torch.set_num_threads(threads)
        self.runner = pickle.loads(task).load()

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        from .encoding import failure_reason

        results = []
        for data in batch["item"]:
            item = pickle.loads(data)
            try:
                result = ("done", self.runner.run(item, self.runner.read(item)))
            except Exception as error:  # recorded as this input's failure
                result = ("failed", failure_reason(error))
            results.append(pickle.dumps(result))
        return {"index": np.asarray(batch["index"]), "result": np.array(results, dtype=object)}
