"""pprof's sample and frame filters (``driver_focus.go:applyFocus``), column-wise.

Order, as pprof applies them:

1. ``focus``/``ignore``/``hide``/``show`` (``FilterSamplesByName``),
2. ``show_from`` (``ShowFrom``),
3. ``tagfocus``/``tagignore`` (``FilterSamplesByTag``),
4. ``tagshow``/``taghide`` (``FilterTagsByName``),
5. ``prune_from`` (``PruneFrom``).

Each regex is evaluated once per distinct function name, file name and
mapping file (an unanchored search, like Go's ``MatchString``); the outcome
is spread to lines, locations, stack entries and samples with numpy.

Regular expressions are Go's (RE2 syntax), compiled by
:func:`~pprof_parse.analyze.goregex.compile_regex`: what pprof refuses (a
look-ahead, a back-reference) is an :class:`~pprof_parse.errors.OptionError`
naming the option and the pattern, and what it accepts (``main\\.(?i)json``)
matches as in pprof.
"""

from __future__ import annotations


import numpy as np

from ..errors import warn
from ..model.data import ProfileData
from .goregex import GoRegexp, compile_regex, translate_go_regex
from .prune import (first_flagged, flagged_entries, keep_entries, keep_lines, keep_samples, line_layout,
                    per_sample_count, slice_stacks)
from .prune import prune_from as _prune_from
from .tagfilter import compile_tag_filter, filter_tags_by_name, num_label_units

__all__ = ["FILTER_OPTIONS", "apply_filters", "apply_filters_indexed", "compile_regex", "filter_samples_by_name",
           "filter_show_from", "has_filters", "name_matches", "samples_kept_by_name", "split_filter_options",
           "translate_go_regex", "warn_unmatched"]

FILTER_OPTIONS = ("focus", "ignore", "hide", "show", "show_from", "prune_from",
                  "tagfocus", "tagignore", "tagshow", "taghide")


def _warn(option: str) -> None:
    warn(f"{option} expression matched no samples")


class _Matcher:
    """One regex evaluated over the profile's names: per line, per location's mapping, per location."""

    def __init__(self, data: ProfileData, rx: GoRegexp):
        s = data.strings
        used = np.unique(np.concatenate((data.func_name, data.func_filename, data.map_filename)).astype(np.int64))
        hit = np.zeros(len(s), bool)
        hit[used] = rx.match_many([s[int(i)] for i in used])
        fn = hit[data.func_name] | hit[data.func_filename]
        self.line = fn[data.line_function] if data.line_function.size else np.zeros(0, bool)
        has_map = data.loc_mapping >= 0
        self.mapping = np.zeros(data.loc_id.size, bool)
        if data.map_filename.size:
            self.mapping[has_map] = hit[data.map_filename[data.loc_mapping[has_map]]]
        line_loc, _ = line_layout(data)
        any_line = np.zeros(data.loc_id.size, bool)
        any_line[line_loc[self.line]] = True
        self.location = any_line | self.mapping


def filter_samples_by_name(data: ProfileData, focus, ignore, hide, show):
    """pprof's ``FilterSamplesByName``; returns ``(data, kept_sample_mask, (fm, im, hm, hnm))``."""
    n = data.n_samples
    if focus is None and ignore is None and hide is None and show is None:
        return data, np.ones(n, bool), (True, False, False, False)
    nloc = data.loc_id.size
    ign = _Matcher(data, ignore).location if ignore is not None else np.zeros(nloc, bool)
    foc = ~ign & (_Matcher(data, focus).location if focus is not None else np.ones(nloc, bool))
    fm, im = bool(foc.any()), bool(ign.any())

    hidden = np.zeros(nloc, bool)
    hm = hnm = False
    if hide is not None:
        m = _Matcher(data, hide)
        hm = bool(m.location.any())
        line_loc, _ = line_layout(data)
        data = keep_lines(data, ~m.line & ~m.mapping[line_loc])
        hidden |= m.location & (np.diff(data.loc_line_offsets) == 0)
    if show is not None:
        m = _Matcher(data, show)
        line_loc, _ = line_layout(data)
        data = keep_lines(data, m.line | m.mapping[line_loc])
        left = np.diff(data.loc_line_offsets) > 0
        hidden |= ~left
        hnm = bool(left.any())

    keep = per_sample_count(data, foc[data.stack_locs]) > 0
    if ign.any():
        keep &= per_sample_count(data, ign[data.stack_locs]) == 0
    if hidden.any():
        keep &= per_sample_count(data, ~hidden[data.stack_locs]) > 0
        data = keep_samples(data, keep)
        return keep_entries(data, ~hidden[data.stack_locs]), keep, (fm, im, hm, hnm)
    return keep_samples(data, keep), keep, (fm, im, hm, hnm)


