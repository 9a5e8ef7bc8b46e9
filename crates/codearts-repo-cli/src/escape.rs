//! Text from the service made safe to show on a terminal.
//!
//! A commit title, a ref name or an error message can hold characters that a terminal
//! obeys rather than shows: ESC starts a sequence that recolours, retitles the window or
//! moves the cursor, CR rewinds the line, C1 controls (U+0080–U+009F) are ESC's single
//! character forms, and the bidi overrides and isolates reorder the rest of the line
//! ("Trojan Source"). Tables, CSV and error messages show each such character as an
//! escape, in the one convention of the SDK ([`codearts_repo::escape_char`], the same as
//! its errors' `Display` through [`codearts_repo::printable`]), that of a Rust string
//! literal:
//!
//! - `\t`, `\n` and `\r` as in C;
//! - every other C0 control and DEL as `\xNN`, two lowercase hex digits (ESC is `\x1b`, BEL
//!   `\x07`);
//! - C1 controls, the bidi marks, embeddings, overrides and isolates (U+200E, U+200F,
//!   U+202A–U+202E, U+2066–U+2069), the line and paragraph separators (U+2028, U+2029) and
//!   the byte order mark (U+FEFF) as `\u{N}`, lowercase hex without leading zeros (CSI is
//!   `\u{9b}`).
//!
//! Backslashes are left as they are: escapes are for reading, and JSON gives the text exact.
//! JSON strings escape the same characters as `\uNNNN` ([`JsonFormatter`]).

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

use unicode_width::UnicodeWidthChar;

/// Whether a terminal could act on `c` instead of showing it (the SDK's
/// [`codearts_repo::needs_escape`]).
pub(crate) fn is_control(c: char) -> bool {
    codearts_repo::needs_escape(c)
}

/// Appends `c`, or its escape when it is a control character.
fn push_shown(out: &mut String, c: char) {
    let _ = write!(out, "{}", codearts_repo::escape_char(c));
}

/// Which control characters a piece of text keeps as they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Keep {
    /// None: one line of text (table cells, messages on stderr).
    Nothing,
    /// Line feeds (CSV cells, which quote text of several lines).
    LineFeeds,
}

