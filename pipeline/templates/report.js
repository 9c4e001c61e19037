/* newsfigures report: filters, sorting, jumping to claims. No dependencies. */
(function () {
  "use strict";
  var $ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var rows = $("tr.nf-row");
  var globalRows = $("#claims tr.nf-row");
  var filters = { company: document.getElementById("f-company"),
                  metric: document.getElementById("f-metric"),
                  status: document.getElementById("f-status") };
  var counter = document.getElementById("f-count");

  function applyFilters() {
    var want = { company: filters.company.value, metric: filters.metric.value, status: filters.status.value };
    rows.forEach(function (tr) {
      var ok = (!want.company || tr.dataset.company === want.company) &&
               (!want.metric || tr.dataset.metric === want.metric) &&
               (!want.status || tr.dataset.status === want.status);
      tr.hidden = !ok;
    });
    var shown = globalRows.filter(function (tr) { return !tr.hidden; }).length;
    var active = want.company || want.metric || want.status;
    counter.textContent = active ? shown + " of " + globalRows.length + " claims" : globalRows.length + " claims";
    $("details.nf-article").forEach(function (d) {
      var any = $("tr.nf-row", d).some(function (tr) { return !tr.hidden; });
      d.classList.toggle("nf-empty", Boolean(active) && !any);
    });
  }
  Object.keys(filters).forEach(function (k) { filters[k].addEventListener("change", applyFilters); });

  function sortKey(td, numeric) {
    if (!td) { return numeric ? NaN : ""; }
    var raw = td.hasAttribute("data-sort") ? td.getAttribute("data-sort") : td.textContent.trim();
    return numeric ? (raw === "" ? NaN : parseFloat(raw)) : raw.toLowerCase();
  }
  $("table[data-sortable]").forEach(function (table) {
    var heads = $("thead th", table);
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var numeric = th.dataset.type === "num";
        var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
        heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
        var body = table.tBodies[0];
        var list = Array.prototype.slice.call(body.rows).map(function (tr, i) {
          return { tr: tr, i: i, k: sortKey(tr.cells[col], numeric) };
        });
        list.sort(function (a, b) {
          var ea = numeric ? isNaN(a.k) : a.k === "", eb = numeric ? isNaN(b.k) : b.k === "";
          if (ea !== eb) { return ea ? 1 : -1; }   /* empty cells last either way */
          if (a.k < b.k) { return -dir; }
          if (a.k > b.k) { return dir; }
          return a.i - b.i;
        });
        var frag = document.createDocumentFragment();
        list.forEach(function (item) { frag.appendChild(item.tr); });
        body.appendChild(frag);
      });
    });
  });

  function reveal(id) {
    var target = document.getElementById(id);
    if (!target) { return; }
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS") { el.open = true; }
    }
    if (target.tagName === "DETAILS") { target.open = true; }
    target.scrollIntoView({ block: "center" });
    target.classList.add("nf-flash");
    setTimeout(function () { target.classList.remove("nf-flash"); }, 1600);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.nf-jump") : null;
    if (link) {
      event.preventDefault();
      var id = link.getAttribute("href").slice(1);
      reveal(id);
      if (history.replaceState) { history.replaceState(null, "", "#" + id); }
      return;
    }
    var figure = event.target.closest ? event.target.closest(".nf-main[data-row]") : null;
    if (figure) { reveal(figure.dataset.row); }
  });
  $("#nf-open-all").forEach(function (b) { b.addEventListener("click", function () { $("details.nf-article").forEach(function (d) { d.open = true; }); }); });
  $("#nf-close-all").forEach(function (b) { b.addEventListener("click", function () { $("details.nf-article").forEach(function (d) { d.open = false; }); }); });
  if (location.hash.length > 1) { reveal(decodeURIComponent(location.hash.slice(1))); }
  applyFilters();
}());
