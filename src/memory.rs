//! Gives the system back memory the allocator keeps after the program freed it.
//!
//! glibc returns freed memory only from the top of an arena: an evaluation of a large portfolio
//! allocates tens of MB in small pieces (its records, the engine's view of them, the report) and
//! frees them all, but a few live allocations made meanwhile by other requests pin the pages
//! between, so the process stayed at its peak after the work ended (262 MB after the one-portfolio
//! write load, 86 MB once trimmed; docs/performance.md). `malloc_trim` walks each arena and
//! releases every free page, wherever it lies.

/// At least this much freed at once makes a trim worth its cost: the walk locks each arena in
/// turn (two in the service, see `cli::arenas`) for about a millisecond per 100 MB held.
pub const WORTH_RELEASING: usize = 1 << 20;

/// Asks glibc to return the free pages of every arena to the system. Returns whether it released
/// anything. Other allocators (musl, macOS) return large blocks themselves: there it does nothing.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub fn release_freed() -> bool {
    // SAFETY: `malloc_trim` takes no pointers and touches only glibc's own free lists, under the
    // locks every other allocator call takes.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Other allocators have no such call and need none.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn release_freed() -> bool {
    false
}
