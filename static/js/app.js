// Small behaviours shared by every page. htmx does the heavy lifting.
// Words are translated by Django's JavaScript catalogue (gettext, ngettext, interpolate: /jsi18n/, loaded
// before this file); numbers follow the page's language.
function abeNumber(n) { return Number(n).toLocaleString(document.documentElement.lang || "en"); }
// The tier board's selection, as people read it: n accounts picked by hand, or every account matching the filter.
function abeSelectionLabel(n, matching) {
  if (matching) {
    return interpolate(gettext("All %(count)s matching accounts selected."), { count: abeNumber(matching) }, true);
  }
  if (!n) { return gettext("No account selected."); }
  return interpolate(ngettext("%(count)s account selected (kept across pages).",
    "%(count)s accounts selected (kept across pages).", n), { count: abeNumber(n) }, true);
}
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector('meta[name="csrf-token"]');
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});
// Export links follow the list's filters as they are when clicked: a filter changed in place (htmx) pushes the new
// URL but leaves the links the page was served with (templates: the export_url tag and data-export).
document.addEventListener("click", function (event) {
  var link = event.target.closest("a[data-export]");
  if (!link) { return; }
  var params = new URLSearchParams(window.location.search);
  ["page", "per_page", "export", "format", "_"].forEach(function (name) { params.delete(name); });
  params.set("export", link.getAttribute("data-export"));
  if (link.getAttribute("data-format")) { params.set("format", link.getAttribute("data-format")); }
  link.setAttribute("href", "?" + params.toString());
});
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) { event.target.form.submit(); }
});

// The main nav collapses into a menu whenever its entries no longer fit the bar (tablet width, or many entries).
function abeNavFit() {
  var bar = document.querySelector(".topbar"), nav = document.getElementById("main-nav");
  if (!bar || !nav) { return; }
  bar.classList.remove("nav-collapsed");
  if (window.getComputedStyle(nav).display === "none") { bar.classList.add("nav-collapsed"); return; }
  if (nav.scrollWidth > nav.clientWidth + 1) { bar.classList.add("nav-collapsed"); }
}
document.addEventListener("DOMContentLoaded", abeNavFit);
// The alerts badge arrives after the page (htmx): the entries may no longer fit once it is in.
document.addEventListener("htmx:afterSettle", function () { if (!document.querySelector("#main-nav.open")) { abeNavFit(); } });
window.addEventListener("resize", function () { if (!document.querySelector("#main-nav.open")) { abeNavFit(); } });
document.addEventListener("click", function (event) {
  var toggle = event.target.closest("[data-nav-toggle]");
  if (!toggle) { return; }
  var nav = document.getElementById(toggle.getAttribute("aria-controls"));
  var open = nav.classList.toggle("open");
  toggle.setAttribute("aria-expanded", open ? "true" : "false");
});
// Wide tables: a shadow and a "scroll for more columns" cue while columns are hidden to the right.
function abeScrollCues(root) {
  (root || document).querySelectorAll(".table-wrap").forEach(function (wrap) {
    if (!wrap.nextElementSibling || !wrap.nextElementSibling.classList.contains("scroll-cue")) {
      var cue = document.createElement("div");
      cue.className = "scroll-cue"; cue.textContent = gettext("Scroll sideways for more columns →");
      wrap.insertAdjacentElement("afterend", cue);
      wrap.addEventListener("scroll", function () { update(wrap); });
    }
    update(wrap);
  });
  function update(wrap) {
    wrap.classList.toggle("scrolls-right", wrap.scrollWidth - wrap.clientWidth - wrap.scrollLeft > 4);
  }
}
document.addEventListener("DOMContentLoaded", function () { abeScrollCues(); });
document.addEventListener("htmx:afterSettle", function () { abeScrollCues(); });
window.addEventListener("resize", function () { abeScrollCues(); });

