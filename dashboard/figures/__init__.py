"""Pure figure builders: ``f(RunResult, ...) -> plotly Figure``; no Dash imports here."""
