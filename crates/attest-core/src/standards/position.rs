//! Where each node of a YAML document is: document path (`outcomes[0].criteria[2].range`) →
//! line and column, so that errors found after deserialization still point into the file.
//!
//! serde_yaml keeps no positions in its values, so the text is read a second time with
//! saphyr-parser, whose event stream carries a span for every node. The same pass reports syntax
//! errors, several documents in one file, and duplicate keys (which would otherwise surface
//! from serde_yaml without the key's position), and it enforces the [`super::limits`] before
//! serde_yaml expands a single alias.

use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, Span};

use super::limits;

/// A line and column in a file, both counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl Position {
    /// The start of a file.
    pub const START: Position = Position { line: 1, column: 1 };

    fn of(span: &Span) -> Position {
        Position {
            line: span.start.line(),
            column: span.start.col() + 1,
        }
    }
}

/// A problem found while reading the YAML text itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxIssue {
    /// Where.
    pub position: Position,
    /// The document path of the node, empty when the problem is not at a node.
    pub path: String,
    /// What is wrong.
    pub reason: String,
}

/// Positions of the nodes of one YAML document.
#[derive(Clone, Debug, Default)]
pub struct PositionIndex {
    positions: HashMap<String, Position>,
}

impl PositionIndex {
    /// Reads `text`; fails with the syntax problems found (a syntax error stops the reading).
    pub fn build(text: &str) -> Result<PositionIndex, Vec<SyntaxIssue>> {
        if let Some((position, reason)) = limits::oversize(text.as_bytes()) {
            let path = String::new();
            return Err(vec![SyntaxIssue {
                position,
                path,
                reason,
            }]);
        }
        let mut walker = Walker::default();
        for event in Parser::new_from_str(text) {
            match event {
                Ok((event, span)) => {
                    walker.event(event, span);
                    if walker.stopped {
                        break;
                    }
                }
                Err(error) => {
                    walker.issues.push(SyntaxIssue {
                        position: Position {
                            line: error.marker().line(),
                            column: error.marker().col() + 1,
                        },
                        path: String::new(),
                        reason: format!("YAML syntax error: {}", error.info()),
                    });
                    break;
                }
            }
        }
        if walker.issues.is_empty() {
            Ok(PositionIndex {
                positions: walker.positions,
            })
        } else {
            Err(walker.issues)
        }
    }

    /// The position of the node at `path`, or of its nearest ancestor that is in the document
    /// (a missing field is reported where its parent is).
    pub fn locate(&self, path: &str) -> Position {
        let mut path = path;
        loop {
            if let Some(position) = self.positions.get(path) {
                return *position;
            }
            if path.is_empty() {
                return Position::START;
            }
            path = parent(path);
        }
    }
}

/// `a.b[2]` → `a.b`; `a.b` → `a`; `a` → ``.
fn parent(path: &str) -> &str {
    if path.ends_with(']')
        && let Some(open) = path.rfind('[')
    {
        return &path[..open];
    }
    match path.rfind(['.', '[']) {
        Some(cut) => &path[..cut],
        None => "",
    }
}

