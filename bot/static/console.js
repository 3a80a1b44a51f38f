/* Agent console: live transcript (polling the JSON view) and an inbox that refreshes when it changes. */
var ConsoleLive = (function () {
  "use strict";
  var NAMES = { user: "Uporabnik", bot: "Pomočnik", agent: "Svetovalec", system: "Sistem" };
  function followTranscript(convId) {
    var list = document.getElementById("transcript");
    var shown = list ? list.children.length : 0;
    setInterval(function () {
      fetch("/agent/api/c/" + encodeURIComponent(convId) + "/transcript", { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d || !list || d.items.length === shown) return;
          list.textContent = "";
          d.items.forEach(function (it) {
            var li = document.createElement("li");
            li.className = "turn " + it.role;
            var who = document.createElement("span"); who.className = "who"; who.textContent = NAMES[it.role] || it.role;
            var text = document.createElement("span"); text.className = "text"; text.textContent = it.text;
            li.appendChild(who); li.appendChild(text); list.appendChild(li);
          });
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
