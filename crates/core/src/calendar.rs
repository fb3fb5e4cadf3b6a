//! Calendar durations: `60 days`, `2 months`, `5 years`, `1 year 6 months`, added on the
//! calendar of a time zone rather than as a fixed number of seconds.
//!
//! # The rule
//!
//! A [`CalendarSpan`] is added to an instant in this order:
//!
//! 1. the instant is read as a local date and time in the zone;
//! 2. the years and months are added together (a year is twelve months); when the
//!    day of the month does not exist in the month reached, it is **clamped to that
//!    month's last day** (31 January + 1 month = 28 February, or 29 in a leap year;
//!    29 February 2024 + 1 year = 28 February 2025);
//! 3. the weeks and days are added as calendar days;
//! 4. the hours, minutes and seconds are added as elapsed time.
//!
//! The zone is a fixed offset (`+08:00`), so a calendar day is always 24 hours; the
//! zone decides which day and month an instant falls in, which is what month and year
//! arithmetic depends on.
//!
//! # Written form
//!
//! One or more parts, each a whole number and a unit, separated by spaces or not:
//! `60 days`, `1 year 6 months`, `2w`, `36h`. Units, singular or plural: `year`
//! (`y`), `month`, `week` (`w`), `day` (`d`), `hour` (`h`), `minute` (`min`), `second`
//! (`s`). `m` alone is refused as ambiguous (minutes or months?).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Days, FixedOffset, Months, Offset, TimeDelta, Utc};

/// A length of calendar time: months, days and seconds kept apart, because a month
/// has no fixed number of days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct CalendarSpan {
    months: u32,
    days: u32,
    seconds: u64,
}

impl CalendarSpan {
    /// A span of `years` years, `months` months, `days` days and `seconds` seconds.
    pub const fn new(years: u32, months: u32, days: u32, seconds: u64) -> Self {
        CalendarSpan {
            months: years * 12 + months,
            days,
            seconds,
        }
    }

    /// The whole months of the span (a year counting twelve).
    pub const fn months(self) -> u32 {
        self.months
    }

    /// The calendar days of the span (a week counting seven).
    pub const fn days(self) -> u32 {
        self.days
    }

    /// The elapsed seconds of the span (hours, minutes and seconds).
    pub const fn seconds(self) -> u64 {
        self.seconds
    }

    /// `at` plus the span on the calendar of `zone` (see the [module](self) for the
    /// rule); `None` when the result is beyond the dates chrono represents.
    pub fn after(self, at: DateTime<Utc>, zone: FixedOffset) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(&zone);
        let local = local.checked_add_months(Months::new(self.months))?;
        let local = local.checked_add_days(Days::new(u64::from(self.days)))?;
        let seconds = i64::try_from(self.seconds).ok()?;
        let local = local.checked_add_signed(TimeDelta::try_seconds(seconds)?)?;
        Some(local.with_timezone(&Utc))
    }
}

/// A calendar span could not be read; the message says why and what to write.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid duration {text:?}: {problem}")]
pub struct CalendarSpanError {
    /// The text as written.
    pub text: String,
    /// What is wrong with it.
    pub problem: String,
}

const UNITS: &str = "years, months, weeks, days, hours, minutes, seconds";

