"""The network's key, drawn by the page beside the plot (so that the plot keeps its size whatever the
key holds), and the options of the affiliation and medium filters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dash import html

from sim.certainty import MODELLED_MARK, MODELLED_MEANING

from .figures.common import (BELIEF_COLOR, FLIGHT_COLOR, KNOW_COLORS, KNOW_GLYPHS, KNOW_LABELS, KNOW_ORDER,
                             MEDIUM_STYLE, TAP_COLOR, affiliation_colors, affiliations, medium_label)
from .figures.network import PATH_COLOR, TRAIL_COLOR

if TYPE_CHECKING:
    from sim.result import RunResult

DASH_CSS = {"solid": "solid", "dot": "dotted", "dash": "dashed", "dashdot": "dashed", "longdash": "dashed"}


def _item(swatch, text: str) -> html.Span:
    return html.Span([swatch, html.Span(text)], className="key-item")


def _glyph(state: str) -> html.Span:
    colour = KNOW_COLORS[state]
    style = {"color": colour if state != "unknown" else "#555", "textShadow": "0 0 1px #333"}
    return html.Span(KNOW_GLYPHS[state], className="key-glyph", style=style)


def _line(colour: str, dash: str = "solid", width: float = 2.0) -> html.Span:
    return html.Span(className="key-line", style={"borderTop": f"{max(2.0, width)}px {DASH_CSS.get(dash, 'solid')} "
                                                                f"{colour}"})


def media(result: RunResult) -> list[str]:
    """The media of the scenario's channels, in order of first use."""
    return list(dict.fromkeys(ch.medium for ch in result.scenario.channels))


def network_key(result: RunResult) -> list:
    """The key: what shape and colour say about the selected fact, then lines and dots."""
    states = [_item(_glyph(k), KNOW_LABELS[k]) for k in KNOW_ORDER]
    states.append(_item(html.Span(MODELLED_MARK, className="key-glyph"),
                        MODELLED_MEANING.removeprefix(MODELLED_MARK).strip()))
    marks = [
        _item(_line(PATH_COLOR, width=6), "how it spread so far"),
        _item(_line(TRAIL_COLOR, "dot", 2.5), "latest messages"),
        _item(html.Span("●", className="key-glyph", style={"color": FLIGHT_COLOR}), "message in flight"),
        _item(html.Span("◯", className="key-glyph", style={"color": BELIEF_COLOR}),
              "the actor in focus knew they knew"),
    ]
    lines = [_item(_line(*MEDIUM_STYLE.get(m, MEDIUM_STYLE["other"])), medium_label(m)) for m in media(result)]
    if any(ch.taps for ch in result.scenario.channels):
        lines.append(_item(_line(TAP_COLOR, "dash"), "tap (interception)"))
    return [html.Div([html.Span("The selected fact: ", className="key-title")] + states, className="key-row"),
            html.Div(marks, className="key-row"),
            html.Div([html.Span("Channels: ", className="key-title")] + lines, className="key-row")]


def filter_options(result: RunResult) -> tuple[list[dict], list[dict]]:
    """Checklist options: affiliations (in their colours) and media."""
    colours = affiliation_colors(result)
    affs = [{"label": html.Span(f, style={"color": colours[f]}), "value": f} for f in affiliations(result)]
    meds = [{"label": medium_label(m), "value": f"medium:{m}"} for m in media(result)]
    return affs, meds
