//! The main job: a basic-level court's "standardization year" plan (红林法〔2022〕7号),
//! 117 work standards from 2022-05-16 to 2025-12-31, played on an embedded SQLite store.
//!
//! ```text
//! cargo run --release --example standardization_year [-- --seed N] [--store PATH [--fresh]] [--lang en] [--verbose]
//! ```
//!
//! What it does:
//!
//! 1. Creates a fresh SQLite store (default `$TMPDIR/regula-standardization-year-<seed>.db`,
//!    default durability: WAL, `synchronous=FULL`), loads the built-in catalog, lets the
//!    office designate 25 core standards (the plan never says which: that is the
//!    operator's flag, [`Catalog::set_core`]) and imports the 117 standards on the plan's
//!    date of issue. A copy of the catalog with those flags is written beside the store
//!    (`<store>.catalog.toml`), where the `regula` command line finds it.
//! 2. Plays the plan as an event-driven simulation in global time order: a priority
//!    queue of (time, sequence, event); the manual clock is set to each event's time
//!    before the court service applies it. Departments research, draft (procedural and
//!    quality requirements, measurable criteria), consult front-line and administrative
//!    staff and answer every opinion; the leading group deliberates twice a month (at
//!    least half present) and approves or sends back with reasons; the office publishes
//!    under 红林法〔YYYY〕N号, inspects (督导检查) and evaluates; departments report every
//!    half year; weak evaluations, inspection findings and gaps open revisions that go
//!    through consultation and approval again and end in a new published version; the
//!    intermediate court evaluates and accepts in four waves in 2025.
//! 3. Attempts some things that must be refused (a draft without measurable criteria,
//!    closing consultation early or without administrative opinions, the plan's own or
//!    a used document number, a meeting without quorum, drafting an unassigned
//!    standard, accepting a standard under revision). Every attempt states what the
//!    simulation expects; any other outcome stops the run with a clear message.
//! 4. Prints, at each step's due date, progress by domain and stage, each step's
//!    compliance with the late standards listed, and each department's load; then
//!    verifies the whole store with [`Court::verify`] (every log replayed against the
//!    definition, guards re-checked) and exits non-zero if anything is wrong.
//!
//! The run is deterministic for a given seed (a small xorshift generator; record ids
//! from `SeededIds`; the clock set to each event's time): two runs with the same seed
//! write the same audit log, record for record and hash for hash.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use regula::sqlite::SqliteStore;
use regula::standards::lifecycle::{
    Acceptance, Criterion, CriterionScore, Draft, Evaluation, Inspection, MeetingRecord, Opinion, OpinionSource,
    Response, RevisionCause,
};
use regula::standards::plan::{self, GroupBy, Standing, WorkPlan};
use regula::standards::rules::{local_date, parse_document_number};
use regula::standards::service::Court;
use regula::standards::{BUILTIN_CATALOG, Catalog, Stage, StandardAction, StandardData, roles};
use regula::{Action, Actor, AuditRecord, Command, Lang, ManualClock, Outcome, Reason, SeededIds, Store, Text};
use unicode_width::UnicodeWidthStr;

type Res<T> = Result<T, Box<dyn Error>>;

const USAGE: &str = "usage: standardization_year [--seed N] [--store PATH [--fresh]] [--lang zh|en] [--verbose]

  --seed N       the simulation's seed (default 7); the same seed writes the same audit log
  --store PATH   the SQLite file to create (default: $TMPDIR/regula-standardization-year-<seed>.db,
                 replaced on each run); an existing PATH is refused unless --fresh is given
  --fresh        replace an existing --store PATH
  --lang zh|en   labels and messages in Chinese (default) or English
  --verbose      print every record, not only refusals and notable events";

// ---------------------------------------------------------------------------------------
// The scenario's fixed decisions.
// ---------------------------------------------------------------------------------------

/// A calendar date known when compiling (an invalid one does not compile).
const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("invalid date"),
    }
}

/// The last day played.
const HORIZON: NaiveDate = ymd(2025, 12, 31);

/// The core standards (核心工作标准) the office designates for year one. The plan never
/// says which standards are core; these are the ones every case or every member of
/// staff meets daily: hearings, case flow, supervision, enforcement, documents and
/// records, security, personnel and discipline.
#[rustfmt::skip]
const CORE: [&str; 25] = [
    "ADJ-01-04", "ADJ-01-05", "ADJ-01-08", "ADJ-02-01", "ADJ-02-02", "ADJ-02-03", "ADJ-02-05", "ADJ-03-01",
    "ADJ-03-02", "ADJ-04-03", "ADJ-05-02", "ADJ-06-01", "ADJ-07-02", "ADJ-07-09",
    "ADM-01-01", "ADM-02-03", "ADM-02-04", "ADM-05-01", "ADM-07-02", "ADM-07-03",
    "PER-01-01", "PER-01-07", "PER-03-02", "PER-05-01", "PER-06-01",
];

/// What the office decides about the 13 standards the plan gives no department:
/// (code, date of the assignment and department); `None`: never assigned.
const ASSIGNMENTS: [(&str, Option<(NaiveDate, &str)>); 13] = [
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

/// The standard the leading group withdraws, from when, and why.
const WITHDRAWAL: (&str, NaiveDate, &str) = (
    "ADJ-01-19",
    ymd(2024, 5, 6),
    "民事案件证明责任规则已纳入《民事案件庭审标准》和《常见多发的类型化案件裁判标准》，本项不再单独制定",
);

/// A department that starts on an unassigned standard before the office decides:
/// (code, date, the department's staff who try).
const PREMATURE_DRAFTING: [(&str, NaiveDate, &str); 2] = [
    ("ADJ-01-03", ymd(2022, 11, 8), "立案庭"),
    ("ADJ-01-13", ymd(2023, 2, 14), "综合审判庭"),
];

/// Half-yearly implementation reports: (campaign date, period zh, period en).
const REPORT_PERIODS: [(NaiveDate, &str, &str); 6] = [
    (ymd(2023, 1, 9), "2022年下半年", "second half of 2022"),
    (ymd(2023, 7, 10), "2023年上半年", "first half of 2023"),
    (ymd(2024, 1, 8), "2023年下半年", "second half of 2023"),
    (ymd(2024, 7, 8), "2024年上半年", "first half of 2024"),
    (ymd(2025, 1, 6), "2024年下半年", "second half of 2024"),
    (ymd(2025, 7, 7), "2025年上半年", "first half of 2025"),
];

/// The office's inspection campaigns (督导检查, 五.五: 不定期).
const INSPECTIONS: [NaiveDate; 6] = [
    ymd(2022, 9, 19),
    ymd(2023, 4, 17),
    ymd(2023, 10, 16),
    ymd(2024, 5, 13),
    ymd(2024, 10, 14),
    ymd(2025, 6, 16),
];

/// The office's evaluation campaigns (step two: find the standards that work badly).
const EVALUATIONS: [NaiveDate; 3] = [ymd(2023, 6, 12), ymd(2023, 12, 4), ymd(2024, 9, 9)];

/// The intermediate court's acceptance waves in 2025, with the number of each wave's
/// acceptance document (长林中法〔2025〕N号).
const WAVES: [(NaiveDate, u32); 4] = [
    (ymd(2025, 5, 19), 21),
    (ymd(2025, 8, 18), 38),
    (ymd(2025, 10, 20), 52),
    (ymd(2025, 12, 1), 67),
];

/// Staff of each department (by the plan's name), as (actor id, name).
const STAFF: [(&str, &[(&str, &str)]); 7] = [
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

// ---------------------------------------------------------------------------------------
// Text the actors write.
// ---------------------------------------------------------------------------------------

/// What kind of work a standard governs; picks plausible requirements and criteria.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Trial,
    Enforcement,
    Admin,
    Personnel,
}

/// An evaluation criterion: a rate with a floor (≥) or a ceiling (≤), in percent.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Crit {
    name: &'static str,
    measure: &'static str,
    ceiling: bool,
    target: f64,
}

const fn crit(name: &'static str, measure: &'static str, ceiling: bool, target: f64) -> Crit {
    Crit {
        name,
        measure,
        ceiling,
        target,
    }
}

impl Crit {
    fn criterion(&self) -> Criterion {
        Criterion {
            name: self.name.into(),
            measure: self.measure.into(),
            target: format!("{} {}%", if self.ceiling { "≤" } else { "≥" }, self.target),
        }
    }

    /// A measured value that meets the target or misses it.
    fn measure(&self, rng: &mut Rng, met: bool) -> f64 {
        let room = if self.ceiling { self.target } else { 100.0 - self.target };
        let delta = if met { room * rng.unit() } else { 0.5 + 6.0 * rng.unit() };
        let v = if self.ceiling == met {
            self.target - delta
        } else {
            self.target + delta
        };
        (v.clamp(0.0, 100.0) * 10.0).round() / 10.0
    }
}

fn criteria_pool(kind: Kind) -> &'static [Crit] {
    const TRIAL: [Crit; 6] = [
        crit("审限内结案率", "审限内结案数 ÷ 同期结案数", false, 95.0),
        crit("程序节点按时完成率", "按时完成的程序节点数 ÷ 应完成节点数", false, 95.0),
        crit("发改率", "被发回重审和改判的案件数 ÷ 同期审结的上诉案件数", true, 4.0),
        crit("文书差错率", "评查发现差错的文书数 ÷ 抽查文书数", true, 2.0),
        crit("当事人满意率", "表示满意的问卷数 ÷ 回收问卷数", false, 90.0),
        crit("流程信息公开率", "依法公开流程信息的案件数 ÷ 应公开案件数", false, 98.0),
    ];
    const ENFORCEMENT: [Crit; 4] = [
        crit("执行到位率", "执行到位金额 ÷ 申请执行标的金额", false, 45.0),
        crit("法定期限内结案率", "法定期限内执结案件数 ÷ 同期执结案件数", false, 90.0),
        crit(
            "终本案件合格率",
            "合格的终结本次执行案件数 ÷ 抽查终本案件数",
            false,
            98.0,
        ),
        crit("执行信访化解率", "化解的执行信访件数 ÷ 受理执行信访件数", false, 85.0),
    ];
    const ADMIN: [Crit; 5] = [
        crit("按时办结率", "按时办结的事项数 ÷ 应办结事项数", false, 95.0),
        crit("差错率", "出现差错的事项数 ÷ 办理事项数", true, 1.0),
        crit("归档及时率", "按期归档件数 ÷ 应归档件数", false, 98.0),
        crit("服务对象满意率", "满意评价数 ÷ 评价总数", false, 90.0),
        crit("检查问题整改率", "按期整改的问题数 ÷ 检查发现问题数", false, 95.0),
    ];
    const PERSONNEL: [Crit; 5] = [
        crit("按计划完成率", "按计划完成的工作事项数 ÷ 计划事项数", false, 95.0),
        crit("材料完备率", "材料齐全的档案数 ÷ 抽查档案数", false, 98.0),
        crit("培训覆盖率", "参训人数 ÷ 应参训人数", false, 95.0),
        crit("程序合规率", "程序合规的事项数 ÷ 抽查事项数", false, 99.0),
        crit("问题整改率", "按期整改的问题数 ÷ 发现问题数", false, 95.0),
    ];
    match kind {
        Kind::Trial => &TRIAL,
        Kind::Enforcement => &ENFORCEMENT,
        Kind::Admin => &ADMIN,
        Kind::Personnel => &PERSONNEL,
    }
}

