/* parallax story page: counterparts on click, outlet toggles, conflict navigation.
   All data comes from data-* attributes rendered (escaped) by the server; nothing is evaluated. */
(function () {
  "use strict";

  function byKey(key) { return document.getElementById("s-" + key); }
  function words(value) { return (value || "").split(/\s+/).filter(Boolean); }
  function clearMarks() {
    document.querySelectorAll(".sent.is-active, .sent.is-counterpart, .sent.is-conflict-side").forEach(function (el) {
      el.classList.remove("is-active", "is-counterpart", "is-conflict-side");
    });
    document.querySelectorAll(".conflict-item.is-current").forEach(function (el) { el.classList.remove("is-current"); });
  }
  function setStatus(id, text) { var el = document.getElementById(id); if (el) { el.textContent = text; } }

  function showCounterparts(sent) {
    clearMarks();
    sent.classList.add("is-active");
    var found = [];
    var elsewhere = 0;  // counterparts in articles shown on another page of columns
    words(sent.dataset.matches).forEach(function (key) {
      var other = byKey(key);
      if (!other) { elsewhere += 1; }
      if (other) {
        other.classList.add("is-counterpart");
        found.push(other.dataset.outlet);
        var col = other.closest(".col-text");
        if (col && col !== sent.closest(".col-text")) {
          col.scrollTop = other.offsetTop - col.offsetTop - col.clientHeight / 3;
        }
      }
    });
    var more = elsewhere ? elsewhere + " counterpart" + (elsewhere > 1 ? "s" : "") +
                           " in articles on other pages of this story" : "";
    if (found.length) {
      setStatus("match-status", "Counterparts in: " + Array.from(new Set(found)).join(", ") + (more ? "; " + more : ""));
    } else {
      setStatus("match-status", more ? "No counterpart among these columns; " + more + "."
                                     : "Only " + sent.dataset.outlet + " reports this.");
    }
  }

  function setupSentences(root) {
    root.addEventListener("click", function (ev) {
      var sent = ev.target.closest(".sent[data-key]");
      if (sent) { showCounterparts(sent); }
    });
    root.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" && ev.key !== " ") { return; }
      var sent = ev.target.closest(".sent[data-key]");
      if (sent) { ev.preventDefault(); showCounterparts(sent); }
    });
  }

  function setupToggles() {
    document.querySelectorAll("input[data-toggle-outlet]").forEach(function (box) {
      box.addEventListener("change", function () {
        var outlet = box.dataset.toggleOutlet;
        document.querySelectorAll("[data-outlet]").forEach(function (el) {
          if (el.dataset.outlet === outlet && !el.classList.contains("sent")) {
            el.classList.toggle("is-hidden", !box.checked);
          }
        });
      });
    });
  }

  function setupConflicts() {
    var items = Array.prototype.slice.call(document.querySelectorAll(".conflict-item"));
    var current = -1;
    function go(step) {
      if (!items.length) { return; }
      current = (current + step + items.length) % items.length;
      var item = items[current];
      var here = document.getElementById("columns");
      if (!byKey(item.dataset.a) && !byKey(item.dataset.b) && here && item.dataset.page &&
          item.dataset.page !== here.dataset.page) {
        // Both sides sit in columns of another page of this story: open that page at this conflict.
        location.href = "?page=" + encodeURIComponent(item.dataset.page) + "#" + item.id;
        return;
      }
      clearMarks();
      item.classList.add("is-current");
      var first = null;
      [item.dataset.a, item.dataset.b].forEach(function (key) {
        var el = byKey(key);
        if (el) {
          el.classList.add("is-conflict-side");
          var col = el.closest(".col");
          if (col) { col.classList.remove("is-hidden"); }
          var pane = el.closest(".col-text");
          if (pane) { pane.scrollTop = el.offsetTop - pane.offsetTop - pane.clientHeight / 3; }
          first = first || el;
        }
      });
      (first || item).scrollIntoView({ block: "center" });
      setStatus("conflict-status", "Conflict " + (current + 1) + " of " + items.length + ": " +
                (item.querySelector(".conflict-head") || item).textContent.trim());
      if (history.replaceState) { history.replaceState(null, "", "#" + item.id); }
    }
    var next = document.getElementById("next-conflict");
    var prev = document.getElementById("prev-conflict");
    if (next) { next.addEventListener("click", function () { go(1); }); }
    if (prev) { prev.addEventListener("click", function () { go(-1); }); }
    items.forEach(function (item, i) {
      item.addEventListener("click", function (ev) {
        var link = ev.target.closest("a");
        if (link && (link.getAttribute("href") || "").charAt(0) === "?") { return; }  // opens another page
        if (link) { ev.preventDefault(); }
        current = i - 1; go(1);
      });
    });
    var opened = location.hash ? items.findIndex(function (item) { return "#" + item.id === location.hash; }) : -1;
    if (opened >= 0) { current = opened - 1; go(1); }
  }

  function openLinkedSentence() {
    // A link from another page of columns ("?page=3#s-a1:4") lands on its sentence: show its counterparts.
    if (location.hash.indexOf("#s-") !== 0) { return; }
    var sent = byKey(decodeURIComponent(location.hash.slice(3)));
    if (sent) { showCounterparts(sent); sent.scrollIntoView({ block: "center" }); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    var cols = document.getElementById("columns");
    if (cols) { setupSentences(cols); openLinkedSentence(); }
    setupToggles();
    setupConflicts();
  });
})();
