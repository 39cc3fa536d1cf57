// File import pages: remaining size under the file input, and the progress bar that
// polls the job's status (the page also refreshes itself without JavaScript).
(function () {
  "use strict";
  var out = document.getElementById("file-remaining");
  var input = out && document.getElementById(out.dataset.input);
  if (input) {
    var max = parseFloat(out.dataset.max);
    input.addEventListener("change", function () {
      var used = input.files.length ? input.files[0].size / (1024 * 1024) : 0;
      var left = Math.max(0, max - used);
      out.textContent = "(" + left.toFixed(2).replace(".", ",") + " Mo restants)";
    });
  }

  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  if (bar && bar.dataset.statusUrl) {
    var poll = function () {
      fetch(bar.dataset.statusUrl, {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (s) {
          bar.value = s.percent;
          text.textContent = s.percent + " %" + (s.total ? " — " + s.processed + " ligne(s) sur " + s.total : "");
          if (s.finished) { window.location.reload(); } else { setTimeout(poll, 1000); }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    setTimeout(poll, 1000);
  }
})();
