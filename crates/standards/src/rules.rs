//! The rules of the plan as pure checks: each returns `Ok(())` or the reason it fails,
//! in Chinese and English. The definition's guards call these; they are public so that
//! a program can check a payload before it submits it.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use regula_core::{Actor, Text};

use crate::catalog::{IntermediateCourt, Member};
use crate::data::StandardData;
use crate::department::DepartmentRegistry;
use crate::lifecycle::{
    Acceptance, Draft, Evaluation, Inspection, MeetingRecord, Opinion, OpinionSource, Response, RevisionCause, roles,
};

fn blank(s: &str) -> bool {
    s.trim().is_empty()
}

/// The calendar date of `at` in the court's time zone.
pub fn local_date(at: DateTime<Utc>, tz: FixedOffset) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// A standard leaves research only once it has a responsible department.
pub fn department_assigned(data: &StandardData) -> Result<(), Text> {
    if data.department.is_some() {
        Ok(())
    } else {
        Err(Text::owned(
            format!("标准 {} 尚未指定责任部门，须先由综合办公室指定", data.code),
            format!(
                "standard {} has no responsible department; the office must assign one first",
                data.code
            ),
        ))
    }
}

/// The department named can be resolved.
pub fn department_known(name: &str, registry: &DepartmentRegistry) -> Result<(), Text> {
    if registry.resolve(name).is_some() {
        Ok(())
    } else {
        Err(Text::owned(
            format!("未知的部门“{name}”"),
            format!("unknown department {name:?}"),
        ))
    }
}

/// A criterion is objective and measurable: it names what is measured and states a
/// target with a number (such as `≥ 95%` or `3 个工作日内`).
pub fn criterion_measurable(c: &crate::lifecycle::Criterion) -> bool {
    !blank(&c.name) && !blank(&c.measure) && c.target.chars().any(|ch| ch.is_ascii_digit())
}

/// 三.原则(一): a draft has procedural requirements, quality requirements and at least
/// one objective, measurable evaluation criterion.
pub fn draft_complete(draft: &Draft) -> Result<(), Text> {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if blank(&draft.text) {
        zh.push("缺少标准文本".to_owned());
        en.push("the text is missing".to_owned());
    }
    if !draft.procedural.iter().any(|p| !blank(p)) {
        zh.push("缺少程序规范上的要求".to_owned());
        en.push("no procedural requirement".to_owned());
    }
    if !draft.quality.iter().any(|q| !blank(q)) {
        zh.push("缺少工作质量上的要求".to_owned());
        en.push("no quality requirement".to_owned());
    }
    if !draft.criteria.iter().any(criterion_measurable) {
        zh.push("缺少客观、可衡量的评价标准（须写明衡量方法和含数值的目标）".to_owned());
        en.push("no objective, measurable evaluation criterion (a measure and a target with a number)".to_owned());
    }
    if zh.is_empty() {
        Ok(())
    } else {
        Err(Text::owned(
            format!("草案不完整：{}", zh.join("；")),
            format!("the draft is incomplete: {}", en.join("; ")),
        ))
    }
}

/// An opinion names its author and says something.
pub fn opinion_valid(opinion: &Opinion) -> Result<(), Text> {
    if blank(&opinion.author) || blank(&opinion.content) {
        Err(Text::new(
            "意见须写明提出人和内容",
            "an opinion needs its author and its content",
        ))
    } else {
        Ok(())
    }
}

/// A response answers an opinion of the current consultation that has no response
/// yet; a rejection gives its reason.
pub fn response_valid(data: &StandardData, opinion: u32, response: &Response) -> Result<(), Text> {
    let Some(record) = data
        .current_consultation()
        .and_then(|c| c.opinions.iter().find(|o| o.number == opinion))
    else {
        return Err(Text::owned(
            format!("本轮征求意见中没有第 {opinion} 条意见"),
            format!("the current consultation has no opinion {opinion}"),
        ));
    };
    if record.response.is_some() {
        return Err(Text::owned(
            format!("第 {opinion} 条意见已经答复"),
            format!("opinion {opinion} already has a response"),
        ));
    }
    match response {
        Response::NotAdopted { reason } if blank(reason) => {
            Err(Text::new("不予采纳须说明理由", "an opinion not adopted needs a reason"))
        }
        _ => Ok(()),
    }
}

