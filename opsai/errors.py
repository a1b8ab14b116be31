"""The exceptions opsai raises. Every one descends from :class:`OpsaiError`."""

from __future__ import annotations


class OpsaiError(Exception):
    """Base class of every error opsai raises on purpose."""


class ConfigError(OpsaiError):
    """A configuration file or parameter is invalid; the message names the key to fix."""


class SchemaError(OpsaiError):
    """Input data does not meet the data contract; the message names table, column and fix."""


class ChapterError(OpsaiError):
    """A chapter could not run or its recorded results are unusable."""


class NothingToAnalyse(SchemaError):
    """The data holds nothing an analysis can use (events without a single purchase, say).

    A chapter notebook that raises it is reported as skipped, with this message as the reason,
    not as failed: the data is valid, it just has no part for that chapter.
    """


class DataFetchError(OpsaiError):
    """A public dataset could not be fetched or converted."""


class NotFittedError(OpsaiError, ValueError):
    """A model was used before ``fit`` was called."""
