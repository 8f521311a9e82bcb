//! Persistence: SQLite (default) or PostgreSQL through sqlx's `Any` driver with run-time
//! queries (building needs no database).
//!
//! * Schema: `migrations/sqlite` and `migrations/postgres` (equivalent; embedded with
//!   `sqlx::migrate!`). Times are epoch milliseconds (UTC), transaction dates `YYYY-MM-DD`
//!   text, money a TEXT decimal plus an ISO 4217 code, documents JSON text.
//! * Leasing: a replica owns a connection while it syncs it. On PostgreSQL the claim is
//!   `SELECT … FOR UPDATE SKIP LOCKED` plus a lease expiry, so replicas share the work and a
//!   dead replica's lease is taken over once it expires. Every batch commit re-checks the
//!   lease in the same transaction (fencing): a replica that lost its lease cannot write.
//! * Batches: the events a source emitted before a checkpoint are written in one transaction
//!   together with that checkpoint.

use std::collections::HashSet;
use std::time::Duration;

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use saas_discovery::{Checkpoint, Cost, DiscoveryEvent, Finding, Service, Stats, UnmatchedSpend};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Row as _};

use crate::crypto::{CryptoError, TokenCipher};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Store errors. Messages never contain token material.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database failed or is unreachable.
    #[error("store: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the migrations failed.
    #[error("store migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The store URL is not supported.
    #[error("unsupported store URL (expected sqlite:// or postgres://)")]
    UnsupportedUrl,
    /// A stored value could not be decoded.
    #[error("store holds an unreadable value: {0}")]
    Corrupt(String),
    /// This replica no longer holds the connection's lease (another replica took it over).
    #[error("lease on connection {0} was lost")]
    LeaseLost(String),
    /// The connection is not known to the store.
    #[error("unknown connection {0}")]
    UnknownConnection(String),
    /// Token encryption / decryption failed.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which database is behind the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    /// SQLite (single node).
    Sqlite,
    /// PostgreSQL (several replicas can share it).
    Postgres,
}

/// How to open a store.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// `sqlite://PATH[?mode=rwc]`, `sqlite::memory:` or `postgres://…`.
    pub url: String,
    /// PostgreSQL schema to use (created if missing); ignored for SQLite.
    pub schema: Option<String>,
    /// Pool size.
    pub max_connections: u32,
}

impl StoreOptions {
    /// Options for `url` with no schema and 8 connections.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            schema: None,
            max_connections: 8,
        }
    }
}

/// A connection's lease, held by one replica while it syncs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The connection.
    pub connection_id: String,
    /// The replica holding it.
    pub owner: String,
    /// A fresh random token per claim (fencing).
    pub token: String,
}

/// A connection's stored state (API shape). Never contains tokens or the checkpoint itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConnectionState {
    /// Connection id.
    pub id: String,
    /// Source system (`concur`).
    pub system: String,
    /// When the current checkpoint was written (RFC 3339), if any.
    pub checkpoint_at: Option<DateTime<Utc>>,
    /// When the next sync is due (RFC 3339).
    pub next_due_at: Option<DateTime<Utc>>,
    /// Failed syncs in a row.
    pub consecutive_failures: i64,
    /// Replica holding the lease, if any (may be expired).
    pub lease_owner: Option<String>,
    /// Lease expiry (RFC 3339), if any.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Id of the last sync run.
    pub last_run_id: Option<String>,
    /// Status of the last finished sync (`complete`, `partial`, `cancelled`, `failed`, …).
    pub last_status: Option<String>,
    /// Error of the last failed sync.
    pub last_error: Option<String>,
    /// When the last successful sync finished (RFC 3339).
    pub last_success_at: Option<DateTime<Utc>>,
    /// Result of the last permission probe (JSON), if any.
    pub permissions: Option<serde_json::Value>,
}

/// One sync run with its statistics (API shape).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SyncRun {
    /// Run id (UUID).
    pub id: String,
    /// Connection id.
    pub connection_id: String,
    /// Replica that ran it.
    pub replica: String,
    /// `schedule` or `manual`.
    pub trigger: String,
    /// Start (RFC 3339).
    pub started_at: Option<DateTime<Utc>>,
    /// End (RFC 3339), `null` while running.
    pub finished_at: Option<DateTime<Utc>>,
    /// `running`, `complete`, `partial`, `cancelled`, `failed`, `lease_lost` or `abandoned`.
    pub status: String,
    /// Error message of a failed run.
    pub error: Option<String>,
    /// Events received from the source.
    pub events: i64,
    /// Batches (transactions) committed.
    pub batches: i64,
    /// Costs written (inserted or updated).
    pub costs_upserted: i64,
    /// Costs deleted by retractions.
    pub retractions: i64,
    /// The source's statistics, when the run completed.
    pub stats: Option<Stats>,
}

/// Filters and paging for [`Store::costs`].
#[derive(Clone, Debug, Default)]
pub struct CostQuery {
    /// Only this connection.
    pub connection: Option<String>,
    /// Only this service id.
    pub service: Option<String>,
    /// Only this owner (`login_id`, or a pseudonym after a purge).
    pub owner: Option<String>,
    /// Transaction date on or after.
    pub from: Option<NaiveDate>,
    /// Transaction date on or before.
    pub to: Option<NaiveDate>,
    /// Opaque cursor from a previous page.
    pub cursor: Option<String>,
    /// Page size (1..=1000, default 100).
    pub limit: Option<u32>,
}

