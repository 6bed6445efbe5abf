// jinguo: small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", function (event) {
  var status = event.detail.xhr.status;
  var text = status === 403 ? "没有权限。" : status === 404 ? "记录不存在或不在您的管辖范围内。" : "服务器出错，请稍后重试。";
  window.alert(text);
});