/// `text` with every control character escaped, except those `keep` names.
pub(crate) fn visible(text: &str, keep: Keep) -> Cow<'_, str> {
    let kept = |c: char| keep == Keep::LineFeeds && c == '\n';
    if !text.chars().any(|c| is_control(c) && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if kept(c) {
            out.push(c);
        } else {
            push_shown(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// Terminal columns that `text` takes once escaped.
pub(crate) fn visible_width(text: &str) -> usize {
    let mut piece = String::new();
    text.chars()
        .map(|c| {
            if is_control(c) {
                piece.clear();
                push_shown(&mut piece, c);
                piece.len()
            } else {
                c.width().unwrap_or(0)
            }
        })
        .sum()
}

/// `text` escaped and cut to at most `room` terminal columns, the cut marked with `…`; an
/// escape is kept whole or left out, never cut in two.
pub(crate) fn visible_cut(text: &str, room: usize) -> String {
    if visible_width(text) <= room {
        return visible(text, Keep::Nothing).into_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut piece = String::new();
    for c in text.chars() {
        piece.clear();
        push_shown(&mut piece, c);
        let width = if is_control(c) {
            piece.len()
        } else {
            c.width().unwrap_or(0)
        };
        if used + width + 1 > room {
            break;
        }
        out.push_str(&piece);
        used += width;
    }
    out.push('…');
    out
}

/// A `serde_json` formatter that also escapes, as `\uNNNN`, the control characters that
/// JSON allows raw (DEL, C1, bidi controls, line and paragraph separators), so that JSON
/// written to a terminal cannot drive it either; the text read back is the same.
pub(crate) struct JsonFormatter<F> {
    inner: F,
}

impl JsonFormatter<serde_json::ser::CompactFormatter> {
    /// One line per document (NDJSON).
    pub(crate) fn compact() -> Self {
        Self {
            inner: serde_json::ser::CompactFormatter,
        }
    }
}

impl JsonFormatter<serde_json::ser::PrettyFormatter<'static>> {
    /// Indented by two spaces, as `serde_json::to_writer_pretty`.
    pub(crate) fn pretty() -> Self {
        Self {
            inner: serde_json::ser::PrettyFormatter::new(),
        }
    }
}

/// Writes `value` as JSON with `formatter`.
pub(crate) fn write_json<W, F, T>(out: W, formatter: JsonFormatter<F>, value: &T) -> io::Result<()>
where
    W: io::Write,
    F: serde_json::ser::Formatter,
    T: serde::Serialize + ?Sized,
{
    let mut serializer = serde_json::Serializer::with_formatter(out, formatter);
    value.serialize(&mut serializer).map_err(io::Error::other)
}

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for JsonFormatter<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json has already escaped C0 controls, quotes and backslashes.
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if is_control(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    // The layout is the inner formatter's.
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use unicode_width::UnicodeWidthStr;

    use super::*;

    /// The title of the issue: it retitles the window, rings the bell, turns text red.
    const HOSTILE: &str = "\x1b]0;pwned\x07\x1b[31mfix";

    #[test]
    fn every_kind_of_control_character_is_shown_as_an_escape() {
        assert_eq!(
            visible(HOSTILE, Keep::Nothing),
            "\\x1b]0;pwned\\x07\\x1b[31mfix"
        );
        assert_eq!(
            visible("a\tb\rc\nd\0e\x7ff", Keep::Nothing),
            "a\\tb\\rc\\nd\\x00e\\x7ff"
        );
        assert_eq!(
            visible("\u{9b}31m\u{85}", Keep::Nothing),
            "\\u{9b}31m\\u{85}"
        );
        assert_eq!(
            visible("x\u{202e}gnp.exe\u{2066}\u{2069}\u{2028}", Keep::Nothing),
            "x\\u{202e}gnp.exe\\u{2066}\\u{2069}\\u{2028}"
        );
        assert_eq!(
            visible("\u{200f}\u{feff}", Keep::Nothing),
            "\\u{200f}\\u{feff}"
        );
        // The SDK's errors show service texts the same way.
        let text = "\x1b[1m\u{9b}2J\u{202e}\r\x7f";
        assert_eq!(
            visible(text, Keep::Nothing),
            codearts_repo::printable(text).to_string()
        );
        // What is printable stays as it is, backslashes and wide characters included.
        for plain in ["提交 \"quoted\" C:\\path", "Chloé ½ — ok", ""] {
            assert!(matches!(visible(plain, Keep::Nothing), Cow::Borrowed(_)));
        }
        assert_eq!(
            visible("one\ntwo\r\n\x1b", Keep::LineFeeds),
            "one\ntwo\\r\n\\x1b"
        );
    }

    #[test]
    fn widths_and_cuts_count_the_escapes() {
        for text in [HOSTILE, "提交\x1b[0m", "\u{202e}abc", "plain"] {
            assert_eq!(
                visible_width(text),
                visible(text, Keep::Nothing).width(),
                "{text:?}"
            );
        }
        // A cut never splits an escape: `\x1b` is kept whole or left out.
        assert_eq!(visible_cut("ab\x1bcd", 7), "ab\\x1b…");
        assert_eq!(visible_cut("ab\x1bcd", 6), "ab…");
        assert_eq!(visible_cut("ab\x1bcd", 8), "ab\\x1bcd");
        assert_eq!(visible_cut("提交提交", 5), "提交…");
        for room in 1..30 {
            let cut = visible_cut(HOSTILE, room);
            assert!(cut.width() <= room.max(1), "{room}: {cut}");
            assert!(!cut.chars().any(is_control), "{cut:?}");
        }
    }

    #[test]
    fn json_escapes_what_json_allows_raw_and_reads_back_the_same() {
        let text = format!("{HOSTILE}\u{7f}\u{9b}\u{202e}\u{2029} 提交 \"q\" \\");
        let value = serde_json::json!({"title": text, "n": [1, 2]});
        for pretty in [false, true] {
            let mut out = Vec::new();
            if pretty {
                write_json(&mut out, JsonFormatter::pretty(), &value).unwrap();
            } else {
                write_json(&mut out, JsonFormatter::compact(), &value).unwrap();
            }
            let written = String::from_utf8(out).unwrap();
            assert!(
                !written.chars().any(|c| is_control(c) && c != '\n'),
                "{written:?}"
            );
            let expected = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            assert_eq!(written.lines().count(), expected.lines().count());
            let read: serde_json::Value = serde_json::from_str(&written).unwrap();
            assert_eq!(read, value);
        }
    }
}
