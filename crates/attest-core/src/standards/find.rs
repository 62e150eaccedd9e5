//! Finding a standard among those loaded by its code (or an alias) and version.

use super::loader::LoadedStandard;

/// The standard named by `spec`: `CODE` or `CODE@VERSION`. The code matches the code or an alias,
/// case-insensitively and ignoring spaces (`H12H 04` = `h12h04` = `CFACC33`); without a version,
/// the highest version loaded.
pub fn find<'a>(all: &'a [LoadedStandard], spec: &str) -> Option<&'a LoadedStandard> {
    let (code, version) = match spec.rsplit_once('@') {
        Some((code, version)) => (code, Some(parse_version(version)?)),
        None => (spec, None),
    };
    let mut matching = all.iter().filter(|loaded| loaded.standard.answers_to(code));
    match version {
        Some(version) => matching.find(|loaded| loaded.standard.version == version),
        None => matching.max_by_key(|loaded| loaded.standard.version),
    }
}

/// `2`, `v2` or `V2`.
fn parse_version(text: &str) -> Option<u32> {
    let text = text.trim();
    let digits = text
        .strip_prefix('v')
        .or_else(|| text.strip_prefix('V'))
        .unwrap_or(text);
    digits.parse().ok()
}
