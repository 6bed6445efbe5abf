// jinguo: small progressive enhancements; every page works without them.
(function () {
  "use strict";

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = status === 403 ? "没有权限。" : status === 404 ? "记录不存在或不在您的管辖范围内。" : "服务器出错，请稍后重试。";
    window.alert(text);
  });

  // Org tree: the first click loads a unit's children (htmx); later clicks fold and unfold them.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#org-tree button.toggle");
    if (!button) return;
    var row = button.closest("tr");
    var expanded = button.getAttribute("aria-expanded") === "true";
    if (button.dataset.loaded) {
      var path = row.dataset.path;
      document.querySelectorAll("#org-tree tr[data-path]").forEach(function (other) {
        if (other !== row && other.dataset.path.indexOf(path) === 0) {
          other.hidden = expanded;
          var inner = other.querySelector("button.toggle");
          if (inner && expanded) inner.setAttribute("aria-expanded", "false");
        }
      });
    }
    button.dataset.loaded = "1";
    button.setAttribute("aria-expanded", expanded ? "false" : "true");
    button.textContent = expanded ? "▸" : "▾";
  });

  // A button or link with data-confirm asks before it acts (deleting, revoking, closing a case).
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-confirm]");
    if (trigger && !window.confirm(trigger.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // --- Searchable selects (tom-select) ------------------------------------------------------------------------
  // Every select with many options (unit pickers, long code tables, indicators) — or marked data-searchable —
  // becomes searchable by name. The <label> keeps pointing at the original <select>, which stays in the form and
  // is what gets submitted; a change made to it from outside is mirrored into the searchable control.
  var SEARCHABLE_MIN_OPTIONS = 11;

  function searchable(select) {
    if (select.tomselect || select.multiple || select.dataset.searchable === "false") return false;
    if (select.closest(".ts-wrapper") || select.closest("[data-no-enhance]")) return false;
    return select.dataset.searchable === "true" || select.options.length >= SEARCHABLE_MIN_OPTIONS;
  }

  function enhanceSelect(select) {
    if (!window.TomSelect || !searchable(select)) return;
    var label = select.id ? document.querySelector("label[for='" + select.id + "']") : null;
    var labelText = label ? label.textContent.trim() : (select.getAttribute("aria-label") || "");
    var control = new window.TomSelect(select, {
      allowEmptyOption: true,
      maxOptions: 500,
      create: false,
      placeholder: "输入名称搜索…",
      searchField: ["text"],
      render: {
        no_results: function () { return '<div class="no-results">没有匹配的选项</div>'; }
      },
      onInitialize: function () {
        if (select.classList.contains("is-invalid")) this.wrapper.classList.add("is-invalid");
      }
    });
    // Keep the label on the original select, so the field is still found (and filled) by its label; the search
    // box carries the label's words as its title, which screen readers read as its name.
    if (label) label.setAttribute("for", select.id);
    [control.control_input, control.dropdown_content].forEach(function (node) {
      if (!node) return;
      node.removeAttribute("aria-labelledby");
      if (labelText) node.setAttribute("title", labelText);
    });
    select.addEventListener("change", function () {
      if (control.isSyncing || String(control.getValue()) === select.value) return;
      control.isSyncing = true;
      control.setValue(select.value, true);
      control.isSyncing = false;
    });
  }

  // --- Date pickers (flatpickr, zh) ----------------------------------------------------------------------------
  // <input type="date"> shows the browser's own format (mm/dd/yyyy on an English system). Turned into a text
  // input with a Chinese calendar, it always shows and submits ISO dates (2025-03-05), which the forms parse first.
  function enhanceDate(input) {
    if (!window.flatpickr || input._flatpickr || input.readOnly) return;
    var withTime = input.type === "datetime-local";
    if (withTime) input.value = input.value.replace("T", " ");  // the forms read "2025-03-05 14:30" as well
    input.type = "text";
    input.setAttribute("inputmode", "numeric");
    input.setAttribute("autocomplete", "off");
    if (!input.placeholder) input.placeholder = withTime ? "年-月-日 时:分" : "年-月-日";
    window.flatpickr(input, {
      locale: (window.flatpickr.l10ns && window.flatpickr.l10ns.zh) || "default",
      dateFormat: withTime ? "Y-m-d H:i" : "Y-m-d",
      enableTime: withTime,
      time_24hr: true,
      allowInput: true,
      disableMobile: true,
      minDate: input.min || null,
      maxDate: input.max || null,
      onClose: function (dates, text, picker) {
        // A date typed by hand is taken as typed; the change event lets htmx filters react.
        picker.input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  // --- A select whose options follow another (问题子类 follows 问题类别) ---------------------------------------------
  // <select data-depends-on="id_category" data-options="json-id">: the JSON maps a parent value to
  // [[value, label], …]; only the chosen parent's options are offered, and a choice that no longer fits is cleared.
  function enhanceDependent(select) {
    if (select.dataset.dependentReady) return;
    var parent = document.getElementById(select.dataset.dependsOn);
    var source = document.getElementById(select.dataset.options);
    if (!parent || !source) return;
    select.dataset.dependentReady = "1";
    var table = JSON.parse(source.textContent);
    var blank = select.querySelector("option[value='']");
    var blankLabel = blank ? blank.textContent : "---------";

    function refill() {
      var current = select.value;
      var choices = table[parent.value] || [];
      if (select.tomselect) select.tomselect.destroy();
      select.innerHTML = "";
      var empty = document.createElement("option");
      empty.value = "";
      empty.textContent = parent.value ? (choices.length ? blankLabel : "（该类别没有子类）") : "请先选择问题类别";
      select.appendChild(empty);
      choices.forEach(function (pair) {
        var option = document.createElement("option");
        option.value = String(pair[0]);
        option.textContent = pair[1];
        if (option.value === current) option.selected = true;
        select.appendChild(option);
      });
      select.disabled = !choices.length;
      enhanceSelect(select);
    }
    parent.addEventListener("change", refill);
    refill();
  }

  function enhance(root) {
    root.querySelectorAll("select[data-depends-on]").forEach(enhanceDependent);
    root.querySelectorAll("select").forEach(enhanceSelect);
    root.querySelectorAll("input[type=date], input[type=datetime-local]").forEach(enhanceDate);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target) enhance(event.detail.target);
  });
})();
