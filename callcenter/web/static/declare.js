// The danger-sign alert (the declaration's form, the check-in's) also for the vital signs the
// person typed (SpO2 at or below the topic's threshold, ...): the thresholds come from the
// page (the topic's triage rules).
// Without this script the ticked danger signs still show the alert (CSS).
(function () {
  "use strict";
  var form = document.querySelector("form[data-vitals]");
  var alert = document.getElementById("danger");
  if (!form || !alert) { return; }
  var vitals = JSON.parse(form.getAttribute("data-vitals") || "[]");
  var compare = {
    "<": function (a, b) { return a < b; }, "<=": function (a, b) { return a <= b; },
    ">": function (a, b) { return a > b; }, ">=": function (a, b) { return a >= b; },
    "==": function (a, b) { return a === b; }, "!=": function (a, b) { return a !== b; }
  };
  function check() {
    var flagged = vitals.some(function (rule) {
      var input = form.elements[rule.field];
      if (!input || !input.value) { return false; }
      var value = parseFloat(String(input.value).replace(",", "."));
      return !isNaN(value) && compare[rule.op] && compare[rule.op](value, rule.value);
    });
    alert.classList.toggle("vital", flagged);
  }
  form.addEventListener("input", check);
  check();
  var summary = document.getElementById("error-summary") ||
    document.getElementById("not-found");
  if (summary) { summary.focus(); }
}());
