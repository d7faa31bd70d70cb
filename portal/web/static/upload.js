// Progress for the upload form (form#upload), as progressive enhancement:
// without this script the form posts as it is. With it, the same form data
// is sent by XMLHttpRequest so that a <progress> bar can show how much has
// been sent. The answer is followed as the browser would: a saved file's
// page is opened, a refused form's page replaces this one. No texts are
// built here: they come from the form's data attributes.
(function () {
  "use strict";

  function enhance() {
    var form = document.getElementById("upload");
    if (!form || !window.FormData || !window.XMLHttpRequest) {
      return;
    }
    form.addEventListener("submit", function (event) {
      var input = document.getElementById("file");
      var max = Number(form.getAttribute("data-max-size"));
      var file = input && input.files && input.files[0];
      if (file && max > 0 && file.size > max) {
        event.preventDefault();
        refuse(input, form.getAttribute("data-too-large"));
        return;
      }
      event.preventDefault();
      send(form);
    });
  }

  // refuse marks the file field as the server marks a refused one: the
  // message at the field, tied to it, and the focus on it.
  function refuse(input, text) {
    var error = document.getElementById("file-error");
    if (!error) {
      error = document.createElement("p");
      error.id = "file-error";
      error.className = "field-error";
      input.parentNode.insertBefore(error, input);
    }
    error.textContent = text;
    input.parentNode.classList.add("invalid");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", "file-error");
    input.focus();
  }

  // say puts text in the live region, which stays in the page (outside the
  // progress box that is shown only while sending), so that its first
  // message is announced too.
  function say(text) {
    document.getElementById("upload-status").textContent = text;
  }

  function send(form) {
    var box = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var button = form.querySelector("button[type=submit]");
    var percent = new Intl.NumberFormat(document.documentElement.lang, { style: "percent" });
    var announced = -1;
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.responseType = "document";
    xhr.upload.addEventListener("progress", function (e) {
      if (!e.lengthComputable) {
        return;
      }
      var share = e.loaded / e.total;
      bar.value = Math.round(share * 100);
      var tenth = Math.floor(share * 10);
      if (tenth !== announced) { // a screen reader hears every tenth, not every step
        announced = tenth;
        say(form.getAttribute("data-sent") + " " + percent.format(tenth / 10));
      }
    });
    xhr.addEventListener("load", function () {
      var target = new URL(xhr.responseURL || form.action, location.href);
      if (xhr.status < 400 && target.pathname !== new URL(form.action, location.href).pathname) {
        location.assign(target.href); // saved: the file's page
        return;
      }
      show(xhr.response);
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      say(form.getAttribute("data-failed"));
    });
    box.hidden = false;
    bar.value = 0;
    button.disabled = true;
    xhr.send(new FormData(form));
  }

  // show puts the page the server answered in place of this one, as a
  // plain post would have: a parsed document from this site, adopted
  // node by node (no HTML is built from strings here).
  function show(doc) {
    if (!doc || !doc.documentElement) {
      location.reload();
      return;
    }
    document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
    var summary = document.querySelector(".error-summary");
    (summary || document.getElementById("main")).focus();
    enhance();
  }

  enhance();
}());
