"""The typer application, its shared console and the error handling every command uses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

app = typer.Typer(
    name="backchannel",
    help="Replay a documented negotiation and ask who knew what, and when — and what would have changed if.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2


def console(stderr: bool = False) -> Console:
    """A rich console for this process (created per call: no module-level state)."""
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=None, emoji=False)


def print_error(message: object) -> None:
    """Print one error line on stderr; the message is shown verbatim (no markup, no emoji)."""
    from rich.markup import escape

    console(stderr=True).print(f"[red]error[/red] {escape(str(message))}", soft_wrap=True)


def report_errors(func: F) -> F:
    """Turn the library's input errors into messages on stderr and exit code 2, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..errors import QueryError, ScenarioError

        try:
            return func(*args, **kwargs)
        except ScenarioError as e:
            for p in e.problems:
                print_error(p)
            console(stderr=True).print(f"{len(e.problems)} problem{'s' if len(e.problems) != 1 else ''} found", soft_wrap=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (QueryError, ValueError) as e:
            print_error(e)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except OSError as e:
            print_error(f"{e.strerror or e}: {e.filename or ''}")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
