//! Writing results: tables for people, JSON, NDJSON and CSV for programs, and the per-day
//! commit histogram.
//!
//! Records arrive as the JSON the service sent (each SDK type serialized back), so every
//! format shows the same data and the machine formats lose nothing. JSON, NDJSON and CSV
//! are written as items arrive; a table waits for the last row to size its columns.
//!
//! Nothing the service sent reaches a terminal as a control character (see
//! [`crate::escape`]): tables, the histogram and CSV show them as escapes, JSON writes them
//! as `\uNNNN`. CSV cells that a spreadsheet would run as a formula get a leading `'` unless
//! the formula guard is turned off.

use std::io::{self, IsTerminal, Write};

use chrono::NaiveDate;
use serde_json::Value;

use crate::cli::OutputFormat;
use crate::escape::{JsonFormatter, Keep, visible, visible_cut, visible_width, write_json};

/// The terminal's width when stdout is one: tables and histograms fit it, and pipes get
/// every character.
pub(crate) fn stdout_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    terminal_size::terminal_size_of(io::stdout()).map(|(width, _)| usize::from(width.0))
}

/// One column of a table or CSV file: a header and how to read its cell from a record.
pub(crate) struct Column {
    /// Header, as printed.
    pub(crate) header: &'static str,
    /// The cell's text for one record.
    pub(crate) cell: fn(&Value) -> String,
    /// Where the column appears.
    pub(crate) shown: Shown,
}

/// Where a column appears: tables keep to what fits a line, CSV has every field in full.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shown {
    /// In tables and CSV.
    Everywhere,
    /// Only in tables (abbreviations, combined fields).
    TableOnly,
    /// Only in CSV (full ids, e-mail addresses, fields a table combines).
    CsvOnly,
}

impl Column {
    fn in_table(&self) -> bool {
        self.shown != Shown::CsvOnly
    }

    fn in_csv(&self) -> bool {
        self.shown != Shown::TableOnly
    }
}

/// The text at a JSON pointer: strings as they are, numbers and booleans written out,
/// absent or null as empty.
pub(crate) fn text_at(record: &Value, pointer: &str) -> String {
    match record.pointer(pointer) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// The first `n` characters of the text at a pointer (abbreviated commit ids).
pub(crate) fn prefix_at(record: &Value, pointer: &str, n: usize) -> String {
    text_at(record, pointer).chars().take(n).collect()
}

/// Whether a result is a list or a single object (which JSON writes without brackets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// Zero or more records.
    List,
    /// Exactly one record.
    Single,
}

/// Writes records in one format.
pub(crate) struct RecordWriter<W: Write> {
    format: OutputFormat,
    shape: Shape,
    columns: &'static [Column],
    out: W,
    /// Terminal width to fit a table into, when stdout is a terminal.
    width: Option<usize>,
    /// What to print when a table has no rows, such as "no events".
    empty_note: &'static str,
    /// Whether CSV cells that a spreadsheet would run as formulas are neutralised.
    formula_guard: bool,
    written: u64,
    table_rows: Vec<Vec<String>>,
}

impl<W: Write> RecordWriter<W> {
    /// A writer of `columns` in `format`.
    pub(crate) fn new(
        format: OutputFormat,
        shape: Shape,
        columns: &'static [Column],
        out: W,
        width: Option<usize>,
        empty_note: &'static str,
    ) -> Self {
        Self {
            format,
            shape,
            columns,
            out,
            width,
            empty_note,
            formula_guard: true,
            written: 0,
            table_rows: Vec::new(),
        }
    }

    /// Whether CSV cells starting with `=`, `+`, `-`, `@`, a tab or a carriage return get a
    /// leading `'` (the default) so that a spreadsheet shows them instead of running them.
    pub(crate) fn formula_guard(mut self, on: bool) -> Self {
        self.formula_guard = on;
        self
    }

