//! `index.html`: the archive read by a person — candidate, unit, outcomes with their criteria and
//! the evidence mapped, judgements, sign-offs and every file with its SHA-256. All text is escaped.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::Value;

use super::manifest::{FileEntry, Judgement, word};
use super::names::href;
use super::{ArchiveInput, level_text};

/// Escapes text for HTML element content and attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;\
line-height:1.4}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border:1px solid #bbb;\
padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eee}code{font-size:.85em;\
word-break:break-all}dt{font-weight:bold}dd{margin:0 0 .4rem 0}.none{color:#777}";

/// Writes the whole index to `out`.
pub(super) fn write_index(
    out: &mut impl Write,
    input: &ArchiveInput,
    files: &[FileEntry],
    judgements: &[Judgement],
) -> io::Result<()> {
    let unit = format!(
        "{} {} version {}: {}",
        input.standard.framework, input.standard.code, input.standard.version, input.standard.title
    );
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Portfolio of {name} — {unit}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>Portfolio of {name}</h1>\n<p>{unit}</p>\n",
        name = escape(&input.candidate.name),
        unit = escape(&unit),
    )?;
    write_summary(out, input)?;
    write_outcomes(out, input, judgements)?;
    write_evidence(out, input, files)?;
    write_judgements(out, judgements)?;
    write_sign_offs(out, &input.sign_offs)?;
    write_questions(out, &input.questions, files)?;
    write_files(out, files)?;
    write!(
        out,
        "<p>Every file's SHA-256 is also in <code>manifest.json</code>. Check them all with \
         <code>attest verify-archive</code> followed by the archive's file name.</p>\n</body>\n</html>\n"
    )
}

fn write_summary(out: &mut impl Write, input: &ArchiveInput) -> io::Result<()> {
    let candidate = &input.candidate;
    let standard = &input.standard;
    writeln!(out, "<dl>")?;
    let mut item = |term: &str, value: &str| {
        writeln!(out, "<dt>{}</dt><dd>{}</dd>", escape(term), escape(value))
    };
    item("Candidate", &candidate.name)?;
    item("Candidate id", &candidate.id)?;
    if let Some(number) = &candidate.learner_number {
        item(number.scheme.as_str(), &number.value)?;
    }
    item("Framework", &standard.framework)?;
    item("Standard", &standard.code)?;
    item("Version", &standard.version.to_string())?;
    item("Title", &standard.title)?;
    if let Some(level) = &standard.level {
        item("Level", &level_text(level))?;
    }
    if let Some(credits) = standard.credits {
        item("Credits", &credits.to_string())?;
    }
    item("Standard content hash", &standard.content_hash)?;
    item(
        "Archive made",
        &input.generated_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    )?;
    writeln!(out, "</dl>")
}

fn write_outcomes(
    out: &mut impl Write,
    input: &ArchiveInput,
    judgements: &[Judgement],
) -> io::Result<()> {
    let mut by_criterion: BTreeMap<&str, Vec<&Judgement>> = BTreeMap::new();
    for judgement in judgements {
        if let Some(criterion) = &judgement.criterion {
            by_criterion.entry(criterion).or_default().push(judgement);
        }
    }
    writeln!(out, "<h2>Outcomes and criteria</h2>")?;
    for outcome in &input.outcomes {
        writeln!(
            out,
            "<h3>Outcome {}: {}</h3>\n<table>\n<tr><th>Criterion</th><th>Requirement</th>\
             <th>Evidence mapped (judgement)</th></tr>",
            escape(&outcome.reference),
            escape(&outcome.title)
        )?;
        for criterion in &outcome.criteria {
            let mapped = by_criterion
                .get(criterion.reference.as_str())
                .map(|list| {
                    list.iter()
                        .map(|j| format!("{} ({})", j.evidence, j.judgement))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&criterion.reference),
                escape(&criterion.text),
                or_none(&mapped)
            )?;
        }
        writeln!(out, "</table>")?;
    }
    Ok(())
}

fn write_evidence(
    out: &mut impl Write,
    input: &ArchiveInput,
    files: &[FileEntry],
) -> io::Result<()> {
    writeln!(
        out,
        "<h2>Evidence</h2>\n<table>\n<tr><th>Id</th><th>Title</th><th>Method</th><th>Date</th>\
         <th>Criteria</th><th>Knowledge</th><th>Files</th></tr>"
    )?;
    for record in &input.evidence {
        let id = word(&record["id"]).unwrap_or_default();
        let mapped = |list: &str, key: &str| {
            record[list]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| word(&m[key]))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let links = files
            .iter()
            .filter(|f| f.evidence.contains(&id))
            .map(|f| {
                format!(
                    "<a href=\"{}\">{}</a>",
                    escape(&href(&f.path)),
                    escape(&f.name)
                )
            })
            .collect::<Vec<_>>()
            .join("<br>");
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&id),
            escape(&plain(&record["title"])) + &observed(&record["observation"]),
            escape(&plain(&record["method"]).replace('_', " ")),
            escape(&plain(&record["date"])),
            or_none(&mapped("criteria", "criterion")),
            or_none(&mapped("knowledge", "item")),
            if links.is_empty() {
                "<span class=\"none\">none</span>".to_owned()
            } else {
                links
            },
        )?;
    }
    writeln!(out, "</table>")
}