fn procedural_pool(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Trial => &[
            "立案后 3 个工作日内完成分案并告知当事人",
            "庭前会议应在开庭 7 日前召开并制作笔录",
            "开庭 3 日前送达传票，送达情况在办案系统中留痕",
            "合议庭评议后 5 个工作日内完成文书制作",
            "每一程序节点在办案系统中登记，超期自动预警",
        ],
        Kind::Enforcement => &[
            "立案后 10 日内完成网络查控",
            "财产处置节点在执行指挥中心平台逐项登记",
            "终结本次执行程序前约谈申请执行人并记录",
            "执行款到账后 30 日内发放",
        ],
        Kind::Admin => &[
            "收文当日登记，2 个工作日内提出拟办意见",
            "事项办理实行台账管理，逐项销号",
            "涉密载体按登记、审批、签收三个环节管理",
            "每月 5 日前报送上月办理情况",
        ],
        Kind::Personnel => &[
            "工作方案经党组会议研究后实施",
            "全过程纪实并按规定归档",
            "结果在院内公示不少于 5 个工作日",
            "每季度向政治部报送执行情况",
        ],
    }
}

fn quality_pool(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Trial => &[
            "事实认定清楚、适用法律正确、说理充分",
            "同类案件裁判尺度统一",
            "程序公正，全程留痕、可追溯",
        ],
        Kind::Enforcement => &[
            "财产查控全面，处置依法及时",
            "执行行为规范，无违法违规执行",
            "案件终结符合法定条件",
        ],
        Kind::Admin => &[
            "办理规范准确，格式符合要求",
            "信息报送及时、内容真实",
            "服务保障到位，无安全责任事故",
        ],
        Kind::Personnel => &["程序规范、标准公开、结果公正", "材料真实完整", "工作留痕、可查可考"],
    }
}

const FRONTLINE: [&str; 6] = [
    "综合审判庭 员额法官 刘建国",
    "立案庭 员额法官 孙丽",
    "执行局 执行员 马涛",
    "综合审判庭 法官助理 王雪",
    "立案庭 书记员 李佳",
    "执行局 员额法官 田野",
];
const FRONTLINE_SAYS: [&str; 6] = [
    "建议将“及时”改为具体工作日数，便于考核",
    "时限规定与现行审限管理规定不一致，建议统一",
    "评价标准中的比率缺少统计口径，建议明确分子分母",
    "建议对简易案件规定简化流程，避免增加一线负担",
    "部分条款照搬诉讼法条文，建议改写为可操作的工作要求",
    "建议明确与院庭长监督管理标准的衔接",
];
const ADMINISTRATIVE: [&str; 5] = [
    "综合办公室 科员 赵敏",
    "政治部 干部 周琳",
    "司法警察大队 民警 钱伟",
    "综合办公室 档案员 吴倩",
    "政治部督察室 干部 韩雪",
];
const ADMINISTRATIVE_SAYS: [&str; 5] = [
    "建议明确各环节的责任岗位和责任人",
    "文书格式建议与公文处理标准保持一致",
    "建议统计报表统一通过审判数据管理渠道报送",
    "建议补充办公系统中的操作节点和留痕要求",
    "建议增加对外公开的内容和方式",
];
const OTHERS: [&str; 3] = ["区人大代表 郑红", "律师代表 冯岩", "人民陪审员 何平"];
const OTHERS_SAY: [&str; 2] = ["建议向当事人公开相关流程和办理时限", "建议为群众提供一次性告知清单"];
const NOT_ADOPTED: [&str; 4] = [
    "该事项上位法已有明确规定，标准中不再重复",
    "属于具体操作细节，拟在配套实施细则中规定",
    "与本院现有人员配置不符，暂不采纳",
    "超出本标准调整范围，建议纳入相关标准",
];
const SEND_BACK: [&str; 5] = [
    "评价标准偏重数量指标，未体现工作质量要求",
    "部分条款照搬法条，缺少可操作的工作要求（实施方案三、原则(三)）",
    "未充分吸收一线审判办案人员的意见",
    "与相关标准衔接不够，责任分工不明确",
    "程序环节过多，不利于提升效率，请精简",
];
const SEND_BACK_REVISION: [&str; 2] = ["修订内容未针对评估和检查发现的问题", "修订稿未说明与现行版本的差异"];
const GAPS: [&str; 3] = [
    "补充网上办理和电子送达的相关规定",
    "补充涉及未成年人的特别规定",
    "补充与上级法院新出台规定的衔接内容",
];
const EARLY_FINDINGS: [&str; 3] = [
    "调研论证材料未附“加强管理年”以来相关制度清单",
    "起草进度滞后于本年度工作计划",
    "征求意见范围未覆盖全部相关庭室",
];
const FOLLOW_UP_FINDINGS: [&str; 4] = [
    "抽查 20 件，3 件未按标准规定的时限办理",
    "评价数据未按月统计报送",
    "部分条款照搬法条，缺少可操作的工作要求",
    "标准执行情况未纳入部门绩效考核",
];

// ---------------------------------------------------------------------------------------
// Randomness, time, text layout.
// ---------------------------------------------------------------------------------------

/// xorshift64*, seeded through splitmix64: small, fast and deterministic.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 0 ≤ n < bound (0 when bound is 0).
    fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 { 0 } else { self.next() % bound }
    }

    /// lo ≤ n ≤ hi.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below(hi.saturating_sub(lo).saturating_add(1).max(1) as u64) as i64
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A float in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// `n` distinct items, in a random order.
    fn sample<T: Copy>(&mut self, items: &[T], n: usize) -> Vec<T> {
        let mut pool = items.to_vec();
        let mut out = Vec::with_capacity(n);
        while out.len() < n && !pool.is_empty() {
            let i = self.below(pool.len() as u64) as usize;
            out.push(pool.swap_remove(i));
        }
        out
    }
}

/// The same date, or the next Monday if it falls on a weekend.
fn workday(date: NaiveDate) -> NaiveDate {
    match date.weekday() {
        Weekday::Sat => date + TimeDelta::days(2),
        Weekday::Sun => date + TimeDelta::days(1),
        _ => date,
    }
}

fn days(date: NaiveDate, n: i64) -> NaiveDate {
    date + TimeDelta::days(n)
}

/// The instant of `minute` past local midnight of `date` in the court's time zone.
fn instant(tz: FixedOffset, date: NaiveDate, minute: i64) -> DateTime<Utc> {
    let local = date.and_time(NaiveTime::MIN) + TimeDelta::minutes(minute);
    Utc.from_utc_datetime(&(local - TimeDelta::seconds(i64::from(tz.local_minus_utc()))))
}

/// A time in office hours (09:00–17:00).
fn office_hours(rng: &mut Rng) -> i64 {
    rng.range(9 * 60, 17 * 60)
}

fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `s` cut to at most `max` columns, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    for ch in s.chars() {
        let w = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
        if width(&out) + w + 1 > max {
            break;
        }
        out.push(ch);
    }
    out.push('…');
    out
}

/// Aligned columns (CJK characters are two columns wide); columns from `numeric` on
/// are right-aligned.
fn table(indent: &str, header: &[String], rows: &[Vec<String>], numeric: usize) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(width(cell));
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = String::from(indent);
        for (i, cell) in cells.iter().enumerate() {
            let pad = widths.get(i).copied().unwrap_or(0).saturating_sub(width(cell));
            if i > 0 {
                out.push_str("  ");
            }
            if i >= numeric {
                out.extend(std::iter::repeat_n(' ', pad));
                out.push_str(cell);
            } else {
                out.push_str(cell);
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.trim_end().to_owned()
    };
    let mut out = line(header);
    out.push('\n');
    let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    out.push_str(indent);
    out.extend(std::iter::repeat_n('─', total));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}

/// Items joined by `sep`, wrapped at `max` columns, each line indented.
fn wrap(indent: &str, items: &[String], sep: &str, max: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item}{sep}")
        } else {
            item.clone()
        };
        if width(&line) + width(&piece) > max && line.trim() != "" {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        line.push_str(&piece);
    }
    out.push_str(line.trim_end());
    out
}

// ---------------------------------------------------------------------------------------
// The command line.
// ---------------------------------------------------------------------------------------

struct Args {
    seed: u64,
    store: Option<PathBuf>,
    fresh: bool,
    lang: Lang,
    verbose: bool,
}

/// The arguments, or `None` when help was asked for.
fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut args = Args {
        seed: 7,
        store: None,
        fresh: false,
        lang: Lang::Zh,
        verbose: false,
    };
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--seed" => {
                let v = value("--seed")?;
                args.seed = v
                    .parse()
                    .map_err(|_| format!("--seed {v:?}: expected a whole number"))?;
            }
            "--store" => args.store = Some(PathBuf::from(value("--store")?)),
            "--fresh" => args.fresh = true,
            "--lang" => {
                let v = value("--lang")?;
                args.lang = v.parse().map_err(|e| format!("--lang: {e}"))?;
            }
            "--verbose" | "-v" => args.verbose = true,
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(args))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The store's path, its WAL and shared-memory files and its catalog copy removed.
fn prepare_store(args: &Args) -> Res<PathBuf> {
    let (path, named) = match &args.store {
        Some(p) => (p.clone(), true),
        None => (
            std::env::temp_dir().join(format!("regula-standardization-year-{}.db", args.seed)),
            false,
        ),
    };
    if named && path.exists() && !args.fresh {
        return Err(format!(
            "{} exists: refusing to overwrite it (pass --fresh to replace it, or name another --store)",
            path.display()
        )
        .into());
    }
    for p in [
        path.clone(),
        with_suffix(&path, "-wal"),
        with_suffix(&path, "-shm"),
        with_suffix(&path, ".catalog.toml"),
    ] {
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| format!("cannot remove {}: {e}", p.display()))?;
        }
    }
    Ok(path)
}

/// The built-in catalog's text with `core = true` on the designated standards, for
/// the command line (`regula --store PATH …` reads `PATH.catalog.toml`).
fn catalog_with_core(core: &BTreeSet<&str>) -> String {
    let mut out = String::from(
        "# Written by examples/standardization_year.rs: the built-in catalog, with the core\n\
         # standards (核心工作标准) the office designated for this run flagged `core = true`.\n\n",
    );
    for line in BUILTIN_CATALOG.lines() {
        out.push_str(line);
        out.push('\n');
        let code = line
            .strip_prefix("code = \"")
            .and_then(|rest| rest.strip_suffix('"'))
            .filter(|c| core.contains(c));
        if code.is_some() {
            out.push_str("core = true\n");
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// The simulation.
// ---------------------------------------------------------------------------------------

/// Where an opinion comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Src {
    Frontline,
    Administrative,
    Other,
}

/// How a department attempts to close a consultation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Close {
    /// Before the 30 days are over: refused.
    Early,
    /// With no administrative opinion: refused.
    NoAdministrative,
    /// As it should.
    Due,
}

/// Why a revision is opened (evaluation and inspection numbers as in the log).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Why {
    Weak(u32),
    Gap,
    Finding(u32, u32),
}

/// Who evaluates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Evaluator {
    Office,
    /// The intermediate court, in acceptance wave n.
    Court(usize),
}

/// What the leading group takes up at a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Item {
    Deliberate,
    /// The first item of a meeting without quorum: refused.
    NoQuorum,
    CancelRevision,
    Withdraw,
}

