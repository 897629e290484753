// Small behaviours shared by every page. No inline scripts anywhere (Content-Security-Policy).
(function () {
  "use strict";
  function bind(root) {
    // The server checks every form and names every missing or wrong field at once, in the page's language;
    // the browser's own bubble (one field at a time, in the browser's language) is never the only feedback.
    root.querySelectorAll("form[method=post]").forEach(function (form) { form.noValidate = true; });
    root.querySelectorAll("select.js-autosubmit").forEach(function (el) {
      if (el.dataset.bound) return;
      el.dataset.bound = "1";
      el.addEventListener("change", function () { el.form.submit(); });
    });
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      if (el.dataset.boundConfirm) return;
      el.dataset.boundConfirm = "1";
      el.addEventListener("click", function (ev) {
        if (!window.confirm(el.dataset.confirm)) { ev.preventDefault(); ev.stopImmediatePropagation(); }
      });
    });
    // A link that chooses a value in a form elsewhere on the page (the window's one booking form: "book this slot").
    // Without JS the link's own href reloads the page with the value chosen.
    root.querySelectorAll("a[data-choose]").forEach(function (link) {
      if (link.dataset.boundChoose) return;
      link.dataset.boundChoose = "1";
      link.addEventListener("click", function (ev) {
        var field = document.getElementById(link.dataset.choose);
        if (!field) return;
        ev.preventDefault();
        field.value = link.dataset.value;
        field.scrollIntoView({ block: "center" });
        field.focus({ preventScroll: true });
      });
    });
    root.querySelectorAll("form.js-once").forEach(function (form) {
      if (form.dataset.boundOnce) return;
      form.dataset.boundOnce = "1";
      form.addEventListener("submit", function () {
        // Disable after the browser has collected the form: a disabled submitter would drop its name=value.
        var buttons = form.querySelectorAll("button[type=submit]");
        window.setTimeout(function () { buttons.forEach(function (b) { b.disabled = true; }); }, 0);
      });
    });
  }
  // A refused form comes back open (core/refused_forms.py): unfold every panel around it, focus its first error.
  function openRefused(root) {
    var marks = root.querySelectorAll("[data-refused], form .is-invalid, form .alert-danger");
    marks.forEach(function (mark) {
      for (var el = mark.parentElement; el; el = el.parentElement) {
        if (el.tagName === "DETAILS") el.open = true;
      }
    });
    var first = root.querySelector("form .is-invalid");
    if (first && marks.length) { first.focus({ preventScroll: true }); first.scrollIntoView({ block: "center" }); }
  }
  // A link to a fold-out panel (#its-id, e.g. a task's "record the inspection") arrives with the panel open.
  function openTargeted() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") el.open = true;
    }
  }
  // A table wider than the screen scrolls sideways; with no link or control inside, the keyboard could not reach
  // it (axe: scrollable-region-focusable). Such a region takes the focus itself, whichever page it is on.
  function reachableScrolling(root) {
    root.querySelectorAll(".table-responsive, .overflow-auto").forEach(function (region) {
      if (region.hasAttribute("tabindex")) return;
      var wide = region.scrollWidth > region.clientWidth + 1;
      if (wide && !region.querySelector("a[href], button, input, select, textarea, [tabindex]")) {
        region.tabIndex = 0;
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    bind(document); openRefused(document); openTargeted(); reachableScrolling(document);
  });
  window.addEventListener("resize", function () { reachableScrolling(document); });
  document.addEventListener("htmx:load", function (ev) { reachableScrolling(ev.target); });
  // From the parent: content swapped in may itself be the form (a fold-out form loaded when opened, issue 18).
  document.addEventListener("htmx:load", function (ev) { bind(ev.target.parentElement || ev.target); });
})();
