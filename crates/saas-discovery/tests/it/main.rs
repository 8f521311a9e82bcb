//! Integration tests of saas-discovery (one binary).
#![allow(missing_docs)]

mod aggregate;
mod model;
mod money;
mod source;
