//! Timestamps and identifiers chosen by the server.
//!
//! Timestamps are UTC with millisecond precision and always render with the same width
//! (`2026-11-27T10:15:00.000Z`), so their text sorts in time order inside index keys.
//! Identifiers are ULIDs: opaque to callers, unique, and sortable by creation time.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant in UTC, truncated to milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current instant, truncated to milliseconds.
    pub fn now() -> Self {
        Self::from(Utc::now())
    }

    /// The instant as a `chrono` value, for date arithmetic.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }

    /// RFC 3339 text with milliseconds and `Z`, fixed width.
    pub fn to_rfc3339(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::Millis, true)
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Self(value.trunc_subsecs(3))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|dt| Self::from(dt.with_timezone(&Utc)))
            .map_err(serde::de::Error::custom)
    }
}

/// A new time-sortable identifier.
pub fn new_id() -> String {
    ulid::Ulid::generate().to_string()
}

/// A new identifier whose time part is `at`, so that ordering by id and ordering by
/// creation time agree for things created at `at`.
pub fn new_id_at(at: Timestamp) -> String {
    ulid::Ulid::from_datetime(at.as_datetime().into()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_render_fixed_width_utc() {
        let ts = Timestamp::from(
            DateTime::parse_from_rfc3339("2026-11-27T10:15:00Z")
                .unwrap()
                .with_timezone(&Utc),
        );
        assert_eq!(ts.to_rfc3339(), "2026-11-27T10:15:00.000Z");
        let round_trip: Timestamp =
            serde_json::from_str(&serde_json::to_string(&ts).unwrap()).unwrap();
        assert_eq!(round_trip, ts);
    }

    #[test]
    fn an_id_made_at_a_time_carries_that_time() {
        let at = Timestamp::now();
        let id = ulid::Ulid::from_string(&new_id_at(at)).unwrap();
        assert_eq!(
            i64::try_from(id.timestamp_ms()).unwrap(),
            at.as_datetime().timestamp_millis()
        );
    }

    #[test]
    fn ids_sort_by_creation_time() {
        let first = new_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_id();
        assert!(first < second);
    }
}
