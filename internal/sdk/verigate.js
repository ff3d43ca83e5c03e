/*! verigate Web SDK v1: opens a session link in a modal on your page. No dependencies. Docs: docs/sdk.md */
(function (global) {
  "use strict";

  var PROTOCOL = 1; // the version field of every message, both ways
  var NARROW = "(max-width: 600px)"; // full screen below this width
  var doc = global.document;

  function noop() {}
  function callback(f) { return typeof f === "function" ? f : noop; }

  // notify runs a partner callback; an exception in it is reported but
  // never breaks the modal.
  function notify(f, arg) {
    try { f(arg); } catch (e) { setTimeout(function () { throw e; }, 0); }
  }

  function element(tag, attrs) {
    var el = doc.createElement(tag);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) { el.setAttribute(k, attrs[k]); }
    }
    return el;
  }

  // style sets inline styles through the CSSOM, which a page's
  // Content-Security-Policy allows even without 'unsafe-inline'.
  function style(el, props) {
    for (var k in props) {
      if (Object.prototype.hasOwnProperty.call(props, k)) { el.style[k] = props[k]; }
    }
  }

  function str(v) { return typeof v === "string" ? v : ""; }

  function create(options) {
    options = options || {};
    if (typeof options.connectUrl !== "string" || options.connectUrl === "") {
      throw new TypeError("Verigate.create: connectUrl is required");
    }
    var target;
    try {
      target = new URL(options.connectUrl, global.location.href);
    } catch (e) {
      throw new TypeError("Verigate.create: connectUrl is not a URL");
    }
    if (target.protocol !== "https:" && target.protocol !== "http:") {
      throw new TypeError("Verigate.create: connectUrl must be an http(s) URL");
    }
    target.hash = "";
    var origin = target.origin; // the only origin messages are accepted from and sent to
    var on = {
      connected: callback(options.onAccountConnected),
      accountError: callback(options.onAccountError),
      close: callback(options.onClose),
      error: callback(options.onError),
      ui: callback(options.onUIEvent)
    };
    var loadTimeout = typeof options.loadTimeout === "number" && options.loadTimeout > 0 ? options.loadTimeout : 15000;
    var title = str(options.title) || "Connect your account";
    var closeLabel = str(options.closeLabel) || "Close";

    // What the link's pages last said about the outcome (the values a
    // redirect would carry), for a close the SDK starts itself.
    var outcome = {complete: false, attempted: false};
    var connected = {}; // account ids already reported
    var ui = null; // the open modal

    function open() {
      if (ui) { return; }
      var u = {opener: doc.activeElement, heard: false, inert: [], listeners: []};
      ui = u;

      u.overlay = element("div", {"data-verigate": "overlay"});
      style(u.overlay, {position: "fixed", top: "0", right: "0", bottom: "0", left: "0", zIndex: "2147483647",
        display: "flex", alignItems: "center", justifyContent: "center", background: "rgba(16, 24, 40, 0.6)"});
      u.dialog = element("div", {role: "dialog", "aria-modal": "true", "aria-label": title, tabindex: "-1", "data-verigate": "dialog"});
      style(u.dialog, {position: "relative", display: "flex", flexDirection: "column", overflow: "hidden",
        background: "#fff", boxShadow: "0 12px 40px rgba(0, 0, 0, 0.3)", outline: "none"});
      var bar = element("div", {});
      style(bar, {flex: "none", display: "flex", justifyContent: "flex-end", borderBottom: "1px solid #e3e6ea"});
      u.closeButton = element("button", {type: "button", "aria-label": closeLabel, "data-verigate": "close"});
      u.closeButton.textContent = "\u00d7";
      style(u.closeButton, {width: "44px", height: "44px", border: "0", background: "transparent", color: "#374151",
        font: "28px/1 system-ui, sans-serif", cursor: "pointer"});
      u.frame = element("iframe", {title: title, referrerpolicy: "no-referrer", "data-verigate": "frame"});
      style(u.frame, {flex: "1 1 auto", display: "block", width: "100%", minHeight: "0", border: "0"});
      // Focus trap: a focusable sentinel on each side of the dialog sends
      // focus round to the other end.
      var start = sentinel(), end = sentinel();
      bar.appendChild(u.closeButton);
      u.dialog.appendChild(bar);
      u.dialog.appendChild(u.frame);
      u.overlay.appendChild(start);
      u.overlay.appendChild(u.dialog);
      u.overlay.appendChild(end);

      listen(start, "focus", function () { u.frame.focus(); });
      listen(end, "focus", function () { u.closeButton.focus(); });
      listen(u.closeButton, "click", function () { finish(null); });
      listen(doc, "keydown", function (e) {
        if (e.key === "Escape" || e.key === "Esc") { e.preventDefault(); finish(null); }
      }, true);
      listen(doc, "focusin", function (e) {
        if (ui === u && !u.overlay.contains(e.target)) { u.closeButton.focus(); }
      }, true);
      listen(global, "message", receive);
      // Each page the frame loads is greeted, so that it learns this
      // window's origin from the browser (event.origin), not from a URL.
      listen(u.frame, "load", function () {
        if (u.frame.contentWindow) {
          u.frame.contentWindow.postMessage({source: "verigate-sdk", version: PROTOCOL, type: "hello"}, origin);
        }
      });

      // Full screen on small screens, a centred card otherwise.
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

      u.frame.setAttribute("src", target.href);
      doc.body.appendChild(u.overlay);
      // Focus goes to the dialog's first control, where Escape works even
      // while the frame shows no page of the link.
      u.closeButton.focus();
      u.timer = setTimeout(function () {
        if (ui === u && !u.heard) { notify(on.error, {code: "load_timeout"}); }
      }, loadTimeout);

      function sentinel() {
        var s = element("div", {tabindex: "0", "aria-hidden": "true", "data-verigate": "sentinel"});
        style(s, {position: "absolute", width: "1px", height: "1px", overflow: "hidden", opacity: "0"});
        return s;
      }
      function listen(el, type, fn, capture) {
        el.addEventListener(type, fn, !!capture);
        u.listeners.push(function () { el.removeEventListener(type, fn, !!capture); });
      }
    }

    // receive takes a message from the link's pages: only from the link's
    // origin, only from this modal's frame, only in this protocol.
    function receive(e) {
      var u = ui;
      if (!u || e.origin !== origin || e.source !== u.frame.contentWindow) { return; }
      var m = e.data;
      if (!m || typeof m !== "object" || m.source !== "verigate" || m.version !== PROTOCOL || typeof m.type !== "string") { return; }
      var p = m.payload && typeof m.payload === "object" ? m.payload : {};
      if (!u.heard) { u.heard = true; clearTimeout(u.timer); }
      switch (m.type) {
        case "ready":
          outcome.complete = p.user_submission_complete === true;
          outcome.attempted = p.user_attempted_employer_selection === true;
          break;
        case "ui_event":
          if (p.name === "item_selected" || p.name === "login_submitted") { outcome.attempted = true; }
          notify(on.ui, {name: str(p.name), properties: p.properties && typeof p.properties === "object" ? p.properties : {}});
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
        case "close":
          finish(p);
          break;
      }
    }

    // finish closes the modal and reports the outcome: the page's values
    // when it sent them, else what the pages last said.
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
      p = p || {};
      notify(on.close, {
        user_submission_complete: typeof p.user_submission_complete === "boolean" ? p.user_submission_complete : outcome.complete,
        user_attempted_employer_selection: typeof p.user_attempted_employer_selection === "boolean" ? p.user_attempted_employer_selection : outcome.attempted
      });
    }

    return {
      open: open,
      close: function () { finish(null); }
    };
  }

  global.Verigate = {create: create, version: "1.0.0", protocol: PROTOCOL};
})(window);
