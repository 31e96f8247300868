/* Signaler une absence: only the fields of the kind chosen show (a day or days, periods,
   a late arrival, an early departure). Without this script every field shows and the
   server decides. An external file: the CSP allows no inline script. */
(function () {
  "use strict";
  var form = document.querySelector(".absence-form");
  if (!form) {
    return;
  }
  var parts = form.querySelectorAll("[data-kinds]");

  function show() {
    var chosen = form.querySelector('input[name="kind"]:checked');
    parts.forEach(function (part) {
      var off = chosen !== null && part.dataset.kinds.split(" ").indexOf(chosen.value) === -1;
      part.hidden = off;
      // A hidden field is not sent either: what was typed there before does not count.
      part.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = off;
      });
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "kind") {
      show();
    }
  });
  show();
}());
