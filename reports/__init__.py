"""Reports: findings routed to their teams (owners), judged by the release gate (with the
baseline of accepted findings), written by one small writer per format (writers/)."""
