"""Whoosh's multi-process writer, its helpers started the way :mod:`briefreader.core.processes`
chooses and ended with their parent.

Whoosh-Reloaded 2.7.5's ``MpWriter`` starts its helpers with ``multiprocessing.Process`` and
``Queue``, so they get whatever this process's default start method is (``fork`` on Linux
up to Python 3.13, ``spawn`` on Windows and macOS), and a helper whose parent is killed waits
on its job queue forever. Here the queues and the helpers come from the one context the core
chooses, each helper calls :func:`~briefreader.core.processes.die_with_parent` first, and a
cancelled writer ends its helpers (Whoosh's ``cancel`` only flags the parent's copy of each
helper, and the helpers, left waiting, kept the process from exiting).

Under ``spawn`` a helper is pickled whole (the index's storage, the writer's settings, the
queues) and imports this module again; its documents reach it through job files as before.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from whoosh.multiproc import MpWriter, SubWriterTask

from briefreader.core import processes

if TYPE_CHECKING:
    from multiprocessing.context import ForkContext, SpawnContext


class _Helper(SubWriterTask):  # type: ignore[misc]
    """One of the writer's helper processes, started with the context the core chose."""

    def __init__(self, context: ForkContext | SpawnContext, *args: Any) -> None:
        super().__init__(*args)
        self.helper_context = context
        self.daemon = True  # never waited for at exit: the writer collects its work first

    def _Popen(self, process_obj: Any) -> Any:
        # multiprocessing.Process calls self._Popen(self): the default context's way to
        # start a process. This helper's own context starts it instead.
        return self.helper_context.Process._Popen(process_obj)

    def run(self) -> None:
        processes.die_with_parent()
        super().run()


class BulkWriter(MpWriter):  # type: ignore[misc]
    """Whoosh's ``MpWriter`` with its helpers started in the core's chosen way."""

    def __init__(self, ix: Any, procs: int, **kwargs: Any) -> None:
        super().__init__(ix, procs=procs, **kwargs)
        self.helper_context = ctx = processes.context()
        # Queues from the helpers' own context: a queue made for one start method cannot be
        # handed to a process started with another.
        self.jobqueue = ctx.Queue(self.procs * 4)
        self.resultqueue = ctx.Queue()

    def _new_task(self) -> Any:
        task = _Helper(
            self.helper_context,
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            self.multisegment,
        )
        self.tasks.append(task)
        task.start()
        return task

    def cancel(self) -> None:
        try:
            for task in self.tasks:
                with contextlib.suppress(Exception):
                    task.terminate()
            for task in self.tasks:
                with contextlib.suppress(Exception):
                    task.join(5)
        finally:
            super().cancel()


def bulk_writer(ix: Any, procs: int, **kwargs: Any) -> Any:
    """A writer spreading analysis over ``procs`` helper processes (``ix.writer(procs=...)``
    with the helpers started as the core chooses)."""
    return BulkWriter(ix, procs=procs, **kwargs)


__all__ = ["BulkWriter", "bulk_writer"]
