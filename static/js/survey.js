// Survey progress ("12 of 19 statements answered") as the citizen taps; the text comes
// translated from the page. The form works fully without this script.
(function () {
  var form = document.querySelector("[data-survey]");
  var progress = document.querySelector("[data-progress]");
  if (!form || !progress) { return; }
  var statements = form.querySelectorAll("fieldset.statement");
  function update() {
    var answered = 0;
    statements.forEach(function (statement) {
      if (statement.querySelector("input:checked")) { answered += 1; }
    });
    progress.textContent = progress.dataset.text
      .replace("{answered}", answered).replace("{total}", statements.length);
    progress.hidden = false;
  }
  form.addEventListener("change", update);
  update();
})();
