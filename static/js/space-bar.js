// The member space's bottom bar (a phone) is fixed over the page: the body keeps room for
// it at its end, as tall as the bar really is — the style sheet's estimate leaves out
// the scrollbar that entries scrolling sideways may add, and the text may be enlarged.
(function () {
  function fit(bar) {
    var height = bar.getBoundingClientRect().height;
    document.body.style.setProperty("--space-bar-height", height + "px");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector(".space-nav");
    if (!bar) return;
    fit(bar);
    if (window.ResizeObserver) new ResizeObserver(function () { fit(bar); }).observe(bar);
  });
})();
