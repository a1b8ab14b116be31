"""opsai: AI models for a startup's product operations.

Notebooks (one per chapter) call this thin package; ``opsai report`` runs them with papermill
and renders a self-contained HTML/PDF operations report.
"""

from __future__ import annotations

from opsai.errors import ChapterError, ConfigError, OpsaiError, SchemaError

__version__ = "0.1.0"
__all__ = ["ChapterError", "ConfigError", "OpsaiError", "SchemaError", "__version__"]
