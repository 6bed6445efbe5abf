// jinguo: small progressive enhancements; every page works without them.
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
