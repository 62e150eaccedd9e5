//! Login throttling, as pure arithmetic on failure records the caller stores.
//!
//! Every attempt counts against two records ([`Scope`]): the normalised email that was
//! *submitted* (whether or not an account has it, so an unknown email is throttled exactly like a
//! known one and throttling reveals no accounts) and the client address (so one client cannot
//! spread guesses over many emails). The first [`Scope::free_failures`] failures cost nothing;
//! from then on each attempt must wait [`delay_after`] the last failure: 1 s, 2 s, 4 s, …
//! doubling up to [`MAX_DELAY`]. A success clears the email's record, and failures older than
//! [`FORGET_AFTER`] are forgotten so an old attack does not punish the owner's next typo.
//! A refused (throttled) attempt checks no password and leaves the records unchanged.

use std::net::IpAddr;

use chrono::{DateTime, TimeDelta, Utc};

/// Failures per email allowed before any delay.
pub const FREE_FAILURES: u32 = 5;

/// Failures per client address allowed before any delay: a classroom behind one address makes
/// typos too, and the per-email limit already bounds guesses at any one account.
pub const FREE_ADDRESS_FAILURES: u32 = 50;

/// What a failure record counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The normalised email submitted.
    Email,
    /// The client's address ([`address_subject`]).
    Address,
}

impl Scope {
    /// The name stored with the record.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Address => "address",
        }
    }

    /// Failures allowed before any delay.
    pub fn free_failures(self) -> u32 {
        match self {
            Self::Email => FREE_FAILURES,
            Self::Address => FREE_ADDRESS_FAILURES,
        }
    }
}

/// The subject an address is throttled under: an IPv4 address itself, an IPv6 address by its
/// /64 prefix (one subscriber usually holds a whole /64, so single addresses are free to rotate).
pub fn address_subject(address: IpAddr) -> String {
    match address {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The delay after the [`FREE_FAILURES`]th failure; each further failure doubles it.
pub const FIRST_DELAY: TimeDelta = TimeDelta::seconds(1);

/// The longest delay, however many failures.
pub const MAX_DELAY: TimeDelta = TimeDelta::minutes(15);

/// Failures this old (counted from the last one) no longer count.
pub const FORGET_AFTER: TimeDelta = TimeDelta::hours(24);

/// An account's consecutive login failures, as stored by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FailureRecord {
    /// Consecutive failures since the last success.
    pub failures: u32,
    /// When the latest of them happened.
    pub last_failure: Option<DateTime<Utc>>,
}

/// Whether a login attempt may go ahead now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttle {
    /// Check the password.
    Allowed,
    /// Refuse without checking the password (HTTP 429 with `Retry-After`).
    Wait {
        /// How long from now.
        retry_after: TimeDelta,
        /// The moment attempts are allowed again.
        until: DateTime<Utc>,
    },
}

impl Throttle {
    /// The wait in whole seconds, rounded up, for a `Retry-After` header; 0 when allowed.
    pub fn retry_after_secs(&self) -> u64 {
        match self {
            Throttle::Allowed => 0,
            Throttle::Wait { retry_after, .. } => {
                let whole = retry_after.num_seconds();
                let partial = retry_after.subsec_nanos() > 0;
                u64::try_from(whole).unwrap_or(0) + u64::from(partial)
            }
        }
    }
}

/// The wait imposed after `failures` consecutive failures when `free` of them cost nothing.
pub fn delay_after(failures: u32, free: u32) -> TimeDelta {
    let Some(doublings) = failures.checked_sub(free) else {
        return TimeDelta::zero();
    };
    // 2^10 s already exceeds the cap; stopping there also keeps the shift in range.
    let factor = 1_i32 << doublings.min(10);
    (FIRST_DELAY * factor).min(MAX_DELAY)
}

impl FailureRecord {
    /// Whether an attempt at `now` may check the password, or must wait.
    pub fn check(&self, scope: Scope, now: DateTime<Utc>) -> Throttle {
        let Some(last) = self.last_failure else {
            return Throttle::Allowed;
        };
        let delay = delay_after(self.counted_failures(now), scope.free_failures());
        let until = last + delay;
        if now >= until {
            return Throttle::Allowed;
        }
        // A last failure in the future (a clock set back) never makes the wait longer than
        // the delay itself.
        let retry_after = (until - now).min(delay);
        Throttle::Wait {
            retry_after,
            until: now + retry_after,
        }
    }

    /// The record to store after a failed attempt at `now`.
    pub fn after_failure(&self, now: DateTime<Utc>) -> FailureRecord {
        FailureRecord {
            failures: self.counted_failures(now).saturating_add(1),
            last_failure: Some(now),
        }
    }

    /// The record to store after a successful login: nothing counts any more.
    pub fn after_success() -> FailureRecord {
        FailureRecord::default()
    }

    fn counted_failures(&self, now: DateTime<Utc>) -> u32 {
        match self.last_failure {
            Some(last) if now - last < FORGET_AFTER => self.failures,
            _ => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 14, 9, 0, 0).unwrap()
    }

    fn secs(n: i64) -> TimeDelta {
        TimeDelta::seconds(n)
    }

    fn record(failures: u32, last_failure: DateTime<Utc>) -> FailureRecord {
        FailureRecord {
            failures,
            last_failure: Some(last_failure),
        }
    }

