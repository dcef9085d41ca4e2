"""The ``synth`` command: write a random but valid scenario of any size (for benchmarks)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import app, console, report_errors


@app.command()
@report_errors
def synth(out: Annotated[Path, typer.Option("--out", "-o", help="Scenario file to write")],
          actors: Annotated[int, typer.Option("--actors", min=3, help="Number of actors")] = 100,
          facts: Annotated[int, typer.Option("--facts", min=1, help="Number of facts")] = 20,
          messages: Annotated[int, typer.Option("--messages", min=0, help="Number of scripted messages")] = 10_000,
          seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives the same file")] = 0,
          json_subset: Annotated[bool, typer.Option("--json", help="Write the JSON subset of YAML (loads much "
                                                                   "faster for large files)")] = False,
          all_facts: Annotated[bool, typer.Option("--all-facts", help="Every message and rule send lists all "
                                                                     "the facts (passes on all the sender knows)")] = False) -> None:
    """Write a synthetic scenario: channels with latencies, taps, rules, gated messages and decisions."""
    from ..synthetic import synth as make, write_yaml

    write_yaml(make(actors, facts, messages, seed, all_facts=all_facts), out, json_subset=json_subset)
    console().print(f"wrote {out} ({actors} actors, {facts} facts, {messages} messages, seed {seed})", soft_wrap=True)
