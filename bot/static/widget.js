/* Moj GEN-I chat widget: vanilla JS, no build step.
 * The session id comes from the gateway (random) and is kept in localStorage; it is the only key
 * to this conversation's history. Typed text and button payloads travel separately. */
(function () {
  "use strict";
  var KEY = "mojgeni.chat.session";
  var OPEN_KEY = "mojgeni.chat.open";
  var sessionId = null;
  var ws = null;
  var wsDelay = 1000;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // --- DOM -------------------------------------------------------------------
  var launcher = el("button", { type: "button", "class": "chat-launcher", "aria-controls": "chat-panel",
    "aria-expanded": "false" }, "Klepet z virtualnim pomočnikom");
  var panel = el("section", { id: "chat-panel", "class": "chat-panel", role: "dialog",
    "aria-label": "Klepet z virtualnim pomočnikom", hidden: "" });
  var head = el("div", { "class": "chat-head" });
  head.appendChild(el("h2", {}, "Virtualni pomočnik Moj GEN-I"));
  var closeBtn = el("button", { type: "button", "aria-label": "Zapri klepet" }, "×");
  head.appendChild(closeBtn);
  var log = el("div", { "class": "chat-log", role: "log", "aria-live": "polite", "aria-label": "Pogovor",
    tabindex: "0" });
  var typing = el("div", { "class": "chat-typing", "aria-label": "Pomočnik piše", hidden: "" });
  typing.appendChild(el("span")); typing.appendChild(el("span")); typing.appendChild(el("span"));
  typing.appendChild(el("span", { "class": "chat-sr" }, "Pomočnik piše …"));
  var form = el("form", { "class": "chat-form" });
  var label = el("label", { "for": "chat-input", "class": "chat-sr" }, "Vaše sporočilo");
  var input = el("textarea", { id: "chat-input", rows: "1", maxlength: "2000",
    placeholder: "Napišite vprašanje …", "aria-label": "Vaše sporočilo" });
  var send = el("button", { type: "submit", "aria-label": "Pošlji sporočilo" }, "Pošlji");
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  log.appendChild(typing);
  panel.appendChild(head); panel.appendChild(log); panel.appendChild(form);
  document.body.appendChild(launcher); document.body.appendChild(panel);

  // --- rendering -------------------------------------------------------------
  var LINK = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)»])|([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})|(\b080 ?1558\b)/g;

  function linkify(container, text) {
    var last = 0; var m;
    LINK.lastIndex = 0;
    while ((m = LINK.exec(text)) !== null) {
      if (m.index > last) container.appendChild(document.createTextNode(text.slice(last, m.index)));
      var a = el("a", {}, m[0]);
      if (m[1]) { a.href = m[1]; a.target = "_blank"; a.rel = "noopener noreferrer"; }
      else if (m[2]) { a.href = "mailto:" + m[2]; }
      else { a.href = "tel:" + m[3].replace(/\s/g, ""); }
      container.appendChild(a);
      last = m.index + m[0].length;
    }
    if (last < text.length) container.appendChild(document.createTextNode(text.slice(last)));
  }

  function addMessage(msg, live) {
    var role = ["user", "bot", "agent", "system"].indexOf(msg.role) >= 0 ? msg.role : "bot";
    var bubble = el("div", { "class": "chat-msg " + role });
    if (role === "agent") bubble.appendChild(el("span", { "class": "who" }, "Svetovalec"));
    var body = el("span", { "class": "text" });
    linkify(body, String(msg.text || ""));
    bubble.appendChild(body);
    log.insertBefore(bubble, typing);
    if (msg.buttons && msg.buttons.length) {
      var group = el("div", { "class": "chat-buttons", role: "group", "aria-label": "Možni odgovori" });
      msg.buttons.forEach(function (b) {
        var btn = el("button", { type: "button" }, b.title);
        btn.addEventListener("click", function () {
          Array.prototype.forEach.call(group.querySelectorAll("button"), function (x) { x.disabled = true; });
          sendMessage({ payload: b.payload, title: b.title }, b.title);
        });
        group.appendChild(btn);
      });
      log.insertBefore(group, typing);
    }
    if (live !== false) log.scrollTop = log.scrollHeight;
  }

  function disableOldButtons() {
    Array.prototype.forEach.call(log.querySelectorAll(".chat-buttons button"), function (x) { x.disabled = true; });
  }

  // --- network ---------------------------------------------------------------
  function api(path, opts) {
    opts = opts || {};
    opts.headers = opts.headers || {};
    if (sessionId) opts.headers["X-Session-Id"] = sessionId;
    return fetch(path, opts);
  }

  function newSession() {
    return fetch("/api/web/session", { method: "POST" }).then(function (r) {
      if (!r.ok) throw new Error("session");
      return r.json();
    }).then(function (d) {
      sessionId = d.session_id;
      try { localStorage.setItem(KEY, sessionId); } catch (e) { /* private mode: session per tab */ }
    });
  }

  function loadHistory() {
    return api("/api/web/history").then(function (r) {
      if (r.status === 404) return newSession().then(function () { return { messages: [] }; });
      return r.json();
    }).then(function (d) {
      (d.messages || []).forEach(function (m) { addMessage(m, false); });
      if (!d.messages || !d.messages.length) {
        addMessage({ role: "bot", text: "Pozdravljeni! Sem virtualni pomočnik portalov Moj GEN-I in Moj Butan plin. Kako vam lahko pomagam?" });
      }
      var groups = log.querySelectorAll(".chat-buttons");
      Array.prototype.forEach.call(groups, function (g, i) {
        if (i < groups.length - 1) Array.prototype.forEach.call(g.querySelectorAll("button"), function (x) { x.disabled = true; });
      });
      log.scrollTop = log.scrollHeight;
    });
  }

  function connect() {
    if (!sessionId || !window.WebSocket) return;
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(proto + "//" + location.host + "/api/web/ws");
    ws.onopen = function () { wsDelay = 1000; ws.send(JSON.stringify({ session_id: sessionId })); };
    ws.onmessage = function (ev) {
      var d; try { d = JSON.parse(ev.data); } catch (e) { return; }
      if (d.type === "message" && d.message) { typing.hidden = true; addMessage(d.message); }
    };
    ws.onclose = function () {
      ws = null;
      setTimeout(connect, wsDelay);
      wsDelay = Math.min(wsDelay * 2, 30000);
    };
  }
  setInterval(function () { if (ws && ws.readyState === 1) ws.send("ping"); }, 25000);

  var busy = false;
  function sendMessage(body, shown) {
    if (busy) return;
    busy = true;
    disableOldButtons();
    addMessage({ role: "user", text: shown });
    typing.hidden = false;
    log.scrollTop = log.scrollHeight;
    api("/api/web/message", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (d) { return { ok: r.ok, d: d }; });
    }).then(function (res) {
      if (!res.ok) {
        addMessage({ role: "system", text: (res.d && res.d.detail) || "Sporočila ni bilo mogoče poslati. Poskusite, prosim, znova." });
        return;
      }
      (res.d.messages || []).forEach(function (m) { addMessage(m); });
      if (res.d.handoff) input.placeholder = "Napišite sporočilo svetovalcu …";
    }).catch(function () {
      addMessage({ role: "system", text: "Povezava ni uspela. Preverite internetno povezavo in poskusite znova." });
    }).then(function () {
      busy = false; typing.hidden = true; input.focus();
    });
  }

  // --- events ----------------------------------------------------------------
  function open() {
    panel.hidden = false; launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    try { sessionStorage.setItem(OPEN_KEY, "1"); } catch (e) { /* ignore */ }
    input.focus();
  }
  function close() {
    panel.hidden = true; launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    try { sessionStorage.removeItem(OPEN_KEY); } catch (e) { /* ignore */ }
    launcher.focus();
  }
  launcher.addEventListener("click", open);
  closeBtn.addEventListener("click", close);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") close(); });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value;
    if (!text.trim() || busy) return;
    input.value = "";
    sendMessage({ text: text }, text.trim());
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
  });

  try { sessionId = localStorage.getItem(KEY); } catch (e) { sessionId = null; }
  (sessionId ? loadHistory() : newSession().then(loadHistory)).then(connect).catch(function () {
    addMessage({ role: "system", text: "Klepet trenutno ni na voljo. Poskusite, prosim, kasneje." });
  });
  var wasOpen = false;
  try { wasOpen = sessionStorage.getItem(OPEN_KEY) === "1"; } catch (e) { /* ignore */ }
  if (wasOpen) open();
})();
