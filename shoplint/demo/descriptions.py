"""The meta descriptions of the shop's content pages (the catalogue's pages write their
own), by path; /faq/ and /voorwaarden/ have none, and two blog posts share one: seeded
defects of the seo family (defects.yml)."""

from __future__ import annotations

BRAND_PAGE = "/merken/gazelle/"
ENGLISH_PAGE = "/en/brands/gazelle/"

DESCRIPTIONS = {
    "/acties/": "Alle acties van Fietsenwinkel De Spaak: gratis onderhoud, proefritten en korting.",
    "/acties/gratis-onderhoudsbeurt/": "Koop een nieuwe fiets en krijg de eerste "
    "onderhoudsbeurt gratis, zonder afspraak.",
    "/acties/e-bike-proefrit/": "Neem een e-bike een dag mee naar huis en probeer hem "
    "zonder kosten uit.",
    "/acties/kerstdeal/": "Kerstdeal: 15% korting op alle fietslampen in de donkere dagen.",
    "/acties/winterdeal/": "De winterdeal van Fietsenwinkel De Spaak in Utrecht.",
    "/blog/": "Tips over fietsen, onderhoud en veilig op weg, van de monteurs van De Spaak.",
    "/blog/veilig-fietsen-met-kinderen/": "Zo leer je je kind veilig fietsen: de juiste "
    "maat, een helm en samen oefenen.",
    "/blog/fiets-winterklaar-maken/": "Zo maak je je fiets klaar voor de winter: "
    "verlichting, banden en de ketting.",
    "/blog/e-bike-accu-verzorgen/": "Tips van onze monteurs voor een fiets die lang meegaat.",
    "/blog/welke-racefiets-past-bij-mij/": "Tips van onze monteurs voor een fiets die lang "
    "meegaat.",
    "/over-ons/": "Fietsenwinkel De Spaak in Utrecht: een familiebedrijf met een eigen werkplaats.",
    "/contact/": "Neem contact op met Fietsenwinkel De Spaak: bel, mail of kom langs in Utrecht.",
    "/privacy/": "Hoe Fietsenwinkel De Spaak omgaat met je gegevens: wat we bewaren en waarom.",
    "/retourneren/": "Retourneren bij De Spaak: dertig dagen bedenktijd, zo stuur je iets terug.",
    "/cadeaubon/": "Geef een cadeaubon van Fietsenwinkel De Spaak, te besteden in de winkel "
    "en online.",
    "/account/": "Log in op je account bij Fietsenwinkel De Spaak en bekijk je bestellingen.",
    "/advies/verlichting/": "Advies over fietsverlichting: welke lampen je nodig hebt en "
    "waar je op let.",
    "/contact/bedankt/": "Bedankt voor je bericht aan Fietsenwinkel De Spaak.",
    BRAND_PAGE: "Alle fietsen van Gazelle bij Fietsenwinkel De Spaak in Utrecht: "
    "stadsfietsen en e-bikes.",
    ENGLISH_PAGE: "All Gazelle bicycles at Fietsenwinkel De Spaak in Utrecht.",
}