// Column chooser: the columns a person hides in a wide table are saved on the server for that person
// (data-hidden holds them, data-save-url takes changes) and applied again after every htmx refresh.
function abeHiddenColumns(chooser) {
  var hidden = {};
  (chooser.dataset.hidden || "").split(",").forEach(function (c) { if (c) { hidden[c] = 1; } });
  return hidden;
}
function abeColumnsSave(chooser, hidden) {
  chooser.dataset.hidden = Object.keys(hidden).join(",");
  var token = document.querySelector('meta[name="csrf-token"]');
  var body = new URLSearchParams({ hidden: chooser.dataset.hidden });
  return fetch(chooser.dataset.saveUrl, {
    method: "POST", body: body, credentials: "same-origin",
    headers: { "X-CSRFToken": token ? token.content : "" },
  }).then(function (response) { chooser.dataset.saved = response.ok ? "1" : "0"; });
}
function abeColumns() {
  document.querySelectorAll("details[data-columns-for]").forEach(function (chooser) {
    var hidden = abeHiddenColumns(chooser);
    chooser.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = !hidden[box.value];
      if (!box.dataset.bound) {
        box.dataset.bound = "1";
        box.addEventListener("change", function () {
          var now = abeHiddenColumns(chooser);
          if (box.checked) { delete now[box.value]; } else { now[box.value] = 1; }
          chooser.dataset.saved = "";
          abeColumnsSave(chooser, now);
          abeColumns();
        });
      }
    });
    document.querySelectorAll('table[data-columns="' + chooser.dataset.columnsFor + '"] [data-col]').forEach(function (cell) {
      cell.hidden = !!hidden[cell.dataset.col];
    });
  });
  abeScrollCues();
}
document.addEventListener("DOMContentLoaded", abeColumns);
document.addEventListener("htmx:afterSettle", abeColumns);

// Saved views: save the list as it is now (the URL htmx pushed, the hidden columns). Opening a view applies its
// columns on the server (they become the person's columns of that list).
(function () {
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-save-view]");
    if (!form) { return; }
    var aside = document.getElementById("saved-views");
    form.querySelector("input[name=query]").value = window.location.search.replace(/^\?/, "");
    var chooser = document.querySelector('details[data-columns-for="' + aside.dataset.list + '"]');
    form.querySelector("input[name=hidden_columns]").value = chooser ? chooser.dataset.hidden || "" : "";
  });
})();

// An htmx request the server refused (a panel's form, a row action) swaps nothing: without this the person would
// see nothing happen. Say why in a notice at the bottom of the window, in the server's own words when it answered
// plain text (a 409 "deleted meanwhile", a 503 "database busy"), else by the status. One notice at a time, kept
// until closed or replaced (not removed by the next request: a page's polling would hide it within a second).
function abeRefused(text) {
  var list = document.getElementById("htmx-refused");
  if (!list) {
    list = document.createElement("ul");
    list.id = "htmx-refused"; list.className = "messages"; list.setAttribute("role", "alert");
    document.body.appendChild(list);
  }
  list.innerHTML = "";
  var item = document.createElement("li"), words = document.createElement("span"), close = document.createElement("button");
  item.className = "error"; words.textContent = text;
  close.type = "button"; close.textContent = "×"; close.setAttribute("aria-label", gettext("Close"));
  close.addEventListener("click", function () { list.remove(); });
  item.appendChild(words); item.appendChild(close); list.appendChild(item);
}
document.addEventListener("htmx:responseError", function (event) {
  var xhr = event.detail.xhr, status = xhr.status, text = "";
  if ((xhr.getResponseHeader("Content-Type") || "").indexOf("text/plain") === 0) { text = xhr.responseText.trim(); }
  if (!text) {
    if (status === 403) { text = gettext("You are not allowed to do this."); }
    else if (status === 404) { text = gettext("This no longer exists: someone may have deleted it. Reload the page."); }
    else if (status === 413) { text = gettext("What you sent is too large."); }
    else if (status === 429) { text = gettext("Too many requests; wait a moment and try again."); }
    else if (status >= 500) { text = gettext("Something went wrong on the server. Try again in a moment."); }
    else { text = interpolate(gettext("The server refused this (%(status)s)."), { status: status }, true); }
  }
  abeRefused(text);
});
document.addEventListener("htmx:sendError", function () {
  abeRefused(gettext("The server could not be reached. Check your connection and try again."));
});
