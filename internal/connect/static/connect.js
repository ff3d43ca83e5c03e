// verigate connection pages: optional enhancements; every page works without them.
(function () {
  "use strict";

  // Live search: refresh the item list as the user types.
  var input = document.querySelector("[data-search]");
  var list = document.querySelector("[data-items]");
  var count = document.querySelector("[data-count]");
  if (input && list) {
    var timer = null, seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(input.getAttribute("data-search") + "?q=" + encodeURIComponent(input.value), {credentials: "same-origin"})
          .then(function (r) { return r.json(); })
          .then(function (body) { if (mine === seq) { render(body.results || []); } })
          .catch(function () {});
      }, 150);
    });
    function render(items) {
      var template = list.querySelector("li");
      var label = template ? template.querySelector("button").getAttribute("aria-label") : "";
      var name0 = template ? template.querySelector(".name").textContent : "";
      list.textContent = "";
      items.forEach(function (it) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "submit"; b.name = "item"; b.value = it.id; b.className = "item";
        b.setAttribute("aria-label", label && name0 ? label.replace(name0, it.name) : it.name);
        var logo = document.createElement("span");
        logo.className = "logo c" + hue(it.name); logo.setAttribute("aria-hidden", "true"); logo.textContent = initials(it.name);
        var n = document.createElement("span"); n.className = "name"; n.textContent = it.name;
        var k = document.createElement("span"); k.className = "kind"; k.textContent = it.kind;
        b.appendChild(logo); b.appendChild(n); b.appendChild(k); li.appendChild(b); list.appendChild(li);
      });
      if (count) {
        count.textContent = items.length
          ? count.getAttribute("data-template").replace("0", String(items.length))
          : count.getAttribute("data-none").replace("%s", input.value);
      }
    }
    function initials(name) {
      var out = "";
      name.split(/\s+/).forEach(function (w) {
        var c = w.charAt(0);
        if (out.length < 2 && c && /[A-Za-z\u0080-\uffff]/.test(c)) { out += c.toUpperCase(); }
      });
      return out;
    }
    function hue(name) {
      var n = 0;
      for (var i = 0; i < name.length; i++) { n = (n * 31 + name.charCodeAt(i)) % 8; }
      return n;
    }
  }

  // Connecting: follow aggregation and reload when the stage changes.
  var poll = document.querySelector("[data-poll]");
  if (poll) {
    var check = function () {
      fetch(poll.getAttribute("data-poll"), {credentials: "same-origin"})
        .then(function (r) { return r.json(); })
        .then(function (body) {
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
