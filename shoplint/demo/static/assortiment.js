// The assortment app (shoplint/demo/assortiment.py): the page is built here, from the API.
(function () {
  var app = document.getElementById("app");
  var list = app.getAttribute("data-list");
  function euro(price) { return "€ " + (price * 1).toFixed(2).replace(".", ","); }
  if (!list) {
    var categories = [["racefietsen", "Racefietsen"], ["stadsfietsen", "Stadsfietsen"],
      ["e-bikes", "E-bikes"], ["kinderfietsen", "Kinderfietsen"],
      ["accessoires", "Accessoires"], ["outlet", "Outlet"]];  // there is no outlet category
    app.innerHTML = "<h1>Ons assortiment</h1>" +
      "<p>Kies een categorie om alle fietsen en accessoires te bekijken die wij op voorraad " +
      "hebben. Alles wordt gratis afgeleverd en in onze eigen werkplaats rijklaar gemaakt.</p>" +
      '<img src="/static/img/assortiment-banner.png" alt="Fietsen in de winkel">' +
      "<ul>" + categories.map(function (c) {
        return '<li><a href="/assortiment/' + c[0] + '/">' + c[1] + "</a></li>";
      }).join("") + "</ul>";
    return;
  }
  fetch("/api/assortiment/" + list + ".json").then(function (r) { return r.json(); })
    .then(function (products) {
      if (list === "kinderfietsen") { throw new TypeError("products.sort is not a function"); }
      app.innerHTML = "<h1>Assortiment</h1><p>Alle modellen in deze categorie, met hun " +
        "prijs inclusief btw. Bestel vandaag, morgen in huis.</p><ul>" +
        products.map(function (p) {
          var price = typeof p.price === "number" ? euro(p.price) : "€ " + NaN;
          return '<li><a href="' + p.url + '">' + p.name + '</a> <img src="' + p.image +
            '" alt="' + p.name + '"> <span class="prijs">' + price + "</span></li>";
        }).join("") + "</ul>";
    });
})();
