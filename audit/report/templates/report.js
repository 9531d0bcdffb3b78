(function () {
  "use strict";
  // Progressive enhancement: without this script every finding is shown (waived ones marked),
  // in worst-first order, and the filter form stays hidden. Filters compare only our own
  // data-* tokens; search reads text with textContent. Nothing from the page is ever parsed
  // as HTML, and the script creates no markup.
  var form = document.getElementById("filters");
  if (!form) { return; }
  var $ = function (id) { return document.getElementById(id); };
  var all = function (root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  };
  var search = $("filter-search");
  var typeSelect = $("filter-type");
  var sectionSelect = $("filter-section");
  var triageSelect = $("filter-triage");
  var sourcingSelect = $("filter-sourcing");
  var showDismissed = $("filter-dismissed");
  var counter = $("filter-count");
  var dismissedTriage = words(triageSelect.getAttribute("data-dismissed"));
  var findings = all(document, "li.finding");
  var total = findings.length;

  function words(text) { return (text || "").split(" ").filter(Boolean); }
  function checked(name) {
    var on = {};
    all(form, "input[name=" + name + "]").forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }

  // What each finding is matched on, computed once. For a reworded claim the search sees the
  // old text (words kept + deleted) and the new text (kept + inserted) as two separate strings.
  findings.forEach(function (li) {
    var before = "", after = "";
    var text = li.querySelector(".claim-text");
    Array.prototype.forEach.call(text ? text.childNodes : [], function (node) {
      var tag = node.nodeName.toLowerCase();
      if (tag !== "ins") { before += node.textContent; }
      if (tag !== "del") { after += node.textContent; }
    });
    var extra = all(li, ".section-name, .triage-note, .fact, .domain, .badge, .citations a")
      .map(function (el) { return el.textContent; });
    li.auditSearch = [before, after].concat(extra).join("\n").toLowerCase().replace(/[ \t]+/g, " ");
    li.auditFlags = words(li.getAttribute("data-flags"));
    li.auditTriage = words(li.getAttribute("data-triage"));
    li.auditSourcing = words(li.getAttribute("data-sourcing"));
    li.auditHome = li.parentNode;
  });

  function settings() {
    return {
      terms: words(search.value.toLowerCase().replace(/\s+/g, " ")),
      type: typeSelect.value,
      statuses: checked("flag-status"),
      severities: checked("severity"),
      section: sectionSelect.value,
      triage: triageSelect.value,
      sourcing: sourcingSelect.value,
      dismissed: showDismissed.checked || dismissedTriage.indexOf(triageSelect.value) >= 0
    };
  }

  function flagsMatch(li, f) {
    if (li.auditFlags.length === 0) { return f.type === "" && f.statuses.none === true; }
    return li.auditFlags.some(function (pair) {
      var cut = pair.lastIndexOf(":");
      return (f.type === "" || pair.slice(0, cut) === f.type) &&
        f.statuses[pair.slice(cut + 1)] === true;
    });
  }

  // Everything but severity: the severity boxes show how many findings each would add.
  function matchesExceptSeverity(li, f) {
    if (li.classList.contains("dismissed") && !f.dismissed) { return false; }
    if (!flagsMatch(li, f)) { return false; }
    if (f.section && li.getAttribute("data-section") !== f.section) { return false; }
    if (f.triage && li.auditTriage.indexOf(f.triage) < 0) { return false; }
    if (f.sourcing && li.auditSourcing.indexOf(f.sourcing) < 0) { return false; }
    return f.terms.every(function (term) { return li.auditSearch.indexOf(term) >= 0; });
  }

  function apply() {
    var f = settings();
    var shown = 0, dismissedHidden = 0, perSeverity = {};
    findings.forEach(function (li) {
      var severity = li.getAttribute("data-severity");
      var ok = matchesExceptSeverity(li, f);
      if (ok) { perSeverity[severity] = (perSeverity[severity] || 0) + 1; }
      li.hidden = !(ok && f.severities[severity] === true);
      if (!li.hidden) { shown += 1; }
      if (li.classList.contains("dismissed") && !f.dismissed) { dismissedHidden += 1; }
    });
    all(form, "[data-count-for]").forEach(function (span) {
      span.textContent = String(perSeverity[span.getAttribute("data-count-for")] || 0);
    });
    all(document, ".by-section .section").forEach(function (section) {
      section.hidden = section.querySelector(".finding:not([hidden])") === null;
    });
    var text = shown + " of " + total + " findings shown";
    if (dismissedHidden) { text += " · " + dismissedHidden + " waived / false positive hidden"; }
    counter.textContent = text;
  }

  // Worst first: each finding back in its article's list, in the server's order. By section:
  // each finding into its section's (pre-rendered, initially empty) list, in article order.
  function arrange() {
    var bySection = $("view-section").checked;
    var ordered = findings.slice();
    if (bySection) {
      ordered.sort(function (a, b) {
        return Number(a.getAttribute("data-pos")) - Number(b.getAttribute("data-pos"));
      });
    }
    ordered.forEach(function (li) {
      var target = bySection ? $(li.getAttribute("data-section")) : li.auditHome;
      (target || li.auditHome).appendChild(li);
    });
    all(document, "ol.queue").forEach(function (ol) { ol.hidden = bySection; });
    all(document, ".by-section").forEach(function (div) { div.hidden = !bySection; });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "view") { arrange(); }
    apply();
  });
  search.addEventListener("input", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () {
    window.setTimeout(function () { arrange(); apply(); }, 0);
  });

  // Keys: j/k (and Down/Up while a finding has focus) step through the visible findings,
  // "/" goes to the search box, Esc clears it. Never while typing in a form control.
  function visible() {
    return findings.filter(function (li) { return li.offsetParent !== null; }).sort(
      function (a, b) {
        return a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
      });
  }
  function step(by) {
    var list = visible();
    if (list.length === 0) { return; }
    var current = document.activeElement && document.activeElement.closest ?
      document.activeElement.closest("li.finding") : null;
    var index = list.indexOf(current);
    var next = index < 0 ? (by > 0 ? 0 : list.length - 1) :
      Math.min(Math.max(index + by, 0), list.length - 1);
    list[next].focus();
  }
  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" ||
      el.isContentEditable === true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) { return; }
    var active = document.activeElement;
    if (event.key === "Escape" && active === search) {
      if (search.value !== "") { search.value = ""; apply(); event.preventDefault(); }
      return;
    }
    if (typing(active)) { return; }
    var onList = active && active.closest && active.closest("li.finding") !== null;
    if (event.key === "j" || (onList && event.key === "ArrowDown")) {
      step(1);
    } else if (event.key === "k" || (onList && event.key === "ArrowUp")) {
      step(-1);
    } else if (event.key === "/") {
      search.focus();
      search.select();
    } else if (event.key === "Escape" && search.value !== "") {
      search.value = "";
      apply();
    } else {
      return;
    }
    event.preventDefault();
  });

  form.hidden = false;
  apply();

  // Browsers do not print the inside of a closed <details>; open them for the printout.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = all(document, "details:not([open])");
    opened.forEach(function (details) { details.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
}());
