// Enables the two declarations once the form was read (scrolled to its end, or
// opened as PDF), and « Signer » once both are ticked. The server records the reading
// and refuses a signature without it, so this script only guides the employee.
(function () {
  "use strict";
  var preview = document.getElementById("form-preview");
  var end = document.getElementById("form-preview-end");
  var link = document.getElementById("form-pdf-link");
  var boxes = Array.prototype.slice.call(document.querySelectorAll(".consent-box"));
  var button = document.getElementById("sign-button");
  var hint = document.getElementById("consents-hint");
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!preview || !button) return;
  var marked = false;

  function refreshButton() {
    var ready = boxes.every(function (b) { return !b.disabled && b.checked; });
    button.disabled = !ready;
    button.setAttribute("aria-disabled", ready ? "false" : "true");
  }

  function enableBoxes() {
    boxes.forEach(function (b) { b.disabled = false; });
    if (hint) hint.hidden = true;
    refreshButton();
  }

  function markViewed() {
    if (marked) return;
    marked = true;
    var data = new FormData();
    data.append("fingerprint", preview.dataset.fingerprint);
    fetch(preview.dataset.viewedUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf ? csrf.value : "" },
    }).then(function (response) {
      if (response.ok) { enableBoxes(); return; }
      marked = false;
      return response.json().then(function (body) {
        if (hint) { hint.hidden = false; hint.textContent = body.error || hint.textContent; }
      });
    }).catch(function () { marked = false; });
  }

  boxes.forEach(function (b) { b.addEventListener("change", refreshButton); });
  refreshButton();
  if (boxes.length && !boxes[0].disabled) return;

  if ("IntersectionObserver" in window && end) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { observer.disconnect(); markViewed(); }
      });
    }, { root: preview, threshold: 1.0 });
    observer.observe(end);
  } else {
    preview.addEventListener("scroll", function () {
      if (preview.scrollTop + preview.clientHeight >= preview.scrollHeight - 8) markViewed();
    });
  }
  // The PDF opens in a new tab; the server records that view itself.
  if (link) link.addEventListener("click", function () { window.setTimeout(enableBoxes, 500); });
})();
