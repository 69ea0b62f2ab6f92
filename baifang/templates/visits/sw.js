{% load static %}{% autoescape off %}/* Baifang service worker (R-UX-2): keeps the app shell and the pages of the rep's day for use without
   a network. A small worker of our own, served from /sw.js by baifang.visits.offline.service_worker
   with the shell's static names as the storage serves them (hashed in production). It never answers
   a POST or an API call: what is done offline is queued by static/baifang/offline.js. */
"use strict";

var VERSION = "{{ version }}";
var SHELL = "baifang-shell-" + VERSION;
var PAGES = "baifang-pages-" + VERSION;
var SHELL_URLS = {{ shell_json }};
var OFFLINE_URL = "{% url 'visits:offline' %}";
var STATIC_PREFIX = "{% get_static_prefix %}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(SHELL).then(function (cache) {
    return cache.addAll(SHELL_URLS);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("baifang-") === 0 && name !== SHELL && name !== PAGES;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

/* A page worth keeping: a full, direct answer (a redirect to the sign-in page is not the page). */
function keepable(response) {
  return response && response.ok && !response.redirected && response.type === "basic";
}

/* The page's language goes with each fetch: the worker's own Accept-Language may not be the page's. */
function keepPages(urls, lang) {
  var headers = lang ? {"Accept-Language": lang} : {};
  return caches.open(PAGES).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(url, {credentials: "same-origin", cache: "no-store", headers: headers}).then(function (response) {
        return keepable(response) ? cache.put(url, response) : null;
      }).catch(function () { return null; });
    }));
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var reply = function (message) { if (event.ports && event.ports[0]) event.ports[0].postMessage(message); };
  if (data.type === "keep-pages") {
    event.waitUntil(keepPages(data.urls || [], data.lang).then(function () { reply({kept: (data.urls || []).length}); }));
  } else if (data.type === "forget-pages") {  // signing out: the next person on this phone sees nothing
    event.waitUntil(caches.delete(PAGES).then(function () { reply({forgotten: true}); }));
  }
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    // Static files: their names change with their content, so a kept copy is always right.
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (keepable(response)) {
          var copy = response.clone();
          caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode !== "navigate") return;
  // Pages: the network first; a page of the day that was kept is refreshed, and shown when offline.
  event.respondWith(fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        return cache.match(request, {ignoreVary: true}).then(function (kept) { return kept ? cache.put(request, copy) : null; });
      });
    }
    return response;
  }).catch(function () {
    // ignoreVary: pages vary on Cookie and Accept-Language, which a kept request does not carry
    return caches.match(request, {cacheName: PAGES, ignoreVary: true}).then(function (kept) {
      return kept || caches.match(OFFLINE_URL, {cacheName: PAGES, ignoreVary: true});
    }).then(function (kept) {
      return kept || caches.match(OFFLINE_URL, {ignoreVary: true});
    });
  }));
});
{% endautoescape %}
