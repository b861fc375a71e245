/* Buttons marked data-print open the browser's print dialog (no inline handlers: the
   Content-Security-Policy allows none). */
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});
