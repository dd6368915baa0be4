/*
 * Search in a gopherlab flame graph, in the page (no kernel, no network).
 *
 * gopherlabFlameSearch(gd) adds a text box above the plotly figure `gd` when one of its icicle
 * traces carries a search index in meta.gopherlab_search (pprof_parse/present/flame_index.py
 * builds it and documents the sum; flame_search.py documents the regex dialect). Typing a regex
 * paints the matching frames of the visible trace and shows "matched: VALUE (PCT% of total)":
 * the total of the samples `go tool pprof -focus=REGEX` keeps, computed exactly as
 * flame_index.search_matches computes it. The exact value is in the output's data-value.
 */
function gopherlabFlameSearch(gd) {
  "use strict";
  var KEY = "gopherlab_search", HIT = "#e6550d", DIM = "#e3e3e3";
  if (!gd || !gd.data || !gd.parentNode || gd.getAttribute("data-gl-search")) { return; }
  var traces = [], indexes = {};
  gd.data.forEach(function (t, i) {
    if (t.type === "icicle" && t.meta && t.meta[KEY]) {
      traces.push(i);
      // kept here, not in the trace: plotly copies a trace's meta on every restyle (seconds for a large index)
      indexes[i] = unescaped(t.meta[KEY]);
      var rest = {};
      Object.keys(t.meta).forEach(function (k) { if (k !== KEY) { rest[k] = t.meta[k]; } });
      t.meta = rest;
    }
  });
  if (!traces.length) { return; }
  gd.setAttribute("data-gl-search", "1");

  // the index's texts arrive HTML-escaped (flame_index.embeddable): back to the profile's strings
  function unescaped(ix) {
    if (!ix.texts_escaped) { return ix; }
    var ENT = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "#x27": "'"};
    ix.texts = ix.texts.map(function (s) {
      return s.replace(/&(amp|lt|gt|quot|#x27);/g, function (m, e) { return ENT[e]; });
    });
    ix.texts_escaped = false;
    return ix;
  }

  // ---- Go (RE2) pattern -> JavaScript RegExp ------------------------------------------------
  var POSIX = {
    alnum: "0-9A-Za-z", alpha: "A-Za-z", ascii: "\\x00-\\x7f", blank: "\\t ", cntrl: "\\x00-\\x1f\\x7f",
    digit: "0-9", graph: "!-~", lower: "a-z", print: " -~", punct: "!-/:-@\\[-`{-~",
    space: "\\t\\n\\v\\f\\r ", upper: "A-Z", word: "0-9A-Za-z_", xdigit: "0-9A-Fa-f"
  };
  var CATEGORIES = /^(L|Lu|Ll|Lt|Lm|Lo|M|Mn|Mc|Me|N|Nd|Nl|No|P|Pc|Pd|Ps|Pe|Pi|Pf|Po|S|Sm|Sc|Sk|So|Z|Zs|Zl|Zp|C|Cc|Cf|Cs|Co|Cn)$/;

  function refuse(msg) { var e = new Error(msg); e.refused = true; throw e; }

  function escapeLiteral(s) { return s.replace(/[\\^$.*+?()[\]{}|\/-]/g, "\\$&"); }

  // {source, flags, unicode}: the pattern in JavaScript's syntax; throws on what Go refuses
  // (look-around, back-references, \C) and on what this translation does not support.
  function translate(p) {
    var out = "", flags = "", unicode = false, i = 0, inClass = false;
    var lead = /^\(\?([a-zA-Z]+)\)/.exec(p);
    if (lead) {
      lead[1].split("").forEach(function (f) {
        if ("ims".indexOf(f) < 0) { refuse("flag (?" + f + ") is not supported in the browser"); }
        if (flags.indexOf(f) < 0) { flags += f; }
      });
      i = lead[0].length;
    }
    while (i < p.length) {
      var c = p[i];
      if (c === "\\") {
        var d = p[i + 1];
        if (d === undefined) { refuse("trailing backslash at end of expression"); }
        if (d === "Q") {
          var end = p.indexOf("\\E", i + 2), lit = end < 0 ? p.slice(i + 2) : p.slice(i + 2, end);
          out += escapeLiteral(lit); i = end < 0 ? p.length : end + 2; continue;
        }
        if (d === "C") { refuse("invalid escape sequence: \\C"); }
        if (d === "k") { refuse("invalid escape sequence: \\k (named back-references are not Go syntax)"); }
        if (/[1-9]/.test(d) && !/[0-7]/.test(p[i + 2] || "")) { refuse("invalid escape sequence: \\" + d + " (back-references are not Go syntax)"); }
        if (!inClass && d === "A") { out += "^"; i += 2; continue; }
        if (!inClass && d === "z") { out += "$"; i += 2; continue; }
        if (d === "Z") { refuse("invalid escape sequence: \\Z"); }
        if (d === "p" || d === "P") {
          var name, len;
          if (p[i + 2] === "{") {
            var close = p.indexOf("}", i + 3);
            if (close < 0) { refuse("invalid character class range: " + p.slice(i)); }
            name = p.slice(i + 3, close); len = close + 1 - i;
          } else { name = p[i + 2] || ""; len = 3; }
          var neg = name[0] === "^";
          if (neg) { name = name.slice(1); }
          out += "\\" + ((d === "P") !== neg ? "P" : "p") + "{" + (CATEGORIES.test(name) ? name : "Script=" + name) + "}";
          unicode = true; i += len; continue;
        }
        out += c + d; i += 2; continue;
      }
      if (inClass) {
        if (c === "[" && p[i + 1] === ":") {
          var m = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(i));
          if (m && POSIX[m[2]]) {
            if (m[1]) { refuse("negated POSIX class [:^" + m[2] + ":] is not supported in the browser"); }
            out += POSIX[m[2]]; i += m[0].length; continue;
          }
        }
        if (c === "]" && !(p[i - 1] === "[" || (p[i - 1] === "^" && p[i - 2] === "["))) { inClass = false; }
        out += c; i += 1; continue;
      }
      if (c === "[") { inClass = true; out += c; i += 1; continue; }
      if (c === "(" && p[i + 1] === "?") {
        var rest = p.slice(i + 2);
        var look = /^(=|!|<=|<!)/.exec(rest);
        if (look) { refuse("invalid or unsupported Perl syntax: (?" + look[0] + " (look-around is not Go syntax)"); }
        if (/^P</.test(rest)) { out += "(?<"; i += 4; continue; }
        if (/^[a-zA-Z-]+\)/.test(rest)) { refuse("flags after the start of the pattern are not supported in the browser"); }
      }
      out += c; i += 1;
    }
    return { source: out, flags: flags, unicode: unicode };
  }

  function compile(pattern) {
    var t = translate(pattern);
    try { return new RegExp(t.source, t.flags + "u"); } catch (e) {
      if (t.unicode) { throw e; }
    }
    return new RegExp(t.source, t.flags);
  }

  // ---- numbers as format_value prints them (pprof_parse/present/flame.py) ---------------------
  var SCALES = {
    bytes: [[Math.pow(2, 40), "TB"], [Math.pow(2, 30), "GB"], [Math.pow(2, 20), "MB"], [1024, "kB"], [1, "B"]],
    nanoseconds: [[3600e9, "h"], [60e9, "min"], [1e9, "s"], [1e6, "ms"], [1e3, "\u00b5s"], [1, "ns"]],
    count: [[1e9, "G"], [1e6, "M"], [1e3, "k"], [1, ""]]
  };
  function fixed2(x) {  // Python's "%.2f": exact ties round half to even
    var y = x * 100;
    if (Number.isInteger(x * 200) && !Number.isInteger(y)) {
      var f = Math.floor(y), n = f % 2 === 0 ? f : f + 1;
      return (n / 100).toFixed(2);
    }
    return x.toFixed(2);
  }
  function grouped(v) { return (v < 0 ? "-" : "") + BigInt(Math.round(Math.abs(v))).toLocaleString("en-US"); }
  function formatValue(big, unit) {
    var v = Number(big), scales = SCALES[unit], a = Math.abs(v);
    if (!scales) { return (grouped(v) + " " + unit).trim(); }
    for (var k = 0; k < scales.length; k++) {
      if (a >= scales[k][0]) {
        if (scales[k][0] === 1) { return unit === "count" ? grouped(v) : (grouped(v) + " " + scales[k][1]).trim(); }
        return (fixed2(v / scales[k][0]) + " " + scales[k][1]).trim();
      }
    }
    return (grouped(v) + " " + scales[scales.length - 1][1]).trim();
  }

  // ---- the matched total (flame_index.search_matches) ------------------------------------------
  function anyHit(hit, off, ids) {
    var out = new Array(off.length - 1);
    for (var g = 0; g + 1 < off.length; g++) {
      out[g] = false;
      for (var j = off[g]; j < off[g + 1]; j++) { if (hit[ids[j]]) { out[g] = true; break; } }
    }
    return out;
  }
  function search(ix, re) {
    var hit = ix.texts.map(function (s) { return re.test(s); });
    var n = ix.total.length, rows = anyHit(hit, ix.node_off, ix.node_ids), chain = rows.slice();
    chain[0] = false;
    ix.mixed.forEach(function (r) { chain[r] = false; });
    for (var r = 0; r < n; r++) { if (ix.is_other[r]) { chain[r] = false; } }
    var under = new Array(n).fill(false), value = 0n;
    for (r = 1; r < n; r++) {  // parents come before children
      var p = ix.parent[r];
      if (chain[r] && !under[p]) { value += BigInt(ix.total[r]); }
      under[r] = chain[r] || under[p];
    }
    var gh = anyHit(hit, ix.group_off, ix.group_ids);
    for (var g = 0; g < gh.length; g++) {
      if (gh[g]) {
        rows[ix.group_row[g]] = true;
        if (!under[ix.group_row[g]]) { value += BigInt(ix.group_value[g]); }
      }
    }
    var low = value, high = value;
    var some = ix.coarse_any_ids.some(function (t) { return hit[t]; });
    var every = anyHit(hit, ix.coarse_all_off, ix.coarse_all_ids);
    for (var c = 0; c < ix.coarse_row.length; c++) {
      var cr = ix.coarse_row[c];
      if (under[cr] || !some) { continue; }
      rows[cr] = true;
      var pos = BigInt(ix.coarse_pos[c]), neg = BigInt(ix.coarse_neg[c]);
      if (every[c]) { value += pos + neg; low += pos + neg; high += pos + neg; } else { low += neg; high += pos; }
    }
    return { value: value, low: low, high: high, exact: low === high, rows: rows };
  }
  function percent(big, total) {
    var v = Number(big < 0n ? -big : big);
    return Number(total) ? fixed2(v / Number(total) * 100) : "0.00";
  }

  // ---- the box -----------------------------------------------------------------------------------
  var box = document.createElement("div");
  box.className = "gl-flame-search";
  box.style.cssText = "font: 13px sans-serif; margin: 4px 0 2px 10px; display: flex; gap: 0.8em; align-items: center;";
  var input = document.createElement("input");
  input.type = "search";
  input.placeholder = "search frames (regex, as pprof -focus)";
  input.setAttribute("aria-label", "search frames");
  input.style.cssText = "width: 22em; font: inherit; padding: 2px 4px;";
  var output = document.createElement("span");
  output.className = "gl-flame-search-result";
  output.setAttribute("aria-live", "polite");
  box.appendChild(input);
  box.appendChild(output);
  gd.parentNode.insertBefore(box, gd);

  var original = {};
  traces.forEach(function (i) {
    var m = gd.data[i].marker;
    original[i] = m && m.colors ? m.colors.slice() : null;
  });
  var painted = null, pending = null;

  function visibleTrace() {
    for (var k = 0; k < traces.length; k++) { if (gd.data[traces[k]].visible !== false) { return traces[k]; } }
    return null;
  }
  function paint(i, colors) { return Plotly.restyle(gd, { "marker.colors": [colors] }, [i]); }
  // one redraw per burst of keystrokes: the text answers at once, the colours follow
  function paintSoon(i, colors) {
    if (pending !== null) { clearTimeout(pending); }
    pending = setTimeout(function () {
      pending = null;
      if (painted !== null && painted !== i) { paint(painted, original[painted]); painted = null; }
      if (colors !== null) { painted = i; paint(i, colors); } else if (painted === i) { painted = null; paint(i, original[i]); }
    }, 50);
  }
  function show(text, attrs) {
    output.textContent = text;
    ["data-value", "data-low", "data-high", "data-error"].forEach(function (a) { output.removeAttribute(a); });
    Object.keys(attrs || {}).forEach(function (a) { output.setAttribute(a, attrs[a]); });
  }

  function run() {
    var pattern = input.value, i = visibleTrace();
    if (i === null) { show(""); return; }
    if (!pattern) { show(""); paintSoon(i, null); return; }
    var re;
    try { re = compile(pattern); } catch (e) {
      show("invalid regex: " + (e && e.message ? e.message : String(e)), { "data-error": "1" });
      paintSoon(i, null);
      return;
    }
    var ix = indexes[i], m = search(ix, re);
    paintSoon(i, m.rows.map(function (h) { return h ? HIT : DIM; }));
    if (m.exact) {
      show("matched: " + formatValue(m.value, ix.unit) + " (" + percent(m.value, ix.report_total) + "% of total)",
           { "data-value": m.value.toString() });
    } else {
      show("matched: between " + formatValue(m.low, ix.unit) + " and " + formatValue(m.high, ix.unit) + " (" +
           percent(m.low, ix.report_total) + "\u2013" + percent(m.high, ix.report_total) +
           "% of total; merged small frames not resolved here, Profile.top(focus=...) gives the exact value)",
           { "data-low": m.low.toString(), "data-high": m.high.toString() });
    }
  }

  input.addEventListener("input", run);
  var shown = visibleTrace();
  function onViewChange() {  // the dropdown of flame_views_figure switches the visible trace
    var now = visibleTrace();
    if (now !== shown) {
      shown = now;
      run();  // paints the new view and gives the old one its colours back
    }
  }
  gd.on("plotly_restyle", onViewChange);
  gd.on("plotly_update", onViewChange);
}