/// 五.三: consultation closes only with opinions from front-line adjudication staff
/// AND from administrative staff.
pub fn opinions_from_both_groups(data: &StandardData) -> Result<(), Text> {
    let opinions = data
        .current_consultation()
        .map(|c| c.opinions.as_slice())
        .unwrap_or(&[]);
    let missing: Vec<OpinionSource> = [OpinionSource::Frontline, OpinionSource::Administrative]
        .into_iter()
        .filter(|s| !opinions.iter().any(|o| o.opinion.source == *s))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let zh: Vec<String> = missing.iter().map(|s| s.label().zh.into_owned()).collect();
    let en: Vec<String> = missing.iter().map(|s| s.label().en.into_owned()).collect();
    Err(Text::owned(
        format!("尚未征求{}的意见", zh.join("和")),
        format!("no opinion yet from {}", en.join(" or ")),
    ))
}

/// 五.三: every opinion has a recorded response before consultation closes.
pub fn opinions_answered(data: &StandardData) -> Result<(), Text> {
    let open: Vec<String> = data
        .current_consultation()
        .map(|c| {
            c.opinions
                .iter()
                .filter(|o| o.response.is_none())
                .map(|o| o.number.to_string())
                .collect()
        })
        .unwrap_or_default();
    if open.is_empty() {
        Ok(())
    } else {
        Err(Text::owned(
            format!("第 {} 条意见尚未答复（采纳或说明不予采纳的理由）", open.join("、")),
            format!(
                "opinion(s) {} have no response (adopted, or not adopted with a reason)",
                open.join(", ")
            ),
        ))
    }
}

/// Consultation stays open for at least `min_days` calendar days in the court's time
/// zone: opened on 2023-03-01 with 30 days, it closes from 2023-03-31.
pub fn consultation_period(
    data: &StandardData,
    now: DateTime<Utc>,
    tz: FixedOffset,
    min_days: u32,
) -> Result<(), Text> {
    let Some(c) = data.current_consultation() else {
        return Err(Text::new("没有进行中的征求意见", "no consultation is open"));
    };
    let opened = local_date(c.opened.at, tz);
    let today = local_date(now, tz);
    let days = (today - opened).num_days();
    if days >= i64::from(min_days) {
        Ok(())
    } else {
        let until = opened + chrono::Days::new(u64::from(min_days));
        Err(Text::owned(
            format!("征求意见期不少于 {min_days} 天：{opened} 开始，已过 {days} 天，{until} 起方可结束"),
            format!(
                "consultation lasts at least {min_days} days: opened {opened}, {days} days so far, may close from {until}"
            ),
        ))
    }
}

/// A send-back, a cancellation or a withdrawal gives at least one reason.
pub fn reasons_given(reasons: &[String]) -> Result<(), Text> {
    if reasons.iter().any(|r| !blank(r)) {
        Ok(())
    } else {
        Err(Text::new("须说明理由", "a reason is required"))
    }
}

/// The standard is in a revision (so a send-back returns to revision).
pub fn revision_open(data: &StandardData) -> Result<(), Text> {
    if data.open_revision().is_some() {
        Ok(())
    } else {
        Err(Text::new(
            "该标准没有进行中的修订，应退回起草（send_back）",
            "no revision is open: send back to drafting (send_back) instead",
        ))
    }
}

/// The standard is not in a revision (so a send-back returns to drafting).
pub fn no_open_revision(data: &StandardData) -> Result<(), Text> {
    match data.open_revision() {
        None => Ok(()),
        Some(r) => Err(Text::owned(
            format!("该标准正在进行第 {} 次修订，应退回修订（send_back_revision）", r.number),
            format!(
                "revision {} is open: send back to revision (send_back_revision) instead",
                r.number
            ),
        )),
    }
}