    /// Writes (or, for a table, keeps) one record.
    pub(crate) fn record(&mut self, record: &Value) -> io::Result<()> {
        match self.format {
            OutputFormat::Json => {
                let mut text = Vec::new();
                write_json(&mut text, JsonFormatter::pretty(), record)?;
                let text = String::from_utf8(text).map_err(io::Error::other)?;
                match self.shape {
                    Shape::Single => writeln!(self.out, "{text}")?,
                    Shape::List => {
                        let separator = if self.written == 0 { "[\n" } else { ",\n" };
                        self.out.write_all(separator.as_bytes())?;
                        // JSON strings hold no raw newline, so indenting every line is safe.
                        for (i, line) in text.lines().enumerate() {
                            if i > 0 {
                                self.out.write_all(b"\n")?;
                            }
                            write!(self.out, "  {line}")?;
                        }
                    }
                }
            }
            OutputFormat::Ndjson => {
                write_json(&mut self.out, JsonFormatter::compact(), record)?;
                self.out.write_all(b"\n")?;
            }
            OutputFormat::Csv => {
                if self.written == 0 {
                    self.write_csv_header()?;
                }
                let cells = self
                    .columns
                    .iter()
                    .filter(|c| c.in_csv())
                    .map(|c| csv_cell(&(c.cell)(record), self.formula_guard));
                self.out.write_all(&csv_line(cells)?)?;
            }
            OutputFormat::Table => {
                let row = self
                    .columns
                    .iter()
                    .filter(|c| c.in_table())
                    .map(|c| clean_cell(&(c.cell)(record)))
                    .collect();
                self.table_rows.push(row);
            }
        }
        self.written += 1;
        Ok(())
    }

    fn write_csv_header(&mut self) -> io::Result<()> {
        let headers = self
            .columns
            .iter()
            .filter(|c| c.in_csv())
            .map(|c| c.header.to_lowercase());
        self.out.write_all(&csv_line(headers)?)
    }

    /// Passes on what has been written so far (a table waits for its last row regardless),
    /// so that a reader of a pipe sees each page as it arrives.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Finishes the output (closing brackets, the table itself) and flushes it.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        match self.format {
            OutputFormat::Json => match (self.shape, self.written) {
                (Shape::List, 0) => self.out.write_all(b"[]\n")?,
                (Shape::List, _) => self.out.write_all(b"\n]\n")?,
                (Shape::Single, 0) => self.out.write_all(b"null\n")?,
                (Shape::Single, _) => {}
            },
            OutputFormat::Ndjson => {}
            OutputFormat::Csv => {
                if self.written == 0 {
                    self.write_csv_header()?;
                }
            }
            OutputFormat::Table => {
                let headers: Vec<String> = self
                    .columns
                    .iter()
                    .filter(|c| c.in_table())
                    .map(|c| c.header.to_string())
                    .collect();
                if self.table_rows.is_empty() {
                    writeln!(self.out, "({})", self.empty_note)?;
                } else {
                    write_table(&mut self.out, &headers, &self.table_rows, self.width)?;
                }
            }
        }
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One CSV record, quoted as needed, with its line end; written row by row so that the
/// output streams.
fn csv_line<I>(cells: I) -> io::Result<Vec<u8>>
where
    I: IntoIterator,
    I::Item: AsRef<[u8]>,
{
    let mut csv = csv::WriterBuilder::new()
        .buffer_capacity(256)
        .from_writer(Vec::new());
    csv.write_record(cells).map_err(io::Error::other)?;
    csv.into_inner()
        .map_err(|e| io::Error::other(e.to_string()))
}

/// A CSV cell: control characters escaped (line feeds kept, inside quotes), and with
/// `formula_guard`, a leading `'` before what a spreadsheet would run as a formula (the
/// OWASP advice for CSV injection).
fn csv_cell(text: &str, formula_guard: bool) -> String {
    let shown = visible(text, Keep::LineFeeds);
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if formula_guard && formula {
        format!("'{shown}")
    } else {
        shown.into_owned()
    }
}

