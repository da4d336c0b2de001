"""The Ray engine: Ray Data streams the inputs through an actor pool whose actors each load the codec once.

The inputs go in as rows (``ray.data.from_items``), each actor runs
``encode_item`` on them (the same function as the local engine, so the rows are
identical), and the results stream back to this process, which writes the
shards with the same shard writer and journal, so resuming works the same.
Actors ask for a fraction of a CPU: on a small machine, whole-CPU actors leave
Ray's read and write tasks no CPU and the pipeline hangs. With
``device="cuda"`` each actor asks for one GPU. Connects to a running cluster
with ``address`` (``ray://...`` or ``auto``), otherwise starts a local instance
and shuts it down at the end; an instance already started in this process is
used as it is.
"""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import asdict
from typing import Any, Iterator

from ..errors import CodecregError, MissingDependencyError
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
        yield ("codec", ray.get(ray.remote(num_cpus=actor_cpus(cpus, 1))(describe_codec).remote(codec_name)))
        if work:
            yield from _results(ray, codec_name, device, work, actors, threads or max(1, int(cpus) // actors), cpus)
    finally:
        if started_here:
            ray.shutdown()


def _results(ray: Any, codec_name: str, device: str, work: list[tuple[int, Item]], actors: int, threads: int,
             cpus: float) -> Iterator[tuple]:
    import ray.data

    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # shards then complete in order: few results held
    context.enable_progress_bars = False
    rows = ray.data.from_items([{"index": index, "item": json.dumps(asdict(item))} for index, item in work],
                               override_num_blocks=max(1, min(len(work), 4 * actors)))
    encoded = rows.map_batches(
        ItemEncoder, batch_size=1, compute=ray.data.ActorPoolStrategy(size=actors),
        fn_constructor_kwargs={"codec_name": codec_name, "device": device, "threads": threads},
        num_cpus=actor_cpus(cpus, actors), num_gpus=1 if str(device).startswith("cuda") else None)
    for batch in encoded.iter_batches(batch_size=None, batch_format="numpy"):
        for index, result in zip(batch["index"], batch["result"]):
            status, payload = pickle.loads(result)
            yield (status, int(index), payload)


def describe_codec(codec_name: str) -> dict:
    """The codec's part of the dataset metadata, loaded where Ray runs it."""
    from ..registry.loading import load_codec
    from .metadata import codec_description

    try:
        return codec_description(load_codec(codec_name))
    except Exception as error:  # Ray would wrap it: say it plainly
        raise CodecregError(f"cannot load the codec {codec_name!r}: {type(error).__name__}: {error}") from None


class ItemEncoder:
    """A Ray Data actor: the codec loaded once, then ``encode_item`` on each row."""

    def __init__(self, codec_name: str, device: str, threads: int):
        import torch

        from ..registry.loading import load_codec

        torch.set_num_threads(threads)
        self.codec = load_codec(codec_name, device=device)
        self.device = device

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        from .encoding import encode_item, failure_reason

        results = []
        for text in batch["item"]:
            try:
                result = ("done", encode_item(self.codec, Item(**json.loads(text)), self.device))
            except Exception as error:  # recorded as this input's failure
                result = ("failed", failure_reason(error))
            results.append(pickle.dumps(result))
        return {"index": np.asarray(batch["index"]), "result": np.array(results, dtype=object)}