impl FromStr for CalendarSpan {
    type Err = CalendarSpanError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |problem: String| CalendarSpanError {
            text: text.to_owned(),
            problem,
        };
        let mut rest = text.trim();
        if rest.is_empty() {
            return Err(fail(format!(
                "expected a number and a unit, e.g. \"60 days\" ({UNITS})"
            )));
        }
        let mut span = CalendarSpan::default();
        let mut seen: Vec<&'static str> = Vec::new();
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if digits == 0 {
                let word: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
                return Err(fail(format!("{word:?} is not a whole number")));
            }
            let (number, after) = rest.split_at(digits);
            let n: u64 = number.parse().map_err(|_| fail(format!("{number} is too large")))?;
            let after = after.trim_start();
            let unit_len = after.find(|c: char| !c.is_alphabetic()).unwrap_or(after.len());
            let (unit, after) = after.split_at(unit_len);
            rest = after.trim_start();
            let canonical = match unit {
                "year" | "years" | "y" => "years",
                "month" | "months" | "mo" => "months",
                "week" | "weeks" | "w" => "weeks",
                "day" | "days" | "d" => "days",
                "hour" | "hours" | "h" => "hours",
                "minute" | "minutes" | "min" | "mins" => "minutes",
                "second" | "seconds" | "s" | "sec" | "secs" => "seconds",
                "m" | "M" => {
                    return Err(fail(format!(
                        "the unit \"{unit}\" is ambiguous: write \"{n} minutes\" or \"{n} months\""
                    )));
                }
                "" => return Err(fail(format!("{n} has no unit; expected one of {UNITS}"))),
                other => {
                    let hint = crate::suggest::did_you_mean(
                        &other.to_lowercase(),
                        ["years", "months", "weeks", "days", "hours", "minutes", "seconds"],
                    );
                    return Err(fail(format!("unknown unit {other:?}{hint}; expected one of {UNITS}")));
                }
            };
            if seen.contains(&canonical) {
                return Err(fail(format!("{canonical} are given twice")));
            }
            seen.push(canonical);
            let too_long = || fail("too long".to_owned());
            let small = |n: u64, per: u64| -> Option<u32> { n.checked_mul(per).and_then(|v| u32::try_from(v).ok()) };
            match canonical {
                "years" => {
                    span.months = span
                        .months
                        .checked_add(small(n, 12).ok_or_else(too_long)?)
                        .ok_or_else(too_long)?
                }
                "months" => {
                    span.months = span
                        .months
                        .checked_add(small(n, 1).ok_or_else(too_long)?)
                        .ok_or_else(too_long)?
                }
                "weeks" => {
                    span.days = span
                        .days
                        .checked_add(small(n, 7).ok_or_else(too_long)?)
                        .ok_or_else(too_long)?
                }
                "days" => {
                    span.days = span
                        .days
                        .checked_add(small(n, 1).ok_or_else(too_long)?)
                        .ok_or_else(too_long)?
                }
                _ => {
                    let per = match canonical {
                        "hours" => 3_600,
                        "minutes" => 60,
                        _ => 1,
                    };
                    let s = n.checked_mul(per).ok_or_else(too_long)?;
                    span.seconds = span.seconds.checked_add(s).ok_or_else(too_long)?;
                }
            }
        }
        if span.seconds > i64::MAX as u64 {
            return Err(fail("too long".to_owned()));
        }
        Ok(span)
    }
}

impl fmt::Display for CalendarSpan {
    /// The span in words, largest unit first: `1 year 6 months`, `60 days`, `1 day 12 hours`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        let mut part = |n: u64, unit: &str| {
            if n > 0 {
                let plural = if n == 1 { "" } else { "s" };
                parts.push(format!("{n} {unit}{plural}"));
            }
        };
        part(u64::from(self.months / 12), "year");
        part(u64::from(self.months % 12), "month");
        part(u64::from(self.days), "day");
        part(self.seconds / 3_600, "hour");
        part(self.seconds % 3_600 / 60, "minute");
        part(self.seconds % 60, "second");
        if parts.is_empty() {
            f.write_str("0 seconds")
        } else {
            f.write_str(&parts.join(" "))
        }
    }
}

impl CalendarSpan {
    /// The span in Chinese words: `1年6个月`, `60天`.
    pub fn to_zh(self) -> String {
        let mut out = String::new();
        let mut part = |n: u64, unit: &str| {
            if n > 0 {
                out.push_str(&format!("{n}{unit}"));
            }
        };
        part(u64::from(self.months / 12), "年");
        part(u64::from(self.months % 12), "个月");
        part(u64::from(self.days), "天");
        part(self.seconds / 3_600, "小时");
        part(self.seconds % 3_600 / 60, "分钟");
        part(self.seconds % 60, "秒");
        if out.is_empty() { "0秒".to_owned() } else { out }
    }
}

