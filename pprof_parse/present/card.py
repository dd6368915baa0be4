"""A profile as a compact HTML card: what a notebook shows for a :class:`~pprof_parse.Profile`.

The card holds the facts of ``go tool pprof -top -nodecount=10``'s header (``Type:``,
``Duration:``, the report total) and its ten rows, printed as pprof prints them
(:mod:`pprof_parse.present.textreport`: pprof's node trimming, output unit and
percentages), plus the profile's sample types. Every string from the profile is
HTML-escaped; the card loads nothing (no script, no stylesheet, no external resource).
"""

from __future__ import annotations

import html

from ..analyze.measurement import scaled_label
from ..errors import PprofParseError
from ..model.data import ProfileData
from .textreport import output_unit, select_top_nodes
from .top import format_percentage

#: rows a card shows (pprof's ``-nodecount``)
CARD_NODECOUNT = 10

_STYLE = ("font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12px;"
          "border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;display:inline-block")
_NUM = "text-align:right;padding:1px 8px;white-space:nowrap"
_NAME = "text-align:left;padding:1px 8px"


def card_facts(data: ProfileData, sample_index=None) -> dict:
    """The card's contents as strings, pprof's formatting.

    Returns a dict: ``type`` (pprof's ``Type:``, the sample type reported),
    ``duration`` (pprof's ``Duration:`` value, ``""`` when the profile has none),
    ``sample_types`` (``["samples/count", "cpu/nanoseconds", ...]``),
    ``total`` (the report total in the table's unit, as ``... of X total``),
    ``showing`` (pprof's ``Showing nodes accounting for ...`` line), and ``rows``: up
    to :data:`CARD_NODECOUNT` tuples ``(flat, flat%, sum%, cum, cum%, name)`` equal to
    the columns of ``go tool pprof -top -nodecount=10``'s lines (name with pprof's
    `` (inline)`` marker). Raises SampleTypeError for a bad ``sample_index``.
    """
    sel = select_top_nodes(data, sample_index, nodecount=CARD_NODECOUNT)
    unit = output_unit(sel.table, sel.total, sel.sample_unit)

    def fmt(v: int) -> str:
        return scaled_label(int(v), sel.sample_unit, unit)

    rows, running = [], 0
    t = sel.table
    for name, flat, cum, inl in zip(t["name"], t["flat"].tolist(), t["cum"].tolist(), t["inline"]):
        running += flat
        rows.append((fmt(flat), format_percentage(flat, sel.total).strip(),
                     format_percentage(running, sel.total).strip(), fmt(cum),
                     format_percentage(cum, sel.total).strip(), str(name) + (f" ({inl})" if inl else "")))
    duration = scaled_label(int(data.duration_nanos), "nanoseconds", "auto") if data.duration_nanos else ""
    return {
        "type": sel.sample_type,
        "duration": duration,
        "sample_types": [f"{st.type}/{st.unit}" for st in data.sample_types],
        "total": fmt(sel.total),
        "showing": (f"Showing nodes accounting for {fmt(sel.shown)}, "
                    f"{format_percentage(sel.shown, sel.total).strip()} of {fmt(sel.total)} total"),
        "rows": rows,
    }


def profile_card_html(data: ProfileData, *, source: str = "", sample_index=None) -> str:
    """An HTML fragment (one ``<div>``) summing up a profile, for ``Profile._repr_html_``.

    Shows the source, ``Type``, ``Duration``, the sample types (``type/unit``), the
    total and the top :data:`CARD_NODECOUNT` rows (flat, flat%, sum%, cum, cum%, name)
    as ``go tool pprof -top -nodecount=10`` prints them (see :func:`card_facts`). Every
    profile string is escaped with :func:`html.escape`; the fragment has inline styles
    only. A profile pprof cannot report on (no sample types, a bad ``sample_index``)
    gives a card with the reason instead of the table; nothing is raised for it.
    """
    head = [f"<div class=\"gopherlab-profile-card\" style=\"{_STYLE}\">"]
    if source:
        head.append(f"<div><b>Profile</b> {_e(source)}</div>")
    try:
        facts = card_facts(data, sample_index)
    except PprofParseError as e:
        types = ", ".join(f"{st.type}/{st.unit}" for st in data.sample_types) or "none"
        head.append(f"<div>Sample types: {_e(types)}</div><div>No report: {_e(str(e))}</div></div>")
        return "".join(head)
    return "".join(head + _facts_html(facts) + _table_html(facts) + ["</div>"])


def _facts_html(facts: dict) -> list[str]:
    parts = [f"Type: <b>{_e(facts['type'])}</b>"]
    if facts["duration"]:
        parts.append(f"Duration: {_e(facts['duration'])}")
    parts.append(f"Total: <b>{_e(facts['total'])}</b>")
    return [f"<div>{' &middot; '.join(parts)}</div>",
            f"<div>Sample types: {_e(', '.join(facts['sample_types']))}</div>",
            f"<div style=\"color:#57606a\">{_e(facts['showing'])}</div>"]


def _table_html(facts: dict) -> list[str]:
    if not facts["rows"]:
        return ["<div>(no samples)</div>"]
    titles = ("flat", "flat%", "sum%", "cum", "cum%")
    out = ["<table style=\"border-collapse:collapse;margin-top:4px\"><thead><tr>"]
    out += [f"<th style=\"{_NUM}\">{t}</th>" for t in titles]
    out.append(f"<th style=\"{_NAME}\">name</th></tr></thead><tbody>")
    for row in facts["rows"]:
        cells = [f"<td style=\"{_NUM}\">{_e(v)}</td>" for v in row[:5]]
        out.append("<tr>" + "".join(cells) + f"<td style=\"{_NAME}\">{_e(row[5])}</td></tr>")
    out.append("</tbody></table>")
    return out


def _e(s: str) -> str:
    return html.escape(s, quote=True)
