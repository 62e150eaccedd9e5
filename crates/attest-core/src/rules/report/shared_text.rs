//! [`SharedText`]: text made once per compiled standard and shared by every report.

use std::fmt;
use std::sync::Arc;

use serde::{Serialize, Serializer};

/// Text made once per compiled standard and shared by every report: a slice of one shared buffer,
/// so that copying it costs no allocation. Reads and serializes as a plain string.
#[derive(Clone, PartialEq, Eq)]
pub struct SharedText {
    all: Arc<str>,
    start: usize,
    end: usize,
}

impl SharedText {
    /// The part `start..end` of `all` (byte offsets on character boundaries).
    pub(crate) fn new(all: Arc<str>, start: usize, end: usize) -> SharedText {
        SharedText { all, start, end }
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        self.all.get(self.start..self.end).unwrap_or_default()
    }
}

impl std::ops::Deref for SharedText {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SharedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl PartialEq<str> for SharedText {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SharedText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Serialize for SharedText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}
