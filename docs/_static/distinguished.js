// Names the theme's controls by what they show (axe-core: summary-name, label-content-name-mismatch).
document.addEventListener("DOMContentLoaded", () => {
  // The navigation's expanders: "Show the pages of <section>".
  document.querySelectorAll("li.has-children > details > summary").forEach((summary) => {
    const link = summary.closest("li").querySelector(":scope > a");
    if (link && !summary.textContent.trim()) {
      summary.setAttribute("aria-label", `Show the pages of ${link.textContent.trim()}`);
    }
  });
  // The search buttons show "Search" and a shortcut: their name is what they show.
  document.querySelectorAll("button.search-button-field[aria-label]").forEach((button) => {
    button.removeAttribute("aria-label");
  });
});
