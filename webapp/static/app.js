// Move focus to the error summary when a form comes back with problems, so screen reader and
// keyboard users start from the list of what to fix (the GOV.UK pattern).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-focus-on-load]");
  if (summary) {
    summary.focus();
  }
});

// Forms that undo something ask first: <form data-confirm="Revoke token 3?">. Kept here rather
// than in an onsubmit attribute, which the Content Security Policy refuses.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
