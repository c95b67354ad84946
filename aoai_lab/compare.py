"""Compare: one prompt sent to two deployments (or one deployment with two settings), side by side.

Both replies stream "at once" by taking turns: each stream's next batch is read in turn, in the
session's own thread. Worker threads would read faster, but the classroom's limits find the
seat in the running session (``aoai_lab.classroom.seat``), which a worker thread does not have.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from aoai_lab.models import family_of
from aoai_lab.request import ChatParams


@dataclass(frozen=True)
class Variant:
    """The second side of a comparison: a deployment and the setting that differs."""

    deployment: str
    reasoning_effort: str | None = None
    temperature: float | None = None


def variant_params(variant: Variant, *, max_length: int, effort_allowed: Sequence[str]) -> ChatParams:
    """``variant``'s parameters, named for its own deployment's family (it may differ from the chat's)."""
    effort = variant.reasoning_effort if variant.reasoning_effort in effort_allowed else None
    return ChatParams.for_family(
        family_of(variant.deployment),
        max_length=max_length,
        temperature=variant.temperature,
        reasoning_effort=effort,
    )


def interleave(streams: Sequence[Iterable[str]]) -> Iterator[tuple[int, str]]:
    """``(index, text)`` batches from every stream, taking turns until all have ended."""
    running = {index: iter(stream) for index, stream in enumerate(streams)}
    while running:
        for index in list(running):
            try:
                yield index, next(running[index])
            except StopIteration:
                del running[index]
