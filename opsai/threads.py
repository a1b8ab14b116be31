"""Thread count of torch's CPU kernels, set for one block and restored after it.

The networks opsai trains (intent and sentiment heads, the churn MLP, the pooled
forecasters) are small. A second OpenMP thread helps them only on an idle machine; when
another process holds a core the threads spin waiting for each other. Measured on the demo's
intent head (USE vectors -> 256 -> 12, 2 cores): idle, 20 s with two threads and 31 s with
one; beside one busy process, 75 s with two and 32 s with one; in a report run beside a
benchmark, 468 s with two. So the service heads train on one thread; the other models take
a ``threads``/``n_jobs`` argument.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def torch_threads(n: int | None) -> Iterator[None]:
    """Run the block with ``torch.set_num_threads(n)``, then restore the previous count.

    ``None``, or torch not imported yet, leaves everything as it is.

    Example:
        >>> import torch
        >>> before = torch.get_num_threads()
        >>> with torch_threads(1):
        ...     torch.get_num_threads()
        1
        >>> torch.get_num_threads() == before
        True
    """
    torch = sys.modules.get("torch")
    if n is None or torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, int(n)))
    try:
        yield
    finally:
        torch.set_num_threads(before)
