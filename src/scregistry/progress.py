"""Progress bars for long work, on stderr, only when stderr is a terminal.

Off by default for library calls; the command line switches them on. Anything that
takes more than about a second (many catalogs, many year files) shows one.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Iterator

_enabled = False


def enable(on: bool = True) -> None:
    """Show progress bars from now on (when stderr is a terminal)."""
    global _enabled
    _enabled = on


def active() -> bool:
    """True when a progress bar would be shown."""
    return _enabled and sys.stderr.isatty()


class _Lazy:
    """Counts work; draws a bar (tqdm) only once the work has taken more than a second."""

    def __init__(self, total: int, what: str) -> None:
        self.total, self.what = total, what
        self.count = 0
        self.started = time.monotonic()
        self.bar = None

    def update(self, n: int = 1) -> None:
        self.count += n
        if self.bar is None and time.monotonic() - self.started > _DELAY and self.count < self.total:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, initial=self.count, desc=self.what, unit="", file=sys.stderr,
                            leave=False)
        elif self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


#: Work shorter than this shows no bar.
_DELAY = 1.0


@contextmanager
def bar(total: int, what: str) -> Iterator[object]:
    """A progress counter for ``total`` items of ``what``; drawn on stderr after a second of work."""
    if not active() or total < 2:
        yield _Lazy(0, what)  # never draws: its total is reached at once
        return
    counter = _Lazy(total, what)
    try:
        yield counter
    finally:
        counter.close()
