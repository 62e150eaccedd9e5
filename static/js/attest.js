// Attest: a little plain JavaScript where it clearly helps. Every page works without it.
(function () {
  "use strict";

  // Ticking a range item claims its criterion (or marks a checklist line shown, when nothing is
  // chosen yet); unticking a criterion clears its range items.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement)) return;
    var claims = input.getAttribute("data-claims");
    if (claims && input.checked) {
      var target = document.getElementById(claims);
      if (target && target.type === "checkbox") target.checked = true;
      if (target && target.type === "radio") {
        var chosen = document.querySelector('input[type=radio][name="' + CSS.escape(target.name) + '"]:checked');
        if (!chosen) target.checked = true;
      }
    }
    if (input.type === "checkbox" && !input.checked && input.id) {
      document.querySelectorAll('input[data-claims="' + CSS.escape(input.id) + '"]').forEach(function (item) {
        item.checked = false;
      });
    }
  });

  // Uploads: the same multipart form, sent with a progress bar. The server answers as for the plain
  // form: a redirect to the portfolio when the evidence is added, the form with its errors if not.
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var file = form.querySelector("input[type=file]");
    var box = form.querySelector(".upload-progress");
    var bar = box && box.querySelector("progress");
    var words = box && box.querySelector("[data-progress-text]");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (!window.FormData || !box) return;
      var limit = Number(file && file.getAttribute("data-max-bytes"));
      if (file && file.files.length && limit && file.files[0].size > limit) {
        event.preventDefault();
        words.textContent = "This file is larger than the " + Math.floor(limit / 1048576) + " MB limit: choose a smaller one.";
        box.hidden = false;
        file.focus();
        return;
      }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        var percent = Math.floor((e.loaded / e.total) * 100);
        bar.value = percent;
        words.textContent = "Uploading: " + percent + "%";
      });
      xhr.addEventListener("load", function () {
        var done = xhr.responseURL && new URL(xhr.responseURL).pathname !== new URL(form.action, location.href).pathname;
        if (done) {
          var next = new URL(xhr.responseURL);
          var added = next.searchParams.get("added");
          if (added) next.hash = "evidence-" + added;
          location.assign(next.href);
          return;
        }
        document.open();
        document.write(xhr.responseText);
        document.close();
      });
      xhr.addEventListener("error", function () {
        words.textContent = "The upload failed. Check your connection and try again.";
        button.disabled = false;
      });
      bar.value = 0;
      words.textContent = "Uploading: 0%";
      box.hidden = false;
      button.disabled = true;
      xhr.send(new FormData(form));
    });
  });

  // Recordings: a time point plays the recording from that moment, in the page's own player; the
  // "Use the player's time" button copies where the player is into the time field.
  document.addEventListener("click", function (event) {
    var seek = event.target instanceof Element && event.target.closest("[data-seek]");
    if (seek) {
      var player = document.getElementById(seek.getAttribute("data-player"));
      if (!player) return;
      event.preventDefault();
      player.currentTime = Number(seek.getAttribute("data-seek"));
      player.play();
      return;
    }
    var copy = event.target instanceof Element && event.target.closest("[data-time-from]");
    if (copy) {
      var from = document.getElementById(copy.getAttribute("data-time-from"));
      var to = document.getElementById(copy.getAttribute("data-time-to"));
      if (!from || !to) return;
      var t = Math.floor(from.currentTime || 0);
      var h = Math.floor(t / 3600), m = Math.floor(t / 60) % 60, s = t % 60;
      var two = function (n) { return (n < 10 ? "0" : "") + n; };
      to.value = (h ? h + ":" + two(m) : two(m)) + ":" + two(s);
      to.focus();
    }
  });
  document.querySelectorAll(".js-only[hidden]").forEach(function (el) { el.hidden = false; });

  // A form shown again with problems: move focus to the summary so it is read out first.
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // The observation checklist: ticking an outcome shows its section and enables its fields (a
  // disabled fieldset sends nothing), so "Show checklist" is not needed; "Mark all shown" marks
  // every criterion of its outcome shown without a round trip.
  var toggles = document.querySelectorAll("input[data-outcome-toggle]");
  toggles.forEach(function (box) {
    var sync = function () {
      var section = document.getElementById(box.getAttribute("data-outcome-toggle"));
      if (!section) return;
      section.hidden = !box.checked;
      var fields = section.querySelector("fieldset.plain");
      if (fields) fields.disabled = !box.checked;
    };
    box.addEventListener("change", sync);
    sync();
  });
  if (toggles.length) {
    document.querySelectorAll("[data-without-script]").forEach(function (button) {
      button.hidden = true;
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element && event.target.closest("button[data-mark-all]");
    if (!button) return;
    var section = document.getElementById(button.getAttribute("data-mark-all"));
    if (!section) return;
    event.preventDefault();
    section.querySelectorAll("input[type=radio][value=shown]").forEach(function (radio) {
      radio.checked = true;
    });
  });
})();
