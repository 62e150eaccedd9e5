//! 1EdTech CASE 1.1: a `CFPackage` (`CFDocument`, `CFItems`, `CFAssociations`, optional
//! `CFDefinitions` and `CFRubrics`), read into a standard and written from one.
//!
//! The `isChildOf` associations make the tree. Where the document holds a single top item with
//! children (the unit itself, as [`export_case`] writes it), its `humanCodingScheme` is the code
//! and its children are the outcomes; otherwise the top items are the outcomes. An outcome's
//! children are its criteria; an item whose `CFItemType` mentions knowledge holds knowledge items
//! (or is one). Items of type `Evidence rule` / `Evidence attribute` (what the export writes)
//! carry the rule or attribute as JSON in their `notes` and are restored as such.

mod builder;
mod export;
mod format;
mod read;

pub use export::export_case;
pub use read::import_case;

const RULE_TYPE: &str = "Evidence rule";
const ATTRIBUTE_TYPE: &str = "Evidence attribute";
const RULES_GROUP_TYPE: &str = "Evidence rules";
const KNOWN_KEYS: [&str; 5] = [
    "CFDocument",
    "CFItems",
    "CFAssociations",
    "CFDefinitions",
    "CFRubrics",
];