/// A stored cost with its connection.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StoredCost {
    /// Connection id.
    pub connection_id: String,
    /// The cost (docs/model.md shape).
    #[serde(flatten)]
    pub cost: Cost,
}

/// One page of costs, ordered by date then id.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostPage {
    /// The costs.
    pub items: Vec<StoredCost>,
    /// Cursor for the next page, `null` on the last page.
    pub next_cursor: Option<String>,
}

/// What one committed batch changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchResult {
    /// Events in the batch.
    pub events: u64,
    /// Costs upserted.
    pub costs_upserted: u64,
    /// Costs deleted by retractions.
    pub retractions: u64,
}

/// Result of a personal-data purge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PurgeResult {
    /// The pseudonymous id the owner's costs are now attributed to.
    pub pseudonym: String,
    /// Costs re-attributed.
    pub costs_updated: u64,
    /// Unmatched-spend buckets scrubbed.
    pub unmatched_updated: u64,
    /// Owner records deleted.
    pub owners_deleted: u64,
}

/// How a sync ended, for [`Store::finish_run`].
#[derive(Clone, Debug)]
pub struct RunEnd {
    /// Final status (see [`SyncRun::status`]).
    pub status: String,
    /// Error message, if failed.
    pub error: Option<String>,
    /// Source statistics, if any.
    pub stats: Option<Stats>,
    /// When the connection is due next (epoch ms); `None` keeps the current value.
    pub next_due_at: Option<i64>,
    /// `true` counts a failure (backoff), `false` resets the failure counter.
    pub failed: bool,
    /// When the lease was claimed (epoch ms). A manual trigger after this instant keeps the
    /// connection due, so it syncs again right away.
    pub claimed_at: i64,
}

/// The store.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    salt: String,
}

/// Current time in epoch milliseconds (UTC).
pub fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn ms_to_dt(ms: Option<i64>) -> Option<DateTime<Utc>> {
    ms.and_then(DateTime::from_timestamp_millis)
}

fn dur_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn finding_fingerprint(f: &Finding) -> Result<String> {
    let json = serde_json::to_vec(f).map_err(|e| corrupt("finding", e))?;
    Ok(hex::encode(Sha256::digest(&json)))
}

