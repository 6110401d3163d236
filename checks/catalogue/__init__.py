"""The catalogue: every rule's declaration, one module per family (code, name, severity,
team, the texts for the person who fixes it, and its options), apart from the code that
checks it, so that the configuration, `shoplint checks` and the reports can read the rules
without importing any check. checks/registry.py collects them."""
