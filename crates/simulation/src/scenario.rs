//! The scenario's fixed decisions: what the plan leaves to the court and the
//! simulation decides once, the same for every seed.
//!
//! The plan never says which standards are core, who drafts the 13 standards it
//! gives no department, when the office inspects or evaluates, or when the
//! intermediate court accepts: these constants do.

use chrono::NaiveDate;
use regula_standards::Catalog;

use crate::error::SimError;
use crate::time::ymd;

/// The seed the example uses when none is given.
pub const DEFAULT_SEED: u64 = 7;

/// The last day played by default: the plan's end.
pub const HORIZON: NaiveDate = ymd(2025, 12, 31);

/// The core standards (核心工作标准) the office designates for year one. The plan never
/// says which standards are core; these are the ones every case or every member of
/// staff meets daily: hearings, case flow, supervision, enforcement, documents and
/// records, security, personnel and discipline.
#[rustfmt::skip]
pub const CORE: [&str; 25] = [
    "ADJ-01-04", "ADJ-01-05", "ADJ-01-08", "ADJ-02-01", "ADJ-02-02", "ADJ-02-03", "ADJ-02-05", "ADJ-03-01",
    "ADJ-03-02", "ADJ-04-03", "ADJ-05-02", "ADJ-06-01", "ADJ-07-02", "ADJ-07-09",
    "ADM-01-01", "ADM-02-03", "ADM-02-04", "ADM-05-01", "ADM-07-02", "ADM-07-03",
    "PER-01-01", "PER-01-07", "PER-03-02", "PER-05-01", "PER-06-01",
];

/// What the office decides about the 13 standards the plan gives no department:
/// (code, date of the assignment and department); `None`: never assigned.
pub(crate) const ASSIGNMENTS: [(&str, Option<(NaiveDate, &str)>); 13] = [
    ("ADJ-01-04", Some((ymd(2022, 5, 30), "综合审判庭"))),
    ("ADJ-01-05", Some((ymd(2022, 5, 30), "综合审判庭"))),
    ("ADJ-01-01", Some((ymd(2022, 6, 20), "综合审判庭"))),
    ("ADJ-01-02", Some((ymd(2022, 6, 20), "综合审判庭"))),
    ("ADJ-01-07", Some((ymd(2022, 6, 20), "综合审判庭"))),
    ("ADJ-01-10", Some((ymd(2022, 7, 11), "综合审判庭"))),
    ("ADJ-01-11", Some((ymd(2022, 7, 11), "综合审判庭"))),
    ("ADJ-01-06", Some((ymd(2022, 8, 15), "综合审判庭"))),
    ("ADJ-01-15", Some((ymd(2022, 9, 13), "立案庭"))),
    // The court has no administrative division: who drafts these was argued about.
    ("ADJ-01-12", Some((ymd(2023, 4, 10), "综合审判庭"))),
    ("ADJ-01-03", Some((ymd(2023, 6, 12), "综合审判庭"))),
    // Claimed by neither 立案庭 nor 综合审判庭 until the leading group decided.
    ("ADJ-01-13", Some((ymd(2024, 3, 11), "综合审判庭"))),
    // Never assigned; withdrawn in 2024 (see WITHDRAWAL).
    ("ADJ-01-19", None),
];

/// The standard the office moves to another department (definition version 2: a
/// recorded reassignment with a reason): (code, date, new department, reason).
pub(crate) const REASSIGNMENT: (&str, NaiveDate, &str, &str) = (
    "ADJ-01-15",
    ymd(2023, 3, 13),
    "综合审判庭",
    "院党组会议调整审判业务分工：本项与综合审判庭的庭审标准合并起草",
);

/// The standard the leading group withdraws, from when, and why.
pub(crate) const WITHDRAWAL: (&str, NaiveDate, &str) = (
    "ADJ-01-19",
    ymd(2024, 5, 6),
    "民事案件证明责任规则已纳入《民事案件庭审标准》和《常见多发的类型化案件裁判标准》，本项不再单独制定",
);

/// A department that starts on an unassigned standard before the office decides:
/// (code, date, the department's staff who try).
pub(crate) const PREMATURE_DRAFTING: [(&str, NaiveDate, &str); 2] = [
    ("ADJ-01-03", ymd(2022, 11, 8), "立案庭"),
    ("ADJ-01-13", ymd(2023, 2, 14), "综合审判庭"),
];

/// Half-yearly implementation reports: (campaign date, period zh, period en).
pub(crate) const REPORT_PERIODS: [(NaiveDate, &str, &str); 6] = [
    (ymd(2023, 1, 9), "2022年下半年", "second half of 2022"),
    (ymd(2023, 7, 10), "2023年上半年", "first half of 2023"),
    (ymd(2024, 1, 8), "2023年下半年", "second half of 2023"),
    (ymd(2024, 7, 8), "2024年上半年", "first half of 2024"),
    (ymd(2025, 1, 6), "2024年下半年", "second half of 2024"),
    (ymd(2025, 7, 7), "2025年上半年", "first half of 2025"),
];

/// The office's inspection campaigns (督导检查, 五.五: 不定期).
pub(crate) const INSPECTIONS: [NaiveDate; 6] = [
    ymd(2022, 9, 19),
    ymd(2023, 4, 17),
    ymd(2023, 10, 16),
    ymd(2024, 5, 13),
    ymd(2024, 10, 14),
    ymd(2025, 6, 16),
];

/// The office's evaluation campaigns (step two: find the standards that work badly).
pub(crate) const EVALUATIONS: [NaiveDate; 3] = [ymd(2023, 6, 12), ymd(2023, 12, 4), ymd(2024, 9, 9)];

/// The intermediate court's acceptance waves in 2025, with the number of each wave's
/// acceptance document (长林中法〔2025〕N号).
pub(crate) const WAVES: [(NaiveDate, u32); 4] = [
    (ymd(2025, 5, 19), 21),
    (ymd(2025, 8, 18), 38),
    (ymd(2025, 10, 20), 52),
    (ymd(2025, 12, 1), 67),
];

/// Staff of each department (by the plan's name), as (actor id, name).
pub(crate) const STAFF: [(&str, &[(&str, &str)]); 7] = [
    (
        "立案庭",
        &[
            ("li.na", "李娜"),
            ("wang.lei", "王磊"),
            ("liu.yang", "刘洋"),
            ("sun.li", "孙丽"),
        ],
    ),
    (
        "综合审判庭",
        &[("zhao.jing", "赵静"), ("sun.hao", "孙浩"), ("liu.jianguo", "刘建国")],
    ),
    ("执行局", &[("zhou.qiang", "周强"), ("wu.min", "吴敏")]),
    ("政治部", &[("zheng.fang", "郑芳"), ("feng.tao", "冯涛")]),
    ("综合办公室", &[("yang.fan", "杨帆"), ("wu.qian", "吴倩")]),
    ("司法警察大队", &[("huang.yong", "黄勇"), ("qian.wei", "钱伟")]),
    ("党总支", &[("he.li", "何丽")]),
];

/// The built-in catalog with the [`CORE`] standards flagged, as the office designates
/// them ([`Catalog::set_core`]): the catalog every simulation runs on.
pub fn catalog() -> Result<Catalog, SimError> {
    let mut catalog = Catalog::builtin()?;
    for code in CORE {
        catalog.set_core(code, true).map_err(|e| SimError::Scenario {
            what: format!("core standard {code}: {e}"),
        })?;
    }
    Ok(catalog)
}
