// Instant search on the home page: filters the table as you type, tolerating small typos.
// The page works fully without this script (the form submits to /?q=).
(function () {
  "use strict";
  var input = document.getElementById("q");
  var table = document.getElementById("tool-table");
  if (!input || !table) return;
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var status = document.getElementById("table-status");
  var notCovered = document.getElementById("live-not-covered");
  var total = rows.length;

  function normalise(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "");
  }

  // Levenshtein distance, stopping early once it exceeds `limit`.
  function distance(a, b, limit) {
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var previous = [], current, i, j;
    for (j = 0; j <= b.length; j++) previous[j] = j;
    for (i = 1; i <= a.length; i++) {
      current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (current[j] < best) best = current[j];
      }
      if (best > limit) return limit + 1;
      previous = current;
    }
    return previous[b.length];
  }

  function matches(query, keys) {
    var allowed = query.length >= 8 ? 2 : query.length >= 4 ? 1 : 0;
    for (var k = 0; k < keys.length; k++) {
      var key = keys[k];
      if (key.indexOf(query) !== -1) return true;
      if (allowed && distance(query, key, allowed) <= allowed) return true;
      if (allowed && key.length > query.length && distance(query, key.slice(0, query.length), allowed) <= allowed) return true;
    }
    return false;
  }

  var keysByRow = rows.map(function (row) { return (row.getAttribute("data-keys") || "").split(" "); });

  function update() {
    var query = normalise(input.value);
    var shown = 0;
    rows.forEach(function (row, index) {
      var visible = !query || matches(query, keysByRow[index]);
      row.hidden = !visible;
      if (visible) shown++;
    });
    if (status) status.textContent = shown + " of " + total + " tools shown. Badges are for the consumer tier.";
    if (notCovered) {
      notCovered.hidden = !(query && shown === 0);
      notCovered.textContent = query && shown === 0 ? notCovered.getAttribute("data-template").replace("%s", input.value.trim()) : "";
    }
  }

  input.addEventListener("input", update);
})();