/// One event of the simulation. Standards are indices into `Sim::stds`; versions
/// are carried so an event planned for one version is dropped if another is in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Ev {
    Assign(usize),
    PrematureDrafting(usize, usize),
    StartDrafting(usize),
    OpenConsultation(usize),
    Opinion(usize, Src),
    Respond(usize, u32),
    Close(usize, Close),
    Agenda(usize, usize, Item),
    Publish(usize),
    BeginFollowUp(usize),
    Report(usize, usize),
    Inspect(usize),
    Evaluate(usize, Evaluator, u32),
    OpenRevision(usize, Why, u32),
    Accept(usize, usize, u32),
    AcceptUnderRevision(usize, usize),
    Meeting,
    ReportCampaign(usize),
    InspectionCampaign(usize),
    EvaluationCampaign(usize),
    AcceptanceWave(usize),
}

/// What an attempt is expected to do.
#[derive(Clone, Copy, Debug)]
enum Expect {
    Accept,
    /// Refused by exactly these checks (guard names, external check names, or the
    /// reason code when no guard is named).
    Refuse(&'static [&'static str]),
}

/// Counts of what happened.
#[derive(Clone, Debug, Default)]
struct Tally {
    records: u64,
    created: u64,
    accepted: u64,
    refused: u64,
    first_published: u64,
    new_versions: u64,
    send_backs: u64,
    revisions: u64,
    cancelled: u64,
    consolidated: u64,
    withdrawn: u64,
    assigned: u64,
    inspections: u64,
    evaluations: u64,
    weak: u64,
    reports: u64,
    opinions: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.records += other.records;
        self.created += other.created;
        self.accepted += other.accepted;
        self.refused += other.refused;
        self.first_published += other.first_published;
        self.new_versions += other.new_versions;
        self.send_backs += other.send_backs;
        self.revisions += other.revisions;
        self.cancelled += other.cancelled;
        self.consolidated += other.consolidated;
        self.withdrawn += other.withdrawn;
        self.assigned += other.assigned;
        self.inspections += other.inspections;
        self.evaluations += other.evaluations;
        self.weak += other.weak;
        self.reports += other.reports;
        self.opinions += other.opinions;
    }
}

/// One standard as the simulation drives it.
struct Std {
    code: String,
    name: Text,
    kind: Kind,
    core: bool,
    /// The department that will work on it (the catalog's, or the office's choice).
    department: Option<String>,
    rng: Rng,
    /// Drafts written so far (for the draft's title).
    drafts: u32,
    bad_draft_tried: bool,
    /// The criteria of each draft, by the draft's number in the log.
    criteria: BTreeMap<u32, Vec<Crit>>,
    /// The leading group will cancel the open revision at its next meeting.
    cancel: bool,
    /// The version the intermediate court last evaluated.
    court_evaluated: Option<u32>,
}

/// A leading-group meeting: its date and the members present.
struct Meeting {
    date: NaiveDate,
    present: Vec<String>,
}

struct Sim {
    court: Court<SqliteStore>,
    clock: Arc<ManualClock>,
    tz: FixedOffset,
    lang: Lang,
    verbose: bool,
    rng: Rng,
    queue: BinaryHeap<Reverse<(DateTime<Utc>, u64, Ev)>>,
    sequence: u64,
    stds: Vec<Std>,
    /// Department id → its staff.
    staff: BTreeMap<String, Vec<Actor>>,
    /// 政治部督察室, who acts for the four 督察工作 standards.
    inspection_unit: Actor,
    office_lead: Actor,
    office_clerk: Actor,
    court_staff: Vec<Actor>,
    members: Vec<String>,
    meetings: Vec<Meeting>,
    /// The last document number used, per year.
    numbers: BTreeMap<i32, u32>,
    plan_number: Option<String>,
    /// One-off refusals already shown.
    shown_plan_number: bool,
    shown_duplicate: bool,
    shown_no_quorum: bool,
    shown_accept_under_revision: bool,
    withdrawal: Option<usize>,
    tally: Tally,
    period: Tally,
    refusals: BTreeMap<String, u64>,
    skipped: u64,
    beyond_horizon: u64,
}

