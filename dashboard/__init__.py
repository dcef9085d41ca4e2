"""The backchannel dashboard: a Dash app over :mod:`sim` (``backchannel serve``)."""
