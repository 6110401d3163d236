"""Reports: findings.json and the HTML overview, then the release gate's verdict."""
