//! Plain words for gaps: names of scopes, methods, channels, evidence instances, lists.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};

use crate::standards::{Channel, Method, RangeList};

/// A method as people say it.
pub fn method(method: Method) -> &'static str {
    method.label()
}

/// A channel as people say it.
pub fn channel(channel: Channel) -> &'static str {
    channel.label()
}

/// Every channel, in the vocabulary's order (bit `i` of a channel mask is `CHANNELS[i]`).
pub const CHANNELS: [Channel; 7] = Channel::ALL;

/// The bit of a channel in a channel mask.
pub fn channel_bit(wanted: Channel) -> u8 {
    CHANNELS
        .iter()
        .position(|c| *c == wanted)
        .map_or(0, |i| 1 << i)
}

/// The channels of a mask, in words.
pub fn channels_in(mask: u8) -> Vec<&'static str> {
    CHANNELS
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, c)| channel(*c))
        .collect()
}

/// The indefinite article for a noun phrase in words: `an` before a vowel, else `a`.
pub fn article(noun: &str) -> &'static str {
    match noun.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'A' | 'E' | 'I' | 'O' | 'U') => "an",
        _ => "a",
    }
}

/// `a`, `a and b`, `a, b and c` (or with `or`).
pub fn join(items: &[impl AsRef<str>], last: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == items.len() { last } else { ", " });
        }
        out.push_str(item.as_ref());
    }
    out
}

/// Appends `items` joined as [`join`] joins them.
pub fn push_join<'a>(out: &mut String, items: impl IntoIterator<Item = &'a str>, last: &str) {
    let mut items = items.into_iter().peekable();
    let mut first = true;
    while let Some(item) = items.next() {
        if !first {
            out.push_str(if items.peek().is_none() { last } else { ", " });
        }
        out.push_str(item);
        first = false;
    }
}

/// Appends `text` with its first letter in lower case, as [`lower_first`] gives it.
pub fn push_lower_first(out: &mut String, text: &str) {
    let first_word = text.split_whitespace().next().unwrap_or_default();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first_word.chars().filter(|c| c.is_uppercase()).count() <= 1 => {
            out.extend(first.to_lowercase());
            out.push_str(chars.as_str());
        }
        _ => out.push_str(text),
    }
}

/// Appends a range list's name (see [`list_name`]).
pub fn push_list_name(out: &mut String, list: &RangeList) {
    match &list.name {
        Some(name) => out.push_str(name),
        None => list.id.split('_').enumerate().for_each(|(n, part)| {
            if n > 0 {
                out.push(' ');
            }
            out.push_str(part);
        }),
    }
}

/// " and " / " or " joins.
pub const AND: &str = " and ";
/// See [`AND`].
pub const OR: &str = " or ";

/// The first letter in upper case, for the start of a sentence.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The first letter in lower case unless the first word is an acronym (`CSA`).
pub fn lower_first(text: &str) -> String {
    let first_word = text.split_whitespace().next().unwrap_or_default();
    if first_word.chars().filter(|c| c.is_uppercase()).count() > 1 {
        return text.to_owned();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How a sentence names what a check counts, in the singular and the plural.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noun {
    /// "complex customer enquiry"
    pub one: String,
    /// "complex customer enquiries"
    pub many: String,
}

impl Noun {
    /// The noun for `n` things.
    pub fn for_count(&self, n: u32) -> &str {
        if n == 1 { &self.one } else { &self.many }
    }
}

/// A range list's name for sentences: its name, else its id in words ("greeting requirements").
pub fn list_name(list: &RangeList) -> String {
    list.name
        .clone()
        .unwrap_or_else(|| list.id.replace('_', " "))
}

/// Appends a date as "12 May", with the year when the portfolio spans more than one year.
pub fn push_date(out: &mut String, date: NaiveDate, with_year: bool) {
    // Written by hand: every evaluation labels every instance, and `write!` costs more than the rest.
    let day = date.day();
    if day >= 10 {
        out.push(char::from(b'0' + (day / 10) as u8));
    }
    out.push(char::from(b'0' + (day % 10) as u8));
    out.push(' ');
    out.push_str(month(date.month()));
    if with_year {
        let _ = write!(out, " {}", date.year());
    }
}

fn month(month: u32) -> &'static str {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    MONTHS
        .get(month.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("?")
}

/// "1 thing" / "2 things".
pub fn count(n: u32, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_read_as_english() {
        assert_eq!(join(&["a"], AND), "a");
        assert_eq!(join(&["a", "b"], AND), "a and b");
        assert_eq!(join(&["a", "b", "c"], OR), "a, b or c");
    }

    #[test]
    fn first_letters_change_except_for_acronyms() {
        assert_eq!(
            lower_first("Complex customer enquiry"),
            "complex customer enquiry"
        );
        assert_eq!(lower_first("CSA authority"), "CSA authority");
        assert_eq!(capitalise("the enquiry of 12 May"), "The enquiry of 12 May");
    }

    #[test]
    fn dates_are_day_and_month() {
        let may = NaiveDate::from_ymd_opt(2024, 5, 12).expect("valid date");
        let mut short = String::new();
        push_date(&mut short, may, false);
        assert_eq!(short, "12 May");
        let mut long = String::new();
        push_date(&mut long, may, true);
        assert_eq!(long, "12 May 2024");
    }
}
