// A searchable, sortable table for the website (classic script: runs from file:// and offline).
//   RopeTable.mount(element, columns, rows): a search box (rows containing the text, any column) and
//   headers that sort on click (numbers by value where every cell of the column parses, else text).
(function (root) {
  "use strict";

  function num(s) {
    const t = String(s).replace(/,/g, "").replace(/×10\^?([⁻⁰¹²³⁴⁵⁶⁷⁸⁹\-\d]+)/, (m, e) =>
      "e" + e.replace(/[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]/g, (c) => "-0123456789"["⁻⁰¹²³⁴⁵⁶⁷⁸⁹".indexOf(c)]));
    const v = Number(t);
    return t.trim() !== "" && isFinite(v) ? v : null;
  }

  function mount(el, columns, rows) {
    const search = document.createElement("input");
    search.type = "search"; search.placeholder = "Search the table…"; search.className = "rope-table-search";
    const table = document.createElement("table");
    table.className = "table table-sm rope-table";
    const thead = table.createTHead(), tbody = table.createTBody(), hr = thead.insertRow();
    let order = rows.map((_, i) => i), sortCol = -1, asc = true;
    const numeric = columns.map((_, j) => rows.every((r) => num(r[j]) !== null || r[j] === "–" || r[j] === ""));
    // how a column's cells lay out: numbers right-aligned on one line, short labels on one line, long
    // text wrapping in a column wide enough to read (classes styled in _report.css)
    const widest = columns.map((_, j) => Math.max(0, ...rows.map((r) => String(r[j]).length)));
    const kind = columns.map((_, j) => (numeric[j] ? "num" : widest[j] <= 24 ? "short" : "long"));
    columns.forEach((c, j) => {
      const th = document.createElement("th");
      th.className = kind[j];
      th.textContent = c; th.style.cursor = "pointer"; th.title = "sort";
      th.addEventListener("click", () => { asc = sortCol === j ? !asc : true; sortCol = j; draw(); });
      hr.append(th);
    });
    function key(r, j) { return numeric[j] ? (num(r[j]) ?? -Infinity) : String(r[j]).toLowerCase(); }
    function draw() {
      if (sortCol >= 0) {
        order.sort((a, b) => {
          const x = key(rows[a], sortCol), y = key(rows[b], sortCol);
          return (x < y ? -1 : x > y ? 1 : a - b) * (asc ? 1 : -1);
        });
      }
      const q = search.value.trim().toLowerCase();
      tbody.replaceChildren();
      for (const i of order) {
        if (q && !rows[i].some((c) => String(c).toLowerCase().includes(q))) continue;
        const tr = tbody.insertRow();
        rows[i].forEach((c, j) => { const td = tr.insertCell(); td.textContent = String(c); td.className = kind[j]; });
      }
      Array.from(hr.cells).forEach((th, j) => { th.textContent = columns[j] + (j === sortCol ? (asc ? " ▲" : " ▼") : ""); });
    }
    search.addEventListener("input", draw);
    el.append(search, table);
    draw();
    return { table: table, search: search, draw: draw };
  }

  const api = { mount: mount, num: num };
  root.RopeTable = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
