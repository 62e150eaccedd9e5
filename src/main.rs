//! The `attest` binary: parse the command line, load the configuration, run the command.

fn main() -> std::process::ExitCode {
    attest::cli::run()
}
