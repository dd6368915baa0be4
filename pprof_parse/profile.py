"""The :class:`Profile` users hold: metadata, DataFrame views of the data, and pprof's reports.

The facade above the pipeline's stages: it holds a :class:`~pprof_parse.model.data.ProfileData`
(``model``) and calls ``analyze`` (sample index, filters, label units) and ``present`` (top,
peek, traces and tags tables; profile.proto and folded-stack writers) for its methods.
:func:`pprof_parse.read_profile` makes one; :func:`pprof_parse.merge` and
:func:`pprof_parse.diff` combine them.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
from gopherlab_common.lazy import pd  # pandas on first use

from .analyze.filter import FILTER_OPTIONS, apply_filters, apply_filters_indexed, has_filters
from .analyze.goregex import compile_regex
from .analyze.label_frames import add_label_frames
from .analyze.labels_table import label_breakdown
from .analyze.sample_index import resolve_sample_index
from .analyze.tagfilter import num_label_units
from .errors import OptionError
from .model.data import ProfileData, ValueType
from .present.card import profile_card_html
from .present.flame_search import flame_search_figure, flame_search_widget
from .present.listing import list_table
from .present.sandwich import Sandwich, sandwich_of
from .present.top import report_total, top_table
from .present.views import peek_table, tags_table, traces_table
from .present.write import to_collapsed, to_proto


def _cat(strings: list[str], idx: np.ndarray) -> pd.Categorical:
    """A categorical of string-table entries, without one Python string per row."""
    uniq, inv = np.unique(idx, return_inverse=True)
    cats = [strings[i] for i in uniq]
    # categories must be unique: different indices may hold equal strings
    codes_map, cats_u = pd.factorize(pd.Index(cats, dtype=object))
    return pd.Categorical.from_codes(codes_map[inv], categories=pd.Index(cats_u, dtype=object)) if len(cats_u) else pd.Categorical([], categories=[])


class Profile:
    """A pprof profile: metadata and the data as pandas DataFrames.

    Made by :func:`pprof_parse.read_profile`. Immutable: operations that change
    data return a new Profile. The DataFrames are built on first access and cached.

    Attributes
    ----------
    sample_types : list of ValueType
        ``(type, unit)`` pairs, one per value column, e.g. CPU
        ``[("samples", "count"), ("cpu", "nanoseconds")]``.
    default_sample_type : str
        The profile's ``default_sample_type`` ("" when unset; pprof then uses the last type).
    period_type : ValueType
    period : int
        Events between samples in ``period_type.unit`` (CPU: ns per sample; heap: MemProfileRate bytes).
    time : pandas.Timestamp or None
        Collection time (UTC), from ``time_nanos``.
    duration : pandas.Timedelta or None
        From ``duration_nanos``.
    comments : list of str
    drop_frames, keep_frames : str
        Regular expressions pprof prunes frames with at load time.
    doc_url : str
    source : str
        Where the profile was read from.
    """

    def __init__(self, data: ProfileData, *, source: str = "<bytes>"):
        self._data = data
        self.source = source

    # ---- metadata -------------------------------------------------------------
    @property
    def data(self) -> ProfileData:
        """The columnar model (numpy arrays; for library code)."""
        return self._data

    @property
    def sample_types(self) -> list[ValueType]:
        return list(self._data.sample_types)

    @property
    def default_sample_type(self) -> str:
        return self._data.default_sample_type

    @property
    def period_type(self) -> ValueType:
        return self._data.period_type

    @property
    def period(self) -> int:
        return self._data.period

    @property
    def time(self) -> pd.Timestamp | None:
        t = self._data.time_nanos
        return pd.Timestamp(t, unit="ns", tz="UTC") if t else None

    @property
    def duration(self) -> pd.Timedelta | None:
        d = self._data.duration_nanos
        return pd.Timedelta(d, unit="ns") if d else None

    @property
    def comments(self) -> list[str]:
        return list(self._data.comments)

    @property
    def drop_frames(self) -> str:
        return self._data.drop_frames

    @property
    def keep_frames(self) -> str:
        return self._data.keep_frames

    @property
    def doc_url(self) -> str:
        return self._data.doc_url

    @property
    def meta(self) -> dict:
        """Extra metadata some inputs carry (e.g. the heap text's ``# runtime.MemStats`` trailer)."""
        return dict(self._data.meta)

    def __len__(self) -> int:
        return self._data.n_samples

    def __repr__(self) -> str:
        types = ", ".join(f"{t.type}/{t.unit}" for t in self._data.sample_types)
        return f"<Profile {self.source!s}: {len(self)} samples, {self._data.loc_id.size} locations, [{types}]>"

    # ---- DataFrame views -----------------------------------------------------------
    @cached_property
    def samples(self) -> pd.DataFrame:
        """One row per sample (index ``sample``, 0-based in file order).

        Columns: one ``int64`` column per sample type, named by its type
        (``alloc_space``, ``cpu``, ...) in the sample type's unit; then one
        column per label key: string labels as ``category`` (several values of
        one key in a sample are joined with ``","``, as pprof's ``-tags`` shows
        them), numeric labels as nullable ``Int64`` in the label's unit (listed
        in ``df.attrs["label_units"]``). A label key equal to a sample type
        name is prefixed with ``label:``. ``df.attrs["sample_types"]`` lists the
        ``(type, unit)`` pairs. The stacks are in :attr:`frames` (joined on ``sample``).
        """
        d = self._data
        cols: dict[str, object] = {t.type: d.values[:, i] for i, t in enumerate(d.sample_types)}
        units: dict[str, str] = {}
        n = d.n_samples
        for key_idx in np.unique(d.label_key):
            key = d.strings[int(key_idx)]
            m = d.label_key == key_idx
            s, v = d.label_sample[m], d.label_str[m]
            name = f"label:{key}" if key in cols else key
            if np.unique(s).size == s.size:
                codes = np.full(n, -1, np.int64)
                codes[s] = v
                present = codes >= 0
                col = pd.Categorical.from_codes(np.full(n, -1), categories=[]) if not present.any() else None
                if col is None:
                    c = _cat(d.strings, codes[present])
                    full = np.full(n, -1, np.int64)
                    full[present] = c.codes
                    col = pd.Categorical.from_codes(full, categories=c.categories)
                cols[name] = col
            else:
                joined = pd.Series([d.strings[i] for i in v]).groupby(s).agg(",".join)
                col = pd.Series(pd.NA, index=range(n), dtype=object)
                col[joined.index] = joined.to_numpy()
                cols[name] = col.astype("category")
        for key_idx in np.unique(d.numlabel_key):
            key = d.strings[int(key_idx)]
            m = d.numlabel_key == key_idx
            s, v = d.numlabel_sample[m], d.numlabel_num[m]
            name = f"label:{key}" if key in cols else key
            arr = pd.array(np.zeros(n, np.int64), dtype="Int64")
            mask = np.ones(n, bool)
            vals = np.zeros(n, np.int64)
            vals[s] = v  # several values of one key: the last one
            mask[s] = False
            arr = pd.arrays.IntegerArray(vals, mask)
            cols[name] = arr
            unit_idx = d.numlabel_unit[m]
            units[key] = next((d.strings[int(u)] for u in unit_idx if u), _default_num_unit(key))
        df = pd.DataFrame(cols, index=pd.RangeIndex(n, name="sample"))
        df.attrs["label_units"] = units
        df.attrs["sample_types"] = [tuple(t) for t in d.sample_types]
        return df

    @cached_property
    def frames(self) -> pd.DataFrame:
        """One row per frame of every sample's stack, leaf first, inline frames expanded.

        ========== ======== =====================================================
        column     dtype    meaning
        ========== ======== =====================================================
        sample     int64    row of :attr:`samples`
        depth      int64    0 = leaf (innermost inlined function of the first location)
        location_id uint64  the location this frame comes from
        address    uint64   the location's address
        function   category function name ("" when unsymbolized)
        file       category source file name
        line       int64    source line (0 when unknown)
        inline     bool     True for an inlined call (not the location's last line)
        ========== ======== =====================================================
        """
        d = self._data
        slots = d.slots()
        nslots = np.diff(slots.offsets)
        per_entry = nslots[d.stack_locs]
        entry_sample = np.repeat(np.arange(d.n_samples), np.diff(d.stack_offsets))
        sample = np.repeat(entry_sample, per_entry)
        first = np.cumsum(per_entry) - per_entry
        slot = np.repeat(slots.offsets[d.stack_locs] - first, per_entry) + np.arange(int(per_entry.sum()))
        loc, within, line_row = slots.loc[slot], slots.within[slot], slots.line[slot]
        has = line_row >= 0
        func = np.where(has, d.line_function[np.maximum(line_row, 0)] if d.line_function.size else 0, -1)
        name_idx = np.where(func >= 0, d.func_name[np.maximum(func, 0)] if d.func_name.size else 0, 0)
        file_idx = np.where(func >= 0, d.func_filename[np.maximum(func, 0)] if d.func_filename.size else 0, 0)
        depth = np.arange(sample.size) - np.repeat(np.concatenate(([0], np.cumsum(np.bincount(sample, minlength=d.n_samples))[:-1])), np.bincount(sample, minlength=d.n_samples)) if sample.size else sample
        return pd.DataFrame({
            "sample": sample.astype(np.int64),
            "depth": depth.astype(np.int64),
            "location_id": d.loc_id[loc],
            "address": d.loc_address[loc],
            "function": _cat(d.strings, name_idx),
            "file": _cat(d.strings, file_idx),
            "line": np.where(has, d.line_line[np.maximum(line_row, 0)] if d.line_line.size else 0, 0).astype(np.int64),
            "inline": within != (nslots[loc] - 1),
        })

    @cached_property
    def locations(self) -> pd.DataFrame:
        """One row per (location, line), innermost inlined line first (``line_index`` 0).

        Columns: ``location_id`` (uint64), ``mapping_id`` (uint64, 0 = none),
        ``address`` (uint64), ``is_folded`` (bool), ``line_index`` (int64; -1 for
        a location without lines), ``function_id`` (uint64), ``function``
        (category), ``file`` (category), ``line`` (int64), ``column`` (int64).
        """
        d = self._data
        loc, within, line_row = d.slots()[1:]
        has = line_row >= 0
        row = np.maximum(line_row, 0)
        func = np.where(has, d.line_function[row] if d.line_function.size else 0, -1)
        safe = np.maximum(func, 0)
        return pd.DataFrame({
            "location_id": d.loc_id[loc],
            "mapping_id": np.where(d.loc_mapping[loc] >= 0, d.map_id[np.maximum(d.loc_mapping[loc], 0)] if d.map_id.size else 0, 0).astype(np.uint64),
            "address": d.loc_address[loc],
            "is_folded": d.loc_is_folded[loc],
            "line_index": np.where(has, within, -1),
            "function_id": np.where(func >= 0, d.func_id[safe] if d.func_id.size else 0, 0).astype(np.uint64),
            "function": _cat(d.strings, np.where(func >= 0, d.func_name[safe] if d.func_name.size else 0, 0)),
            "file": _cat(d.strings, np.where(func >= 0, d.func_filename[safe] if d.func_filename.size else 0, 0)),
            "line": np.where(has, d.line_line[row] if d.line_line.size else 0, 0).astype(np.int64),
            "column": np.where(has, d.line_column[row] if d.line_column.size else 0, 0).astype(np.int64),
        })

    @cached_property
    def functions(self) -> pd.DataFrame:
        """One row per function: ``function_id`` (uint64), ``name``, ``system_name``, ``file`` (str), ``start_line`` (int64)."""
        d = self._data
        s = d.strings
        return pd.DataFrame({
            "function_id": d.func_id,
            "name": pd.array([s[i] for i in d.func_name], dtype=object),
            "system_name": pd.array([s[i] for i in d.func_system_name], dtype=object),
            "file": pd.array([s[i] for i in d.func_filename], dtype=object),
            "start_line": d.func_start_line,
        })

    @cached_property
    def mappings(self) -> pd.DataFrame:
        """One row per mapping: ``mapping_id``, ``memory_start``, ``memory_limit``, ``file_offset``
        (uint64), ``file``, ``build_id`` (str), ``has_functions``, ``has_filenames``,
        ``has_line_numbers``, ``has_inline_frames`` (bool)."""
        d = self._data
        s = d.strings
        f = d.map_flags.reshape(-1, 4)
        return pd.DataFrame({
            "mapping_id": d.map_id, "memory_start": d.map_start, "memory_limit": d.map_limit,
            "file_offset": d.map_offset,
            "file": pd.array([s[i] for i in d.map_filename], dtype=object),
            "build_id": pd.array([s[i] for i in d.map_build_id], dtype=object),
            "has_functions": f[:, 0], "has_filenames": f[:, 1], "has_line_numbers": f[:, 2], "has_inline_frames": f[:, 3],
        })

    # ---- analysis ------------------------------------------------------------------
    def sample_index(self, sample_index: int | str | None = None) -> int:
        """Position of a sample type by pprof's rules (see :func:`~pprof_parse.analyze.sample_index.resolve_sample_index`)."""
        return resolve_sample_index(self._data, sample_index)

    def total(self, sample_index: int | str | None = None, *, mean: bool = False) -> int:
        """The report total pprof prints (``of X total``): Σ|value| over all samples."""
        return report_total(self._data, self.sample_index(sample_index), mean=mean)

    def top(self, sample_index: int | str | None = None, *, cum: bool = False, granularity: str = "functions",
            noinlines: bool = False, mean: bool = False, focus: str | None = None, ignore: str | None = None,
            hide: str | None = None, show: str | None = None, show_from: str | None = None,
            prune_from: str | None = None, tagfocus: str | None = None, tagignore: str | None = None,
            tagshow: str | None = None, taghide: str | None = None,
            tagroot: str | list[str] | None = None, tagleaf: str | list[str] | None = None,
            relative_percentages: bool = False) -> pd.DataFrame:
        """``go tool pprof -top -nodefraction=0``: one row per report node, in pprof's order.

        Parameters
        ----------
        sample_index : int or str, optional
            Which value to report: a position or a type name (``"alloc_space"``,
            legacy ``"inuse_space"``). Default: ``default_sample_type``, else the
            last type (pprof's rule).
        cum : bool
            Sort by |cum| (pprof ``-cum``) instead of |flat|.
        granularity : {"functions", "filefunctions", "files", "lines", "addresses"}
        noinlines : bool
            Attribute inlined functions to their first out-of-line caller (``-noinlines``).
        mean : bool
            Divide by the first value (usually a count), as ``-mean``.
        focus, ignore, hide, show, show_from, prune_from, tagfocus, tagignore, tagshow, taghide : str, optional
            pprof's filters, applied in pprof's order before the nodes are built;
            see :func:`~pprof_parse.analyze.filter.apply_filters`.
        tagroot, tagleaf : str or list of str, optional
            pprof's ``-tagroot``/``-tagleaf``: label keys (``"phase,kind"`` or a list) whose values
            become pseudo-frames at the root (first key outermost) / leaf (last key innermost) of
            every stack, made before the filters (see :mod:`pprof_parse.analyze.label_frames`).
            At ``functions`` granularity a frame is named by the value (``"json"``); a sample
            without the key gets ``<unknown>``; numeric values are formatted as pprof does
            (``"65536"`` for Go's unit-less heap ``bytes`` label, ``"64kB"`` with a ``num_unit``).
        relative_percentages : bool
            Percentages (and ``attrs["total"]``) relative to the filtered
            samples, as ``-relative_percentages``; by default they are relative
            to the whole profile (pprof computes the total before filtering).

        Returns
        -------
        pandas.DataFrame
            ======== ======= ==========================================================
            column   dtype   meaning
            ======== ======= ==========================================================
            name     object  pprof's printable node name at this granularity
            flat     int64   value where the node is the leaf, in the sample type's unit
            flat_pct float64 |flat| / total × 100
            sum_pct  float64 running sum of flat / total × 100 (pprof's ``sum%``)
            cum      int64   value of samples whose stack contains the node (once per sample)
            cum_pct  float64 |cum| / total × 100
            inline   object  ``"inline"`` / ``"partial-inline"`` / ``""``: pprof's ``(inline)`` marker
            ======== ======= ==========================================================

            ``df.attrs`` holds ``sample_type``, ``unit``, ``total`` (pprof's
            Σ|value|), ``granularity`` and ``mean``.

        Raises
        ------
        SampleTypeError
            Unknown sample index.
        OptionError
            Unknown granularity.

        Notes
        -----
        Mirrors pprof's graph: flat is counted at ``Location[0].Line[0]``; cum
        once per distinct node per sample; nodes with flat = cum = 0 dropped;
        sorted by |flat| (|cum| with ``cum``), then printable name, then the
        other value. Nothing is trimmed (pprof ``-nodefraction=0``).
        """
        data, total = self._filtered(sample_index, mean, relative_percentages, dict(
            focus=focus, ignore=ignore, hide=hide, show=show, show_from=show_from, prune_from=prune_from,
            tagfocus=tagfocus, tagignore=tagignore, tagshow=tagshow, taghide=taghide, tagroot=tagroot,
            tagleaf=tagleaf))
        return top_table(data, sample_index, cum=cum, granularity=granularity, noinlines=noinlines, mean=mean,
                         total=total)

    # ---- filters and views (pprof's analysis options) ------------------------------------------
    def _filtered(self, sample_index, mean: bool, relative: bool, filters: dict, *, indexed: bool = False):
        """``(filtered data, report total[, kept sample rows])``: pprof's order -- label pseudo-frames
        (``tagroot``/``tagleaf``) first, then the total (before filtering unless ``relative``,
        ``-relative_percentages``), then the filters."""
        filters = dict(filters)
        base = add_label_frames(self._data, filters.pop("tagroot", None), filters.pop("tagleaf", None))
        unknown = set(filters) - set(FILTER_OPTIONS)
        if unknown:
            raise OptionError(f"unknown option(s) {', '.join(sorted(unknown))}; filters are "
                              f"{', '.join(FILTER_OPTIONS)}, tagroot, tagleaf")
        si = self.sample_index(sample_index)
        total = None if relative else report_total(base, si, mean=mean)
        data, orig = (apply_filters_indexed(base, **filters) if has_filters(filters)
                      else (base, np.arange(base.n_samples)))
        if total is None:
            total = report_total(data, si, mean=mean)
        return (data, total, orig) if indexed else (data, total)

    def filter(self, *, focus: str | None = None, ignore: str | None = None, hide: str | None = None,
               show: str | None = None, show_from: str | None = None, prune_from: str | None = None,
               tagfocus: str | None = None, tagignore: str | None = None, tagshow: str | None = None,
               taghide: str | None = None, tagroot: str | list[str] | None = None,
               tagleaf: str | list[str] | None = None) -> "Profile":
        """A new Profile with pprof's filters applied (in pprof's order); calls compose.

        Parameters
        ----------
        focus, ignore : str, optional
            Keep samples with a location matching ``focus``; drop samples with
            one matching ``ignore``. Unanchored regexes searched in every
            line's function and file name and the location's mapping file.
        hide, show : str, optional
            Remove matching lines / keep only matching lines from every location.
        show_from, prune_from : str, optional
            Cut stacks above the root-most match / below the leaf-most match.
        tagfocus, tagignore : str, optional
            Label filters ``[key=]regex[,regex...]`` or numeric ranges ``[key=]1kb:64kb``.
        tagshow, taghide : str, optional
            Keep / remove label keys matching the regex.
        tagroot, tagleaf : str or list of str, optional
            pprof's ``-tagroot``/``-tagleaf``: label keys (``"phase,kind"`` or a list) whose values
            become pseudo-frames at the root (first key outermost) / leaf (last key innermost) of
            every stack, made before the filters (see :mod:`pprof_parse.analyze.label_frames`).
            At ``functions`` granularity a frame is named by the value (``"json"``); a sample
            without the key gets ``<unknown>``; numeric values are formatted as pprof does
            (``"65536"`` for Go's unit-less heap ``bytes`` label, ``"64kB"`` with a ``num_unit``).
            The returned Profile's stacks carry the frames, so ``call_tree(prof.filter(tagroot="phase"))``
            and its flame graph show them.

        Returns
        -------
        Profile
            Its ``top()`` percentages are relative to what is left (like
            writing pprof's ``-proto`` output and reading it again); use the
            same options on :meth:`top` for pprof's whole-profile percentages.

        Raises
        ------
        OptionError
            A regex or range does not parse.
        """
        data = apply_filters(add_label_frames(self._data, tagroot, tagleaf), focus=focus, ignore=ignore, hide=hide, show=show, show_from=show_from,
                             prune_from=prune_from, tagfocus=tagfocus, tagignore=tagignore, tagshow=tagshow,
                             taghide=taghide)
        return Profile(data, source=self.source)

    def flame_search(self, sample_index: int | str | None = None, *, granularity: str = "functions",
                     noinlines: bool = False, max_nodes: int | None = 3000,
                     tagroot: str | list[str] | None = None, tagleaf: str | list[str] | None = None):
        """The flame graph with a search box, live in JupyterLab.

        Typing a Go regex (pprof's ``-focus`` syntax) and Enter paints the matching frames and shows
        ``matched: VALUE (PCT% of total)``: VALUE is ``self.top(sample_index, focus=regex, tagroot=tagroot,
        tagleaf=tagleaf)["flat"].sum()`` (the samples pprof's ``-focus`` keeps), PCT its share of
        pprof's total. For a static page with the same box (computed in the browser, no kernel):
        ``pprof_parse.figures.write_flame_html(flame_search_figure(prof, ...), "flame.html")``.

        Parameters
        ----------
        sample_index, granularity, noinlines, max_nodes, tagroot, tagleaf
            As :func:`pprof_parse.figures.call_tree`.

        Returns
        -------
        ipywidgets.VBox
            ``[Text, HTML, plotly FigureWidget]``; ``box.on_search(regex)`` runs a search. Needs
            ipywidgets and anywidget.

        Raises
        ------
        SampleTypeError
            Unknown sample index.
        OptionError
            As :func:`~pprof_parse.figures.call_tree`; an invalid regex is shown in the box.
        """
        fig = flame_search_figure(self, sample_index, granularity=granularity, noinlines=noinlines,
                                  max_nodes=max_nodes, tagroot=tagroot, tagleaf=tagleaf)
        return flame_search_widget(self, fig)

    def sandwich(self, regex: str, *, sample_index: int | str | None = None, granularity: str = "functions",
                 noinlines: bool = False, min_fraction: float = 0.005, max_nodes: int | None = 3000,
                 relative_percentages: bool = False, **filters) -> Sandwich:
        """The sandwich view of one function: the trees of its callers and of its callees.

        Parameters
        ----------
        regex : str
            Go (RE2) regex searched, unanchored, in each node's printable name, as ``-peek``
            matches. The first matching node in pprof's report order (|flat| descending, then
            name) is taken; ``Sandwich.matches`` lists every match (anchor the regex,
            ``^runtime\\.mallocgc$``, to take another).
        sample_index, granularity, noinlines, relative_percentages
            As for :meth:`top`.
        min_fraction, max_nodes
            Pruning of each tree for plotting, as :func:`pprof_parse.figures.call_tree`
            (fractions of the function's cum; ``0`` / ``None`` keep every path).
        **filters
            pprof's filter options (``focus=``, ``tagfocus=``, ``tagroot=``, ...), as for :meth:`top`.

        Returns
        -------
        Sandwich
            ``name`` (the node's printable name), ``flat`` and ``cum`` (the sample type's
            unit; equal to :meth:`peek`'s row of the node), ``callers`` and ``callees``:
            call-tree frames (columns ``id, parent, name, depth, self, total``, as
            :func:`pprof_parse.figures.call_tree`) rooted at the function, root total = cum.
            In ``callers`` depth 1 holds the direct callers, depth 2 their callers, up to the
            outermost frames; in ``callees`` depth 1 holds the direct callees, down to the
            leaves. Depth 1 totals are :meth:`peek`'s caller / callee weights. Also
            ``total`` (the report total: whole profile unless ``relative_percentages``),
            ``flat_pct``, ``cum_pct`` (0-100), ``sample_type``, ``unit``, ``granularity``,
            ``matches`` (every matched node, in pprof's order). Draw it with
            :func:`pprof_parse.figures.sandwich_figure`.

        Raises
        ------
        OptionError
            A regex Go would refuse (``parsing sandwich regexp ...``); no node matches
            (pprof's ``no matches found for regexp: ...``); an unknown granularity or
            option; ``min_fraction`` < 0 or ``max_nodes`` < 2.
        SampleTypeError
            Unknown sample index.

        Notes
        -----
        Each sample's stack is split at the function's outermost call, a run of direct
        recursion being one call, so each tree holds every sample once, as pprof's cum
        does (speedscope's sandwich splits the same way). A sample that calls the function
        again through another one (X -> a -> X -> b) keeps the inner call inside the
        callees tree (X;a;X;b): :meth:`peek` lists a -> X and X -> b as edges of X as well,
        so for such functions depth 1 holds less than :meth:`peek`'s rows.
        """
        rx = compile_regex("sandwich", regex)
        data, total = self._filtered(sample_index, False, relative_percentages, filters)
        return sandwich_of(data, rx, self.sample_index(sample_index), total=total, granularity=granularity,
                           noinlines=noinlines, min_fraction=min_fraction, max_nodes=max_nodes)

    def peek(self, regex: str, sample_index: int | str | None = None, *, granularity: str = "functions",
             noinlines: bool = False, cum: bool = False, mean: bool = False, relative_percentages: bool = False,
             **filters) -> pd.DataFrame:
        """``go tool pprof -peek=regex``: callers and callees of the nodes whose name matches.

        Parameters
        ----------
        regex : str
            Go (RE2) regex searched, unanchored, in each node's printable name (as ``-peek``).
        sample_index, granularity, noinlines, cum, mean, relative_percentages
            As for :meth:`top` (``cum`` orders the matched nodes by |cum|). With
            ``mean``, as ``-peek -mean``: the nodes' flat and cum are means, the
            edge weights stay sums (pprof prints them so).
        **filters
            pprof's filter options (``focus=``, ``tagfocus=``, ...), as for :meth:`top`.

        Returns
        -------
        pandas.DataFrame
            For each matched node in pprof's order: its callers (``relation``
            ``"caller"``), the node itself (``"self"``), its callees
            (``"callee"``). Columns: ``node`` (the matched node), ``relation``,
            ``name`` (the caller / callee / node), ``weight`` (edge weight: value
            of the samples through that call, once per sample), ``weight_pct``
            (of the node's cum, pprof's ``calls%``), ``inline`` (an inlined
            call), and on ``self`` rows ``flat``, ``flat_pct``, ``sum_pct``
            (running over matched nodes), ``cum``, ``cum_pct``. Values in the
            sample type's unit; percentages 0-100.

        Raises
        ------
        OptionError
            A regex Go would refuse (``parsing peek regexp `(?=x)`: ...``); or no
            node matches (pprof: ``no matches found for regexp``).
        """
        rx = compile_regex("peek", regex)
        data, total = self._filtered(sample_index, mean, relative_percentages, filters)
        df = peek_table(data, rx, self.sample_index(sample_index), total=total, granularity=granularity,
                        noinlines=noinlines, cum=cum, mean=mean)
        if not len(df):
            raise OptionError(f"no matches found for regexp: {regex}")
        return df

    def list(self, regex: str, *, sample_index: int | str | None = None, source_path=None, trim_path=None,
             noinlines: bool = False, mean: bool = False, relative_percentages: bool = False,
             **filters) -> pd.DataFrame:
        """``go tool pprof -list=regex``: flat and cum of every source line of the functions whose name matches.

        Parameters
        ----------
        regex : str
            Go (RE2) regex searched, unanchored, in each function name (as ``-list``).
        sample_index : int or str, optional
            Which value to report, as for :meth:`top`.
        source_path : list of str or str, optional
            Directories to look for source files in (``-source_path``; a string is
            ``os.pathsep``-separated). Default: the current working directory, as pprof.
        trim_path : list of str or str, optional
            Prefixes to cut from recorded file names before searching (``-trim_path``).
        noinlines : bool
            Attribute inlined functions' lines to their physical caller's call line (``-noinlines``).
        mean, relative_percentages
            As for :meth:`top`; they change only ``attrs["total"]``: pprof's
            ``-list`` adds up raw sums even with ``-mean``.
        **filters
            pprof's filter options (``focus=``, ``hide=``, ``tagfocus=``, ...), as for :meth:`top`.

        Returns
        -------
        pandas.DataFrame
            One row per source line with a nonzero flat or cum (pprof's listing
            also prints the zero lines around them, as context; they are left
            out here), ordered as pprof prints them: function name, file, line.

            ======== ============== ================================================================
            column   dtype          meaning
            ======== ============== ================================================================
            function object         function name (inlined functions keep their own lines)
            file     object         recorded source file name (``/proc/self/cwd/`` cut, cleaned;
                                    pprof's header shows it after ``trim_path``)
            line     int64          line number
            flat     int64          value of samples whose leaf is this line (sample type's unit)
            cum      int64          value of samples with this line on the stack, once per sample
                                    however often the line recurs
            source   string         the line's text; ``<NA>`` when the file is not found
            ======== ============== ================================================================

            ``df.attrs``: ``sample_type``, ``unit``, ``total`` (pprof's ``Total:``),
            ``functions`` (one dict per ``ROUTINE`` header: ``function``, ``file``,
            ``flat``, ``cum`` -- Σ of its lines, as pprof's header), ``missing_sources``
            (recorded file names no file was found for: their rows have no text; not
            an error), ``source_files`` (recorded name -> file read), ``no_source_info``
            (matching functions without a file name, which pprof reports as ``No
            source information``).

        Raises
        ------
        OptionError
            A regex Go would refuse; or no function matches (pprof: ``no matches
            found for regexp``); or an unknown filter option.
        SampleTypeError
            Unknown sample index.

        Notes
        -----
        Files are found as pprof finds them (``trim_path`` or its heuristic, then
        each ``source_path`` directory and its parents; an absolute name must
        exist), then at the recorded name, in ``go env GOROOT``'s ``src`` for the
        standard library and in ``go env GOMODCACHE`` for dependencies (see
        :mod:`pprof_parse.present.source_files`). A row stays (without text) where
        pprof prints nothing: a file not found (pprof prints an error for the
        function), a line past the file's end. :func:`pprof_parse.present.listing.listing_html`
        renders the result weblist-style.
        """
        rx = compile_regex("list", regex)
        data, total = self._filtered(sample_index, mean, relative_percentages, filters)
        df = list_table(data, rx, self.sample_index(sample_index), total=total, noinlines=noinlines,
                        source_path=source_path, trim_path=trim_path)
        if not len(df) and not df.attrs["no_source_info"]:
            raise OptionError(f"no matches found for regexp: {regex}")
        return df

    def _repr_html_(self) -> str:
        """The notebook card: source, pprof's ``Type``, ``Duration`` and total, the sample types
        (``type/unit``) and the ten rows of ``go tool pprof -top -nodecount=10`` as pprof prints
        them, every string HTML-escaped (see :func:`pprof_parse.present.card.profile_card_html`)."""
        return profile_card_html(self._data, source=self.source)

    def by_label(self, key: str, *, sample_index: int | str | None = None) -> pd.DataFrame:
        """A quick breakdown of one sample type by the values of label ``key``.

        Parameters
        ----------
        key : str
            A string or numeric label key (``"phase"``, Go heap's ``"bytes"``).
        sample_index : int or str, optional
            Which value to sum (as for :meth:`top`).

        Returns
        -------
        pandas.DataFrame
            One row per value: ``value`` (``str``; for a numeric label the number, ``Int64``, in
            the label's unit ``attrs["label_unit"]``; ``<NA>`` for the samples that do not carry
            the key -- one row, only when there are such samples), ``flat`` (int64, Σ value of
            the samples carrying it in the sample type's unit; a sample counts once per label it
            carries, as in pprof's ``-tags``), ``share`` (float64, flat / the report total
            Σ|value|). Sorted by flat descending. ``attrs``: ``key``, ``sample_type``, ``unit``,
            ``label_unit``, ``total``.

        Raises
        ------
        SampleTypeError
            Unknown sample index.
        """
        si = self.sample_index(sample_index)
        return label_breakdown(self._data, key, si, total=report_total(self._data, si))

    def traces(self, sample_index: int | str | None = None, *, granularity: str = "functions",
               noinlines: bool = False, mean: bool = False, **filters) -> pd.DataFrame:
        """``go tool pprof -traces``: every sample's stack, one row per frame.

        Parameters
        ----------
        sample_index, granularity, noinlines, mean
            As for :meth:`top` (frame names are pprof's printable names at ``granularity``).
        **filters
            pprof's filter options (``focus=``, ``tagfocus=``, ``taghide=``, ...), as for :meth:`top`.

        Returns
        -------
        pandas.DataFrame
            Samples with an empty stack are skipped (as pprof). Columns:
            ``trace`` (0-based, in sample order), ``sample`` (row of
            :attr:`samples` it came from), ``depth`` (0 = leaf), ``value`` (the
            trace's value, repeated on each of its frames; with ``mean`` divided
            by the first value), ``name`` (pprof's printable frame name at
            ``granularity``), ``inline`` (an inlined frame: pprof's ``(inline)``),
            then one column per label key holding the sample's values as pprof
            prints them (numeric labels auto-scaled, e.g. ``"64kB"``).
        """
        data, _total, orig = self._filtered(sample_index, mean, False, filters, indexed=True)
        return traces_table(data, self.sample_index(sample_index), orig=orig, granularity=granularity,
                            noinlines=noinlines, mean=mean, units=num_label_units(self._data))

    def tags(self, sample_index: int | str | None = None, *, unit: str = "minimum",
             relative_percentages: bool = False, **filters) -> pd.DataFrame:
        """``go tool pprof -tags``: per label key, every value with the total of its samples.

        Parameters
        ----------
        sample_index : int or str, optional
            Which value to sum (as for :meth:`top`).
        unit : str
            pprof's ``-unit`` for numeric label values: ``"minimum"`` (default,
            each value auto-scaled: ``"64kB"``) or a unit (``"B"``, ``"ms"``...).
        relative_percentages : bool
            Percentages of the filtered total instead of the whole profile's.
        **filters
            pprof's filter options, as for :meth:`top` (``tagshow``/``taghide``
            choose the keys listed).

        Returns
        -------
        pandas.DataFrame
            Keys by name, values by |total| descending then name. Columns:
            ``key``, ``value`` (string label value, or the numeric value
            formatted like pprof), ``total`` (Σ sample value, sample type's
            unit), ``pct`` (of the report total), ``key_total``, ``key_pct``.
        """
        data, total = self._filtered(sample_index, False, relative_percentages, filters)
        return tags_table(data, self.sample_index(sample_index), total=total, unit=unit,
                          units=num_label_units(self._data))

    # ---- writing back ----------------------------------------------------------------
    def to_proto(self, path_or_file=None, *, compresslevel: int = 6) -> bytes | None:
        """Write the profile as gzip profile.proto, which ``go tool pprof`` reads.

        ``go tool pprof`` reports the written file exactly as it reports the
        profile this one was read from (also for text inputs, filtered,
        merged or diffed profiles: a diff keeps its ``pprof::base`` labels, as
        pprof's ``-proto`` output does).

        Parameters
        ----------
        path_or_file : str, os.PathLike, binary file or None
            Destination; ``None`` returns the bytes.
        compresslevel : int
            gzip level (default 6, pprof's).

        Returns
        -------
        bytes or None
            The gzip bytes when ``path_or_file`` is None.

        Raises
        ------
        OptionError
            ``compresslevel`` is not an int in 0-9 (gzip's levels).
        """
        if isinstance(compresslevel, bool) or not isinstance(compresslevel, int) or not 0 <= compresslevel <= 9:
            raise OptionError(f"compresslevel must be an int in 0-9, not {compresslevel!r}")

        return to_proto(self._data, path_or_file, compresslevel=compresslevel)

    def to_collapsed(self, sample_index: int | str | None = None, path_or_file=None) -> str | None:
        """Folded stacks (``root;...;leaf value`` per distinct stack) for flamegraph.pl / speedscope.

        ``sample_index`` is chosen as in :meth:`top`; inlined frames are
        expanded; stacks summing to 0 are left out. Returns the text when
        ``path_or_file`` is None. See :func:`pprof_parse.present.write.to_collapsed`.

        Raises
        ------
        SampleTypeError
            Unknown sample index.
        """
        return to_collapsed(self._data, sample_index, path_or_file)


def _default_num_unit(key: str) -> str:
    """pprof's unit for a numeric label without ``num_unit``: ``request``/``alignment`` -> bytes, else the key."""
    return "bytes" if key in ("request", "alignment") else key
