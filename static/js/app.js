// mail_service pages: toasts (Django messages and the showToast htmx event)
// and the modals of web/_modal.html. Loaded after Bootstrap and htmx.
(function () {
  "use strict";

  var COLOURS = { debug: "secondary", info: "info", success: "success", warning: "warning", error: "danger" };

  function showToast(level, message) {
    var container = document.getElementById("toasts");
    if (!container || !message) return;
    level = COLOURS[level] ? level : "info";
    var toast = document.createElement("div");
    toast.className = "toast align-items-center border-0 text-bg-" + COLOURS[level];
    toast.setAttribute("role", level === "error" ? "alert" : "status");
    toast.setAttribute("aria-atomic", "true");
    toast.dataset.level = level;
    var row = document.createElement("div");
    row.className = "d-flex";
    var body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = message;
    var close = document.createElement("button");
    close.type = "button";
    // Info and warning toasts have dark text, the others light text.
    close.className = "btn-close me-2 m-auto" + (level === "warning" || level === "info" ? "" : " btn-close-white");
    close.setAttribute("data-bs-dismiss", "toast");
    close.setAttribute("aria-label", container.dataset.closeLabel || "Close");
    row.append(body, close);
    toast.append(row);
    container.append(toast);
    start(toast);
  }

  function start(toast) {
    // Errors and warnings stay until closed: nobody should miss them.
    var level = toast.dataset.level;
    var sticky = level === "error" || level === "warning";
    toast.addEventListener("hidden.bs.toast", function () { toast.remove(); });
    bootstrap.Toast.getOrCreateInstance(toast, { autohide: !sticky, delay: 6000 }).show();
  }

  document.querySelectorAll("#toasts .toast").forEach(start);

  // HX-Trigger: {"showToast": {"level": ..., "message": ...}} or a list of those.
  document.body.addEventListener("showToast", function (event) {
    // htmx hands a list over as {value: [...]}.
    var detail = event.detail || {};
    var items = Array.isArray(detail.value) ? detail.value : [detail];
    items.forEach(function (item) {
      if (item && typeof item === "object") showToast(item.level, item.message);
    });
  });

  // HX-Trigger: {"closeModal": {}} closes the open modal after a saved form.
  document.body.addEventListener("closeModal", function () {
    document.querySelectorAll(".modal.show").forEach(function (modal) {
      bootstrap.Modal.getOrCreateInstance(modal).hide();
    });
  });

  // A re-rendered form with errors puts the focus on the first field in error.
  function focusFirstField(container) {
    var field = container.querySelector(".is-invalid") ||
      container.querySelector("[autofocus], input:not([type=hidden]), select, textarea");
    if (field) field.focus();
  }

  // Keyboard users land in the dialog's first field, also after htmx fills it.
  document.addEventListener("shown.bs.modal", function (event) { focusFirstField(event.target); });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var modal = event.detail.target.closest(".modal.show");
    if (modal) focusFirstField(modal);
  });
})();
