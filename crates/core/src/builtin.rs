//! The built-in guards of definition files, for definitions written in Rust too.
//!
//! Format 2 files ([`crate::dynamic`]) name these guards `min_time_in_state`,
//! `max_time_in_state` and `vote`, and check payloads against `[payloads.<action>]`
//! schemas (`payload_schema`). The same constructors serve typed definitions, so a
//! definition written in Rust and its TOML twin register guards of the same name and
//! refuse with the same words, and so write the same records.
//!
//! ```
//! use chrono::FixedOffset;
//! use regula_core::builtin::{self, Fraction};
//! use regula_core::{CalendarSpan, Dynamic};
//!
//! let beijing = FixedOffset::east_opt(8 * 3600).expect("a valid offset");
//! let span: CalendarSpan = "60 days".parse().expect("a valid span");
//! let guard = builtin::min_time_in_state::<Dynamic>(span, beijing);
//! assert_eq!(guard.name(), "min_time_in_state:60 days");
//! let (name, _) = builtin::vote_name("ballots", Fraction::new(2, 3), Fraction::new(3, 4));
//! assert_eq!(name, "vote:tally ballots quorum 2/3 majority 3/4");
//! ```

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Utc};
use serde_json::Value;

use crate::Lifecycle;
use crate::calendar::CalendarSpan;
use crate::fields::FieldSchema;
use crate::guard::{GuardInput, NamedGuard};
use crate::label::Text;

/// A fraction `num/den` with `0 < num ≤ den`: a vote's quorum or majority.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fraction {
    pub(crate) num: u64,
    pub(crate) den: u64,
}

impl Fraction {
    /// `num/den`, or `None` unless `0 < num ≤ den`.
    pub const fn new(num: u64, den: u64) -> Option<Self> {
        if num == 0 || den == 0 || num > den {
            None
        } else {
            Some(Fraction { num, den })
        }
    }

    /// The numerator.
    pub const fn num(self) -> u64 {
        self.num
    }

    /// The denominator.
    pub const fn den(self) -> u64 {
        self.den
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// A time as people in `zone` read it (`2024-03-01 09:00 +08:00`), for refusals.
pub(crate) fn local(at: DateTime<Utc>, zone: FixedOffset) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M %:z").to_string()
}

/// The guard `min_time_in_state:<span>`: the instance has been in its current state at
/// least `span`, counted on the calendar of `zone`.
pub fn min_time_in_state<L: Lifecycle>(span: CalendarSpan, zone: FixedOffset) -> NamedGuard<L> {
    NamedGuard {
        name: format!("min_time_in_state:{span}"),
        description: Text::owned(
            format!("在当前状态停留至少{}", span.to_zh()),
            format!("at least {span} in the current state"),
        ),
        check: Arc::new(move |input: &GuardInput<'_, L>| {
            let entered = input.instance.entered_at();
            match span.after(entered, zone) {
                Some(due) if input.now >= due => Ok(()),
                Some(due) => Err(Text::owned(
                    format!("须在当前状态停留至少{}，{} 起方可", span.to_zh(), local(due, zone)),
                    format!(
                        "must stay at least {span} in the current state: not before {}",
                        local(due, zone)
                    ),
                )),
                None => Err(Text::owned(
                    format!("{} 之后的日期超出范围", span.to_zh()),
                    format!("the date {span} after entering the state is out of range"),
                )),
            }
        }),
    }
}

/// The guard `max_time_in_state:<span>`: the attempt is made no later than `span`
/// after entering the current state, counted on the calendar of `zone`.
pub fn max_time_in_state<L: Lifecycle>(span: CalendarSpan, zone: FixedOffset) -> NamedGuard<L> {
    NamedGuard {
        name: format!("max_time_in_state:{span}"),
        description: Text::owned(
            format!("进入当前状态后{}内", span.to_zh()),
            format!("within {span} of entering the current state"),
        ),
        check: Arc::new(move |input: &GuardInput<'_, L>| {
            let entered = input.instance.entered_at();
            match span.after(entered, zone) {
                Some(due) if input.now > due => Err(Text::owned(
                    format!(
                        "须在进入当前状态后{}内办理，期限 {} 已过",
                        span.to_zh(),
                        local(due, zone)
                    ),
                    format!(
                        "must be done within {span} of entering the current state; the time ran out at {}",
                        local(due, zone)
                    ),
                )),
                _ => Ok(()),
            }
        }),
    }
}

