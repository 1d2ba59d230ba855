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

// A unit picker (the people list's organization filter, recruitment:units): htmx lists the units whose name holds
// what is typed; choosing one puts its code in the hidden field the form sends (?org=CODE) and its name in the box.
// Typing again forgets the choice until another is made.
document.addEventListener("click", function (event) {
  var button = event.target instanceof Element ? event.target.closest("[data-pick-code]") : null;
  var picker = button ? button.closest("[data-picker]") : null;
  if (!picker) {
    // A click elsewhere closes the lists of the pickers it is not in.
    document.querySelectorAll("[data-picker] .picker-list").forEach(function (list) {
      if (!(event.target instanceof Node && list.closest("[data-picker]").contains(event.target))) {
        list.textContent = "";
      }
    });
    return;
  }
  picker.querySelector("[data-picker-value]").value = button.getAttribute("data-pick-code");
  var search = picker.querySelector("[data-picker-search]");
  search.value = button.getAttribute("data-pick-name");
  picker.querySelector(".picker-list").textContent = "";
  search.focus();
});

document.addEventListener("input", function (event) {
  var el = event.target;
  if (el instanceof HTMLInputElement && el.hasAttribute("data-picker-search")) {
    var picker = el.closest("[data-picker]");
    picker.querySelector("[data-picker-value]").value = "";
  }
});

document.addEventListener("keydown", function (event) {
  var el = event.target;
  if (event.key === "Escape" && el instanceof Element && el.closest("[data-picker]")) {
    el.closest("[data-picker]").querySelector(".picker-list").textContent = ""; // Escape closes the list
  }
});