def name_matches(data: ProfileData, option: str, pattern: str):
    """Where the ``option`` regex (``focus``, ``ignore``...) matches, as pprof's ``Location.matchesName``
    tests it: ``(per line-table row, per location through its mapping file, per location)`` boolean
    arrays. For an index that spreads the outcome itself (:class:`~pprof_parse.present.view_index.ViewIndex`).

    Raises
    ------
    OptionError
        ``pattern`` not a str, or a regex Go would refuse.
    """
    m = _Matcher(data, compile_regex(option, pattern))
    return m.line, m.mapping, m.location


def warn_unmatched(focus_hit: bool, ignore_hit: bool, focus, ignore) -> None:
    """pprof's ``"Focus/Ignore expression matched no samples"`` warnings, for options that are set
    and matched no location (``focus_hit``: a location matches focus and not ignore)."""
    for name, opt, ok in (("Focus", focus, focus_hit), ("Ignore", ignore, ignore_hit)):
        if opt and not ok:
            _warn(name)


def samples_kept_by_name(data: ProfileData, *, focus: str | None = None, ignore: str | None = None,
                         hide: str | None = None, show: str | None = None, warn: bool = True) -> np.ndarray:
    """The samples pprof's ``-focus``/``-ignore``/``-hide``/``-show`` keep, as a mask; no filtered copy.

    The rules of pprof's ``FilterSamplesByName`` (``profile/filter.go``), as
    :func:`filter_samples_by_name` applies them: a sample is kept when a location of its stack
    matches ``focus`` (every sample without ``focus``), none matches ``ignore``, and (with
    ``hide``/``show``) a location keeps at least one line. Only which samples stay is computed:
    no line, stack or sample is copied (for a view that reweights an index instead).

    Parameters
    ----------
    data : ProfileData
    focus, ignore, hide, show : str, optional
        Go regexes, matched as :func:`apply_filters` matches them.
    warn : bool
        Emit ``"<Option> expression matched no samples"`` as pprof does.

    Returns
    -------
    numpy.ndarray of bool, shape (n_samples,)
        True for the samples kept (all of them when every option is unset).

    Raises
    ------
    OptionError
        An option that is not a str, or a regex Go would refuse (checked in pprof's order:
        focus, ignore, hide, show).
    """
    rx = {k: (compile_regex(k, v) if v else None) for k, v in
          (("focus", focus), ("ignore", ignore), ("hide", hide), ("show", show))}
    keep, matched = _kept_by_name(data, rx["focus"], rx["ignore"], rx["hide"], rx["show"])
    if warn:
        for name, opt, ok in zip(("Focus", "Ignore", "Hide", "Show"), (focus, ignore, hide, show), matched):
            if opt and not ok:
                _warn(name)
    return keep


def _kept_by_name(data: ProfileData, focus, ignore, hide, show) -> tuple[np.ndarray, tuple[bool, ...]]:
    """:func:`samples_kept_by_name` on compiled regexes: ``(kept mask, (fm, im, hm, hnm))``, the
    mask and match flags :func:`filter_samples_by_name` returns."""
    if focus is None and ignore is None and hide is None and show is None:
        return np.ones(data.n_samples, bool), (True, False, False, False)
    nloc = data.loc_id.size
    ign = _Matcher(data, ignore).location if ignore is not None else np.zeros(nloc, bool)
    foc = ~ign & (_Matcher(data, focus).location if focus is not None else np.ones(nloc, bool))
    hidden, hm, hnm = _hidden_locations(data, hide, show)
    keep = _any_location(data, foc)
    if ign.any():
        keep &= ~_any_location(data, ign)
    if hidden.any():
        keep &= _any_location(data, ~hidden)
    return keep, (bool(foc.any()), bool(ign.any()), hm, hnm)


