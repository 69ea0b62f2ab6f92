/* What every map draws under its points (docs/maps.md): the configured tiles (a preset or the company's
   own server, with its label overlays), or, with no tiles, the bundled province boundaries — nothing
   is ever fetched from another host. Baifang.mapBase(map, tiles, boundariesUrl) returns the layer;
   Baifang.mapLegend(map, rows) adds the legend every map has: rows are [css class, key html, words],
   the words coming from the template (data-label-* attributes of the map's element). */
(function () {
  "use strict";
  window.Baifang.mapBase = function (map, tiles, boundariesUrl) {
    tiles = tiles || {};
    if (tiles.url) {
      var opts = {attribution: window.Baifang.escapeHtml(tiles.attribution || ""), maxZoom: tiles.max_zoom || 18};
      if (tiles.subdomains) { opts.subdomains = tiles.subdomains; }
      var base = L.tileLayer(tiles.url, opts).addTo(map);
      (tiles.overlays || []).forEach(function (url) { L.tileLayer(url, {subdomains: opts.subdomains || "abc", maxZoom: opts.maxZoom}).addTo(map); });
      return base;
    }
    if (!boundariesUrl) { return null; }
    map.getContainer().classList.add("map-boundaries");
    map.createPane("boundaries").style.zIndex = 250;  // under the points, over the plain background
    var layer = L.geoJSON(null, {
      pane: "boundaries",
      style: {color: "#8b9bb0", weight: 1, opacity: 0.9, fillColor: "#f8fafc", fillOpacity: 1}
    }).addTo(map);
    fetch(boundariesUrl, {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (geo) {
        if (!geo) { return; }
        layer.addData(geo);
        layer.eachLayer(function (l) {
          l.bindTooltip(window.Baifang.escapeHtml(l.feature.properties.name), {sticky: true, className: "boundary-tip"});
        });
        map.getContainer().setAttribute("data-boundaries", String(geo.features.length));
      });
    return layer;
  };

  window.Baifang.mapLegend = function (map, rows) {
    var box = map.getContainer(), legend = L.control({position: "bottomleft"});
    var label = function (name) { return box.getAttribute("data-label-" + name) || ""; };
    legend.onAdd = function () {
      var div = L.DomUtil.create("details", "map-legend");
      if (window.innerWidth > 640) { div.open = true; }  // closed on a phone: one tap opens it
      L.DomUtil.create("summary", "", div).appendChild(window.Baifang.textNode(label("legend")));
      var list = L.DomUtil.create("ul", "", div);
      rows.forEach(function (row) {
        var li = L.DomUtil.create("li", "", list), key = L.DomUtil.create("span", "legend-key " + row[0], li);
        key.innerHTML = row[1];
        li.appendChild(window.Baifang.textNode(row[3] !== undefined ? row[3] : label(row[2])));
      });
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return legend.addTo(map);
  };
})();
