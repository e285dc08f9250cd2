// Runs first in <body>: lets GOV.UK Frontend style for JavaScript only when it can run.
document.body.classList.add("js-enabled");
if ("noModule" in HTMLScriptElement.prototype) {
  document.body.classList.add("govuk-frontend-supported");
}
