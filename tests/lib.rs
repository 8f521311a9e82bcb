//! Workspace-level end-to-end tests live in this folder as `[[test]]` targets.
