//! A time bound of a query, and the one parser of the forms the documents allow for it.
//!
//! The service's documents give the commit list's `since`/`until` and the events'
//! `after`/`before` as dates or date-times. The SDK's setters, the command line's flags
//! and the emulator's parameter parsing all read them with [`TimeBound::from_str`], so the
//! three accept exactly the same texts.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveTime, SecondsFormat, TimeZone, Utc};

/// A time bound of a query: a whole day (sent as `YYYY-MM-DD`, meaning its midnight UTC)
/// or an instant (sent as RFC 3339 in UTC, such as `2024-01-01T00:00:00Z`).
///
/// A day stays a day on the wire: `"2025-06-01".parse::<TimeBound>()` is sent as
/// `2025-06-01`, not as an instant.
///
/// ```
/// use codearts_repo_runtime::time_bound::TimeBound;
///
/// let day: TimeBound = "2025-06-01".parse().unwrap();
/// assert_eq!(day.to_wire(), "2025-06-01");
/// let at: TimeBound = "2025-06-01T16:00:00+08:00".parse().unwrap();
/// assert_eq!(at.to_wire(), "2025-06-01T08:00:00Z");
/// assert!("2025-6-1".parse::<TimeBound>().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeBound {
    /// A day, meaning its midnight UTC.
    Date(NaiveDate),
    /// An instant.
    Instant(DateTime<Utc>),
}

/// The accepted forms, for messages.
pub const FORMS: &str = "YYYY-MM-DD (2025-06-01) or an RFC 3339 date-time (2025-06-01T08:00:00Z)";

impl TimeBound {
    /// The value as written on the wire.
    pub fn to_wire(&self) -> String {
        match self {
            Self::Date(date) => date.format("%Y-%m-%d").to_string(),
            Self::Instant(at) => at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        }
    }

    /// The instant meant.
    pub fn instant(&self) -> DateTime<Utc> {
        match self {
            Self::Date(date) => date.and_time(NaiveTime::MIN).and_utc(),
            Self::Instant(at) => *at,
        }
    }
}

impl From<NaiveDate> for TimeBound {
    fn from(date: NaiveDate) -> Self {
        Self::Date(date)
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for TimeBound {
    fn from(at: DateTime<Tz>) -> Self {
        Self::Instant(at.with_timezone(&Utc))
    }
}

/// Why a text is not a [`TimeBound`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeBoundError {
    text: String,
}

impl fmt::Display for TimeBoundError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not a date: expected {FORMS}", self.text)
    }
}

impl std::error::Error for TimeBoundError {}

impl FromStr for TimeBound {
    type Err = TimeBoundError;

    /// Reads `YYYY-MM-DD` as a day and an RFC 3339 date-time as an instant. A date is
    /// accepted only in its full form, so that `2025-6-1` (which chrono would also read)
    /// is refused rather than guessed at; surrounding spaces are not accepted either.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
            return Ok(Self::from(at));
        }
        if text.len() == 10
            && let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        {
            return Ok(Self::Date(date));
        }
        Err(TimeBoundError {
            text: text.to_string(),
        })
    }
}

impl fmt::Display for TimeBound {
    /// The wire form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_wire())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_bounds_are_written_in_the_documented_formats() {
        let date = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        assert_eq!(TimeBound::from(date).to_wire(), "2025-06-01");
        let at = DateTime::parse_from_rfc3339("2024-01-01T08:00:00+08:00").unwrap();
        assert_eq!(TimeBound::from(at).to_wire(), "2024-01-01T00:00:00Z");
        assert_eq!(
            TimeBound::from(date).instant().to_rfc3339(),
            "2025-06-01T00:00:00+00:00"
        );
    }

    #[test]
    fn texts_parse_to_the_form_they_were_typed_in() {
        assert_eq!(
            "2025-06-01".parse(),
            Ok(TimeBound::Date(
                NaiveDate::from_ymd_opt(2025, 6, 1).unwrap()
            ))
        );
        let at: TimeBound = "2025-06-01T16:00:00.5+08:00".parse().unwrap();
        assert_eq!(at.to_wire(), "2025-06-01T08:00:00.500Z");
        for bad in [
            "",
            "2025-6-1",
            "2025-06-01 ",
            " 2025-06-01",
            "2025-13-01",
            "yesterday",
        ] {
            let error = bad.parse::<TimeBound>().unwrap_err();
            assert!(error.to_string().contains("YYYY-MM-DD"), "{error}");
        }
    }

    #[test]
    fn parsing_and_writing_round_trip() {
        for text in [
            "2025-06-01",
            "2024-01-01T00:00:00Z",
            "2024-02-29T23:59:59.250Z",
        ] {
            let bound: TimeBound = text.parse().unwrap();
            assert_eq!(bound.to_wire(), text);
            assert_eq!(bound.to_string().parse::<TimeBound>(), Ok(bound));
        }
    }
}
