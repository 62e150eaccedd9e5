//! A small bit set over criteria or knowledge items (indexes in document order). Sets of up to 128
//! indexes (every seed standard) live inline: the engine makes several per evidence instance, and
//! allocating each would dominate its cost.

/// A set of small indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bits {
    Inline([u64; 2]),
    Heap(Vec<u64>),
}

impl Default for Bits {
    #[inline]
    fn default() -> Bits {
        Bits::Inline([0; 2])
    }
}

impl Bits {
    /// An empty set able to hold indexes below `len`.
    #[inline]
    pub fn with_len(len: usize) -> Bits {
        if len <= 128 {
            Bits::Inline([0; 2])
        } else {
            Bits::Heap(vec![0; len.div_ceil(64)])
        }
    }

    /// The set of every index below `len`.
    #[inline]
    pub fn full(len: usize) -> Bits {
        let mut bits = Bits::with_len(len);
        (0..len).for_each(|i| bits.insert(i));
        bits
    }

    #[inline]
    fn words(&self) -> &[u64] {
        match self {
            Bits::Inline(words) => words,
            Bits::Heap(words) => words,
        }
    }

    #[inline]
    fn words_mut(&mut self) -> &mut [u64] {
        match self {
            Bits::Inline(words) => words,
            Bits::Heap(words) => words,
        }
    }

    #[inline]
    pub fn insert(&mut self, index: usize) {
        if let Some(word) = self.words_mut().get_mut(index / 64) {
            *word |= 1 << (index % 64);
        }
    }

    #[inline]
    pub fn contains(&self, index: usize) -> bool {
        match self {
            Bits::Inline(words) if index < 128 => words[index / 64] & (1 << (index % 64)) != 0,
            _ => self
                .words()
                .get(index / 64)
                .is_some_and(|word| word & (1 << (index % 64)) != 0),
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        match self {
            Bits::Inline(words) => words[0] | words[1] == 0,
            Bits::Heap(words) => words.iter().all(|word| *word == 0),
        }
    }

    #[inline]
    pub fn intersects(&self, other: &Bits) -> bool {
        // Sets of one evaluation have one size, so both are inline or both are not.
        match (self, other) {
            (Bits::Inline(a), Bits::Inline(b)) => (a[0] & b[0]) | (a[1] & b[1]) != 0,
            _ => self
                .words()
                .iter()
                .zip(other.words())
                .any(|(a, b)| a & b != 0),
        }
    }

    #[inline]
    pub fn union_with(&mut self, other: &Bits) {
        match (self, other) {
            (Bits::Inline(a), Bits::Inline(b)) => {
                a[0] |= b[0];
                a[1] |= b[1];
            }
            (this, other) => this
                .words_mut()
                .iter_mut()
                .zip(other.words())
                .for_each(|(a, b)| *a |= b),
        }
    }

    /// Removes every index of `other`.
    #[inline]
    pub fn remove_all(&mut self, other: &Bits) {
        self.words_mut()
            .iter_mut()
            .zip(other.words())
            .for_each(|(a, b)| *a &= !b);
    }

    /// The indexes in the set, ascending.
    #[inline]
    pub fn ones(&self) -> impl Iterator<Item = usize> + '_ {
        self.words().iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(w * 64 + bit)
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Bits;

    #[test]
    fn set_operations_work_inline_and_on_the_heap() {
        for len in [100, 300] {
            let mut a = Bits::with_len(len);
            a.insert(3);
            a.insert(64);
            a.insert(99);
            let mut b = Bits::with_len(len);
            b.insert(64);
            assert!(a.intersects(&b));
            assert_eq!(a.ones().collect::<Vec<_>>(), vec![3, 64, 99]);
            a.remove_all(&b);
            assert!(!a.contains(64) && a.contains(99));
            assert_eq!(Bits::full(len).ones().count(), len);
            assert!(Bits::with_len(len).is_empty());
        }
    }
}
