/* policybook site: permanent links and printing. No network, no external code.
 * A link such as index.html#art-leave-apply (or an old chapter page) still finds its
 * article: when the page has no element with that id, PB_PLACES (places.js) says
 * which page holds it now. */
(function () {
  "use strict";
  function follow() {
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id || document.getElementById(id)) return;
    var places = window.PB_PLACES || {};
    var page = places[id];
    var here = location.pathname.split("/").pop() || "index.html";
    if (page && page !== here) location.replace(page + "#" + encodeURIComponent(id));
  }
  follow();
  window.addEventListener("hashchange", follow);
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.setAttribute("open", ""); });
  });
})();