fn write_judgements(out: &mut impl Write, judgements: &[Judgement]) -> io::Result<()> {
    writeln!(
        out,
        "<h2>Judgements</h2>\n<table>\n<tr><th>Evidence</th><th>Criterion or knowledge</th>\
         <th>Judgement</th><th>Feedback</th></tr>"
    )?;
    for judgement in judgements {
        let target = match (&judgement.criterion, &judgement.knowledge) {
            (Some(criterion), _) => format!("criterion {criterion}"),
            (None, Some(item)) => format!("knowledge {item}"),
            (None, None) => String::new(),
        };
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&judgement.evidence),
            escape(&target),
            escape(&judgement.judgement),
            escape(judgement.feedback.as_deref().unwrap_or(""))
        )?;
    }
    writeln!(out, "</table>")
}

/// Sign-offs are shown field by field whatever their shape, so nothing recorded is hidden.
fn write_sign_offs(out: &mut impl Write, sign_offs: &[Value]) -> io::Result<()> {
    writeln!(out, "<h2>Sign-offs</h2>")?;
    if sign_offs.is_empty() {
        return writeln!(out, "<p class=\"none\">No sign-offs recorded.</p>");
    }
    for sign_off in sign_offs {
        writeln!(out, "<table>")?;
        match sign_off {
            Value::Object(fields) => {
                for (key, value) in fields {
                    writeln!(
                        out,
                        "<tr><th>{}</th><td>{}</td></tr>",
                        escape(&key.replace('_', " ")),
                        escape(&plain(value))
                    )?;
                }
            }
            other => writeln!(out, "<tr><td>{}</td></tr>", escape(&plain(other)))?,
        }
        writeln!(out, "</table>")?;
    }
    Ok(())
}

/// The questions sent, each answer beside its question (a recording linked to its file), with the
/// mark and the assessor's comment. Nothing when no questions were sent.
fn write_questions(
    out: &mut impl Write,
    questions: &[Value],
    files: &[FileEntry],
) -> io::Result<()> {
    if questions.is_empty() {
        return Ok(());
    }
    writeln!(out, "<h2>Questions</h2>")?;
    for request in questions {
        writeln!(
            out,
            "<h3>{}</h3>\n<p>Sent {}; {}.</p>\n<table>\n<tr><th>Question</th><th>Covers</th>\
             <th>Answer</th><th>Mark</th><th>Comment</th></tr>",
            escape(&plain(&request["title"])),
            escape(&plain(&request["sent_at"])),
            escape(&plain(&request["status"]))
        )?;
        for answer in request["answers"].as_array().into_iter().flatten() {
            let mut given = or_none(&plain(&answer["text"]));
            if let Some(sha256) = word(&answer["file"]["sha256"]) {
                let name = plain(&answer["file"]["name"]);
                let link = match files.iter().find(|f| f.sha256 == sha256) {
                    Some(file) => format!(
                        "<a href=\"{}\">{}</a>",
                        escape(&href(&file.path)),
                        escape(&name)
                    ),
                    None => escape(&name),
                };
                given = if answer["text"].is_string() {
                    format!("{given}<br>Recording: {link}")
                } else {
                    format!("Recording: {link}")
                };
            }
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{given}</td><td>{}</td><td>{}</td></tr>",
                escape(&plain(&answer["question"])),
                escape(&plain(&answer["covers"])),
                or_none(&plain(&answer["result"]).replace('_', " ")),
                or_none(&plain(&answer["comment"]))
            )?;
        }
        writeln!(out, "</table>")?;
    }
    Ok(())
}

fn write_files(out: &mut impl Write, files: &[FileEntry]) -> io::Result<()> {
    writeln!(
        out,
        "<h2>Files</h2>\n<table>\n<tr><th>File</th><th>Evidence</th><th>Size (bytes)</th>\
         <th>SHA-256</th></tr>"
    )?;
    for file in files {
        writeln!(
            out,
            "<tr><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            escape(&href(&file.path)),
            escape(&file.name),
            escape(&file.evidence.join(", ")),
            file.size,
            escape(&file.sha256)
        )?;
    }
    writeln!(out, "</table>")
}

/// A JSON value as text for people: strings as they are, lists joined, objects as JSON.
/// An observation's times, narrative and feedback to the candidate, under its title.
fn observed(observation: &Value) -> String {
    let mut lines = String::new();
    if let (Some(start), Some(end)) = (word(&observation["start"]), word(&observation["end"])) {
        lines.push_str(&format!(
            "<br>Observed {} to {}",
            escape(start.get(..5).unwrap_or(start.as_str())),
            escape(end.get(..5).unwrap_or(end.as_str()))
        ));
    }
    for (key, label) in [
        ("narrative", "Observed"),
        ("feedback", "Feedback to the candidate"),
    ] {
        if let Some(text) = word(&observation[key]) {
            lines.push_str(&format!("<br>{label}: {}", escape(&text)));
        }
    }
    lines
}

fn plain(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Array(items) => items.iter().map(plain).collect::<Vec<_>>().join(", "),
        Value::Object(_) => value.to_string(),
    }
}

/// Escaped text, or a grey "none" when empty.
fn or_none(text: &str) -> String {
    if text.is_empty() {
        "<span class=\"none\">none</span>".to_owned()
    } else {
        escape(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