impl Store {
    /// Opens the store and applies the migrations.
    ///
    /// # Errors
    /// [`StoreError`] when the database is unreachable or a migration fails.
    pub async fn connect(opts: &StoreOptions) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = if opts.url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if opts.url.starts_with("postgres://") || opts.url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        if backend == Backend::Sqlite
            && let Some(path) = sqlite_path(&opts.url)
            && let Some(dir) = std::path::Path::new(&path).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        }
        // The database holds personal data and encrypted tokens: create it owner-only (0600)
        // before SQLite opens it; SQLite gives its -wal/-shm files the same mode.
        if backend == Backend::Sqlite
            && let Some(path) = sqlite_path(&opts.url)
            && path != ":memory:"
            && !std::path::Path::new(&path).exists()
        {
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                o.mode(0o600);
            }
            if let Err(e) = o.open(&path)
                && e.kind() != std::io::ErrorKind::AlreadyExists
            {
                return Err(StoreError::Database(sqlx::Error::Io(e)));
            }
        }
        let schema = match backend {
            Backend::Postgres => opts.schema.clone(),
            Backend::Sqlite => None,
        };
        if let Some(schema) = &schema {
            if !schema
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(StoreError::Corrupt(format!(
                    "invalid schema name {schema:?}"
                )));
            }
            // Create the schema on a plain connection first.
            let boot = AnyPoolOptions::new()
                .max_connections(1)
                .connect(&opts.url)
                .await?;
            sqlx::query(AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}"
            )))
            .execute(&boot)
            .await?;
            boot.close().await;
        }
        let mut pool_opts = AnyPoolOptions::new().max_connections(opts.max_connections.max(1));
        if backend == Backend::Sqlite && opts.url.contains(":memory:") {
            // One connection: every connection to :memory: is a different database.
            pool_opts = pool_opts.max_connections(1);
        }
        if let Some(schema) = schema {
            pool_opts = pool_opts.after_connect(move |conn, _meta| {
                let sql = format!("SET search_path TO {schema}");
                Box::pin(async move {
                    sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await?;
                    Ok(())
                })
            });
        }
        let pool = pool_opts.connect(&opts.url).await?;
        match backend {
            Backend::Sqlite => {
                // SQLite has no migration lock: when two processes migrate a new file at the
                // same moment, one fails ("table … already exists") once the other commits;
                // run again, it then finds the migrations applied.
                let mut attempt = 0u64;
                loop {
                    match SQLITE_MIGRATOR.run(&pool).await {
                        Ok(()) => break,
                        Err(_) if attempt < 5 => {
                            attempt += 1;
                            tokio::time::sleep(std::time::Duration::from_millis(50 * attempt))
                                .await;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            Backend::Postgres => POSTGRES_MIGRATOR.run(&pool).await?,
        }
        let mut store = Self {
            pool,
            backend,
            salt: String::new(),
        };
        store.salt = store.load_salt().await?;
        Ok(store)
    }

    async fn load_salt(&self) -> Result<String> {
        let mut bytes = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
        sqlx::query(
            "INSERT INTO settings (name, value) VALUES ('pseudonym_salt', $1) ON CONFLICT (name) DO NOTHING",
        )
        .bind(hex::encode(bytes))
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT value FROM settings WHERE name = 'pseudonym_salt'")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<String, _>("value")?)
    }

    /// The database behind the store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool (for tests and diagnostics).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Checks that the database answers.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Registers a configured connection (no-op when it exists).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn ensure_connection(&self, id: &str, system: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO connections (id, system, next_due_at, consecutive_failures, updated_at) \
             VALUES ($1, $2, 0, 0, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(id)
        .bind(system)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The stable pseudonymous id of an owner (`anon-` + 16 hex digits of a salted SHA-256).
    pub fn pseudonym(&self, login_id: &str) -> String {
        let mut h = Sha256::new();
        h.update(self.salt.as_bytes());
        h.update([0u8]);
        h.update(login_id.as_bytes());
        format!("anon-{}", &hex::encode(h.finalize())[..16])
    }

    // ---------------------------------------------------------------- leasing

    /// Claims the first due connection among `ids` whose lease is free or expired.
    ///
    /// PostgreSQL: `SELECT … FOR UPDATE SKIP LOCKED` in a transaction, so concurrent replicas
    /// never pick the same row. SQLite: a single conditional `UPDATE`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn claim_next(
        &self,
        ids: &[String],
        replica: &str,
        now: i64,
        ttl: Duration,
    ) -> Result<Option<Lease>> {
        if ids.is_empty() {
            return Ok(None);
        }
        let token = uuid::Uuid::new_v4().to_string();
        let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
        let filter = format!(
            "id IN ({}) AND next_due_at <= $1 AND (lease_owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < $1)",
            placeholders.join(", ")
        );
        match self.backend {
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                let sql = format!(
                    "SELECT id FROM connections WHERE {filter} ORDER BY next_due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"
                );
                let mut q = sqlx::query(AssertSqlSafe(sql)).bind(now);
                for id in ids {
                    q = q.bind(id.as_str());
                }
                let Some(row) = q.fetch_optional(&mut *tx).await? else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let id: String = row.try_get("id")?;
                sqlx::query(
                    "UPDATE connections SET lease_owner = $1, lease_token = $2, lease_expires_at = $3, updated_at = $4 WHERE id = $5",
                )
                .bind(replica)
                .bind(token.as_str())
                .bind(now + dur_ms(ttl))
                .bind(now)
                .bind(id.as_str())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Some(Lease {
                    connection_id: id,
                    owner: replica.to_owned(),
                    token,
                }))
            }
            Backend::Sqlite => {
                let n = ids.len() + 2;
                let sql = format!(
                    "UPDATE connections SET lease_owner = ${a}, lease_token = ${b}, lease_expires_at = ${c}, updated_at = $1 \
                     WHERE id = (SELECT id FROM connections WHERE {filter} ORDER BY next_due_at, id LIMIT 1) \
                     AND (lease_owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < $1) RETURNING id",
                    a = n,
                    b = n + 1,
                    c = n + 2
                );
                let mut q = sqlx::query(AssertSqlSafe(sql)).bind(now);
                for id in ids {
                    q = q.bind(id.as_str());
                }
                let row = q
                    .bind(replica)
                    .bind(token.as_str())
                    .bind(now + dur_ms(ttl))
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(row) => Some(Lease {
                        connection_id: row.try_get("id")?,
                        owner: replica.to_owned(),
                        token,
                    }),
                    None => None,
                })
            }
        }
    }

    /// Extends a held lease to `now + ttl`.
    ///
    /// # Errors
    /// [`StoreError::LeaseLost`] when the lease is no longer held; [`StoreError::Database`].
    pub async fn renew_lease(&self, lease: &Lease, now: i64, ttl: Duration) -> Result<()> {
        let r = sqlx::query(
            "UPDATE connections SET lease_expires_at = $1, updated_at = $2 WHERE id = $3 AND lease_owner = $4 AND lease_token = $5",
        )
        .bind(now + dur_ms(ttl))
        .bind(now)
        .bind(lease.connection_id.as_str())
        .bind(lease.owner.as_str())
        .bind(lease.token.as_str())
        .execute(&self.pool)
        .await?;
        if r.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::LeaseLost(lease.connection_id.clone()))
        }
    }

    /// Marks a connection due now (manual trigger).
    ///
    /// # Errors
    /// [`StoreError::UnknownConnection`]; [`StoreError::Database`].
    pub async fn request_sync(&self, id: &str) -> Result<()> {
        let r =
            sqlx::query("UPDATE connections SET next_due_at = $1, updated_at = $1 WHERE id = $2")
                .bind(now_ms())
                .bind(id)
                .execute(&self.pool)
                .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::UnknownConnection(id.to_owned()));
        }
        Ok(())
    }

    /// The connection's checkpoint, if any.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn checkpoint(&self, id: &str) -> Result<Option<Checkpoint>> {
        let row = sqlx::query("SELECT checkpoint FROM connections WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::UnknownConnection(id.to_owned()))?;
        let text: Option<String> = row.try_get("checkpoint")?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| corrupt("checkpoint", e)))
            .transpose()
    }

    // ---------------------------------------------------------------- runs

    /// Records the start of a sync run.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn start_run(&self, run_id: &str, lease: &Lease, trigger: &str) -> Result<()> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        // Holding the lease proves any other `running` run of this connection is dead.
        sqlx::query(
            "UPDATE sync_runs SET status = 'abandoned', finished_at = $1 WHERE connection_id = $2 AND status = 'running'",
        )
        .bind(now)
        .bind(lease.connection_id.as_str())
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE connections SET last_run_id = $1, updated_at = $2 WHERE id = $3")
            .bind(run_id)
            .bind(now)
            .bind(lease.connection_id.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sync_runs (id, connection_id, replica, trigger_kind, started_at, status) VALUES ($1, $2, $3, $4, $5, 'running')",
        )
        .bind(run_id)
        .bind(lease.connection_id.as_str())
        .bind(lease.owner.as_str())
        .bind(trigger)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Finishes a run: records its status and statistics, schedules the connection and
    /// releases the lease (only if still held).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn finish_run(&self, run_id: &str, lease: &Lease, end: &RunEnd) -> Result<()> {
        let now = now_ms();
        let stats = end
            .stats
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| corrupt("stats", e))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE sync_runs SET finished_at = $1, status = $2, error = $3, stats = $4 WHERE id = $5",
        )
        .bind(now)
        .bind(end.status.as_str())
        .bind(end.error.clone())
        .bind(stats)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        let success_at = if end.failed { None } else { Some(now) };
        sqlx::query(
            "UPDATE connections SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, \
             last_status = $1, last_error = $2, \
             next_due_at = CASE WHEN next_due_at > $10 THEN next_due_at ELSE COALESCE($3, next_due_at) END, \
             consecutive_failures = CASE WHEN $4 = 1 THEN consecutive_failures + 1 ELSE 0 END, \
             last_success_at = COALESCE($5, last_success_at), updated_at = $6 \
             WHERE id = $7 AND lease_owner = $8 AND lease_token = $9",
        )
        .bind(end.status.as_str())
        .bind(end.error.clone())
        .bind(end.next_due_at)
        .bind(i64::from(end.failed))
        .bind(success_at)
        .bind(now)
        .bind(lease.connection_id.as_str())
        .bind(lease.owner.as_str())
        .bind(lease.token.as_str())
        .bind(end.claimed_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks runs left `running` by a replica that died (their lease expired or is held by
    /// nobody) as `abandoned`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn mark_abandoned_runs(&self, now: i64) -> Result<u64> {
        let r = sqlx::query(
            "UPDATE sync_runs SET status = 'abandoned', finished_at = $1 WHERE status = 'running' AND connection_id IN \
             (SELECT id FROM connections WHERE lease_owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < $1)",
        )
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected())
    }

    /// The consecutive failure count of a connection.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn consecutive_failures(&self, id: &str) -> Result<u32> {
        let row = sqlx::query("SELECT consecutive_failures FROM connections WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::UnknownConnection(id.to_owned()))?;
        let n: i64 = row.try_get("consecutive_failures")?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Stores the last permission probe result of a connection.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn set_permissions(&self, id: &str, permissions: &serde_json::Value) -> Result<()> {
        sqlx::query("UPDATE connections SET permissions = $1, updated_at = $2 WHERE id = $3")
            .bind(permissions.to_string())
            .bind(now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---------------------------------------------------------------- batches

    /// Commits one batch of events, and the checkpoint that covers them, in one transaction.
    ///
    /// The lease is re-checked (and extended to `now + ttl`) first; if it is no longer held
    /// nothing is written and [`StoreError::LeaseLost`] is returned. Services and costs are
    /// upserted by id, retractions delete costs, unmatched spend is upserted by vendor,
    /// findings are de-duplicated, costs of purged owners are pseudonymised, progress events
    /// are ignored. `stats`, when given, is recorded on the run.
    ///
    /// # Errors
    /// [`StoreError`]; nothing of the batch is written then.
    pub async fn commit_batch(
        &self,
        lease: &Lease,
        run_id: &str,
        events: Vec<DiscoveryEvent>,
        checkpoint: Option<&Checkpoint>,
        ttl: Duration,
    ) -> Result<BatchResult> {
        let now = now_ms();
        let conn = lease.connection_id.as_str();
        let mut tx = self.pool.begin().await?;
        // Fence first: this write also takes the row lock (PostgreSQL) / write lock (SQLite).
        let cp_text = checkpoint
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| corrupt("checkpoint", e))?;
        let fenced = sqlx::query(
            "UPDATE connections SET lease_expires_at = $1, updated_at = $2, \
             checkpoint = COALESCE($3, checkpoint), \
             checkpoint_at = CASE WHEN $3 IS NULL THEN checkpoint_at ELSE $2 END \
             WHERE id = $4 AND lease_owner = $5 AND lease_token = $6",
        )
        .bind(now + dur_ms(ttl))
        .bind(now)
        .bind(cp_text)
        .bind(conn)
        .bind(lease.owner.as_str())
        .bind(lease.token.as_str())
        .execute(&mut *tx)
        .await?;
        if fenced.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(StoreError::LeaseLost(conn.to_owned()));
        }
        let purged: HashSet<String> = sqlx::query("SELECT pseudonym FROM purged_owners")
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .map(|r| r.try_get::<String, _>("pseudonym"))
            .collect::<Result<_, _>>()?;
        let mut result = BatchResult {
            events: events.len() as u64,
            ..BatchResult::default()
        };
        for event in events {
            match event {
                DiscoveryEvent::Service(mut s) => {
                    // Aggregates are recomputed from the stored costs on read.
                    s.owners.clear();
                    s.first_seen = None;
                    s.last_seen = None;
                    let body = serde_json::to_string(&s).map_err(|e| corrupt("service", e))?;
                    sqlx::query(
                        "INSERT INTO services (connection_id, id, body, updated_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (connection_id, id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                    )
                    .bind(conn)
                    .bind(s.id.as_str())
                    .bind(body)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                DiscoveryEvent::Cost(mut c) => {
                    let pseudo = self.pseudonym(&c.owner.login_id);
                    if purged.contains(&pseudo) {
                        scrub_owner(&mut c.owner, &pseudo);
                    } else {
                        sqlx::query(
                            "INSERT INTO owners (connection_id, login_id, name, email, department, updated_at) \
                             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (connection_id, login_id) DO UPDATE SET \
                             name = excluded.name, email = excluded.email, department = excluded.department, updated_at = excluded.updated_at",
                        )
                        .bind(conn)
                        .bind(c.owner.login_id.as_str())
                        .bind(c.owner.name.clone())
                        .bind(c.owner.email.clone())
                        .bind(c.owner.department.clone())
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    }
                    let body = serde_json::to_string(&c).map_err(|e| corrupt("cost", e))?;
                    sqlx::query(
                        "INSERT INTO costs (connection_id, id, service_id, date, amount, currency, posted_amount, posted_currency, owner_login, body, run_id, updated_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (connection_id, id) DO UPDATE SET \
                         service_id = excluded.service_id, date = excluded.date, amount = excluded.amount, currency = excluded.currency, \
                         posted_amount = excluded.posted_amount, posted_currency = excluded.posted_currency, owner_login = excluded.owner_login, \
                         body = excluded.body, run_id = excluded.run_id, updated_at = excluded.updated_at",
                    )
                    .bind(conn)
                    .bind(c.id.as_str())
                    .bind(c.service_id.as_str())
                    .bind(c.date.format("%Y-%m-%d").to_string())
                    .bind(c.amount.amount().to_string())
                    .bind(c.amount.currency().code())
                    .bind(c.posted_amount.map(|m| m.amount().to_string()))
                    .bind(c.posted_amount.map(|m| m.currency().code().to_owned()))
                    .bind(c.owner.login_id.as_str())
                    .bind(body)
                    .bind(run_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    result.costs_upserted += 1;
                }
                DiscoveryEvent::Retraction(r) => {
                    let d = sqlx::query("DELETE FROM costs WHERE connection_id = $1 AND id = $2")
                        .bind(conn)
                        .bind(r.cost_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    result.retractions += d.rows_affected();
                }
                DiscoveryEvent::Unmatched(mut u) => {
                    scrub_unmatched(&mut u, |login| {
                        let p = self.pseudonym(login);
                        purged.contains(&p).then_some(p)
                    });
                    let body = serde_json::to_string(&u).map_err(|e| corrupt("unmatched", e))?;
                    sqlx::query(
                        "INSERT INTO unmatched (connection_id, vendor, body, updated_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (connection_id, vendor) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                    )
                    .bind(conn)
                    .bind(u.vendor.as_str())
                    .bind(body)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                DiscoveryEvent::Finding(f) => {
                    let body = serde_json::to_string(&f).map_err(|e| corrupt("finding", e))?;
                    sqlx::query(
                        "INSERT INTO findings (connection_id, fingerprint, service_id, kind, body, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (connection_id, fingerprint) DO NOTHING",
                    )
                    .bind(conn)
                    .bind(finding_fingerprint(&f)?)
                    .bind(f.service_id.as_str())
                    .bind(f.kind.as_str())
                    .bind(body)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                DiscoveryEvent::Stats(s) => {
                    let body = serde_json::to_string(&s).map_err(|e| corrupt("stats", e))?;
                    sqlx::query("UPDATE sync_runs SET stats = $1 WHERE id = $2")
                        .bind(body)
                        .bind(run_id)
                        .execute(&mut *tx)
                        .await?;
                }
                // Progress changes no data; checkpoints are handled by the caller.
                _ => {}
            }
        }
        sqlx::query(
            "UPDATE sync_runs SET events = events + $1, batches = batches + 1, \
             costs_upserted = costs_upserted + $2, retractions = retractions + $3 WHERE id = $4",
        )
        .bind(result.events as i64)
        .bind(result.costs_upserted as i64)
        .bind(result.retractions as i64)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(result)
    }

    // ---------------------------------------------------------------- tokens

    /// Saves a connection's token record encrypted (`nonce`, `ciphertext`; the connection id is
    /// the associated data).
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn save_token(&self, cipher: &TokenCipher, id: &str, plaintext: &[u8]) -> Result<()> {
        let (nonce, ct) = cipher.encrypt(plaintext, id.as_bytes())?;
        sqlx::query(
            "INSERT INTO tokens (connection_id, nonce, ciphertext, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (connection_id) DO UPDATE SET nonce = excluded.nonce, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(nonce)
        .bind(ct)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Loads and decrypts a connection's token record, if stored.
    ///
    /// # Errors
    /// [`StoreError::Crypto`] with a wrong key or tampered data; [`StoreError::Database`].
    pub async fn load_token(&self, cipher: &TokenCipher, id: &str) -> Result<Option<Vec<u8>>> {
        let Some(row) =
            sqlx::query("SELECT nonce, ciphertext FROM tokens WHERE connection_id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(None);
        };
        let nonce: Vec<u8> = row.try_get("nonce")?;
        let ct: Vec<u8> = row.try_get("ciphertext")?;
        Ok(Some(cipher.decrypt(&nonce, &ct, id.as_bytes())?))
    }

    // ---------------------------------------------------------------- reads

    /// All connection states, by id.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn connections(&self) -> Result<Vec<ConnectionState>> {
        let rows = sqlx::query(
            "SELECT id, system, checkpoint_at, next_due_at, consecutive_failures, lease_owner, lease_expires_at, \
             last_run_id, last_status, last_error, last_success_at, permissions FROM connections ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(connection_from_row).collect()
    }

    /// Services with aggregates (first/last seen, owners) computed from the stored costs.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn services(
        &self,
        connection: Option<&str>,
        id: Option<&str>,
    ) -> Result<Vec<(String, Service)>> {
        let mut sql = String::from("SELECT connection_id, body FROM services WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        if let Some(c) = connection {
            binds.push(c.to_owned());
            sql.push_str(&format!(" AND connection_id = ${}", binds.len()));
        }
        if let Some(i) = id {
            binds.push(i.to_owned());
            sql.push_str(&format!(" AND id = ${}", binds.len()));
        }
        sql.push_str(" ORDER BY id, connection_id");
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for b in &binds {
            q = q.bind(b.as_str());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut out: Vec<(String, Service)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let conn: String = r.try_get("connection_id")?;
            let body: String = r.try_get("body")?;
            let s: Service = serde_json::from_str(&body).map_err(|e| corrupt("service", e))?;
            out.push((conn, s));
        }
        // Aggregate per connection.
        let mut conns: Vec<String> = out.iter().map(|(c, _)| c.clone()).collect();
        conns.sort();
        conns.dedup();
        for c in conns {
            let costs: Vec<Cost> = match id {
                Some(sid) => self.cost_bodies(&c, Some(sid)).await?,
                None => self.cost_bodies(&c, None).await?,
            };
            let mut services: Vec<Service> = out
                .iter()
                .filter(|(cc, _)| *cc == c)
                .map(|(_, s)| s.clone())
                .collect();
            saas_discovery::aggregate_services(&mut services, &costs)
                .map_err(|e| corrupt("aggregate", e))?;
            let mut it = services.into_iter();
            for (cc, s) in out.iter_mut() {
                if *cc == c
                    && let Some(agg) = it.next()
                {
                    *s = agg;
                }
            }
        }
        Ok(out)
    }

    async fn cost_bodies(&self, connection: &str, service: Option<&str>) -> Result<Vec<Cost>> {
        let rows = match service {
            Some(s) => {
                sqlx::query("SELECT body FROM costs WHERE connection_id = $1 AND service_id = $2 ORDER BY date, id")
                    .bind(connection)
                    .bind(s)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT body FROM costs WHERE connection_id = $1 ORDER BY date, id")
                    .bind(connection)
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                serde_json::from_str(&body).map_err(|e| corrupt("cost", e))
            })
            .collect()
    }

    /// Every stored cost of a connection, ordered by date then id.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn all_costs(&self, connection: &str) -> Result<Vec<Cost>> {
        self.cost_bodies(connection, None).await
    }

    /// One page of costs (keyset paging on date, id).
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for an unreadable cursor; [`StoreError::Database`].
    pub async fn costs(&self, q: &CostQuery) -> Result<CostPage> {
        let limit = q.limit.unwrap_or(100).clamp(1, 1000);
        let mut sql = String::from("SELECT connection_id, date, id, body FROM costs WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        let push = |cond: &str, v: String, binds: &mut Vec<String>, sql: &mut String| {
            binds.push(v);
            sql.push_str(&cond.replace("?", &format!("${}", binds.len())));
        };
        if let Some(c) = &q.connection {
            push(" AND connection_id = ?", c.clone(), &mut binds, &mut sql);
        }
        if let Some(s) = &q.service {
            push(" AND service_id = ?", s.clone(), &mut binds, &mut sql);
        }
        if let Some(o) = &q.owner {
            push(" AND owner_login = ?", o.clone(), &mut binds, &mut sql);
        }
        if let Some(f) = q.from {
            push(
                " AND date >= ?",
                f.format("%Y-%m-%d").to_string(),
                &mut binds,
                &mut sql,
            );
        }
        if let Some(t) = q.to {
            push(
                " AND date <= ?",
                t.format("%Y-%m-%d").to_string(),
                &mut binds,
                &mut sql,
            );
        }
        if let Some(cursor) = &q.cursor {
            let (d, c, i) = decode_cursor(cursor)?;
            binds.push(d);
            let dn = binds.len();
            binds.push(c);
            let cn = binds.len();
            binds.push(i);
            let inn = binds.len();
            sql.push_str(&format!(
                " AND (date > ${dn} OR (date = ${dn} AND (id > ${inn} OR (id = ${inn} AND connection_id > ${cn}))))"
            ));
        }
        sql.push_str(&format!(
            " ORDER BY date, id, connection_id LIMIT {}",
            limit + 1
        ));
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for b in &binds {
            query = query.bind(b.as_str());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut items = Vec::with_capacity(rows.len());
        let mut next_cursor = None;
        for (i, r) in rows.iter().enumerate() {
            let connection_id: String = r.try_get("connection_id")?;
            let body: String = r.try_get("body")?;
            let cost: Cost = serde_json::from_str(&body).map_err(|e| corrupt("cost", e))?;
            if i as u32 == limit {
                break;
            }
            if i as u32 + 1 == limit && rows.len() as u32 > limit {
                let date: String = r.try_get("date")?;
                let id: String = r.try_get("id")?;
                next_cursor = Some(encode_cursor(&date, &connection_id, &id));
            }
            items.push(StoredCost {
                connection_id,
                cost,
            });
        }
        Ok(CostPage { items, next_cursor })
    }

    /// Unmatched spend by connection and vendor.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn unmatched(
        &self,
        connection: Option<&str>,
    ) -> Result<Vec<(String, UnmatchedSpend)>> {
        let rows = match connection {
            Some(c) => {
                sqlx::query("SELECT connection_id, body FROM unmatched WHERE connection_id = $1 ORDER BY vendor")
                    .bind(c)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT connection_id, body FROM unmatched ORDER BY vendor, connection_id")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|r| {
                let c: String = r.try_get("connection_id")?;
                let body: String = r.try_get("body")?;
                Ok((
                    c,
                    serde_json::from_str(&body).map_err(|e| corrupt("unmatched", e))?,
                ))
            })
            .collect()
    }

    /// Findings whose costs all still exist, by connection, ordered like the document.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn findings(&self, connection: Option<&str>) -> Result<Vec<(String, Finding)>> {
        let rows = match connection {
            Some(c) => {
                sqlx::query("SELECT connection_id, body FROM findings WHERE connection_id = $1")
                    .bind(c)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT connection_id, body FROM findings")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let c: String = r.try_get("connection_id")?;
            let body: String = r.try_get("body")?;
            let f: Finding = serde_json::from_str(&body).map_err(|e| corrupt("finding", e))?;
            let mut all = true;
            for id in &f.cost_ids {
                let n = sqlx::query(
                    "SELECT COUNT(*) AS n FROM costs WHERE connection_id = $1 AND id = $2",
                )
                .bind(c.as_str())
                .bind(id.as_str())
                .fetch_one(&self.pool)
                .await?
                .try_get::<i64, _>("n")?;
                if n == 0 {
                    all = false;
                    break;
                }
            }
            if all {
                out.push((c, f));
            }
        }
        out.sort_by(|(ca, a), (cb, b)| {
            (&a.service_id, a.kind, &a.cost_ids, &a.message, ca).cmp(&(
                &b.service_id,
                b.kind,
                &b.cost_ids,
                &b.message,
                cb,
            ))
        });
        Ok(out)
    }

    /// Sync runs, newest first.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn sync_runs(&self, connection: Option<&str>, limit: u32) -> Result<Vec<SyncRun>> {
        let limit = limit.clamp(1, 1000);
        let cols = "id, connection_id, replica, trigger_kind, started_at, finished_at, status, error, events, batches, costs_upserted, retractions, stats";
        let rows = match connection {
            Some(c) => {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT {cols} FROM sync_runs WHERE connection_id = $1 ORDER BY started_at DESC, id LIMIT {limit}"
                )))
                .bind(c)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT {cols} FROM sync_runs ORDER BY started_at DESC, id LIMIT {limit}"
                )))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(run_from_row).collect()
    }

    /// Counts stored costs (all connections).
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn cost_count(&self) -> Result<i64> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM costs")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    // ---------------------------------------------------------------- privacy, retention

    /// Purges an owner's personal data everywhere: costs are re-attributed to a pseudonymous
    /// id (`anon-…`) with name and e-mail removed, unmatched-spend owner lists are scrubbed,
    /// the owner record is deleted, and future syncs pseudonymise the same person on write.
    ///
    /// # Errors
    /// [`StoreError`].
    pub async fn purge_owner(&self, login_id: &str) -> Result<PurgeResult> {
        let pseudo = self.pseudonym(login_id);
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO purged_owners (login_hash, pseudonym, purged_at) VALUES ($1, $1, $2) ON CONFLICT (login_hash) DO NOTHING",
        )
        .bind(pseudo.as_str())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let rows = sqlx::query("SELECT connection_id, id, body FROM costs WHERE owner_login = $1")
            .bind(login_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut costs_updated = 0;
        for r in &rows {
            let c: String = r.try_get("connection_id")?;
            let id: String = r.try_get("id")?;
            let body: String = r.try_get("body")?;
            let mut cost: Cost = serde_json::from_str(&body).map_err(|e| corrupt("cost", e))?;
            scrub_owner(&mut cost.owner, &pseudo);
            let body = serde_json::to_string(&cost).map_err(|e| corrupt("cost", e))?;
            sqlx::query("UPDATE costs SET owner_login = $1, body = $2, updated_at = $3 WHERE connection_id = $4 AND id = $5")
                .bind(pseudo.as_str())
                .bind(body)
                .bind(now)
                .bind(c)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            costs_updated += 1;
        }
        let rows = sqlx::query("SELECT connection_id, vendor, body FROM unmatched")
            .fetch_all(&mut *tx)
            .await?;
        let mut unmatched_updated = 0;
        for r in &rows {
            let body: String = r.try_get("body")?;
            let mut u: UnmatchedSpend =
                serde_json::from_str(&body).map_err(|e| corrupt("unmatched", e))?;
            let changed = scrub_unmatched(&mut u, |l| (l == login_id).then(|| pseudo.clone()));
            if changed {
                let c: String = r.try_get("connection_id")?;
                let v: String = r.try_get("vendor")?;
                let body = serde_json::to_string(&u).map_err(|e| corrupt("unmatched", e))?;
                sqlx::query("UPDATE unmatched SET body = $1, updated_at = $2 WHERE connection_id = $3 AND vendor = $4")
                    .bind(body)
                    .bind(now)
                    .bind(c)
                    .bind(v)
                    .execute(&mut *tx)
                    .await?;
                unmatched_updated += 1;
            }
        }
        let d = sqlx::query("DELETE FROM owners WHERE login_id = $1")
            .bind(login_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(PurgeResult {
            pseudonym: pseudo,
            costs_updated,
            unmatched_updated,
            owners_deleted: d.rows_affected(),
        })
    }

    /// Deletes costs dated before `cutoff` and sync runs started before `cutoff_ms`.
    ///
    /// # Errors
    /// [`StoreError::Database`].
    pub async fn prune(&self, cutoff: NaiveDate, cutoff_ms: i64) -> Result<u64> {
        let r = sqlx::query("DELETE FROM costs WHERE date < $1")
            .bind(cutoff.format("%Y-%m-%d").to_string())
            .execute(&self.pool)
            .await?;
        sqlx::query("DELETE FROM sync_runs WHERE started_at < $1 AND status <> 'running'")
            .bind(cutoff_ms)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected())
    }
}

/// Replaces an owner's identity by a pseudonym, dropping name and e-mail.
fn scrub_owner(owner: &mut saas_discovery::Owner, pseudonym: &str) {
    owner.login_id = pseudonym.to_owned();
    owner.name = None;
    owner.email = None;
}

/// Scrubs unmatched-spend owners for which `pseudo_of` returns a pseudonym; `true` if any.
fn scrub_unmatched(u: &mut UnmatchedSpend, pseudo_of: impl Fn(&str) -> Option<String>) -> bool {
    let mut changed = false;
    for o in &mut u.owners {
        if let Some(p) = pseudo_of(&o.login_id) {
            scrub_owner(o, &p);
            changed = true;
        }
    }
    if changed {
        u.owners.sort();
        u.owners.dedup_by(|a, b| a.login_id == b.login_id);
    }
    changed
}

/// A store URL with any password replaced by `***` (for logs and messages).
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    if rest.starts_with(":memory:") {
        return None;
    }
    Some(rest.split('?').next().unwrap_or(rest).to_owned())
}

fn encode_cursor(date: &str, connection: &str, id: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{date}\n{connection}\n{id}"))
}

fn decode_cursor(cursor: &str) -> Result<(String, String, String)> {
    let bad = || StoreError::Corrupt("invalid cursor".into());
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.splitn(3, '\n');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(d), Some(c), Some(i)) => Ok((d.to_owned(), c.to_owned(), i.to_owned())),
        _ => Err(bad()),
    }
}

