// Function 9: the live character counter, "select all of a customer", contact search,
// the number preview and the batch page that updates itself. The pages work without it.
(function () {
  "use strict";
  var form = document.getElementById("sms-form");
  if (form) {
    var text = document.getElementById("text");
    var count = document.getElementById("sms-count");
    var counter = document.getElementById("sms-counter");
    var error = document.getElementById("sms-text-error");
    var phone = document.getElementById("sms-phone-body");
    var send = document.getElementById("sms-send");
    var max = parseInt(form.getAttribute("data-max"), 10) || 70;
    var signature = form.getAttribute("data-signature") || "";
    // As the gateways bill UCS-2: one per UTF-16 unit, so emoji count two (String.length).
    var used = function () { return text.value.trim().length + (signature ? signature.length : 0); };
    var problem = function () {
      if (used() > max) { return form.getAttribute("data-too-long"); }
      if (signature && /[【】]/.test(text.value)) { return form.getAttribute("data-brackets"); }
      return "";
    };
    var update = function () {
      var n = used();
      count.textContent = String(n);
      counter.classList.toggle("scm-sms-over", n > max);
      text.classList.toggle("scm-sms-over-input", n > max);
      send.setAttribute("aria-disabled", problem() ? "true" : "false");
      if (phone) { phone.textContent = text.value; }
      if (!problem() && error && error.getAttribute("data-live") === "1") { error.hidden = true; }
    };
    text.addEventListener("input", update);
    update();
    // The send button refuses a text over the limit (the server refuses it too).
    form.addEventListener("submit", function (ev) {
      var submitter = ev.submitter || document.activeElement;
      if (submitter && submitter.value === "preview") { return; }
      var p = problem();
      if (p) {
        ev.preventDefault();
        ev.stopImmediatePropagation();
        form.dataset.submitted = "";
        if (error) { error.textContent = p; error.hidden = false; error.setAttribute("data-live", "1"); }
        text.focus();
      }
    }, true);
    // Select all contacts of a customer.
    form.querySelectorAll("input.scm-sms-all").forEach(function (all) {
      var boxes = form.querySelectorAll("input[name=contact][data-customer='" + all.getAttribute("data-customer") + "']:not([disabled])");
      var sync = function () {
        var on = Array.prototype.filter.call(boxes, function (b) { return b.checked; }).length;
        all.checked = on > 0 && on === boxes.length;
        all.indeterminate = on > 0 && on < boxes.length;
      };
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { if (!b.closest("[hidden]")) { b.checked = all.checked; } });
        sync();
        schedulePreview();
      });
      boxes.forEach(function (b) { b.addEventListener("change", sync); });
      sync();
    });
    // Contact search filters the list as one types (the search button asks the server).
    var search = document.getElementById("contact-search");
    if (search) {
      search.addEventListener("input", function () {
        var q = search.value.trim().toLowerCase();
        form.querySelectorAll(".scm-sms-customer").forEach(function (group) {
          var shown = 0;
          group.querySelectorAll(".scm-sms-contact").forEach(function (li) {
            var hit = !q || li.getAttribute("data-search").indexOf(q) >= 0;
            li.hidden = !hit;
            if (hit) { shown += 1; }
          });
          group.hidden = shown === 0;
        });
      });
    }
    // The preview of every number as it will be sent, while the rep picks.
    var previewBody = document.getElementById("sms-preview-body");
    var previewUrl = form.getAttribute("data-preview-url");
    var timer = null;
    var schedulePreview = function () {
      if (!previewBody || !previewUrl) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        var data = new FormData(form);
        data.delete("text");
        fetch(previewUrl, { method: "POST", body: data, credentials: "same-origin",
                            headers: { "X-Requested-With": "fetch" } })
          .then(function (resp) { if (!resp.ok) { throw new Error(resp.status); } return resp.text(); })
          .then(function (html) { previewBody.innerHTML = html; })
          .catch(function () { /* the Preview button still works */ });
      }, 400);
    };
    form.addEventListener("change", function (ev) {
      if (ev.target.name === "contact" || ev.target.id === "numbers") { schedulePreview(); }
    });
    var numbers = document.getElementById("numbers");
    if (numbers) { numbers.addEventListener("input", schedulePreview); }
  }

  // The batch page: per-recipient status refreshed until every message is final.
  var status = document.getElementById("batch-status");
  if (status) {
    var seconds = parseInt(status.getAttribute("data-refresh-seconds"), 10) || 5;
    var url = status.getAttribute("data-refresh-url");
    var finished = function () {
      var body = document.getElementById("batch-status-body");
      return body && body.getAttribute("data-finished") === "1";
    };
    var tick = function () {
      if (finished()) { return; }
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (resp) { if (!resp.ok) { throw new Error(resp.status); } return resp.text(); })
        .then(function (html) { status.innerHTML = html; })
        .catch(function () { /* try again next time */ })
        .then(function () { if (!finished()) { setTimeout(tick, seconds * 1000); } });
    };
    setTimeout(tick, seconds * 1000);
  }
})();
