// The SMS code's remaining time (WCAG 2.2.1): a countdown next to the expiry time, and,
// before the end, a message offering a new code (the « recevoir un nouveau code » button
// below the form). The server shows the expiry time and the message without JavaScript.
(function () {
  "use strict";
  var timer = document.getElementById("code-timer");
  if (!timer) return;
  var countdown = timer.querySelector(".code-countdown");
  var ending = timer.querySelector(".code-ending");
  var warning = Number(timer.dataset.warning);
  var deadline = Date.now() + Number(timer.dataset.remaining) * 1000;
  var said = "";

  function say(text) {
    if (text === said) return;
    said = text;
    ending.innerHTML = "";
    var p = document.createElement("p");
    p.textContent = text;
    ending.appendChild(p);
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (countdown) {
      var minutes = Math.floor(left / 60), seconds = left % 60;
      countdown.textContent = " (encore " + (minutes ? minutes + " min " : "") + seconds + " s)";
    }
    if (left === 0) {
      say("Ce code a expiré : demandez un nouveau code.");
      return;
    }
    if (left <= warning) {
      say("Votre code expire dans moins de " + Math.ceil(left / 60) + " minute" + (left > 60 ? "s" : "")
        + " : demandez un nouveau code si vous n'avez pas le temps de le saisir.");
    }
    window.setTimeout(tick, 1000);
  }

  tick();
})();
