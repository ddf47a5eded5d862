/* The study list's search, facets and sorting. The table is already in the page (it works
   without JavaScript); this script keeps in it only the first PAGE rows that match (laying out
   10,000 rows on every change would take seconds), counts each facet value among the studies
   the other filters leave, and keeps the view in the URL hash so it can be shared. Full-text
   search is MiniSearch (static/vendor/), indexed from data.js in chunks after the page shows. */
(function () {
  "use strict";
  var data = window.RESPIROCELL_STUDIES;
  var finder = document.getElementById("finder");
  var table = document.getElementById("study-table");
  if (!data || !finder || !table || typeof MiniSearch === "undefined") { return; }
  var tbody = table.tBodies[0];
  var status = document.getElementById("status");
  var input = document.getElementById("q");
  var studies = data.studies;
  var facets = data.facets.filter(function (f) { return f.values.length > 0; });
  facets.forEach(function (f) {  // values are [value, label] pairs in the order to show them
    f.labels = Object.create(null);  // keyed by record text: no inherited 'constructor'
    f.values.forEach(function (pair) { f.labels[pair[0]] = pair[1]; });
  });
  var rowById = Object.create(null);
  Array.prototype.forEach.call(tbody.rows, function (row) { rowById[row.getAttribute("data-id")] = row; });
  var rows = studies.map(function (s) { return rowById[s.id]; });
  var selected = {};
  var countSpans = {};
  var boxes = {};
  var sort = { key: "", dir: "" };
  var PAGE = Number(table.getAttribute("data-page")) || 200;
  var limit = PAGE;
  var order = studies.map(function (s, i) { return i; });
  var matched = [];
  var more = document.getElementById("more");

  var index = new MiniSearch({ fields: ["title", "text"], idField: "id" });
  var indexed = false;
  var indexing = index.addAllAsync(studies, { chunkSize: 500 }).then(function () {
    indexed = true;
    finder.setAttribute("data-indexed", "true");
  });

  // -- facet controls ---------------------------------------------------------------------
  var holder = document.getElementById("facets");
  facets.forEach(function (facet) {
    selected[facet.key] = new Set();
    countSpans[facet.key] = Object.create(null);
    boxes[facet.key] = Object.create(null);
    var details = document.createElement("details");
    var summary = document.createElement("summary");
    summary.textContent = facet.title;
    details.appendChild(summary);
    var fieldset = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = facet.title;
    fieldset.appendChild(legend);
    facet.values.forEach(function (pair) {
      var value = pair[0];
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.name = facet.key;
      box.value = value;
      box.addEventListener("change", function () {
        if (box.checked) { selected[facet.key].add(value); } else { selected[facet.key].delete(value); }
        limit = PAGE;
        apply(true);
      });
      var count = document.createElement("span");
      count.className = "count";
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + pair[1] + " "));
      label.appendChild(count);
      fieldset.appendChild(label);
      countSpans[facet.key][value] = count;
      boxes[facet.key][value] = box;
    });
    details.appendChild(fieldset);
    holder.appendChild(details);
  });

  // -- sorting ----------------------------------------------------------------------------
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells).filter(function (th) {
    return th.hasAttribute("data-sort");
  });
  headers.forEach(function (th) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var key = th.getAttribute("data-sort");
      var dir = sort.key === key && sort.dir === "asc" ? "desc" : "asc";
      sort = { key: key, dir: dir };
      reorder();
      limit = PAGE;
      apply(true);
    });
  });

  function reorder() {
    order = studies.map(function (s, i) { return i; });
    if (sort.key) {
      var key = sort.key;
      var sign = sort.dir === "desc" ? -1 : 1;
      order.sort(function (a, b) {
        var x = studies[a].sort[key], y = studies[b].sort[key];
        return (x < y ? -1 : x > y ? 1 : 0) * sign || a - b;
      });
    }
    headers.forEach(function (th) {
      var key = th.getAttribute("data-sort");
      if (sort.key) {
        if (key === sort.key) { th.setAttribute("aria-sort", sort.dir === "asc" ? "ascending" : "descending"); }
        else { th.removeAttribute("aria-sort"); }
      }
    });
  }

  // -- filtering --------------------------------------------------------------------------
  function matches(study, facet) {
    var wanted = selected[facet.key];
    if (wanted.size === 0) { return true; }
    var values = study.facets[facet.key] || [];
    for (var i = 0; i < values.length; i++) { if (wanted.has(values[i])) { return true; } }
    return false;
  }

  function apply(updateHash) {
    var query = input.value.trim();
    var hits = null;
    if (query && !indexed) {  // typed before the index is ready: show nothing yet, apply when it is
      indexing.then(function () { apply(updateHash); });
      status.textContent = "Indexing the studies for search…";
      return;
    }
    if (query) {
      hits = new Set();
      index.search(query, { prefix: true, combineWith: "AND" }).forEach(function (r) { hits.add(r.id); });
    }
    var counts = {};
    facets.forEach(function (f) { counts[f.key] = Object.create(null); });
    var shown = 0;
    for (var i = 0; i < studies.length; i++) {
      var study = studies[i];
      var visible = false;
      if (hits === null || hits.has(study.id)) {
        var failed = null, failures = 0;
        for (var j = 0; j < facets.length && failures < 2; j++) {
          if (!matches(study, facets[j])) { failed = facets[j]; failures++; }
        }
        visible = failures === 0;
        if (failures < 2) {  // counts per value: the studies every other filter leaves
          for (var k = 0; k < facets.length; k++) {
            var facet = facets[k];
            if (failures === 1 && facet !== failed) { continue; }
            var values = study.facets[facet.key] || [];
            for (var v = 0; v < values.length; v++) {
              counts[facet.key][values[v]] = (counts[facet.key][values[v]] || 0) + 1;
            }
          }
        }
      }
      if (visible) { shown++; }
      matched[i] = visible;
    }
    render(shown);
    facets.forEach(function (f) {
      Object.keys(countSpans[f.key]).forEach(function (value) {
        var text = "(" + (counts[f.key][value] || 0) + ")";
        var span = countSpans[f.key][value];
        if (span.textContent !== text) { span.textContent = text; }
        var box = boxes[f.key][value];
        if (box.checked !== selected[f.key].has(value)) { box.checked = selected[f.key].has(value); }
      });
    });
    status.textContent = (shown === studies.length ? "Showing all " + shown + " studies."
      : "Showing " + shown + " of " + studies.length + " studies.")
      + (shown > limit ? " The first " + limit + " are listed." : "");
    if (updateHash) { writeHash(); }
  }

  function render(shown) {  // the first `limit` matching rows, in the sort order
    var fragment = document.createDocumentFragment();
    var listed = 0;
    for (var n = 0; n < order.length && listed < limit; n++) {
      if (matched[order[n]]) { fragment.appendChild(rows[order[n]]); listed++; }
    }
    tbody.replaceChildren(fragment);
    more.hidden = shown <= limit;
    more.textContent = "List " + Math.min(PAGE, shown - limit) + " more";
  }

  // -- the URL hash -------------------------------------------------------------------------
  function writeHash() {
    var parts = [];
    if (input.value.trim()) { parts.push("q=" + encodeURIComponent(input.value.trim())); }
    facets.forEach(function (f) {
      if (selected[f.key].size) {
        parts.push(f.key + "=" + Array.from(selected[f.key]).sort().map(encodeURIComponent).join(","));
      }
    });
    if (sort.key) { parts.push("sort=" + sort.key + "-" + sort.dir); }
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (location.hash !== hash) {
      history.replaceState(null, "", hash || location.pathname + location.search);
    }
  }

  function decoded(text) {  // a shared link may hold a stray '%': read it as written, not throw
    try { return decodeURIComponent(text); } catch (e) { return text; }
  }

  function readHash() {
    var params = {};
    location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0) { params[part.slice(0, at)] = part.slice(at + 1); }
    });
    input.value = params.q ? decoded(params.q) : "";
    facets.forEach(function (f) {
      selected[f.key] = new Set();
      (params[f.key] ? params[f.key].split(",") : []).forEach(function (v) {
        var value = decoded(v);
        if (Object.prototype.hasOwnProperty.call(f.labels, value)) { selected[f.key].add(value); }
      });
    });
    var wanted = (params.sort || "").match(/^([a-z]+)-(asc|desc)$/);
    var next = wanted ? { key: wanted[1], dir: wanted[2] } : { key: "", dir: "" };
    if (next.key !== sort.key || next.dir !== sort.dir) { sort = next; reorder(); }
  }

  input.addEventListener("input", function () { limit = PAGE; apply(true); });
  more.addEventListener("click", function () { limit += PAGE; apply(false); });
  document.getElementById("search-form").addEventListener("submit", function (e) { e.preventDefault(); });
  document.getElementById("reset").addEventListener("click", function () {
    input.value = "";
    facets.forEach(function (f) { selected[f.key].clear(); });
    limit = PAGE;
    apply(true);
  });
  window.addEventListener("hashchange", function () { readHash(); limit = PAGE; apply(false); });
  finder.hidden = false;
  readHash();
  apply(false);
  facets.forEach(function (f, i) {  // open the facets a shared link filters by
    if (selected[f.key].size) { holder.children[i].open = true; }
  });
}());