def _any_location(data: ProfileData, loc_flag: np.ndarray) -> np.ndarray:
    """Per sample, whether a location of its stack is flagged (an OR over each stack's entries:
    half the work of counting them)."""
    off = data.stack_offsets
    entry = loc_flag[data.stack_locs[:off[-1]]]
    nonempty = off[1:] > off[:-1]
    out = np.zeros(data.n_samples, bool)
    if entry.size:
        out[nonempty] = np.logical_or.reduceat(entry, off[:-1][nonempty])
    return out


def _hidden_locations(data: ProfileData, hide, show) -> tuple[np.ndarray, bool, bool]:
    """The locations ``hide``/``show`` leave without a line (pprof then drops them from the stacks),
    and whether ``hide`` matched a location / ``show`` left one: the line table is not copied, each
    line's survival is computed in place (hide removes matching lines, show then keeps matching ones)."""
    nloc = data.loc_id.size
    hidden = np.zeros(nloc, bool)
    if hide is None and show is None:
        return hidden, False, False
    line_loc, _ = line_layout(data)
    survives = np.ones(line_loc.size, bool)
    hm = hnm = False
    if hide is not None:
        m = _Matcher(data, hide)
        hm = bool(m.location.any())
        survives &= ~m.line & ~m.mapping[line_loc]
        hidden |= m.location & (np.bincount(line_loc[survives], minlength=nloc) == 0)
    if show is not None:
        m = _Matcher(data, show)
        survives &= m.line | m.mapping[line_loc]
        left = np.bincount(line_loc[survives], minlength=nloc) > 0
        hidden |= ~left
        hnm = bool(left.any())
    return hidden, hm, hnm


def filter_show_from(data: ProfileData, rx: GoRegexp):
    """pprof's ``ShowFrom``: keep frames from the leaf up to the root-most matching location.

    A location matches through its mapping file (lines untouched) or through a
    line (lines outward of the outermost matching line are cut). Samples
    without a matching location are dropped. Returns ``(data, kept_mask, matched)``.
    """
    m = _Matcher(data, rx)
    line_loc, within = line_layout(data)
    last = np.full(data.loc_id.size, -1, np.int64)
    np.maximum.at(last, line_loc[m.line], within[m.line])
    cut_lines = ~m.mapping & (last >= 0)
    data = keep_lines(data, ~cut_lines[line_loc] | (within <= last[line_loc]))
    matched_loc = m.mapping | (last >= 0)
    top = first_flagged(*flagged_entries(data, matched_loc), data.n_samples, last=True)
    keep = top >= 0
    data = slice_stacks(data, np.zeros(data.n_samples, np.int64), top + 1)
    return keep_samples(data, keep), keep, bool(matched_loc.any())


def apply_filters_indexed(data: ProfileData, *, focus=None, ignore=None, hide=None, show=None, show_from=None,
                          prune_from=None, tagfocus=None, tagignore=None, tagshow=None, taghide=None,
                          warn: bool = True) -> tuple[ProfileData, np.ndarray]:
    """:func:`apply_filters`, also returning the original row of every kept sample."""
    # compiled in pprof's order (applyFocus), so the first bad option is the one reported
    rx = {k: (compile_regex(k, v) if v else None) for k, v in
          (("focus", focus), ("ignore", ignore), ("hide", hide), ("show", show), ("show_from", show_from))}
    units = num_label_units(data)
    tf = compile_tag_filter("tagfocus", tagfocus, units)
    ti = compile_tag_filter("tagignore", tagignore, units)
    rx.update((k, compile_regex(k, v) if v else None) for k, v in
              (("prune_from", prune_from), ("tagshow", tagshow), ("taghide", taghide)))
    orig = np.arange(data.n_samples)

    data, keep, (fm, im, hm, hnm) = filter_samples_by_name(data, rx["focus"], rx["ignore"], rx["hide"], rx["show"])
    orig = orig[keep]
    if warn:
        for name, opt, ok in (("Focus", focus, fm), ("Ignore", ignore, im), ("Hide", hide, hm), ("Show", show, hnm)):
            if opt and not ok:
                _warn(name)
    if rx["show_from"] is not None:
        data, keep, sfm = filter_show_from(data, rx["show_from"])
        orig = orig[keep]
        if warn and not sfm:
            _warn("ShowFrom")
    if tf is not None or ti is not None:
        f = tf(data) if tf is not None else np.ones(data.n_samples, bool)
        i = ti(data) if ti is not None else np.zeros(data.n_samples, bool)
        if warn and tf is not None and not f.any():
            _warn("TagFocus")
        if warn and ti is not None and not i.any():
            _warn("TagIgnore")
        keep = f & ~i
        data, orig = keep_samples(data, keep), orig[keep]
    if rx["tagshow"] is not None or rx["taghide"] is not None:
        data, sm, hm2 = filter_tags_by_name(data, rx["tagshow"], rx["taghide"])
        if warn and tagshow and not sm:
            _warn("TagShow")
        if warn and taghide and not hm2:
            _warn("TagHide")
    if rx["prune_from"] is not None:
        data = _prune_from(data, rx["prune_from"])
    return data, orig



