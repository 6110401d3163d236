"""Check modules, one per family: links, images, pages, freshness, language, checkout."""
