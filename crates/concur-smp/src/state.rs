//! The state file (`--state FILE`) and the login token file: one JSON format for both.
//!
//! ```json
//! {
//!   "format": "concur-smp-state",
//!   "version": 1,
//!   "connection_id": "concur",
//!   "base_url": "http://127.0.0.1:8080/",
//!   "client_id": "0d5e6f0a-…",
//!   "token": { "access_token": "…", "refresh_token": "…", "expires_at": "…", "base_url": "…", "auth_mode": "password" },
//!   "checkpoint": { … opaque, from the discovery source … },
//!   "document": { … the docs/model.md document: everything discovered so far … },
//!   "updated_at": "2026-11-29T21:00:00Z"
//! }
//! ```
//!
//! * `token` is the concur-client [`TokenRecord`]: access and refresh token, expiries and the
//!   geolocation. The file never holds a client secret, password or request token.
//! * The file is written atomically (temporary file in the same directory, `fsync`, `rename`)
//!   with mode 0600, on every token rotation and at every discovery checkpoint, so an
//!   interrupted run leaves the last consistent state.
//! * The login token file (`token.json` in the config directory) uses the same format without
//!   `checkpoint` and `document`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use concur_client::{TokenRecord, TokenStore};
use saas_discovery::{Checkpoint, Document};
use serde::{Deserialize, Serialize};

/// The `format` tag of a state file.
pub const FORMAT: &str = "concur-smp-state";
/// The current state file version.
pub const VERSION: u32 = 1;

/// The content of a state (or login token) file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StateFile {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// The connection id used in cost ids (stable per company).
    #[serde(default)]
    pub connection_id: Option<String>,
    /// The base URL given explicitly (`--base-url` / `CONCUR_BASE_URL`) when the token was
    /// obtained, if any.
    #[serde(default)]
    pub base_url: Option<String>,
    /// The OAuth2 client id (not secret) the token belongs to.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The current token (0600 file only).
    #[serde(default)]
    pub token: Option<TokenRecord>,
    /// The discovery checkpoint of the last completed (or interrupted) run.
    #[serde(default)]
    pub checkpoint: Option<Checkpoint>,
    /// Everything discovered so far for the company.
    #[serde(default)]
    pub document: Option<Document>,
    /// When the file was last written (UTC).
    pub updated_at: DateTime<Utc>,
}

impl Default for StateFile {
    fn default() -> Self {
        Self {
            format: FORMAT.to_owned(),
            version: VERSION,
            connection_id: None,
            base_url: None,
            client_id: None,
            token: None,
            checkpoint: None,
            document: None,
            updated_at: Utc::now(),
        }
    }
}

/// Writes `data` to `path` atomically with mode 0600 (the client crate's writer: temporary
/// file in the same directory, `fsync`, `rename`, directory `fsync`).
pub use concur_client::write_atomic_0600;

/// A state file on disk, shared between the token store and the discovery sink (clones share
/// the same in-memory state).
#[derive(Clone, Debug)]
pub struct StateStore {
    path: PathBuf,
    inner: Arc<Mutex<StateFile>>,
}

