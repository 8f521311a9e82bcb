-- concur-smpd store, SQLite flavour. Keep equivalent to migrations/postgres.
-- Times are epoch milliseconds (BIGINT), dates are ISO 'YYYY-MM-DD' TEXT, money is a TEXT
-- decimal plus an ISO 4217 currency code, documents are JSON TEXT.

CREATE TABLE connections (
    id                   TEXT PRIMARY KEY NOT NULL,
    system               TEXT NOT NULL,
    checkpoint           TEXT,
    checkpoint_at        BIGINT,
    next_due_at          BIGINT NOT NULL DEFAULT 0,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    lease_owner          TEXT,
    lease_token          TEXT,
    lease_expires_at     BIGINT,
    last_run_id          TEXT,
    last_status          TEXT,
    last_error           TEXT,
    last_success_at      BIGINT,
    permissions          TEXT,
    updated_at           BIGINT NOT NULL
);

CREATE TABLE services (
    connection_id TEXT NOT NULL,
    id            TEXT NOT NULL,
    body          TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, id)
);

CREATE TABLE costs (
    connection_id   TEXT NOT NULL,
    id              TEXT NOT NULL,
    service_id      TEXT NOT NULL,
    date            TEXT NOT NULL,
    amount          TEXT NOT NULL,
    currency        TEXT NOT NULL,
    posted_amount   TEXT,
    posted_currency TEXT,
    owner_login     TEXT NOT NULL,
    body            TEXT NOT NULL,
    run_id          TEXT,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (connection_id, id)
);
CREATE INDEX costs_date_id ON costs (date, id);
CREATE INDEX costs_service ON costs (service_id, date, id);
CREATE INDEX costs_owner ON costs (owner_login, date, id);

CREATE TABLE owners (
    connection_id TEXT NOT NULL,
    login_id      TEXT NOT NULL,
    name          TEXT,
    email         TEXT,
    department    TEXT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, login_id)
);

CREATE TABLE purged_owners (
    login_hash TEXT PRIMARY KEY NOT NULL,
    pseudonym  TEXT NOT NULL,
    purged_at  BIGINT NOT NULL
);

CREATE TABLE unmatched (
    connection_id TEXT NOT NULL,
    vendor        TEXT NOT NULL,
    body          TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, vendor)
);

CREATE TABLE findings (
    connection_id TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,
    service_id    TEXT NOT NULL,
    kind          TEXT NOT NULL,
    body          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (connection_id, fingerprint)
);

CREATE TABLE sync_runs (
    id             TEXT PRIMARY KEY NOT NULL,
    connection_id  TEXT NOT NULL,
    replica        TEXT NOT NULL,
    trigger_kind   TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    finished_at    BIGINT,
    status         TEXT NOT NULL,
    error          TEXT,
    events         BIGINT NOT NULL DEFAULT 0,
    batches        BIGINT NOT NULL DEFAULT 0,
    costs_upserted BIGINT NOT NULL DEFAULT 0,
    retractions    BIGINT NOT NULL DEFAULT 0,
    stats          TEXT
);
CREATE INDEX sync_runs_connection ON sync_runs (connection_id, started_at);

CREATE TABLE tokens (
    connection_id TEXT PRIMARY KEY NOT NULL,
    nonce         BLOB NOT NULL,
    ciphertext    BLOB NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
