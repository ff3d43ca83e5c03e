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
      var out = "";
      name.split(/\s+/).forEach(function (w) {
        var c = w.charAt(0);
        if (out.length < 2 && c && /[A-Za-z\u0080-\uffff]/.test(c)) { out += c.toUpperCase(); }
      });
      return out;
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

  // Connecting: follow aggregation and reload when the stage changes.
  var poll = document.querySelector("[data-poll]");
  if (poll) {
    var check = function () {
      fetch(poll.getAttribute("data-poll"), {credentials: "same-origin"})
        .then(function (r) {
          if (!r.ok) { window.location.reload(); return null; }
          return r.json();
        })
        .then(function (body) {
          if (!body) { return; }
          if (body.stage && body.stage !== "connecting") { window.location.reload(); return; }
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
})();