/// The member of `members` that `name` designates (by id or name).
pub fn member_named<'a>(members: &'a [Member], name: &str) -> Option<&'a Member> {
    let name = name.trim();
    members.iter().find(|m| m.id == name || m.name == name)
}

/// Approval needs a meeting record of the leading group: a date (not in the future,
/// not before the draft reached approval), members present (named members, as many as
/// the court's `quorum` asks) and a decision. A draft is approved once.
pub fn meeting_record(
    meeting: &MeetingRecord,
    members: &[Member],
    quorum: crate::catalog::Quorum,
    data: &StandardData,
    today: NaiveDate,
    tz: FixedOffset,
) -> Result<(), Text> {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if meeting.date > today {
        zh.push(format!("会议日期 {} 晚于今天 {today}", meeting.date));
        en.push(format!("the meeting date {} is after today {today}", meeting.date));
    }
    if let Some(submitted) = data.current_consultation().and_then(|c| c.closed.as_ref()) {
        let submitted = local_date(submitted.at, tz);
        if meeting.date < submitted {
            zh.push(format!("会议日期 {} 早于提交审议日 {submitted}", meeting.date));
            en.push(format!(
                "the meeting date {} is before the draft was submitted on {submitted}",
                meeting.date
            ));
        }
    }
    let mut present: Vec<&str> = Vec::new();
    let mut unknown: Vec<&str> = Vec::new();
    for p in &meeting.present {
        match member_named(members, p) {
            Some(m) if !present.contains(&m.id.as_str()) => present.push(&m.id),
            Some(_) => {}
            None => unknown.push(p.trim()),
        }
    }
    if !unknown.is_empty() {
        zh.push(format!("出席人员不是领导小组成员：{}", unknown.join("、")));
        en.push(format!("not members of the leading group: {}", unknown.join(", ")));
    }
    if !quorum.is_met(present.len(), members.len()) {
        let needed = quorum.label();
        zh.push(format!(
            "出席成员 {} 人（领导小组共 {} 人），未达到法定人数：{}",
            present.len(),
            members.len(),
            needed.zh
        ));
        en.push(format!(
            "{} member(s) present of the {} in the leading group: no quorum ({})",
            present.len(),
            members.len(),
            needed.en
        ));
    }
    if blank(&meeting.decision) {
        zh.push("缺少会议决定".to_owned());
        en.push("the decision is missing".to_owned());
    }
    if data.approval_of_current_draft().is_some() {
        zh.push("当前草案已审议通过".to_owned());
        en.push("the current draft is already approved".to_owned());
    }
    if zh.is_empty() {
        Ok(())
    } else {
        Err(Text::owned(
            format!("审议会议记录不合格：{}", zh.join("；")),
            format!("the meeting record does not qualify: {}", en.join("; ")),
        ))
    }
}

/// Publication needs the leading group's approval of the current draft.
pub fn approved(data: &StandardData) -> Result<(), Text> {
    if data.approval_of_current_draft().is_some() {
        Ok(())
    } else {
        Err(Text::new(
            "当前草案尚无领导小组审议通过的会议记录",
            "the current draft has no approving meeting record of the leading group",
        ))
    }
}

/// Parses a document number of the form `{prefix}〔YYYY〕N号`, e.g. 红林法〔2023〕12号,
/// into its year and number.
pub fn parse_document_number(number: &str, prefix: &str) -> Result<(i32, u32), Text> {
    let bad = || {
        Text::owned(
            format!("文号“{number}”格式不符，应为“{prefix}〔年份〕序号号”，如 {prefix}〔2023〕12号"),
            format!("document number {number:?} is malformed: expected {prefix}〔YYYY〕N号, e.g. {prefix}〔2023〕12号"),
        )
    };
    let rest = number.strip_prefix(prefix).ok_or_else(bad)?;
    let rest = rest.strip_prefix('〔').ok_or_else(bad)?;
    let (year, rest) = rest.split_once('〕').ok_or_else(bad)?;
    let n = rest.strip_suffix('号').ok_or_else(bad)?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if n.is_empty() || n.starts_with('0') || !n.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i32 = year.parse().map_err(|_| bad())?;
    let n: u32 = n.parse().map_err(|_| bad())?;
    Ok((year, n))
}

