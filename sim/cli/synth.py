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
          json_subset: Annotated[bool, typer.Option("--json", help="Write the JSON subset of YAML (one flow "
                                                                   "mapping per line)")] = False,
          all_facts: Annotated[bool, typer.Option("--all-facts", help="Every message and rule send lists all "
                                                                     "the facts (passes on all the sender knows)")] = False) -> None:
    """Write a synthetic scenario: channels with latencies, taps, rules, gated messages and decisions."""
    from ..loader import LoadLimits
    from ..located import ENV_CAPS
    from ..synthetic import synth as make, values, write_yaml

    data = make(actors, facts, messages, seed, all_facts=all_facts)
    write_yaml(data, out, json_subset=json_subset)
    console().print(f"wrote {out} ({actors} actors, {facts} facts, {messages} messages, seed {seed})", soft_wrap=True)
    size, count, caps = out.stat().st_size, values(data), LoadLimits.from_env()
    if size > caps.max_bytes or count > caps.max_nodes:  # say how to load it before the loader refuses it
        console().print(f"note: the file holds {count:,} values in {size:,} bytes, more than the loader's default "
                        f"caps; load it with {ENV_CAPS['max_bytes']}={max(size, caps.max_bytes)} "
                        f"{ENV_CAPS['max_nodes']}={max(count, caps.max_nodes)} in the environment", soft_wrap=True)
