-- The shoplint run store: the one place its schema is written down.
--
-- One database holds many runs (history, "new since last run", the external-link cache).
-- Every row belongs to a run; URLs are stored as text, normalised as in shoplint/urls.py
-- (crawl keys: no fragment, tracking parameters dropped, query sorted).
-- Written in SQLite's SQL; store/schema.py makes PostgreSQL's of it with a few explicit
-- substitutions (its docstring lists them). The schema version is kept in SQLite's PRAGMA
-- user_version, in PostgreSQL's table schema_version; upgrades are in store/schema.py.

-- One row per `shoplint run` (a resumed run keeps its row and id).
CREATE TABLE IF NOT EXISTS runs (
    id            INTEGER PRIMARY KEY,
    start_url     TEXT NOT NULL,
    config_digest TEXT NOT NULL,            -- shoplint.config.Config.digest()
    started_at    TEXT NOT NULL,            -- ISO-8601, UTC
    finished_at   TEXT,
    status        TEXT NOT NULL,            -- running | complete | interrupted | failed
    today         TEXT NOT NULL,            -- the date "outdated" is judged against
    counters      TEXT NOT NULL DEFAULT '{}'  -- JSON: pages, resources, errors, skipped_*, ...
);

-- One row per URL requested (pages, images, stylesheets, scripts, sitemaps, robots.txt).
-- A redirect is a row whose redirect_to names the next hop: chains are walked, not stored.
CREATE TABLE IF NOT EXISTS fetches (
    run_id        INTEGER NOT NULL REFERENCES runs(id),
    url           TEXT NOT NULL,
    depth         INTEGER NOT NULL,         -- link hops from a seed (start URL, sitemap)
    outcome       TEXT NOT NULL,            -- response | failed | disallowed (robots.txt)
                                            -- | skipped: a crawler trap's first address
    status        INTEGER,                  -- HTTP status when outcome = response
    error         TEXT,                     -- dns | refused | timeout | tls | too-large | ...
    redirect_to   TEXT,                     -- normalised Location of a 3xx answer
    content_type  TEXT,
    size          INTEGER,                  -- bytes of body received
    elapsed_ms    INTEGER,                  -- time to the full response
    last_modified TEXT,                     -- Last-Modified header, verbatim
    is_page       INTEGER NOT NULL,         -- 1: an HTML page parsed for references
    title         TEXT,
    lang          TEXT,                     -- <html lang>, else Content-Language (meta, header)
    canonical     TEXT,                     -- <link rel=canonical>, resolved
    meta_robots   TEXT,
    heading       TEXT,                     -- the first <h1>
    anchors       TEXT,                     -- fragment targets (ids, <a name>), space-separated
    body_problem  TEXT,                     -- an image that cannot be shown: empty, corrupt, ...
    availability  TEXT,                     -- a product page: in_stock | out_of_stock
    updated       TEXT,                     -- a page's own "last updated" line or meta, as written
    description   TEXT,                     -- <meta name=description>, whitespace squeezed
    product       TEXT,                     -- a product page: JSON of its description and image
    scripted      TEXT,                     -- a rendered page: addresses only the browser showed
    words         TEXT,                     -- JSON: words the dictionaries reject (spelling)
    PRIMARY KEY (run_id, url)
) WITHOUT ROWID;

-- One row per reference on a parsed page, in document order.
CREATE TABLE IF NOT EXISTS refs (
    run_id   INTEGER NOT NULL REFERENCES runs(id),
    source   TEXT NOT NULL,                 -- the page it is on (fetches.url)
    kind     TEXT NOT NULL,                 -- a | img | img-srcset | ... (model.RefKind)
    raw      TEXT NOT NULL,                 -- as written in the HTML
    url      TEXT,                          -- resolved absolute URL, fragment kept
    target   TEXT,                          -- normalised crawl key (joins fetches.url)
    text     TEXT,                          -- anchor text, or alt text of an image
    method   TEXT                           -- GET | POST for form actions
);
-- Only run_id is indexed: an index on a URL column would cost more than half the crawl's
-- write time (random inserts into a text b-tree). Readers scan a run's refs once instead.
CREATE INDEX IF NOT EXISTS refs_by_run ON refs (run_id);

