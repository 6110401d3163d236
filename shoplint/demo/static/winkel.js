// Fietsenwinkel De Spaak: prevent double submits of shop forms.
document.addEventListener("submit", function (event) {
  var button = event.target.querySelector("button[type=submit]");
  if (button) {
    window.setTimeout(function () { button.disabled = true; }, 0);
  }
});
