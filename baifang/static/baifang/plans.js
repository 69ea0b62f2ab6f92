/* Plans: drag an item to another day (month calendar, week list); draw the day route on the map. No framework. */
(function () {
  "use strict";
  var csrf = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value;
  var lockHolder = document.querySelector("[data-lock]");
  var lock = lockHolder ? lockHolder.getAttribute("data-lock") : (document.querySelector("input[name=lock_version]") || {}).value;
  var dragged = null;
  document.querySelectorAll(".plan-item[draggable=true]").forEach(function (el) {
    el.addEventListener("dragstart", function (e) { dragged = el; e.dataTransfer.setData("text/plain", el.dataset.item); e.dataTransfer.effectAllowed = "move"; });
    el.addEventListener("dragend", function () { dragged = null; });
  });
  document.querySelectorAll("[data-day]").forEach(function (cell) {
    cell.addEventListener("dragover", function (e) { if (dragged) { e.preventDefault(); cell.classList.add("drop-target"); } });
    cell.addEventListener("dragleave", function () { cell.classList.remove("drop-target"); });
    cell.addEventListener("drop", function (e) {
      e.preventDefault();
      cell.classList.remove("drop-target");
      if (!dragged) { return; }
      var form = document.createElement("form");
      form.method = "post";
      form.action = dragged.dataset.moveUrl;
      [["csrfmiddlewaretoken", csrf], ["lock_version", lock], ["day", cell.dataset.day]].forEach(function (kv) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = kv[0]; input.value = kv[1];
        form.appendChild(input);
      });
      document.body.appendChild(form);
      form.submit();
    });
  });
  var mapData = document.getElementById("plan-map-data");
  if (mapData && window.L) {
    var data = JSON.parse(mapData.textContent);
    var text = window.Baifang.textNode, esc = window.Baifang.escapeHtml;
    var tiles = data.tiles || {}, box = document.getElementById("plan-map");
    var map = L.map("plan-map", {attributionControl: !!tiles.url, maxZoom: tiles.max_zoom || 18});
    if (window.Baifang.mapBase) { window.Baifang.mapBase(map, tiles, box.getAttribute("data-boundaries-url")); }
    L.control.scale({imperial: false}).addTo(map);
    var line = [];
    if (data.base) {
      line.push([data.base.lat, data.base.lng]);
      L.marker([data.base.lat, data.base.lng], {icon: L.divIcon({className: "base-icon", html: "⌂", iconSize: [26, 26]})}).bindTooltip(text(data.base_label)).addTo(map);
    }
    data.stops.forEach(function (s) {
      line.push([s.lat, s.lng]);
      L.marker([s.lat, s.lng], {icon: L.divIcon({className: "stop-icon", html: esc(s.seq), iconSize: [24, 24]})}).bindTooltip(text(s.name + " " + s.time)).addTo(map);
    });
    if (data.base) { line.push([data.base.lat, data.base.lng]); }
    L.polyline(line, {color: "#1f6feb", weight: 3, opacity: 0.8}).addTo(map);
    map.fitBounds(line, {padding: [20, 20]});
    if (window.Baifang.mapLegend) {
      var rows = [["legend-route", "<span></span>", "route"], ["legend-stop", "<span>1</span>", "stops"]];
      if (data.base) { rows.push(["legend-base", "<span>⌂</span>", "base"]); }
      if (!tiles.url) { rows.push(["legend-boundary", "<span></span>", "boundaries"]); }
      window.Baifang.mapLegend(map, rows);
    }
  }
})();
