/* Chat widget for the Moj GEN-I and Moj Butan plin portals: vanilla JS, no build step.
 *
 * Embed with ONE tag (data-gateway defaults to the origin this script is served from):
 *   <script src="https://chat.example.si/static/widget.js" data-brand="geni|butan"
 *           data-gateway="https://chat.example.si" defer></script>
 *
 * Everything lives in the shadow root of one <mojportal-chat> element, so the host page's CSS cannot
 * reach the widget (widget.css resets what the host element could inherit). Shadow DOM rather than an
 * iframe: one document keeps focus order, screen-reader reading order, the page title and the tab's
 * visibility directly reachable (unread notice), with no second page load and no postMessage protocol.
 *
 * The session id comes from the gateway (random) and is kept in localStorage; it is the only key to
 * this conversation's history. Typed text and button payloads travel separately. */
(function () {
  "use strict";
  if (window.__mojportalChat) return; // the tag included twice must not make two widgets
  window.__mojportalChat = true;

  var BRANDS = {
    geni: { title: "Moj GEN-I", portal: "portala Moj GEN-I" },
    butan: { title: "Moj Butan plin", portal: "portala Moj Butan plin" }
  };
  var script = document.currentScript ||
    document.querySelector("script[src*='widget.js'][data-brand], script[src*='widget.js']");
  var brandKey = String((script && script.getAttribute("data-brand")) || "geni").toLowerCase();
  if (!BRANDS.hasOwnProperty(brandKey)) brandKey = "geni";
  var brand = BRANDS[brandKey];
  var gateway = gatewayBase();
  var KEY = "mojportal.chat." + brandKey + ".session";
  var OPEN_KEY = "mojportal.chat." + brandKey + ".open";
  var sessionId = null;
  var ws = null;
  var wsDelay = 1000;
  var unread = 0;
  var baseTitle = document.title;
  var titlePrefix = "";
  var convState = { state: "bot", agent: null, queue_position: null };

  function gatewayBase() {
    var raw = (script && script.getAttribute("data-gateway")) || "";
    try {
      var u = new URL(raw || (script && script.src) || location.href, location.href);
      if (u.protocol === "http:" || u.protocol === "https:") return u.origin + (raw ? u.pathname.replace(/\/+$/, "") : "");
    } catch (e) { /* fall through */ }
    return location.origin;
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // --- DOM (inside a shadow root) ------------------------------------------------
  var host = el("mojportal-chat", { "data-brand": brandKey });
  var shadow = host.attachShadow({ mode: "open" });
  var sheet = el("link", { rel: "stylesheet", href: gateway + "/static/widget.css" });
  var root = el("div", { "class": "w brand-" + brandKey, hidden: "" }); // shown once the CSS is in
  sheet.addEventListener("load", function () { root.hidden = false; });
  sheet.addEventListener("error", function () { root.hidden = false; });
  shadow.appendChild(sheet);
  shadow.appendChild(root);

  var launcher = el("button", { type: "button", "class": "launcher", "aria-controls": "chat-panel",
    "aria-expanded": "false" });
  launcher.appendChild(el("span", {}, "Klepet z virtualnim pomočnikom"));
  var badge = el("span", { "class": "badge", "aria-hidden": "true", hidden: "" });
  var badgeSr = el("span", { "class": "sr" });
  launcher.appendChild(badge); launcher.appendChild(badgeSr);

  var panel = el("section", { id: "chat-panel", "class": "panel", role: "dialog", "aria-labelledby": "chat-title",
    hidden: "" });
  var head = el("div", { "class": "head" });
  var title = el("h2", { id: "chat-title" }, brand.title);
  title.appendChild(el("span", { "class": "sub" }, "Virtualni pomočnik"));
  var closeBtn = el("button", { type: "button", "class": "close", "aria-label": "Zapri klepet" }, "×");
  head.appendChild(title); head.appendChild(closeBtn);
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": "Pogovor", tabindex: "0" });
  var typing = el("div", { "class": "typing", hidden: "" });
  typing.appendChild(el("i", { "aria-hidden": "true" })); typing.appendChild(el("i", { "aria-hidden": "true" }));
  typing.appendChild(el("i", { "aria-hidden": "true" }));
  typing.appendChild(el("span", { "class": "sr" }, "Pomočnik piše …"));
  log.appendChild(typing);
  var status = el("div", { "class": "status", role: "status" });
  var form = el("form", { "class": "form" });
  var label = el("label", { "for": "chat-input", "class": "sr" }, "Vaše sporočilo");
  var input = el("textarea", { id: "chat-input", rows: "1", maxlength: "2000", placeholder: "Napišite vprašanje …" });
  var send = el("button", { type: "submit", "class": "send", "aria-label": "Pošlji sporočilo" }, "Pošlji");
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  panel.appendChild(head); panel.appendChild(log); panel.appendChild(status); panel.appendChild(form);
  root.appendChild(launcher); root.appendChild(panel);
  (document.body || document.documentElement).appendChild(host);

  // --- words ---------------------------------------------------------------------
  /* Slovene numbers: 1 novo sporočilo, 2 novi sporočili, 3 in 4 nova sporočila, 5 novih sporočil. */
  function newMessages(n) {
    var m = n % 100;
    if (m === 1) return n + " novo sporočilo";
    if (m === 2) return n + " novi sporočili";
    if (m === 3 || m === 4) return n + " nova sporočila";
    return n + " novih sporočil";
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  /* "14.05" today, "13. 5. 14.05" on an earlier day (the reader's own clock). */
  function formatTime(d) {
    var now = new Date();
    var t = pad(d.getHours()) + "." + pad(d.getMinutes());
    if (d.toDateString() === now.toDateString()) return t;
    return d.getDate() + ". " + (d.getMonth() + 1) + ". " + t;
  }
  var SPEAKER = { user: "Vi:", bot: "Pomočnik:", system: "Obvestilo:" };

  // --- rendering -------------------------------------------------------------------
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

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function markChosen(btn) {
    btn.classList.add("chosen");
    btn.appendChild(el("span", { "class": "sr" }, " (izbrano)"));
  }

  function addMessage(msg, live) {
    var role = ["user", "bot", "agent", "system"].indexOf(msg.role) >= 0 ? msg.role : "bot";
    var bubble = el("div", { "class": "msg " + role });
    if (role === "agent") {
      var who = el("span", { "class": "who" }, msg.author || "Svetovalec");
      who.appendChild(el("span", { "class": "sr" }, ":"));
      bubble.appendChild(who);
    } else {
      bubble.appendChild(el("span", { "class": "sr" }, SPEAKER[role] + " "));
    }
    var body = el("span", { "class": "text" });
    linkify(body, String(msg.text || ""));
    bubble.appendChild(body);
    var at = msg.created_at ? new Date(msg.created_at) : new Date();
    if (isNaN(at.getTime())) at = new Date();
    bubble.appendChild(el("time", { datetime: at.toISOString() }, formatTime(at)));
    log.insertBefore(bubble, typing);
    if (msg.buttons && msg.buttons.length) {
      var group = el("div", { "class": "buttons", role: "group", "aria-label": "Možni odgovori" });
      msg.buttons.forEach(function (b) {
        var btn = el("button", { type: "button" }, String(b.title || ""));
        if (msg.answered) btn.disabled = true;
        if (msg.chosen !== null && msg.chosen !== undefined && msg.chosen === b.title) markChosen(btn);
        btn.addEventListener("click", function () {
          if (busy) return;
          markChosen(btn);
          sendMessage({ payload: b.payload, title: b.title }, b.title);
        });
        group.appendChild(btn);
      });
      log.insertBefore(group, typing);
    }
    if (live !== false) {
      scrollDown();
      if (role !== "user") noteArrival();
    }
  }

  function disableOldButtons() {
    Array.prototype.forEach.call(log.querySelectorAll(".buttons button"), function (x) { x.disabled = true; });
  }

  // --- unread badge and page-title notice ------------------------------------------
  function seen() { return !panel.hidden && !document.hidden; }
  function noteArrival() {
    if (seen()) return;
    unread += 1;
    renderUnread();
  }
  function renderUnread() {
    badge.hidden = unread === 0;
    badge.textContent = unread ? String(unread) : "";
    badgeSr.textContent = unread ? "(" + newMessages(unread) + ")" : "";
    // The host page may change its own title meanwhile: keep whatever it set as the base.
    if (!titlePrefix || document.title.indexOf(titlePrefix) !== 0) baseTitle = document.title;
    titlePrefix = unread ? "(" + unread + ") " + (unread === 1 ? "Novo sporočilo" : "Nova sporočila") + " – " : "";
    document.title = titlePrefix + baseTitle;
  }
  function clearUnread() {
    if (!unread) return;
    unread = 0;
    renderUnread();
  }
  document.addEventListener("visibilitychange", function () { if (seen()) clearUnread(); });

  // --- handoff state: queue place, agent joined --------------------------------------
  function applyState(s, live) {
    if (!s || typeof s !== "object") return;
    convState = s;
    var text = "";
    if (s.state === "queued") {
      text = s.queue_position
        ? "Čakate na prvega prostega svetovalca. Vaše mesto v čakalni vrsti: " + s.queue_position + "."
        : "Čakate na prvega prostega svetovalca.";
    } else if (s.state === "assigned") {
      text = "Z vami se pogovarja " + (s.agent || "svetovalec") + ".";
    }
    if (status.textContent !== text) status.textContent = text;
    input.placeholder = s.state === "bot" ? "Napišite vprašanje …" : "Napišite sporočilo svetovalcu …";
    // Who took the conversation is told by the gateway itself (a system message on every channel,
    // with the agent's configured name and stored for a reload): no local join line here.
  }

  // --- network ---------------------------------------------------------------------
  function api(path, opts) {
    opts = opts || {};
    opts.headers = opts.headers || {};
    if (sessionId) opts.headers["X-Session-Id"] = sessionId;
    return fetch(gateway + path, opts);
  }

  function newSession() {
    return fetch(gateway + "/api/web/session", { method: "POST" }).then(function (r) {
      if (!r.ok) throw new Error("session");
      return r.json();
    }).then(function (d) {
      sessionId = d.session_id;
      try { localStorage.setItem(KEY, sessionId); } catch (e) { /* private mode: session per tab */ }
    });
  }

  function loadHistory() {
    log.setAttribute("aria-busy", "true"); // the restored history is not read out as new
    return api("/api/web/history").then(function (r) {
      if (r.status === 404) return newSession().then(function () { return { messages: [] }; });
      return r.json();
    }).then(function (d) {
      (d.messages || []).forEach(function (m) { addMessage(m, false); });
      if (!d.messages || !d.messages.length) {
        addMessage({ role: "bot", text: "Pozdravljeni! Sem virtualni pomočnik " + brand.portal +
          ". Kako vam lahko pomagam?" }, false);
      }
      var groups = log.querySelectorAll(".buttons");
      Array.prototype.forEach.call(groups, function (g, i) {
        if (i < groups.length - 1) Array.prototype.forEach.call(g.querySelectorAll("button"), function (x) { x.disabled = true; });
      });
      applyState(d.conversation, false);
      scrollDown();
    }).then(function () { log.removeAttribute("aria-busy"); }, function (e) { log.removeAttribute("aria-busy"); throw e; });
  }

  function connect() {
    if (!sessionId || !window.WebSocket) return;
    ws = new WebSocket(gateway.replace(/^http/, "ws") + "/api/web/ws");
    ws.onopen = function () { wsDelay = 1000; ws.send(JSON.stringify({ session_id: sessionId })); };
    ws.onmessage = function (ev) {
      var d; try { d = JSON.parse(ev.data); } catch (e) { return; }
      if (d.conversation) applyState(d.conversation, true);
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
  var EXPIRED = "Prejšnji pogovor je potekel in njegova zgodovina je izbrisana, zato začenjava znova.";
  function sendMessage(body, shown) {
    if (busy) return;
    busy = true;
    body.brand = brandKey; // the website's brand: the assistant answers with that portal's facts
    disableOldButtons();
    addMessage({ role: "user", text: shown });
    typing.hidden = false;
    scrollDown();
    function post() {
      return api("/api/web/message", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body)
      }).then(function (r) {
        return r.json().then(function (d) { return { ok: r.ok, status: r.status, d: d }; });
      });
    }
    post().then(function (res) {
      if (res.status !== 404) return res;
      // The session expired (GATEWAY_WEB_HISTORY_HOURS) and its history is deleted: start a new one.
      addMessage({ role: "system", text: EXPIRED });
      return newSession().then(post);
    }).then(function (res) {
      if (!res.ok) {
        addMessage({ role: "system", text: (res.d && res.d.detail) || "Sporočila ni bilo mogoče poslati. Poskusite, prosim, znova." });
        return;
      }
      (res.d.messages || []).forEach(function (m) { addMessage(m); });
      if (res.d.conversation) applyState(res.d.conversation, true);
    }).catch(function () {
      addMessage({ role: "system", text: "Povezava ni uspela. Preverite internetno povezavo in poskusite znova." });
    }).then(function () {
      busy = false; typing.hidden = true; input.focus();
    });
  }

  // --- events ----------------------------------------------------------------------
  function open() {
    panel.hidden = false; launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    try { sessionStorage.setItem(OPEN_KEY, "1"); } catch (e) { /* ignore */ }
    if (seen()) clearUnread();
    scrollDown();
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
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.dispatchEvent(new Event("submit", { cancelable: true }));
    }
  });

  try {
    sessionId = localStorage.getItem(KEY);
    if (!sessionId && brandKey === "geni") sessionId = localStorage.getItem("mojgeni.chat.session"); // before brands
  } catch (e) { sessionId = null; }
  (sessionId ? loadHistory() : newSession().then(loadHistory)).then(connect).catch(function () {
    addMessage({ role: "system", text: "Klepet trenutno ni na voljo. Poskusite, prosim, kasneje." }, false);
  });
  var wasOpen = false;
  try { wasOpen = sessionStorage.getItem(OPEN_KEY) === "1"; } catch (e) { /* ignore */ }
  if (wasOpen) open();
})();
