// A live character count under each length-limited text field of an admin
// form ("42 of 160 characters"), and under fields with a recommended length
// (data-recommended), which say so when the text runs past it.
(function () {
  "use strict";

  function attach(field) {
    var recommended = parseInt(field.getAttribute("data-recommended"), 10);
    var limit = recommended || parseInt(field.getAttribute("maxlength"), 10);
    if (!limit || !field.id) {
      return;
    }
    var note = document.createElement("div");
    note.className = "help char-count";
    note.id = field.id + "-count";
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? described + " " + note.id : note.id);
    // Under the field, where the admin puts help text: after the row that
    // holds the label and the input.
    var row = field.closest(".flex-container") || field;
    row.insertAdjacentElement("afterend", note);

    function update() {
      var used = field.value.length;
      var text = used + " of " + limit + " characters";
      if (recommended && used > limit) {
        text += ": longer than search results and link previews show";
      }
      note.textContent = text;
      note.classList.toggle("char-count-over", used > limit);
    }
    field.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var fields = document.querySelectorAll(
      "form input[type=text][maxlength], form textarea[maxlength], form [data-recommended]"
    );
    Array.prototype.forEach.call(fields, attach);
  });
})();
