// scm_plugin — small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Confirm destructive buttons: <button data-confirm="...">.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-confirm]") : null;
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
  });
  // Double-submit guard: a form is sent once; the server is idempotent anyway.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (form.dataset.submitted === "1") { ev.preventDefault(); return; }
    form.dataset.submitted = "1";
    setTimeout(function () { form.dataset.submitted = ""; }, 8000);
  }, true);
  // Mobile menu: the toggle sits in the header, the nav in the body.
  var toggle = document.getElementById("scm-nav-toggle");
  if (toggle) {
    toggle.addEventListener("change", function () {
      var nav = document.querySelector(".scm-nav");
      if (nav) { nav.style.display = toggle.checked ? "block" : ""; }
    });
  }
  // Order lines: "add a line" copies the last row with the next index.
  var add = document.getElementById("add-line");
  var body = document.querySelector("#lines tbody");
  if (add && body) {
    add.addEventListener("click", function () {
      var rows = body.querySelectorAll("tr.scm-line");
      var last = rows[rows.length - 1];
      var next = rows.length;
      var clone = last.cloneNode(true);
      clone.querySelectorAll(".scm-field-error").forEach(function (e) { e.remove(); });
      clone.querySelectorAll(".scm-has-error").forEach(function (e) { e.classList.remove("scm-has-error"); });
      clone.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/^lines-\d+-/, "lines-" + next + "-");
        input.value = "";
      });
      var no = clone.querySelector(".scm-line-no");
      if (no) { no.textContent = String(next + 1); }
      body.appendChild(clone);
      var first = clone.querySelector("input");
      if (first) { first.focus(); }
    });
  }
  // Review lists refresh themselves without losing filters or the scroll position:
  // only the rows are fetched again (the same URL with partial=1 and the first view's
  // "since", so the "new" marks stay).
  var note = document.getElementById("refresh-note");
  var rowsBody = document.getElementById("queue-rows");
  if (note && rowsBody) {
    var seconds = parseInt(note.getAttribute("data-refresh-seconds"), 10) || 300;
    var url = note.getAttribute("data-refresh-url");
    var stamp = document.getElementById("refreshed-at");
    setInterval(function () {
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (resp) { if (!resp.ok) { throw new Error(resp.status); } return resp.text(); })
        .then(function (html) {
          var y = window.scrollY;
          rowsBody.innerHTML = html;
          window.scrollTo(0, y);
          if (stamp) { stamp.textContent = "✓ " + new Date().toLocaleTimeString(); }
        })
        .catch(function () { if (stamp) { stamp.textContent = "⚠"; } });
    }, seconds * 1000);
  }
})();
