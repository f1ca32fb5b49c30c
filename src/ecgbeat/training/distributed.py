"""Distributed data parallel training under ``torchrun``: process group, sharding, reductions."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist

__all__ = ["DistributedContext", "init_distributed"]


@dataclass(frozen=True)
class DistributedContext:
    """Where this process stands in a (possibly single-process) run.

    Examples
    --------
    >>> ctx = DistributedContext()
    >>> ctx.is_main, ctx.world_size
    (True, 1)
    >>> ctx.shard(torch.arange(10)).tolist()
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """True on the process that writes files and shows progress."""
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        """True when more than one process trains."""
        return self.world_size > 1

    def shard(self, order: torch.Tensor) -> torch.Tensor:
        """This rank's share of an epoch's beat order (every rank gets as many beats).

        All ranks draw the same ``order`` from the same seed, so the shards are disjoint
        and cover the epoch without a ``DistributedSampler``.
        """
        usable = len(order) - len(order) % self.world_size
        return order[self.rank : usable : self.world_size]

    def mean(self, value: float) -> float:
        """Average a number over all processes."""
        if not self.enabled:
            return value
        t = torch.tensor([value], dtype=torch.float64)
        dist.all_reduce(t)
        return float(t.item()) / self.world_size

    def broadcast(self, obj: Any) -> Any:
        """The main process's ``obj``, on every process."""
        if not self.enabled:
            return obj
        box = [obj]
        dist.broadcast_object_list(box, src=0)
        return box[0]


def init_distributed(device: torch.device) -> tuple[DistributedContext, torch.device]:
    """Join the process group that ``torchrun`` describes in the environment, if any.

    Without ``torchrun`` (no ``WORLD_SIZE`` > 1 in the environment) this is a no-op that
    returns a single-process context. Under ``torchrun`` it uses NCCL on CUDA (one GPU per
    local rank) and gloo on CPU.

    Returns
    -------
    context : DistributedContext
    device : torch.device
        ``device``, pinned to this process's GPU under CUDA.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return DistributedContext(), device
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if device.type == "cuda":
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    if device.type == "mps":
        raise RuntimeError("distributed training is not supported on MPS; use CPU or CUDA")
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return DistributedContext(rank=rank, world_size=world_size, local_rank=local_rank), device