/// The document number has the court's form, its year is the year of publication,
/// and this standard has not used it before. (Uniqueness across the catalog is
/// checked by [`check_document_number`](crate::court::check_document_number).)
pub fn document_number(number: &str, date: NaiveDate, prefix: &str, data: &StandardData) -> Result<(), Text> {
    let (year, _) = parse_document_number(number, prefix)?;
    if year != date.year() {
        return Err(Text::owned(
            format!("文号年份 {year} 与发布日期 {date} 的年份不一致"),
            format!("the year {year} of the document number differs from the publication date {date}"),
        ));
    }
    if let Some(v) = data.versions.iter().find(|v| v.document_number == number) {
        return Err(Text::owned(
            format!("文号 {number} 已用于本标准第 {} 版", v.number),
            format!(
                "document number {number} was already used for version {} of this standard",
                v.number
            ),
        ));
    }
    Ok(())
}

/// The publication date is not before the approving meeting, nor after today.
pub fn publication_date(date: NaiveDate, data: &StandardData, today: NaiveDate) -> Result<(), Text> {
    if let Some(a) = data.approval_of_current_draft().filter(|a| date < a.meeting.date) {
        return Err(Text::owned(
            format!("发布日期 {date} 早于审议通过日期 {}", a.meeting.date),
            format!(
                "the publication date {date} is before the approval on {}",
                a.meeting.date
            ),
        ));
    }
    if date > today {
        return Err(Text::owned(
            format!("发布日期 {date} 晚于今天 {today}"),
            format!("the publication date {date} is after today {today}"),
        ));
    }
    Ok(())
}

/// An inspection has a date not in the future and a summary.
pub fn inspection_valid(inspection: &Inspection, today: NaiveDate) -> Result<(), Text> {
    if inspection.date > today {
        return Err(Text::owned(
            format!("检查日期 {} 晚于今天 {today}", inspection.date),
            format!("the inspection date {} is after today {today}", inspection.date),
        ));
    }
    if blank(&inspection.summary) || inspection.findings.iter().any(|f| blank(f)) {
        return Err(Text::new(
            "检查记录须有概要，且每项发现不得为空",
            "an inspection needs a summary, and no finding may be empty",
        ));
    }
    Ok(())
}

/// An evaluation scores the version in force against every one of its own criteria,
/// once each, and reaches a conclusion.
pub fn evaluation_complete(evaluation: &Evaluation, data: &StandardData, today: NaiveDate) -> Result<(), Text> {
    let Some(version) = data.in_force() else {
        return Err(Text::new(
            "没有现行有效的版本可供评估",
            "no version is in force to evaluate",
        ));
    };
    if evaluation.version != version.number {
        return Err(Text::owned(
            format!(
                "评估的是第 {} 版，现行有效的是第 {} 版",
                evaluation.version, version.number
            ),
            format!(
                "the evaluation is of version {}, but version {} is in force",
                evaluation.version, version.number
            ),
        ));
    }
    let criteria = data.draft(version.draft).map_or(0, |d| d.draft.criteria.len());
    let criteria = u32::try_from(criteria).unwrap_or(u32::MAX);
    let mut zh = Vec::new();
    let mut en = Vec::new();
    for n in 1..=criteria {
        match evaluation.scores.iter().filter(|s| s.criterion == n).count() {
            0 => {
                zh.push(format!("未对第 {n} 项评价标准打分"));
                en.push(format!("criterion {n} is not scored"));
            }
            1 => {}
            _ => {
                zh.push(format!("第 {n} 项评价标准重复打分"));
                en.push(format!("criterion {n} is scored twice"));
            }
        }
    }
    for s in &evaluation.scores {
        if s.criterion == 0 || s.criterion > criteria {
            zh.push(format!("第 {} 版没有第 {} 项评价标准", version.number, s.criterion));
            en.push(format!("version {} has no criterion {}", version.number, s.criterion));
        } else if blank(&s.measured) {
            zh.push(format!("第 {} 项评价标准缺少实测结果", s.criterion));
            en.push(format!("criterion {} has no measured result", s.criterion));
        }
    }
    if blank(&evaluation.conclusion) {
        zh.push("缺少评估结论".to_owned());
        en.push("the conclusion is missing".to_owned());
    }
    if evaluation.date > today {
        zh.push(format!("评估日期 {} 晚于今天 {today}", evaluation.date));
        en.push(format!(
            "the evaluation date {} is after today {today}",
            evaluation.date
        ));
    }
    if zh.is_empty() {
        Ok(())
    } else {
        Err(Text::owned(
            format!("评估不完整：{}", zh.join("；")),
            format!("the evaluation is incomplete: {}", en.join("; ")),
        ))
    }
}

