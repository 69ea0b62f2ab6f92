/* The route map (/map/): customers by tier colour, the suggested route, from the json_script block "map-data". */
(function () {
  "use strict";
  var holder = document.getElementById("map-data");
  if (!holder || !window.L) { return; }
  var data = JSON.parse(holder.textContent);
  var text = window.Baifang.textNode, esc = window.Baifang.escapeHtml;
  var map = L.map("map", {zoomControl: true, attributionControl: !!data.tiles.url});
  if (data.tiles.url) { L.tileLayer(data.tiles.url, {attribution: esc(data.tiles.attribution), maxZoom: 19}).addTo(map); }
  L.control.scale({imperial: false}).addTo(map);
  var bounds = [];
  data.customers.forEach(function (c) {
    L.circleMarker([c.lat, c.lng], {radius: 5, color: "#fff", weight: 1, fillColor: c.colour, fillOpacity: 0.9})
      .bindTooltip(text(c.name)).on("click", function () { window.location = c.url; }).addTo(map);
    bounds.push([c.lat, c.lng]);
  });
  if (data.route) {
    var b = data.route.base, line = [[b.lat, b.lng]];
    L.marker([b.lat, b.lng], {icon: L.divIcon({className: "base-icon", html: "⌂", iconSize: [26, 26]})}).bindTooltip(text(b.label)).addTo(map);
    data.route.visits.forEach(function (v) {
      line.push([v.lat, v.lng]);
      L.marker([v.lat, v.lng], {icon: L.divIcon({className: "stop-icon", html: esc(v.seq), iconSize: [24, 24]})})
        .bindTooltip(text(v.name + " " + v.arrival)).addTo(map);
    });
    line.push([b.lat, b.lng]);
    L.polyline(line, {color: "#1f6feb", weight: 3, opacity: 0.8}).addTo(map);
    bounds = bounds.concat(line);
  }
  if (bounds.length) { map.fitBounds(bounds, {padding: [20, 20]}); } else { map.setView([30.27, 120.15], 11); }
})();
