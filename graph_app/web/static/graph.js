// The graph view: Cytoscape.js over the data the page embeds; a click on a node fetches
// its neighbourhood from /graph.json and adds it. Filters hide relation kinds. The fCoSE
// layout (cytoscape-fcose, from npm) keeps nodes and their labels apart; an edge shows
// its label while the pointer is on it or on one of its ends.
(function () {
  "use strict";
  var box = document.getElementById("graph");
  var embedded = document.getElementById("graph-data");
  if (!box || !embedded || typeof cytoscape === "undefined") { return; }
  var KIND = { organisation: "#1f77b4", credential: "#d62728", scheme: "#9467bd", standard: "#8c564b",
    requirement: "#e377c2", collaboration: "#17becf", route: "#ff7f0e", recognition: "#bcbd22",
    control: "#7f7f7f", accreditation: "#2ca02c", outcome: "#aec7e8", concept: "#98df8a", other: "#c7c7c7" };
  var LEVEL = { B: "#006400", C1: "#2e7d4f", C2: "#56731d", D: "#7a6000", E: "#9a4a22", F: "#8b0000" };
  if (typeof cytoscapeFcose !== "undefined") { cytoscape.use(cytoscapeFcose); }
  var LAYOUT = typeof cytoscapeFcose !== "undefined"
    ? { name: "fcose", animate: false, randomize: true, nodeDimensionsIncludeLabels: true,
        idealEdgeLength: 110, nodeRepulsion: 9000, nodeSeparation: 90, packComponents: true }
    : { name: "cose", animate: false, nodeDimensionsIncludeLabels: true };
  var expanded = {};

  function elements(data) {
    var out = [];
    data.nodes.forEach(function (n) { out.push({ group: "nodes", data: n }); });
    data.edges.forEach(function (e) { out.push({ group: "edges", data: e }); });
    return out;
  }

  var cy = cytoscape({
    container: box,
    elements: elements(JSON.parse(embedded.textContent)),
    style: [
      { selector: "node", style: {
          "label": "data(label)", "font-size": 10, "text-wrap": "wrap", "text-max-width": 130,
          "text-valign": "bottom", "text-margin-y": 4, "text-background-color": "#fff",
          "text-background-opacity": 0.85, "text-background-padding": 2, "min-zoomed-font-size": 6,
          "background-color": function (n) { return KIND[n.data("kind")] || KIND.other; },
          "border-width": function (n) { return n.data("level") ? 4 : 0; },
          "border-color": function (n) { return LEVEL[n.data("level")] || "#000"; } } },
      { selector: "node.center", style: { "width": 40, "height": 40 } },
      { selector: "edge", style: { "width": 1.5, "curve-style": "bezier", "target-arrow-shape": "triangle",
          "label": "", "font-size": 9, "text-rotation": "autorotate", "line-color": "#a7b0b8",
          "target-arrow-color": "#a7b0b8", "text-background-color": "#fff", "text-background-opacity": 1,
          "text-background-padding": 2 } },
      { selector: "edge.hover", style: { "label": "data(label)", "line-color": "#0b4f8a",
          "target-arrow-color": "#0b4f8a", "width": 2.5, "z-index": 10 } },
      { selector: ".hidden", style: { "display": "none" } }
    ],
    layout: LAYOUT
  });
  var center = box.getAttribute("data-center");
  cy.getElementById(center).addClass("center");
  expanded[center] = true;
  window.qagraphGraph = cy;

  function applyFilters() {
    var off = {};
    document.querySelectorAll("#graph-filters input[name=relation]").forEach(function (box) {
      if (!box.checked) { off[box.value] = true; }
    });
    cy.edges().forEach(function (e) {
      if (off[e.data("relation")]) { e.addClass("hidden"); } else { e.removeClass("hidden"); }
    });
  }

  function addFilter(rel, label) {
    var list = document.querySelector("#graph-filters ul");
    if (!list || document.querySelector("#graph-filters input[value='" + CSS.escape(rel) + "']")) { return; }
    var li = document.createElement("li");
    var lab = document.createElement("label");
    var input = document.createElement("input");
    input.type = "checkbox"; input.name = "relation"; input.value = rel; input.checked = true;
    input.addEventListener("change", applyFilters);
    lab.appendChild(input);
    lab.appendChild(document.createTextNode(" " + label));
    li.appendChild(lab);
    list.appendChild(li);
  }

  function expand(node) {
    var iri = node.id();
    if (expanded[iri]) { return; }
    expanded[iri] = true;
    var lang = document.documentElement.lang || "";
    fetch(box.getAttribute("data-source") + "?lang=" + encodeURIComponent(lang) + "&iri=" + encodeURIComponent(iri))
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var fresh = elements(data).filter(function (el) { return cy.getElementById(el.data.id).empty(); });
        cy.add(fresh);
        fresh.forEach(function (el) { if (el.group === "nodes") { listNode(el.data); } });
        data.edges.forEach(function (e) { addFilter(e.relation, e.label); });
        applyFilters();
        node.addClass("expanded");
        box.setAttribute("data-expanded", Object.keys(expanded).length);
        cy.layout(LAYOUT).run();
      });
  }

  // Keyboard: the list of nodes under the graph; with JavaScript its links expand the
  // node in place instead of re-centring the page.
  var nodeList = document.getElementById("graph-nodes");
  if (nodeList) {
    nodeList.addEventListener("click", function (ev) {
      var link = ev.target.closest("a.expand");
      if (!link) { return; }
      var node = cy.getElementById(link.getAttribute("data-iri"));
      if (node.empty()) { return; }
      ev.preventDefault();
      expand(node);
    });
  }

  function listNode(data) {
    if (!nodeList) { return; }
    var li = document.createElement("li");
    var page = document.createElement("a");
    page.href = data.href;
    page.textContent = data.label;  // text, never HTML
    li.appendChild(page);
    li.appendChild(document.createTextNode(" (" + (data.kind_name || "") + (data.level ? ", " + data.level : "") + ") · "));
    var more = document.createElement("a");
    more.className = "expand";
    more.setAttribute("data-iri", data.id);
    more.href = box.getAttribute("data-view") + "?iri=" + encodeURIComponent(data.id);
    more.textContent = box.getAttribute("data-expand-text");
    li.appendChild(more);
    nodeList.appendChild(li);
  }

  cy.on("mouseover", "edge", function (ev) { ev.target.addClass("hover"); });
  cy.on("mouseout", "edge", function (ev) { ev.target.removeClass("hover"); });
  cy.on("mouseover", "node", function (ev) { ev.target.connectedEdges().addClass("hover"); });
  cy.on("mouseout", "node", function (ev) { ev.target.connectedEdges().removeClass("hover"); });
  cy.on("tap", "node", function (ev) { expand(ev.target); });
  cy.on("dbltap", "node", function (ev) { window.location.href = ev.target.data("href"); });
  document.querySelectorAll("#graph-filters input[name=relation]").forEach(function (b) {
    b.addEventListener("change", applyFilters);
  });
  box.setAttribute("data-ready", "true");
})();
