//! Workspace-level end-to-end tests live in this folder as `[[test]]` targets.
//!
//! Helpers shared by the tests: the path of the built `concur-smp` binary, a command with a
//! clean environment (no `CONCUR_*` variables from the caller, `CONCUR_SMP_CONFIG_DIR` in a
//! temporary directory), and a simulator running on its own tokio runtime.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use concur_sim::{SimConfig, SimServer};

/// Path of the `concur-smp` binary, built on first use with the same profile as the tests
/// (`cargo build -p concur-smp --bin concur-smp`).
///
/// # Panics
/// When the binary cannot be built (a test failure).
pub fn concur_smp_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let exe = std::env::current_exe().expect("current exe");
        // target/<profile>/deps/<test> -> target/<profile>
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target profile dir")
            .to_path_buf();
        let release = profile_dir.file_name().is_some_and(|n| n == "release");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut cmd = Command::new(cargo);
        cmd.args([
            "build",
            "--quiet",
            "-p",
            "concur-smp",
            "--bin",
            "concur-smp",
        ]);
        if release {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build");
        assert!(status.success(), "building concur-smp failed");
        let bin = profile_dir.join(format!("concur-smp{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.exists(), "{} not found after building", bin.display());
        bin
    })
    .clone()
}

/// Every environment variable the CLI reads.
pub const CLI_ENV: [&str; 12] = [
    "CONCUR_BASE_URL",
    "CONCUR_CLIENT_ID",
    "CONCUR_CLIENT_SECRET",
    "CONCUR_USERNAME",
    "CONCUR_PASSWORD",
    "CONCUR_REFRESH_TOKEN",
    "CONCUR_COMPANY_UUID",
    "CONCUR_REQUEST_TOKEN",
    "CONCUR_CONSUMER_KEY",
    "CONCUR_SMP_CONFIG_DIR",
    "CONCUR_SMP_CONNECTION_ID",
    "RUST_LOG",
];

/// A `concur-smp` command with the caller's `CONCUR_*` variables removed and
/// `CONCUR_SMP_CONFIG_DIR` set to `config_dir`.
pub fn cli(config_dir: &Path) -> assert_cmd::Command {
    let mut c = assert_cmd::Command::new(concur_smp_bin());
    for k in CLI_ENV {
        c.env_remove(k);
    }
    c.env("CONCUR_SMP_CONFIG_DIR", config_dir);
    c.env_remove("RUST_BACKTRACE");
    c
}

/// A simulator on its own multi-threaded runtime (so blocking test code can call it over HTTP).
pub struct Sim {
    /// The server (dropped before the runtime).
    pub server: Option<SimServer>,
    rt: tokio::runtime::Runtime,
}

impl Sim {
    /// Starts a simulator with `config`.
    ///
    /// # Panics
    /// When the simulator cannot start.
    pub fn start(config: SimConfig) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = rt.block_on(SimServer::start(config)).expect("simulator");
        Self {
            server: Some(server),
            rt,
        }
    }

    /// The server.
    ///
    /// # Panics
    /// Never after `start`.
    pub fn server(&self) -> &SimServer {
        self.server.as_ref().expect("running")
    }

    /// The base URL.
    pub fn base_url(&self) -> String {
        self.server().base_url().to_owned()
    }

    /// Runs a future on the simulator's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let s = self.server.take();
        let _guard = self.rt.enter();
        drop(s);
    }
}
