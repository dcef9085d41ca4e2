"""The sweep's own error."""

from __future__ import annotations


class SweepError(ValueError):
    """A sweep cannot start: bad arguments, or the cluster extra is missing."""
