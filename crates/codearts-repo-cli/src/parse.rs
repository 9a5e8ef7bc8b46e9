//! Parsers for the values the command line accepts: instants and durations.
//!
//! They run as clap value parsers, so a bad value is a usage error (exit code 2) whose
//! message names the flag, the value and the accepted forms.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};

/// Reads `2025-06-01` (midnight UTC, as the service reads a bare date) or an RFC 3339
/// date-time such as `2025-06-01T08:00:00Z` or `2025-06-01T16:00:00+08:00`.
pub(crate) fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    // A date is accepted only in its full form, so that `2025-6-1` (which chrono would
    // also read) is refused rather than guessed at.
    if text.len() == 10
        && let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(midnight) = date.and_hms_opt(0, 0, 0)
    {
        return Ok(midnight.and_utc());
    }
    Err(format!(
        "`{text}` is not a date: expected YYYY-MM-DD (2025-06-01) or an RFC 3339 date-time \
         (2025-06-01T08:00:00Z)"
    ))
}

/// Reads a duration written as a number and a unit: `500ms`, `30s`, `2m`, `1h`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits_end);
    let expected = "expected a number and a unit: 500ms, 30s, 2m or 1h";
    let too_long = || format!("`{text}` is too long a duration");
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: {expected}"))?;
    let duration = match unit {
        "ms" => Duration::from_millis(number),
        "s" => Duration::from_secs(number),
        "m" => Duration::from_secs(number.checked_mul(60).ok_or_else(too_long)?),
        "h" => Duration::from_secs(number.checked_mul(3600).ok_or_else(too_long)?),
        _ => return Err(format!("`{text}` is not a duration: {expected}")),
    };
    if duration.is_zero() {
        return Err(format!("`{text}` is zero: a timeout must be positive"));
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_date_is_midnight_utc() {
        let t = parse_instant("2025-06-01").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-06-01T00:00:00+00:00");
    }

    #[test]
    fn rfc3339_with_an_offset_is_converted_to_utc() {
        let t = parse_instant("2025-06-01T16:00:00+08:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-06-01T08:00:00+00:00");
        let z = parse_instant("2025-06-01T08:00:00.250Z").unwrap();
        assert_eq!(z.timestamp_millis() % 1000, 250);
    }

    #[test]
    fn malformed_dates_are_refused_with_the_accepted_forms() {
        for bad in [
            "2025-6-1",
            "2025-13-01",
            "yesterday",
            "",
            "2025-06-01T08:00",
        ] {
            let err = parse_instant(bad).unwrap_err();
            assert!(err.contains("YYYY-MM-DD"), "{bad}: {err}");
        }
    }

    #[test]
    fn durations_take_a_unit() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        for bad in ["30", "s", "1.5s", "-1s", "0s", "10x"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
