"""`shoplint notify`, and the notifications `shoplint run` sends after its reports: the
run's report data assembled from the store as the reports have it, handed to
reports/notify. Nothing here fails a run: a delivery that fails is a warning line."""

from __future__ import annotations

import os
from datetime import date

from ground.errors import ConfigError
from reports.assemble import assemble
from reports.data import ReportData
from reports.notify.deliver import notify
from shoplint.config import Config
from store import open_store, shown, store_exists


def notify_after_run(report: ReportData, config: Config) -> list[str]:
    if not config.notify.configured:
        return []
    return notify(report, config.notify, config.report.url, os.environ)


def notify_stored_run(
    config: Config, today: date, run_id: int | None, dry_run: bool = False
) -> list[str]:
    """The notifications of run `run_id` (default: the latest finished run in the store)."""
    if not config.notify.configured:
        raise ConfigError("notify: the config has no e-mail and no webhooks to notify")
    where, password_env = config.store.path, config.store.password_env
    if not store_exists(where, password_env):
        raise ConfigError(f"--db {shown(where)}: no run store there")
    store = open_store(where, password_env)
    try:
        if run_id is None:
            latest = store.latest_run(None)
            if latest is None:
                raise ConfigError(f"--db {shown(where)}: no finished run to notify of")
            run_id = latest.id
        try:
            store.run(run_id)
        except KeyError:
            raise ConfigError(f"--run {run_id}: no such run in {shown(where)}") from None
        report = assemble(store, run_id, config, today)
    finally:
        store.close()
    return notify(report, config.notify, config.report.url, os.environ, dry_run=dry_run)
