//! Typed text columns: one mapping from a Rust value to the text a column stores and back, used by
//! the id newtypes ([`super::ids`]), the status enums ([`text_enum!`](crate::text_enum)) and the
//! JSON wrapper ([`super::json::Json`]).
//!
//! Every such column is `Text` on both backends (one portable schema). A stored text that does not
//! read back as its type is a corrupt row: it fails the query with [`CorruptValue`] (reported as
//! [`DbError::Corrupt`](super::DbError::Corrupt)), never a default standing in for it.

/// A stored value that does not read back as the type its column holds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "corrupt row: stored {kind} `{value}`{} {reason}",
    column.as_deref().map(|c| format!(" (column {c})")).unwrap_or_default()
)]
pub struct CorruptValue {
    /// What the column holds (`enrolment status`, `enrolment id`, `JSON document`).
    pub kind: &'static str,
    /// The column, when the query knows it.
    pub column: Option<String>,
    /// The stored text, cut short when long (it may be a whole document).
    pub value: String,
    /// Why it does not read.
    pub reason: String,
}

impl CorruptValue {
    /// The longest part of a stored value quoted in the error.
    const QUOTED: usize = 80;

    /// `text`, stored as a `kind`, does not read because of `reason`.
    pub fn new(kind: &'static str, text: &str, reason: impl Into<String>) -> Self {
        let value = match text.char_indices().nth(Self::QUOTED) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.to_owned(),
        };
        Self {
            kind,
            column: None,
            value,
            reason: reason.into(),
        }
    }
}

/// A value stored as one text column.
pub trait TextValue: Sized {
    /// The text stored for this value. Fails only when the value cannot be written (a JSON
    /// document that does not serialise); that fails the statement, nothing empty is stored.
    fn to_text(
        &self,
    ) -> Result<std::borrow::Cow<'_, str>, Box<dyn std::error::Error + Send + Sync>>;

    /// The value a stored text holds; a text that is not one is a corrupt row.
    fn from_text(text: &str) -> Result<Self, CorruptValue>;
}

/// Implements diesel's `ToSql`/`FromSql` for `Text` on SQLite, PostgreSQL and the multi-backend
/// connection, through the type's [`TextValue`] impl. Also derives nothing: the type still needs
/// `#[derive(AsExpression, FromSqlRow)] #[diesel(sql_type = Text)]`.
#[macro_export]
#[doc(hidden)]
macro_rules! text_column_sql {
    ($ty:ty $(, $($gen:tt)+)?) => {
        impl $(<$($gen)+>)? ::diesel::serialize::ToSql<::diesel::sql_types::Text, ::diesel::sqlite::Sqlite>
            for $ty
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, ::diesel::sqlite::Sqlite>,
            ) -> ::diesel::serialize::Result {
                let text = $crate::db::column::TextValue::to_text(self)?;
                out.set_value(text.into_owned());
                Ok(::diesel::serialize::IsNull::No)
            }
        }

        impl $(<$($gen)+>)? ::diesel::serialize::ToSql<::diesel::sql_types::Text, ::diesel::pg::Pg> for $ty {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, ::diesel::pg::Pg>,
            ) -> ::diesel::serialize::Result {
                let text = $crate::db::column::TextValue::to_text(self)?;
                ::std::io::Write::write_all(out, text.as_bytes())?;
                Ok(::diesel::serialize::IsNull::No)
            }
        }

        impl $(<$($gen)+>)? ::diesel::serialize::ToSql<::diesel::sql_types::Text, $crate::db::MultiBackend>
            for $ty
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> ::diesel::serialize::Result {
                out.set_value((::diesel::sql_types::Text, self));
                Ok(::diesel::serialize::IsNull::No)
            }
        }

        impl $(<$($gen)+>)? ::diesel::deserialize::FromSql<::diesel::sql_types::Text, ::diesel::sqlite::Sqlite>
            for $ty
        {
            fn from_sql(
                value: <::diesel::sqlite::Sqlite as ::diesel::backend::Backend>::RawValue<'_>,
            ) -> ::diesel::deserialize::Result<Self> {
                let text = <String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    ::diesel::sqlite::Sqlite,
                >>::from_sql(value)?;
                Ok(<Self as $crate::db::column::TextValue>::from_text(&text)?)
            }
        }

        impl $(<$($gen)+>)? ::diesel::deserialize::FromSql<::diesel::sql_types::Text, ::diesel::pg::Pg> for $ty {
            fn from_sql(
                value: <::diesel::pg::Pg as ::diesel::backend::Backend>::RawValue<'_>,
            ) -> ::diesel::deserialize::Result<Self> {
                let text = <String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    ::diesel::pg::Pg,
                >>::from_sql(value)?;
                Ok(<Self as $crate::db::column::TextValue>::from_text(&text)?)
            }
        }

        impl $(<$($gen)+>)? ::diesel::deserialize::FromSql<::diesel::sql_types::Text, $crate::db::MultiBackend>
            for $ty
        {
            fn from_sql(
                value: <$crate::db::MultiBackend as ::diesel::backend::Backend>::RawValue<'_>,
            ) -> ::diesel::deserialize::Result<Self> {
                value.from_sql::<Self, ::diesel::sql_types::Text>()
            }
        }
    };
}