fn child_of_map(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

enum Frame {
    Map {
        path: String,
        /// The key whose value comes next; `None` while a key is expected.
        key: Option<String>,
        /// The key being read, until its node is complete.
        pending_key: String,
        seen: HashSet<String>,
    },
    Seq {
        path: String,
        next: usize,
    },
}

#[derive(Default)]
struct Walker {
    stack: Vec<Frame>,
    positions: HashMap<String, Position>,
    issues: Vec<SyntaxIssue>,
    documents: usize,
    /// Nodes so far with every alias counted as the nodes it repeats.
    expanded: u64,
    /// Per anchor id, the nodes its node expands to.
    anchors: HashMap<usize, u64>,
    /// Per open collection, its anchor id (0: none) and `expanded` before it started.
    open: Vec<(usize, u64)>,
    /// Bytes of all paths kept.
    path_bytes: usize,
    /// A limit was crossed: reading stops there.
    stopped: bool,
}

impl Walker {
    fn event(&mut self, event: Event<'_>, span: Span) {
        match event {
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents == 2 {
                    self.issues.push(SyntaxIssue {
                        position: Position::of(&span),
                        path: String::new(),
                        reason: "a standard file holds one YAML document; found a second"
                            .to_owned(),
                    });
                }
            }
            Event::Scalar(value, _, anchor, _) => {
                self.count(1, &span);
                if anchor != 0 {
                    self.anchors.insert(anchor, 1);
                }
                self.node(Some(&value), &span);
                self.finish_node();
            }
            Event::Alias(anchor) => {
                let repeats = self.anchors.get(&anchor).copied().unwrap_or(1);
                self.count(repeats, &span);
                self.node(None, &span);
                self.finish_node();
            }
            Event::MappingStart(anchor, _) => {
                self.open_collection(anchor, &span);
                let path = self.node(None, &span);
                self.stack.push(Frame::Map {
                    path,
                    key: None,
                    pending_key: String::new(),
                    seen: HashSet::new(),
                });
            }
            Event::SequenceStart(anchor, _) => {
                self.open_collection(anchor, &span);
                let path = self.node(None, &span);
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some((anchor, before)) = self.open.pop()
                    && anchor != 0
                {
                    self.anchors.insert(anchor, self.expanded - before);
                }
                self.stack.pop();
                self.finish_node();
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }

    /// Counts `nodes` more nodes at `span`, stopping the reading past [`limits::MAX_NODES`].
    fn count(&mut self, nodes: u64, span: &Span) {
        self.expanded = self.expanded.saturating_add(nodes);
        if self.expanded > limits::MAX_NODES {
            self.stop(
                span,
                format!(
                    "the document holds more than {} nodes once its aliases are expanded \
                     (an alias counts as every node it repeats)",
                    limits::MAX_NODES
                ),
            );
        }
    }

    fn open_collection(&mut self, anchor: usize, span: &Span) {
        let before = self.expanded;
        self.count(1, span);
        self.open.push((anchor, before));
        if self.open.len() > limits::MAX_DEPTH {
            self.stop(
                span,
                format!(
                    "the document nests deeper than {} levels",
                    limits::MAX_DEPTH
                ),
            );
        }
    }

    fn stop(&mut self, span: &Span, reason: String) {
        if !self.stopped {
            self.stopped = true;
            self.issues.push(SyntaxIssue {
                position: Position::of(span),
                path: String::new(),
                reason,
            });
        }
    }

    /// Records a node that starts at `span`; returns its path. `scalar` is its text, if a scalar.
    fn node(&mut self, scalar: Option<&str>, span: &Span) -> String {
        let position = Position::of(span);
        let (path, duplicate) = match self.stack.last_mut() {
            None => (String::new(), false),
            Some(Frame::Seq { path, next }) => (format!("{path}[{next}]"), false),
            Some(Frame::Map { path, key, .. }) if key.is_some() => (
                child_of_map(path, key.as_deref().unwrap_or_default()),
                false,
            ),
            Some(Frame::Map {
                path,
                seen,
                pending_key,
                ..
            }) => {
                // This node is a key: the entry's position is the key's.
                let name = scalar.unwrap_or("?");
                name.clone_into(pending_key);
                (child_of_map(path, name), !seen.insert(name.to_owned()))
            }
        };
        if duplicate {
            self.issues.push(SyntaxIssue {
                position,
                path: path.clone(),
                reason: format!(
                    "duplicate key `{}` in the same mapping",
                    scalar.unwrap_or("?")
                ),
            });
        }
        self.path_bytes = self.path_bytes.saturating_add(path.len());
        if self.path_bytes > limits::MAX_PATH_BYTES {
            self.stop(
                span,
                "the document's keys are too long for how deeply it nests".to_owned(),
            );
        }
        self.positions.entry(path.clone()).or_insert(position);
        path
    }

    /// Moves the enclosing collection past the node just completed.
    fn finish_node(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Seq { next, .. }) => *next += 1,
            Some(Frame::Map {
                key, pending_key, ..
            }) => {
                *key = match key {
                    Some(_) => None,
                    None => Some(std::mem::take(pending_key)),
                };
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
code: X
outcomes:
  - id: \"1\"
    criteria:
      - id: \"1.1\"
        range: [a, b]
      - {id: \"1.2\", text: t}
";

    fn at(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn map_entries_are_at_their_key_and_sequence_items_at_their_start() {
        let index = PositionIndex::build(TEXT).unwrap();
        assert_eq!(index.locate("code"), at(1, 1));
        assert_eq!(index.locate("outcomes"), at(2, 1));
        assert_eq!(index.locate("outcomes[0]"), at(3, 5));
        assert_eq!(index.locate("outcomes[0].criteria"), at(4, 5));
        assert_eq!(index.locate("outcomes[0].criteria[0].range"), at(6, 9));
        assert_eq!(index.locate("outcomes[0].criteria[0].range[1]"), at(6, 20));
        assert_eq!(index.locate("outcomes[0].criteria[1].text"), at(7, 21));
    }

    #[test]
    fn a_path_not_in_the_document_falls_back_to_its_nearest_ancestor() {
        let index = PositionIndex::build(TEXT).unwrap();
        assert_eq!(index.locate("outcomes[0].criteria[0].text"), at(5, 9));
        assert_eq!(index.locate("outcomes[0].criteria[0].range[7]"), at(6, 9));
        assert_eq!(index.locate("rules[3].id"), Position::START);
    }

    #[test]
    fn duplicate_keys_are_reported_at_the_second_key() {
        let issues = PositionIndex::build("a: 1\nb:\n  c: 1\n  c: 2\n").unwrap_err();
        assert_eq!(
            issues,
            [SyntaxIssue {
                position: at(4, 3),
                path: "b.c".into(),
                reason: "duplicate key `c` in the same mapping".into(),
            }]
        );
    }

    #[test]
    fn a_second_document_is_an_error() {
        let issues = PositionIndex::build("a: 1\n---\na: 2\n").unwrap_err();
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].position, at(2, 1));
    }

    #[test]
    fn a_syntax_error_stops_the_reading_with_its_position() {
        let issues = PositionIndex::build("a: [1, 2\nb: 3\n").unwrap_err();
        assert_eq!(issues.len(), 1);
        assert!(issues[0].reason.starts_with("YAML syntax error: "));
    }

    /// Nine levels of ten aliases each: a few hundred bytes that expand to a billion nodes.
    pub(crate) fn billion_laughs() -> String {
        let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for level in 1..=9 {
            let previous = format!("*a{}", level - 1);
            let items = [previous.as_str(); 10].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        text
    }

    #[test]
    fn aliases_that_expand_past_the_node_limit_are_refused_where_it_is_crossed() {
        let issues = PositionIndex::build(&billion_laughs()).unwrap_err();
        assert_eq!(issues.len(), 1);
        // Each alias of line 6 repeats the 111,111 nodes of `a4`: the first crosses 200,000.
        assert_eq!(issues[0].position, at(6, 10));
        assert!(
            issues[0].reason.starts_with(
                "the document holds more than 200000 nodes once its aliases are expanded"
            ),
            "{}",
            issues[0].reason
        );
    }

    #[test]
    fn aliases_within_the_limit_read_as_before() {
        let text = "base: &base {x: 1, y: [a, b]}\ncopies: [*base, *base, *base]\n";
        let index = PositionIndex::build(text).unwrap();
        assert_eq!(index.locate("copies[2]"), at(2, 24));
    }

    #[test]
    fn nesting_past_the_depth_limit_is_refused() {
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        let issues = PositionIndex::build(&deep).unwrap_err();
        assert_eq!(issues[0].position, at(1, 65));
        assert_eq!(issues[0].reason, "the document nests deeper than 64 levels");
        let fine = format!("{}{}", "[".repeat(64), "]".repeat(64));
        assert!(PositionIndex::build(&fine).is_ok());
    }

    #[test]
    fn parent_strips_the_last_segment() {
        assert_eq!(parent("a.b[2]"), "a.b");
        assert_eq!(parent("a.b"), "a");
        assert_eq!(parent("a[0]"), "a");
        assert_eq!(parent("a"), "");
    }
}
