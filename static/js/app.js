/* Behaviour that used to be inline (onchange / onsubmit / onclick attributes): the Content-Security-Policy
   allows scripts from this site only, so markup says what it wants with data- attributes.
   data-autosubmit on a <select>: submit its form when the choice changes.
   data-confirm="question" on a <form> or a submit button: ask first; "cancel" stops the submission.
   data-busy="text" on a link to a slow download (a PDF of the whole county): while the file is made, the link
   says so, shows a spinner and cannot be clicked twice (issue 17).
   data-check-all="form-id" on a checkbox: ticks or unticks every checkbox that belongs to that form (issue 17).
   data-follows="township" on a <select> of villages (core.forms.VillageSelect): only the options whose
   data-township is the township chosen in the same form are shown (all while none is chosen).
   data-scroll-active on a bar that scrolls sideways (the cadre page's tabs on a phone, issue 17): its active
   item is scrolled into sight when the page loads. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
    if (el && el.matches && el.matches("input[data-check-all]")) {
      var boxes = document.querySelectorAll('input[type="checkbox"][form="' + el.getAttribute("data-check-all") + '"]');
      Array.prototype.forEach.call(boxes, function (box) { box.checked = el.checked; });
    }
  });
  function follow(villages) {
    var township = villages.form && villages.form.elements[villages.getAttribute("data-follows")];
    if (!township) return;
    var chosen = township.value;
    Array.prototype.forEach.call(villages.options, function (opt) {
      var other = chosen && opt.value && opt.getAttribute("data-township") !== chosen;
      opt.hidden = !!other;
      opt.disabled = !!other;
      if (other && opt.selected) villages.value = "";
    });
  }
  function followAll() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-follows]"), follow);
  }
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.form && el.name) {
      Array.prototype.forEach.call(el.form.querySelectorAll('select[data-follows="' + el.name + '"]'), follow);
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", followAll);
  } else {
    followAll();
  }
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a[data-busy]") : null;
    if (!link) return;
    if (link.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    var before = link.innerHTML;
    link.setAttribute("aria-busy", "true");
    link.classList.add("disabled");
    link.textContent = " " + link.getAttribute("data-busy");
    var spinner = document.createElement("span");
    spinner.className = "spinner-border spinner-border-sm";
    spinner.setAttribute("role", "status");
    link.insertBefore(spinner, link.firstChild);
    window.setTimeout(function () {  // the download has no page to wait for: give the link back after a while
      link.innerHTML = before;
      link.classList.remove("disabled");
      link.removeAttribute("aria-busy");
    }, 15000);
  });
  document.addEventListener("click", function (event) {
    var el = event.target && event.target.closest ? event.target.closest("button[data-confirm], input[data-confirm]") : null;
    if (el && !window.confirm(el.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.matches && form.matches("form[data-confirm]") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  document.querySelectorAll("[data-scroll-active]").forEach(function (bar) {
    var active = bar.querySelector(".active");
    if (active && bar.scrollWidth > bar.clientWidth) {
      bar.scrollLeft = Math.max(0, active.offsetLeft - bar.offsetLeft - (bar.clientWidth - active.offsetWidth) / 2);
    }
  });
  // A filter's choice among too many options (issue 19): a search box with suggestions from the server
  // (input[data-choices] + <datalist>); the chosen id goes into the hidden input named by data-target.
  var suggestTimer = null;
  document.addEventListener("input", function (event) {
    var box = event.target && event.target.closest ? event.target.closest("input[data-choices]") : null;
    if (!box) { return; }
    var hidden = document.getElementById(box.getAttribute("data-target"));
    var list = document.getElementById(box.getAttribute("list"));
    var text = box.value.trim();
    var picked = Array.prototype.find.call(list.options, function (o) { return o.value === box.value; });
    hidden.value = picked ? picked.getAttribute("data-id") : "";
    if (picked || !text) { return; }
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(function () {
      var url = new URL(box.getAttribute("data-choices"), window.location.href);
      url.searchParams.set("q", text);
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) {
          list.replaceChildren.apply(list, data.results.map(function (row) {
            var o = document.createElement("option");
            o.value = row.text;
            o.setAttribute("data-id", row.id);
            return o;
          }));
        });
    }, 200);
  });
})();