/// A revision states what is to be revised, and what it cites exists.
pub fn revision_cause(cause: &RevisionCause, summary: &str, data: &StandardData) -> Result<(), Text> {
    if blank(summary) {
        return Err(Text::new(
            "须说明修订内容",
            "a revision needs a summary of what to revise",
        ));
    }
    match cause {
        RevisionCause::Gap | RevisionCause::WeakResults { evaluation: None } => Ok(()),
        RevisionCause::WeakResults { evaluation: Some(n) } => {
            if data.evaluations.iter().any(|e| e.number == *n) {
                Ok(())
            } else {
                Err(Text::owned(
                    format!("引用的第 {n} 次评估不存在"),
                    format!("the cited evaluation {n} does not exist"),
                ))
            }
        }
        RevisionCause::Finding { inspection, finding } => {
            let found = data
                .inspections
                .iter()
                .find(|i| i.number == *inspection)
                .and_then(|i| i.inspection.findings.get((*finding as usize).wrapping_sub(1)));
            if found.is_some() {
                Ok(())
            } else {
                Err(Text::owned(
                    format!("引用的第 {inspection} 次督导检查第 {finding} 项发现不存在"),
                    format!("the cited finding {finding} of inspection {inspection} does not exist"),
                ))
            }
        }
    }
}

/// An implementation report covers a period and says something.
pub fn report_valid(period: &str, summary: &str) -> Result<(), Text> {
    if blank(period) || blank(summary) {
        Err(Text::new(
            "实施情况报告须写明期间和内容",
            "an implementation report needs its period and its content",
        ))
    } else {
        Ok(())
    }
}

/// Consolidation needs an evaluation of the version in force that scores it against
/// its own criteria.
pub fn evaluated(data: &StandardData) -> Result<(), Text> {
    if data.evaluation_of_version_in_force().is_some() {
        Ok(())
    } else {
        Err(Text::new(
            "现行版本尚无对照其评价标准的评估",
            "the version in force has no evaluation against its own criteria",
        ))
    }
}

/// The acceptance record names who accepted, gives a conclusion, and is dated between
/// the evaluation and today.
pub fn acceptance_record(acceptance: &Acceptance, data: &StandardData, today: NaiveDate) -> Result<(), Text> {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if blank(&acceptance.accepted_by) {
        zh.push("缺少验收单位".to_owned());
        en.push("who accepted is missing".to_owned());
    }
    if blank(&acceptance.conclusion) {
        zh.push("缺少验收结论".to_owned());
        en.push("the conclusion is missing".to_owned());
    }
    if acceptance.date > today {
        zh.push(format!("验收日期 {} 晚于今天 {today}", acceptance.date));
        en.push(format!(
            "the acceptance date {} is after today {today}",
            acceptance.date
        ));
    }
    if let Some(e) = data
        .evaluation_of_version_in_force()
        .filter(|e| acceptance.date < e.evaluation.date)
    {
        zh.push(format!(
            "验收日期 {} 早于评估日期 {}",
            acceptance.date, e.evaluation.date
        ));
        en.push(format!(
            "the acceptance date {} is before the evaluation on {}",
            acceptance.date, e.evaluation.date
        ));
    }
    if zh.is_empty() {
        Ok(())
    } else {
        Err(Text::owned(
            format!("验收记录不合格：{}", zh.join("；")),
            format!("the acceptance record does not qualify: {}", en.join("; ")),
        ))
    }
}

