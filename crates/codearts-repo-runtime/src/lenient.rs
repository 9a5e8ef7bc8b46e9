//! Tolerant types that stand in for some of the spec's schemas (see
//! `codearts_repo_codegen::REPLACED_SCHEMAS`): the service's documents show timestamps in
//! more than one shape and may grow enum values, and one odd value must not fail a page.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant as the service wrote it, parsed when asked for.
///
/// Both documented shapes (`2024-08-21T06:21:22.000Z` and
/// `2025-08-21T16:26:40.000+08:00`) parse; any other text is kept as it came, so that
/// [`Timestamp::as_str`] still returns it and re-encoding writes it back unchanged.
///
/// Decoding only copies the text (inline, without allocating, when it is as short as the
/// documented shapes): a page of commits carries three timestamps per commit, and most
/// exports never look at most of them. [`Timestamp::datetime`] and [`Timestamp::to_utc`]
/// parse on each call (about 0.1 µs).
#[derive(Clone)]
pub struct Timestamp {
    raw: RawText,
}

/// Longest text kept inline: RFC 3339 with nanoseconds and an offset is 35 bytes.
const INLINE_TEXT: usize = 38;

#[derive(Clone)]
enum RawText {
    Inline { len: u8, bytes: [u8; INLINE_TEXT] },
    Heap(Box<str>),
}

impl RawText {
    fn new(text: &str) -> Self {
        if text.len() <= INLINE_TEXT {
            let mut bytes = [0; INLINE_TEXT];
            bytes[..text.len()].copy_from_slice(text.as_bytes());
            // `text.len() <= INLINE_TEXT < 256`.
            Self::Inline {
                len: text.len() as u8,
                bytes,
            }
        } else {
            Self::Heap(text.into())
        }
    }

    fn as_str(&self) -> &str {
        match self {
            // The bytes were copied whole from a `&str`, so they are UTF-8.
            Self::Inline { len, bytes } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Self::Heap(text) => text,
        }
    }
}

impl Timestamp {
    /// Keeps `raw` as the timestamp's text, whether or not it parses.
    pub fn parse(raw: impl AsRef<str>) -> Self {
        Self {
            raw: RawText::new(raw.as_ref()),
        }
    }

    /// The text exactly as received.
    pub fn as_str(&self) -> &str {
        self.raw.as_str()
    }

    /// The instant with the offset it was written in, if the text parses.
    pub fn datetime(&self) -> Option<DateTime<FixedOffset>> {
        parse_instant(self.as_str())
    }

    /// The instant in UTC, if the text parses.
    pub fn to_utc(&self) -> Option<DateTime<Utc>> {
        self.datetime().map(|t| t.with_timezone(&Utc))
    }
}

impl PartialEq for Timestamp {
    /// Equal when the texts are: the same instant written two ways is two timestamps.
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Timestamp {}

impl std::hash::Hash for Timestamp {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Timestamp").field(&self.as_str()).finish()
    }
}

/// RFC 3339, or a bare `YYYY-MM-DD` read as midnight UTC.
fn parse_instant(raw: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t);
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()?;
    let utc = FixedOffset::east_opt(0)?;
    utc.from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
}

impl<Tz: TimeZone> From<DateTime<Tz>> for Timestamp {
    /// Writes the instant the way the service does: UTC with milliseconds and `Z`.
    fn from(value: DateTime<Tz>) -> Self {
        let utc = value.with_timezone(&Utc);
        Self::parse(utc.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Timestamp {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::parse(s))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a timestamp string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                Ok(Timestamp::parse(v))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// Declares a string enum that keeps values it does not know in an `Other` variant.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value the documents do not list, kept as received.
            Other(String),
        }

        impl $name {
            /// The value as written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )+
                    Self::Other(other) => other,
                }
            }

            /// Whether this is a value the documents list.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Other(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )+
                    other => Self::Other(other.to_string()),
                }
            }
        }

        impl FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Ok(Self::from(value.as_ref()))
            }
        }
    };
}

open_enum! {
    /// What a push did to its ref.
    PushEventActionName {
        /// Commits were added to an existing ref.
        PushedTo => "pushed to",
        /// The ref was created.
        PushedNew => "pushed new",
        /// The ref was deleted.
        Deleted => "deleted",
    }
}

open_enum! {
    /// State of a user account.
    UserState {
        /// The account is active.
        Active => "active",
        /// The account is disabled.
        Blocked => "blocked",
    }
}

open_enum! {
    /// Development mode of a repository.
    DevelopMode {
        /// Ordinary development.
        Normal => "normal",
        /// Development through code review.
        Cr => "CR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_in_both_documented_shapes_parse() {
        let utc = Timestamp::parse("2024-08-21T06:21:22.000Z");
        let offset = Timestamp::parse("2025-08-21T16:26:40.000+08:00");
        assert_eq!(
            utc.to_utc().unwrap().to_rfc3339(),
            "2024-08-21T06:21:22+00:00"
        );
        assert_eq!(
            offset.to_utc().unwrap().to_rfc3339(),
            "2025-08-21T08:26:40+00:00"
        );
        assert_eq!(offset.as_str(), "2025-08-21T16:26:40.000+08:00");
    }

    #[test]
    fn an_unparseable_timestamp_is_kept_verbatim() {
        let t: Timestamp = serde_json::from_str("\"yesterday-ish\"").unwrap();
        assert_eq!(t.datetime(), None);
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"yesterday-ish\"");
    }

    #[test]
    fn texts_of_any_length_are_kept_whole() {
        let exact = "x".repeat(INLINE_TEXT);
        let longer = format!("{exact}é, and more text than fits inline");
        for text in [
            "",
            "2024-08-21",
            exact.as_str(),
            longer.as_str(),
            "日付: 明日",
        ] {
            let t = Timestamp::parse(text);
            assert_eq!(t.as_str(), text);
            assert_eq!(t, text.parse::<Timestamp>().unwrap());
            assert_eq!(serde_json::to_value(&t).unwrap(), text);
        }
        assert_ne!(Timestamp::parse(&exact), Timestamp::parse(&longer));
        let nanos = Timestamp::parse("2025-08-21T16:26:40.123456789+08:00");
        assert!(matches!(nanos.raw, RawText::Inline { .. }));
        assert_eq!(
            nanos.to_utc().unwrap().to_rfc3339(),
            "2025-08-21T08:26:40.123456789+00:00"
        );
    }

    #[test]
    fn the_same_instant_written_two_ways_is_two_timestamps() {
        let utc = Timestamp::parse("2025-08-21T08:26:40.000Z");
        let offset = Timestamp::parse("2025-08-21T16:26:40.000+08:00");
        assert_eq!(utc.to_utc(), offset.to_utc());
        assert_ne!(utc, offset);
        let written = Timestamp::from(offset.datetime().unwrap());
        assert_eq!(written, utc);
    }

    #[test]
    fn unknown_enum_values_are_kept() {
        let v: PushEventActionName = serde_json::from_str("\"force pushed\"").unwrap();
        assert_eq!(v, PushEventActionName::Other("force pushed".into()));
        assert!(!v.is_known());
        assert_eq!(serde_json::to_string(&v).unwrap(), "\"force pushed\"");
        let known: DevelopMode = serde_json::from_str("\"CR\"").unwrap();
        assert_eq!(known, DevelopMode::Cr);
    }
}
