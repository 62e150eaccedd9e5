//! Bounds glibc's malloc arenas for the long-running service.
//!
//! glibc gives each thread that contends for memory an arena of its own (up to 8 per core) and
//! keeps what those arenas freed. The service builds multi-megabyte evaluation reports on many
//! threads, so under the write load of `benches/load` it held 583 MB that way and 197 MB with two
//! arenas; 735 MB against 204 MB once the load ended (docs/performance.md). glibc reads
//! `MALLOC_ARENA_MAX` only when a process starts, and setting it from inside would take `unsafe`
//! code (`mallopt`), which this crate forbids: so `attest serve` starts itself once more, in the
//! same process (`exec` keeps the PID a supervisor watches), with the variable set. An operator who
//! set it chooses; other allocators ignore it.

/// The arenas the service runs with unless the operator chose otherwise.
const ARENAS: &str = "2";

/// Re-executes the running binary with `MALLOC_ARENA_MAX` set, unless it is set already. Returns
/// only when it did not (already set, or the exec failed, which is logged: the service then runs
/// with glibc's default and more memory).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn bound() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            tracing::warn!(error = %err, "MALLOC_ARENA_MAX not set: cannot find this binary to restart with it");
            return;
        }
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("MALLOC_ARENA_MAX", ARENAS)
        .exec();
    tracing::warn!(error = %err, "MALLOC_ARENA_MAX not set and the restart with it failed; memory may grow under load");
}

/// Other platforms' allocators have no such arenas.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn bound() {}
