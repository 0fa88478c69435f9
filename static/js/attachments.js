// Checks chosen files before sending: too many, or one over the size limit, is said at once
// (and the form is not sent), instead of after a long upload on a slow phone connection.
// The server checks again; this only spares the wait. Messages come translated from the page.
document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
  var note = document.createElement("p");
  note.className = "error";
  note.id = input.id + "-size-error";
  note.setAttribute("role", "alert");
  note.hidden = true;
  input.insertAdjacentElement("afterend", note);

  function problem() {
    var files = Array.prototype.slice.call(input.files || []);
    if (files.length > Number(input.dataset.maxFiles)) {
      return input.dataset.tooMany;
    }
    for (var i = 0; i < files.length; i++) {
      if (files[i].size > Number(input.dataset.maxBytes)) {
        return input.dataset.tooLarge.replace("%(name)s", files[i].name);
      }
    }
    return "";
  }

  function show(text) {
    note.textContent = text;
    note.hidden = !text;
    if (text) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", note.id);
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  input.addEventListener("change", function () { show(problem()); });
  input.form.addEventListener("submit", function (event) {
    var text = problem();
    if (text) {
      event.preventDefault();
      show(text);
      input.focus();
    }
  });
});
