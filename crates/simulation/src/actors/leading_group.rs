//! What the leading group does: meets twice a month, deliberates (approves or sends
//! back with reasons), cancels unnecessary revisions, withdraws a standard.

use chrono::NaiveDate;
use regula_core::{Actor, Store};
use regula_standards::lifecycle::MeetingRecord;
use regula_standards::rules::local_date;
use regula_standards::{ActionKind, Stage, StandardAction, roles};

use crate::attempt::Expect;
use crate::error::SimError;
use crate::event::Note;
use crate::pools::{SEND_BACK, SEND_BACK_REVISION};
use crate::queue::{Ev, Item};
use crate::scenario::WITHDRAWAL;
use crate::sim::{Meeting, Simulation};
use crate::time::{days, workday, ymd};

impl<S: Store> Simulation<S> {
    /// A meeting day: puts every standard ready for a decision on the agenda (once,
    /// with too few members present).
    pub(crate) fn meeting(&mut self, date: NaiveDate, reconvened: bool) -> Result<(), SimError> {
        let mut deliberate = Vec::new();
        let mut cancel = Vec::new();
        let mut withdraw = Vec::new();
        for i in 0..self.stds.len() {
            let data = self.data(i)?;
            match data.stage {
                Stage::Approval if data.approval_of_current_draft().is_none() => {
                    let submitted = data
                        .current_consultation()
                        .and_then(|c| c.closed.as_ref())
                        .map(|s| local_date(s.at, self.tz));
                    if submitted.is_some_and(|d| days(d, 2) <= date) {
                        deliberate.push(i);
                    }
                }
                Stage::Revision if self.stds[i].cancel => {
                    let opened = data.open_revision().map(|r| local_date(r.opened.at, self.tz));
                    if opened.is_some_and(|d| days(d, 7) <= date) {
                        cancel.push(i);
                    }
                }
                Stage::Research if self.withdrawal == Some(i) && date >= WITHDRAWAL.1 => withdraw.push(i),
                _ => {}
            }
        }
        if deliberate.is_empty() && cancel.is_empty() && withdraw.is_empty() {
            return Ok(());
        }
        // Once, in the summer of 2023, only two members come: the meeting is held,
        // the first decision is refused for want of a quorum, and it reconvenes.
        if !self.shown.no_quorum && !reconvened && date >= const { ymd(2023, 7, 1) } && !deliberate.is_empty() {
            self.shown.no_quorum = true;
            let present = vec!["陈伟".to_owned(), "张丽杰".to_owned()];
            self.meetings.push(Meeting { date, present });
            let m = self.meetings.len() - 1;
            if let Some(&first) = deliberate.first() {
                self.push(date, 15 * 60, Ev::Agenda(first, m, Item::NoQuorum));
            }
            let next = workday(days(date, 7));
            self.push(next, 14 * 60 + 55, Ev::Meeting);
            return Ok(());
        }
        let present = if reconvened {
            self.members.clone()
        } else {
            self.attendance()
        };
        self.meetings.push(Meeting { date, present });
        let m = self.meetings.len() - 1;
        let mut minute = 15 * 60;
        for (items, what) in [
            (withdraw, Item::Withdraw),
            (cancel, Item::CancelRevision),
            (deliberate, Item::Deliberate),
        ] {
            for i in items {
                self.push(date, minute, Ev::Agenda(i, m, what));
                minute += 4;
            }
        }
        Ok(())
    }

    /// Who comes to an ordinary meeting: each member most of the time, and at least
    /// half of the group (a meeting without quorum is not held).
    fn attendance(&mut self) -> Vec<String> {
        for _ in 0..20 {
            let present: Vec<String> = self
                .members
                .clone()
                .into_iter()
                .filter(|_| self.rng.chance(85))
                .collect();
            if present.len() * 2 >= self.members.len() {
                return present;
            }
        }
        self.members.clone()
    }

    /// The meeting's date, who is present, and its chair (the first member present).
    fn meeting_of(&self, m: usize) -> Result<(NaiveDate, Vec<String>, Actor), SimError> {
        let meeting = self
            .meetings
            .get(m)
            .ok_or_else(|| SimError::scenario(format!("no meeting numbered {m}")))?;
        let name = meeting
            .present
            .first()
            .ok_or_else(|| SimError::scenario("a meeting with nobody present"))?;
        let chair = self
            .court
            .config()
            .leading_group_member(name)
            .ok_or_else(|| SimError::scenario(format!("{name} is not a member of the leading group")))?;
        Ok((meeting.date, meeting.present.clone(), chair))
    }

    /// One item of a meeting's agenda.
    pub(crate) fn agenda(&mut self, i: usize, m: usize, item: Item) -> Result<(), SimError> {
        let (date, present, chair) = self.meeting_of(m)?;
        match item {
            Item::NoQuorum => {
                self.expect_move(i, ActionKind::Approve)?;
                let meeting = MeetingRecord {
                    date,
                    present,
                    decision: "审议通过".into(),
                };
                self.attempt(
                    i,
                    chair,
                    roles::LEADING_GROUP,
                    StandardAction::Approve { meeting },
                    Expect::Refuse(&["meeting_record"]),
                )?;
            }
            Item::Withdraw => {
                self.expect_move(i, ActionKind::Withdraw)?;
                self.attempt(
                    i,
                    chair,
                    roles::LEADING_GROUP,
                    StandardAction::Withdraw {
                        reason: WITHDRAWAL.2.into(),
                    },
                    Expect::Accept,
                )?;
                self.note(i, Note::Withdrawn);
            }
            Item::CancelRevision => {
                self.expect_move(i, ActionKind::CancelRevision)?;
                self.stds[i].cancel = false;
                self.attempt(
                    i,
                    chair,
                    roles::LEADING_GROUP,
                    StandardAction::CancelRevision {
                        reason: "经审议，督导检查发现的问题属于执行不到位，不涉及标准本身，现行标准继续适用".into(),
                    },
                    Expect::Accept,
                )?;
                self.note(i, Note::RevisionCancelled);
            }
            Item::Deliberate => {
                self.expect_move(i, ActionKind::Approve)?;
                let data = self.data(i)?;
                let revising = data.open_revision().is_some();
                let earlier = data.send_backs.len();
                let percent = match (revising, earlier) {
                    (false, 0) => 12,
                    (true, 0) => 12,
                    _ => 3,
                };
                let rng = &mut self.stds[i].rng;
                if rng.chance(percent) {
                    let n = rng.range(1, 2) as usize;
                    let pool: &[&str] = if revising { &SEND_BACK_REVISION } else { &SEND_BACK };
                    let reasons: Vec<String> = rng.sample(pool, n).into_iter().map(str::to_owned).collect();
                    let action = if revising {
                        StandardAction::SendBackRevision { reasons }
                    } else {
                        StandardAction::SendBack { reasons }
                    };
                    self.attempt(i, chair, roles::LEADING_GROUP, action, Expect::Accept)?;
                    self.later(i, date, 18, 40, Ev::OpenConsultation(i));
                } else {
                    let meeting = MeetingRecord {
                        date,
                        present,
                        decision: "审议通过，由综合办公室编号发布".into(),
                    };
                    self.attempt(
                        i,
                        chair,
                        roles::LEADING_GROUP,
                        StandardAction::Approve { meeting },
                        Expect::Accept,
                    )?;
                    self.later(i, date, 1, 8, Ev::Publish(i));
                }
            }
        }
        Ok(())
    }
}
