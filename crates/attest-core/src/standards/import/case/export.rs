//! Writing a standard as a CASE 1.1 `CFPackage`: [`export_case`] and the stable node ids it uses.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{ATTRIBUTE_TYPE, RULE_TYPE, RULES_GROUP_TYPE};
use crate::standards::model::{Standard, Status};

/// A stable identifier for one node of one standard version (a version 8 UUID from SHA-256), so
/// exporting the same version twice gives the same identifiers.
fn node_id(standard: &Standard, node: &str) -> String {
    let digest = Sha256::digest(
        format!(
            "attest:{}@{}/{node}",
            crate::standards::normalise_code(&standard.code),
            standard.version
        )
        .as_bytes(),
    );
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// Writes `standard` as a CASE 1.1 `CFPackage`: the document, one item for the unit (its code as
/// `humanCodingScheme`), its outcomes and their criteria, a "Knowledge and understanding" item
/// with the knowledge items, and the evidence rules and attributes as items whose `notes` hold
/// their JSON. `changed_at` is the `lastChangeDateTime` written on every node. Returns the
/// package and what CASE cannot carry (range lists, definitions, sign-off, guidance).
pub fn export_case(standard: &Standard, changed_at: &str) -> (Value, Vec<String>) {
    let doc_id = node_id(standard, "document");
    let doc_uri = format!("urn:uuid:{doc_id}");
    let doc_link = json!({"title": standard.title, "identifier": doc_id, "uri": doc_uri});
    let mut items: Vec<Value> = Vec::new();
    let mut associations: Vec<Value> = Vec::new();
    let mut add = |node: &str,
                   statement: &str,
                   coding: Option<&str>,
                   kind: &str,
                   parent: Option<(&str, &str)>,
                   sequence: usize,
                   notes: Option<String>,
                   label: Option<&str>| {
        let id = node_id(standard, node);
        let uri = format!("urn:uuid:{id}");
        let mut item = json!({
            "identifier": id,
            "uri": uri,
            "fullStatement": statement,
            "CFItemType": kind,
            "lastChangeDateTime": changed_at,
            "CFDocumentURI": doc_link,
        });
        if let Some(coding) = coding {
            item["humanCodingScheme"] = json!(coding);
        }
        if let Some(notes) = notes {
            item["notes"] = json!(notes);
        }
        if let Some(label) = label {
            item["listEnumeration"] = json!(label);
        }
        items.push(item);
        let destination = match parent {
            Some((parent_id, title)) => json!({
                "title": title,
                "identifier": parent_id,
                "uri": format!("urn:uuid:{parent_id}"),
            }),
            None => doc_link.clone(),
        };
        let association_id = node_id(standard, &format!("{node}/isChildOf"));
        associations.push(json!({
            "identifier": association_id,
            "uri": format!("urn:uuid:{association_id}"),
            "associationType": "isChildOf",
            "sequenceNumber": sequence,
            "originNodeURI": {"title": statement, "identifier": id, "uri": uri},
            "destinationNodeURI": destination,
            "lastChangeDateTime": changed_at,
            "CFDocumentURI": doc_link,
        }));
        id
    };
    let unit = add(
        "unit",
        &standard.title,
        Some(&standard.code),
        "Unit",
        None,
        1,
        None,
        None,
    );
    for (o, outcome) in standard.outcomes.iter().enumerate() {
        let outcome_node = add(
            &format!("outcome/{}", outcome.id),
            &outcome.title,
            Some(&outcome.id),
            "Outcome",
            Some((&unit, &standard.title)),
            o + 1,
            None,
            outcome.label.as_deref(),
        );
        for (c, criterion) in outcome.criteria.iter().enumerate() {
            add(
                &format!("criterion/{}", criterion.id),
                &criterion.text,
                Some(&criterion.id),
                "Performance criterion",
                Some((&outcome_node, &outcome.title)),
                c + 1,
                None,
                criterion.label.as_deref(),
            );
        }
    }
    let next = standard.outcomes.len() + 1;
    if !standard.knowledge.is_empty() {
        let group = add(
            "knowledge",
            "Knowledge and understanding",
            None,
            "Knowledge",
            Some((&unit, &standard.title)),
            next,
            None,
            None,
        );
        for (k, item) in standard.knowledge.iter().enumerate() {
            add(
                &format!("knowledge/{}", item.id),
                &item.text,
                Some(&item.id),
                "Knowledge item",
                Some((&group, "Knowledge and understanding")),
                k + 1,
                None,
                item.label.as_deref(),
            );
        }
    }
    if !standard.rules.is_empty() || !standard.attributes.is_empty() {
        let group = add(
            "rules",
            "Evidence rules",
            None,
            RULES_GROUP_TYPE,
            Some((&unit, &standard.title)),
            next + 1,
            None,
            None,
        );
        for (a, attribute) in standard.attributes.iter().enumerate() {
            add(
                &format!("attribute/{}", attribute.id),
                &attribute.label,
                Some(&attribute.id),
                ATTRIBUTE_TYPE,
                Some((&group, "Evidence rules")),
                a + 1,
                serde_json::to_string(attribute).ok(),
                None,
            );
        }
        for (r, rule) in standard.rules.iter().enumerate() {
            let statement = crate::standards::effective_rule(rule, &Default::default())
                .map(|effective| {
                    effective
                        .checks
                        .iter()
                        .map(crate::standards::describe)
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_else(|_| rule.source.verbatim.clone());
            add(
                &format!("rule/{}", rule.id),
                &format!(
                    "{} (\"{}\", {})",
                    statement, rule.source.verbatim, rule.source.locator
                ),
                Some(&rule.id),
                RULE_TYPE,
                Some((&group, "Evidence rules")),
                standard.attributes.len() + r + 1,
                serde_json::to_string(rule).ok(),
                None,
            );
        }
    }
    let mut document = json!({
        "identifier": doc_id,
        "uri": doc_uri,
        "CFPackageURI": {"title": standard.title, "identifier": doc_id, "uri": doc_uri},
        "creator": standard.originating_body.clone().unwrap_or_else(|| standard.framework.clone()),
        "title": standard.title,
        "lastChangeDateTime": changed_at,
        "publisher": standard.framework,
        "version": standard.version.to_string(),
        "adoptionStatus": match standard.status {
            Some(Status::Draft) => "Draft",
            Some(Status::Expiring | Status::Expired) => "Deprecated",
            _ => "Adopted",
        },
        "language": "en",
    });
    if let Some(purpose) = &standard.purpose {
        document["description"] = json!(purpose);
    }
    if let Some(start) = standard
        .dates
        .registered
        .as_ref()
        .or(standard.dates.published.as_ref())
        .and_then(|d| d.earliest())
    {
        document["statusStartDate"] = json!(start.to_string());
    }
    if let Some(end) = standard
        .dates
        .last_date_for_assessment
        .as_ref()
        .and_then(|d| d.latest())
    {
        document["statusEndDate"] = json!(end.to_string());
    }
    if !standard.encoding_notes.is_empty() {
        document["notes"] = json!(standard.encoding_notes.join("\n"));
    }
    let mut left_out = Vec::new();
    let lists = standard.ranges.len()
        + standard
            .outcomes
            .iter()
            .map(|o| o.range.len() + o.criteria.iter().map(|c| c.range.len()).sum::<usize>())
            .sum::<usize>();
    for (count, what) in [
        (lists, "range list(s)"),
        (standard.definitions.len(), "definition(s)"),
        (standard.guidance.len(), "guidance section(s)"),
        (usize::from(standard.sign_off.is_some()), "sign-off form"),
        (standard.source_fields.len(), "other source field(s)"),
        (
            usize::from(standard.level.is_some())
                + usize::from(standard.credits.is_some())
                + standard.classifications.len()
                + standard.replaces.len()
                + standard.replaced_by.len()
                + standard.references.len(),
            "level, credit, classification, lineage or reference entries",
        ),
    ] {
        if count > 0 {
            left_out.push(format!(
                "{count} {what}: CASE has no place for them; not exported"
            ));
        }
    }
    let package = json!({
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
    });
    (package, left_out)
}
