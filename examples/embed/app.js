// The partner page's script: asks its own server for a session link, opens it
// with the verigate Web SDK, and lists the callbacks as they fire (also in
// window.__events, which the tests read).
(function () {
  "use strict";
  var list = document.getElementById("events");
  window.__events = [];
  function record(name, payload) {
    window.__events.push({callback: name, payload: payload});
    var li = document.createElement("li");
    li.textContent = name + " " + JSON.stringify(payload);
    list.appendChild(li);
  }
  // ?load_timeout=<ms> shortens the SDK's wait for the link's first page (tests).
  var timeout = Number(new URLSearchParams(window.location.search).get("load_timeout"));

  function connect(kind) {
    if (typeof window.Verigate === "undefined") {
      record("page", "the SDK did not load (is verigate running? does the integrity hash match?)");
      return;
    }
    // The session is created server-side, with the partner's API key.
    fetch("/session?kind=" + encodeURIComponent(kind), {method: "POST"})
      .then(function (r) { return r.json(); })
      .then(function (s) {
        if (!s.connect_url) { throw new Error(s.error || "no link"); }
        var options = {
          connectUrl: s.connect_url,
          onAccountConnected: function (p) { record("onAccountConnected", p); },
          onAccountError: function (p) { record("onAccountError", p); },
          onClose: function (p) { record("onClose", p); },
          onError: function (p) { record("onError", p); },
          onUIEvent: function (p) { record("onUIEvent", p); }
        };
        if (timeout > 0) { options.loadTimeout = timeout; }
        window.Verigate.create(options).open();
      })
      .catch(function (e) { record("page", "could not create a session: " + e.message); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("button[data-kind]"), function (b) {
    b.addEventListener("click", function () { connect(b.getAttribute("data-kind")); });
  });
})();
