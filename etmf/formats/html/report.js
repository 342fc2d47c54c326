"use strict";
(() => {
  const data = JSON.parse(document.getElementById("etmf-data").textContent);
  const form = document.getElementById("finding-filters");
  const count = document.getElementById("finding-count");
  if (form && count) {
    const rows = Array.from(document.querySelectorAll("#findings-table tbody tr"));
    const keys = ["country", "site", "kind", "severity", "status"];
    const apply = () => {
      const country = form.elements.country.value;
      for (const option of form.elements.site.options) {
        option.hidden = Boolean(option.value && country && data.siteCountry[option.value] !== country);
      }
      if (form.elements.site.selectedOptions[0]?.hidden) form.elements.site.value = "";
      const wanted = keys.map((key) => [key, form.elements[key].value]).filter(([, value]) => value);
      let shown = 0;
      for (const row of rows) {
        const match = wanted.every(([key, value]) => row.dataset[key] === value);
        row.hidden = !match;
        if (match) shown += 1;
      }
      count.textContent = `${shown} of ${rows.length} findings`;
      count.dataset.shown = String(shown);
    };
    form.addEventListener("change", apply);
    form.addEventListener("reset", () => setTimeout(apply, 0));
    form.addEventListener("submit", (event) => event.preventDefault());
    form.hidden = false;
    apply();
  }
  const reveal = () => {
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.tagName === "DETAILS") target.open = true;
  };
  window.addEventListener("hashchange", reveal);
  reveal();
  let opened = [];
  window.addEventListener("beforeprint", () => {
    opened = Array.from(document.querySelectorAll("details:not([open])"));
    for (const details of opened) details.open = true;
  });
  window.addEventListener("afterprint", () => {
    for (const details of opened) details.open = false;
    opened = [];
  });
})();
