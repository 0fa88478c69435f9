// Keying paper forms in: shows how many digits a row of answers has against the statements,
// and moves on by itself once the form number (7 digits) and the answers are complete, so the
// clerk's hands stay on the digits. The page works fully without this script.
(function () {
  "use strict";
  var form = document.querySelector("[data-paper-entry]");
  if (!form) { return; }
  var needed = Number(form.dataset.statements);
  var fields = Array.prototype.slice.call(form.querySelectorAll("tbody input"));

  function nextOf(field) {
    var index = fields.indexOf(field);
    return index >= 0 && index + 1 < fields.length ? fields[index + 1] : null;
  }
  function digitsOf(field) { return field.value.replace(/[\s-]/g, ""); }

  form.addEventListener("input", function (event) {
    var field = event.target;
    if (field.classList.contains("entry-number") && /^\d{7}$/.test(digitsOf(field))) {
      nextOf(field).focus();
    }
    if (field.dataset.digits) {
      var typed = digitsOf(field);
      var count = field.parentNode.querySelector("[data-entry-count]");
      count.textContent = typed.length + "/" + needed;
      field.setAttribute("aria-invalid", /[^0-5]/.test(typed) || typed.length > needed ? "true" : "false");
      if (typed.length === needed && !/[^0-5]/.test(typed)) { nextOf(field).focus(); }
    }
  });
})();
