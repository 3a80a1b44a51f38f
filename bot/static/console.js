/* Agent console: live transcript (server-sent events, kept scrolled to the newest), canned replies
   into the reply box, and the inbox kept live by server-sent events (/agent/api/events) with a sound
   and a desktop notification for a new conversation (polling only where EventSource is missing). */
var ConsoleLive = (function () {
  "use strict";
  var NAMES = { user: "Uporabnik", bot: "Pomočnik", agent: "Svetovalec", system: "Sistem" };
  function render(list, items) {
    list.textContent = "";
    items.forEach(function (it) {
      var li = document.createElement("li");
      li.className = "turn " + it.role;
      var who = document.createElement("span"); who.className = "who"; who.textContent = NAMES[it.role] || it.role;
      var text = document.createElement("span"); text.className = "text"; text.textContent = it.text;
      li.appendChild(who); li.appendChild(text);
      if (it.buttons && it.buttons.length) {
        var b = document.createElement("span"); b.className = "buttons";
        b.textContent = " Gumbi: " + it.buttons.map(function (x) { return x.title; }).join(" · ");
        li.appendChild(b);
      }
      list.appendChild(li);
    });
  }
  function followTranscript(convId) {
    var list = document.getElementById("transcript");
    var shown = list ? list.children.length : 0;
    if (list) list.scrollTop = list.scrollHeight;
    var canned = document.getElementById("canned");
    var box = document.getElementById("reply-text");
    if (canned && box) {
      canned.addEventListener("change", function () {
        if (canned.value) { box.value = canned.value; box.focus(); }
      });
    }
    function show(d) {
      if (!d || !list || d.items.length === shown) return;
      render(list, d.items);
      shown = d.items.length;
      list.scrollTop = list.scrollHeight;
    }
    var path = "/agent/api/c/" + encodeURIComponent(convId);
    if (window.EventSource) {
      var source = new EventSource(path + "/events");
      source.addEventListener("logout", function () { source.close(); location.href = "/agent/login"; });
      source.addEventListener("transcript", function (ev) {
        try { show(JSON.parse(ev.data)); } catch (e) { /* ignore a broken event */ }
      });
      return;
    }
    setInterval(function () {  // only where EventSource is missing
      fetch(path + "/transcript", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(show).catch(function () { /* try again next tick */ });
    }, 2000);
  }
  // --- live inbox: server-sent events, a sound and a desktop notice for a new conversation ---
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.08;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (e) { /* no audio: the page still updates */ }
  }
  function notify(count) {
    beep();
    var text = count === 1 ? "Nov pogovor čaka na svetovalca." : "Novi pogovori čakajo na svetovalca: " + count + ".";
    if (window.Notification && Notification.permission === "granted") {
      try { new Notification("Konzola svetovalcev", { body: text, tag: "agent-queue" }); } catch (e) { /* ignore */ }
    }
    var live = document.getElementById("live-notice");
    if (live) live.textContent = text;
  }
  function liveInbox(queueIds, total) {
    var known = {};
    queueIds.forEach(function (id) { known[id] = true; });
    var button = document.getElementById("enable-notifications");
    if (button && window.Notification && Notification.permission === "default") {
      button.hidden = false;
      button.addEventListener("click", function () {
        Notification.requestPermission().then(function () { button.hidden = true; });
      });
    }
    if (!window.EventSource) { refreshInbox(total); return; }
    var source = new EventSource("/agent/api/events");
    source.addEventListener("logout", function () { source.close(); location.href = "/agent/login"; });
    source.addEventListener("inbox", function (ev) {
      var d; try { d = JSON.parse(ev.data); } catch (e) { return; }
      var fresh = d.queue.filter(function (c) { return !known[c.ticket_id]; });
      var count = d.queue.length + d.active.length + (d.callbacks || []).length;
      if (fresh.length) notify(fresh.length);
      if (fresh.length || count !== total) {
        // the tables are drawn by the server: reload them (after the sound has played)
        setTimeout(function () { location.reload(); }, fresh.length ? 700 : 0);
      }
    });
  }
  function refreshInbox(count) {
    setInterval(function () {
      fetch("/agent/api/inbox", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) { if (d && d.queue.length + d.active.length + (d.callbacks || []).length !== count) location.reload(); })
        .catch(function () { /* ignore */ });
    }, 3000);
  }
  return { followTranscript: followTranscript, refreshInbox: refreshInbox, liveInbox: liveInbox };
})();
