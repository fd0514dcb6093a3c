/* The query editor: Yasgui with our prefixes (folded), the chosen example, a bar-chart
   view, results that show names and link to the pages here, and the editor's words in the
   interface language. Without JavaScript the plain form below it runs the query. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("sparql-config").textContent);
  var texts = config.texts || {};
  function t(s) { return Object.prototype.hasOwnProperty.call(texts, s) ? texts[s] : s; }

  /* A Yasr plugin that draws the first numeric column against the first other column. */
  function Chart(yasr) { this.yasr = yasr; this.priority = 5; this.label = t("Chart"); }
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
    svg.setAttribute("viewBox", "0 0 " + width + " " + (rows.length * (barH + 4) + 10));
    svg.setAttribute("width", width); svg.setAttribute("height", rows.length * (barH + 4) + 10);
    svg.setAttribute("role", "img"); svg.setAttribute("class", "sparql-chart scalable");
    rows.forEach(function (r, i) {
      var n = r[value] ? parseFloat(r[value].value) : 0;
      var text = document.createElementNS(ns, "text");
      text.setAttribute("x", 0); text.setAttribute("y", i * (barH + 4) + 14);
      text.textContent = (r[label] ? r[label].value.replace(/^.*[\/#]/, "") : "") + " (" + n + ")";
      var rect = document.createElementNS(ns, "rect");
      rect.setAttribute("x", 260); rect.setAttribute("y", i * (barH + 4));
      rect.setAttribute("height", barH); rect.setAttribute("width", Math.max(1, (width - 270) * n / max));
      rect.setAttribute("fill", "#0b4f8a");
      svg.appendChild(text); svg.appendChild(rect);
    });
    this.yasr.resultsEl.appendChild(svg);
  };
  if (window.Yasgui && Yasgui.Yasr) {
    Yasgui.Yasr.registerPlugin("chart", Chart);
    var table = Yasgui.Yasr.plugins && Yasgui.Yasr.plugins.table;
    if (table && table.defaults) {
      table.defaults.tableConfig = table.defaults.tableConfig || {};
      table.defaults.tableConfig.language = {
        info: t("Showing _START_ to _END_ of _TOTAL_ entries"), search: t("Search:"),
        emptyTable: t("No data available in table"), lengthMenu: t("Show _MENU_ entries"),
        paginate: { first: t("First"), last: t("Last"), next: t("Next"), previous: t("Previous") }
      };
    }
  }

  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    yasqe: { collapsePrefixesOnLoad: true }
  });
  var tab = yasgui.getTab();
  var yasqe = tab.getYasqe();
  yasqe.setValue(config.query);
  yasqe.addPrefixes(config.prefixes);
  if (yasqe.collapsePrefixes) { yasqe.collapsePrefixes(true); }
  window.qagraphYasgui = yasgui;

  /* Results: a node of ours shows its name and opens its page here. */
  function localise(root) {
    var links = Array.prototype.slice.call(root.querySelectorAll("a[href^='" + config.base + "'], a[href^='https://w3id.org/qagraph/']"))
      .filter(function (a) { return !a.getAttribute("data-local"); });
    if (!links.length) { return; }
    var iris = [];
    links.forEach(function (a) { if (iris.indexOf(a.href) < 0 && iris.length < 500) { iris.push(a.href); } });
    var query = iris.map(function (i) { return "iri=" + encodeURIComponent(i); }).join("&");
    fetch(config.labels + "?lang=" + encodeURIComponent(document.documentElement.lang) + "&" + query,
      { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        links.forEach(function (a) {
          var known = data.labels[a.href];
          if (!known) { return; }
          a.setAttribute("title", a.href);
          a.setAttribute("data-local", "true");
          a.removeAttribute("target");
          a.href = known.href;
          a.textContent = known.label;  // text, never HTML
          // a name needs no <angle brackets> around it
          var before = a.previousSibling, after = a.nextSibling;
          if (before && before.nodeType === 3 && before.nodeValue.slice(-1) === "<") { before.nodeValue = before.nodeValue.slice(0, -1); }
          if (after && after.nodeType === 3 && after.nodeValue.charAt(0) === ">") { after.nodeValue = after.nodeValue.slice(1); }
        });
      })
      .catch(function () {});
  }

  /* The editor's own words in the interface language. */
  function translate(root) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      var s = node.nodeValue.trim();
      if (s && Object.prototype.hasOwnProperty.call(texts, s)) { node.nodeValue = node.nodeValue.replace(s, texts[s]); continue; }
      var m = /^(\d+) results? in ([\d.]+) seconds?$/.exec(s);
      if (m) { node.nodeValue = t("_N_ results in _S_ seconds").replace("_N_", m[1]).replace("_S_", m[2]); }
    }
    root.querySelectorAll(".CodeMirror textarea").forEach(function (el) { el.setAttribute("aria-label", t("Query")); });
    root.querySelectorAll("input:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", el.getAttribute("placeholder") || el.getAttribute("title") || t("Search"));
    });
    root.querySelectorAll("button").forEach(function (el) {
      // the accessible name includes the visible words (WCAG 2.5.3)
      var visible = el.textContent.trim();
      if (visible) { el.setAttribute("aria-label", visible); }
    });
    root.querySelectorAll("[title], [aria-label], [placeholder]").forEach(function (el) {
      ["title", "aria-label", "placeholder"].forEach(function (name) {
        var v = el.getAttribute(name);
        if (v && Object.prototype.hasOwnProperty.call(texts, v)) { el.setAttribute(name, texts[v]); }
      });
    });
  }

  var box = document.getElementById("yasgui");
  var pending = false;
  new MutationObserver(function () {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () { pending = false; translate(box); localise(box); });
  }).observe(box, { childList: true, subtree: true });
  translate(box);
}());
