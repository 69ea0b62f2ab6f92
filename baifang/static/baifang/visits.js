/* Baifang visits: check-in geolocation, signature pads, record drafts kept in localStorage.
   Plain JavaScript, no libraries, nothing loaded from the internet (R-UX-1). */
(function () {
  "use strict";

  /* Check-in: ask the browser for the position, then post; refusal still checks in (flagged). */
  var checkIn = document.querySelector("form[data-geolocate]");
  if (checkIn) {
    var status = document.getElementById("geo-status");
    var field = function (name) { return checkIn.querySelector("[name=" + name + "]"); };
    var done = false;
    var send = function () {
      done = true;
      // No network: the check-in goes to the phone's queue (offline.js, R-UX-2) instead of the server.
      if (window.BaifangOffline && window.BaifangOffline.submit(checkIn)) return;
      checkIn.submit();
    };
    checkIn.addEventListener("submit", function (event) {
      if (done) return;
      event.preventDefault();
      checkIn.querySelector("button[type=submit]").disabled = true;
      if (!navigator.geolocation) {
        field("location_error").value = "unavailable: no geolocation in this browser";
        status.textContent = status.dataset.failed;
        send();
        return;
      }
      status.textContent = status.dataset.waiting;
      navigator.geolocation.getCurrentPosition(function (pos) {
        field("latitude").value = pos.coords.latitude.toFixed(7);
        field("longitude").value = pos.coords.longitude.toFixed(7);
        field("accuracy_m").value = Math.round(pos.coords.accuracy || 0);
        field("coordinate_system").value = "WGS84"; // the W3C Geolocation API reports WGS-84
        status.textContent = status.dataset.found.replace("%s", Math.round(pos.coords.accuracy || 0));
        send();
      }, function (err) {
        var why = {1: "permission denied", 2: "position unavailable", 3: "timeout"}[err.code] || "error";
        field("location_error").value = why;
        status.textContent = status.dataset.failed;
        send();
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 30000});
    });
  }

  /* Signature pads: draw with finger or mouse; the PNG goes into a hidden field. */
  document.querySelectorAll("canvas.signature-pad").forEach(function (canvas) {
    var ctx = canvas.getContext("2d");
    var target = document.getElementById(canvas.dataset.target);
    var drawing = false;
    ctx.lineWidth = 3; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    var at = function (e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    };
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = at(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = at(e); ctx.lineTo(p[0], p[1]); ctx.stroke();
    });
    var finish = function () {
      if (!drawing) return;
      drawing = false;
      target.value = canvas.toDataURL("image/png");
      target.dispatchEvent(new Event("change", {bubbles: true}));
    };
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointerleave", finish);
    var clear = document.querySelector("[data-clear=" + canvas.dataset.target + "]");
    if (clear) clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      target.value = "";
      target.dispatchEvent(new Event("change", {bubbles: true}));
    });
    if (target.value) { // restored draft: show it again
      var img = new Image();
      img.onload = function () { ctx.drawImage(img, 0, 0); };
      img.src = target.value;
    }
  });

  /* Record drafts: every change is kept on the phone until the server has saved a newer version,
     so a dropped network loses nothing. Files cannot be kept; everything else is. */
  var record = document.getElementById("record-form");
  if (record && window.localStorage) {
    var key = record.dataset.draftKey;
    var version = record.dataset.draftVersion;
    var note = document.getElementById("draft-status");
    var fields = function () {
      return Array.prototype.filter.call(record.elements, function (el) {
        return el.name && el.type !== "file" && el.type !== "submit" && el.name !== "csrfmiddlewaretoken";
      });
    };
    var load = function () {
      try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
    };
    var draft = load();
    if (draft && draft.version === version) {
      fields().forEach(function (el) {
        if (el.type === "checkbox") {
          el.checked = (draft.checked[el.name] || []).indexOf(el.value) >= 0;
        } else if (Object.prototype.hasOwnProperty.call(draft.values, el.name)) {
          el.value = draft.values[el.name];
        }
      });
      if (note) note.textContent = record.dataset.draftRestored;
    } else if (draft) {
      localStorage.removeItem(key); // the server has a newer version
    }
    var save = function () {
      var data = {version: version, saved: Date.now(), values: {}, checked: {}};
      fields().forEach(function (el) {
        if (el.type === "checkbox") {
          if (el.checked) (data.checked[el.name] = data.checked[el.name] || []).push(el.value);
        } else {
          data.values[el.name] = el.value;
        }
      });
      try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full: keep going */ }
    };
    record.addEventListener("input", save);
    record.addEventListener("change", save);
  }
})();
