//! serde's `Deserializer` over a name group: values parsed as serde_html_form parses them, and
//! structs, maps, sequences, options and enums read from the names below.

use super::access::{Entries, Fields, Items};
use super::{FormError, Group};
use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, IntoDeserializer, Visitor};

macro_rules! parsed {
    ($($method:ident => $ty:ty, $what:literal;)*) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
                let value = self.one()?;
                let parsed: $ty = value
                    .trim()
                    .parse()
                    .map_err(|_| self.fail(concat!("is not ", $what)))?;
                parsed
                    .into_deserializer()
                    .$method(visitor)
                    .map_err(|e: FormError| e.within(&self.name))
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Group<'de> {
    type Error = FormError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        if !self.below.is_empty() {
            self.deserialize_map(visitor)
        } else if self.values.len() > 1 {
            self.deserialize_seq(visitor)
        } else {
            self.deserialize_str(visitor)
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let value = self.one()?;
        visitor
            .visit_borrowed_str::<FormError>(value)
            .map_err(|e| e.within(&self.name))
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        self.deserialize_str(visitor)
    }

    parsed! {
        deserialize_bool => bool, "true or false";
        deserialize_u8 => u8, "a whole number";
        deserialize_u16 => u16, "a whole number";
        deserialize_u32 => u32, "a whole number";
        deserialize_u64 => u64, "a whole number";
        deserialize_i8 => i8, "a whole number";
        deserialize_i16 => i16, "a whole number";
        deserialize_i32 => i32, "a whole number";
        deserialize_i64 => i64, "a whole number";
        deserialize_f32 => f32, "a number";
        deserialize_f64 => f64, "a number";
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        // A blank single value is no value, as serde_html_form reads it.
        if self.below.is_empty() && matches!(self.values.as_slice(), [""]) {
            return visitor.visit_none();
        }
        let name = self.name.clone();
        visitor.visit_some(self).map_err(|e| e.within(&name))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        let name = self.name.clone();
        visitor
            .visit_newtype_struct(self)
            .map_err(|e| e.within(&name))
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        let name = self.name.clone();
        let items: Vec<Group<'de>> = if self.below.is_empty() {
            self.values
                .iter()
                .map(|value| Group::leaf(name.clone(), value))
                .collect()
        } else if self.values.is_empty() {
            self.rows()?
        } else {
            return Err(self.fail("is sent both as values and as rows"));
        };
        visitor
            .visit_seq(Items(items.into_iter()))
            .map_err(|e| e.within(&name))
    }

    fn deserialize_tuple<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, FormError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        if !self.values.is_empty() {
            return Err(self.fail("is one value, not a group of fields"));
        }
        let name = self.name.clone();
        let entries = self.entries()?;
        visitor
            .visit_map(Entries {
                entries: entries.into_iter(),
                next: None,
            })
            .map_err(|e| e.within(&name))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FormError> {
        if !self.values.is_empty() {
            return Err(self.fail("is one value, not a group of fields"));
        }
        let name = self.name.clone();
        let groups = self.fields(fields);
        visitor
            .visit_map(Fields {
                groups: groups.into_iter(),
                next: None,
            })
            .map_err(|e| e.within(&name))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, FormError> {
        let value = self.one()?;
        visitor
            .visit_enum(BorrowedStrDeserializer::<FormError>::new(value))
            .map_err(|e| e.within(&self.name))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, FormError> {
        visitor.visit_unit()
    }
}
