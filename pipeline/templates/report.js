/* newsfigures report: search, filters, sorting, jumping to claims, and review
   (corrections exported as gold rows, ../shared/claim_schema.md). No dependencies,
   no network: the corrections file is made by the browser from the embedded data.
   The claim data and the article sections are packed (gzip, base64: pipeline/report_pack.py)
   and unpacked here with the browser's DecompressionStream; an article's sentences and
   table are drawn when it is first opened. */
(function () {
  "use strict";
  if (window.performance && performance.mark) { performance.mark("nf-script-start"); }
  var $ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var byId = function (id) { return document.getElementById(id); };
  var PACKED = "gzip+base64";
  function mark(name) { if (window.performance && performance.mark) { performance.mark(name); } }

  /* ------------------------------------------------------------------ packed blocks */
  function unpackText(el) {
    if (el.getAttribute("data-encoding") !== PACKED) { return Promise.resolve(el.textContent); }
    var text = el.textContent.trim();
    var bytes;
    if (Uint8Array.fromBase64) {
      bytes = Uint8Array.fromBase64(text);
    } else {
      var bin = atob(text);
      bytes = new Uint8Array(bin.length);
      for (var k = 0; k < bin.length; k++) { bytes[k] = bin.charCodeAt(k); }
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  }
  function fail(err) {
    document.documentElement.setAttribute("data-nf-error", String(err));
    var counter = byId("f-count");
    if (counter) {
      counter.textContent = typeof DecompressionStream === "undefined"
        ? "this browser cannot unpack the page's data (it needs DecompressionStream: Chrome 80, Firefox 113, Safari 16.4 or later)"
        : "the page's data could not be read: " + err;
    }
    if (window.console) { console.error(err); }
  }
  var boot;
  try {
    boot = unpackText(byId("nf-data")).then(function (text) {
      mark("nf-data-unpacked");
      var raw = JSON.parse(text);
      mark("nf-data-parsed");
      start(raw);
    });
  } catch (err) {
    boot = Promise.reject(err);
  }
  boot.catch(fail);

  function start(raw) {
    var PAGE = 300;                 /* rows of the all-claims table drawn at a time */
    var MARKET_WIDE = "(market-wide)";
    var PERIOD = /^(FY)?\d{4}(-(Q[1-4]|H[12]|\d{2}(-\d{2})?))?$/;
    var SCALE = { thousand: 1e3, k: 1e3, million: 1e6, mn: 1e6, m: 1e6, billion: 1e9, bn: 1e9, b: 1e9,
                  trillion: 1e12, tn: 1e12, t: 1e12 };
    /* a gold row's fields, in the schema's order, then provenance and the review mark */
    var GOLD_FIELDS = ["doc_id", "doc_date", "sentence_index", "sentence", "start", "end", "company", "metric",
      "segment", "value", "value_text", "unit", "qualifier", "value_high", "period", "direction", "change",
      "change_unit", "change_basis", "change_text", "modality", "source", "claim_id", "review"];
    var EDITABLE = ["company", "metric", "segment", "period", "value", "unit", "direction", "change",
      "change_unit", "modality"];

    /* ------------------------------------------------------------------ data */
    /* The claims stay in the data's columns (one array per field, coded fields as indices
       into raw.vocab); filters and sorting read the columns, and a claim object is made only
       for a row that is drawn, reviewed or exported. */
    var N = raw.n;
    var col = {};
    raw.columns.forEach(function (name, k) { col[name] = raw.claims[k]; });
    function field(i, name) {
      var v = col[name][i], vocab = raw.vocab[name];
      return vocab && v !== null ? vocab[v] : v;
    }
    function claimIdAt(i) {
      var v = col.claim_id[i];
      return typeof v === "number" ? raw.docs[col.doc[i]] + ":" + col.sentence_index[i] + ":" + v : v;
    }
    var made = [];
    function claimAt(i) {
      var c = made[i];
      if (c === undefined) {
        c = { i: i };
        raw.columns.forEach(function (name) { c[name] = field(i, name); });
        c.doc_id = raw.docs[c.doc];
        c.claim_id = claimIdAt(i);
        c.sentence_text = raw.sentences[c.sentence];
        c.company_label = c.company || MARKET_WIDE;
        made[i] = c;
      }
      return c;
    }
    /* look-ups made on first use, not at opening */
    var idIndex = null, docIndex = null, rowArticle = null;
    function claimById(cid) {
      if (idIndex === null) {
        idIndex = new Map();
        for (var i = 0; i < N; i++) { idIndex.set(claimIdAt(i), i); }
      }
      var i = idIndex.get(cid);
      return i === undefined ? null : claimAt(i);
    }
    function claimsOfDoc(doc) {   /* the claims of an article, in file order */
      if (docIndex === null) {
        docIndex = new Map();
        for (var i = 0; i < N; i++) {
          var d = raw.docs[col.doc[i]];
          if (!docIndex.has(d)) { docIndex.set(d, []); }
          docIndex.get(d).push(i);
        }
      }
      return (docIndex.get(doc) || []).map(claimAt);
    }
    function articleOfRow(id) {   /* the article section of a drawn claim's row */
      if (rowArticle === null) {
        rowArticle = new Map();
        for (var i = 0; i < N; i++) { if (col.row[i]) { rowArticle.set(col.row[i], field(i, "article")); } }
      }
      return rowArticle.get(id);
    }
    var hay = [];
    var sentenceLower = [];
    var HAY_FIELDS = ["metric", "segment", "period", "unit", "source", "value_text", "change_text", "value_label",
                      "change_label", "modality"];
    function haystack(i) {   /* the words a search looks in: the claim's fields and its sentence */
      if (hay[i] === undefined) {
        var words = [field(i, "company") || MARKET_WIDE, raw.docs[col.doc[i]]];
        for (var k = 0; k < HAY_FIELDS.length; k++) { words.push(field(i, HAY_FIELDS[k])); }
        hay[i] = words.join(" ").toLowerCase();
      }
      var s = col.sentence[i];
      if (sentenceLower[s] === undefined) { sentenceLower[s] = raw.sentences[s].toLowerCase(); }
      return hay[i] + " " + sentenceLower[s];
    }
    function esc(text) {
      return String(text === null || text === undefined ? "" : text).replace(/[&<>"']/g, function (ch) {
        return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[ch];
      });
    }

    /* ------------------------------------------------------------------ filters and search */
    var filters = {};
    ["company", "metric", "status", "period", "unit", "source", "modality", "confidence"].forEach(function (k) {
      filters[k] = byId("f-" + k);
    });
    var search = byId("f-search");
    var counter = byId("f-count");

    /* the filters in force as tests on the columns: [column, code] pairs, confidence, search words */
    function wanted() {
      var w = { equal: [], confidence: filters.confidence ? filters.confidence.value : "",
                terms: search.value.toLowerCase().split(/\s+/).filter(Boolean) };
      ["company", "metric", "status", "period", "unit", "source", "modality"].forEach(function (k) {
        var chosen = filters[k] ? filters[k].value : "";
        if (!chosen) { return; }
        var code = k === "company" && chosen === MARKET_WIDE ? null : raw.vocab[k].indexOf(chosen);
        w.equal.push([col[k], code]);
      });
      w.active = w.equal.length > 0 || w.confidence !== "" || w.terms.length > 0;
      return w;
    }
    function matches(i, w) {
      for (var e = 0; e < w.equal.length; e++) { if (w.equal[e][0][i] !== w.equal[e][1]) { return false; } }
      if (w.confidence) {
        var conf = col.confidence[i];
        if (w.confidence === "none" ? conf !== null : !(conf !== null && conf < parseFloat(w.confidence))) { return false; }
      }
      if (w.terms.length) {
        var text = haystack(i);
        for (var t = 0; t < w.terms.length; t++) { if (text.indexOf(w.terms[t]) < 0) { return false; } }
      }
      return true;
    }

    /* ------------------------------------------------------------------ the all-claims table */
    var table = byId("nf-all");
    var body = table.tBodies[0];
    var moreButton = byId("nf-more");
    var shownNote = byId("nf-shown");
    var everyClaim = [];
    for (var n = 0; n < N; n++) { everyClaim.push(n); }
    var view = everyClaim;   /* indices of the matching claims, in table order */
    var limit = PAGE;
    var order = { key: null, dir: 1 };

    function sortValue(i, key) {
      var v;
      if (key === "doc_id") { v = raw.docs[col.doc[i]]; }
      else if (key === "company") { v = field(i, "company") || MARKET_WIDE; }
      else { v = field(i, key); }
      if (v === null || v === undefined) { return ""; }
      return typeof v === "string" ? v.toLowerCase() : v;
    }
    function sortView() {
      if (!order.key) { view.sort(function (a, b) { return a - b; }); return; }
      var keys = new Map();   /* each claim's key made once, not at every comparison */
      view.forEach(function (i) { keys.set(i, sortValue(i, order.key)); });
      view.sort(function (a, b) {
        var ka = keys.get(a), kb = keys.get(b);
        var ea = ka === "", eb = kb === "";
        if (ea !== eb) { return ea ? 1 : -1; }   /* empty cells last either way */
        if (ka < kb) { return -order.dir; }
        if (ka > kb) { return order.dir; }
        return a - b;
      });
    }
    function badges(c) {
      var out = "";
      for (var k = 0; k + 3 < c.checks.length; k += 4) {   /* check, status, count, message of a failed one */
        var kind = raw.check_words[c.checks[k]], state = raw.check_words[c.checks[k + 1]];
        var count = c.checks[k + 2], message = c.checks[k + 3] === null ? "" : raw.messages[c.checks[k + 3]];
        out += '<span class="nf-badge nf-badge-' + esc(state) + '"' + (message ? ' title="' + esc(message) + '"' : "") + ">" +
          (state === "inconsistent" ? "✗ " : "✓ ") + esc(kind) + (count > 1 ? " ×" + count : "") + "</span>";
      }
      if (c.placement !== "offsets") {
        out += '<span class="nf-badge nf-badge-warn">' + (c.placement === "text" ? "offsets off" : "not found") + "</span>";
      }
      return out;
    }
    function rowHtml(i) {
      var c = claimAt(i);
      var sentenceCell = c.article
        ? '<a class="nf-jump" href="#' + esc(c.article) + "-s" + c.sentence_index + '">' + c.sentence_index + "</a>"
        : String(c.sentence_index);
      var doc = c.row ? '<a class="nf-jump" href="#' + esc(c.row) + '">' + esc(c.doc_id) + "</a>" : esc(c.doc_id);
      return '<tr class="nf-row nf-status-' + esc(c.status) + reviewClass(c.claim_id) + '" data-claim-id="' + esc(c.claim_id) +
        '" data-company="' + esc(c.company_label) + '" data-metric="' + esc(c.metric) + '" data-status="' + esc(c.status) +
        '" title="' + esc(c.claim_id + ": " + c.sentence_text) + '">' +
        '<td class="nf-doc">' + doc + "</td>" +
        '<td data-sort="' + c.sentence_index + '">' + sentenceCell + "</td>" +
        "<td>" + esc(c.company_label) + "</td><td>" + esc(c.metric) + "</td><td>" + esc(c.segment) + "</td>" +
        '<td class="nf-num" data-sort="' + (c.value === null ? "" : c.value) + '">' + esc(c.value_label) + "</td>" +
        '<td class="nf-nowrap">' + esc(c.period) + "</td>" +
        '<td class="nf-num" data-sort="' + (c.change === null ? "" : c.change) + '">' + esc(c.change_label) + "</td>" +
        "<td>" + esc(c.modality) + "</td><td>" + esc(c.source) + "</td><td>" + badges(c) + "</td>" +
        '<td class="nf-num" data-sort="' + (c.confidence === null ? "" : c.confidence) + '">' +
        (c.confidence === null ? "" : c.confidence.toFixed(2)) + "</td>" +
        '<td class="nf-review">' + reviewCell(c.claim_id) + "</td></tr>";
    }
    function renderTable() {
      var parts = [];
      var n = Math.min(limit, view.length);
      for (var k = 0; k < n; k++) { parts.push(rowHtml(view[k])); }
      body.innerHTML = parts.join("");
      moreButton.hidden = view.length <= n;
      shownNote.textContent = view.length > n ? "drawing " + n + " of " + view.length + " matching claims" : "";
    }
    moreButton.addEventListener("click", function () { limit += PAGE * 3; renderTable(); });

    var filtering = null;   /* the filters in force, or null */
    function applyFilters() {
      var w = wanted();
      view = w.active ? everyClaim.filter(function (i) { return matches(i, w); }) : everyClaim.slice();
      sortView();
      limit = PAGE;
      renderTable();
      counter.textContent = w.active ? view.length + " of " + N + " claims" : N + " claims";
      filtering = w.active ? w : null;
      Object.keys(articleRows).forEach(hideArticleRows);
      var docsShown = {};
      if (w.active) { view.forEach(function (i) { docsShown[raw.docs[col.doc[i]]] = true; }); }
      articleSections.forEach(function (d) {
        d.classList.toggle("nf-empty", w.active && !docsShown[d.getAttribute("data-doc")]);
      });
    }
    function hideArticleRows(cid) {
      var c = claimById(cid);
      var hide = filtering !== null && !(c && matches(c.i, filtering));
      articleRows[cid].forEach(function (tr) { tr.hidden = hide; });
    }
    Object.keys(filters).forEach(function (k) { if (filters[k]) { filters[k].addEventListener("change", applyFilters); } });
    var typing = null;
    search.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(applyFilters, 120); });
    search.addEventListener("keydown", function (e) { if (e.key === "Enter") { clearTimeout(typing); applyFilters(); } });

    var heads = $("thead th", table);
    function sortBy(key, dir) {
      order = { key: key, dir: dir };
      heads.forEach(function (h) {
        if (h.dataset.key === key) { h.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending"); }
        else { h.removeAttribute("aria-sort"); }
      });
      sortView();
      renderTable();
    }
    heads.forEach(function (th) {
      if (!th.dataset.key) { return; }
      th.addEventListener("click", function () {
        sortBy(th.dataset.key, th.getAttribute("aria-sort") === "ascending" ? -1 : 1);
      });
    });
    byId("nf-least-sure").addEventListener("click", function () { sortBy("confidence", 1); });

    /* the per-article tables: sorted in the page */
    function sortKey(td, numeric) {
      if (!td) { return numeric ? NaN : ""; }
      var rawKey = td.hasAttribute("data-sort") ? td.getAttribute("data-sort") : td.textContent.trim();
      return numeric ? (rawKey === "" ? NaN : parseFloat(rawKey)) : rawKey.toLowerCase();
    }
    function makeSortable(tableEl) {
      var cols = $("thead th", tableEl);
      cols.forEach(function (th, col) {
        th.addEventListener("click", function () {
          var numeric = th.dataset.type === "num";
          var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
          cols.forEach(function (h) { h.removeAttribute("aria-sort"); });
          th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
          var tbody = tableEl.tBodies[0];
          var list = Array.prototype.slice.call(tbody.rows).map(function (tr, i) {
            return { tr: tr, i: i, k: sortKey(tr.cells[col], numeric) };
          });
          list.sort(function (a, b) {
            var ea = numeric ? isNaN(a.k) : a.k === "", eb = numeric ? isNaN(b.k) : b.k === "";
            if (ea !== eb) { return ea ? 1 : -1; }
            if (a.k < b.k) { return -dir; }
            if (a.k > b.k) { return dir; }
            return a.i - b.i;
          });
          var frag = document.createDocumentFragment();
          list.forEach(function (item) { frag.appendChild(item.tr); });
          tbody.appendChild(frag);
        });
      });
    }

    /* ------------------------------------------------------------------ jumping */
    function articleOf(id) {
      var m = /^(a\d+)(-s\d+(-\d+)?)?$/.exec(id);
      if (m) { return byId(m[1]); }
      var article = articleOfRow(id);
      return article ? byId(article) : null;
    }
    function reveal(id) {
      var article = byId(id) ? null : articleOf(id);   /* not drawn yet: its article is drawn first */
      if (article && article.classList.contains("nf-article")) {
        return drawLazy(article).then(function () { revealNow(id); });
      }
      revealNow(id);
      return Promise.resolve();
    }
    function revealNow(id) {
      var target = byId(id);
      if (!target) { return; }
      for (var el = target; el; el = el.parentElement) {
        if (el.tagName === "DETAILS") { el.open = true; }
      }
      target.scrollIntoView({ block: "center" });
      target.classList.add("nf-flash");
      setTimeout(function () { target.classList.remove("nf-flash"); }, 1600);
    }

    /* ------------------------------------------------------------------ review */
    var STORE = "newsfigures-review:" + raw.run;   /* decisions belong to this run's claims only */
    var review = { decisions: {}, added: [] };
    try {
      var saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (saved && saved.decisions && saved.added) { review = saved; }
    } catch (err) { /* storage may be off for file pages: the review then lives in this tab only */ }
    function save() {
      try { localStorage.setItem(STORE, JSON.stringify(review)); } catch (err) { /* see above */ }
      var n = Object.keys(review.decisions).length + review.added.length;
      byId("nf-review-count").textContent = n ? describeReview() : "no corrections yet";
      byId("nf-export").disabled = byId("nf-review-clear").disabled = n === 0;
    }
    function describeReview() {
      var count = { accepted: 0, corrected: 0, rejected: 0 };
      Object.keys(review.decisions).forEach(function (cid) { count[review.decisions[cid].action] += 1; });
      return count.accepted + " right, " + count.corrected + " corrected, " + count.rejected + " not a claim, " +
        review.added.length + " added, in " + touchedDocs().length + " articles";
    }
    function reviewClass(cid) {
      var d = review.decisions[cid];
      return d ? " nf-rv-" + d.action : "";
    }
    function reviewCell(cid) {
      var d = review.decisions[cid];
      var fix = '<button type="button" data-act="fix" title="fix a field">✎</button>';
      if (d) {
        return '<span class="nf-rv-state">' + { accepted: "right", corrected: "corrected", rejected: "not a claim" }[d.action] +
          "</span>" + fix + '<button type="button" data-act="undo" title="undo">↺</button>';
      }
      return '<button type="button" data-act="accepted" title="right as extracted">✓</button>' + fix +
        '<button type="button" data-act="rejected" title="not a claim">✗</button>';
    }
    var articleRows = {};   /* claim id -> its rows in the drawn article tables */
    var articleSections = $("details.nf-article");
    function refreshRows(cid) {
      var rows = (articleRows[cid] || []).concat($("tr.nf-row", body).filter(function (tr) { return tr.dataset.claimId === cid; }));
      rows.forEach(function (tr) {
        tr.classList.remove("nf-rv-accepted", "nf-rv-corrected", "nf-rv-rejected");
        if (review.decisions[cid]) { tr.classList.add("nf-rv-" + review.decisions[cid].action); }
        var cell = tr.querySelector("td.nf-review");
        if (cell) { cell.innerHTML = reviewCell(cid); }
      });
    }
    function decide(cid, decision) {
      if (decision) { review.decisions[cid] = decision; } else { delete review.decisions[cid]; }
      save();
      refreshRows(cid);
    }
    /* an article's section was just drawn: its rows take the review marks and the filters in force */
    function articleDrawn(details) {
      var fresh = {};
      $("tr.nf-row", details).forEach(function (tr) {
        var cid = tr.dataset.claimId;
        (articleRows[cid] = articleRows[cid] || []).push(tr);
        fresh[cid] = true;
        if (review.decisions[cid]) { tr.classList.add("nf-rv-" + review.decisions[cid].action); }
        var cell = tr.querySelector("td.nf-review");
        if (cell) { cell.innerHTML = reviewCell(cid); }
      });
      Object.keys(fresh).forEach(hideArticleRows);
      $("table[data-sortable]", details).forEach(makeSortable);
      markAdded(details);
    }

    /* the editor: fix a claim, or describe an added figure */
    var editor = byId("nf-editor");
    var editing = null;   /* {cid} or {added: {...}} */
    function current(c) {
      var d = review.decisions[c.claim_id];
      var out = {};
      EDITABLE.forEach(function (k) { out[k] = d && d.fields && k in d.fields ? d.fields[k] : c[k]; });
      return out;
    }
    function openEditor(title, sentence, values, target) {
      editing = target;
      byId("nf-editor-title").textContent = title;
      byId("nf-editor-sentence").textContent = sentence;
      byId("nf-editor-error").textContent = "";
      EDITABLE.forEach(function (k) {
        var v = values[k];
        editor.elements[k].value = v === null || v === undefined ? "" : String(v);
      });
      editor.hidden = false;
      editor.elements.company.focus();
    }
    function parseNumber(text) {
      var t = text.trim().toLowerCase().replace(/(\d)[,\s'](?=\d{3}(\D|$))/g, "$1").replace(/\s+/g, " ");
      var m = /^([-+−]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?) ?([a-z]*)$/.exec(t.replace("−", "-"));
      if (!m || (m[2] && !(m[2] in SCALE))) { return NaN; }
      return parseFloat(m[1]) * (m[2] ? SCALE[m[2]] : 1);
    }
    function readEditor() {
      var out = {};
      var problems = [];
      EDITABLE.forEach(function (k) {
        var v = editor.elements[k].value.trim();
        if (k === "value" || k === "change") {
          if (v === "") { out[k] = null; return; }
          var n = parseNumber(v);
          if (isNaN(n)) { problems.push(k + " “" + v + "” is not a number"); }
          out[k] = n;
        } else if (k === "metric" || k === "segment") {
          out[k] = v === "" ? (k === "metric" ? "unknown" : null) : v.toLowerCase();
        } else {
          out[k] = v === "" ? null : v;
        }
      });
      if (out.modality === null) { out.modality = "actual"; }
      if (out.period !== null && !out.period.split("/").every(function (p) { return PERIOD.test(p); })) {
        problems.push("period “" + out.period + "” is not written as the schema says (2023, 2023-Q1, 2023-H1, 2023-05, FY2024-Q1)");
      }
      if (out.change !== null && out.change_unit === null) { out.change_unit = "%"; }
      if (out.change === null) { out.change_unit = null; }
      if (out.value === null && out.change === null) { problems.push("a claim needs a value or a change"); }
      return { fields: out, problems: problems };
    }
    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      var read = readEditor();
      if (read.problems.length) { byId("nf-editor-error").textContent = read.problems.join("; "); return; }
      if (editing.cid) {
        var c = claimById(editing.cid);
        var changed = {};
        EDITABLE.forEach(function (k) {
          var before = c[k] === undefined ? null : c[k];
          if (read.fields[k] !== before) { changed[k] = read.fields[k]; }
        });
        decide(editing.cid, Object.keys(changed).length ? { action: "corrected", fields: changed } : { action: "accepted" });
      } else {
        var a = editing.added;
        a.fields = read.fields;
        review.added.push(a);
        save();
        markAdded();
      }
      editor.hidden = true;
      editing = null;
    });
    byId("nf-editor-cancel").addEventListener("click", function () { editor.hidden = true; editing = null; });

    /* adding a missed figure: words selected in one drawn sentence */
    var addButton = byId("nf-add-figure");
    var pending = null;
    function textNodes(root) {
      var out = [];
      var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
        acceptNode: function (node) {
          return node.parentElement.closest(".nf-label, .nf-sidx") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
        } });
      while (walker.nextNode()) { out.push(walker.currentNode); }
      return out;
    }
    function selectionInSentence() {
      var sel = window.getSelection();
      if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return null; }
      var range = sel.getRangeAt(0);
      var start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
      var end = range.endContainer.nodeType === 1 ? range.endContainer : range.endContainer.parentElement;
      var box = start.closest(".nf-sentence");
      if (!box || end.closest(".nf-sentence") !== box || !box.hasAttribute("data-offset")) { return null; }
      var cid = null;
      var doc = box.dataset.doc, index = Number(box.dataset.index);
      var docClaims = claimsOfDoc(doc);
      if (!docClaims.length) { return null; }
      var sentenceClaims = docClaims.filter(function (c) { return c.sentence_index === index; });
      var nodes = textNodes(box);
      /* a sentence without a claim is drawn as its plain text */
      var sentence = sentenceClaims.length ? sentenceClaims[0].sentence_text
        : nodes.map(function (node) { return node.data; }).join("");
      /* its fields are guessed from the claim in force: the sentence's own, else the nearest before, else the first */
      var like = sentenceClaims[0] || docClaims.filter(function (c) { return c.sentence_index < index; }).pop() || docClaims[0];
      /* position of the selection in the sentence's own text (labels are not text) */
      var pos = 0;
      for (var k = 0; k < nodes.length; k++) {
        if (nodes[k] === range.startContainer) { pos += range.startOffset; break; }
        pos += nodes[k].data.length;
      }
      var text = sel.toString();
      var lead = text.length - text.replace(/^\s+/, "").length;
      text = text.trim();
      if (!text) { return null; }
      pos += lead;
      if (sentence.substr(pos, text.length) !== text) {
        var best = -1;
        for (var at = sentence.indexOf(text); at >= 0; at = sentence.indexOf(text, at + 1)) {
          if (best < 0 || Math.abs(at - pos) < Math.abs(best - pos)) { best = at; }
        }
        if (best < 0) { return null; }
        pos = best;
      }
      var offset = Number(box.dataset.offset);
      return { doc_id: doc, doc_date: like.doc_date, sentence_index: index, sentence: sentence,
               start: offset + pos, end: offset + pos + text.length, text: text, like: like, claim_id: cid };
    }
    document.addEventListener("mouseup", function (event) {
      if (event.target === addButton) { return; }
      setTimeout(function () {
        pending = selectionInSentence();
        addButton.hidden = !pending;
        if (pending) {
          var rect = window.getSelection().getRangeAt(0).getBoundingClientRect();
          addButton.style.top = (window.scrollY + rect.bottom + 4) + "px";
          addButton.style.left = (window.scrollX + rect.left) + "px";
        }
      }, 0);
    });
    function startAdding() {
      pending = pending || selectionInSentence();
      if (!pending) { return false; }
      var like = pending.like;
      var guess = { company: like.company, metric: like.metric, segment: null, period: like.period,
                    value: parseNumber(pending.text), unit: like.unit, direction: null, change: null,
                    change_unit: null, modality: like.modality };
      if (isNaN(guess.value)) { guess.value = null; }
      var added = { doc_id: pending.doc_id, doc_date: pending.doc_date, sentence_index: pending.sentence_index,
                    sentence: pending.sentence, start: pending.start, end: pending.end, text: pending.text };
      openEditor("Add a missed figure: “" + pending.text + "” in " + pending.doc_id + " s" + pending.sentence_index,
                 pending.sentence, guess, { added: added });
      addButton.hidden = true;
      pending = null;
      return true;
    }
    addButton.addEventListener("click", startAdding);
    function markAdded(root) {
      $(".nf-sentence", root).forEach(function (box) {
        var n = review.added.filter(function (a) {
          return a.doc_id === box.dataset.doc && a.sentence_index === Number(box.dataset.index);
        }).length;
        box.classList.toggle("nf-has-added", n > 0);
        box.title = n ? n + " figure(s) added in review" : "";
      });
    }

    /* the corrections file: every touched article's full gold list */
    function touchedDocs() {
      var docs = {};
      Object.keys(review.decisions).forEach(function (cid) { var c = claimById(cid); if (c) { docs[c.doc_id] = true; } });
      review.added.forEach(function (a) { docs[a.doc_id] = true; });
      return Object.keys(docs).sort();
    }
    function goldRow(values) {
      var row = {};
      GOLD_FIELDS.forEach(function (k) { row[k] = values[k] === undefined ? null : values[k]; });
      return row;
    }
    function exportRows() {
      var rows = [];
      touchedDocs().forEach(function (doc) {
        claimsOfDoc(doc).forEach(function (c) {
          var d = review.decisions[c.claim_id];
          if (d && d.action === "rejected") { return; }
          var values = {};
          GOLD_FIELDS.forEach(function (k) { values[k] = c[k]; });
          values.sentence = c.sentence_text;
          values.review = d ? d.action : "unchanged";
          if (d && d.fields) { Object.keys(d.fields).forEach(function (k) { values[k] = d.fields[k]; }); }
          rows.push(goldRow(values));
        });
        review.added.filter(function (a) { return a.doc_id === doc; })
          .sort(function (a, b) { return a.start - b.start; })
          .forEach(function (a) {
            var values = { doc_id: a.doc_id, doc_date: a.doc_date, sentence_index: a.sentence_index,
                           sentence: a.sentence, start: a.start, end: a.end, qualifier: "exact", review: "added" };
            Object.keys(a.fields).forEach(function (k) { values[k] = a.fields[k]; });
            if (values.value !== null) { values.value_text = a.text; } else { values.change_text = a.text; }
            rows.push(goldRow(values));
          });
      });
      return rows;
    }
    function exportText() {
      return exportRows().map(function (r) { return JSON.stringify(r); }).join("\n") + "\n";
    }
    byId("nf-export").addEventListener("click", function () {
      var blob = new Blob([exportText()], { type: "application/x-ndjson" });
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = "corrections.jsonl";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
    });
    byId("nf-review-clear").addEventListener("click", function () {
      if (!window.confirm("Forget every correction made on this page?")) { return; }
      var cids = Object.keys(review.decisions);
      review = { decisions: {}, added: [] };
      save();
      cids.forEach(refreshRows);
      markAdded();
    });

    /* ------------------------------------------------------------------ clicks */
    document.addEventListener("click", function (event) {
      var target = event.target;
      var act = target.closest ? target.closest("button[data-act]") : null;
      if (act) {
        var cid = act.closest("tr.nf-row").dataset.claimId;
        var c = claimById(cid);
        var what = act.dataset.act;
        if (what === "fix") {
          openEditor("Fix " + cid, c.sentence_text, current(c), { cid: cid });
        } else if (what === "undo" || (review.decisions[cid] && review.decisions[cid].action === what)) {
          decide(cid, null);
        } else {
          decide(cid, { action: what });
        }
        return;
      }
      var link = target.closest ? target.closest("a.nf-jump") : null;
      if (link) {
        event.preventDefault();
        var id = link.getAttribute("href").slice(1);
        reveal(id);
        if (history.replaceState) { history.replaceState(null, "", "#" + id); }
        return;
      }
      var figure = target.closest ? target.closest(".nf-main[data-row]") : null;
      if (figure) { reveal(figure.dataset.row); }
    });
    /* closed sections (articles, charts, the failed checks after the tenth) are packed in
       <script type="text/plain" class="nf-lazy"> and drawn when first opened */
    var drawn = new Map();   /* details -> the promise of its drawing */
    function drawLazy(details) {
      if (!drawn.has(details)) {
        var sources = $("script.nf-lazy", details).filter(function (s) { return s.closest("details") === details; });
        drawn.set(details, Promise.all(sources.map(function (source) {
          return unpackText(source).then(function (html) {
            source.insertAdjacentHTML("afterend", html);
            source.remove();
          });
        })).then(function () {
          if (details.classList.contains("nf-article")) { articleDrawn(details); }
        }));
      }
      return drawn.get(details);
    }
    $("script.nf-lazy").forEach(function (source) {
      var details = source.closest("details");
      if (details) {
        details.addEventListener("toggle", function () { if (details.open) { drawLazy(details).catch(fail); } });
      }
    });
    /* a section open from the start (the first charts) is drawn when it comes near the screen */
    var nearScreen = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { nearScreen.unobserve(entry.target); drawLazy(entry.target).catch(fail); }
      });
    }, { rootMargin: "800px 0px" }) : null;
    $("details[open]").forEach(function (details) {
      if (!$("script.nf-lazy", details).length) { return; }
      if (nearScreen) { nearScreen.observe(details); } else { drawLazy(details).catch(fail); }
    });
    function drawArticles() {
      return Promise.all(articleSections.map(drawLazy));
    }
    $("#nf-open-all").forEach(function (b) { b.addEventListener("click", function () {
      drawArticles().then(function () { articleSections.forEach(function (d) { d.open = true; }); }).catch(fail);
    }); });
    $("#nf-close-all").forEach(function (b) { b.addEventListener("click", function () { articleSections.forEach(function (d) { d.open = false; }); }); });

    window.newsfiguresReview = { exportRows: exportRows, exportText: exportText, addSelection: startAdding,
                                 state: function () { return review; }, drawArticles: drawArticles,
                                 reveal: reveal };
    applyFilters();
    save();
    if (location.hash.length > 1) { reveal(decodeURIComponent(location.hash.slice(1))); }
    document.documentElement.setAttribute("data-nf-ready", "1");
    if (window.performance && performance.mark) { performance.mark("nf-ready"); }
  }
}());