def apply_filters(data: ProfileData, *, focus: str | None = None, ignore: str | None = None,
                  hide: str | None = None, show: str | None = None, show_from: str | None = None,
                  prune_from: str | None = None, tagfocus: str | None = None, tagignore: str | None = None,
                  tagshow: str | None = None, taghide: str | None = None, warn: bool = True) -> ProfileData:
    """Apply pprof's filter options, in pprof's order, and return the filtered data.

    Parameters
    ----------
    data : ProfileData
    focus : str, optional
        Keep samples with at least one location matching (``-focus``).
    ignore : str, optional
        Drop samples with any location matching (``-ignore``; wins over focus).
    hide : str, optional
        Remove matching lines (whole locations when the mapping file matches);
        emptied locations leave the stacks, emptied samples are dropped (``-hide``).
    show : str, optional
        Keep only matching lines, the inverse of ``hide`` (``-show``).
    show_from : str, optional
        Cut stacks above the root-most matching location; drop samples without one (``-show_from``).
    prune_from : str, optional
        Cut stacks below the leaf-most location whose simplified function name matches (``-prune_from``).
    tagfocus, tagignore : str, optional
        ``[key=]value`` label filters: comma-separated regexes, or a numeric
        range with units such as ``bytes=1kb:64kb``, ``4mb:`` or ``:512``.
    tagshow, taghide : str, optional
        Keep / remove label keys matching the regex (``-tagshow``/``-taghide``).
    warn : bool
        Emit :class:`~pprof_parse.errors.PprofParseWarning` ``"<Option> expression
        matched no samples"`` as pprof does.

    Returns
    -------
    ProfileData
        Samples and stacks filtered; locations whose lines were cut by
        hide/show/show_from/prune_from carry the cut line lists.

    Raises
    ------
    OptionError
        An option is not a str; a regex Go would refuse (``parsing focus
        regexp `(?=x)`: ...``), checked in pprof's order (focus, ignore, hide,
        show, show_from, tagfocus, tagignore, prune_from, tagshow, taghide); a
        numeric range bound past int64.

    Notes
    -----
    Matching is pprof's ``Location.matchesName``: an unanchored search in
    every line's function name and file name (raw, as in the profile) and in
    the location's mapping file. ``prune_from`` matches pprof's simplified
    names (argument lists cut at the first ``(``).
    """
    return apply_filters_indexed(data, focus=focus, ignore=ignore, hide=hide, show=show, show_from=show_from,
                                 prune_from=prune_from, tagfocus=tagfocus, tagignore=tagignore,
                                 tagshow=tagshow, taghide=taghide, warn=warn)[0]


def split_filter_options(options: dict) -> tuple[dict, dict]:
    """Split keyword options into ``(filter options, the rest)``."""
    f = {k: v for k, v in options.items() if k in FILTER_OPTIONS}
    return f, {k: v for k, v in options.items() if k not in FILTER_OPTIONS}


def has_filters(options: dict) -> bool:
    return any(options.get(k) for k in FILTER_OPTIONS)
