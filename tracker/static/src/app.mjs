// Starts the GOV.UK Frontend and MOJ Frontend components on every page, and turns each
// <select data-module="app-autocomplete"> into an accessible autocomplete (the select still
// works without JavaScript).
import { initAll as initGovukFrontend } from "./govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./moj-frontend.min.js";

initGovukFrontend();
initMojFrontend();

for (const select of document.querySelectorAll('select[data-module="app-autocomplete"]')) {
  window.accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    defaultValue: "",
    showAllValues: true,
    dropdownArrow: () => "",
  });
}
