// The quick order page (shoplint/demo/quick_order.py): the cart from its API, and a button
// that goes on to the checkout when clicked.
(function () {
  var overview = document.getElementById("overzicht");
  var button = document.querySelector("button.bestellen");
  fetch("/api/winkelwagen.json").then(function (r) { return r.json(); }).then(function (cart) {
    overview.innerHTML = '<table class="cart">' + cart.lines.map(function (line) {
      return '<tr class="cart-line"><td><a href="' + line.url + '">' + line.name + "</a></td>" +
        '<td class="qty">' + line.qty + '</td><td class="unit-price">' + line.price + "</td></tr>";
    }).join("") + '</table><p class="cart-total">Totaal ' + cart.total + "</p>";
    button.hidden = false;
  });
  fetch("/api/bezorgopties.json").then(function (r) {
    if (!r.ok) { throw new Error("delivery options: " + r.status); }
    return r.json();
  }).then(function (options) {
    document.getElementById("bezorging").textContent = options.text;
  }).catch(function () {});
  button.addEventListener("click", function () { location.href = "/afrekenen/adres/"; });
})();
