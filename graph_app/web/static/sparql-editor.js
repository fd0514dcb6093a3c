/* The query editor: Yasgui with our prefixes, the chosen example, and a bar-chart view. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sparql-config").textContent);

  /* A Yasr plugin that draws the first numeric column against the first other column. */
  function Chart(yasr) { this.yasr = yasr; this.priority = 5; this.label = "Chart"; }
  Chart.prototype.canHandleResults = function () {
    var r = this.yasr.results;
    return !!(r && r.getVariables && r.getVariables().length >= 2 && r.getBindings().length);
  };
  Chart.prototype.getIcon = function () {
    var el = document.createElement("span"); el.textContent = "▮▮"; return el;
  };
  Chart.prototype.draw = function () {
    var vars = this.yasr.results.getVariables(), rows = this.yasr.results.getBindings();
    var numeric = vars.filter(function (v) {
      return rows.every(function (r) { return !r[v] || !isNaN(parseFloat(r[v].value)); });
    });
    var value = numeric[0], label = vars.filter(function (v) { return v !== value; })[0];
    var ns = "http://www.w3.org/2000/svg", barH = 18, width = 640;
    var max = Math.max.apply(null, rows.map(function (r) { return r[value] ? parseFloat(r[value].value) : 0; }).concat([1]));
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", width); svg.setAttribute("height", rows.length * (barH + 4) + 10);
    svg.setAttribute("role", "img"); svg.setAttribute("class", "sparql-chart");
    rows.forEach(function (r, i) {
      var n = r[value] ? parseFloat(r[value].value) : 0;
      var text = document.createElementNS(ns, "text");
      text.setAttribute("x", 0); text.setAttribute("y", i * (barH + 4) + 14);
      text.textContent = (r[label] ? r[label].value.replace(/^.*[\/#]/, "") : "") + " (" + n + ")";
      var rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", 260); rect.setAttribute("y", i * (barH + 4));
      rect.setAttribute("height", barH); rect.setAttribute("width", Math.max(1, (width - 270) * n / max));
      rect.setAttribute("fill", "#3b6ea5");
      svg.appendChild(text); svg.appendChild(rect);
    });
    this.yasr.resultsEl.appendChild(svg);
  };
  if (window.Yasgui && Yasgui.Yasr) { Yasgui.Yasr.registerPlugin("chart", Chart); }

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null
  });
  var tab = yasgui.getTab();
  var yasqe = tab.getYasqe();
  yasqe.setValue(config.query);
  yasqe.addPrefixes(config.prefixes);
  window.qagraphYasgui = yasgui;
}());