/// Reads a fixed-offset time zone written `+08:00`, `-05:30`, `+0800` or `UTC`/`Z`.
pub fn parse_zone(text: &str) -> Result<FixedOffset, String> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("utc") || t == "Z" {
        return Ok(Utc.fix());
    }
    let bad = || format!("invalid time zone {text:?}: expected an offset from UTC such as \"+08:00\" or \"UTC\"");
    let (sign, rest) = match t.as_bytes().first() {
        Some(b'+') => (1, &t[1..]),
        Some(b'-') => (-1, &t[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4
        || !digits.chars().all(|c| c.is_ascii_digit())
        || (rest.len() == 5 && rest.as_bytes()[2] != b':')
    {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits[2..].parse().map_err(|_| bad())?;
    if hours > 14 || minutes > 59 {
        return Err(bad());
    }
    FixedOffset::east_opt(sign * (hours * 3_600 + minutes * 60)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_words_and_short_forms() {
        assert_eq!("60 days".parse(), Ok(CalendarSpan::new(0, 0, 60, 0)));
        assert_eq!("1 day".parse(), Ok(CalendarSpan::new(0, 0, 1, 0)));
        assert_eq!("2 months".parse(), Ok(CalendarSpan::new(0, 2, 0, 0)));
        assert_eq!("5 years".parse(), Ok(CalendarSpan::new(5, 0, 0, 0)));
        assert_eq!("1 year 6 months".parse(), Ok(CalendarSpan::new(1, 6, 0, 0)));
        assert_eq!("2w".parse(), Ok(CalendarSpan::new(0, 0, 14, 0)));
        assert_eq!("1d12h".parse(), Ok(CalendarSpan::new(0, 0, 1, 43_200)));
        assert_eq!("90 min".parse(), Ok(CalendarSpan::new(0, 0, 0, 5_400)));
        assert_eq!(CalendarSpan::new(1, 6, 0, 0).to_string(), "1 year 6 months");
        assert_eq!(CalendarSpan::new(0, 0, 1, 43_200).to_string(), "1 day 12 hours");
        assert_eq!(CalendarSpan::new(1, 6, 0, 0).to_zh(), "1年6个月");
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let e = "2m".parse::<CalendarSpan>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid duration \"2m\": the unit \"m\" is ambiguous: write \"2 minutes\" or \"2 months\""
        );
        let e = "3 dyas".parse::<CalendarSpan>().unwrap_err();
        assert!(
            e.problem.starts_with("unknown unit \"dyas\"; did you mean \"days\"?"),
            "{e}"
        );
        assert!(
            "60".parse::<CalendarSpan>()
                .unwrap_err()
                .problem
                .contains("has no unit")
        );
        assert!(
            "".parse::<CalendarSpan>()
                .unwrap_err()
                .problem
                .contains("expected a number")
        );
        assert!(
            "-1 day"
                .parse::<CalendarSpan>()
                .unwrap_err()
                .problem
                .contains("not a whole number")
        );
        assert!(
            "1 day 2 days"
                .parse::<CalendarSpan>()
                .unwrap_err()
                .problem
                .contains("twice")
        );
        assert!(
            "99999999999 years"
                .parse::<CalendarSpan>()
                .unwrap_err()
                .problem
                .contains("too long")
        );
    }

    #[test]
    fn months_clamp_to_the_month_end_and_leap_years_count() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let month = CalendarSpan::new(0, 1, 0, 0);
        assert_eq!(
            month.after(at("2024-01-31T10:00:00Z"), utc),
            Some(at("2024-02-29T10:00:00Z"))
        );
        assert_eq!(
            month.after(at("2023-01-31T10:00:00Z"), utc),
            Some(at("2023-02-28T10:00:00Z"))
        );
        let year = CalendarSpan::new(1, 0, 0, 0);
        assert_eq!(
            year.after(at("2024-02-29T00:00:00Z"), utc),
            Some(at("2025-02-28T00:00:00Z"))
        );
        // Five years from 2020-03-01 cross two leap days: 1826 days, not 5 × 365.
        let five = CalendarSpan::new(5, 0, 0, 0);
        let from = at("2020-03-01T00:00:00Z");
        assert_eq!(five.after(from, utc).unwrap() - from, TimeDelta::days(1826));
        // The zone decides the month: 20:00 UTC on 31 January is 1 February in +08:00.
        let beijing = parse_zone("+08:00").unwrap();
        assert_eq!(
            month.after(at("2024-01-31T20:00:00Z"), beijing),
            Some(at("2024-02-29T20:00:00Z"))
        );
        assert_eq!(
            month.after(at("2024-01-31T20:00:00Z"), utc),
            Some(at("2024-02-29T20:00:00Z"))
        );
        assert_eq!(
            month.after(at("2024-02-29T20:00:00Z"), beijing),
            Some(at("2024-03-31T20:00:00Z"))
        );
        assert_eq!(
            month.after(at("2024-02-29T20:00:00Z"), utc),
            Some(at("2024-03-29T20:00:00Z"))
        );
    }

    #[test]
    fn zones() {
        assert_eq!(parse_zone("+08:00").unwrap().local_minus_utc(), 8 * 3_600);
        assert_eq!(parse_zone("-0530").unwrap().local_minus_utc(), -(5 * 3_600 + 1_800));
        assert_eq!(parse_zone("UTC").unwrap().local_minus_utc(), 0);
        assert!(parse_zone("Asia/Shanghai").unwrap_err().contains("offset from UTC"));
        assert!(parse_zone("+25:00").is_err());
    }
}
