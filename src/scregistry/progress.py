"""Progress bars for long work, on stderr, only when stderr is a terminal.

Off by default for library calls; the command line switches them on. Anything that
takes more than about a second (many catalogs, many year files) shows one.
"""

from __future__ import annotations

import sys
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


class _Null:
    def update(self, n: int = 1) -> None:
        pass


@contextmanager
def bar(total: int, what: str) -> Iterator[object]:
    """A progress bar for ``total`` items of ``what``, drawn after a second of work."""
    if not active() or total < 2:
        yield _Null()
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=what, unit="", file=sys.stderr, delay=1.0, leave=False) as b:
        yield b
