// mail_service pages: toasts (Django messages and the showToast htmx event),
// the modals of web/_modal.html and the page dialog (#dialog), the client
// picker of the mailing form, the mailing and client choosers of filters, the time zone select, the reports chart and copy
// buttons, the row menus fetched when opened. Loaded after Bootstrap and htmx (and Chart.js on the reports page).
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

  // With DEBUG on, django-htmx's debug script (listening on document) writes
  // every 400 answer over the whole page. The answers our htmx-config swaps
  // (a form with its messages, a refused delete) are answers, not errors: they
  // stop at <body> so they reach their target, in both modes alike.
  function isAnswer(status) {
    // The first rule whose code matches, as htmx itself picks it.
    var rule = htmx.config.responseHandling.find(function (rule) {
      return new RegExp(rule.code).test(String(status));
    });
    return Boolean(rule && rule.swap && !rule.error);
  }
  document.body.addEventListener("htmx:beforeOnLoad", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && isAnswer(status)) event.stopPropagation();
  });

  // htmx wires up content it swapped in when the swap settles, a moment after
  // it shows. A form sent in that moment (a quick click, a slow phone) would be
  // sent by the browser itself, leaving the page; a button or a link clicked
  // then (a row's Edit) would do nothing, or follow its "#". htmx takes either
  // up now instead, once.
  function takeUpEarly(event, control, name) {
    if (!control.closest("." + htmx.config.addedClass)) return; // htmx removes the class when it has wired it up
    event.preventDefault();
    event.stopPropagation(); // its own listeners, had htmx wired it, would send it a second time
    htmx.process(control);
    htmx.trigger(control, name);
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.isTrusted && form.matches && form.matches("form[hx-post], form[hx-put]")) takeUpEarly(event, form, "submit");
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.isTrusted || !event.target.closest) return;
    var control = event.target.closest("[hx-get], [hx-post], [hx-put], [hx-delete]");
    if (!control || control.matches("form")) return;
    var trigger = control.getAttribute("hx-trigger");
    if (!trigger || /^\s*click\b/.test(trigger)) takeUpEarly(event, control, "click"); // else it answers something else
  }, true);

  // HX-Trigger: {"closeModal": {}} closes the open modal after a saved form.
  document.body.addEventListener("closeModal", function () {
    document.querySelectorAll(".modal.show").forEach(function (modal) {
      bootstrap.Modal.getOrCreateInstance(modal).hide();
    });
  });

  // A re-rendered form with errors puts the focus on the first field in error.
  function focusFirstField(container) {
    var field = container.querySelector(".is-invalid") ||
      container.querySelector("[autofocus], input:not([type=hidden]), select, textarea") ||
      container.querySelector(".modal-body button") || container.querySelector(".btn-close");
    if (field) field.focus();
  }

  // Keyboard users land in the dialog's first field, also after htmx fills it.
  // Someone who already clicked into a field while the dialog was opening
  // keeps their place: Bootstrap focuses the dialog itself when it has shown,
  // and the focus then goes back to that field, not to the first one.
  var openingField = new WeakMap();
  document.addEventListener("show.bs.modal", function (event) {
    event.target.dataset.opening = "1";
    openingField.delete(event.target);
  });
  document.addEventListener("focusin", function (event) {
    var modal = event.target.closest && event.target.closest(".modal[data-opening]");
    if (modal && event.target !== modal) openingField.set(modal, event.target);
  });
  // While it opens, the focus leaving a field for the dialog itself is not
  // someone leaving the field: a picker or a list of suggestions stays open.
  function dialogOpening(element) { return !!element.closest(".modal[data-opening]"); }
  document.addEventListener("shown.bs.modal", function (event) {
    var modal = event.target;
    var field = openingField.get(modal);
    delete modal.dataset.opening;
    openingField.delete(modal);
    if (field && field.isConnected && modal.contains(field)) field.focus();
    else focusFirstField(modal);
  });
  // After htmx replaced what had the focus (a form re-rendered with errors, a
  // refusal), it goes back into the open dialog, so Tab and Esc keep working.
  document.body.addEventListener("htmx:afterSettle", function () {
    var modal = document.querySelector(".modal.show");
    if (modal && !modal.contains(document.activeElement)) focusFirstField(modal);
  });

  // The page dialog: a button with hx-target="#dialog" opens it at once (with
  // its data-dialog-title, or its own text, as the title) and the fragment
  // fills it; a saved form closes it (closeModal).
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "dialog") return;
    var opener = event.detail.elt;
    var modal = target.closest(".modal");
    var title = modal.querySelector(".modal-title");
    title.textContent = opener.dataset.dialogTitle || opener.textContent.trim();
    if (!modal.classList.contains("show")) {
      var loading = document.getElementById("loading-template");
      target.replaceChildren(loading ? loading.content.cloneNode(true) : "");
      bootstrap.Modal.getOrCreateInstance(modal).show();
    }
  });

  // hx-confirm questions ("Send this mailing now?") are asked in the page
  // dialog, as a delete is, not with the browser's confirm(): its title is the
  // button's, and its confirm button says what the button says.
  document.body.addEventListener("htmx:confirm", function (event) {
    var question = event.detail.question;
    var template = document.getElementById("confirm-template");
    var target = document.getElementById("dialog");
    if (!question || !template || !target) return;
    event.preventDefault();
    var opener = event.detail.elt;
    var modal = target.closest(".modal");
    var content = template.content.cloneNode(true);
    content.querySelector("[data-question]").textContent = question;
    var confirm = content.querySelector("[data-confirm]");
    confirm.textContent = opener.textContent.trim();
    confirm.addEventListener("click", function () {
      bootstrap.Modal.getOrCreateInstance(modal).hide();
      event.detail.issueRequest(true);
    });
    modal.querySelector(".modal-title").textContent = opener.dataset.dialogTitle || opener.textContent.trim();
    target.replaceChildren(content);
    bootstrap.Modal.getOrCreateInstance(modal).show();
  });

  // The side panel of details (#detail): a row's link fills it, and it opens
  // beside the row with the focus in it; Esc or its close button go back.
  var detailOpener = null;
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.target && event.detail.target.id === "detail") detailOpener = event.detail.elt;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "detail") return;
    bootstrap.Offcanvas.getOrCreateInstance(document.getElementById("detail-panel")).show();
  });
  document.addEventListener("hidden.bs.offcanvas", function (event) {
    if (event.target.id === "detail-panel" && detailOpener && detailOpener.isConnected) detailOpener.focus();
  });

  // The client picker of the mailing form: type to filter the list, select
  // all that match (or none), and see how many are chosen.
  function setUpPicker(picker) {
    if (picker.dataset.ready) return;
    picker.dataset.ready = "1";
    var select = picker.querySelector("select");
    var search = picker.querySelector("[data-picker-search]");
    var count = picker.querySelector("[data-picker-count]");
    function visible() {
      return Array.prototype.filter.call(select.options, function (option) { return !option.hidden; });
    }
    function update() {
      var chosen = Array.prototype.filter.call(select.options, function (option) { return option.selected; });
      count.textContent = (count.dataset.template || "{count}").replace("{count}", chosen.length);
    }
    search.addEventListener("input", function () {
      var needle = search.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = needle !== "" && option.textContent.toLowerCase().indexOf(needle) === -1;
      });
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // Enter filters, it does not submit
    });
    picker.querySelector("[data-picker-all]").addEventListener("click", function () {
      visible().forEach(function (option) { option.selected = true; });
      update();
    });
    picker.querySelector("[data-picker-none]").addEventListener("click", function () {
      visible().forEach(function (option) { option.selected = false; });
      update();
    });
    select.addEventListener("change", update);
    update();
  }

  // The client picker (templates/api/_client_picker.html), after the ARIA
  // combobox pattern: typing asks the clients API (search=, list=, a page at a
  // time, 250 ms after the last key); Up/Down move through the clients found,
  // Enter or a click chooses one (a chip with a hidden input) or unchooses it,
  // Esc closes the list. "Select all N matching" keeps the filter itself (the
  // server reads it when the form is saved), never the ids. The chips are
  // plain form fields: the form posts them as it posts anything else.
  function setUpClientPicker(picker) {
    if (picker.dataset.ready) return;
    picker.dataset.ready = "1";
    var input = picker.querySelector("[data-picker-search]");
    var listFilter = picker.querySelector("[data-picker-list]");
    var panel = picker.querySelector("[data-picker-panel]");
    var options = picker.querySelector("[data-picker-options]");
    var more = picker.querySelector("[data-picker-more]");
    var all = picker.querySelector("[data-picker-all]");
    var status = picker.querySelector("[data-picker-status]");
    var chips = picker.querySelector("[data-picker-chips]");
    var count = picker.querySelector("[data-picker-count]");
    var clear = picker.querySelector("[data-picker-clear]");
    var found = [];
    var active = -1;
    var timer = null;
    var asked = 0;
    var next = null;
    var matched = 0;
    var dismissed = false;

    function fill(template, n) {
      return template.replace("{count}", Number(n).toLocaleString(document.documentElement.lang));
    }
    function label(client) {
      return client.full_name ? client.full_name + " <" + client.email + ">" : client.email;
    }
    function chosen(id) {
      return chips.querySelector("[data-picker-chip='" + id + "']");
    }
    function update() {
      var parts = 0;
      var total = 0;
      chips.querySelectorAll("[data-count]").forEach(function (part) {
        parts += 1;
        total += Number(part.dataset.count);
      });
      var one = chips.querySelectorAll("[data-picker-chip]").length;
      if (one) parts += 1;
      total += one;
      count.textContent = fill(parts > 1 ? picker.dataset.someTemplate : picker.dataset.oneTemplate, total);
      clear.hidden = total === 0 && !chips.children.length;
      options.querySelectorAll("[role=option]").forEach(function (option) {
        option.setAttribute("aria-selected", chosen(option.dataset.id) ? "true" : "false");
      });
    }
    function chip(text, inputs, extra) {
      var item = document.createElement("li");
      item.className = "picker-chip" + (extra ? " picker-chip-wide" : "");
      var span = document.createElement("span");
      span.textContent = text;
      item.append(span);
      inputs.forEach(function (pair) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = pair[0];
        hidden.value = pair[1];
        item.append(hidden);
      });
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-close";
      remove.dataset.pickerRemove = "";
      remove.setAttribute("aria-label", picker.dataset.remove + ": " + text);
      item.append(remove);
      return item;
    }
    function toggle(client) {
      var existing = chosen(client.id);
      if (existing) {
        existing.remove();
      } else {
        var item = chip(label(client), [[picker.dataset.name, client.id]]);
        item.dataset.pickerChip = client.id;
        chips.append(item);
      }
      update();
    }
    function close() {
      dismissed = true;
      panel.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var items = options.querySelectorAll("[role=option]");
      items.forEach(function (option, i) { option.classList.toggle("active", i === index); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function show(page, append) {
      if (!append) {
        found = [];
        options.replaceChildren();
        active = -1;
      }
      (page.results || []).forEach(function (client) {
        var index = found.length;
        found.push(client);
        var option = document.createElement("li");
        option.id = input.id + "-result-" + index;
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.dataset.id = client.id;
        option.textContent = label(client);
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { toggle(client); });
        options.append(option);
      });
      next = page.next || null;
      matched = page.count || 0;
      more.hidden = !next;
      all.hidden = !matched;
      all.textContent = fill(picker.dataset.allTemplate, matched);
      status.textContent = matched ? fill(picker.dataset.foundTemplate, matched) : picker.dataset.none;
      // an answer that comes after the user closed the results (Esc, left, chose all) does not open them again
      var open = found.length > 0 && !dismissed;
      panel.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      update();
    }
    function ask(url, append) {
      var mine = ++asked;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.json() : { results: [], count: 0 }; })
        .then(function (page) { if (mine === asked) show(page, append); })
        .catch(function () {});
    }
    function search() {
      clearTimeout(timer);
      dismissed = false;
      var query = { search: input.value.trim(), page_size: "20" };
      if (listFilter && listFilter.value) query.list = listFilter.value;
      ask(picker.dataset.source + "?" + new URLSearchParams(query), false);
    }
    function later() {
      dismissed = false;
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    }

    input.addEventListener("input", later);
    input.addEventListener("focus", function () { if (!found.length) later(); });
    if (listFilter) {
      listFilter.addEventListener("change", function (event) {
        event.stopPropagation();
        search();
      });
    }
    input.addEventListener("keydown", function (event) {
      var n = panel.hidden ? 0 : found.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (n) highlight((active + 1) % n); else search();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (n) highlight(active <= 0 ? n - 1 : active - 1);
      } else if (event.key === "Enter") {
        event.preventDefault(); // Enter chooses, it does not submit the form
        if (n && active >= 0) toggle(found[active]);
      } else if (event.key === "Escape" && !panel.hidden) {
        event.preventDefault();
        event.stopPropagation(); // closes the results, not a dialog around them
        close();
      }
    });
    more.addEventListener("click", function () {
      dismissed = false;
      if (next) ask(next, true);
    });
    all.addEventListener("click", function () {
      var old = chips.querySelector("[data-picker-matching]");
      if (old) old.remove();
      var words = [input.value.trim() ? "“" + input.value.trim() + "”" : "", ""];
      if (listFilter && listFilter.value) words[1] = listFilter.selectedOptions[0].textContent;
      var pairs = [[picker.dataset.matchingName + ".search", input.value.trim()]];
      if (listFilter && listFilter.value) pairs.push([picker.dataset.matchingName + ".list", listFilter.value]);
      var text = fill(picker.dataset.foundTemplate, matched) + " — " +
        (words.filter(Boolean).join(" · ") || picker.dataset.everyone);
      var item = chip(text, pairs, true);
      item.dataset.pickerMatching = "";
      item.dataset.count = matched;
      chips.prepend(item);
      update();
      close();
    });
    chips.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-picker-remove]");
      if (!remove) return;
      remove.closest("li").remove();
      update();
      input.focus();
    });
    clear.addEventListener("click", function () {
      chips.replaceChildren();
      update();
      input.focus();
    });
    // the form filters or saves on its own events; the picker's own fields are not the form's
    input.addEventListener("change", function (event) { event.stopPropagation(); });
    picker.addEventListener("focusout", function (event) {
      if (!picker.contains(event.relatedTarget) && !dialogOpening(picker)) close();
    });
    update();
  }

  // A table's "choose every row on this page" box (the clients' bulk actions).
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("[data-select-all]")) return;
    var table = box.closest("table");
    if (!table) return;
    table.querySelectorAll("tbody input[type=checkbox][name=" + box.dataset.selectAll + "]").forEach(function (row) {
      row.checked = box.checked;
    });
  });

  // The bulk bar's Export: a plain form post (so the browser downloads the CSV)
  // of the rows chosen in the bulk form, or of all matching.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("[data-export-from]")) return;
    var chosen = new FormData(document.getElementById(form.dataset.exportFrom));
    form.querySelectorAll("input[data-chosen]").forEach(function (input) { input.remove(); });
    var all = chosen.get("all_matching") === "true";
    var values = all ? [["all_matching", "true"]] : chosen.getAll("clients").map(function (id) { return ["clients", id]; });
    var result = document.getElementById("clients-bulk-result");
    if (!values.length) {
      event.preventDefault();
      if (result) result.innerHTML = "";
      var alert = document.createElement("div");
      alert.className = "alert alert-danger py-2";
      alert.setAttribute("role", "alert");
      alert.textContent = form.dataset.exportEmpty;
      if (result) result.appendChild(alert);
      return;
    }
    if (result) result.innerHTML = "";
    values.forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      input.dataset.chosen = "";
      form.appendChild(input);
    });
  });

  // The reports chart: sent and failed per day, from the JSON the daily
  // fragment carries; labels come from the canvas (translated server-side).
  function drawChart(canvas) {
    if (typeof Chart === "undefined" || Chart.getChart(canvas)) return;
    var data = JSON.parse(document.getElementById(canvas.dataset.series).textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.map(function (day) {
          return new Date(day.date + "T00:00:00").toLocaleDateString(document.documentElement.lang);
        }),
        datasets: [
          { label: canvas.dataset.sentLabel, data: data.map(function (day) { return day.sent; }), backgroundColor: "#198754" },
          { label: canvas.dataset.failedLabel, data: data.map(function (day) { return day.failed; }), backgroundColor: "#dc3545" }
        ]
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } }
      }
    });
  }

  // A copy button (data-copy: the id of the field it copies, e.g. a new API token).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copy);
    field.select(); // if the clipboard is refused, the key stays selected for Ctrl+C
    var copied = function () {
      button.textContent = button.dataset.copiedLabel;
    };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(copied, function () {});
    } else if (document.execCommand("copy")) {
      copied();
    }
  });

  // The time zone select: a search box before it keeps the zones whose name
  // or UTC offset contain what is typed (and selects the first of them); on a
  // fresh sign-up form the browser's own zone is preselected.
  function setUpZoneSelect(select) {
    if (select.dataset.ready) return;
    select.dataset.ready = "1";
    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control mb-1";
    search.placeholder = select.dataset.zoneSearch;
    search.setAttribute("aria-label", select.dataset.zoneSearch);
    search.setAttribute("aria-controls", select.id);
    select.before(search);
    search.addEventListener("input", function () {
      var needle = search.value.trim().toLowerCase().replace(/_/g, " ");
      var first = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = (option.value + " " + option.textContent).toLowerCase().replace(/_/g, " ");
        option.hidden = needle !== "" && text.indexOf(needle) === -1;
        if (!option.hidden && first === null) first = option;
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
      if (first && select.selectedOptions[0] && select.selectedOptions[0].hidden) select.value = first.value;
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // Enter filters, it does not submit
    });
    if ("browserZone" in select.dataset) preselectBrowserZone(select);
  }

  // The browser may name its zone by an older alias (Asia/Calcutta for
  // Asia/Kolkata): Intl resolves an option's name to the same alias.
  function preselectBrowserZone(select) {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone) return;
    var options = Array.prototype.slice.call(select.options);
    var match = options.find(function (option) { return option.value === zone; }) ||
      options.find(function (option) {
        try {
          return new Intl.DateTimeFormat("en", { timeZone: option.value }).resolvedOptions().timeZone === zone;
        } catch (error) {
          return false;
        }
      });
    if (match) select.value = match.value;
  }

  // A filter that chooses a mailing or a client by name (api/filters.py
  // _combobox), after the ARIA combobox pattern: typing asks the API list
  // (data-combobox, with search=) for suggestions; Up/Down move through them,
  // Enter or a click chooses one (its id goes into the hidden id field
  // data-combobox-value names, its name into the text) and filters at once,
  // Esc closes them. Typed text not chosen still filters as a search (Enter).
  function setUpCombobox(input) {
    if (input.dataset.ready) return;
    input.dataset.ready = "1";
    var form = input.form;
    var hidden = document.getElementById(input.dataset.comboboxValue);
    var fields = input.dataset.comboboxFields.split(" ");
    var listId = input.id + "-suggestions";
    var wrapper = document.createElement("div");
    wrapper.className = "combobox";
    input.before(wrapper);
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "list-group combobox-list shadow-sm";
    list.setAttribute("role", "listbox");
    var label = input.labels && input.labels[0];
    if (label) {
      if (!label.id) label.id = input.id + "-label";
      list.setAttribute("aria-labelledby", label.id);
    }
    list.hidden = true;
    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.append(input, list, status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function text(item, key) {
      var value = item[key];
      if (value === null || value === undefined || value === "") return "";
      return key === "id" ? "#" + value : String(value);
    }
    function name(item) {
      for (var i = 0; i < fields.length; i++) {
        if (fields[i] !== "id" && text(item, fields[i])) return text(item, fields[i]);
      }
      return text(item, "id");
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (option, i) {
        option.classList.toggle("active", i === index);
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function show(found) {
      items = found;
      list.replaceChildren();
      found.forEach(function (item, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = fields.map(function (key) { return text(item, key); })
          .filter(Boolean).join(" — ");
        // mousedown keeps the focus in the input, so it chooses before a blur closes the list
        option.addEventListener("mousedown", function (event) { event.preventDefault(); });
        option.addEventListener("click", function () { choose(i); });
        list.append(option);
      });
      status.textContent = found.length ? "" : input.dataset.comboboxNone;
      list.hidden = !found.length;
      input.setAttribute("aria-expanded", found.length ? "true" : "false");
      active = -1;
    }
    function choose(index) {
      var item = items[index];
      input.value = name(item);
      hidden.value = item.id;
      close();
      form.requestSubmit();
    }
    function suggest() {
      var needle = input.value.trim();
      var ask = ++asked;
      if (!needle) { show([]); status.textContent = ""; return; }
      var url = input.dataset.combobox + "?" + new URLSearchParams({ search: needle, page_size: "10" });
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.json() : { results: [] }; })
        .then(function (page) { if (ask === asked && document.activeElement === input) show(page.results || []); })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      hidden.value = ""; // typed, not chosen: a search again
      clearTimeout(timer);
      timer = setTimeout(suggest, 200);
    });
    // the form filters on change; this field filters when a suggestion is chosen, or on Enter
    input.addEventListener("change", function (event) { event.stopPropagation(); });
    input.addEventListener("keydown", function (event) {
      var count = list.hidden ? 0 : items.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (count) highlight((active + 1) % count); else suggest();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (count) highlight(active <= 0 ? count - 1 : active - 1);
      } else if (event.key === "Enter" && count && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        event.stopPropagation(); // closes the suggestions, not a dialog around them
        close();
      }
    });
    input.addEventListener("blur", function () { if (!dialogOpening(input)) close(); });
  }

  // "Insert image" beside a Markdown body: the picture is uploaded to the
  // images API and `![description](its address)` goes in where the cursor was.
  // Shown only while the message's format is Markdown.
  function markdownText(text) {
    return text.replace(/[\\\[\]]/g, "\\$&").replace(/\s+/g, " ").trim();
  }
  function setUpImageInsert(box) {
    if (box.dataset.ready) return;
    box.dataset.ready = "1";
    var form = box.closest("form");
    var body = document.getElementById(box.dataset.target);
    var format = form && form.querySelector("#" + box.dataset.formatField);
    var file = box.querySelector("[data-insert-image-file]");
    var alt = box.querySelector("[data-insert-image-alt]");
    var button = box.querySelector("[data-insert-image-button]");
    var errors = box.querySelector("[data-insert-image-errors]");
    var status = box.querySelector("[data-insert-image-status]");
    function showFormat() { box.hidden = !!format && format.value !== "markdown"; }
    function fail(messages) {
      errors.replaceChildren();
      messages.forEach(function (message) {
        var line = document.createElement("div");
        line.textContent = message;
        errors.appendChild(line);
      });
      status.textContent = "";
      file.setAttribute("aria-invalid", "true");
      file.focus();
    }
    function insert(url) {
      var start = body.selectionStart, end = body.selectionEnd;
      var text = "![" + markdownText(alt.value) + "](" + url + ")";
      body.setRangeText(text, start, end, "end");
      body.dispatchEvent(new Event("input", { bubbles: true }));
      errors.replaceChildren();
      file.removeAttribute("aria-invalid");
      file.value = "";
      alt.value = "";
      status.textContent = box.dataset.inserted;
      body.focus();
    }
    if (format) format.addEventListener("change", showFormat);
    showFormat();
    button.addEventListener("click", function () {
      if (!file.files.length) { fail([box.dataset.noFile]); return; }
      var data = new FormData();
      data.append("file", file.files[0]);
      var headers = JSON.parse(document.body.getAttribute("hx-headers") || "{}");
      headers.Accept = "application/json";
      button.disabled = true;
      status.textContent = box.dataset.uploading;
      fetch(box.dataset.imagesUrl, { method: "POST", body: data, headers: headers, credentials: "same-origin" })
        .then(function (answer) {
          return answer.json().catch(function () { return {}; }).then(function (json) {
            if (answer.status === 201 && json.url) insert(json.url);
            else fail((json.file || [json.detail || box.dataset.failed]).map(String));
          });
        })
        .catch(function () { fail([box.dataset.failed]); })
        .finally(function () { button.disabled = false; });
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-insert-image]").forEach(setUpImageInsert);
    root.querySelectorAll("input[data-combobox]").forEach(setUpCombobox);
    root.querySelectorAll("[data-picker]").forEach(setUpPicker);
    root.querySelectorAll("[data-client-picker]").forEach(setUpClientPicker);
    root.querySelectorAll("select[data-zone-search]").forEach(setUpZoneSelect);
    root.querySelectorAll("canvas[data-series]").forEach(drawChart);
  }
  enhance(document);
  // A chart goes with its canvas when htmx replaces it (new filters).
  document.body.addEventListener("htmx:beforeCleanupElement", function (event) {
    var chart = typeof Chart === "undefined" ? null : Chart.getChart(event.detail.elt);
    if (chart) chart.destroy();
  });
  document.body.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });

  // A table row's action menu (data-menu: its URL) is fetched when it is first
  // opened: the rows carry only its button. Its items then sit in the row's
  // cell, whose hx-target and hx-swap say where their actions answer.
  // Pointing at or focusing the button starts the fetch, so the items are
  // usually there when the menu opens.
  function loadMenu(event) {
    var holder = event.target.closest && event.target.closest("[data-menu]");
    if (!holder || holder.dataset.menuLoaded) return;
    holder.dataset.menuLoaded = "1";
    htmx.ajax("GET", holder.dataset.menu, { target: holder.querySelector(".dropdown-menu"), swap: "innerHTML" });
  }
  ["pointerover", "focusin", "show.bs.dropdown"].forEach(function (name) {
    document.addEventListener(name, loadMenu);
  });
})();