impl Sim {
    fn s(&self, zh: &'static str, en: &'static str) -> &'static str {
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    fn t<'a>(&self, text: &'a Text) -> &'a str {
        text.get(self.lang)
    }

    fn now(&self) -> DateTime<Utc> {
        regula::Clock::now(self.clock.as_ref())
    }

    fn today(&self) -> NaiveDate {
        local_date(self.now(), self.tz)
    }

    fn push(&mut self, date: NaiveDate, minute: i64, ev: Ev) {
        self.sequence += 1;
        let at = instant(self.tz, date, minute);
        self.queue.push(Reverse((at, self.sequence, ev)));
    }

    /// Schedules `ev` for standard `i` on a working day `lo..=hi` days after `from`,
    /// in office hours.
    fn later(&mut self, i: usize, from: NaiveDate, lo: i64, hi: i64, ev: Ev) {
        let rng = &mut self.stds[i].rng;
        let date = workday(days(from, rng.range(lo, hi)));
        let minute = office_hours(rng);
        self.push(date, minute, ev);
    }

    fn data(&self, i: usize) -> Res<&StandardData> {
        let code = &self.stds[i].code;
        Ok(self
            .court
            .instance(code)
            .ok_or_else(|| format!("standard {code} was not imported"))?
            .data())
    }

    fn stage(&self, i: usize) -> Res<Stage> {
        Ok(self.data(i)?.stage)
    }

    /// Checks that a step of a standard's own chain finds the standard where the
    /// chain left it: anything else is a bug of the simulation.
    fn expect_stage(&self, i: usize, what: &str, stages: &[Stage]) -> Res<()> {
        let stage = self.stage(i)?;
        if stages.contains(&stage) {
            Ok(())
        } else {
            Err(format!(
                "{} {}: {what} planned, but the standard is in {} (a bug of the simulation)",
                self.today(),
                self.stds[i].code,
                stage.as_str()
            )
            .into())
        }
    }

    fn in_force(&self, i: usize) -> Res<u32> {
        Ok(self.data(i)?.in_force().map_or(0, |v| v.number))
    }

    /// A member of the standard's department.
    fn dept_actor(&mut self, i: usize) -> Res<Actor> {
        let std = &mut self.stds[i];
        let dept = std
            .department
            .clone()
            .ok_or_else(|| format!("{}: no department to act for it", std.code))?;
        if std.code.starts_with("PER-06") && std.rng.chance(50) {
            return Ok(self.inspection_unit.clone());
        }
        let staff = self
            .staff
            .get(&dept)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("no staff for department {dept}"))?;
        Ok(staff[std.rng.below(staff.len() as u64) as usize].clone())
    }

    fn label(&self, action: &str) -> String {
        StandardAction::label_of(action).map_or_else(|| action.to_owned(), |l| self.t(&l).to_owned())
    }

    fn stage_label(&self, stage: &str) -> String {
        Stage::from_name(stage).map_or_else(|| stage.to_owned(), |s| self.t(&s.label()).to_owned())
    }

    /// Attempts an action through the court service (so catalog-wide checks apply),
    /// counts the record and checks it against what the simulation expected.
    fn attempt(
        &mut self,
        i: usize,
        actor: Actor,
        role: &str,
        action: StandardAction,
        expect: Expect,
    ) -> Res<AuditRecord> {
        let code = self.stds[i].code.clone();
        let name = action.name().to_owned();
        let now = self.now();
        let record = self
            .court
            .apply(&code, Command::new(actor, role, action))
            .map_err(|e| format!("{now} {code} {name}: the store or engine failed: {e}"))?;
        self.count(i, &record)?;
        let when = self.today();
        let std_name = self.t(&self.stds[i].name).to_owned();
        let messages = record.refusal().map_or_else(String::new, |reasons| {
            reasons
                .iter()
                .map(|r| r.message.get(self.lang).to_owned())
                .collect::<Vec<_>>()
                .join(self.s("；", "; "))
        });
        match (expect, record.refusal()) {
            (Expect::Accept, None) => {
                if self.verbose {
                    println!(
                        "  {when} {code} {} → {} ({}, {})",
                        self.label(&name),
                        self.stage_label(record.state_after()),
                        record.actor.id,
                        record.actor.unit.as_deref().unwrap_or(&record.role)
                    );
                }
            }
            (Expect::Accept, Some(_)) => {
                return Err(format!(
                    "{when} {code} {std_name}: {} ({name}) by {} was refused, but the simulation believed it valid: {}",
                    self.label(&name),
                    record.actor.id,
                    messages
                )
                .into());
            }
            (Expect::Refuse(keys), None) => {
                return Err(format!(
                    "{when} {code} {std_name}: {} ({name}) was accepted, but the simulation expected a refusal by {}",
                    self.label(&name),
                    keys.join(", ")
                )
                .into());
            }
            (Expect::Refuse(keys), Some(reasons)) => {
                let got: BTreeSet<&str> = reasons.iter().map(reason_key).collect();
                let want: BTreeSet<&str> = keys.iter().copied().collect();
                if got != want {
                    return Err(format!(
                        "{when} {code} {std_name}: {} ({name}) was refused by {got:?}, the simulation expected {want:?}: {}",
                        self.label(&name),
                        messages
                    )
                    .into());
                }
                for k in got {
                    *self.refusals.entry(k.to_owned()).or_default() += 1;
                }
                println!(
                    "  ✗ {when} {code} {} · {}{}{}",
                    clip(&std_name, 28),
                    self.label(&name),
                    self.s("：", ": "),
                    messages
                );
            }
        }
        Ok(record)
    }

    fn count(&mut self, i: usize, record: &AuditRecord) -> Res<()> {
        let t = &mut self.period;
        t.records += 1;
        match &record.outcome {
            Outcome::Created => t.created += 1,
            Outcome::Refused { .. } => t.refused += 1,
            Outcome::Accepted { .. } => {
                t.accepted += 1;
                match record.action.as_str() {
                    "publish" => {
                        let versions = self.data(i)?.versions.len();
                        let t = &mut self.period;
                        if versions > 1 {
                            t.new_versions += 1;
                        } else {
                            t.first_published += 1;
                        }
                    }
                    "send_back" | "send_back_revision" => t.send_backs += 1,
                    "open_revision" => t.revisions += 1,
                    "cancel_revision" => t.cancelled += 1,
                    "accept" => t.consolidated += 1,
                    "withdraw" => t.withdrawn += 1,
                    "assign_department" => t.assigned += 1,
                    "record_inspection" => t.inspections += 1,
                    "record_evaluation" => t.evaluations += 1,
                    "report_implementation" => t.reports += 1,
                    "record_opinion" => t.opinions += 1,
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// A line about something worth noticing that was not refused.
    fn note(&self, i: usize, what: &str) {
        if !self.verbose {
            println!(
                "  · {} {} {}{}{what}",
                self.today(),
                self.stds[i].code,
                clip(self.t(&self.stds[i].name), 28),
                self.s("：", ": ")
            );
        }
    }

    // -- the standard's own chain ------------------------------------------------------

    fn assign(&mut self, i: usize) -> Res<()> {
        let Some(dept) = self.stds[i].department.clone() else {
            return Err(format!("{}: assignment planned without a department", self.stds[i].code).into());
        };
        let name = self
            .court
            .catalog()
            .departments()
            .get(&dept)
            .map_or_else(|| dept.clone(), |d| d.label.zh.to_string());
        let office = self.office_lead.clone();
        self.attempt(
            i,
            office,
            roles::OFFICE,
            StandardAction::AssignDepartment { department: name },
            Expect::Accept,
        )?;
        let label = self
            .court
            .catalog()
            .departments()
            .get(&dept)
            .map_or_else(|| dept.clone(), |d| self.t(&d.label).to_owned());
        self.note(
            i,
            &format!(
                "{} {label}",
                self.s("综合办公室指定责任部门", "the office assigns it to")
            ),
        );
        Ok(())
    }

    fn premature_drafting(&mut self, i: usize, staff_of: usize) -> Res<()> {
        if self.data(i)?.department.is_some() {
            return Ok(());
        }
        let (_, _, dept) = PREMATURE_DRAFTING[staff_of];
        let actor = self
            .court
            .config()
            .departments
            .resolve(dept)
            .and_then(|d| self.staff.get(&d.department))
            .and_then(|staff| staff.first())
            .cloned()
            .ok_or_else(|| format!("no staff for department {dept}"))?;
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::StartDrafting { summary: None },
            Expect::Refuse(&["actor_fits_role", "department_assigned"]),
        )?;
        Ok(())
    }

    fn start_drafting(&mut self, i: usize) -> Res<()> {
        self.expect_stage(i, "start_drafting", &[Stage::Research])?;
        let actor = self.dept_actor(i)?;
        let rng = &mut self.stds[i].rng;
        let summary = format!(
            "调研论证：梳理“加强管理年”以来出台的制度 {} 项，走访 {} 个庭室、座谈 {} 次，形成调研报告",
            rng.range(3, 14),
            rng.range(2, 6),
            rng.range(1, 4)
        );
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::StartDrafting { summary: Some(summary) },
            Expect::Accept,
        )?;
        // Writing takes one to two months, longer for a core standard, and much longer
        // when the drafting group is short of hands (案多人少).
        let today = self.today();
        let std = &mut self.stds[i];
        let (lo, hi) = if std.core { (30, 70) } else { (25, 50) };
        let delay = if std.rng.chance(20) { std.rng.range(30, 120) } else { 0 };
        self.later(i, today, lo + delay, hi + delay, Ev::OpenConsultation(i));
        Ok(())
    }

    /// The criteria of the next draft: new ones for a first draft, the version in
    /// force's (sometimes with one more) for a revision, the last draft's after a
    /// send-back (sometimes with one more).
    fn next_criteria(&mut self, i: usize) -> Res<Vec<Crit>> {
        let last = self
            .data(i)?
            .current_draft()
            .and_then(|d| self.stds[i].criteria.get(&d.number))
            .cloned();
        let std = &mut self.stds[i];
        let pool = criteria_pool(std.kind);
        Ok(match last {
            None => {
                let n = std.rng.range(2, 3) as usize;
                std.rng.sample(pool, n)
            }
            Some(mut criteria) => {
                if criteria.len() < pool.len() && std.rng.chance(40) {
                    let unused: Vec<Crit> = pool.iter().filter(|c| !criteria.contains(c)).copied().collect();
                    if !unused.is_empty() {
                        criteria.push(std.rng.pick(&unused));
                    }
                }
                criteria
            }
        })
    }

    fn open_consultation(&mut self, i: usize) -> Res<()> {
        self.expect_stage(i, "open_consultation", &[Stage::Drafting, Stage::Revision])?;
        let revising = self.data(i)?.open_revision().is_some();
        let criteria = self.next_criteria(i)?;
        let actor = self.dept_actor(i)?;
        let name = self.stds[i].name.zh.to_string();
        let kind = self.stds[i].kind;
        let std = &mut self.stds[i];
        std.drafts += 1;
        let title = format!(
            "《{name}》（{}，第 {} 稿）",
            if revising {
                "修订征求意见稿"
            } else {
                "征求意见稿"
            },
            std.drafts
        );
        let procedural_n = std.rng.range(2, 3) as usize;
        let quality_n = std.rng.range(1, 2) as usize;
        let draft = Draft {
            text: title,
            procedural: std
                .rng
                .sample(procedural_pool(kind), procedural_n)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            quality: std
                .rng
                .sample(quality_pool(kind), quality_n)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            criteria: criteria.iter().map(Crit::criterion).collect(),
        };
        // Some first drafts state their criteria as wishes, not measures (三.原则(一)).
        if !std.bad_draft_tried && !revising && std.rng.chance(7) {
            std.bad_draft_tried = true;
            let mut vague = draft.clone();
            vague.criteria = vec![Criterion {
                name: "工作质量".into(),
                measure: "综合评价".into(),
                target: "明显提升".into(),
            }];
            self.attempt(
                i,
                actor.clone(),
                roles::DEPARTMENT,
                StandardAction::OpenConsultation { draft: vague },
                Expect::Refuse(&["draft_complete"]),
            )?;
            let today = self.today();
            self.later(i, today, 3, 10, Ev::OpenConsultation(i));
            self.stds[i].drafts -= 1;
            return Ok(());
        }
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::OpenConsultation { draft },
            Expect::Accept,
        )?;
        let number = self
            .data(i)?
            .current_draft()
            .map(|d| d.number)
            .ok_or("a draft was accepted but not recorded")?;
        self.stds[i].criteria.insert(number, criteria);

        // The consultation: opinions over the first two weeks, each answered within
        // four days; closing from day 30.
        let opened = self.today();
        let first_round = self.data(i)?.consultations.len() == 1;
        let std = &mut self.stds[i];
        let no_administrative = first_round && std.rng.chance(5);
        let early = !no_administrative && std.rng.chance(4);
        let n = std.rng.range(2, if revising { 4 } else { 5 }) as usize;
        let mut sources = vec![Src::Frontline, Src::Administrative];
        while sources.len() < n {
            let s = match std.rng.below(10) {
                0..=4 => Src::Frontline,
                5..=8 => Src::Administrative,
                _ => Src::Other,
            };
            sources.push(s);
        }
        if no_administrative {
            for s in &mut sources {
                if *s == Src::Administrative {
                    *s = Src::Frontline;
                }
            }
        }
        let order = std.rng.sample(&sources, sources.len());
        let mut days_in: Vec<i64> = std.rng.sample(&(2..=12).collect::<Vec<i64>>(), n);
        days_in.sort_unstable();
        for (src, d) in order.into_iter().zip(days_in) {
            let minute = office_hours(&mut self.stds[i].rng);
            self.push(workday(days(opened, d)), minute, Ev::Opinion(i, src));
        }
        if early {
            self.later(i, opened, 22, 27, Ev::Close(i, Close::Early));
        }
        if no_administrative {
            self.later(i, opened, 30, 33, Ev::Close(i, Close::NoAdministrative));
        } else {
            self.later(i, opened, 30, 38, Ev::Close(i, Close::Due));
        }
        Ok(())
    }

    fn opinion(&mut self, i: usize, src: Src) -> Res<()> {
        self.expect_stage(i, "record_opinion", &[Stage::Consultation])?;
        let actor = self.dept_actor(i)?;
        let rng = &mut self.stds[i].rng;
        let (source, author, content) = match src {
            Src::Frontline => (
                OpinionSource::Frontline,
                rng.pick(&FRONTLINE),
                rng.pick(&FRONTLINE_SAYS),
            ),
            Src::Administrative => (
                OpinionSource::Administrative,
                rng.pick(&ADMINISTRATIVE),
                rng.pick(&ADMINISTRATIVE_SAYS),
            ),
            Src::Other => (OpinionSource::Other, rng.pick(&OTHERS), rng.pick(&OTHERS_SAY)),
        };
        let opinion = Opinion {
            author: author.into(),
            source,
            content: content.into(),
        };
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::RecordOpinion { opinion },
            Expect::Accept,
        )?;
        let number = self
            .data(i)?
            .current_consultation()
            .and_then(|c| c.opinions.last())
            .map(|o| o.number)
            .ok_or("an opinion was accepted but not recorded")?;
        let today = self.today();
        self.later(i, today, 1, 4, Ev::Respond(i, number));
        Ok(())
    }

    fn respond(&mut self, i: usize, number: u32) -> Res<()> {
        self.expect_stage(i, "respond_to_opinion", &[Stage::Consultation])?;
        let actor = self.dept_actor(i)?;
        let rng = &mut self.stds[i].rng;
        let response = if rng.chance(75) {
            Response::Adopted {
                note: Some(rng.pick(&["已采纳，相应条款已修改", "已采纳，增加相应规定"]).into()),
            }
        } else {
            Response::NotAdopted {
                reason: rng.pick(&NOT_ADOPTED).into(),
            }
        };
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::RespondToOpinion {
                opinion: number,
                response,
            },
            Expect::Accept,
        )?;
        Ok(())
    }

    fn close(&mut self, i: usize, how: Close) -> Res<()> {
        self.expect_stage(i, "close_consultation", &[Stage::Consultation])?;
        let actor = self.dept_actor(i)?;
        match how {
            Close::Early => {
                self.attempt(
                    i,
                    actor,
                    roles::DEPARTMENT,
                    StandardAction::CloseConsultation,
                    Expect::Refuse(&["consultation_period"]),
                )?;
            }
            Close::NoAdministrative => {
                self.attempt(
                    i,
                    actor,
                    roles::DEPARTMENT,
                    StandardAction::CloseConsultation,
                    Expect::Refuse(&["opinions_from_both_groups"]),
                )?;
                // The department asks the administrative staff, then closes.
                let today = self.today();
                self.later(i, today, 1, 2, Ev::Opinion(i, Src::Administrative));
                self.later(i, today, 12, 14, Ev::Close(i, Close::Due));
            }
            Close::Due => {
                self.attempt(
                    i,
                    actor,
                    roles::DEPARTMENT,
                    StandardAction::CloseConsultation,
                    Expect::Accept,
                )?;
            }
        }
        Ok(())
    }

    // -- the leading group ---------------------------------------------------------------

    fn meeting(&mut self, date: NaiveDate, reconvened: bool) -> Res<()> {
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
        if !self.shown_no_quorum && !reconvened && date >= ymd(2023, 7, 1) && !deliberate.is_empty() {
            self.shown_no_quorum = true;
            let present = vec!["陈伟".to_owned(), "张丽杰".to_owned()];
            self.meetings.push(Meeting { date, present });
            let m = self.meetings.len() - 1;
            self.push(date, 15 * 60, Ev::Agenda(deliberate[0], m, Item::NoQuorum));
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

    fn chair(&self, m: usize) -> Res<Actor> {
        let present = &self.meetings[m].present;
        let name = present.first().ok_or("a meeting with nobody present")?;
        self.court
            .config()
            .leading_group_member(name)
            .ok_or_else(|| format!("{name} is not a member of the leading group").into())
    }

    fn agenda(&mut self, i: usize, m: usize, item: Item) -> Res<()> {
        let chair = self.chair(m)?;
        let date = self.meetings[m].date;
        let present = self.meetings[m].present.clone();
        match item {
            Item::NoQuorum => {
                self.expect_stage(i, "approve", &[Stage::Approval])?;
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
                self.expect_stage(i, "withdraw", &[Stage::Research])?;
                self.attempt(
                    i,
                    chair,
                    roles::LEADING_GROUP,
                    StandardAction::Withdraw {
                        reason: WITHDRAWAL.2.into(),
                    },
                    Expect::Accept,
                )?;
                self.note(
                    i,
                    self.s(
                        "领导小组决定废止（未制定）",
                        "withdrawn by the leading group (never drafted)",
                    ),
                );
            }
            Item::CancelRevision => {
                self.expect_stage(i, "cancel_revision", &[Stage::Revision])?;
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
                self.note(
                    i,
                    self.s(
                        "领导小组终止修订，现行版本继续适用",
                        "the leading group cancels the revision",
                    ),
                );
            }
            Item::Deliberate => {
                self.expect_stage(i, "approve", &[Stage::Approval])?;
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

    // -- the office --------------------------------------------------------------------

    fn document_number(&self, year: i32, n: u32) -> String {
        format!("{}〔{year}〕{n}号", self.court.config().document_prefix)
    }

    fn publish(&mut self, i: usize) -> Res<()> {
        self.expect_stage(i, "publish", &[Stage::Approval])?;
        let date = self.today();
        let year = date.year();
        let clerk = self.office_clerk.clone();
        // The first publication: the clerk copies the number of the plan itself from
        // the template. The catalog-wide check catches it.
        if !self.shown_plan_number
            && let Some(number) = self.plan_number.clone()
        {
            self.shown_plan_number = true;
            self.attempt(
                i,
                clerk.clone(),
                roles::OFFICE,
                StandardAction::Publish {
                    document_number: number,
                    date,
                },
                Expect::Refuse(&["document_number_unique"]),
            )?;
        }
        // Once in 2023: the number of the previous publication, typed again.
        if !self.shown_duplicate
            && date >= ymd(2023, 3, 1)
            && let Some(&last) = self.numbers.get(&year)
        {
            self.shown_duplicate = true;
            let number = self.document_number(year, last);
            self.attempt(
                i,
                clerk.clone(),
                roles::OFFICE,
                StandardAction::Publish {
                    document_number: number,
                    date,
                },
                Expect::Refuse(&["document_number_unique"]),
            )?;
        }
        let n = self.numbers.get(&year).copied().unwrap_or(0) + 1;
        self.numbers.insert(year, n);
        let number = self.document_number(year, n);
        self.attempt(
            i,
            clerk,
            roles::OFFICE,
            StandardAction::Publish {
                document_number: number,
                date,
            },
            Expect::Accept,
        )?;
        self.later(i, date, 2, 12, Ev::BeginFollowUp(i));
        Ok(())
    }

    fn begin_follow_up(&mut self, i: usize) -> Res<()> {
        self.expect_stage(i, "begin_follow_up", &[Stage::Published])?;
        let (actor, role) = if self.stds[i].rng.chance(20) {
            (self.office_lead.clone(), roles::OFFICE)
        } else {
            (self.dept_actor(i)?, roles::DEPARTMENT)
        };
        self.attempt(i, actor, role, StandardAction::BeginFollowUp, Expect::Accept)?;
        Ok(())
    }

    fn report(&mut self, i: usize, period: usize) -> Res<()> {
        if self.stage(i)? != Stage::FollowUp {
            self.skipped += 1;
            return Ok(());
        }
        let actor = self.dept_actor(i)?;
        let (_, zh, _) = REPORT_PERIODS[period];
        let rng = &mut self.stds[i].rng;
        let handled = rng.range(12, 260);
        let on_time = handled - rng.range(0, handled / 12);
        let summary = format!(
            "本期按标准办理相关事项 {handled} 件，按标准时限办结 {on_time} 件；组织学习培训 {} 次；存在问题已列入整改台账",
            rng.range(1, 3)
        );
        self.attempt(
            i,
            actor,
            roles::DEPARTMENT,
            StandardAction::ReportImplementation {
                period: zh.into(),
                summary,
            },
            Expect::Accept,
        )?;
        // In 2024 practice shows a few gaps (三.第二步: 存在空白的，要补充建设).
        if (2..=3).contains(&period) && self.stds[i].rng.chance(4) {
            let today = self.today();
            let version = self.in_force(i)?;
            self.later(i, today, 10, 25, Ev::OpenRevision(i, Why::Gap, version));
        }
        Ok(())
    }

    fn inspect(&mut self, i: usize) -> Res<()> {
        let stage = self.stage(i)?;
        if stage == Stage::Withdrawn {
            self.skipped += 1;
            return Ok(());
        }
        let date = self.today();
        let rng = &mut self.stds[i].rng;
        let findings: Vec<String> = match stage {
            Stage::Published | Stage::FollowUp => {
                let n = rng.range(0, 2) as usize;
                rng.sample(&FOLLOW_UP_FINDINGS, n)
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            }
            Stage::Consolidated => Vec::new(),
            _ => {
                let n = rng.range(0, 1) as usize;
                rng.sample(&EARLY_FINDINGS, n).into_iter().map(str::to_owned).collect()
            }
        };
        let stage_zh = stage.label().zh.to_string();
        let inspection = Inspection {
            date,
            inspectors: vec!["张敏".into(), "杨帆".into()],
            summary: if findings.is_empty() {
                format!("对照实施方案督导检查（{stage_zh}阶段），未发现问题")
            } else {
                format!("对照实施方案督导检查（{stage_zh}阶段），发现问题 {} 项", findings.len())
            },
            findings: findings.clone(),
        };
        let office = self.office_lead.clone();
        self.attempt(
            i,
            office,
            roles::OFFICE,
            StandardAction::RecordInspection { inspection },
            Expect::Accept,
        )?;
        // A serious finding on a standard in force opens a revision (before the
        // acceptance season ends); the inspection before acceptance is stricter.
        let percent = if date.year() == 2025 { 35 } else { 15 };
        if stage == Stage::FollowUp
            && !findings.is_empty()
            && date <= ymd(2025, 8, 31)
            && self.stds[i].rng.chance(percent)
        {
            let number = self
                .data(i)?
                .inspections
                .last()
                .map(|x| x.number)
                .ok_or("an inspection was accepted but not recorded")?;
            let version = self.in_force(i)?;
            self.later(i, date, 7, 25, Ev::OpenRevision(i, Why::Finding(number, 1), version));
        }
        Ok(())
    }

    fn evaluate(&mut self, i: usize, by: Evaluator, version: u32) -> Res<()> {
        if self.stage(i)? != Stage::FollowUp || self.in_force(i)? != version {
            self.skipped += 1;
            return Ok(());
        }
        let date = self.today();
        let data = self.data(i)?;
        let draft = data
            .in_force()
            .map(|v| v.draft)
            .ok_or("a standard in follow-up without a version in force")?;
        let criteria = self.stds[i]
            .criteria
            .get(&draft)
            .cloned()
            .ok_or_else(|| format!("{}: no criteria known for draft {draft}", self.stds[i].code))?;
        let weak_percent = match by {
            Evaluator::Court(_) => 8,
            Evaluator::Office if version > 1 => 4,
            Evaluator::Office if date < ymd(2024, 7, 1) => 18,
            Evaluator::Office => 8,
        };
        let std = &mut self.stds[i];
        let weak = std.rng.chance(weak_percent);
        let missed: BTreeSet<usize> = if weak {
            let n = std.rng.range(1, 2.min(criteria.len() as i64)) as usize;
            std.rng
                .sample(&(0..criteria.len()).collect::<Vec<_>>(), n)
                .into_iter()
                .collect()
        } else {
            BTreeSet::new()
        };
        let mut scores = Vec::new();
        let mut shortfalls = Vec::new();
        for (k, c) in criteria.iter().enumerate() {
            let met = !missed.contains(&k);
            let value = c.measure(&mut std.rng, met);
            if !met {
                shortfalls.push(format!("{}（实测 {value}%，目标 {}）", c.name, c.criterion().target));
            }
            scores.push(CriterionScore {
                criterion: k as u32 + 1,
                measured: format!("{value}%"),
                met,
            });
        }
        let conclusion = if weak {
            format!("未达到评价标准：{}，建议修订完善", shortfalls.join("、"))
        } else {
            "各项评价标准均达到目标，标准运行良好".to_owned()
        };
        let evaluation = Evaluation {
            date,
            version,
            scores,
            conclusion,
        };
        let (actor, role) = match by {
            Evaluator::Office => (self.office_lead.clone(), roles::OFFICE),
            Evaluator::Court(_) => (
                self.court_staff[self.stds[i].rng.below(self.court_staff.len() as u64) as usize].clone(),
                roles::INTERMEDIATE_COURT,
            ),
        };
        self.attempt(
            i,
            actor,
            role,
            StandardAction::RecordEvaluation { evaluation },
            Expect::Accept,
        )?;
        if weak {
            self.period.weak += 1;
        }
        let number = self
            .data(i)?
            .evaluations
            .last()
            .map(|e| e.number)
            .ok_or("an evaluation was accepted but not recorded")?;
        match (by, weak) {
            (Evaluator::Court(wave), false) => {
                self.stds[i].court_evaluated = Some(version);
                self.later(i, date, 3, 12, Ev::Accept(i, wave, version));
            }
            (Evaluator::Court(_), true) => {
                self.stds[i].court_evaluated = Some(version);
                self.note(
                    i,
                    self.s(
                        "中级法院评估未达标，暂不验收，须修订",
                        "the intermediate court finds it weak: no acceptance, revise first",
                    ),
                );
                self.later(i, date, 5, 15, Ev::OpenRevision(i, Why::Weak(number), version));
            }
            (Evaluator::Office, true) => {
                self.later(i, date, 7, 25, Ev::OpenRevision(i, Why::Weak(number), version));
            }
            (Evaluator::Office, false) => {}
        }
        Ok(())
    }

    fn open_revision(&mut self, i: usize, why: Why, version: u32) -> Res<()> {
        if self.stage(i)? != Stage::FollowUp || self.in_force(i)? != version {
            self.skipped += 1;
            return Ok(());
        }
        let (cause, summary) = match why {
            Why::Weak(n) => (
                RevisionCause::WeakResults { evaluation: Some(n) },
                format!("针对第 {n} 次评估中未达标的评价标准，修改完善相关程序和质量要求"),
            ),
            Why::Gap => (RevisionCause::Gap, self.stds[i].rng.pick(&GAPS).to_owned()),
            Why::Finding(inspection, finding) => {
                let text = self
                    .data(i)?
                    .inspections
                    .iter()
                    .find(|x| x.number == inspection)
                    .and_then(|x| x.inspection.findings.first())
                    .cloned()
                    .unwrap_or_default();
                (
                    RevisionCause::Finding { inspection, finding },
                    format!("整改第 {inspection} 次督导检查发现的问题：{text}"),
                )
            }
        };
        let (actor, role) = if matches!(why, Why::Finding(..)) && self.stds[i].rng.chance(40) {
            (self.office_lead.clone(), roles::OFFICE)
        } else {
            (self.dept_actor(i)?, roles::DEPARTMENT)
        };
        self.attempt(
            i,
            actor,
            role,
            StandardAction::OpenRevision { cause, summary },
            Expect::Accept,
        )?;
        let today = self.today();
        if matches!(why, Why::Finding(..)) && self.stds[i].rng.chance(20) {
            // The leading group will find this revision unnecessary.
            self.stds[i].cancel = true;
        } else {
            self.later(i, today, 20, 50, Ev::OpenConsultation(i));
        }
        Ok(())
    }

    // -- the intermediate court ----------------------------------------------------------

    fn accept(&mut self, i: usize, wave: usize, version: u32) -> Res<()> {
        if self.stage(i)? != Stage::FollowUp || self.in_force(i)? != version {
            self.skipped += 1;
            return Ok(());
        }
        let actor = self.court_staff[self.stds[i].rng.below(self.court_staff.len() as u64) as usize].clone();
        let acceptance = self.acceptance(wave);
        self.attempt(
            i,
            actor,
            roles::INTERMEDIATE_COURT,
            StandardAction::Accept { acceptance },
            Expect::Accept,
        )?;
        Ok(())
    }

    fn acceptance(&self, wave: usize) -> Acceptance {
        Acceptance {
            date: self.today(),
            accepted_by: self.court.config().intermediate_court.label.zh.to_string(),
            conclusion: "经评估验收，标准运行良好，予以定型固化".into(),
            reference: Some(format!("长林中法〔2025〕{}号", WAVES[wave].1)),
        }
    }

    fn accept_under_revision(&mut self, i: usize, wave: usize) -> Res<()> {
        if !matches!(self.stage(i)?, Stage::Revision | Stage::Consultation | Stage::Approval) {
            self.skipped += 1;
            return Ok(());
        }
        let actor = self.court_staff[0].clone();
        let acceptance = self.acceptance(wave);
        self.attempt(
            i,
            actor,
            roles::INTERMEDIATE_COURT,
            StandardAction::Accept { acceptance },
            Expect::Refuse(&["no_transition"]),
        )?;
        Ok(())
    }

    // -- campaigns -----------------------------------------------------------------------

    fn report_campaign(&mut self, period: usize) -> Res<()> {
        let date = self.today();
        for i in 0..self.stds.len() {
            if self.stage(i)? == Stage::FollowUp {
                self.later(i, date, 0, 10, Ev::Report(i, period));
            }
        }
        Ok(())
    }

    fn inspection_campaign(&mut self) -> Res<()> {
        let date = self.today();
        let candidates: Vec<usize> = (0..self.stds.len())
            .filter(|&i| self.stage(i).is_ok_and(|s| s != Stage::Withdrawn))
            .collect();
        // The last campaign, before the intermediate court's acceptance, is thorough.
        let n = if date.year() == 2025 {
            self.rng.range(28, 34)
        } else {
            self.rng.range(16, 22)
        } as usize;
        let mut chosen = self.rng.sample(&candidates, n);
        chosen.sort_unstable();
        for i in chosen {
            self.later(i, date, 0, 15, Ev::Inspect(i));
        }
        Ok(())
    }

    fn evaluation_campaign(&mut self) -> Res<()> {
        let date = self.today();
        for i in 0..self.stds.len() {
            let data = self.data(i)?;
            if data.stage != Stage::FollowUp {
                continue;
            }
            let Some(version) = data.in_force() else { continue };
            let settled = days(version.published_on, 90) <= date;
            let recent = data
                .evaluation_of_version_in_force()
                .is_some_and(|e| days(e.evaluation.date, 240) > date);
            if settled && !recent {
                let number = version.number;
                self.later(i, date, 0, 20, Ev::Evaluate(i, Evaluator::Office, number));
            }
        }
        Ok(())
    }

    fn acceptance_wave(&mut self, wave: usize) -> Res<()> {
        let date = self.today();
        for i in 0..self.stds.len() {
            let data = self.data(i)?;
            match data.stage {
                Stage::FollowUp => {
                    let Some(version) = data.in_force() else { continue };
                    let number = version.number;
                    if days(version.published_on, 90) <= date && self.stds[i].court_evaluated != Some(number) {
                        self.later(i, date, 0, 10, Ev::Evaluate(i, Evaluator::Court(wave), number));
                    }
                }
                // Once: the court's list is out of date and names a standard that is
                // being revised.
                Stage::Revision | Stage::Consultation | Stage::Approval
                    if !self.shown_accept_under_revision && data.open_revision().is_some() =>
                {
                    self.shown_accept_under_revision = true;
                    self.later(i, date, 1, 3, Ev::AcceptUnderRevision(i, wave));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn handle(&mut self, ev: Ev) -> Res<()> {
        match ev {
            Ev::Assign(i) => self.assign(i),
            Ev::PrematureDrafting(i, k) => self.premature_drafting(i, k),
            Ev::StartDrafting(i) => self.start_drafting(i),
            Ev::OpenConsultation(i) => self.open_consultation(i),
            Ev::Opinion(i, src) => self.opinion(i, src),
            Ev::Respond(i, n) => self.respond(i, n),
            Ev::Close(i, how) => self.close(i, how),
            Ev::Agenda(i, m, item) => self.agenda(i, m, item),
            Ev::Publish(i) => self.publish(i),
            Ev::BeginFollowUp(i) => self.begin_follow_up(i),
            Ev::Report(i, p) => self.report(i, p),
            Ev::Inspect(i) => self.inspect(i),
            Ev::Evaluate(i, by, v) => self.evaluate(i, by, v),
            Ev::OpenRevision(i, why, v) => self.open_revision(i, why, v),
            Ev::Accept(i, w, v) => self.accept(i, w, v),
            Ev::AcceptUnderRevision(i, w) => self.accept_under_revision(i, w),
            Ev::Meeting => {
                let date = self.today();
                let reconvened = self
                    .meetings
                    .last()
                    .is_some_and(|m| m.present.len() * 2 < self.members.len());
                self.meeting(date, reconvened)
            }
            Ev::ReportCampaign(p) => self.report_campaign(p),
            Ev::InspectionCampaign(_) => self.inspection_campaign(),
            Ev::EvaluationCampaign(_) => self.evaluation_campaign(),
            Ev::AcceptanceWave(w) => self.acceptance_wave(w),
        }
    }

    // -- reports -------------------------------------------------------------------------

    fn print_period(&self, from: NaiveDate, to: NaiveDate) {
        let t = &self.period;
        let line = match self.lang {
            Lang::Zh => {
                let created = if t.created > 0 {
                    format!("创建 {}，", t.created)
                } else {
                    String::new()
                };
                format!(
                    "本期 {from} 至 {to}：记录 {} 条（{created}接受 {}，拒绝 {}）；首次发布 {} 项，发布新版本 {} 项；\
                     退回 {} 次；启动修订 {} 次（终止 {}）；督导检查 {} 次，评估 {} 次（未达标 {}）；实施报告 {} 份；\
                     验收固化 {} 项",
                    t.records,
                    t.accepted,
                    t.refused,
                    t.first_published,
                    t.new_versions,
                    t.send_backs,
                    t.revisions,
                    t.cancelled,
                    t.inspections,
                    t.evaluations,
                    t.weak,
                    t.reports,
                    t.consolidated
                )
            }
            Lang::En => {
                let created = if t.created > 0 {
                    format!("{} created, ", t.created)
                } else {
                    String::new()
                };
                format!(
                    "From {from} to {to}: {} records ({created}{} accepted, {} refused); {} standards first \
                     published, {} new versions; {} send-backs; {} revisions opened ({} cancelled); {} inspections, \
                     {} evaluations ({} weak); {} implementation reports; {} accepted and consolidated",
                    t.records,
                    t.accepted,
                    t.refused,
                    t.first_published,
                    t.new_versions,
                    t.send_backs,
                    t.revisions,
                    t.cancelled,
                    t.inspections,
                    t.evaluations,
                    t.weak,
                    t.reports,
                    t.consolidated
                )
            }
        };
        println!("\n{line}");
    }

    /// The report as of the end of `due`, the deadline: whatever a step due that day
    /// still lacks is overdue from that instant (0 days).
    fn print_report(&self, due: NaiveDate) -> Res<()> {
        let catalog = self.court.catalog();
        let ledger = self.court.ledger();
        let work_plan = WorkPlan::new();
        let as_of = plan::end_of_day(due, self.tz);
        let rule = "═".repeat(100);
        let steps_due: Vec<String> = catalog
            .steps()
            .iter()
            .filter(|s| s.due == due)
            .map(|s| self.t(&s.label).to_owned())
            .collect();
        println!("\n{rule}");
        match self.lang {
            Lang::Zh => println!("截至 {due} 日终（期限届满）· {}", steps_due.join(" / ")),
            Lang::En => println!("As of the end of {due} (the deadline) · {}", steps_due.join(" / ")),
        }
        println!("{rule}");

        // Progress: stages as rows, domains as columns.
        let progress = plan::progress(catalog, &ledger, &work_plan, as_of, GroupBy::Domain);
        println!("\n{}", self.s("进度（按领域、阶段）", "Progress by domain and stage"));
        let mut header = vec![self.s("阶段", "Stage").to_owned()];
        header.extend(progress.rows.iter().map(|r| self.t(&r.label).to_owned()));
        header.push(self.t(&plan::labels::TOTAL).to_owned());
        let mut rows = Vec::new();
        for (k, count) in progress.total.by_stage.iter().enumerate() {
            if count.stage.is_none() && count.count == 0 {
                continue;
            }
            let mut row = vec![self.t(&count.label).to_owned()];
            for r in &progress.rows {
                row.push(r.by_stage.get(k).map_or(0, |c| c.count).to_string());
            }
            row.push(count.count.to_string());
            rows.push(row);
        }
        type Count = fn(&plan::ProgressRow) -> usize;
        let extra: [(Text, Count); 3] = [
            (plan::labels::IN_FORCE, |r| r.in_force),
            (plan::labels::UNASSIGNED, |r| r.unassigned),
            (plan::labels::OVERDUE, |r| r.overdue),
        ];
        rows.push(vec![String::new(); header.len()]);
        for (label, f) in extra {
            let mut row = vec![self.t(&label).to_owned()];
            row.extend(progress.rows.iter().map(|r| f(r).to_string()));
            row.push(f(&progress.total).to_string());
            rows.push(row);
        }
        print!("{}", table("  ", &header, &rows, 1));

        // Compliance with each step.
        let statuses = plan::statuses(catalog, &ledger, &work_plan, as_of);
        let lateness = plan::lateness(catalog, &ledger, &work_plan, as_of);
        println!("\n{}", self.s("推进步骤完成情况", "Compliance with the plan's steps"));
        for step in catalog.steps() {
            let mut scope = 0;
            let mut on_time = 0;
            let mut late_done = 0;
            let mut withdrawn = 0;
            for s in &statuses {
                for m in s.milestones.iter().filter(|m| m.due.step == step.id) {
                    scope += 1;
                    match m.standing {
                        Standing::Done { late: false, .. } => on_time += 1,
                        Standing::Done { late: true, .. } => late_done += 1,
                        Standing::Withdrawn => withdrawn += 1,
                        _ => {}
                    }
                }
            }
            let late: &[plan::LateEntry] = lateness
                .steps
                .iter()
                .find(|s| s.step == step.id)
                .map_or(&[], |s| s.late.as_slice());
            let short = self
                .t(&step.label)
                .split(['：', ':'])
                .next()
                .unwrap_or_default()
                .to_owned();
            let head = format!(
                "  {short} · {} · {} {}",
                self.t(&step.milestone.label()),
                self.s("时限", "due"),
                step.due
            );
            let body = if step.due > due {
                match self.lang {
                    Lang::Zh => format!("未到期：{scope} 项中已达到 {}", on_time + late_done),
                    Lang::En => format!("not yet due: {} of {scope} reached", on_time + late_done),
                }
            } else {
                let mut text = match self.lang {
                    Lang::Zh => format!(
                        "{scope} 项：按期完成 {on_time}，逾期完成 {late_done}，逾期未完成 {}",
                        late.len()
                    ),
                    Lang::En => format!(
                        "{scope} standards: {on_time} on time, {late_done} late, {} overdue",
                        late.len()
                    ),
                };
                if withdrawn > 0 {
                    text.push_str(&match self.lang {
                        Lang::Zh => format!("，废止 {withdrawn}"),
                        Lang::En => format!(", {withdrawn} withdrawn"),
                    });
                }
                text
            };
            println!("{head} — {body}");
            if step.due <= due && !late.is_empty() {
                const SHOWN: usize = 15;
                let rows: Vec<Vec<String>> = late
                    .iter()
                    .take(SHOWN)
                    .map(|e| {
                        vec![
                            e.code.clone(),
                            clip(self.t(&e.name), 30),
                            self.t(&e.department_label).to_owned(),
                            self.t(&e.stage_label).to_owned(),
                            match (self.lang, e.days_overdue) {
                                (Lang::Zh, 0) => "到期未完成".to_owned(),
                                (Lang::En, 0) => "missed".to_owned(),
                                (Lang::Zh, d) => format!("逾期 {d} 天"),
                                (Lang::En, d) => format!("{d} days overdue"),
                            },
                        ]
                    })
                    .collect();
                let header = [
                    self.t(&plan::labels::CODE),
                    self.t(&plan::labels::NAME),
                    self.t(&plan::labels::DEPARTMENT),
                    self.t(&plan::labels::STAGE),
                    self.t(&plan::labels::OVERDUE),
                ]
                .map(str::to_owned);
                print!("{}", table("      ", &header, &rows, 4));
                if late.len() > SHOWN {
                    println!(
                        "      {}",
                        match self.lang {
                            Lang::Zh => format!("……另有 {} 项", late.len() - SHOWN),
                            Lang::En => format!("… and {} more", late.len() - SHOWN),
                        }
                    );
                }
            }
        }

        // Standards still without a department.
        let unassigned: Vec<String> = statuses
            .iter()
            .filter(|s| s.department.is_none() && s.stage != Some(Stage::Withdrawn))
            .map(|s| {
                format!(
                    "{} {}{}{}{}",
                    s.code,
                    self.t(&s.name),
                    self.s("（", " ("),
                    self.t(&s.stage_label),
                    self.s("）", ")")
                )
            })
            .collect();
        println!(
            "\n{}{}{}",
            self.t(&plan::labels::UNASSIGNED),
            self.s("：", ": "),
            if unassigned.is_empty() {
                self.s("无", "none").to_owned()
            } else {
                format!("{} {}", unassigned.len(), self.s("项", "standard(s)"))
            }
        );
        if !unassigned.is_empty() {
            println!("{}", wrap("  ", &unassigned, self.s("；", "; "), 100));
        }

        // Each department's load.
        let load = plan::department_load(catalog, &ledger, &work_plan, as_of);
        println!("\n{}", self.s("各部门工作量", "Load by department"));
        let header = [
            self.t(&plan::labels::DEPARTMENT),
            self.t(&plan::labels::TOTAL),
            self.t(&plan::labels::CORE),
            self.t(&plan::labels::IN_PROGRESS),
            self.t(&plan::labels::IN_FORCE),
            self.t(&plan::labels::CONSOLIDATED),
            self.t(&plan::labels::WITHDRAWN),
            self.t(&plan::labels::OVERDUE),
        ]
        .map(str::to_owned);
        let rows: Vec<Vec<String>> = load
            .iter()
            .filter(|d| d.total > 0)
            .map(|d| {
                vec![
                    self.t(&d.label).to_owned(),
                    d.total.to_string(),
                    d.core.to_string(),
                    d.in_progress.to_string(),
                    d.in_force.to_string(),
                    d.consolidated.to_string(),
                    d.withdrawn.to_string(),
                    d.overdue.to_string(),
                ]
            })
            .collect();
        print!("{}", table("  ", &header, &rows, 1));
        Ok(())
    }
}

fn reason_key(r: &Reason) -> &str {
    r.guard.as_deref().unwrap_or(r.code.as_str())
}

fn kind_of(code: &str, domain: &str, category: &str) -> Kind {
    match domain {
        _ if category == "ADJ-07" || code == "ADJ-01-20" => Kind::Enforcement,
        "ADJ" => Kind::Trial,
        "ADM" => Kind::Admin,
        _ => Kind::Personnel,
    }
}

// ---------------------------------------------------------------------------------------
// Putting it together.
// ---------------------------------------------------------------------------------------

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("\nerror: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Runs everything; `Ok(false)` when verification found problems.
fn run(args: &Args) -> Res<bool> {
    let started = Instant::now();
    let path = prepare_store(args)?;
    let lang = args.lang;
    let s = |zh: &'static str, en: &'static str| if lang == Lang::Zh { zh } else { en };

    // The catalog, with the office's core standards.
    let mut catalog = Catalog::builtin()?;
    for code in CORE {
        catalog
            .set_core(code, true)
            .map_err(|e| format!("core standard {code}: {e}"))?;
    }
    let core: BTreeSet<&str> = CORE.into_iter().collect();
    let copy_text = catalog_with_core(&core);
    let copy = Catalog::from_toml_str(&copy_text)?;
    let flagged: BTreeSet<&str> = copy
        .standards()
        .iter()
        .filter(|e| e.core)
        .map(|e| e.code.as_str())
        .collect();
    if flagged != core {
        return Err("the catalog copy for the command line does not flag the core standards as designated".into());
    }
    let copy_path = with_suffix(&path, ".catalog.toml");

    // The store and the court service on a manual clock and seeded ids.
    let tz = catalog.court().timezone;
    let issued = catalog.plan().issued.unwrap_or(ymd(2022, 5, 16));
    let clock = Arc::new(ManualClock::new(instant(tz, issued, 9 * 60 + 30)));
    let store = SqliteStore::open(&path)?;
    let court = Court::open(store, catalog, |engine| {
        engine
            .with_clock(clock.clone())
            .with_ids(Arc::new(SeededIds::new(args.seed)))
    })?;
    std::fs::write(&copy_path, copy_text).map_err(|e| format!("cannot write {}: {e}", copy_path.display()))?;

    let config = court.config().clone();
    let plan_number = court.catalog().plan().document_number.clone();
    let mut numbers = BTreeMap::new();
    if let Some(n) = &plan_number {
        // The plan took number N of its year: standards of that year follow it.
        let (year, n) = parse_document_number(n, &config.document_prefix).map_err(|e| e.en.to_string())?;
        numbers.insert(year, n);
    }
    let mut staff = BTreeMap::new();
    for (dept, people) in STAFF {
        let d = config
            .departments
            .department_of(dept)
            .ok_or_else(|| format!("unknown department {dept}"))?;
        let actors = people
            .iter()
            .map(|(id, name)| {
                config
                    .department_staff(dept, id, name)
                    .ok_or_else(|| format!("unknown department {dept}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        staff.insert(d.id.clone(), actors);
    }
    let members: Vec<String> = court.catalog().leading_group().iter().map(|m| m.name.clone()).collect();

    println!(
        "Regula · {} · {}",
        court.catalog().plan().label.get(lang),
        plan_number.as_deref().unwrap_or_default()
    );
    println!("{} {issued} — {HORIZON}  seed {}", s("模拟", "Simulation"), args.seed);
    println!(
        "{}{}{}{}{}",
        s("存储：", "Store: "),
        path.display(),
        s("（", " ("),
        s(
            "嵌入式 SQLite，WAL，synchronous=FULL",
            "embedded SQLite, WAL, synchronous=FULL"
        ),
        s("）", ")")
    );

    // The standards.
    let mut stds = Vec::new();
    let assignments: BTreeMap<&str, Option<(NaiveDate, &str)>> = ASSIGNMENTS.into_iter().collect();
    for (k, e) in court.catalog().standards().iter().enumerate() {
        let department = match (&e.department, assignments.get(e.code.as_str())) {
            (Some(d), _) => Some(d.department.clone()),
            (None, Some(Some((_, name)))) => Some(
                config
                    .departments
                    .resolve(name)
                    .ok_or_else(|| format!("unknown department {name}"))?
                    .department,
            ),
            (None, _) => None,
        };
        stds.push(Std {
            code: e.code.clone(),
            name: e.name.clone(),
            kind: kind_of(&e.code, &e.domain, &e.category),
            core: e.core,
            department,
            rng: Rng::new(args.seed.wrapping_mul(1_000_003).wrapping_add(k as u64 + 1)),
            drafts: 0,
            bad_draft_tried: false,
            criteria: BTreeMap::new(),
            cancel: false,
            court_evaluated: None,
        });
    }
    let index: BTreeMap<String, usize> = stds.iter().enumerate().map(|(i, s)| (s.code.clone(), i)).collect();
    let find = |code: &str| -> Res<usize> {
        index
            .get(code)
            .copied()
            .ok_or_else(|| format!("no standard {code} in the catalog").into())
    };

    let core_list: Vec<String> = stds
        .iter()
        .filter(|s| s.core)
        .map(|s| format!("{} {}", s.code, s.name.get(lang)))
        .collect();
    println!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "核心工作标准：实施方案未列明，由综合办公室指定 {} 项（运行者设置的标记，Catalog::set_core）：",
                core_list.len()
            ),
            Lang::En => format!(
                "Core standards: the plan does not say which; the office designates {} (an operator's flag, \
                 Catalog::set_core):",
                core_list.len()
            ),
        }
    );
    println!("{}", wrap("  ", &core_list, s("、", ", "), 110));

    let mut sim = Sim {
        court,
        clock,
        tz,
        lang,
        verbose: args.verbose,
        rng: Rng::new(args.seed ^ 0x5EED_CAFE),
        queue: BinaryHeap::new(),
        sequence: 0,
        stds,
        staff,
        inspection_unit: Actor::new("han.xue").named("韩雪").in_unit("政治部督察室"),
        office_lead: config.office_staff("zhang.min", "张敏"),
        office_clerk: config.office_staff("chen.xiao", "陈晓"),
        court_staff: vec![
            config.intermediate_court_staff("gao.ming", "高明"),
            config.intermediate_court_staff("lin.feng", "林峰"),
        ],
        members,
        meetings: Vec::new(),
        numbers,
        plan_number,
        shown_plan_number: false,
        shown_duplicate: false,
        shown_no_quorum: false,
        shown_accept_under_revision: false,
        withdrawal: None,
        tally: Tally::default(),
        period: Tally::default(),
        refusals: BTreeMap::new(),
        skipped: 0,
        beyond_horizon: 0,
    };

    // The plan is issued: the office opens work on every standard at once.
    let office = sim.office_lead.clone();
    let opened = sim.court.import(&office)?;
    sim.period.records += opened.len() as u64;
    sim.period.created += opened.len() as u64;
    let unassigned = sim.court.catalog().unassigned().count();
    println!(
        "\n{issued} {}",
        match lang {
            Lang::Zh => format!(
                "综合办公室导入 {} 项标准（其中 {unassigned} 项实施方案未列明责任部门），均进入调研论证",
                opened.len()
            ),
            Lang::En => format!(
                "the office opens work on {} standards ({unassigned} without a department in the plan), all in research",
                opened.len()
            ),
        }
    );

    // Plan each standard's start: core standards at once, the others spread over each
    // department's year (a department with many standards finishes its last ones late).
    let mut by_department: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, std) in sim.stds.iter().enumerate() {
        if let Some(d) = &std.department {
            by_department.entry(d.clone()).or_default().push(i);
        }
    }
    for (code, plan) in ASSIGNMENTS {
        let i = find(code)?;
        if let Some((date, _)) = plan {
            sim.push(workday(date), 10 * 60, Ev::Assign(i));
        } else if code == WITHDRAWAL.0 {
            sim.withdrawal = Some(i);
        }
    }
    for (k, (code, date, _)) in PREMATURE_DRAFTING.into_iter().enumerate() {
        let i = find(code)?;
        sim.push(workday(date), 11 * 60, Ev::PrematureDrafting(i, k));
    }
    let assigned_on: BTreeMap<usize, NaiveDate> = ASSIGNMENTS
        .iter()
        .filter_map(|(code, plan)| Some((index.get(*code).copied()?, plan.as_ref()?.0)))
        .collect();
    let spread_from = ymd(2022, 8, 22);
    let busiest = by_department.values().map(Vec::len).max().unwrap_or(1).max(1) as i64;
    for members in by_department.values() {
        let (core, rest): (Vec<usize>, Vec<usize>) = members.iter().partition(|&&i| sim.stds[i].core);
        let mut starts = Vec::new();
        for i in core {
            starts.push((i, days(ymd(2022, 6, 1), sim.stds[i].rng.range(0, 60))));
        }
        // A department starts its last standard between July and the end of September
        // 2023, the later the more standards it has.
        let spread_days = (ymd(2023, 6, 30) - spread_from).num_days() + 90 * members.len() as i64 / busiest;
        let n = rest.len().max(1) as i64;
        for (k, i) in rest.into_iter().enumerate() {
            let jitter = sim.stds[i].rng.range(0, 21);
            starts.push((i, days(spread_from, k as i64 * spread_days / n + jitter)));
        }
        for (i, start) in starts {
            let start = match assigned_on.get(&i) {
                Some(&a) => start.max(days(a, sim.stds[i].rng.range(10, 30))),
                None => start,
            };
            let minute = office_hours(&mut sim.stds[i].rng);
            sim.push(workday(start), minute, Ev::StartDrafting(i));
        }
    }

    // The calendar: meetings on the second and fourth Thursday of each month,
    // campaigns on their dates.
    let mut month = ymd(2022, 6, 1);
    while month <= HORIZON {
        for nth in [2, 4] {
            if let Some(d) = NaiveDate::from_weekday_of_month_opt(month.year(), month.month(), Weekday::Thu, nth) {
                sim.push(d, 14 * 60 + 55, Ev::Meeting);
            }
        }
        month = month
            .checked_add_months(chrono::Months::new(1))
            .ok_or("date overflow")?;
    }
    for (k, (date, _, _)) in REPORT_PERIODS.into_iter().enumerate() {
        sim.push(workday(date), 8 * 60 + 30, Ev::ReportCampaign(k));
    }
    for (k, date) in INSPECTIONS.into_iter().enumerate() {
        sim.push(workday(date), 8 * 60 + 30, Ev::InspectionCampaign(k));
    }
    for (k, date) in EVALUATIONS.into_iter().enumerate() {
        sim.push(workday(date), 8 * 60 + 30, Ev::EvaluationCampaign(k));
    }
    for (k, (date, _)) in WAVES.into_iter().enumerate() {
        sim.push(workday(date), 8 * 60 + 30, Ev::AcceptanceWave(k));
    }

    // Play, in global time order, with a report at each step's due date.
    let mut dues: Vec<NaiveDate> = sim.court.catalog().steps().iter().map(|s| s.due).collect();
    dues.sort_unstable();
    dues.dedup();
    let horizon = plan::end_of_day(HORIZON, tz);
    let mut period_start = issued;
    let mut next_report = 0;
    let mut events = 0u64;
    println!();
    while let Some(Reverse((at, _, ev))) = sim.queue.pop() {
        while let Some(&due) = dues.get(next_report) {
            if at <= plan::end_of_day(due, tz) {
                break;
            }
            sim.print_period(period_start, due);
            sim.print_report(due)?;
            let period = std::mem::take(&mut sim.period);
            sim.tally.add(&period);
            period_start = days(due, 1);
            next_report += 1;
            println!();
        }
        if at > horizon {
            sim.beyond_horizon += 1;
            continue;
        }
        sim.clock.set(at);
        sim.handle(ev)?;
        events += 1;
    }
    while let Some(&due) = dues.get(next_report) {
        sim.print_period(period_start, due);
        sim.print_report(due)?;
        let period = std::mem::take(&mut sim.period);
        sim.tally.add(&period);
        period_start = days(due, 1);
        next_report += 1;
    }
    let simulated = started.elapsed();

    // The whole run in figures.
    let t = sim.tally.clone();
    let ledger = sim.court.ledger();
    let not_final: Vec<String> = ledger
        .iter()
        .filter(|d| !matches!(d.stage, Stage::Consolidated | Stage::Withdrawn))
        .map(|d| {
            format!(
                "{} {}{}{}{}",
                d.code,
                d.name.get(lang),
                s("（", " ("),
                d.stage.label().get(lang),
                s("）", ")")
            )
        })
        .collect();
    let revised = ledger.iter().filter(|d| d.versions.len() > 1).count();
    println!("\n{}", "═".repeat(100));
    println!("{}", s("全程统计", "The whole run"));
    println!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "  事件 {events} 个；记录 {} 条：创建 {}，接受 {}，拒绝 {}；2025-12-31 之后的 {} 个计划事件未执行",
                t.records, t.created, t.accepted, t.refused, sim.beyond_horizon
            ),
            Lang::En => format!(
                "  {events} events; {} records: {} created, {} accepted, {} refused; {} events planned after \
                 2025-12-31 not played",
                t.records, t.created, t.accepted, t.refused, sim.beyond_horizon
            ),
        }
    );
    let refusals: Vec<String> = sim.refusals.iter().map(|(k, n)| format!("{k} × {n}")).collect();
    println!(
        "  {}{}",
        s("拒绝（按检查项）：", "Refusals (by check): "),
        refusals.join(", ")
    );
    println!(
        "{}",
        match lang {
            Lang::Zh => format!(
                "  指定责任部门 {}；登记意见 {}；首次发布 {}，发布新版本 {}（{} 项标准有多个版本）；退回 {} 次；启动修订 {} 次，终止 {} 次；\
                 督导检查 {}，评估 {}（未达标 {}）；实施报告 {}；验收固化 {}；废止 {}",
                t.assigned,
                t.opinions,
                t.first_published,
                t.new_versions,
                revised,
                t.send_backs,
                t.revisions,
                t.cancelled,
                t.inspections,
                t.evaluations,
                t.weak,
                t.reports,
                t.consolidated,
                t.withdrawn
            ),
            Lang::En => format!(
                "  {} departments assigned; {} opinions recorded; {} first publications, {} new versions ({} standards with several \
                 versions); {} send-backs; {} revisions opened, {} cancelled; {} inspections, {} evaluations ({} \
                 weak); {} implementation reports; {} accepted and consolidated; {} withdrawn",
                t.assigned,
                t.opinions,
                t.first_published,
                t.new_versions,
                revised,
                t.send_backs,
                t.revisions,
                t.cancelled,
                t.inspections,
                t.evaluations,
                t.weak,
                t.reports,
                t.consolidated,
                t.withdrawn
            ),
        }
    );
    println!(
        "  {}{}",
        s("2025-12-31 仍未定型固化：", "Not consolidated on 2025-12-31: "),
        if not_final.is_empty() {
            s("无", "none").to_owned()
        } else {
            not_final.len().to_string()
        }
    );
    if !not_final.is_empty() {
        println!("{}", wrap("    ", &not_final, s("；", "; "), 110));
    }

    // Verify the whole store: chains, heads, the Merkle tree, and every standard's log
    // replayed against the definition with its guards re-checked.
    let verify_started = Instant::now();
    let report = sim.court.verify(None, &mut |_, _| {})?;
    let verified = verify_started.elapsed();
    let (mut created, mut accepted, mut refused, mut position) = (0u64, 0u64, 0u64, 0u64);
    loop {
        let page = sim.court.store().scan(position, 4096)?;
        if page.is_empty() {
            break;
        }
        for r in &page {
            match r.outcome {
                Outcome::Created => created += 1,
                Outcome::Accepted { .. } => accepted += 1,
                Outcome::Refused { .. } => refused += 1,
            }
        }
        position += page.len() as u64;
    }
    println!(
        "\n{}",
        s(
            "验证（Court::verify：哈希链、实例头、Merkle 树；每项标准的日志按定义重放，守卫重新检查）",
            "Verification (Court::verify: hash chains, heads, Merkle tree; every standard's log replayed against \
             the definition, guards re-checked)"
        )
    );
    println!(
        "  {}",
        match lang {
            Lang::Zh => format!(
                "记录 {} 条，标准 {} 项（重放 {} 项）：{}",
                report.records,
                report.instances,
                report.replayed,
                if report.is_ok() { "通过" } else { "发现问题" }
            ),
            Lang::En => format!(
                "{} records, {} standards ({} replayed): {}",
                report.records,
                report.instances,
                report.replayed,
                if report.is_ok() { "ok" } else { "PROBLEMS FOUND" }
            ),
        }
    );
    println!(
        "  {}",
        match lang {
            Lang::Zh => format!("存储中：创建 {created}，接受 {accepted}，拒绝 {refused}"),
            Lang::En => format!("in the store: {created} created, {accepted} accepted, {refused} refused"),
        }
    );
    for p in &report.problems {
        println!("  ✗ {p}");
    }
    let counted = (t.created, t.accepted, t.refused) == (created, accepted, refused) && t.records == report.records;
    if !counted {
        println!(
            "  ✗ {}",
            s(
                "存储中的记录数与模拟的计数不一致",
                "the store's counts differ from the simulation's"
            )
        );
    }
    let secs = |d: Duration| format!("{:.2} s", d.as_secs_f64());
    let per_record = simulated.as_secs_f64() * 1000.0 / t.records.max(1) as f64;
    println!(
        "  {}",
        match lang {
            Lang::Zh => format!(
                "耗时：模拟 {}（每条记录单独提交、落盘，平均 {:.2} ms），验证 {}，合计 {}",
                secs(simulated),
                per_record,
                secs(verified),
                secs(started.elapsed())
            ),
            Lang::En => format!(
                "time: simulation {} (each record its own durable commit, {:.2} ms on average), verification {}, \
                 total {}",
                secs(simulated),
                per_record,
                secs(verified),
                secs(started.elapsed())
            ),
        }
    );

    let shown = path.display();
    println!("\n{}{shown}", s("存储文件：", "Store: "));
    println!(
        "{}{}",
        s("目录副本（含核心标准标记）：", "Catalog copy (with the core flags): "),
        copy_path.display()
    );
    println!(
        "{}",
        s(
            "用命令行查看（cargo run --release -p regula-cli -- 或已安装的 regula）：",
            "Explore it with the command line (cargo run --release -p regula-cli -- or an installed regula):"
        )
    );
    println!("  regula --store {shown} list");
    println!("  regula --store {shown} report --as-of 2025-12-31");
    println!("  regula --store {shown} report --as-of 2023-12-31 --by steps");
    println!("  regula --store {shown} log ADJ-01-13");
    println!("  regula --store {shown} verify");
    Ok(report.is_ok() && counted)
}
