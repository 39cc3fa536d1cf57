// After a failed submit the error summary takes the focus (RGAA 11.10): a screen reader
// reads it and the keyboard starts from its links. A link of the summary puts the focus
// in its field (following an anchor only scrolls to it).
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#'], [data-field-links] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
    field.scrollIntoView({ block: "center" });
  });
})();
