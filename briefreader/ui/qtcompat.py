"""Where the window meets the Qt binding's rough edges.

PySide6-Essentials 6.12.0 on CPython 3.11 drops a reference to ``None`` on every void call
from Python and one to ``True`` on every ``Signal.emit()`` (the binding treats them as
immortal, which they are only from CPython 3.12 on); after some thousands of calls the
interpreter aborts with "Fatal Python error: none_dealloc". pyproject.toml therefore pins
6.11.3, which does not, and ``tests/ui/test_qtcompat.py`` fails if a pinned binding leaks.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


def emit(signal: Any, *args: Any) -> None:
    """Emit a signal, skipping one whose object is already gone.

    A background job may finish after its window closed: nobody is left to tell, and that
    is not an error.
    """
    try:
        signal.emit(*args)
    except RuntimeError:
        log.debug("signal source deleted; %s not delivered", signal)