-- Every URL the site's sitemaps list, with the sitemap that lists it.
CREATE TABLE IF NOT EXISTS sitemap_entries (
    run_id   INTEGER NOT NULL REFERENCES runs(id),
    sitemap  TEXT NOT NULL,
    url      TEXT NOT NULL,
    lastmod  TEXT,
    PRIMARY KEY (run_id, sitemap, url)
) WITHOUT ROWID;

-- Findings of a run, in the shape of findings.json.
CREATE TABLE IF NOT EXISTS findings (
    run_id      INTEGER NOT NULL REFERENCES runs(id),
    check_name  TEXT NOT NULL,              -- links | images | pages | freshness | language | checkout
    code        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    owner       TEXT NOT NULL,              -- the rule's own team; reports route with the config
    url         TEXT NOT NULL,
    target      TEXT,
    message     TEXT NOT NULL,
    evidence    TEXT,
    fingerprint TEXT NOT NULL
);
-- One finding per (code, url, target); COALESCE because SQL keys treat NULLs as distinct.
CREATE UNIQUE INDEX IF NOT EXISTS findings_key ON findings (run_id, code, url, COALESCE(target, ''));
CREATE INDEX IF NOT EXISTS findings_by_fingerprint ON findings (fingerprint);

-- When each finding was first seen on a site: kept when old runs are deleted (store.keep_runs),
-- dropped once no kept run of the site has the finding any more.
CREATE TABLE IF NOT EXISTS finding_history (
    start_url   TEXT NOT NULL,              -- runs.start_url: one history per site
    fingerprint TEXT NOT NULL,
    first_seen  TEXT NOT NULL,              -- the `today` of the earliest run that had it
    PRIMARY KEY (start_url, fingerprint)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS runs_by_start_url ON runs (start_url, id);

-- The external-link cache, shared by all runs: one row per external URL checked (checks/
-- external.py). An ok row is trusted for a while (option LNK008.recheck_ok_days); any
-- other verdict is checked again on the next run.
CREATE TABLE IF NOT EXISTS external_checks (
    url         TEXT PRIMARY KEY,           -- as linked, fragment dropped
    verdict     TEXT NOT NULL,              -- ok | broken | inconclusive
    reason      TEXT NOT NULL,              -- ok | not-found | dns | timeout | blocked | ...
    status      INTEGER,                    -- the last HTTP status, if any
    checked_at  TEXT NOT NULL               -- ISO-8601, UTC
) WITHOUT ROWID;

-- The spelling rules' search for the known words one slip from a word the dictionaries
-- reject (checks/spelling/judge.py), kept across runs: a shop's words change little from
-- night to night, and a search costs 5-60 ms. Trusted only for the same dictionaries.
CREATE TABLE IF NOT EXISTS spelling_neighbours (
    lang          TEXT NOT NULL,            -- nl | en | de | fr
    word          TEXT NOT NULL,            -- as searched (lower case but for a name)
    dictionaries  TEXT NOT NULL,            -- the dictionary packages' versions
    neighbours    TEXT NOT NULL,            -- the known words found, space-separated
    PRIMARY KEY (lang, word)
) WITHOUT ROWID;

-- Checkout flows walked with a run (checks/checkout/): one row per flow, in walking order.
CREATE TABLE IF NOT EXISTS checkout_flows (
    run_id     INTEGER NOT NULL REFERENCES runs(id),
    name       TEXT NOT NULL,               -- the flow's name from the config
    start_url  TEXT NOT NULL,
    end_state  TEXT NOT NULL,               -- completed | stopped | handed-over | failed
    total_ms   INTEGER NOT NULL,            -- the steps' times added up
    steps      TEXT NOT NULL,               -- JSON list, one object per step (model.StepOutcome)
    UNIQUE (run_id, name)
);
