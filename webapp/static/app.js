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

// On a phone the header's menu collapses behind a "Menu" button (aria-expanded says whether it
// is open); on a wider screen the CSS keeps the button hidden and the menu shown.
document.addEventListener("DOMContentLoaded", function () {
  var nav = document.querySelector(".site-nav");
  var list = nav && nav.querySelector(".site-nav__list");
  if (!list) {
    return;
  }
  list.id = list.id || "site-nav-list";
  var button = document.createElement("button");
  button.type = "button";
  button.className = "site-nav__toggle";
  button.textContent = "Menu";
  button.setAttribute("aria-controls", list.id);
  button.setAttribute("aria-expanded", "false");
  list.setAttribute("data-collapsed", "true");
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    list.setAttribute("data-collapsed", open ? "true" : "false");
  });
  nav.insertBefore(button, list);
  document.documentElement.classList.add("js-nav");
});