/// Table cells hold one line: a multi-line message shows its first line, a tab shows as a
/// space. The text is kept as it came: control characters are escaped as it is written.
fn clean_cell(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    first.replace('\t', " ")
}

const GAP: &str = "  ";

/// Writes aligned columns, control characters escaped and the widths those escapes take
/// counted; with a terminal width, the last column is cut to fit it.
pub(crate) fn write_table(
    out: &mut impl Write,
    headers: &[String],
    rows: &[Vec<String>],
    width: Option<usize>,
) -> io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|h| visible_width(h)).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(visible_width(cell));
        }
    }
    let last_room = width.map(|total| {
        let before: usize = widths[..widths.len() - 1]
            .iter()
            .map(|w| w + GAP.len())
            .sum();
        // Keep at least a few characters of the last column however narrow the terminal.
        total.saturating_sub(before).max(12)
    });
    let mut write_row = |cells: &[String]| -> io::Result<()> {
        let mut line = String::new();
        for (i, (cell, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                match last_room {
                    Some(room) => line.push_str(&visible_cut(cell, room)),
                    None => line.push_str(&visible(cell, Keep::Nothing)),
                }
            } else {
                line.push_str(&visible(cell, Keep::Nothing));
                line.extend(std::iter::repeat_n(' ', w - visible_width(cell)));
                line.push_str(GAP);
            }
        }
        writeln!(out, "{}", line.trim_end())
    };
    write_row(headers)?;
    for row in rows {
        write_row(row)?;
    }
    Ok(())
}

/// The number of commits of one day.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub(crate) struct DayCount {
    /// The day, `YYYY-MM-DD`.
    pub(crate) day: String,
    /// Commits on that day.
    pub(crate) commits_count: u64,
}