    #[test]
    fn delays_start_after_five_failures_and_double_up_to_fifteen_minutes() {
        let table = [
            (0, secs(0)),
            (4, secs(0)),
            (5, secs(1)),
            (6, secs(2)),
            (7, secs(4)),
            (8, secs(8)),
            (14, secs(512)),
            (15, secs(900)),
            (16, secs(900)),
            (1_000, secs(900)),
            (u32::MAX, secs(900)),
        ];
        for (failures, expected) in table {
            assert_eq!(
                delay_after(failures, FREE_FAILURES),
                expected,
                "after {failures} failures"
            );
        }
    }

    #[test]
    fn a_clean_record_and_four_fresh_failures_are_allowed_at_once() {
        assert_eq!(
            FailureRecord::default().check(Scope::Email, t0()),
            Throttle::Allowed
        );
        assert_eq!(record(4, t0()).check(Scope::Email, t0()), Throttle::Allowed);
    }

    #[test]
    fn the_fifth_failure_imposes_a_one_second_wait() {
        let fifth = record(5, t0());
        let half = TimeDelta::milliseconds(500);
        assert_eq!(
            fifth.check(Scope::Email, t0() + half),
            Throttle::Wait {
                retry_after: half,
                until: t0() + secs(1)
            }
        );
        assert_eq!(fifth.check(Scope::Email, t0() + secs(1)), Throttle::Allowed);
    }

    #[test]
    fn the_wait_grows_with_each_failure() {
        let mut stored = FailureRecord::default();
        let mut now = t0();
        let mut waits = Vec::new();
        for _ in 0..8 {
            stored = stored.after_failure(now);
            let Throttle::Wait { retry_after, until } = stored.check(Scope::Email, now) else {
                waits.push(TimeDelta::zero());
                continue;
            };
            waits.push(retry_after);
            now = until;
        }
        let expected = [0, 0, 0, 0, 1, 2, 4, 8].map(secs);
        assert_eq!(waits, expected);
    }

    #[test]
    fn success_clears_the_record() {
        assert_eq!(FailureRecord::after_success(), FailureRecord::default());
        assert_eq!(
            FailureRecord::after_success().check(Scope::Email, t0()),
            Throttle::Allowed
        );
    }

    #[test]
    fn failures_a_day_old_are_forgotten() {
        let old = record(30, t0());
        let next_day = t0() + FORGET_AFTER;
        assert_eq!(old.check(Scope::Email, next_day), Throttle::Allowed);
        assert_eq!(old.after_failure(next_day), record(1, next_day));
        // Just inside the window the count carries on.
        let almost = next_day - secs(1);
        assert_eq!(old.after_failure(almost), record(31, almost));
    }

    #[test]
    fn a_last_failure_in_the_future_waits_no_longer_than_the_delay() {
        let from_the_future = record(6, t0() + TimeDelta::hours(3));
        assert_eq!(
            from_the_future.check(Scope::Email, t0()),
            Throttle::Wait {
                retry_after: secs(2),
                until: t0() + secs(2)
            }
        );
    }

    #[test]
    fn retry_after_is_rounded_up_to_whole_seconds() {
        let wait = |ms| Throttle::Wait {
            retry_after: TimeDelta::milliseconds(ms),
            until: t0(),
        };
        assert_eq!(wait(1).retry_after_secs(), 1);
        assert_eq!(wait(1_000).retry_after_secs(), 1);
        assert_eq!(wait(1_001).retry_after_secs(), 2);
        assert_eq!(Throttle::Allowed.retry_after_secs(), 0);
    }

    #[test]
    fn a_guesser_gets_few_tries_per_hour_and_per_day() {
        let tries_within = |span: TimeDelta| {
            let mut stored = FailureRecord::default();
            let mut now = t0();
            let mut tries = 0;
            while now < t0() + span {
                match stored.check(Scope::Email, now) {
                    Throttle::Allowed => {
                        tries += 1;
                        stored = stored.after_failure(now);
                    }
                    Throttle::Wait { until, .. } => now = until,
                }
            }
            tries
        };
        // 5 at once, 10 after doubling waits (1 s … 512 s: the 15th at 1023 s), then one per
        // 15 minutes: at 1923 s and 2823 s.
        assert_eq!(tries_within(TimeDelta::hours(1)), 5 + 10 + 2);
        assert!(tries_within(TimeDelta::hours(24)) <= 5 + 10 + 96);
    }

    #[test]
    fn an_address_gets_fifty_free_failures_then_the_same_doubling() {
        assert_eq!(
            record(49, t0()).check(Scope::Address, t0()),
            Throttle::Allowed
        );
        assert_eq!(
            record(50, t0()).check(Scope::Address, t0()),
            Throttle::Wait {
                retry_after: secs(1),
                until: t0() + secs(1)
            }
        );
        assert_eq!(delay_after(52, FREE_ADDRESS_FAILURES), secs(4));
    }

    #[test]
    fn ipv6_addresses_are_throttled_by_their_slash_64() {
        let subject = |text: &str| address_subject(text.parse().unwrap());
        assert_eq!(subject("203.0.113.9"), "203.0.113.9");
        assert_eq!(subject("::ffff:203.0.113.9"), "203.0.113.9");
        assert_eq!(subject("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(subject("2001:db8:1:2:ffff::9"), subject("2001:db8:1:2::1"));
        assert_ne!(subject("2001:db8:1:3::1"), subject("2001:db8:1:2::1"));
    }
}
