// Small behaviours shared by every page. htmx does the heavy lifting.
document.addEventListener("htmx:configRequest", function (event) {
  var token = document.querySelector('meta[name="csrf-token"]');
  if (token) { event.detail.headers["X-CSRFToken"] = token.content; }
});
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) { event.target.form.submit(); }
});

// The main nav collapses into a menu at tablet width.
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
