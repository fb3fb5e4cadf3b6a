// Regula's pages work without this script; it only narrows the catalog's rows as one
// types (the form still filters on the server when submitted).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const q = document.querySelector("#catalog-filter input[name=q]");
  const rows = document.querySelectorAll("#catalog tbody tr");
  if (q && rows.length) {
    q.addEventListener("input", () => {
      const needle = q.value.trim().toLowerCase();
      rows.forEach((tr) => {
        tr.hidden = needle !== "" && !tr.textContent.toLowerCase().includes(needle);
      });
    });
  }
});
