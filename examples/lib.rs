//! Examples live in this folder as `[[example]]` targets: `cargo run -p concur-smp-examples --example NAME`.
