// Starts the GOV.UK Frontend and MOJ Frontend components on every page, turns each
// <select data-module="app-autocomplete"> into an accessible autocomplete, and gives each long list of
// checkboxes a search box (both still work without JavaScript).
import { initAll as initGovukFrontend } from "./govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./moj-frontend.min.js";

// accessible-autocomplete puts each suggestion into the page as HTML: every name and title
// shown in one is escaped first, so text someone typed can never run as script.
const escapeHtml = (text) =>
  String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const plainText = { inputValue: (value) => value ?? "", suggestion: escapeHtml };

initGovukFrontend();
initMojFrontend();

// The box is described by the field's hint and error, as the select was, so a screen reader reads the error
// on reaching it from the error summary. The library rewrites aria-describedby as the box is first typed in,
// so the ids are put back whenever they go.
function describeLike(input, select) {
  const ids = (select.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
  if (!ids.length) return;
  const describe = () => {
    const own = (input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
    const missing = ids.filter((id) => !own.includes(id));
    if (missing.length) input.setAttribute("aria-describedby", [...missing, ...own].join(" "));
  };
  describe();
  new MutationObserver(describe).observe(input, { attributes: true, attributeFilter: ["aria-describedby"] });
}

// The hidden select holds only an exact choice: after every change to the box, it takes the option whose
// words are exactly the box's text, or none. The library would otherwise leave an option the person never
// chose (typing "a", Escape and Tab confirmed the first name; a misspelt name kept the last one). The box
// is posted too, as <name>-typed, and the server (tracker.forms.Picker) checks the two agree, so a choice
// the person did not see is refused there as well; after an error the box starts with what was typed.
for (const select of document.querySelectorAll('select[data-module="app-autocomplete"]')) {
  const name = select.name;
  const typed = select.dataset.typed;
  const options = [...select.options].filter((option) => option.value);
  let input;
  const keepExact = () => {
    const exact = options.find((option) => option.textContent === input.value.trim());
    select.value = exact ? exact.value : "";
  };
  window.accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    templates: plainText,
    defaultValue: typed ?? "",
    name: `${name}-typed`,
    showAllValues: true,
    confirmOnBlur: false,
    dropdownArrow: () => "",
    onConfirm: () => setTimeout(keepExact), // once the library has put the chosen words in the box
  });
  input = document.getElementById(select.id.replace(/-select$/, ""));
  input.addEventListener("input", keepExact);
  input.form?.addEventListener("submit", keepExact);
  describeLike(input, select);
}

// A long list of checkboxes marked data-module="app-checkbox-filter" (findings, actions, people, evidence
// to cite or attach: hundreds at a county) gains a search box at the top of its fieldset. Typing hides the boxes
// whose words do not hold every word typed, a box already ticked stays in view to show and undo the
// choice, and a status line (a live region) says how many match, which a screen reader announces. Tab
// goes from the box to the boxes still shown, Space ticks one. Enter in the box filters, never sends the
// form. Without JavaScript every box is shown, as before.
for (const group of document.querySelectorAll('[data-module="app-checkbox-filter"]')) {
  const items = [...group.querySelectorAll(".govuk-checkboxes__item")].map((item) => ({
    item,
    box: item.querySelector('input[type="checkbox"]'),
    words: item.querySelector("label").textContent.trim().toLowerCase(),
  }));
  if (!items.length) continue; // nothing to choose from, nothing to search
  const [one, noun] = [group.dataset.filterOne, group.dataset.filterNoun]; // "finding", "findings"
  const id = `${group.id}-filter`;
  const wrapper = document.createElement("div");
  wrapper.className = "govuk-form-group app-checkbox-filter";
  const label = document.createElement("label");
  label.className = "govuk-label";
  label.htmlFor = id;
  label.textContent = group.dataset.filterLabel;
  const hint = document.createElement("div");
  hint.className = "govuk-hint";
  hint.id = `${id}-hint`;
  hint.textContent = "Type any part of what you are looking for. Ticked ones stay in the list.";
  const input = document.createElement("input");
  Object.assign(input, { id, type: "search", className: "govuk-input", spellcheck: false, autocomplete: "off" });
  input.setAttribute("aria-describedby", hint.id);
  input.setAttribute("aria-controls", group.id);
  const status = document.createElement("p");
  status.className = "govuk-body-s govuk-!-margin-top-2 govuk-!-margin-bottom-0";
  status.id = `${id}-status`;
  status.setAttribute("role", "status");
  wrapper.append(label, hint, input, status);
  group.before(wrapper);
  const filter = () => {
    const wanted = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let matching = 0;
    for (const { item, box, words } of items) {
      const matches = wanted.every((word) => words.includes(word));
      matching += matches ? 1 : 0;
      item.hidden = !matches && !box.checked;
    }
    if (items.length === 1) {
      status.textContent = wanted.length ? `The one ${one} ${matching ? "matches" : "does not match"}` : `The one ${one} is shown`;
    } else {
      status.textContent = wanted.length ? `${matching} of ${items.length} ${noun} match` : `All ${items.length} ${noun} shown`;
    }
  };
  input.addEventListener("input", filter);
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") event.preventDefault();
  });
}