impl StateStore {
    /// Opens `path`: reads it when it exists, else starts empty (nothing is written yet).
    ///
    /// # Errors
    /// When the file exists but cannot be read or is not a concur-smp state file.
    pub fn open(path: impl Into<PathBuf>) -> anyhow::Result<Self> {
        let path = path.into();
        let state = match std::fs::read(&path) {
            Ok(bytes) => {
                let s: StateFile = serde_json::from_slice(&bytes).map_err(|e| {
                    crate::error::Failure::usage(format!(
                        "{} is not a concur-smp state file (or it is damaged): {e}",
                        path.display()
                    ))
                    .hint("pass another --state file, or move this one away to start a full run (and run `concur-smp login` again if it was the login token file)")
                })?;
                if s.format != FORMAT {
                    anyhow::bail!(
                        "{} is not a concur-smp state file (format {:?})",
                        path.display(),
                        s.format
                    );
                }
                if s.version > VERSION {
                    anyhow::bail!(
                        "{} was written by a newer concur-smp (state version {})",
                        path.display(),
                        s.version
                    );
                }
                s
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => StateFile::default(),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        Ok(Self {
            path,
            inner: Arc::new(Mutex::new(state)),
        })
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file exists on disk.
    pub fn exists(&self) -> bool {
        self.path.exists()
    }

    /// A copy of the current state.
    pub fn get(&self) -> StateFile {
        self.inner.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Drops the token from memory only (the file keeps it until the next write), so a
    /// client built on this store obtains a new token.
    pub fn forget_token(&self) {
        if let Ok(mut g) = self.inner.lock() {
            g.token = None;
        }
    }

    /// Changes the state in memory and writes the file.
    ///
    /// # Errors
    /// I/O and serialization errors.
    pub fn update(&self, f: impl FnOnce(&mut StateFile)) -> anyhow::Result<()> {
        let data = {
            let mut g = self
                .inner
                .lock()
                .map_err(|_| anyhow::anyhow!("state lock poisoned"))?;
            f(&mut g);
            g.updated_at = Utc::now();
            serde_json::to_vec_pretty(&*g).context("cannot serialize the state")?
        };
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        write_atomic_0600(&self.path, &data)
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    /// Deletes the file (missing is fine).
    ///
    /// # Errors
    /// I/O errors other than "not found".
    pub fn delete(&self) -> anyhow::Result<bool> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e).with_context(|| format!("cannot delete {}", self.path.display())),
        }
    }
}

#[async_trait]
impl TokenStore for StateStore {
    async fn load(&self) -> concur_client::Result<Option<TokenRecord>> {
        Ok(self.inner.lock().ok().and_then(|g| g.token.clone()))
    }

    async fn save(&self, token: &TokenRecord) -> concur_client::Result<()> {
        let this = self.clone();
        let token = token.clone();
        tokio::task::spawn_blocking(move || this.update(|s| s.token = Some(token)))
            .await
            .map_err(|e| concur_client::Error::TokenStore {
                message: format!("token writer task failed: {e}"),
                source: None,
            })?
            .map_err(|e| concur_client::Error::TokenStore {
                message: format!("{e:#}"),
                source: None,
            })
    }
}

/// The config directory: `$CONCUR_SMP_CONFIG_DIR`, else `dirs::config_dir()/concur-smp`.
///
/// # Errors
/// When neither is available.
pub fn config_dir() -> anyhow::Result<PathBuf> {
    if let Some(d) = std::env::var_os("CONCUR_SMP_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(d));
    }
    dirs::config_dir()
        .map(|d| d.join("concur-smp"))
        .ok_or_else(|| {
            anyhow::anyhow!("no config directory on this system; set CONCUR_SMP_CONFIG_DIR")
        })
}

/// The login token file: `config_dir()/token.json`.
///
/// # Errors
/// See [`config_dir`].
pub fn login_token_path() -> anyhow::Result<PathBuf> {
    Ok(config_dir()?.join("token.json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use concur_client::AuthMode;

    #[tokio::test]
    async fn token_round_trip_and_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("state.json");
        let s = StateStore::open(&p).unwrap();
        assert!(!s.exists());
        let rec = TokenRecord::new(
            "acc-123456",
            Some("ref-abcdef".into()),
            Utc::now(),
            url::Url::parse("http://127.0.0.1:9/").unwrap(),
            AuthMode::Password,
        );
        s.save(&rec).await.unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let s2 = StateStore::open(&p).unwrap();
        let t = s2.load().await.unwrap().unwrap();
        use secrecy::ExposeSecret;
        assert_eq!(t.access_token.expose_secret(), "acc-123456");
        assert_eq!(t.refresh_token.unwrap().expose_secret(), "ref-abcdef");
        // no temp files left behind
        let names: Vec<_> = std::fs::read_dir(p.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn rejects_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.json");
        std::fs::write(&p, "{\"hello\":1}").unwrap();
        assert!(StateStore::open(&p).is_err());
        std::fs::write(&p, "{bad").unwrap();
        let err = StateStore::open(&p).unwrap_err();
        let f = crate::error::classify(&err);
        assert_eq!(f.exit, crate::error::Exit::Usage);
        assert!(
            f.message.contains("is not a concur-smp state file"),
            "{}",
            f.message
        );
        assert!(f.hint.unwrap().contains("--state"));
    }
}
