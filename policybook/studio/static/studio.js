// policybook studio: the only script of our own (no inline script: the CSP forbids it).
// Every htmx request carries the CSRF token from the page's meta tag.
document.addEventListener("htmx:config:request", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && event.detail && event.detail.ctx && event.detail.ctx.request) {
    event.detail.ctx.request.headers["X-CSRFToken"] = meta.content;
  }
});
// A button with data-confirm asks before its form is sent.
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
    event.preventDefault();
  }
});
