//! JSON documents stored in text columns, through one typed wrapper.
//!
//! [`Json<T>`] writes `T` with serde_json when the row is written and reads it back when the row is
//! read. A value that does not serialise fails the statement (nothing, and in particular no empty
//! string, is stored or signed in its place); a stored text that does not parse as a `T` is a
//! corrupt row ([`CorruptValue`]). [`to_text`] and [`to_value`] are the same rule for JSON that is
//! hashed, signed or put in the audit trail rather than stored in a column of its own.

use std::borrow::Cow;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::DbError;
use super::column::{CorruptValue, TextValue};

/// A `T` stored as its JSON text. In API answers it is `T` itself (serde and OpenAPI are `T`'s).
#[derive(
    Debug,
    Clone,
    Default,
    PartialEq,
    Eq,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The document.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: Serialize> Serialize for Json<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Json<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

impl<T: utoipa::PartialSchema> utoipa::PartialSchema for Json<T> {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        T::schema()
    }
}

impl<T: utoipa::ToSchema> utoipa::ToSchema for Json<T> {
    fn name() -> Cow<'static, str> {
        T::name()
    }

    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        T::schemas(schemas);
    }
}

impl<T: Serialize + DeserializeOwned> TextValue for Json<T> {
    fn to_text(&self) -> Result<Cow<'_, str>, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Cow::Owned(serde_json::to_string(&self.0)?))
    }

    fn from_text(text: &str) -> Result<Self, CorruptValue> {
        match from_text(text) {
            Ok(value) => Ok(Self(value)),
            Err(DbError::Corrupt(corrupt)) => Err(corrupt),
            Err(other) => Err(CorruptValue::new("JSON document", text, other.to_string())),
        }
    }
}

crate::text_column_sql!(
    Json<T>,
    T: Serialize + DeserializeOwned + std::fmt::Debug + std::any::Any + Send + Sync
);

/// `value` as JSON text, to hash, sign or store; a value that does not serialise is an error.
pub fn to_text<T: Serialize + ?Sized>(value: &T) -> Result<String, DbError> {
    serde_json::to_string(value).map_err(DbError::Json)
}

/// `value` as a JSON value (for the audit trail); a value that does not serialise is an error.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<serde_json::Value, DbError> {
    serde_json::to_value(value).map_err(DbError::Json)
}

/// A JSON document stored as text in a column not (yet) typed as [`Json`]; a text that does not
/// read as a `T` is a corrupt row.
pub fn from_text<T: DeserializeOwned>(text: &str) -> Result<T, DbError> {
    serde_json::from_str(text).map_err(|e| {
        DbError::Corrupt(CorruptValue::new(
            "JSON document",
            text,
            format!("does not read as {}: {e}", std::any::type_name::<T>()),
        ))
    })
}
