"""Data: the contract (:mod:`~opsai.data.schema`), the workspace, the demo company, public data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opsai.data.workspace import ValidationWarning, Workspace, open_workspace

__all__ = ["ValidationWarning", "Workspace", "open_workspace"]


def __getattr__(name: str) -> Any:  # lazy: importing the contract must not pull in the engine
    if name in __all__:
        from opsai.data import workspace

        return getattr(workspace, name)
    raise AttributeError(f"module 'opsai.data' has no attribute {name!r}")
