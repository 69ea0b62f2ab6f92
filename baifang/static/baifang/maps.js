/* The route map (/map/, docs/maps.md): customers by tier colour (clustered when many), the suggested
   route with numbered stops that never cover each other or a cluster, and a legend. Data comes from the
   json_script block "map-data"; every word shown comes from the template (data-label-* on #map). */
(function () {
  "use strict";
  var holder = document.getElementById("map-data"), box = document.getElementById("map");
  if (!holder || !box || !window.L) { return; }
  var data = JSON.parse(holder.textContent);
  var text = window.Baifang.textNode, esc = window.Baifang.escapeHtml;
  var map = L.map(box, {zoomControl: true, attributionControl: !!data.tiles.url, maxZoom: data.tiles.max_zoom || 18});
  window.Baifang.mapBase(map, data.tiles, box.getAttribute("data-boundaries-url"));
  L.control.scale({imperial: false}).addTo(map);
  map.createPane("stops").style.zIndex = 660;  // above markers (600) and cluster icons

  var routed = {};
  if (data.route) { data.route.visits.forEach(function (v) { routed[v.id] = true; }); }
  var STOP = 24, CLUSTER = 40, GAP = 4;

  /* Customers: in a cluster group (leaflet.markercluster); the route's own customers are its stops. */
  var clusters = window.L.markerClusterGroup ? L.markerClusterGroup({
    maxClusterRadius: 45, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
    iconCreateFunction: function (cluster) {
      return L.divIcon({className: "cluster-icon", html: "<span>" + cluster.getChildCount() + "</span>", iconSize: [CLUSTER, CLUSTER]});
    }
  }) : L.featureGroup();
  var bounds = [];
  data.customers.forEach(function (c) {
    bounds.push([c.lat, c.lng]);
    if (routed[c.id]) { return; }
    L.marker([c.lat, c.lng], {
      icon: L.divIcon({className: "customer-dot", html: '<span style="background:' + esc(c.colour) + '"></span>', iconSize: [12, 12]}),
      keyboard: false
    }).bindTooltip(text(c.name)).on("click", function () { window.location = c.url; }).addTo(clusters);
  });
  clusters.addTo(map);

  /* The route: line, base, numbered stops (each stop keeps its point; its label moves when crowded). */
  var stops = [], routeBounds = [];
  if (data.route) {
    var b = data.route.base, line = [[b.lat, b.lng]];
    stops.push({cls: "base-icon", html: "⌂", marker: L.marker([b.lat, b.lng], {pane: "stops", zIndexOffset: 1000}).bindTooltip(text(b.label)),
                leader: L.polyline([], {color: "#1f2933", weight: 1, dashArray: "2 3", interactive: false})});
    data.route.visits.forEach(function (v) {
      line.push([v.lat, v.lng]);
      var marker = L.marker([v.lat, v.lng], {pane: "stops", zIndexOffset: 1000 + v.seq}).bindTooltip(text(v.seq + ". " + v.name + " " + v.arrival));
      marker.on("click", function () { window.location = v.url; });
      stops.push({cls: "stop-icon", html: esc(v.seq), marker: marker,
                  leader: L.polyline([], {color: "#1f2933", weight: 1, dashArray: "2 3", interactive: false})});
    });
    line.push([b.lat, b.lng]);
    L.polyline(line, {color: "#1f6feb", weight: 3, opacity: 0.8}).addTo(map);
    routeBounds = line;
    stops.forEach(function (s) { s.leader.addTo(map); s.marker.addTo(map); });
  }

  /* Greedy placement in screen pixels: the base, then the stops in route order, each at its point when free, else on the
     first free spot of rings around it; visible cluster icons count as taken. */
  var RINGS = [0, 30, 56, 84, 112], ANGLES = 12;
  function place() {
    var taken = [];
    if (clusters.eachLayer && clusters._featureGroup) {
      clusters._featureGroup.eachLayer(function (l) {
        if (l instanceof L.MarkerCluster) { taken.push({p: map.latLngToLayerPoint(l.getLatLng()), r: CLUSTER / 2}); }
      });
    }
    var fits = function (p) { return taken.every(function (t) { return t.p.distanceTo(p) >= t.r + STOP / 2 + GAP; }); };
    stops.forEach(function (s) {
      var at = map.latLngToLayerPoint(s.marker.getLatLng()), spot = at;
      search: for (var i = 0; i < RINGS.length; i++) {
        for (var k = 0; k < (RINGS[i] ? ANGLES : 1); k++) {
          var a = (k / ANGLES) * 2 * Math.PI - Math.PI / 2, p = at.add([Math.round(RINGS[i] * Math.cos(a)), Math.round(RINGS[i] * Math.sin(a))]);
          if (fits(p)) { spot = p; break search; }
        }
      }
      taken.push({p: spot, r: STOP / 2});
      var dx = spot.x - at.x, dy = spot.y - at.y;
      s.marker.setIcon(L.divIcon({className: s.cls + (dx || dy ? " stop-moved" : ""), html: s.html, iconSize: [STOP, STOP], iconAnchor: [STOP / 2 - dx, STOP / 2 - dy]}));
      s.leader.setLatLngs(dx || dy ? [s.marker.getLatLng(), map.layerPointToLatLng(spot)] : []);
    });
  }

  /* The legend: tier colours, customers grouped, route, stops, base, boundaries (words from the template). */
  var rows = (data.legend || []).map(function (t) { return ["legend-tier", '<span style="background:' + esc(t.colour) + '"></span>', "", t.name]; });
  rows.push(["legend-tier", '<span style="background:#94a3b8"></span>', "untiered"], ["legend-cluster", "<span>8</span>", "cluster"]);
  if (data.route) {
    rows.push(["legend-route", "<span></span>", "route"], ["legend-stop", "<span>1</span>", "stops"], ["legend-base", "<span>⌂</span>", "base"]);
  }
  if (!data.tiles.url) { rows.push(["legend-boundary", "<span></span>", "boundaries"]); }
  window.Baifang.mapLegend(map, rows);

  map.on("zoomend viewreset", place);
  if (clusters.on) { clusters.on("animationend", place); }
  // The day's route when there is one (the rest of the territory is around it), else every customer.
  var focus = data.route && data.route.visits.length ? routeBounds : bounds.concat(routeBounds);
  // The padding leaves room for stops moved out of a crowd.
  if (focus.length) { map.fitBounds(focus, {padding: [56, 56], maxZoom: 15}); } else { map.setView([30.27, 120.15], 11); }
  place();
  window.setTimeout(place, 400);  // after the first clustering pass
})();
