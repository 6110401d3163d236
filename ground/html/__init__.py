"""The HTML layer: parse a page once, read its references, its visible text and the facts
a shop page states (stock, "last updated"). Crawler, checks and the checkout walk share it."""