/// Draws a per-day histogram: one line per day, oldest first, bars scaled to the busiest day.
pub(crate) fn write_histogram(
    out: &mut impl Write,
    days: &[DayCount],
    width: Option<usize>,
) -> io::Result<()> {
    if days.is_empty() {
        writeln!(out, "(no commits)")?;
        return Ok(());
    }
    let days = with_empty_days(days);
    let busiest = days
        .iter()
        .map(|d| d.commits_count)
        .max()
        .unwrap_or(0)
        .max(1);
    let total: u64 = days.iter().map(|d| d.commits_count).sum();
    let count_width = busiest.to_string().len();
    // Day, gap, count, gap, bar: the bar gets what the terminal has left, at most 50.
    let fixed = 10 + GAP.len() + count_width + 1;
    let bar_room = width.map_or(50, |w| w.saturating_sub(fixed).clamp(10, 50));
    for d in &days {
        let bar = bar_length(d.commits_count, busiest, bar_room);
        let line = format!(
            "{}{GAP}{:>count_width$} {}",
            visible(&d.day, Keep::Nothing),
            d.commits_count,
            "█".repeat(bar)
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    let active = days.iter().filter(|d| d.commits_count > 0).count();
    let plural = if total == 1 { "" } else { "s" };
    let day_plural = if active == 1 { "" } else { "s" };
    writeln!(
        out,
        "{total} commit{plural} on {active} day{day_plural}, {} to {}",
        visible(&days[0].day, Keep::Nothing),
        visible(&days[days.len() - 1].day, Keep::Nothing)
    )
}

/// Longest span of days drawn with its empty days filled in; beyond it only days with
/// commits are drawn, to keep the histogram readable.
const FILL_EMPTY_DAYS_UP_TO: i64 = 366;

/// The days oldest first, with the days between them that had no commit added as zero, so
/// that gaps show; days that are not `YYYY-MM-DD` are kept as they are.
fn with_empty_days(days: &[DayCount]) -> Vec<DayCount> {
    let mut sorted = days.to_vec();
    sorted.sort_by(|a, b| a.day.cmp(&b.day));
    let dates: Option<Vec<NaiveDate>> = sorted
        .iter()
        .map(|d| NaiveDate::parse_from_str(&d.day, "%Y-%m-%d").ok())
        .collect();
    let Some(dates) = dates else { return sorted };
    let (Some(&first), Some(&last)) = (dates.first(), dates.last()) else {
        return sorted;
    };
    if (last - first).num_days() > FILL_EMPTY_DAYS_UP_TO {
        return sorted;
    }
    let mut filled = Vec::new();
    let mut given = sorted.into_iter().zip(dates).peekable();
    for day in first.iter_days().take_while(|day| *day <= last) {
        match given.next_if(|(_, date)| *date == day) {
            Some((count, _)) => filled.push(count),
            None => filled.push(DayCount {
                day: day.to_string(),
                commits_count: 0,
            }),
        }
    }
    filled
}

/// Bar length for `count`, scaled so the busiest day fills `room`; never zero for a
/// non-zero count, so a single commit still shows.
fn bar_length(count: u64, busiest: u64, room: usize) -> usize {
    if count == 0 {
        return 0;
    }
    let scaled = (count as f64 / busiest as f64 * room as f64).round() as usize;
    scaled.clamp(1, room)
}

/// Writes day counts as data rather than as a drawing; `formula_guard` as for records.
pub(crate) fn write_day_counts(
    out: &mut impl Write,
    format: OutputFormat,
    days: &[DayCount],
    width: Option<usize>,
    formula_guard: bool,
) -> io::Result<()> {
    match format {
        OutputFormat::Table => write_histogram(out, days, width)?,
        OutputFormat::Json => {
            write_json(&mut *out, JsonFormatter::pretty(), days)?;
            writeln!(out)?;
        }
        OutputFormat::Ndjson => {
            for d in days {
                write_json(&mut *out, JsonFormatter::compact(), d)?;
                writeln!(out)?;
            }
        }
        OutputFormat::Csv => {
            out.write_all(&csv_line(["day", "commits_count"])?)?;
            for d in days {
                let day = csv_cell(&d.day, formula_guard);
                out.write_all(&csv_line([day, d.commits_count.to_string()])?)?;
            }
        }
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

    use super::*;
    use crate::escape::is_control;

    static COLUMNS: &[Column] = &[
        Column {
            header: "ID",
            cell: |r| text_at(r, "/id"),
            shown: Shown::Everywhere,
        },
        Column {
            header: "EMAIL",
            cell: |r| text_at(r, "/email"),
            shown: Shown::CsvOnly,
        },
        Column {
            header: "TITLE",
            cell: |r| text_at(r, "/title"),
            shown: Shown::Everywhere,
        },
        Column {
            header: "SHORT",
            cell: |r| prefix_at(r, "/title", 3),
            shown: Shown::TableOnly,
        },
    ];

    fn render(format: OutputFormat, shape: Shape, records: &[Value]) -> String {
        render_guarded(format, shape, records, true)
    }

    fn render_guarded(
        format: OutputFormat,
        shape: Shape,
        records: &[Value],
        formula_guard: bool,
    ) -> String {
        let mut writer = RecordWriter::new(format, shape, COLUMNS, Vec::new(), None, "none")
            .formula_guard(formula_guard);
        for r in records {
            writer.record(r).unwrap();
        }
        String::from_utf8(writer.finish().unwrap()).unwrap()
    }

    fn sample() -> Vec<Value> {
        vec![
            json!({"id": 1, "email": "a@x", "title": "first line\nsecond line"}),
            json!({"id": 22, "email": null, "title": "提交, \"quoted\""}),
        ]
    }

    #[test]
    fn json_list_is_one_valid_array() {
        let text = render(OutputFormat::Json, Shape::List, &sample());
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, Value::Array(sample()));
        assert_eq!(render(OutputFormat::Json, Shape::List, &[]), "[]\n");
    }

    #[test]
    fn json_single_is_an_object() {
        let text = render(OutputFormat::Json, Shape::Single, &sample()[..1]);
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, sample()[0]);
        assert_eq!(render(OutputFormat::Json, Shape::Single, &[]), "null\n");
    }

    #[test]
    fn ndjson_is_one_object_per_line() {
        let text = render(OutputFormat::Ndjson, Shape::List, &sample());
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines, sample());
    }

    #[test]
    fn csv_has_every_column_and_quotes_what_needs_it() {
        let text = render(OutputFormat::Csv, Shape::List, &sample());
        assert_eq!(
            text,
            "id,email,title\n1,a@x,\"first line\nsecond line\"\n22,,\"提交, \"\"quoted\"\"\"\n"
        );
        assert_eq!(
            render(OutputFormat::Csv, Shape::List, &[]),
            "id,email,title\n"
        );
    }

    #[test]
    fn table_aligns_wide_characters_and_keeps_one_line_per_row() {
        let text = render(OutputFormat::Table, Shape::List, &sample());
        assert_eq!(
            text,
            "ID  TITLE           SHORT\n1   first line      fir\n22  提交, \"quoted\"  提交,\n",
        );
        assert_eq!(render(OutputFormat::Table, Shape::List, &[]), "(none)\n");
    }

    /// Records whose text would drive a terminal: the title of the issue, C1 and bidi
    /// controls, a lone carriage return, and cells a spreadsheet would run.
    fn hostile() -> Vec<Value> {
        vec![
            json!({"id": "\u{1b}[2J", "email": "=HYPERLINK(\"http://x\")",
                   "title": "\u{1b}]0;pwned\u{7}\u{1b}[31mfix"}),
            json!({"id": 7, "email": "@SUM(A1)", "title": "-1+2\r\u{9b}31m\u{202e}txt.exe"}),
            json!({"id": "+x", "email": "\tlead", "title": "plain"}),
        ]
    }

    /// Whether `text` has a control character other than the line feeds ending its lines.
    fn has_control(text: &str) -> bool {
        text.chars().any(|c| is_control(c) && c != '\n')
    }

    #[test]
    fn a_table_shows_control_characters_as_escapes_and_stays_aligned() {
        let text = render(OutputFormat::Table, Shape::List, &hostile());
        assert!(!has_control(&text), "{text:?}");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[1].contains("\\x1b]0;pwned\\x07\\x1b[31mfix"),
            "{text}"
        );
        assert!(
            lines[2].contains("-1+2\\r\\u{9b}31m\\u{202e}txt.exe"),
            "{text}"
        );
        // Every column starts at the same terminal column on every line (the cells here
        // hold no two spaces in a row, which separate columns).
        let starts = |line: &str| -> Vec<usize> {
            let mut starts = Vec::new();
            let mut column = 0;
            let mut spaces = 2;
            for c in line.chars() {
                if c != ' ' && spaces >= 2 {
                    starts.push(column);
                }
                spaces = if c == ' ' { spaces + 1 } else { 0 };
                column += c.width().unwrap_or(0);
            }
            starts
        };
        let header = starts(lines[0]);
        assert_eq!(header.len(), 3, "{}", lines[0]);
        for line in &lines[1..] {
            assert_eq!(starts(line), header, "{text}");
        }
        // Cut to a terminal's width, a row keeps its escapes whole.
        let headers = vec!["ID".to_string(), "TITLE".to_string()];
        let rows = vec![vec!["1".to_string(), "ab\u{1b}[31mcdef".to_string()]];
        let mut out = Vec::new();
        write_table(&mut out, &headers, &rows, Some(4 + 12)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|l| l.width() <= 16), "{text}");
        assert!(text.contains("ab\\x1b[31mc…"), "{text}");
    }

    #[test]
    fn csv_escapes_control_characters_and_guards_formulas() {
        let text = render(OutputFormat::Csv, Shape::List, &hostile());
        assert!(!has_control(&text), "{text:?}");
        assert_eq!(
            text,
            "id,email,title\n\
             \\x1b[2J,\"'=HYPERLINK(\"\"http://x\"\")\",\\x1b]0;pwned\\x07\\x1b[31mfix\n\
             7,'@SUM(A1),'-1+2\\r\\u{9b}31m\\u{202e}txt.exe\n\
             '+x,'\\tlead,plain\n"
        );
        // Without the guard, cells are as sent, control characters still escaped.
        let raw = render_guarded(OutputFormat::Csv, Shape::List, &hostile(), false);
        assert!(!has_control(&raw), "{raw:?}");
        assert!(raw.contains("\n7,@SUM(A1),-1+2\\r"), "{raw}");
        assert!(raw.contains("\n+x,\\tlead,plain\n"), "{raw}");
        // Multi-line text stays multi-line inside quotes; a negative-looking cell in the
        // middle of a text is left alone.
        let text = render(
            OutputFormat::Csv,
            Shape::List,
            &[json!({"id": 1, "email": "a-b@x", "title": "one\ntwo\u{7}"})],
        );
        assert_eq!(text, "id,email,title\n1,a-b@x,\"one\ntwo\\x07\"\n");
    }

    #[test]
    fn json_and_ndjson_give_the_text_exactly_with_no_raw_control_character() {
        for format in [OutputFormat::Json, OutputFormat::Ndjson] {
            let text = render(format, Shape::List, &hostile());
            assert!(!has_control(&text), "{text:?}");
            let read: Vec<Value> = match format {
                OutputFormat::Json => serde_json::from_str(&text).unwrap(),
                _ => text
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect(),
            };
            assert_eq!(read, hostile(), "{format:?}");
        }
    }

    #[test]
    fn the_histogram_and_day_counts_escape_what_the_service_calls_a_day() {
        let days = vec![DayCount {
            day: "\u{1b}[31m=2025".into(),
            commits_count: 2,
        }];
        let mut out = Vec::new();
        write_histogram(&mut out, &days, None).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!has_control(&text), "{text:?}");
        assert!(text.starts_with("\\x1b[31m=2025  2 "), "{text}");
        let mut out = Vec::new();
        write_day_counts(&mut out, OutputFormat::Csv, &days, None, true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "day,commits_count\n\\x1b[31m=2025,2\n"
        );
        let mut out = Vec::new();
        let guarded = vec![DayCount {
            day: "=1+1".into(),
            commits_count: 1,
        }];
        write_day_counts(&mut out, OutputFormat::Csv, &guarded, None, true).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "day,commits_count\n'=1+1,1\n"
        );
    }

    #[test]
    fn a_table_fits_the_terminal_by_cutting_its_last_column() {
        let headers = vec!["A".to_string(), "B".to_string()];
        let rows = vec![vec!["x".to_string(), "y".repeat(40)]];
        let mut out = Vec::new();
        write_table(&mut out, &headers, &rows, Some(20)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.lines().all(|l| l.width() <= 20), "{text}");
        assert!(text.contains('…'));
    }

    #[test]
    fn histogram_scales_to_the_busiest_day_and_shows_single_commits() {
        let days = vec![
            DayCount {
                day: "2025-06-03".into(),
                commits_count: 1,
            },
            DayCount {
                day: "2025-06-01".into(),
                commits_count: 40,
            },
            DayCount {
                day: "2025-06-02".into(),
                commits_count: 20,
            },
        ];
        let mut out = Vec::new();
        write_histogram(&mut out, &days, None).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("2025-06-01  40 {}", "█".repeat(50)));
        assert_eq!(lines[1], format!("2025-06-02  20 {}", "█".repeat(25)));
        assert_eq!(lines[2], "2025-06-03   1 █");
        assert_eq!(lines[3], "61 commits on 3 days, 2025-06-01 to 2025-06-03");
    }

    #[test]
    fn histogram_shows_days_without_commits() {
        let days = vec![
            DayCount {
                day: "2025-06-30".into(),
                commits_count: 2,
            },
            DayCount {
                day: "2025-07-02".into(),
                commits_count: 1,
            },
        ];
        let mut out = Vec::new();
        write_histogram(&mut out, &days, None).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "2025-07-01  0");
        assert_eq!(lines[3], "3 commits on 2 days, 2025-06-30 to 2025-07-02");
    }
}
