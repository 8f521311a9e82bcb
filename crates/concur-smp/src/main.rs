//! The `concur-smp` binary; everything lives in the library (`concur_smp`).

fn main() -> std::process::ExitCode {
    concur_smp::main_entry()
}
