// Alert policies: "add a checkpoint" copies the last editor row with the next index.
// The editor works without it (it always offers one empty row).
(function () {
  "use strict";
  var add = document.getElementById("add-checkpoint");
  var body = document.querySelector("#checkpoint-rows tbody, #template-rows tbody");
  if (!add || !body) { return; }
  add.addEventListener("click", function () {
    var rows = body.querySelectorAll("tr.scm-cp-row");
    var last = rows[rows.length - 1];
    var next = rows.length;
    var clone = last.cloneNode(true);
    clone.querySelectorAll(".scm-field-error").forEach(function (e) { e.remove(); });
    clone.querySelectorAll(".scm-has-error").forEach(function (e) { e.classList.remove("scm-has-error"); });
    clone.querySelectorAll("input, select").forEach(function (input) {
      input.name = input.name.replace(/^(cp|t)-\d+-/, "$1-" + next + "-");
      input.value = "";
    });
    var no = clone.querySelector(".scm-line-no");
    if (no) { no.textContent = String(next + 1); }
    body.appendChild(clone);
    var first = clone.querySelector("input, select");
    if (first) { first.focus(); }
  });
})();
