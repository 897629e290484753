// Small behaviours shared by every page. No inline scripts anywhere (Content-Security-Policy).
(function () {
  "use strict";
  function bind(root) {
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
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:load", function (ev) { bind(ev.target); });
})();
