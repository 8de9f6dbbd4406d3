/* policybook site search: exact, client-side, complete.
 *
 * An article matches when its text contains the query (every whitespace-separated
 * part of it) as a substring — no word segmentation, so nothing is missed. Query
 * and text are folded first with one character table (PB_SEARCH.fold: Traditional
 * and regional variants → one form; full-width Latin and digits → ASCII; case), so
 * 请假 finds 請假 and the other way round. Results keep the handbook's order.
 * Everything shown is set as text (textContent), never parsed as HTML; the query is put
 * into the status line as text too (no String.replace patterns such as $&).
 */
(function () {
  "use strict";
  var data = window.PB_SEARCH || { fold: {}, docs: [] };
  var FOLD = data.fold;
  var own = Object.prototype.hasOwnProperty;

  // "{n} 条" → "3 条": the value is put in as text (String.replace would read $&, $' … in it)
  function fill(template, key, value) {
    return String(template || "").split("{" + key + "}").join(String(value));
  }
  var DOC = { id: 0, page: 1, number: 2, title: 3, chapter: 4, text: 5 };

  function fold(s) {
    var out = "";
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      if (own.call(FOLD, c)) { out += FOLD[c]; continue; }
      var code = s.charCodeAt(i);
      if (code >= 0xff01 && code <= 0xff5e) c = String.fromCharCode(code - 0xfee0);
      else if (code === 0x3000) c = " ";
      out += c.toLowerCase().length === 1 ? c.toLowerCase() : c;
    }
    return out; // same length as s: positions in the folded text are positions in s
  }

  var docs = data.docs.map(function (d) {
    var head = d[DOC.number] + " " + d[DOC.title] + "\n";
    var full = head + d[DOC.text];
    return { d: d, full: full, body: head.length, folded: fold(full) };
  });

  function terms(query) {
    return fold(query).split(/\s+/).filter(function (t) { return t.length > 0; });
  }

  function count(hay, needle) {
    var n = 0, at = hay.indexOf(needle);
    while (at !== -1) { n++; at = hay.indexOf(needle, at + needle.length); }
    return n;
  }

  function search(query) {
    var parts = terms(query);
    if (!parts.length) return [];
    var hits = [];
    docs.forEach(function (doc) {
      var total = 0;
      for (var i = 0; i < parts.length; i++) {
        var n = count(doc.folded, parts[i]);
        if (!n) return;
        total += n;
      }
      hits.push({ doc: doc, times: total, first: doc.folded.indexOf(parts[0]), length: parts[0].length });
    });
    return hits;
  }

  function snippet(hit) {
    // the title is shown above the snippet: start the snippet in the body when the match is there
    var from = hit.first >= hit.doc.body ? hit.doc.body : 0;
    var text = hit.doc.full, start = Math.max(from, hit.first - 40), end = Math.min(text.length, hit.first + hit.length + 60);
    var p = document.createElement("p");
    p.className = "snippet";
    p.appendChild(document.createTextNode((start > from ? "…" : "") + text.slice(start, hit.first).replace(/\s+/g, " ")));
    var mark = document.createElement("mark");
    mark.textContent = text.slice(hit.first, hit.first + hit.length);
    p.appendChild(mark);
    p.appendChild(document.createTextNode(text.slice(hit.first + hit.length, end).replace(/\s+/g, " ") + (end < text.length ? "…" : "")));
    return p;
  }

  function item(hit, timesLabel) {
    var d = hit.doc.d;
    var li = document.createElement("li");
    li.setAttribute("data-id", d[DOC.id]);
    var a = document.createElement("a");
    a.className = "hit-title";
    a.href = "./" + encodeURI(d[DOC.page]) + "#" + encodeURIComponent(d[DOC.id]); // ./: never read as a scheme
    a.textContent = d[DOC.number] + (d[DOC.title] ? "\u3000" + d[DOC.title] : "");
    li.appendChild(a);
    var where = document.createElement("span");
    where.className = "hit-where";
    where.textContent = d[DOC.chapter];
    li.appendChild(where);
    var times = document.createElement("span");
    times.className = "hit-count";
    times.textContent = fill(timesLabel, "n", hit.times);
    li.appendChild(times);
    li.appendChild(snippet(hit));
    return li;
  }

  function show(query) {
    var status = document.getElementById("search-status");
    var list = document.getElementById("results");
    if (!status || !list) return;
    var hits = search(query);
    list.textContent = "";
    if (!query.trim()) { status.textContent = ""; return; }
    var q = query.trim();
    status.textContent = hits.length
      ? fill(fill(status.getAttribute("data-found"), "n", hits.length), "q", q)
      : fill(status.getAttribute("data-none"), "q", q);
    var frag = document.createDocumentFragment();
    var timesLabel = status.getAttribute("data-times");
    hits.forEach(function (hit) { frag.appendChild(item(hit, timesLabel)); });
    list.appendChild(frag);
    status.setAttribute("data-count", String(hits.length));
  }

  window.PB_FIND = function (query) {
    return search(query).map(function (hit) { return hit.doc.d[DOC.id]; });
  };

  var input = document.getElementById("q");
  var form = document.getElementById("search-form");
  if (!input || !form) return;
  var initial = new URLSearchParams(location.search).get("q") || "";
  input.value = initial;
  show(initial);
  var timer = 0;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = new URL(location.href);
      url.searchParams.set("q", input.value);
      try { history.replaceState(null, "", url.toString()); } catch (e) { /* file:// may refuse */ }
      show(input.value);
    }, 120);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    var url = new URL(location.href);
    url.searchParams.set("q", input.value);
    try { history.replaceState(null, "", url.toString()); } catch (e) { /* file:// may refuse */ }
    show(input.value);
  });
})();
