"""The typer application, its shared console and the error handling every command uses."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import click
import typer
from rich.console import Console
from typer.core import TyperCommand

class PlainCommand(TyperCommand):
    """A command whose usage line names arguments the classic way: ``FILE`` when required,
    ``[FILE]`` when optional (not ``{FILE}``)."""

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if getattr(param, "param_type_name", "") == "argument":
                name = (param.metavar or param.name or "").strip("[]").upper()
                name = name if param.required else f"[{name}]"
                pieces.append(name + ("..." if param.nargs != 1 and not name.endswith("...") else ""))
        return pieces


class App(typer.Typer):
    """The typer application; its commands use :class:`PlainCommand` unless told otherwise."""

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or PlainCommand, **kwargs)


app = App(
    name="backchannel",
    help="Replay a documented negotiation and ask who knew what, and when — and what would have changed if.",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: reads the same in a terminal, a pipe or a file
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("backchannel")
    except PackageNotFoundError:
        return "unknown (not installed)"


@app.callback(invoke_without_command=True)
def _root(ctx: typer.Context,
          show_version: Annotated[bool, typer.Option("--version", help="Print the version and exit.",
                                                     is_eager=True)] = False) -> None:
    """Replay a documented negotiation and ask who knew what, and when — and what would have changed if."""
    if show_version:
        typer.echo(f"backchannel {_version()}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)

F = TypeVar("F", bound=Callable[..., Any])

EXIT_BAD_INPUT = 2
UNLIMITED_WIDTH = 100_000  # columns of a console that is not a terminal


def console(stderr: bool = False) -> Console:
    """A rich console for this process (created per call: no module-level state).

    Away from a terminal (a pipe, a file) it has no width limit: tables keep every cell whole.
    """
    import sys

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else UNLIMITED_WIDTH
    return Console(stderr=stderr, highlight=False, soft_wrap=False, width=width, emoji=False)


def print_error(message: object) -> None:
    """Print one error line on stderr; the message is shown verbatim (no markup, no emoji)."""
    from rich.markup import escape

    console(stderr=True).print(f"[red]error[/red] {escape(str(message))}", soft_wrap=True)


def print_warning(message: object) -> None:
    """Print one warning line on stderr, verbatim."""
    from rich.markup import escape

    console(stderr=True).print(f"[yellow]warning[/yellow] {escape(str(message))}", soft_wrap=True)


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
            from ..fileio import WriteError

            print_error(e if isinstance(e, WriteError) else f"{e.strerror or e}: {e.filename or ''}")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]
