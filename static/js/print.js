// "Print this page" buttons: hidden until this script runs, so they never show dead.
// (No inline script: the Content-Security-Policy forbids it.)
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
