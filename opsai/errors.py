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


class DataFetchError(OpsaiError):
    """A public dataset could not be fetched or converted."""


class NotFittedError(OpsaiError, ValueError):
    """A model was used before ``fit`` was called."""
