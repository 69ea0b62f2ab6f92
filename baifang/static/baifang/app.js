/* Shared behaviour for every page. Pages carry no inline script (Content-Security-Policy, R-SEC-2):
   data arrives in json_script blocks, behaviour in static files like this one. */
window.Baifang = (function () {
  "use strict";

  /* A node that shows `text` as text. Leaflet tooltips and popups get this, never an HTML string,
     so a customer named "<img onerror=…>" stays a name. */
  function textNode(text) {
    var span = document.createElement("span");
    span.textContent = text === null || text === undefined ? "" : String(text);
    return span;
  }

  /* For the few places that must hand over an HTML string (Leaflet divIcon html). */
  function escapeHtml(text) {
    return String(text === null || text === undefined ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  /* <input type=checkbox data-check-all="NAME">: ticks or clears every checkbox called NAME. */
  document.addEventListener("change", function (event) {
    var box = event.target;
    var name = box && box.getAttribute && box.getAttribute("data-check-all");
    if (!name) { return; }
    document.querySelectorAll("input[type=checkbox][name='" + name.replace(/'/g, "") + "']").forEach(function (other) {
      other.checked = box.checked;
    });
  });

  /* <button data-print>: opens the browser's print dialog (the reply letter prints with print CSS). */
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest && event.target.closest("[data-print]");
    if (button) { window.print(); }
  });

  return {textNode: textNode, escapeHtml: escapeHtml};
})();
