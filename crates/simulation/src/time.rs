//! Calendar arithmetic in the court's time zone.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};

use crate::rng::Rng;

/// A calendar date known when compiling: use it in constants or `const { … }` blocks,
/// where an invalid date does not compile.
pub(crate) const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date"),
    }
}

/// The same date, or the next Monday if it falls on a weekend.
pub(crate) fn workday(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date + TimeDelta::days(2),
        Weekday::Sun => date + TimeDelta::days(1),
        _ => date,
    }
}

/// `n` days after `date`.
pub(crate) fn days(date: NaiveDate, n: i64) -> NaiveDate {
    date + TimeDelta::days(n)
}

/// The instant of `minute` past local midnight of `date` in the court's time zone.
pub(crate) fn instant(tz: FixedOffset, date: NaiveDate, minute: i64) -> DateTime<Utc> {
    let local = date.and_time(NaiveTime::MIN) + TimeDelta::minutes(minute);
    Utc.from_utc_datetime(&(local - TimeDelta::seconds(i64::from(tz.local_minus_utc()))))
}

/// A time in office hours (09:00–17:00), in minutes past midnight.
pub(crate) fn office_hours(rng: &mut Rng) -> i64 {
    rng.range(9 * 60, 17 * 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekends_move_to_monday() {
        assert_eq!(workday(ymd(2022, 5, 14)), ymd(2022, 5, 16));
        assert_eq!(workday(ymd(2022, 5, 15)), ymd(2022, 5, 16));
        assert_eq!(workday(ymd(2022, 5, 16)), ymd(2022, 5, 16));
    }

    #[test]
    fn instants_are_local() {
        let tz = FixedOffset::east_opt(8 * 3600).unwrap();
        let at = instant(tz, ymd(2022, 5, 16), 9 * 60 + 30);
        assert_eq!(at.to_rfc3339(), "2022-05-16T01:30:00+00:00");
    }
}
