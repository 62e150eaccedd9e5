//! A fast hash for maps keyed by a standard's own ids: a few dozen short strings, looked up for every
//! mapping and range item of a portfolio, where the default SipHash costs more than the work it
//! serves. It mixes eight bytes at a time (the scheme of rustc's FxHash). Only for keys the standard
//! supplies; ids from a portfolio (untrusted input) keep the default, collision-resistant hasher.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// A word-at-a-time multiplicative hash.
#[derive(Default)]
pub(crate) struct Fast(u64);

impl Fast {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for Fast {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    fn write_usize(&mut self, value: usize) {
        self.mix(value as u64);
    }
}

/// A map keyed by a standard's ids.
pub(crate) type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<Fast>>;

#[cfg(test)]
mod tests {
    use super::IdMap;

    #[test]
    fn ids_that_share_a_prefix_stay_apart() {
        let ids = [
            "greeting_requirements",
            "greeting_requirements_2",
            "1.1",
            "1.10",
            "a",
            "",
        ];
        let map: IdMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(map.get(id), Some(&i));
        }
        assert_eq!(map.get("greeting"), None);
    }
}
