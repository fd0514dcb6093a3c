// Autocomplete for the search box on every page (ARIA combobox with a listbox).
// Without JavaScript the box is a plain form that opens the search page.
(function () {
  "use strict";
  var input = document.getElementById("site-search");
  var list = document.getElementById("site-search-list");
  if (!input || !list) { return; }
  var source = input.getAttribute("data-suggest");
  var active = -1;
  var timer = null;
  var last = "";

  function options() { return list.querySelectorAll("[role=option]"); }

  function close() {
    list.hidden = true;
    list.textContent = "";
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    var opts = options();
    if (!opts.length) { return; }
    active = (index + opts.length) % opts.length;
    for (var i = 0; i < opts.length; i++) {
      opts[i].setAttribute("aria-selected", i === active ? "true" : "false");
    }
    input.setAttribute("aria-activedescendant", opts[active].id);
  }

  function render(data) {
    list.textContent = "";
    var n = 0;
    data.groups.forEach(function (group) {
      var head = document.createElement("li");
      head.setAttribute("role", "presentation");
      head.className = "group";
      head.textContent = group.name;
      list.appendChild(head);
      group.items.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = "site-search-opt-" + n++;
        var a = document.createElement("a");
        a.href = item.href;
        a.textContent = item.label;  // text, never HTML
        a.tabIndex = -1;
        li.appendChild(a);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); window.location.href = item.href; });
        list.appendChild(li);
      });
    });
    if (n) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    } else {
      close();
    }
  }

  function suggest() {
    var q = input.value.trim();
    if (q === last) { return; }
    last = q;
    if (q.length < 2) { close(); return; }
    var lang = document.documentElement.lang || "";
    fetch(source + "?limit=12&lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) { if (input.value.trim() === q) { render(data); } })
      .catch(close);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") { ev.preventDefault(); highlight(active + 1); }
    else if (ev.key === "ArrowUp") { ev.preventDefault(); highlight(active - 1); }
    else if (ev.key === "Escape") { close(); }
    else if (ev.key === "Enter" && active >= 0) {
      ev.preventDefault();
      window.location.href = options()[active].querySelector("a").href;
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 150); });
})();
