// Instant search on the home page: ranks the table as you type, with the index and the rules the server uses
// (web/tool_search.py explains them; a browser test runs the same queries through both and compares).
// The page works fully without this script (the form submits to /?q=).
(function () {
  "use strict";

  function normalise(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "");
  }

  // Optimal string alignment distance: insertions, deletions, replacements and swaps of neighbours.
  function edits(a, b) {
    var d = [], i, j;
    for (i = 0; i <= a.length; i++) { d[i] = [i]; }
    for (j = 0; j <= b.length; j++) { d[0][j] = j; }
    for (i = 1; i <= a.length; i++) {
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length][b.length];
  }

  function allowedEdits(query) { return query.length >= 8 ? 2 : query.length >= 4 ? 1 : 0; }

  function keyScore(query, key) {
    if (key === query) return 100;
    if (query.length >= 2 && key.indexOf(query) === 0) return 96;
    if (key.length >= 4 && query.indexOf(key) !== -1) return 88;
    var allowed = allowedEdits(query);
    if (!allowed) return 0;
    var n = edits(query, key);
    if (n <= allowed) return 80 - 5 * n;
    if (query.length >= 5 && key.length > query.length) {
      n = edits(query, key.slice(0, query.length));
      if (n <= allowed) return 70 - 5 * n;
    }
    return 0;
  }

  function wordScore(query, word) { return query.length >= 3 && word.indexOf(query) === 0 ? 90 : 0; }

  function toolScore(query, entry) {
    var best = 0;
    entry.keys.forEach(function (key) { best = Math.max(best, keyScore(query, key)); });
    entry.words.forEach(function (word) { best = Math.max(best, wordScore(query, word)); });
    return best;
  }

  function search(index, text, limit) {
    var query = normalise(text);
    if (!query) return [];
    var scored = [];
    index.forEach(function (entry) {
      var score = toolScore(query, entry);
      if (score) scored.push({ slug: entry.slug, name: entry.name.toLowerCase(), score: score });
    });
    scored.sort(function (a, b) { return b.score - a.score || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0); });
    return scored.slice(0, limit || scored.length).map(function (m) { return { slug: m.slug, score: m.score }; });
  }

  var data = document.getElementById("search-index");
  if (!data) return;
  var index = JSON.parse(data.textContent);
  window.doesittrainSearch = function (text, limit) { return search(index, text, limit); };

  var input = document.getElementById("q");
  var table = document.getElementById("tool-table");
  if (!input || !table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var bySlug = {};
  rows.forEach(function (row) { bySlug[row.getAttribute("data-slug")] = row; });
  var status = document.getElementById("table-status");
  var statusText = status ? status.textContent : "";
  var notCovered = document.getElementById("live-not-covered");

  function show(order) {
    var shown = {};
    order.forEach(function (row) { shown[row.getAttribute("data-slug")] = true; body.appendChild(row); });
    rows.forEach(function (row) {
      row.hidden = !shown[row.getAttribute("data-slug")];
      if (row.hidden) body.appendChild(row);
    });
    return order.length;
  }

  function update() {
    var text = input.value.trim();
    var count = text
      ? show(search(index, text).map(function (m) { return bySlug[m.slug]; }).filter(Boolean))
      : show(rows);
    if (status) status.textContent = statusText.replace(/^\d+/, String(count));
    if (notCovered) {
      notCovered.hidden = !(text && count === 0);
      notCovered.textContent = text && count === 0 ? notCovered.getAttribute("data-template").replace("%s", text) : "";
    }
  }

  input.addEventListener("input", update);
})();
