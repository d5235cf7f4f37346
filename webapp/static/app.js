// Move focus to the error summary when a form comes back with problems, so screen reader and
// keyboard users start from the list of what to fix (the GOV.UK pattern).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
});