/// An enum stored as text (a status, a kind, a decision), each variant with its stored name:
///
/// ```text
/// text_enum! {
///     /// Where a request is.
///     pub enum RequestStatus: "request status" {
///         /// Waiting.
///         Open = "open",
///         /// Done.
///         Closed = "closed",
///     }
/// }
/// ```
///
/// gives `as_str`, `ALL`, `Display`, `FromStr`, serde as the stored name, an OpenAPI string enum,
/// and the diesel mapping for `Text` columns. An unknown stored name is a corrupt row
/// ([`CorruptValue`]), never a fallback variant.
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $kind:literal {
            $( $(#[$variant_meta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            ::diesel::expression::AsExpression, ::diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = ::diesel::sql_types::Text)]
        $vis enum $name {
            $( $(#[$variant_meta])* $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// The stored name.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text, )+
                }
            }

            /// The variant stored as `text`, if any.
            pub fn parse(text: &str) -> Option<Self> {
                match text {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }

            /// The stored names, for messages: `a, b or c`.
            fn expected() -> String {
                let names: Vec<&str> = Self::ALL.iter().map(|v| v.as_str()).collect();
                match names.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} or {last}", rest.join(", "))
                    }
                    _ => names.concat(),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::db::column::UnknownName;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Self::parse(text).ok_or_else(|| $crate::db::column::UnknownName {
                    kind: $kind,
                    name: text.to_owned(),
                    expected: Self::expected(),
                })
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(::serde::de::Error::custom)
            }
        }

        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .enum_values(Some([ $( $text, )+ ]))
                    .into()
            }
        }

        impl ::utoipa::ToSchema for $name {}

        impl $crate::db::column::TextValue for $name {
            fn to_text(
                &self,
            ) -> Result<::std::borrow::Cow<'_, str>, Box<dyn ::std::error::Error + Send + Sync>> {
                Ok(::std::borrow::Cow::Borrowed(self.as_str()))
            }

            fn from_text(text: &str) -> Result<Self, $crate::db::column::CorruptValue> {
                Self::parse(text).ok_or_else(|| {
                    $crate::db::column::CorruptValue::new(
                        $kind,
                        text,
                        format!("is not {}", Self::expected()),
                    )
                })
            }
        }

        $crate::text_column_sql!($name);
    };
}

/// A name that is none of a text enum's variants (in input: a 4xx naming the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a known {kind}: expected {expected}")]
pub struct UnknownName {
    /// What was being named (`enrolment status`).
    pub kind: &'static str,
    /// The name given.
    pub name: String,
    /// The names allowed, for the message.
    pub expected: String,
}
