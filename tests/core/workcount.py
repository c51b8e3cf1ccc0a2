"""Measures of the work a function does that do not move with the machine's load.

Shared by the linear-time tests (``test_linear_*.py``): a count of the lines of Python
run, the growth of that count when the input doubles, and, where the slow part runs in C
and no Python line counts it, the CPU time of a hostile input over a plain one of the
same length.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import markdown

import briefreader


class CountedList(list[tuple[int, int]]):
    """A list that counts the items read from it by iteration."""

    reads = 0

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for item in super().__iter__():
            CountedList.reads += 1
            yield item


def lines_run(work: Callable[[], object]) -> int:
    """How many lines of Python the app (and Python-Markdown) runs for ``work``: a count
    of the work done that does not move with the machine's load."""
    roots = (str(Path(briefreader.__file__).parent), str(Path(markdown.__file__).parent))
    count = 0

    def local(_frame: Any, event: str, _arg: Any) -> Any:
        nonlocal count
        count += event == "line"
        return local

    def enter(frame: Any, _event: str, _arg: Any) -> Any:
        return local if frame.f_code.co_filename.startswith(roots) else None

    sys.settrace(enter)
    try:
        work()
    finally:
        sys.settrace(None)
    return count


def grows_linearly(make: Callable[[int], Callable[[], object]], n: int) -> float:
    """The work for 2n over the work for n (2 when linear, 4 when quadratic)."""
    return lines_run(make(2 * n)) / lines_run(make(n))


def cpu_ratio(work: Callable[[str], object], hostile: str, plain: str, batch: int = 1) -> float:
    """CPU time for ``hostile`` over that for ``plain``, a text of the same length: a
    constant when the work grows with the text, the text's length (or worse) when it grows
    with its square. Best of three each, the two taken in turn, in this process's CPU time
    (other processes' load moves both alike); used only where the slow part runs in C and no
    Python line can count it.

    The collector is off while they run: late in a test session it walks every object the
    earlier tests left, and one full collection landing in one side's runs moved the ratio
    from 0.7 to 1.8."""
    assert len(hostile) == len(plain)

    def batched(text: str) -> None:
        for _ in range(batch):
            work(text)

    return _best_in_turn(batched, hostile, plain, 3)


def cpu_growth(work: Callable[[int], object], small: int, large: int, rounds: int = 3) -> float:
    """CPU time of ``work(large)`` over that of ``work(small)``: ``large / small`` when the
    work grows with its input, its square when quadratic. Best of ``rounds`` each, the two
    taken in turn, with the collector off while they run (see :func:`cpu_ratio`); ``work``
    makes its input outside the time it measures, or inside it for both sizes alike."""
    work(small)  # warm
    return _best_in_turn(work, large, small, rounds)


def _best_in_turn(work: Callable[[Any], object], top: Any, bottom: Any, rounds: int) -> float:
    """The best CPU time of ``work(top)`` over the best of ``work(bottom)``, ``rounds`` of
    each taken in turn, the collector off."""
    times: tuple[list[float], list[float]] = ([], [])
    gc.collect()
    was_on = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for given, taken in zip((top, bottom), times, strict=True):
                t = time.process_time()
                work(given)
                taken.append(time.process_time() - t)
    finally:
        if was_on:
            gc.enable()
    return min(times[0]) / max(min(times[1]), 1e-6)
