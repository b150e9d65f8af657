// Small behaviours shared by every page. htmx does the heavy lifting.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector('meta[name="csrf-token"]');
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
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
      cue.className = "scroll-cue"; cue.textContent = "Scroll sideways for more columns →";
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

// Column chooser: the columns a user hides in a wide table are remembered per user (in this browser) and
// applied again after every htmx refresh.
function abeColumns() {
  document.querySelectorAll("details[data-columns-for]").forEach(function (chooser) {
    var key = "abe:columns:" + chooser.dataset.user + ":" + chooser.dataset.columnsFor;
    var hidden = {};
    try { hidden = JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { hidden = {}; }
    chooser.querySelectorAll("input[type=checkbox]").forEach(function (box) {
      box.checked = !hidden[box.value];
      if (!box.dataset.bound) {
        box.dataset.bound = "1";
        box.addEventListener("change", function () {
          if (box.checked) { delete hidden[box.value]; } else { hidden[box.value] = 1; }
          localStorage.setItem(key, JSON.stringify(hidden));
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

// Saved views: save the list as it is now (the URL htmx pushed, the hidden columns); opening a view applies
// its columns.
(function () {
  function columnsKey(aside) { return "abe:columns:" + aside.dataset.user + ":" + aside.dataset.list; }
  document.addEventListener("DOMContentLoaded", function () {
    var aside = document.getElementById("saved-views");
    var data = document.getElementById("current-view-columns");
    if (aside && data) {
      var hidden = {};
      JSON.parse(data.textContent).forEach(function (c) { hidden[c] = 1; });
      localStorage.setItem(columnsKey(aside), JSON.stringify(hidden));
      if (window.abeColumns) { abeColumns(); }
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-save-view]");
    if (!form) { return; }
    var aside = document.getElementById("saved-views");
    form.querySelector("input[name=query]").value = window.location.search.replace(/^\?/, "");
    var hidden = {};
    try { hidden = JSON.parse(localStorage.getItem(columnsKey(aside))) || {}; } catch (e) { hidden = {}; }
    form.querySelector("input[name=hidden_columns]").value = Object.keys(hidden).join(",");
  });
})();
