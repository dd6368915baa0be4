/*
 * The view of gopherlab's flame-graph sandwich widget (pprof_parse/present/flame_widget.py), an
 * anywidget module. The kernel puts three things in the widget's model, each drawn whenever it
 * changes: "flame" (the flame graph, a plotly figure as JSON), "status" (one line of HTML the
 * kernel escaped) and "sandwich" (the sandwich figure as JSON, "" for none).
 *
 * A click on a frame goes to the kernel as a custom message {event: "frame_click", row: N},
 * N being the frame's point number (the call tree's row). Custom messages are sent one by one;
 * a synced attribute would not do: while an earlier message is unanswered, the widget manager
 * keeps only the last value of an attribute, so a click followed by a hover, both during a
 * busy kernel, lost the click (plotly's FigureWidget sends clicks and hovers that way). Hovers
 * stay in the page.
 *
 * plotly.js is the model's "_plotly_js" (the kernel's plotly package; no network), loaded when
 * the first view is drawn, not when this module is: anywidget gives a model 2 s to load its
 * module and then drops every message the kernel sends it, so this module stays small. It is
 * loaded once per module and kept here: the page's own window.Plotly, if any, is left as it was.
 */

let plotlyLoading = null; // one load per module, shared by its views

function plotly(source) {
  plotlyLoading = plotlyLoading || loadPlotly(source);
  return plotlyLoading;
}

async function loadPlotly(source) {
  const before = Object.getOwnPropertyDescriptor(globalThis, "Plotly");
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  try {
    await import(url); // plotly.js's bundle ends by setting window.Plotly
    return globalThis.Plotly;
  } finally {
    URL.revokeObjectURL(url);
    if (before) {
      Object.defineProperty(globalThis, "Plotly", before);
    } else {
      delete globalThis.Plotly;
    }
  }
}

const CONFIG = { displaylogo: false, responsive: true };

function figure(json) {
  return json ? JSON.parse(json) : null;
}

async function render({ model, el }) {
  const Plotly = await plotly(model.get("_plotly_js"));
  const flame = document.createElement("div");
  const status = document.createElement("div");
  const sandwich = document.createElement("div");
  flame.className = "gopherlab-flame";
  status.className = "gopherlab-flame-status";
  sandwich.className = "gopherlab-sandwich";
  status.style.margin = "4px 0";
  el.append(flame, status, sandwich);

  function drawFlame() {
    const f = figure(model.get("flame"));
    return Plotly.react(flame, f.data, f.layout, CONFIG);
  }
  function drawStatus() {
    status.innerHTML = model.get("status");
  }
  function drawSandwich() {
    const f = figure(model.get("sandwich"));
    if (f === null) {
      Plotly.purge(sandwich);
      sandwich.replaceChildren();
      return;
    }
    Plotly.react(sandwich, f.data, f.layout, CONFIG);
  }

  drawFlame().then(() => {
    flame.on("plotly_click", (event) => {
      const point = event && event.points && event.points[0];
      if (point && Number.isInteger(point.pointNumber)) {
        model.send({ event: "frame_click", row: point.pointNumber });
      }
    });
  });
  drawStatus();
  drawSandwich();
  model.on("change:flame", drawFlame);
  model.on("change:status", drawStatus);
  model.on("change:sandwich", drawSandwich);
  return () => {
    model.off("change:flame", drawFlame);
    model.off("change:status", drawStatus);
    model.off("change:sandwich", drawSandwich);
    Plotly.purge(flame);
    Plotly.purge(sandwich);
  };
}

export default { render };
