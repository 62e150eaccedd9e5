//! The sequence and map readers serde walks: the items of a sequence, the entries of a map, and
//! the fields of a struct.

use super::{FormError, Group};
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess};

/// The items of a sequence.
pub(super) struct Items<'de>(pub(super) std::vec::IntoIter<Group<'de>>);

impl<'de> SeqAccess<'de> for Items<'de> {
    type Error = FormError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, FormError> {
        self.0.next().map(|item| seed.deserialize(item)).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of a map: each key read as a single value (so numbers parse), named as its entry.
pub(super) struct Entries<'de> {
    pub(super) entries: std::vec::IntoIter<(&'de str, Group<'de>)>,
    pub(super) next: Option<Group<'de>>,
}

impl<'de> MapAccess<'de> for Entries<'de> {
    type Error = FormError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FormError> {
        let Some((key, group)) = self.entries.next() else {
            return Ok(None);
        };
        let name = group.name.clone();
        self.next = Some(group);
        seed.deserialize(Group::leaf(name, key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FormError> {
        match self.next.take() {
            Some(group) => seed.deserialize(group),
            None => Err(de::Error::custom("a value without its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// The fields of a struct that were sent.
pub(super) struct Fields<'de> {
    pub(super) groups: std::vec::IntoIter<(&'static str, Group<'de>)>,
    pub(super) next: Option<Group<'de>>,
}

impl<'de> MapAccess<'de> for Fields<'de> {
    type Error = FormError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, FormError> {
        let Some((field, group)) = self.groups.next() else {
            return Ok(None);
        };
        self.next = Some(group);
        seed.deserialize(BorrowedStrDeserializer::<FormError>::new(field))
            .map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, FormError> {
        match self.next.take() {
            Some(group) => seed.deserialize(group),
            None => Err(de::Error::custom("a value without its field")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.groups.len())
    }
}
