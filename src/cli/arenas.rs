//! Bounds what glibc's malloc keeps for the long-running service.
//!
//! glibc gives each thread that contends for memory an arena of its own (up to 8 per core) and
//! keeps what those arenas freed. The service builds multi-megabyte evaluation reports on many
//! threads, so under the write load of `benches/load` it held 583 MB that way and 197 MB with two
//! arenas; 735 MB against 204 MB once the load ended (docs/performance.md).
//!
//! glibc also raises its threshold for serving a block straight from the system (`mmap`) to the
//! size of the largest such block freed, up to 32 MB. After the first sign-in, argon2's 19 MB
//! working memory and every large report then come from the arenas, and stay there: under 64
//! writers and 48 sign-ins at once the service held 424 MB, and 76 MB with the threshold fixed at
//! 1 MB, where blocks that large go back to the system when freed (docs/performance.md).
//!
//! glibc reads these variables only when a process starts, and setting them from inside takes
//! `mallopt`: so `attest serve` starts itself once more, in the same process (`exec` keeps the
//! PID a supervisor watches), with them set. A variable the operator set is left as it is; other
//! allocators ignore them.

/// What the service runs with unless the operator chose otherwise.
const TUNING: [(&str, &str); 2] = [
    ("MALLOC_ARENA_MAX", "2"),
    ("MALLOC_MMAP_THRESHOLD_", "1048576"),
];

/// Re-executes the running binary with [`TUNING`]'s variables that are not set yet. Returns only
/// when it did not (all set, or the exec failed, which is logged: the service then runs with
/// glibc's defaults and more memory).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn bound() {
    use std::os::unix::process::CommandExt;
    let missing: Vec<(&str, &str)> = TUNING
        .into_iter()
        .filter(|(name, _)| std::env::var_os(name).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => {
            tracing::warn!(error = %err, "malloc tuning not set: cannot find this binary to restart with it");
            return;
        }
    };
    let err = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .envs(missing)
        .exec();
    tracing::warn!(error = %err, "malloc tuning not set and the restart with it failed; memory may grow under load");
}

/// Other platforms' allocators have no such arenas.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn bound() {}
