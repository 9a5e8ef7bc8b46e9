//! Parsers for the values the command line accepts: time bounds and durations.
//!
//! They run as clap value parsers, so a bad value is a usage error (exit code 2) whose
//! message names the flag, the value and the accepted forms.

use std::time::Duration;

use codearts_repo::TimeBound;
use codearts_repo::TimeBoundError;

/// Reads a time bound exactly as the SDK and the emulator do ([`TimeBound`]'s one
/// parser): `2025-06-01` stays a date on the wire, an RFC 3339 date-time is an instant.
pub(crate) fn parse_time_bound(text: &str) -> Result<TimeBound, String> {
    text.parse().map_err(|e: TimeBoundError| e.to_string())
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
    fn a_date_stays_a_date_and_an_instant_is_sent_in_utc() {
        assert_eq!(
            parse_time_bound("2025-06-01").unwrap().to_wire(),
            "2025-06-01"
        );
        let at = parse_time_bound("2025-06-01T16:00:00+08:00").unwrap();
        assert_eq!(at.to_wire(), "2025-06-01T08:00:00Z");
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
            let err = parse_time_bound(bad).unwrap_err();
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
