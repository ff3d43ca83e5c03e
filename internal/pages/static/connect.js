// verigate connection pages: optional enhancements; every page works without them.
(function () {
  "use strict";

  // fill replaces a message's fmt verb (%s or %d) with a value.
  function fill(message, value) {
    return message.replace(/%[sd]/, String(value));
  }

  // Live search: refresh the item list as the user types.
  var input = document.querySelector("[data-search]");
  var list = document.querySelector("[data-items]");
  var count = document.querySelector("[data-count]");
  if (input && list) {
    var timer = null, seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq, q = input.value;
        fetch(input.getAttribute("data-search") + "?q=" + encodeURIComponent(q), {credentials: "same-origin"})
          .then(function (r) {
            if (!r.ok) { window.location.reload(); throw new Error("status " + r.status); }
            return r.json();
          })
          .then(function (body) {
            if (mine !== seq) { return; }
            render(body.results || [], q.trim());
            if (window.history && history.replaceState && input.form) {
              var url = input.form.getAttribute("action") + (q.trim() ? "?q=" + encodeURIComponent(q.trim()) : "");
              history.replaceState(null, "", url);
            }
          })
          .catch(function () {});
      }, 150);
    });
    var render = function (items, q) {
      var label = list.getAttribute("data-label") || "%s";
      list.textContent = "";
      items.forEach(function (it) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "submit"; b.name = "item"; b.value = it.id; b.className = "item";
        b.setAttribute("aria-label", fill(label, it.name));
        var logo = document.createElement("span");
        logo.className = "logo c" + hue(it.name); logo.setAttribute("aria-hidden", "true"); logo.textContent = initials(it.name);
        var n = document.createElement("span"); n.className = "name"; n.textContent = it.name;
        var k = document.createElement("span"); k.className = "kind";
        k.textContent = list.getAttribute("data-kind-" + it.kind) || it.kind;
        if (it.status === "unavailable") { // shown, but not accepting connections
          b.disabled = true;
          b.setAttribute("aria-label", fill(list.getAttribute("data-unavailable-label") || "%s", it.name));
          k.textContent = list.getAttribute("data-unavailable") || "";
        }
        b.appendChild(logo); b.appendChild(n); b.appendChild(k); li.appendChild(b); list.appendChild(li);
      });
      if (count) {
        count.textContent = !q ? count.getAttribute("data-popular")
          : items.length ? fill(count.getAttribute("data-template"), items.length)
          : fill(count.getAttribute("data-none"), q);
      }
    };
    // initials and hue match the server's, so a logo looks the same either way.
    var initials = function (name) {
      var out = [];
      name.split(/\s+/).forEach(function (w) {
        var c = w ? String.fromCodePoint(w.codePointAt(0)) : "";
        if (out.length < 2 && /^\p{L}$/u.test(c)) { out.push(c.toUpperCase()); }
      });
      return out.join("");
    };
    var hue = function (name) {
      var n = 0;
      for (var i = 0; i < name.length; i++) { n = (n * 31 + name.charCodeAt(i)) % 8; }
      return n;
    };
  }

  // Forms with a main button: show that the step is under way and keep a
  // second click from posting it twice.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-single]"), function (form) {
    form.addEventListener("submit", function () {
      var b = form.querySelector("button.primary");
      if (b) {
        setTimeout(function () { b.disabled = true; b.setAttribute("aria-busy", "true"); }, 0);
      }
    });
  });

  // Connecting: follow aggregation and reload when the stage changes. Just
  // after the connecting step the page stays up for data-hold milliseconds
  // (the server's ConnectingMinimum) even if the data came sooner, then goes
  // on to data-next.
  var poll = document.querySelector("[data-poll]");
  if (poll) {
    var shown = Date.now(), hold = Number(poll.getAttribute("data-hold") || 0), next = poll.getAttribute("data-next");
    var onward = function () {
      setTimeout(function () {
        if (next) { window.location.replace(next); } else { window.location.reload(); }
      }, Math.max(0, hold - (Date.now() - shown)));
    };
    var check = function () {
      fetch(poll.getAttribute("data-poll"), {credentials: "same-origin"})
        .then(function (r) {
          if (!r.ok) { window.location.reload(); return null; }
          return r.json();
        })
        .then(function (body) {
          if (!body) { return; }
          if (body.stage && body.stage !== "connecting") { onward(); return; }
          setTimeout(check, 1000);
        })
        .catch(function () { setTimeout(check, 3000); });
    };
    setTimeout(check, 1000);
  }

  // Exit page: offer to close a window that a script opened.
  var close = document.querySelector("[data-close]");
  if (close && window.opener) {
    close.hidden = false;
    close.addEventListener("click", function () { window.close(); });
  }

  // Embedded by the Web SDK (docs/sdk.md). The SDK greets every page it
  // frames with a "hello" message; if the greeting comes from the parent
  // window, from an origin this answer's frame-ancestors allows (rendered in
  // data-frame-ancestors), the page reports to that origin, and to no other:
  // what it shows, connected accounts, errors, and the outcome on leaving,
  // which then closes the modal instead of going to redirect_url.
  var data = document.body.dataset, parentOrigin = null, leaving = false;
  var ancestors = (data.frameAncestors || "").split(/\s+/).filter(Boolean);
  var allowed = function (origin) {
    return ancestors.some(function (a) {
      if (a === "'self'") { return origin === window.location.origin; }
      try { return new URL(a).origin === origin; } catch (e) { return false; }
    });
  };
  var post = function (type, payload) {
    window.parent.postMessage({source: "verigate", version: 1, type: type, payload: payload}, parentOrigin);
  };
  var props = function (extra) {
    var p = {};
    if (data.item) { p.itemId = data.item; }
    if (data.errorCode) { p.errorCode = data.errorCode; }
    for (var k in extra) { p[k] = extra[k]; }
    return p;
  };
  var views = {search: "search_opened", signin: "signin_shown", mfa: "mfa_shown", accounts: "accounts_shown",
    connecting: "connecting_shown", done: "success", failed: "failed_shown", locked: "locked_shown"};
  // The platform's names for the same moments (Argyle.create's onUIEvent),
  // with their event-specific properties.
  var screens = {search: "search - opened", signin: "login - opened", mfa: "mfa - opened", connecting: "success - opened",
    done: "success - opened", failed: "error - opened", locked: "error - opened"};
  var mfaTypes = {sms: "sms_code", email: "email_code", authenticator: "otp_code"};
  var linkEvent = function (name, properties) { post("link_event", {name: name, properties: properties || {}}); };
  var term = function () { var q = document.getElementById("q"); return q ? q.value.trim() : ""; };
  var announce = function () {
    if (data.embedError) { post("error", {code: data.embedError, status: Number(data.status)}); return; }
    var account = data.account || data.pendingAccount || data.reconnect || "";
    post("ready", {stage: data.stage, user_submission_complete: data.complete === "true",
      user_attempted_employer_selection: data.attempted === "true", userId: data.user || "", itemId: data.item || "",
      accountId: account, deepLink: data.deepLink === "true", link: data.link || "", environment: data.environment || ""});
    var reconnect = !!data.reconnect;
    if (data.pendingAccount) {
      post("account_created", {accountId: data.pendingAccount, itemId: data.item, userId: data.user, reconnect: reconnect});
    }
    if (data.account) { post("account_connected", {accountId: data.account, itemId: data.item, userId: data.user, reconnect: reconnect}); }
    if (data.stage === "failed") { post("account_error", {accountId: account, itemId: data.item, userId: data.user, errorCode: data.errorCode || "unknown"}); }
    if (data.stage === "locked") { post("account_error", {accountId: account, itemId: data.item, userId: data.user, errorCode: "too_many_attempts"}); }
    if (views[data.stage]) { post("ui_event", {name: views[data.stage], properties: props({})}); }
    if (data.uploaded) { post("documents_submitted", {userId: data.user || "", documentId: data.uploaded}); }
    if (screens[data.stage]) {
      var extra = {};
      if (data.stage === "signin" && data.errorCode) {
        extra.errorCode = data.errorCode;
        var shown = document.getElementById("form-error");
        if (shown) { extra.errorMessage = shown.textContent.trim(); }
      }
      if (data.stage === "mfa") { extra.type = "Login"; extra.mfaType = mfaTypes[data.mfaType] || data.mfaType || ""; }
      if (data.stage === "failed") { extra.errorType = data.errorCode || "generic"; }
      if (data.stage === "locked") { extra.errorType = "too_many_attempts"; }
      linkEvent(screens[data.stage], extra);
    }
    var note = document.querySelector("[data-redirecting]");
    if (note) { note.hidden = true; } // the modal closes by Continue instead
    // The modal has one close control, the SDK's: the page's own Exit goes.
    Array.prototype.forEach.call(document.querySelectorAll("a[data-exit]"), function (a) { a.hidden = true; });
  };
  // leave reports the outcome from the exit URL (what a redirect would
  // carry), or, if that fails, as this page knows it; pages without an exit
  // (an expired link...) leave the values to the SDK.
  var leave = function () {
    if (leaving) { return; }
    leaving = true;
    if (!data.exitUrl) { post("close", {}); return; }
    var known = {user_submission_complete: data.complete === "true", user_attempted_employer_selection: data.attempted === "true"};
    fetch(data.exitUrl, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("status " + r.status); } return r.json(); })
      .then(function (b) {
        post("close", {user_submission_complete: b.user_submission_complete === true,
          user_attempted_employer_selection: b.user_attempted_employer_selection === true});
      })
      .catch(function () { post("close", known); });
  };
  if (window.parent !== window && ancestors.length) {
    window.addEventListener("message", function (e) {
      var m = e.data;
      if (parentOrigin || e.source !== window.parent || !m || m.source !== "verigate-sdk" || m.version !== 1 ||
          m.type !== "hello" || !allowed(e.origin)) { return; }
      parentOrigin = e.origin;
      // "Can't find your employer?" is offered when the embedding page handles it.
      var row = document.querySelector("[data-cant-find-row]");
      if (row && m.features && m.features.cantFind === true) { row.hidden = false; }
      announce();
    });
    document.addEventListener("click", function (e) {
      if (!parentOrigin || !e.target.closest) { return; }
      if (e.target.closest("[data-cant-find]")) { post("cant_find", {term: term()}); return; }
      var a = e.target.closest("a[data-exit], a#continue");
      if (a) { e.preventDefault(); leave(); }
    });
    document.addEventListener("keydown", function (e) {
      // Escape is the SDK's to handle: it may ask before closing.
      if (parentOrigin && (e.key === "Escape" || e.key === "Esc")) { e.preventDefault(); post("escape", {}); }
    });
    var typed = null, lastTerm = "";
    // termUpdated reports the search term once typing pauses (or an item is
    // picked first); an empty term is not reported, nor the same term twice.
    var termUpdated = function () {
      clearTimeout(typed);
      var t = term();
      if (t && t !== lastTerm) { lastTerm = t; linkEvent("search - term updated", {term: t, tab: "All"}); }
    };
    document.addEventListener("input", function (e) {
      if (!parentOrigin || e.target.id !== "q") { return; }
      clearTimeout(typed);
      typed = setTimeout(termUpdated, 300);
    });
    var actions = {select: "item_selected", signin: "login_submitted", mfa: "mfa_submitted", accounts: "accounts_submitted", back: "choose_another"};
    document.addEventListener("submit", function (e) {
      var step = (e.target.getAttribute("action") || "").split("/").pop();
      if (!parentOrigin || !actions[step]) { return; }
      var extra = {};
      if (step === "select" && e.submitter && e.submitter.value) { extra.itemId = e.submitter.value; }
      if (step === "accounts") { extra.accounts = e.target.querySelectorAll("input[name=account]:checked").length; }
      var p = props(extra);
      delete p.errorCode;
      post("ui_event", {name: actions[step], properties: p});
      if (step === "select") { termUpdated(); linkEvent("search - link item selected", {term: term(), tab: "All", itemId: extra.itemId || ""}); }
      if (step === "signin") { linkEvent("login - form submitted", {}); }
    });
  }

  // Done with a redirect_url: leave after two seconds (without JavaScript a
  // meta refresh does it), unless the SDK embeds the page.
  if (document.querySelector("[data-redirecting]") && data.exitUrl) {
    setTimeout(function () {
      if (!parentOrigin && !leaving) { window.location.assign(data.exitUrl); }
    }, 2000);
  }
})();
