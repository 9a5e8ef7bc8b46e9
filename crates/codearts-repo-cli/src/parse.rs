//! Parsers for the values of the command line's own flags: durations. (The operations'
//! parameters are read by the spec's parser, see `query_args`.)
//!
//! They run as clap value parsers, so a bad value is a usage error (exit code 2) whose
//! message names the flag, the value and the accepted forms.

use std::time::Duration;

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
