// « Banque : … » as the IBAN is typed: the bank registry (a JSON endpoint of the portal)
// gives the bank's name and BIC. A known bank fills the BIC and hides its field; an
// unknown one leaves it to the member. Without JavaScript the server does the same when
// the form is sent.
(function () {
  var timers = {};

  function bicInput(iban) {
    return document.getElementById(iban.id.replace(/iban$/, "bic"));
  }

  function bicRow(bic) {
    return bic && bic.closest(".form-row");
  }

  function show(iban, answer) {
    var label = document.querySelector('[data-bank-for="' + iban.id + '"]');
    var bic = bicInput(iban);
    if (label) label.textContent = answer.name ? "Banque : " + answer.name : "";
    if (!bic) return;
    if (answer.bic) {
      if (!bic.value || bic.dataset.filled === "1") {
        bic.value = answer.bic;
        bic.dataset.filled = "1";
      }
      if (bicRow(bic) && bic.dataset.filled === "1") bicRow(bic).hidden = true;
    } else {
      if (bic.dataset.filled === "1") bic.value = "";
      bic.dataset.filled = "";
      if (bicRow(bic)) bicRow(bic).hidden = false;
    }
  }

  function lookup(form, iban) {
    var compact = iban.value.replace(/\s+/g, "").toUpperCase();
    if (compact.length < 15) {
      show(iban, { bic: "", name: "" });
      return;
    }
    var url = form.getAttribute("data-bank-lookup") + "?iban=" + encodeURIComponent(compact);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { bic: "", name: "" }; })
      .then(function (answer) { show(iban, answer); })
      .catch(function () { show(iban, { bic: "", name: "" }); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-bank-lookup]").forEach(function (form) {
      form.querySelectorAll('input[name$="-iban"]').forEach(function (iban) {
        iban.addEventListener("input", function () {
          clearTimeout(timers[iban.id]);
          timers[iban.id] = setTimeout(function () { lookup(form, iban); }, 300);
        });
        if (iban.value) lookup(form, iban);
      });
    });
  });
})();
