"""The ground layer: what every other layer may import, and which imports nothing of ours.

The records a run is made of (ground/model.py), URLs (ground/urls.py), errors, the base of
configuration sections, word lists, and the HTML layer (ground/html/)."""
