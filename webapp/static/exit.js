// "Leave this page quickly": the link goes to a neutral site even without JavaScript. Here it
// also replaces this page in the history (Back does not return to it), and pressing Shift three
// times within two seconds does the same (the GOV.UK exit-this-page pattern).
(function () {
  "use strict";
  function leave(event) {
    var link = document.querySelector("[data-exit-this-page]");
    if (!link) { return; }
    if (event) { event.preventDefault(); }
    document.body.style.visibility = "hidden";
    document.title = "Loading";
    window.location.replace(link.href);
  }
  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest && event.target.closest("[data-exit-this-page]");
    if (target) { leave(event); }
  });
  var presses = [];
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { presses = []; return; }
    var now = Date.now();
    presses = presses.filter(function (at) { return now - at < 2000; });
    presses.push(now);
    if (presses.length >= 3) { presses = []; leave(null); }
  });
})();
