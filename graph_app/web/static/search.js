// Autocomplete for every input with data-suggest (an ARIA combobox with a listbox): the
// site search and the home search open the picked page (data-go); the check forms fill
// the field with the picked name (data-kind limits the kinds). Without JavaScript each is
// a plain form field.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function attach(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) { return; }
    var source = input.getAttribute("data-suggest");
    var kind = input.getAttribute("data-kind");
    var go = input.getAttribute("data-go") === "true";
    var active = -1;
    var timer = null;
    var last = "";
    var prefix = input.id + "-opt-";

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

    function pick(item) {
      if (go) { window.location.href = item.href; return; }
      input.value = item.label;
      last = item.label;
      close();
    }

    function render(data) {
      list.textContent = "";
      var n = 0;
      data.groups.forEach(function (group) {
        if (!kind) {
          var head = document.createElement("li");
          head.setAttribute("role", "presentation");
          head.className = "group";
          head.textContent = group.name;
          list.appendChild(head);
        }
        group.items.forEach(function (item) {
          var li = document.createElement("li");
          li.setAttribute("role", "option");
          li.id = prefix + n++;
          if (go) {
            var a = document.createElement("a");
            a.href = item.href;
            a.textContent = item.label;  // text, never HTML
            a.tabIndex = -1;
            li.appendChild(a);
          } else {
            li.textContent = item.label;
          }
          li.qagraphItem = item;
          li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(item); });
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
      var url = source + "?limit=12&lang=" + encodeURIComponent(lang) + "&q=" + encodeURIComponent(q) +
        (kind ? "&kind=" + encodeURIComponent(kind) : "");
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          // an answer that comes after the person moved on opens nothing
          if (input.value.trim() === q && document.activeElement === input) { render(data); }
        })
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
        pick(options()[active].qagraphItem);
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
