(function () {
  "use strict";
  // Progressive enhancement: without this script every claim is shown and the filters stay
  // hidden. Filtering reads only our own data-flags tokens ("type:status"), never page text.
  var form = document.getElementById("filters");
  if (!form) { return; }
  var typeSelect = document.getElementById("filter-type");
  var statusBoxes = Array.prototype.slice.call(form.querySelectorAll("input[name=flag-status]"));
  var claims = Array.prototype.slice.call(document.querySelectorAll(".changed .claim"));
  var sections = Array.prototype.slice.call(document.querySelectorAll(".changed .section"));
  var counter = document.getElementById("filter-count");

  function matches(claim, type, statuses) {
    var pairs = (claim.getAttribute("data-flags") || "").split(" ").filter(Boolean);
    if (pairs.length === 0) { return type === "" && statuses.none === true; }
    return pairs.some(function (pair) {
      var cut = pair.lastIndexOf(":");
      return (type === "" || pair.slice(0, cut) === type) && statuses[pair.slice(cut + 1)] === true;
    });
  }

  function apply() {
    var statuses = {};
    statusBoxes.forEach(function (box) { statuses[box.value] = box.checked; });
    var shown = 0;
    claims.forEach(function (claim) {
      claim.hidden = !matches(claim, typeSelect.value, statuses);
      if (!claim.hidden) { shown += 1; }
    });
    sections.forEach(function (section) {
      section.hidden = section.querySelector(".claim:not([hidden])") === null;
    });
    counter.textContent = shown + " of " + claims.length + " weak or changed claims shown";
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.hidden = false;
  apply();

  // Browsers do not print the inside of a closed <details>; open them for the printout.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    opened.forEach(function (details) { details.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
}());
