// Shows the fields the chosen dispensation case needs; without JavaScript every field
// stays visible and the server checks the rules anyway.
(function () {
  "use strict";
  var form = document.querySelector(".dispensation-form");
  if (!form) { return; }
  var endRow = document.getElementById("end-date-row");
  var insurerRow = document.getElementById("insurer-row");
  var endLabel = endRow ? endRow.querySelector("label") : null;
  function update() {
    var chosen = form.querySelector("input[name=case]:checked");
    var needsEnd = chosen && chosen.dataset.endDate === "1";
    var needsInsurer = chosen && chosen.dataset.insurer === "1";
    if (endRow) { endRow.hidden = !needsEnd; }
    if (insurerRow) { insurerRow.hidden = !needsInsurer; }
    if (needsEnd && endLabel) { endLabel.textContent = chosen.dataset.endDateLabel; }
  }
  form.addEventListener("change", update);
  update();
}());
