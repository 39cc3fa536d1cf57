// Progressive disclosure: a block marked data-show-when="<id of a checkbox or radio>"
// is shown only while that input is checked (data-hide-when: while it is not). Without
// JavaScript every block stays visible and the server ignores unused fields.
(function () {
  function update() {
    document.querySelectorAll("[data-show-when],[data-hide-when]").forEach(function (block) {
      var showId = block.getAttribute("data-show-when");
      var hideId = block.getAttribute("data-hide-when");
      var input = document.getElementById(showId || hideId);
      if (!input) return;
      block.hidden = showId ? !input.checked : input.checked;
    });
  }
  document.addEventListener("change", update);
  document.addEventListener("DOMContentLoaded", update);
})();
