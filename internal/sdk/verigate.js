/*! verigate Web SDK: opens verigate's Link in a modal on your page. Globals: Argyle (the platform's Web SDK interface) and Verigate. No dependencies. Docs: docs/sdk.md */
(function (global) {
  "use strict";

  var PROTOCOL = 1; // the version field of every message, both ways
  var NARROW = "(max-width: 600px)"; // full screen below this width
  var SILENT = 800; // ms after a frame load with no message: the frame was refused
  var doc = global.document;
  var own = doc.currentScript && doc.currentScript.src; // where this script came from: verigate
  var has = Object.prototype.hasOwnProperty;

  function noop() {}
  function callback(f) { return typeof f === "function" ? f : noop; }
  function str(v) { return typeof v === "string" ? v : ""; }
  function obj(v) { return v && typeof v === "object" ? v : {}; }
  function assign(to, from) {
    for (var k in from) { if (has.call(from, k)) { to[k] = from[k]; } }
    return to;
  }

  // notify runs a partner callback; an exception in it is reported but
  // never breaks the modal.
  function notify(f, arg, none) {
    try { if (none) { f(); } else { f(arg); } } catch (e) { setTimeout(function () { throw e; }, 0); }
  }

  function element(tag, attrs) {
    var el = doc.createElement(tag);
    for (var k in attrs) { if (has.call(attrs, k)) { el.setAttribute(k, attrs[k]); } }
    return el;
  }

  // style sets inline styles through the CSSOM, which a page's
  // Content-Security-Policy allows even without 'unsafe-inline'.
  function style(el, props) { assign(el.style, props); }

  // The few words the modal itself shows, by Link language.
  var words = {
    EN: {leave: "Leave without connecting?", leaveBody: "Your progress is kept for a while if you come back.", stay: "Stay", exit: "Leave",
      failed: "This page could not be shown.", failedBody: "Please close this window and try again later.", close: "Close"},
    ES: {leave: "¿Salir sin conectar?", leaveBody: "Su progreso se conserva un tiempo si vuelve.", stay: "Quedarme", exit: "Salir",
      failed: "No se pudo mostrar esta página.", failedBody: "Cierre esta ventana e inténtelo de nuevo más tarde.", close: "Cerrar"},
    RU: {leave: "Выйти, не подключив счёт?", leaveBody: "Если вы вернётесь, ваш прогресс сохранится.", stay: "Остаться", exit: "Выйти",
      failed: "Не удалось показать страницу.", failedBody: "Закройте окно и попробуйте позже.", close: "Закрыть"},
    ZH: {leave: "不连接就离开？", leaveBody: "如果您返回，进度会保留一段时间。", stay: "留下", exit: "离开",
      failed: "无法显示此页面。", failedBody: "请关闭此窗口，稍后再试。", close: "关闭"}
  };

  // modal is what both globals share: the dialog with its frame, the focus
  // trap, Escape, the message protocol's checks, and the detection of a
  // frame that shows nothing. s holds the caller's hooks:
  //   src()            the frame's URL;    origin  the only origin messages are accepted from
  //   receive(type, payload)                a message of the protocol
  //   failed(code)     nothing answered: "frame_refused" (a page loaded and said nothing) or "load_timeout"
  //   closed(payload)  the modal closed (payload: the page's close message, or null)
  //   confirm()        whether closing now needs the borrower's confirmation
  //   hello            extra fields of the greeting
  function modal(s) {
    var ui = null;
    var w = words[s.language] || words.EN;

    function open() {
      if (ui) { return; }
      var u = {opener: doc.activeElement, heard: 0, loads: 0, failed: false, inert: [], listeners: []};
      ui = u;
      u.overlay = element("div", {"data-verigate": "overlay"});
      style(u.overlay, {position: "fixed", top: "0", right: "0", bottom: "0", left: "0", zIndex: "2147483647",
        display: "flex", alignItems: "center", justifyContent: "center", background: "rgba(16, 24, 40, 0.6)"});
      u.dialog = element("div", {role: "dialog", "aria-modal": "true", "aria-label": s.title, tabindex: "-1", "data-verigate": "dialog"});
      style(u.dialog, {position: "relative", display: "flex", flexDirection: "column", overflow: "hidden",
        background: "#fff", boxShadow: "0 12px 40px rgba(0, 0, 0, 0.3)", outline: "none"});
      var bar = element("div", {});
      style(bar, {flex: "none", display: "flex", justifyContent: "flex-end", borderBottom: "1px solid #e3e6ea"});
      u.closeButton = element("button", {type: "button", "aria-label": s.closeLabel, "data-verigate": "close"});
      u.closeButton.textContent = "\u00d7";
      style(u.closeButton, {width: "44px", height: "44px", border: "0", background: "transparent", color: "#374151",
        font: "28px/1 system-ui, sans-serif", cursor: "pointer"});
      // The page's origin goes to verigate (Referer), which then refuses to
      // open a session for a frame the browser will not show.
      u.frame = element("iframe", {title: s.title, referrerpolicy: "origin", "data-verigate": "frame"});
      style(u.frame, {flex: "1 1 auto", display: "block", width: "100%", minHeight: "0", border: "0"});
      u.panel = element("div", {"data-verigate": "panel", role: "alert"});
      style(u.panel, {flex: "1 1 auto", display: "none", flexDirection: "column", justifyContent: "center", padding: "24px",
        font: "16px/1.5 system-ui, sans-serif", color: "#1b1f24", textAlign: "center"});
      var start = sentinel(), end = sentinel();
      bar.appendChild(u.closeButton);
      u.dialog.appendChild(bar);
      u.dialog.appendChild(u.frame);
      u.dialog.appendChild(u.panel);
      u.overlay.appendChild(start);
      u.overlay.appendChild(u.dialog);
      u.overlay.appendChild(end);

      // Focus trap: a focusable sentinel on each side of the dialog sends
      // focus round to the other end.
      listen(start, "focus", function () {
        var b = u.panel.querySelectorAll("button");
        if (u.panel.style.display !== "none" && b.length) { b[b.length - 1].focus(); } else { u.frame.focus(); }
      });
      listen(end, "focus", function () { u.closeButton.focus(); });
      listen(u.closeButton, "click", function () { request(); });
      listen(doc, "keydown", function (e) {
        if (e.key === "Escape" || e.key === "Esc") {
          e.preventDefault();
          if (u.confirming) { stay(); } else { request(); }
        }
      }, true);
      listen(doc, "focusin", function (e) {
        if (ui === u && !u.overlay.contains(e.target)) { u.closeButton.focus(); }
      }, true);
      listen(global, "message", receive);
      // Each page the frame loads is greeted, so that it learns this
      // window's origin from the browser (event.origin), not from a URL. A
      // load that no message follows is a frame the browser refused (or
      // not a page of Link): reported at once, not after loadTimeout.
      listen(u.frame, "load", function () {
        var n = ++u.loads;
        if (u.frame.contentWindow) {
          u.frame.contentWindow.postMessage(assign({source: "verigate-sdk", version: PROTOCOL, type: "hello"}, s.hello || {}), s.origin);
        }
        setTimeout(function () { if (ui === u && u.heard < n && u.frame.getAttribute("src")) { fail(u, "frame_refused"); } }, SILENT);
      });

      var mq = global.matchMedia ? global.matchMedia(NARROW) : null;
      var layout = function () {
        if (mq && mq.matches) {
          style(u.dialog, {width: "100%", height: "100%", maxWidth: "none", maxHeight: "none", borderRadius: "0"});
        } else {
          style(u.dialog, {width: "480px", height: "760px", maxWidth: "calc(100vw - 32px)", maxHeight: "calc(100vh - 32px)", borderRadius: "12px"});
        }
      };
      layout();
      if (mq && mq.addEventListener) { listen(mq, "change", layout); } else if (mq && mq.addListener) {
        mq.addListener(layout);
        u.listeners.push(function () { mq.removeListener(layout); });
      }
      // Everything else on the page is inert while the dialog is open, and
      // the page does not scroll behind it.
      Array.prototype.forEach.call(doc.body.children, function (el) {
        if (!el.hasAttribute("inert")) { el.setAttribute("inert", ""); u.inert.push(el); }
      });
      u.scroll = {body: doc.body.style.overflow, html: doc.documentElement.style.overflow};
      doc.body.style.overflow = "hidden";
      doc.documentElement.style.overflow = "hidden";

      u.frame.setAttribute("src", s.src());
      doc.body.appendChild(u.overlay);
      // Focus goes to the dialog's first control, where Escape works even
      // while the frame shows no page of Link.
      u.closeButton.focus();
      u.timer = setTimeout(function () { if (ui === u && !u.heard) { fail(u, "load_timeout"); } }, s.loadTimeout);

      function sentinel() {
        var el = element("div", {tabindex: "0", "aria-hidden": "true", "data-verigate": "sentinel"});
        style(el, {position: "absolute", width: "1px", height: "1px", overflow: "hidden", opacity: "0"});
        return el;
      }
      function listen(el, type, fn, capture) {
        el.addEventListener(type, fn, !!capture);
        u.listeners.push(function () { el.removeEventListener(type, fn, !!capture); });
      }
    }

    // fail reports, once per opening, that no page of Link answered, and
    // says so in the dialog instead of leaving it blank.
    function fail(u, code) {
      if (u.failed || code === "load_timeout" && u.heard) { return; }
      u.failed = true;
      clearTimeout(u.timer);
      panel(u, w.failed, w.failedBody, [[w.close, function () { finish(null); }]]);
      s.failed(code);
    }

    // panel replaces the frame with a message and buttons (an empty list
    // of buttons puts the frame back).
    function panel(u, title, body, buttons) {
      u.panel.textContent = "";
      if (!buttons.length) {
        u.panel.style.display = "none";
        u.frame.style.display = "block";
        return;
      }
      var h = element("p", {});
      h.textContent = title;
      style(h, {fontWeight: "600", fontSize: "18px", margin: "0 0 8px"});
      var p = element("p", {});
      p.textContent = body;
      style(p, {margin: "0 0 16px", color: "#5b6470"});
      u.panel.appendChild(h);
      u.panel.appendChild(p);
      buttons.forEach(function (b, i) {
        var el = element("button", {type: "button", "data-verigate": "panel-" + i});
        el.textContent = b[0];
        style(el, {minHeight: "44px", margin: "4px 0", padding: "8px 16px", borderRadius: "8px", font: "inherit", cursor: "pointer",
          border: i ? "1px solid #d9dde3" : "0", background: i ? "#fff" : "#1f5eff", color: i ? "#1b1f24" : "#fff"});
        el.addEventListener("click", b[1]);
        u.panel.appendChild(el);
      });
      u.frame.style.display = "none";
      u.panel.style.display = "flex";
      u.panel.querySelector("button").focus();
    }

    // request is a close the borrower asks for (×, Escape): confirmed first
    // in the middle of a connection.
    function request() {
      var u = ui;
      if (!u) { return; }
      if (u.failed || !s.confirm()) { finish(null); return; }
      u.confirming = true;
      panel(u, w.leave, w.leaveBody, [[w.stay, stay], [w.exit, function () { finish(null); }]]);
    }
    function stay() {
      var u = ui;
      if (!u) { return; }
      u.confirming = false;
      panel(u, "", "", []);
      u.frame.focus();
    }

    // receive takes a message from Link's pages: only from verigate's
    // origin, only from this modal's frame, only in this protocol.
    function receive(e) {
      var u = ui;
      if (!u || e.origin !== s.origin || e.source !== u.frame.contentWindow) { return; }
      var m = e.data;
      if (!m || typeof m !== "object" || m.source !== "verigate" || m.version !== PROTOCOL || typeof m.type !== "string") { return; }
      u.heard = u.loads || 1;
      clearTimeout(u.timer);
      if (m.type === "escape") { if (!u.confirming) { request(); } return; }
      if (m.type === "close") { finish(obj(m.payload)); return; }
      s.receive(m.type, obj(m.payload));
    }

    // finish closes the modal and gives the focus back.
    function finish(p) {
      var u = ui;
      if (!u) { return; }
      ui = null;
      clearTimeout(u.timer);
      u.listeners.forEach(function (off) { off(); });
      if (u.overlay.parentNode) { u.overlay.parentNode.removeChild(u.overlay); }
      u.inert.forEach(function (el) { el.removeAttribute("inert"); });
      doc.body.style.overflow = u.scroll.body;
      doc.documentElement.style.overflow = u.scroll.html;
      if (u.opener && u.opener !== doc.body && typeof u.opener.focus === "function" && doc.contains(u.opener)) {
        u.opener.focus();
      }
      s.closed(p);
    }

    return {
      open: open,
      close: function () { finish(null); },
      // load shows another URL in the open modal's frame.
      load: function (url) {
        var u = ui;
        if (!u) { return; }
        u.heard = u.loads; // the pages so far did answer; the new one is checked on its load
        u.failed = false;
        panel(u, "", "", []);
        u.frame.setAttribute("src", url);
      },
      isOpen: function () { return !!ui; }
    };
  }

  function target(url, who) {
    var t;
    try { t = new URL(url, global.location.href); } catch (e) { throw new TypeError(who + ": connectUrl is not a URL"); }
    if (t.protocol !== "https:" && t.protocol !== "http:") { throw new TypeError(who + ": connectUrl must be an http(s) URL"); }
    t.hash = "";
    return t;
  }

  function timeout(options) {
    return typeof options.loadTimeout === "number" && options.loadTimeout > 0 ? options.loadTimeout : 15000;
  }

  // Verigate.create: the v1 interface (docs/sdk.md), unchanged.
  function createVerigate(options) {
    options = options || {};
    if (typeof options.connectUrl !== "string" || options.connectUrl === "") {
      throw new TypeError("Verigate.create: connectUrl is required");
    }
    var t = target(options.connectUrl, "Verigate.create");
    var on = {
      connected: callback(options.onAccountConnected), accountError: callback(options.onAccountError),
      close: callback(options.onClose), error: callback(options.onError), ui: callback(options.onUIEvent)
    };
    // What the pages last said about the outcome (the values a redirect
    // would carry), for a close the SDK makes itself.
    var outcome = {complete: false, attempted: false}, stage = "";
    var connected = {}; // account ids already reported
    var m = modal({
      src: function () { return t.href; }, origin: t.origin, loadTimeout: timeout(options),
      title: str(options.title) || "Connect your account", closeLabel: str(options.closeLabel) || "Close",
      confirm: function () { return stage === "signin" || stage === "mfa" || stage === "accounts"; },
      failed: function () { notify(on.error, {code: "load_timeout"}); },
      closed: function (p) {
        stage = "";
        p = p || {};
        notify(on.close, {
          user_submission_complete: typeof p.user_submission_complete === "boolean" ? p.user_submission_complete : outcome.complete,
          user_attempted_employer_selection: typeof p.user_attempted_employer_selection === "boolean" ? p.user_attempted_employer_selection : outcome.attempted
        });
      },
      receive: function (type, p) {
        switch (type) {
          case "ready":
            stage = str(p.stage);
            outcome.complete = p.user_submission_complete === true;
            outcome.attempted = p.user_attempted_employer_selection === true;
            break;
          case "ui_event":
            if (p.name === "item_selected" || p.name === "login_submitted") { outcome.attempted = true; }
            notify(on.ui, {name: str(p.name), properties: obj(p.properties)});
            break;
          case "account_connected":
            outcome.complete = true;
            if (str(p.accountId) && !connected[p.accountId]) {
              connected[p.accountId] = true;
              var a = {accountId: p.accountId, itemId: str(p.itemId)};
              if (str(p.userId)) { a.userId = p.userId; }
              notify(on.connected, a);
            }
            break;
          case "account_error":
            notify(on.accountError, {itemId: str(p.itemId), errorCode: str(p.errorCode)});
            break;
          case "error":
            var err = {code: str(p.code) || "unknown"};
            if (typeof p.status === "number") { err.status = p.status; }
            notify(on.error, err);
            break;
        }
      }
    });
    return {open: m.open, close: m.close};
  }

  // The options of the platform's Web SDK that Argyle.create understands;
  // any other option is accepted, ignored and named once on the console.
  var supported = ["userToken", "connectUrl", "sandbox", "flowId", "items", "language", "accountId", "customizationId",
    "onAccountCreated", "onAccountConnected", "onAccountUpdated", "onAccountRemoved", "onAccountError",
    "onCantFindItemClicked", "onClose", "onError", "onTokenExpired", "onUIEvent", "onDocumentsSubmitted", "onFormSubmitted",
    "loadTimeout", "title", "closeLabel"];
  var warned = {};

  // Error types of the platform's onError, from what a page of Link reports.
  var errorTypes = {
    expired_user_token: "expired_user_token", link_expired: "expired_user_token",
    invalid_user_token: "invalid_user_token", link_invalid: "invalid_user_token", environment_mismatch: "invalid_user_token",
    invalid_items: "invalid_items", invalid_account_id: "invalid_account_id"
  };
  var reasons = {
    expired_user_token: "expired userToken", link_expired: "expired session link (connectUrl)",
    invalid_user_token: "invalid userToken", link_invalid: "invalid session link (connectUrl)",
    invalid_items: "unknown items", invalid_account_id: "accountId is not an account of this user",
    link_used: "single-use link already used", verification_closed: "verification completed or cancelled",
    request_forbidden: "form could not be verified", server_error: "verigate server error",
    data_source_unavailable: "no connector serves this data source", load_timeout: "Link did not answer in time",
    frame_refused: "this page's origin may not embed Link: register it in the flow's frame_origins or in --frame-ancestors"
  };
  var userMessages = {
    invalid_items: "This page does not exist. Reach out to the company that sent you here for help.",
    invalid_account_id: "This page does not exist. Reach out to the company that sent you here for help."
  };

  // tokenUser reads the user id of a user token (a JWT) for error payloads.
  function tokenUser(tok) {
    try {
      var b = tok.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return str(JSON.parse(global.atob(b + "===".slice((b.length + 3) % 4))).user_id);
    } catch (e) { return ""; }
  }

  // Argyle.create: the platform's Web SDK interface (docs/sdk.md).
  function createArgyle(config) {
    config = config || {};
    var who = "Argyle.create";
    var token = str(config.userToken), connect = str(config.connectUrl);
    if (!token && !connect) { throw new TypeError(who + ": userToken or connectUrl is required"); }
    if (token && connect) { throw new TypeError(who + ": pass userToken or connectUrl, not both"); }
    var ignored = [];
    for (var k in config) {
      if (has.call(config, k) && supported.indexOf(k) < 0 && !warned[k]) { warned[k] = true; ignored.push(k); }
    }
    if (ignored.length && global.console) {
      global.console.warn("verigate: " + who + " ignores options verigate does not support: " + ignored.join(", ") + " (docs/sdk.md)");
    }
    var base;
    if (connect) {
      base = target(connect, who);
    } else {
      if (!own) { throw new TypeError(who + ": load the script with a <script src> from verigate to use userToken"); }
      base = new URL(own);
    }
    var on = {};
    ["onAccountCreated", "onAccountConnected", "onAccountUpdated", "onAccountRemoved", "onAccountError", "onCantFindItemClicked",
      "onClose", "onError", "onUIEvent", "onDocumentsSubmitted", "onFormSubmitted"].forEach(function (n) { on[n] = callback(config[n]); });
    var language = str(config.language).toUpperCase();

    // The state of one opening: the persistent properties of UI events,
    // the session to resume after a new token, the accounts reported.
    var st;
    function reset() {
      st = {props: {userId: token ? tokenUser(token) : "", deepLink: false}, stage: "", link: "", created: {}, connected: {}, errored: false, intro: false};
    }
    reset();

    function src(resume) {
      if (connect) { return base.href; }
      var q = new URLSearchParams();
      var items = Array.isArray(config.items) ? config.items : typeof config.items === "string" ? [config.items] : [];
      if (items.length) { q.set("items", items.join(",")); }
      if (str(config.flowId)) { q.set("flow_id", config.flowId); }
      if (str(config.customizationId)) { q.set("customization_id", config.customizationId); }
      if (language) { q.set("language", language); }
      if (str(config.accountId)) { q.set("account_id", config.accountId); }
      q.set("sandbox", config.sandbox === true ? "true" : "false");
      if (resume) { q.set("resume", resume); }
      return base.origin + "/link/" + encodeURIComponent(token) + "?" + q.toString();
    }

    function props(extra) {
      var p = {deepLink: st.props.deepLink, userId: st.props.userId};
      if (st.props.accountId) { p.accountId = st.props.accountId; }
      if (st.props.itemId) { p.itemId = st.props.itemId; p.linkItem = st.props.itemId; }
      return assign(p, extra || {});
    }
    function ui(name, extra) { notify(on.onUIEvent, {name: name, properties: props(extra)}); }
    function account(p) {
      return {accountId: str(p.accountId), userId: str(p.userId) || st.props.userId, itemId: str(p.itemId) || st.props.itemId || ""};
    }
    function created(p) {
      var a = account(p);
      if (!a.accountId || st.created[a.accountId]) { return; }
      st.created[a.accountId] = true;
      st.props.accountId = a.accountId;
      notify(p.reconnect === true ? on.onAccountUpdated : on.onAccountCreated, a);
    }

    function error(code) {
      if (st.errored) { return; }
      st.errored = true;
      var type = errorTypes[code] || "generic";
      var details = (st.props.userId ? "User ID: " + st.props.userId + ". " : "") + "Reason: " + (reasons[code] || code);
      if (code === "environment_mismatch") {
        details = (st.props.userId ? "User ID: " + st.props.userId + ". " : "") + "Reason: Link was initialized with sandbox: " +
          (config.sandbox === true) + ", which does not match the userToken's environment";
      }
      ui("error - opened", {errorType: type});
      notify(on.onError, {userId: st.props.userId, errorType: type,
        errorMessage: userMessages[type] || "The service is experiencing connection problems. Please try again later.", errorDetails: details});
    }

    // expired handles a session that ended with its user token while
    // Link was open: the partner gets a function to hand over a new token,
    // and Link continues the same session where the borrower was.
    function expired() {
      if (typeof config.onTokenExpired !== "function") { error("expired_user_token"); return; }
      var used = false, resume = st.link;
      notify(config.onTokenExpired, function updateToken(next) {
        if (used || typeof next !== "string" || !next || !m.isOpen()) { return; }
        used = true;
        token = next;
        st.errored = false;
        m.load(src(resume));
      });
    }

    var m = modal({
      src: function () { return src(""); }, origin: base.origin, loadTimeout: timeout(config), language: language,
      title: str(config.title) || "Connect your account", closeLabel: str(config.closeLabel) || (words[language] || words.EN).close,
      hello: {features: {cantFind: typeof config.onCantFindItemClicked === "function"}},
      confirm: function () { return st.stage === "signin" || st.stage === "mfa" || st.stage === "accounts"; },
      failed: function (code) { error(code); },
      closed: function () {
        ui("link closed");
        reset();
        notify(on.onClose, null, true);
      },
      receive: function (type, p) {
        switch (type) {
          case "ready":
            st.stage = str(p.stage);
            if (str(p.link)) { st.link = p.link; }
            if (str(p.userId)) { st.props.userId = p.userId; }
            st.props.deepLink = p.deepLink === true;
            st.props.itemId = str(p.itemId) || undefined;
            st.props.accountId = str(p.accountId) || undefined;
            if (!st.intro && st.stage === "search") { st.intro = true; ui("intro - opened"); }
            st.intro = true;
            break;
          case "link_event":
            // The connecting and done pages both show success: reported once per account.
            if (p.name === "success - opened") {
              if (st.success === st.props.accountId) { break; }
              st.success = st.props.accountId;
            }
            ui(str(p.name), obj(p.properties));
            break;
          case "account_created":
            created(p);
            break;
          case "account_connected":
            created(p);
            var a = account(p);
            if (a.accountId && !st.connected[a.accountId]) {
              st.connected[a.accountId] = true;
              notify(on.onAccountConnected, a);
            }
            break;
          case "account_error":
            notify(on.onAccountError, account(p));
            break;
          case "documents_submitted":
            notify(on.onDocumentsSubmitted, {userId: str(p.userId) || st.props.userId});
            break;
          case "cant_find":
            notify(on.onCantFindItemClicked, {term: str(p.term)});
            break;
          case "error":
            if (token && st.link && (p.code === "link_expired" || p.code === "expired_user_token")) { expired(); } else { error(str(p.code)); }
            break;
        }
      }
    });
    return {open: m.open, close: m.close};
  }

  global.Verigate = {create: createVerigate, version: "1.1.0", protocol: PROTOCOL};
  global.Argyle = {create: createArgyle, version: "5-verigate-1.1.0"};
})(window);
