//! Integration tests of concur-smpd (one test binary).

mod api;
mod common;
mod config_bin;
mod crash;
mod pg;
mod store_sync;
