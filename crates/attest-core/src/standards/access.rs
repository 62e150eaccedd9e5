//! Queries on a standard that the loader, the outline and the rules engine share.

use super::model::{Attribute, Criterion, KnowledgeItem, Outcome, RangeList, Standard};
use super::rule::{Rule, Scope};
use super::validate::lists_in;

/// A code compared case-insensitively and without spaces (`H12H 04` = `h12h04`).
pub fn normalise_code(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

impl Standard {
    /// Whether `code` names this standard by its code or an alias (case and spaces ignored).
    pub fn answers_to(&self, code: &str) -> bool {
        let wanted = normalise_code(code);
        std::iter::once(&self.code)
            .chain(&self.aliases)
            .any(|known| normalise_code(known) == wanted)
    }

    /// Every criterion, in document order.
    pub fn criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.outcomes.iter().flat_map(|outcome| &outcome.criteria)
    }

    /// The criterion with this id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria().find(|criterion| criterion.id == id)
    }

    /// The outcome with this id.
    pub fn outcome(&self, id: &str) -> Option<&Outcome> {
        self.outcomes.iter().find(|outcome| outcome.id == id)
    }

    /// The outcome that holds the criterion with this id.
    pub fn outcome_of(&self, criterion_id: &str) -> Option<&Outcome> {
        self.outcomes
            .iter()
            .find(|outcome| outcome.criteria.iter().any(|c| c.id == criterion_id))
    }

    /// The knowledge item with this id.
    pub fn knowledge_item(&self, id: &str) -> Option<&KnowledgeItem> {
        self.knowledge.iter().find(|item| item.id == id)
    }

    /// Every range list (under definitions, criteria, outcomes and the unit), in document order.
    pub fn range_lists(&self) -> Vec<&RangeList> {
        lists_in(self).map(|(_, list)| list).collect()
    }

    /// The range list with this id.
    pub fn range_list(&self, id: &str) -> Option<&RangeList> {
        lists_in(self)
            .map(|(_, list)| list)
            .find(|list| list.id == id)
    }

    /// The attribute with this id.
    pub fn attribute(&self, id: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|attribute| attribute.id == id)
    }

    /// The declared value ids of an attribute: its `values`, then the items of `values_from`.
    pub fn attribute_value_ids<'a>(&'a self, attribute: &'a Attribute) -> Vec<&'a str> {
        let listed = attribute
            .values_from
            .as_deref()
            .and_then(|id| self.range_list(id))
            .into_iter()
            .flat_map(|list| list.items.iter().map(|item| item.id.as_str()));
        attribute
            .values
            .iter()
            .map(|value| value.id.as_str())
            .chain(listed)
            .collect()
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|rule| rule.id == id)
    }

    /// The criterion ids a scope covers, in document order: all criteria for the unit, else the
    /// criteria of its outcomes and its criteria.
    pub fn scope_criteria(&self, scope: &Scope) -> Vec<&str> {
        self.outcomes
            .iter()
            .flat_map(|outcome| {
                let whole = scope.is_unit() || scope.outcomes.contains(&outcome.id);
                outcome
                    .criteria
                    .iter()
                    .filter(move |c| whole || scope.criteria.contains(&c.id))
            })
            .map(|criterion| criterion.id.as_str())
            .collect()
    }

    /// The knowledge item ids a scope covers: all for the unit, else its knowledge items.
    pub fn scope_knowledge(&self, scope: &Scope) -> Vec<&str> {
        self.knowledge
            .iter()
            .filter(|item| scope.is_unit() || scope.knowledge.contains(&item.id))
            .map(|item| item.id.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_code;

    #[test]
    fn codes_compare_without_case_or_spaces() {
        assert_eq!(normalise_code("H12H 04"), "H12H04");
        assert_eq!(normalise_code(" h12h\t04 "), "H12H04");
        assert_eq!(normalise_code("CfA CC25"), "CFACC25");
    }
}
