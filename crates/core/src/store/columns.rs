//! Times as the SQL stores keep them in their columns, for the stores of this
//! workspace and any other: one text form, so that comparing the text compares the
//! times (what an index on `due_at` relies on).

use chrono::{DateTime, Datelike, SecondsFormat, Utc};

use super::{InstanceHead, StoreError};

/// A time as a column keeps it: RFC 3339 UTC with nine fraction digits
/// (`2025-01-31T16:00:00.000000000Z`). Fixed width for the years 0 to 9999, so that
/// its byte order is time order.
pub fn time_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Nanos, true)
}

/// A head's due time as column text ([`time_text`]), refused outside the years 0 to
/// 9999, where the text would no longer sort as the time does.
pub fn due_text(head: &InstanceHead) -> Result<Option<String>, StoreError> {
    match head.due_at {
        Some(t) if !(0..=9999).contains(&t.year()) => Err(StoreError::InvalidAppend {
            instance: head.instance,
            seq: head.seq,
            reason: format!("due time {t} is outside the years 0 to 9999 this store keeps"),
        }),
        other => Ok(other.as_ref().map(time_text)),
    }
}

/// The bound of a [`Store::due`](super::Store::due) query as text comparable with a
/// column of [`due_text`]s: past the year 9999 every stored due time is before it,
/// before the year 0 none is.
pub fn due_bound(before: &DateTime<Utc>) -> String {
    match before.year() {
        ..0 => String::new(),
        10000.. => "~".to_owned(),
        _ => time_text(before),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn text_order_is_time_order_within_the_years_kept_and_bounds_cover_the_rest() {
        let years = |y| Utc.with_ymd_and_hms(y, 6, 1, 0, 0, 0).unwrap();
        let (first, last) = (time_text(&years(0)), time_text(&years(9999)));
        assert!(first < last);
        assert!(due_bound(&years(10000)) > last && due_bound(&years(200_000)) > last);
        assert!(due_bound(&years(-1)) < first);
        assert_eq!(due_bound(&years(2026)), time_text(&years(2026)));
        let t = years(2026);
        let later = t + chrono::TimeDelta::nanoseconds(1);
        assert!(time_text(&t) < time_text(&later) && time_text(&later) < time_text(&years(2027)));
        assert_eq!(time_text(&t), "2026-06-01T00:00:00.000000000Z");
    }

    #[test]
    fn a_due_time_beyond_the_year_9999_is_refused() {
        let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut head = InstanceHead {
            instance: uuid::Uuid::nil(),
            definition: crate::DefinitionRef {
                name: "d".into(),
                version: 1,
            },
            state: "s".to_owned(),
            seq: 3,
            last_hash: crate::Digest::ZERO,
            created_at: at,
            updated_at: at,
            entered_at: at,
            due_at: Some(Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap()),
        };
        assert!(matches!(due_text(&head), Err(StoreError::InvalidAppend { seq: 3, .. })));
        head.due_at = Some(at);
        assert_eq!(
            due_text(&head).unwrap(),
            Some("2026-01-01T00:00:00.000000000Z".to_owned())
        );
        head.due_at = None;
        assert_eq!(due_text(&head).unwrap(), None);
    }
}