/// `true` when the cursor text is malformed (used by the API to answer 400).
pub fn is_bad_cursor(cursor: &str) -> bool {
    decode_cursor(cursor).is_err()
}

fn connection_from_row(r: &AnyRow) -> Result<ConnectionState> {
    let permissions: Option<String> = r.try_get("permissions")?;
    Ok(ConnectionState {
        id: r.try_get("id")?,
        system: r.try_get("system")?,
        checkpoint_at: ms_to_dt(r.try_get("checkpoint_at")?),
        next_due_at: ms_to_dt(r.try_get("next_due_at")?),
        consecutive_failures: r.try_get("consecutive_failures")?,
        lease_owner: r.try_get("lease_owner")?,
        lease_expires_at: ms_to_dt(r.try_get("lease_expires_at")?),
        last_run_id: r.try_get("last_run_id")?,
        last_status: r.try_get("last_status")?,
        last_error: r.try_get("last_error")?,
        last_success_at: ms_to_dt(r.try_get("last_success_at")?),
        permissions: permissions.and_then(|p| serde_json::from_str(&p).ok()),
    })
}

fn run_from_row(r: &AnyRow) -> Result<SyncRun> {
    let stats: Option<String> = r.try_get("stats")?;
    Ok(SyncRun {
        id: r.try_get("id")?,
        connection_id: r.try_get("connection_id")?,
        replica: r.try_get("replica")?,
        trigger: r.try_get("trigger_kind")?,
        started_at: ms_to_dt(r.try_get("started_at")?),
        finished_at: ms_to_dt(r.try_get("finished_at")?),
        status: r.try_get("status")?,
        error: r.try_get("error")?,
        events: r.try_get("events")?,
        batches: r.try_get("batches")?,
        costs_upserted: r.try_get("costs_upserted")?,
        retractions: r.try_get("retractions")?,
        stats: stats
            .map(|s| serde_json::from_str(&s).map_err(|e| corrupt("stats", e)))
            .transpose()?,
    })
}
