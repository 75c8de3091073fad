/* Behaviour that used to be inline (onchange / onsubmit / onclick attributes): the Content-Security-Policy
   allows scripts from this site only, so markup says what it wants with data- attributes.
   data-autosubmit on a <select>: submit its form when the choice changes.
   data-confirm="question" on a <form> or a submit button: ask first; "cancel" stops the submission. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.submit();
    }
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
})();
