"""How the run records map to SQL rows and back: the columns in the order every query
selects them, shared by every SQL store."""

from __future__ import annotations

import json

from ground.model import Fetch, Finding, Outcome, RunInfo, RunStatus, StepOutcome, StepStatus

FETCH_COLUMNS = (
    "url, depth, outcome, status, error, redirect_to, content_type, size, elapsed_ms,"
    " last_modified, is_page, title, lang, canonical, meta_robots, heading, anchors, body_problem,"
    " availability, updated, description, product, scripted, words"
)
RUN_COLUMNS = "id, start_url, config_digest, started_at, finished_at, status, today, counters"
FINDING_COLUMNS = "check_name, code, severity, owner, url, target, message, evidence, fingerprint"


def fetch_row(f: Fetch) -> tuple:
    return (
        f.url,
        f.depth,
        f.outcome,
        f.status,
        f.error,
        f.redirect_to,
        f.content_type,
        f.size,
        f.elapsed_ms,
        f.last_modified,
        int(f.is_page),
        f.title,
        f.lang,
        f.canonical,
        f.meta_robots,
        f.heading,
        f.anchors,
        f.body_problem,
        f.availability,
        f.updated,
        f.description,
        f.product,
        f.scripted,
        f.words,
    )


def finding_row(run_id: int, f: Finding) -> tuple:
    return (run_id, f.check, f.code, f.severity, f.owner, f.url, f.target, f.message,
            f.evidence, f.fingerprint)  # fmt: skip


def fetch_of(row: tuple) -> Fetch:
    url, depth, outcome, status, error, redirect_to, ctype, size, ms, lm, is_page, *page = row
    return Fetch(
        url,
        depth,
        Outcome(outcome),
        status,
        error,
        redirect_to,
        ctype,
        size,
        ms,
        lm,
        bool(is_page),
        *page,
    )


def steps_of(text: str) -> tuple[StepOutcome, ...]:
    return tuple(
        StepOutcome(
            **{
                **step,
                "status": StepStatus(step["status"]),
                "hops": tuple(step["hops"]),
                "failed_calls": tuple(step.get("failed_calls", ())),
            }
        )
        for step in json.loads(text)
    )


def run_info_of(row: tuple) -> RunInfo:
    run_id, start_url, digest, started, finished, status, today, counters = row
    return RunInfo(
        run_id,
        start_url,
        digest,
        started,
        finished,
        RunStatus(status),
        today,
        json.loads(counters),
    )
