// Behaviour every page shares. The Content-Security-Policy runs no inline script or event handler, so pages mark
// elements with data attributes and this file, served by the app, gives them their behaviour.
"use strict";

document.addEventListener("change", function (event) {
  var el = event.target;
  if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
    el.form.submit(); // the language chooser: switching needs no extra button
  }
});

document.addEventListener("click", function (event) {
  var el = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (el) {
    window.print();
  }
});
