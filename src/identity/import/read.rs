//! Reading the file: UTF-8 CSV with a header row, every row kept with the line it starts on, and
//! every unreadable line or unknown column named.

use super::{COLUMNS, ImportError, ImportProblem, ImportRow, MAX_ROWS};

/// Reads a CSV file (UTF-8, a header row naming the columns in any order). Every unreadable line
/// and unknown column is reported; nothing is dropped silently.
pub fn read_csv(bytes: &[u8]) -> Result<Vec<ImportRow>, ImportError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ImportError::Rows(vec![ImportProblem {
            line: line_of(bytes, e.valid_up_to()),
            field: String::new(),
            reason: "is not UTF-8 text: save the file as CSV UTF-8".into(),
        }])
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv reader counts a CRLF line break as no line at all for the first record (browsers
    // send a text box's lines with CRLF, spreadsheets save them so): with LF alone every row
    // keeps its own line number.
    let text = text.replace("\r\n", "\n");
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(text.as_bytes());
    let mut problems = Vec::new();
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.to_lowercase()).collect(),
        Err(err) => return Err(ImportError::Rows(vec![csv_problem(&err, 1)])),
    };
    for (i, column) in header.iter().enumerate() {
        if !COLUMNS.contains(&column.as_str()) {
            problems.push(ImportProblem {
                line: 1,
                field: column.clone(),
                reason: format!(
                    "is not a column this import reads (column {}); the columns are: {}",
                    i + 1,
                    COLUMNS.join(", ")
                ),
            });
        }
    }
    for required in ["name", "email"] {
        if !header.iter().any(|h| h == required) {
            problems.push(ImportProblem {
                line: 1,
                field: required.into(),
                reason: "is a required column and the header lacks it".into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Rows(problems));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                let line = err.position().map_or(0, |p| p.line());
                problems.push(csv_problem(&err, line));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            problems.push(ImportProblem {
                line,
                field: String::new(),
                reason: format!("the file holds more than {MAX_ROWS} people: split it"),
            });
            break;
        }
        for (i, value) in record.iter().enumerate() {
            if let Some(c) = value
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            {
                problems.push(ImportProblem {
                    line,
                    field: header.get(i).cloned().unwrap_or_default(),
                    reason: format!("contains the control character U+{:04X}", u32::from(c)),
                });
            }
        }
        let cell = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        rows.push(ImportRow {
            line,
            name: cell("name").unwrap_or_default(),
            email: cell("email").unwrap_or_default(),
            learner_number: cell("learner_number"),
            cohort: cell("cohort"),
            standard: cell("standard"),
            assessor: cell("assessor"),
            iv: cell("iv"),
        });
    }
    if !problems.is_empty() {
        return Err(ImportError::Rows(problems));
    }
    if rows.is_empty() {
        return Err(ImportError::Rows(vec![ImportProblem {
            line: 2,
            field: String::new(),
            reason: "the file names nobody: one person per line after the header".into(),
        }]));
    }
    Ok(rows)
}

fn csv_problem(err: &csv::Error, line: u64) -> ImportProblem {
    let reason = match err.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("has {len} cells where the header has {expected_len}"),
        _ => format!("cannot be read as CSV: {err}"),
    };
    ImportProblem {
        line,
        field: String::new(),
        reason,
    }
}

fn line_of(bytes: &[u8], offset: usize) -> u64 {
    1 + bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<u64> {
        read_csv(text.as_bytes())
            .unwrap()
            .iter()
            .map(|r| r.line)
            .collect()
    }

    #[test]
    fn rows_keep_the_line_they_start_on_whatever_the_line_endings() {
        assert_eq!(lines("name,email\na,a@x.nz\nb,b@x.nz\n"), [2, 3]);
        assert_eq!(lines("name,email\r\na,a@x.nz\r\nb,b@x.nz\r\n"), [2, 3]);
        assert_eq!(
            lines("\u{feff}name,email\n\"a\nb\",a@x.nz\nc,c@x.nz"),
            [2, 4]
        );
    }

    #[test]
    fn unknown_columns_short_rows_and_control_characters_are_named() {
        let Err(ImportError::Rows(problems)) = read_csv(b"name,email,shoe\na,b,c\n") else {
            panic!("an unknown column is refused");
        };
        assert_eq!((problems[0].line, problems[0].field.as_str()), (1, "shoe"));
        let Err(ImportError::Rows(problems)) = read_csv(b"name,email\na\nb,c\x00d\n") else {
            panic!("a short row is refused");
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].line, 2);
        assert_eq!((problems[1].line, problems[1].field.as_str()), (3, "email"));
        assert!(read_csv(b"name,email\n").is_err(), "nobody to add");
        assert!(read_csv(b"name\nx\n").is_err(), "email is required");
    }
}
