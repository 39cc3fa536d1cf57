// Warns before the session ends (WCAG 2.2.1) and extends it without leaving the page:
// the server gives the seconds left (data-remaining) and how long before the end to
// warn (data-warning). Without JavaScript the form still extends the session.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box || !window.fetch) return;
  var form = box.querySelector("form");
  var end = box.querySelector(".session-end");
  var warning = Number(box.dataset.warning) * 1000;
  var timer = null;

  function schedule(remainingSeconds) {
    var deadline = Date.now() + remainingSeconds * 1000;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { box.hidden = false; }, Math.max(0, deadline - warning - Date.now()));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(function (data) {
      end.textContent = data.ends_at;
      box.hidden = true;
      schedule(data.remaining);
    }).catch(function () { form.submit(); });
  });

  schedule(Number(box.dataset.remaining));
})();
