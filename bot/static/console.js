/* Agent console: live transcript (polling the JSON view, kept scrolled to the newest), canned replies
   into the reply box, and an inbox that refreshes when it changes. */
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
    setInterval(function () {
      fetch("/agent/api/c/" + encodeURIComponent(convId) + "/transcript", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d || !list || d.items.length === shown) return;
          render(list, d.items);
          shown = d.items.length;
          list.scrollTop = list.scrollHeight;
        }).catch(function () { /* try again next tick */ });
    }, 2000);
  }
  function refreshInbox(count) {
    setInterval(function () {
      fetch("/agent/api/inbox", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) { if (d && d.queue.length + d.active.length + (d.callbacks || []).length !== count) location.reload(); })
        .catch(function () { /* ignore */ });
    }, 3000);
  }
  return { followTranscript: followTranscript, refreshInbox: refreshInbox };
})();
