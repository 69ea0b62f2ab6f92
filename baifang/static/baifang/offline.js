/* Baifang offline field work (R-UX-2): the service worker, the day's pages, and the queue.

   Check-in, check-out, record, photos and quick touches made without a network are kept in IndexedDB
   (idb-keyval, vendored) with the phone's time, position and an idempotency key made once per act,
   and sent in order through the visit API when the network returns (the `online` event, each page
   load, a minute's timer, or "Upload now"). The server answers a retried key with its first answer,
   so an act reaches it exactly once. A refused item stays, with the server's reason, until the rep
   dismisses it. Strings come from data attributes of #offline-queue (translated by the template). */
window.BaifangOffline = (function () {
  "use strict";

  var root = document.getElementById("offline-queue");
  var kv = window.idbKeyval;
  if (!root || !kv || !window.indexedDB) { return {submit: function () { return false; }}; }

  var text = root.dataset;
  var store = kv.createStore("baifang-offline", "queue");
  var KEY = "items:" + text.user; // one queue per person: never sent under someone else's session
  var DAY = 24 * 3600 * 1000;
  var RECORD_FIELDS = ["place", "our_participants", "customer_participants", "purpose", "content", "feedback",
    "problems", "competitor_info", "stock_observed", "promises", "next_step", "follow_up_plan",
    "customer_signed_name", "rep_signed_name"];

  function newKey() {
    if (window.crypto && crypto.randomUUID) return "offline-" + crypto.randomUUID();
    return "offline-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function items() { return kv.get(KEY, store).then(function (list) { return list || []; }); }
  function change(fn) { return kv.update(KEY, function (list) { return fn(list || []); }, store); }
  function find(list, key) { for (var i = 0; i < list.length; i++) { if (list[i].key === key) return list[i]; } return null; }

  /* -- the visible queue ------------------------------------------------------------------------ */

  function when(iso) {
    var d = new Date(iso);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (d.getMonth() + 1) + "-" + pad(d.getDate()) + " " + pad(d.getHours()) + ":" + pad(d.getMinutes());
  }

  function render() {
    return items().then(function (list) {
      var pending = list.filter(function (it) { return it.state === "pending"; }).length;
      root.hidden = list.length === 0 && navigator.onLine;
      root.classList.toggle("offline-queue-refused", list.some(function (it) { return it.state === "refused"; }));
      root.querySelector("[data-offline-badge]").textContent = text.pending.replace("%s", pending);
      root.querySelector("[data-offline-note]").textContent = navigator.onLine ? "" : text.offline;
      var ol = root.querySelector("[data-offline-items]");
      var template = root.querySelector("template[data-offline-item]");
      ol.textContent = "";
      list.forEach(function (it) {
        var li = template.content.firstElementChild.cloneNode(true);
        li.dataset.state = it.state;
        li.dataset.key = it.key;
        li.querySelector(".offline-what").textContent = (text["kind" + it.kind.charAt(0).toUpperCase() + it.kind.slice(1)] || it.kind) +
          (it.label ? " · " + it.label : "");
        li.querySelector(".offline-when").textContent = when(it.device_time);
        var state = li.querySelector(".offline-state");
        if (it.state === "accepted") state.textContent = text.stateAccepted;
        else if (it.state === "refused") state.textContent = text.stateRefused.replace("%s", it.reason || "");
        else state.textContent = text.statePending + (it.note ? " · " + it.note : "");
        li.querySelector(".offline-dismiss").hidden = it.state === "pending";
        ol.appendChild(li);
      });
      document.dispatchEvent(new CustomEvent("baifang:queue", {detail: list}));
      return list;
    });
  }

  root.addEventListener("click", function (event) {
    var target = event.target;
    if (target.closest("[data-offline-retry]")) { replay(); return; }
    if (target.closest("[data-offline-clear]")) {
      change(function (list) { return list.filter(function (it) { return it.state !== "accepted"; }); }).then(render);
      return;
    }
    var dismiss = target.closest(".offline-dismiss");
    if (dismiss) {
      var key = dismiss.closest("li").dataset.key;
      change(function (list) {
        return list.filter(function (it) { return it.key !== key || it.state === "pending"; });
      }).then(render);
    }
  });

  /* -- putting work in the queue ---------------------------------------------------------------- */

  function value(form, name) {
    var el = form.elements[name];
    if (!el || el.value === undefined || el.value === "") return undefined;
    return el.value;
  }

  function payloadOf(form, kind, submitter) {
    var data = {};
    if (kind === "check_in") {
      ["latitude", "longitude", "accuracy_m", "coordinate_system", "location_error", "override_reason"].forEach(function (name) {
        var v = value(form, name);
        if (v !== undefined) data[name] = name === "accuracy_m" ? parseInt(v, 10) : v;
      });
      data.customer = parseInt(form.dataset.offlineCustomer, 10);
    } else if (kind === "record") {
      RECORD_FIELDS.forEach(function (name) {
        var v = value(form, name);
        if (v !== undefined) data[name] = v;
      });
      var checklist = {};
      Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox][name^='checklist-']"), function (box) {
        var code = box.name.slice("checklist-".length);
        checklist[code] = checklist[code] || [];
        if (box.checked) checklist[code].push(parseInt(box.value, 10));
      });
      if (Object.keys(checklist).length) data.checklist = checklist;
      data.submit = !!(submitter && submitter.value === "submit");
    } else if (kind === "touch") {
      ["channel", "started_at", "minutes", "notes"].forEach(function (name) {
        var v = value(form, name);
        if (v !== undefined) data[name] = name === "minutes" ? parseInt(v, 10) : v;
      });
      data.customer = parseInt(form.dataset.offlineCustomer, 10);
    }
    return data;
  }

  function enqueue(form, kind, submitter) {
    var now = new Date().toISOString();
    var base = {
      kind: kind,
      label: form.dataset.offlineLabel || "",
      customer: form.dataset.offlineCustomer ? parseInt(form.dataset.offlineCustomer, 10) : null,
      visit: form.dataset.offlineVisit ? parseInt(form.dataset.offlineVisit, 10) : null,
      after: form.dataset.offlineAfter || null,
      device_time: now,
      created: Date.now(),
      state: "pending",
    };
    // A new key per act, kept on every retry of it (a cached page's key would serve two days' acts).
    var made = [];
    var first = Object.assign({}, base, {key: newKey(), payload: payloadOf(form, kind, submitter)});
    if (kind !== "photo") made.push(first);
    var photo = form.querySelector("input[type=file]");
    if (photo && photo.files) {
      Array.prototype.forEach.call(photo.files, function (file) {
        made.push(Object.assign({}, base, {kind: "photo", key: newKey(), blob: file, filename: file.name}));
      });
    }
    return change(function (list) {
      made.forEach(function (it) {
        var after = it.after && find(list, it.after);
        if (after && after.state === "accepted" && after.result) { it.visit = after.result; it.after = null; }
        if (!find(list, it.key)) list.push(it);
      });
      return list;
    }).then(function () {
      if (photo) photo.value = "";
      var status = form.querySelector("[data-offline-status]");
      if (status) status.textContent = text.queued;
      form.dispatchEvent(new CustomEvent("baifang:queued", {bubbles: true, detail: made[0]}));
      return render();
    }).then(function () { replay(); return made; });
  }

  /* A form marked data-offline-kind goes to the queue when the phone is offline (or always, when
     marked data-offline-only: the forms of a visit kept on the phone have no page to post to).
     Returns true when the form was queued, so the caller does not post it. */
  function submit(form, submitter) {
    var kind = form.dataset.offlineKind;
    if (!kind || (navigator.onLine && !form.hasAttribute("data-offline-only"))) return false;
    enqueue(form, kind, submitter);
    return true;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-geolocate")) return; // visits.js finds the position first, then asks us
    if (form.dataset.offlineKind && submit(form, event.submitter)) event.preventDefault();
  });

  /* -- sending the queue -------------------------------------------------------------------------- */

  /* The CSRF cookie; without it (a Secure cookie on plain http), the token the page was rendered with. */
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { return ""; }
  }

  function request(it) {
    var api = text.api;
    var visit = it.visit;
    var url = {
      check_in: api + "visits/check-in/",
      check_out: api + "visits/" + visit + "/check-out/",
      record: api + "visits/" + visit + "/record/",
      photo: api + "visits/" + visit + "/photos/",
      touch: api + "touches/",
    }[it.kind];
    var headers = {"X-CSRFToken": csrfToken(), "Accept": "application/json"};
    var body;
    if (it.kind === "photo") {
      body = new FormData();
      body.append("image", it.blob, it.filename || "photo.jpg");
      body.append("idempotency_key", it.key);
    } else {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(Object.assign({}, it.payload, {
        idempotency_key: it.key, device_time: it.device_time, sent_at: new Date().toISOString(),
      }));
    }
    return fetch(url, {method: "POST", credentials: "same-origin", headers: headers, body: body});
  }

  function reasonOf(body, status) {
    if (body && body.errors && body.errors.length) {
      return body.errors.map(function (e) { return e.detail; }).join("；");
    }
    return body && body.detail ? body.detail : "HTTP " + status;
  }

  function save(it) {
    return change(function (list) {
      var i = list.map(function (x) { return x.key; }).indexOf(it.key);
      if (i >= 0) list[i] = it;
      return list;
    });
  }

  /* Send the pending items in order; stop at the first one that cannot go yet (no network, signed
     out, server busy) so nothing overtakes it. */
  function sendAll() {
    return items().then(function (list) {
      var next = function (i) {
        if (i >= list.length) return null;
        var it = list[i];
        if (it.state !== "pending") return next(i + 1);
        if (it.after) {
          var parent = find(list, it.after);
          if (parent && parent.state === "refused") {
            it.state = "refused"; it.reason = text.afterRefused;
            return save(it).then(function () { return next(i + 1); });
          }
          if (!parent || parent.state !== "accepted") return null;
          it.visit = parent.result; it.after = null;
        }
        return request(it).then(function (response) {
          return response.json().catch(function () { return null; }).then(function (body) {
            var code = body && body.errors && body.errors[0] && body.errors[0].code;
            if (response.ok) {
              it.state = "accepted"; it.note = ""; it.accepted = Date.now();
              it.result = body ? (it.kind === "record" ? body.touch : body.id) : null;
              if (it.kind === "photo") delete it.blob;
              return save(it).then(function () { return next(i + 1); });
            }
            if (response.status === 401 || (response.status === 403 &&
                (code === "not_authenticated" || code === "authentication_failed" || /CSRF/.test(reasonOf(body, 403))))) {
              it.note = text.signIn;
              return save(it);
            }
            if (response.status >= 500 || response.status === 429 || response.status === 408) {
              it.note = text.retry;
              return save(it);
            }
            it.state = "refused"; it.reason = reasonOf(body, response.status);
            return save(it).then(function () { return next(i + 1); });
          });
        }, function () { return null; }); // no network after all: keep everything for later
      };
      return next(0);
    });
  }

  var running = null;
  function replay() {
    if (!navigator.onLine) return render();
    if (running) return running;
    var work = function () { return sendAll(); };
    var locked = navigator.locks ? navigator.locks.request("baifang-offline-queue", work) : work();
    running = Promise.resolve(locked).catch(function () { return null; }).then(function () {
      running = null;
      // uploaded a day ago and nothing waits on them: no longer shown
      return change(function (list) {
        return list.filter(function (it) { return !(it.state === "accepted" && Date.now() - (it.accepted || 0) > DAY); });
      });
    }).then(render).then(function (list) {
      if (list.length && list.every(function (it) { return it.state !== "pending"; })) {
        root.dataset.settled = "1";
      }
      return list;
    });
    return running;
  }

  window.addEventListener("online", replay);
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine) replay(); }, 60000);

  /* -- the service worker and the day's pages ------------------------------------------------------ */

  function tell(worker, message) {
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function (event) { resolve(event.data); };
      worker.postMessage(message, [channel.port2]);
    });
  }

  if ("serviceWorker" in navigator && text.sw) {
    navigator.serviceWorker.register(text.sw, {scope: "/"}).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      // The day's pages are kept from the today page (where the day starts), not on every page load.
      if (!navigator.onLine || !document.querySelector("[data-offline-keep-day]")) return null;
      return fetch(text.dayPages, {credentials: "same-origin", headers: {"Accept": "application/json"}}).then(function (response) {
        return response.ok && !response.redirected ? response.json() : null;
      }).then(function (day) {
        if (!day || !registration.active) return null;
        return tell(registration.active, {type: "keep-pages", urls: day.pages, lang: document.documentElement.lang});
      });
    }).then(function () {
      document.documentElement.dataset.offlineReady = "1";
    }).catch(function () { /* no service worker here: the queue still works on an open page */ });

    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (form.action && /\/accounts\/logout\/?$/.test(new URL(form.action, location.href).pathname) &&
          navigator.serviceWorker.controller) {
        navigator.serviceWorker.controller.postMessage({type: "forget-pages"});
      }
    });
  }

  /* -- the check-in page: a visit kept on the phone --------------------------------------------------
     After an offline check-in the page shows its check-out and record forms, tied to the queued
     check-in (its key), and shows them again when the page is opened again offline. */
  function visitOnThisPhone() {
    var section = document.getElementById("offline-visit");
    if (!section) return;
    var customer = parseInt(section.dataset.offlineCustomer, 10);
    var checkIn = document.getElementById("check-in-form");
    var show = function (it, list) {
      section.hidden = false;
      if (checkIn) checkIn.hidden = true;
      section.querySelectorAll("form[data-offline-kind]").forEach(function (form) {
        if (it.state === "accepted" && it.result) { form.dataset.offlineVisit = it.result; delete form.dataset.offlineAfter; }
        else { form.dataset.offlineAfter = it.key; delete form.dataset.offlineVisit; }
      });
      var link = section.querySelector("[data-offline-visit-link]");
      if (link && it.state === "accepted" && it.result) { link.href = link.dataset.base.replace("0", it.result); link.hidden = false; }
      var out = (list || []).some(function (x) {
        return x.kind === "check_out" && (x.after === it.key || (it.result && x.visit === it.result));
      });
      var checkOut = section.querySelector("form[data-offline-kind=check_out]");
      if (checkOut && out) checkOut.hidden = true;
    };
    var latest = function (list) {
      var found = null;
      list.forEach(function (it) {
        if (it.kind === "check_in" && it.customer === customer && it.state !== "refused" && Date.now() - it.created < DAY) found = it;
      });
      return found;
    };
    document.addEventListener("baifang:queue", function (event) {
      var it = latest(event.detail);
      if (it) show(it, event.detail);
    });
    document.addEventListener("baifang:queued", function (event) {
      var form = event.target;
      if (form.dataset.offlineKind === "check_out" && section.contains(form)) form.hidden = true;
    });
  }

  visitOnThisPhone();
  render().then(replay);
  return {submit: submit, replay: replay, items: items, render: render};
})();
