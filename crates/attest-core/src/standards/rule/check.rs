//! [`Check`], one of the check kinds, declared with its YAML form (a mapping with one key, the kind)
//! from one list.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::kinds::{
    AssessorConfirms, Channels, Conditional, Coverage, EveryInstance, Exclusion, Grades, Methods,
    MinDistinctValues, MinInstances, MinRangeItems, Note, RangeStatement, SettingRule,
    Simultaneity,
};

/// Declares [`Check`] and its YAML form `CheckRepr` (a mapping with exactly one key, the kind) from
/// one list, so the two cannot drift apart. serde_yaml 0.9 writes externally tagged enums as YAML
/// tags (`!min_instances`), which JSON Schema cannot describe; a one-key mapping it can.
macro_rules! check_kinds {
    ($( $(#[$doc:meta])* $variant:ident($ty:ty) = $key:ident, )+) => {
        /// One mechanical check. In YAML a mapping with one key, the kind:
        /// `- min_instances: {min: 2, where: [{attribute: enquiry_type, any_of: [complex]}]}`.
        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(try_from = "CheckRepr", into = "CheckRepr")]
        pub enum Check {
            $( $(#[$doc])* $variant($ty), )+
        }

        /// A check as written: exactly one of these keys.
        #[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        #[schemars(rename = "Check", extend("minProperties" = 1, "maxProperties" = 1))]
        struct CheckRepr {
            $(
                $(#[$doc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                $key: Option<$ty>,
            )+
        }

        impl Check {
            /// The kind as written in YAML, e.g. `min_instances`.
            pub fn kind(&self) -> &'static str {
                match self {
                    $( Check::$variant(_) => stringify!($key), )+
                }
            }

            /// Every kind, as written in YAML.
            pub const KINDS: &'static [&'static str] = &[$( stringify!($key), )+];
        }

        impl TryFrom<CheckRepr> for Check {
            type Error = String;

            fn try_from(repr: CheckRepr) -> Result<Self, String> {
                let mut found = Vec::new();
                $( if let Some(body) = repr.$key { found.push(Check::$variant(body)); } )+
                match found.len() {
                    1 => Ok(found.remove(0)),
                    0 => Err(format!("a check needs one kind: {}", Check::KINDS.join(", "))),
                    _ => {
                        let kinds: Vec<&str> = found.iter().map(Check::kind).collect();
                        Err(format!("a check has exactly one kind, found {}", kinds.join(" and ")))
                    }
                }
            }
        }

        impl From<Check> for CheckRepr {
            fn from(check: Check) -> Self {
                let mut repr = CheckRepr::default();
                match check {
                    $( Check::$variant(body) => repr.$key = Some(body), )+
                }
                repr
            }
        }
    };
}

check_kinds! {
    /// At least N instances (matching filters) in scope.
    MinInstances(MinInstances) = min_instances,
    /// At least N items of a range list shown per instance.
    MinRangeItems(MinRangeItems) = min_range_items,
    /// At least N distinct values of an attribute across instances.
    MinDistinctValues(MinDistinctValues) = min_distinct_values,
    /// All criteria, all knowledge items or all items of lists covered.
    Coverage(Coverage) = coverage,
    /// What does not count as an instance of a kind.
    Exclusion(Exclusion) = exclusion,
    /// Required, supporting and permitted methods.
    Methods(Methods) = methods,
    /// Workplace only, or simulation under a condition.
    Setting(SettingRule) = setting,
    /// An activity done at the same time as the performance.
    Simultaneity(Simultaneity) = simultaneity,
    /// Channels used.
    Channels(Channels) = channels,
    /// Every instance matches filters.
    EveryInstance(EveryInstance) = every_instance,
    /// Conditional criteria may be not applicable.
    Conditional(Conditional) = conditional,
    /// Range lists that apply.
    RangeStatement(RangeStatement) = range_statement,
    /// The assessor confirms a statement.
    AssessorConfirms(AssessorConfirms) = assessor_confirms,
    /// The grades available.
    Grades(Grades) = grades,
    /// Information only.
    Note(Note) = note,
}