/// The name and description of the vote guard on `tally`:
/// `vote:tally <tally> quorum <q> majority <m>`, the parts left out that are `None`.
pub fn vote_name(tally: &str, quorum: Option<Fraction>, majority: Option<Fraction>) -> (String, Text) {
    let mut parts = vec![format!("tally {tally}")];
    let mut zh_parts = vec![format!("表决 {tally}")];
    if let Some(q) = quorum {
        parts.push(format!("quorum {q}"));
        zh_parts.push(format!("到会 {q}"));
    }
    if let Some(m) = majority {
        parts.push(format!("majority {m}"));
        zh_parts.push(format!("赞成 {m}"));
    }
    (
        format!("vote:{}", parts.join(" ")),
        Text::owned(zh_parts.join("，"), parts.join(", ")),
    )
}

/// How a vote stands: the ballots cast, those in favour, and how many may vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ballots {
    /// Voters who voted.
    pub cast: u64,
    /// Votes in favour.
    pub ayes: u64,
    /// How many may vote; `None` (or zero) when not set.
    pub electorate: Option<u64>,
}

/// The verdict of a vote: the quorum is met when `cast / electorate ≥ quorum`, the
/// majority when `ayes / cast ≥ majority`. `field` names where the electorate comes
/// from, for the refusal when it is not set.
pub fn vote_verdict(
    ballots: Ballots,
    quorum: Option<Fraction>,
    majority: Option<Fraction>,
    field: &str,
) -> Result<(), Text> {
    let Ballots { cast, ayes, electorate } = ballots;
    let Some(electorate) = electorate.filter(|&n| n > 0) else {
        return Err(Text::owned(
            format!("表决人数（字段 {field}）未设定"),
            format!("the number of voters (field {field}) is not set"),
        ));
    };
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if let Some(q) = quorum
        && u128::from(cast) * u128::from(q.den) < u128::from(q.num) * u128::from(electorate)
    {
        zh.push(format!("投票 {cast} 人，不足应投 {electorate} 人的 {q}"));
        en.push(format!("{cast} of {electorate} voted, short of the quorum of {q}"));
    }
    if let Some(m) = majority
        && (cast == 0 || u128::from(ayes) * u128::from(m.den) < u128::from(m.num) * u128::from(cast))
    {
        zh.push(format!("赞成 {ayes} 票，不足所投 {cast} 票的 {m}"));
        en.push(format!(
            "{ayes} of {cast} votes in favour, short of the majority of {m}"
        ));
    }
    if en.is_empty() {
        Ok(())
    } else {
        Err(Text::owned(zh.join("；"), en.join("; ")))
    }
}

/// The vote guard on `tally` (named as [`vote_name`] says), for any lifecycle:
/// `ballots` reads how the vote stands from the instance's data; `field` names the
/// electorate's source for the refusal when it is not set.
pub fn vote<L, F>(
    tally: &str,
    quorum: Option<Fraction>,
    majority: Option<Fraction>,
    field: &str,
    ballots: F,
) -> NamedGuard<L>
where
    L: Lifecycle,
    F: Fn(&L::Data) -> Ballots + Send + Sync + 'static,
{
    let (name, description) = vote_name(tally, quorum, majority);
    let field = field.to_owned();
    NamedGuard {
        name,
        description,
        check: Arc::new(move |input: &GuardInput<'_, L>| {
            vote_verdict(ballots(input.instance.data()), quorum, majority, &field)
        }),
    }
}

/// Why `value` does not match `schema`, in the words of format 2's payload schemas
/// (`owner` is the action's name, or `create` for creation data); `Ok` when it does.
pub fn schema_refusal(owner: &str, schema: &FieldSchema, value: &Value) -> Result<(), Text> {
    let problems = schema.check(value);
    if problems.is_empty() {
        return Ok(());
    }
    let zh: Vec<&str> = problems.iter().map(|p| p.message.zh.as_ref()).collect();
    let en: Vec<&str> = problems.iter().map(|p| p.message.en.as_ref()).collect();
    Err(Text::owned(
        format!("“{owner}”的数据不符合规定：{}", zh.join("；")),
        format!("the payload of {owner} does not match its schema: {}", en.join("; ")),
    ))
}

/// The guard `payload_schema:<action>`: the attempt's payload matches `schema`, as
/// format 2's `[payloads.<action>]` requires. For a typed action the payload's type
/// already fixes its fields; this adds what types do not say (text lengths, …) and
/// refuses in the same words as a definition file.
pub fn payload_schema<L: Lifecycle>(action: &str, schema: FieldSchema) -> NamedGuard<L> {
    let owner = action.to_owned();
    NamedGuard {
        name: format!("payload_schema:{action}"),
        description: Text::owned(
            format!("“{action}”的数据符合规定"),
            format!("the payload of {action} matches its schema"),
        ),
        check: Arc::new(move |input: &GuardInput<'_, L>| schema_refusal(&owner, &schema, input.payload_value())),
    }
}