/// From definition version 2, the office assigns a department only where the plan
/// left none; moving a standard to another department is a reassignment, with a reason.
pub fn department_unassigned(data: &StandardData, registry: &DepartmentRegistry) -> Result<(), Text> {
    match &data.department {
        None => Ok(()),
        Some(d) => {
            let name = department_name(registry, &d.department);
            Err(Text::owned(
                format!(
                    "标准 {} 已由 {} 负责；变更责任部门须以“变更责任部门”记录并说明理由",
                    data.code, name.zh
                ),
                format!(
                    "standard {} already has a responsible department ({}); moving it is a reassignment, with a reason",
                    data.code, name.en
                ),
            ))
        }
    }
}

/// A department's labels, or its machine name for one the registry does not know.
fn department_name(registry: &DepartmentRegistry, id: &str) -> Text {
    registry
        .get(id)
        .map_or_else(|| Text::owned(id, id), |d| d.label.clone())
}

/// A reassignment names a department other than the standard's own.
pub fn department_changes(name: &str, registry: &DepartmentRegistry, data: &StandardData) -> Result<(), Text> {
    match (registry.resolve(name), &data.department) {
        (Some(new), Some(old)) if new.department == old.department => {
            let name = department_name(registry, &old.department);
            Err(Text::owned(
                format!("标准 {} 已由 {} 负责，无需变更", data.code, name.zh),
                format!("standard {} is already with {}", data.code, name.en),
            ))
        }
        _ => Ok(()),
    }
}

/// From definition version 2, acceptance (定型固化) needs a *passing* evaluation of the
/// version in force: its latest evaluation meets the court's pass mark.
pub fn passing_evaluation(data: &StandardData, mark: crate::catalog::PassMark) -> Result<(), Text> {
    evaluated(data)?;
    let Some(e) = data.evaluation_of_version_in_force() else {
        return Ok(());
    };
    let total = e.evaluation.scores.len();
    let met = e.evaluation.scores.iter().filter(|s| s.met).count();
    if mark.passes(met, total) {
        Ok(())
    } else {
        let needed = mark.label();
        Err(Text::owned(
            format!(
                "现行版本最近一次评估（第 {} 次）仅 {met}/{total} 项评价标准达到目标，未通过（须{}）",
                e.number, needed.zh
            ),
            format!(
                "the latest evaluation of the version in force (no. {}) met {met} of {total} criteria: not passing ({} is needed)",
                e.number, needed.en
            ),
        ))
    }
}

/// From definition version 2, a draft states its sources (the rules it distils, the
/// laws it implements) and that it is not a copy of statutes (三.原则三).
pub fn draft_sources(draft: &Draft) -> Result<(), Text> {
    let mut zh = Vec::new();
    let mut en = Vec::new();
    if !draft.sources.iter().any(|s| !blank(&s.title)) {
        zh.push("未写明来源（提炼的制度、实施的法律或实践经验）");
        en.push("no source is stated (the rules it distils, the laws it implements, or practice)");
    }
    if !draft.not_a_copy_of_statute {
        zh.push("未声明不是照抄法条");
        en.push("no statement that it is not a copy of statutes");
    }
    if zh.is_empty() {
        Ok(())
    } else {
        Err(Text::owned(
            format!("草案未说明来源：{}", zh.join("；")),
            format!("the draft does not state its sources: {}", en.join("; ")),
        ))
    }
}

/// From definition version 2, a standard an inspection flagged as copying statutes
/// is not accepted until a later version is published.
pub fn not_flagged_as_copy(data: &StandardData) -> Result<(), Text> {
    let Some(v) = data.in_force() else {
        return Ok(());
    };
    match data.inspections.iter().rev().find(|i| {
        i.stamp.at >= v.stamp.at
            && i.inspection
                .flags
                .contains(&crate::lifecycle::InspectionFlag::CopiesStatute)
    }) {
        None => Ok(()),
        Some(i) => Err(Text::owned(
            format!("第 {} 次督导检查认定现行版本照抄法条，须修订后再验收", i.number),
            format!(
                "inspection {} found that the version in force copies statutes; it must be revised before acceptance",
                i.number
            ),
        )),
    }
}

