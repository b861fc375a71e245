/* The register page: a row whose mark was not saved says so (moved out of the template: the
   Content-Security-Policy allows no inline script). */
(function () {
  var list = document.getElementById("register");
  if (!list) { return; }
  function rowOf(evt) { return evt.detail.elt && evt.detail.elt.closest("[data-register-row]"); }
  function failed(evt) {
    var row = rowOf(evt);
    if (!row) { return; }
    var box = row.querySelector("[data-register-error]");
    var detail = evt.detail.xhr && evt.detail.xhr.status ? evt.detail.xhr.responseText : "";
    box.textContent = list.dataset.notSaved + (detail && detail.length < 300 ? " " + detail : "");
    box.classList.remove("d-none");
    row.classList.add("register-failed");
  }
  document.body.addEventListener("htmx:responseError", failed);
  document.body.addEventListener("htmx:sendError", failed);
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var row = rowOf(evt);
    if (row) { row.setAttribute("aria-busy", "true"); }
  });
})();
