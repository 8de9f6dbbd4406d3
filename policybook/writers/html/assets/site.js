/* policybook site: permanent links and printing. No network, no external code.
 * A link such as index.html#art-leave-apply (or an old chapter page) still finds its
 * article: when the page has no element with that id, PB_PLACES (places.js) says
 * which page holds it now. */
(function () {
  "use strict";
  function follow() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; } // a malformed %-sequence
    if (!id || document.getElementById(id)) return;
    var places = window.PB_PLACES || {};
    // own entries only: #constructor or #__proto__ must not find Object.prototype's
    if (!Object.prototype.hasOwnProperty.call(places, id)) return;
    var page = places[id];
    var here = location.pathname.split("/").pop() || "index.html";
    // a page of this site only: a plain file name, never another scheme or folder
    if (typeof page !== "string" || !/^[A-Za-z][A-Za-z0-9_-]*\.html$/.test(page)) return;
    if (page !== here) location.replace(page + "#" + encodeURIComponent(id));
  }
  follow();
  window.addEventListener("hashchange", follow);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.setAttribute("open", ""); });
  });
})();