/// Who may act in which role:
///
/// - `department`: the actor's unit resolves to the standard's responsible department
///   (never for an act that concerns no one standard, `data` = `None`);
/// - `office`: the actor's unit resolves to the coordinating office;
/// - `leading_group`: the actor's id is a named member of the leading group;
/// - `intermediate_court`: the actor's unit is the intermediate court.
pub fn actor_fits_role(
    actor: &Actor,
    role: &str,
    data: Option<&StandardData>,
    registry: &DepartmentRegistry,
    office: &str,
    members: &[Member],
    court: &IntermediateCourt,
) -> Result<(), Text> {
    let unit = actor.unit.as_deref().unwrap_or("");
    let resolved = registry.resolve(unit);
    let who = if unit.is_empty() {
        Text::owned(format!("{}（未注明部门）", actor.id), format!("{} (no unit)", actor.id))
    } else {
        Text::owned(format!("{}（{unit}）", actor.id), format!("{} ({unit})", actor.id))
    };
    match role {
        roles::DEPARTMENT => {
            let Some(data) = data else {
                return Err(Text::owned(
                    format!("{} 不能以责任部门身份操作：此操作不涉及某项标准", who.zh),
                    format!(
                        "{} cannot act as a responsible department: no standard is concerned",
                        who.en
                    ),
                ));
            };
            let Some(dept) = &data.department else {
                return Err(Text::owned(
                    format!("标准 {} 尚无责任部门，{} 不能以责任部门身份操作", data.code, who.zh),
                    format!(
                        "standard {} has no responsible department; {} cannot act as it",
                        data.code, who.en
                    ),
                ));
            };
            if resolved.is_some_and(|r| r.department == dept.department) {
                Ok(())
            } else {
                let name = registry.get(&dept.department).map_or_else(
                    || Text::owned(dept.department.clone(), dept.department.clone()),
                    |d| d.label.clone(),
                );
                Err(Text::owned(
                    format!("{} 不属于本标准的责任部门{}", who.zh, name.zh),
                    format!(
                        "{} is not in {}, the standard's responsible department",
                        who.en, name.en
                    ),
                ))
            }
        }
        roles::OFFICE => {
            if resolved.is_some_and(|r| r.department == office) {
                Ok(())
            } else {
                let name = registry.get(office).map_or_else(
                    || Text::owned(office.to_owned(), office.to_owned()),
                    |d| d.label.clone(),
                );
                Err(Text::owned(
                    format!("{} 不属于{}", who.zh, name.zh),
                    format!("{} is not in the {}", who.en, name.en),
                ))
            }
        }
        roles::LEADING_GROUP => {
            if members.iter().any(|m| m.id == actor.id) {
                Ok(())
            } else {
                Err(Text::owned(
                    format!("{} 不是领导小组成员", actor.id),
                    format!("{} is not a member of the leading group", actor.id),
                ))
            }
        }
        roles::INTERMEDIATE_COURT => {
            if court.matches(unit) {
                Ok(())
            } else {
                Err(Text::owned(
                    format!("{} 不属于{}", who.zh, court.label.zh),
                    format!("{} is not from the {}", who.en, court.label.en),
                ))
            }
        }
        other => Err(Text::owned(
            format!("未知角色 {other}"),
            format!("unknown role {other}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_numbers_parse() {
        assert_eq!(parse_document_number("红林法〔2023〕12号", "红林法"), Ok((2023, 12)));
        for bad in [
            "红林法[2023]12号",
            "红林法〔23〕12号",
            "红林法〔2023〕012号",
            "红林法〔2023〕号",
            "红林法〔2023〕12",
            "长林法〔2023〕12号",
            "红林法〔2023〕1a号",
        ] {
            assert!(parse_document_number(bad, "红林法").is_err(), "{bad}");
        }
    }
}
