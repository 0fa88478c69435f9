// The survey one dimension at a time on a phone ("Step 2 of 5", Next and Back keep every
// answer, nothing is sent before the last step), and the running count of answers. Texts
// come translated from the page. Without this script the page is one form that works as is.
(function () {
  "use strict";
  var form = document.querySelector("[data-survey]");
  if (!form) { return; }
  var steps = Array.prototype.slice.call(form.querySelectorAll("[data-step]"));
  var lastOnly = Array.prototype.slice.call(form.querySelectorAll("[data-step-last]"));
  var bar = form.querySelector("[data-step-bar]");
  var label = form.querySelector("[data-step-label]");
  var meter = form.querySelector("[data-step-progress]");
  var nav = form.querySelector("[data-step-nav]");
  var back = form.querySelector("[data-step-back]");
  var next = form.querySelector("[data-step-next]");
  var progress = form.querySelector("[data-progress]");
  var statements = form.querySelectorAll("fieldset.statement:not(.expectation-item)");
  var current = 0;

  function countAnswers() {
    if (!progress || !statements.length) { return; }
    var answered = 0;
    statements.forEach(function (statement) {
      if (statement.querySelector("input:checked")) { answered += 1; }
    });
    progress.textContent = progress.dataset.text
      .replace("{answered}", answered).replace("{total}", statements.length);
    progress.hidden = false;
  }

  function show(index, moveFocus) {
    current = Math.max(0, Math.min(index, steps.length - 1));
    var last = current === steps.length - 1;
    steps.forEach(function (step, number) { step.hidden = number !== current; });
    lastOnly.forEach(function (element) { element.hidden = !last; });
    label.textContent = form.dataset.stepText
      .replace("{step}", current + 1).replace("{steps}", steps.length);
    meter.max = steps.length;
    meter.value = current + 1;
    back.hidden = current === 0;
    next.hidden = last;
    if (moveFocus) {
      bar.scrollIntoView({ block: "start" });
      var heading = steps[current].querySelector("h2");
      if (heading) { heading.focus({ preventScroll: true }); }
    }
  }

  function stepOf(element) {
    for (var number = 0; number < steps.length; number += 1) {
      if (steps[number].contains(element)) { return number; }
    }
    return steps.length - 1; // the optional questions belong to the last step
  }

  if (steps.length > 1 && bar && nav) {
    bar.hidden = false;
    nav.hidden = false;
    back.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () { show(current + 1, true); });
    // Enter in a field submits a form: before the last step it means Next.
    form.addEventListener("submit", function (event) {
      if (current < steps.length - 1) {
        event.preventDefault();
        show(current + 1, true);
      }
    });
    // A page shown again with a problem opens where it is: the first field in error, or the
    // last step with the Send button (the answers are all kept).
    var error = form.querySelector(".field-error");
    var start = error ? stepOf(error)
      : (document.querySelector("[data-survey-problem]") ? steps.length - 1 : 0);
    show(start, false);
  }
  form.addEventListener("change", countAnswers);
  countAnswers();
  window.surveySteps = {
    show: show, count: countAnswers, current: function () { return current; }
  };
})();
