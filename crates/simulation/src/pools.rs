//! The text the actors write: requirements, criteria, opinions, answers, reasons and
//! findings, in Chinese as the court writes them, chosen by the kind of work a
//! standard governs.

use regula_standards::lifecycle::Criterion;

use crate::rng::Rng;

/// What kind of work a standard governs; picks plausible requirements and criteria.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Trial,
    Enforcement,
    Admin,
    Personnel,
}

/// An evaluation criterion: a rate with a floor (≥) or a ceiling (≤), in percent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Crit {
    pub(crate) name: &'static str,
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
    /// The criterion as a draft states it.
    pub(crate) fn criterion(&self) -> Criterion {
        Criterion {
            name: self.name.into(),
            measure: self.measure.into(),
            target: format!("{} {}%", if self.ceiling { "≤" } else { "≥" }, self.target),
        }
    }

    /// A measured value that meets the target or misses it.
    pub(crate) fn measure(&self, rng: &mut Rng, met: bool) -> f64 {
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

/// The evaluation criteria a standard of `kind` can have.
pub(crate) fn criteria_pool(kind: Kind) -> &'static [Crit] {
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

/// Procedural requirements (程序要求) for a standard of `kind`.
pub(crate) fn procedural_pool(kind: Kind) -> &'static [&'static str] {
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

/// Quality requirements (质量要求) for a standard of `kind`.
pub(crate) fn quality_pool(kind: Kind) -> &'static [&'static str] {
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

/// Front-line staff who give opinions (一线审判办案人员).
pub(crate) const FRONTLINE: [&str; 6] = [
    "综合审判庭 员额法官 刘建国",
    "立案庭 员额法官 孙丽",
    "执行局 执行员 马涛",
    "综合审判庭 法官助理 王雪",
    "立案庭 书记员 李佳",
    "执行局 员额法官 田野",
];
/// What front-line staff say.
pub(crate) const FRONTLINE_SAYS: [&str; 6] = [
    "建议将“及时”改为具体工作日数，便于考核",
    "时限规定与现行审限管理规定不一致，建议统一",
    "评价标准中的比率缺少统计口径，建议明确分子分母",
    "建议对简易案件规定简化流程，避免增加一线负担",
    "部分条款照搬诉讼法条文，建议改写为可操作的工作要求",
    "建议明确与院庭长监督管理标准的衔接",
];
/// Administrative staff who give opinions (审判管理、综合行政人员).
pub(crate) const ADMINISTRATIVE: [&str; 5] = [
    "综合办公室 科员 赵敏",
    "政治部 干部 周琳",
    "司法警察大队 民警 钱伟",
    "综合办公室 档案员 吴倩",
    "政治部督察室 干部 韩雪",
];
/// What administrative staff say.
pub(crate) const ADMINISTRATIVE_SAYS: [&str; 5] = [
    "建议明确各环节的责任岗位和责任人",
    "文书格式建议与公文处理标准保持一致",
    "建议统计报表统一通过审判数据管理渠道报送",
    "建议补充办公系统中的操作节点和留痕要求",
    "建议增加对外公开的内容和方式",
];
/// Others consulted: deputies, lawyers, jurors.
pub(crate) const OTHERS: [&str; 3] = ["区人大代表 郑红", "律师代表 冯岩", "人民陪审员 何平"];
/// What the others say.
pub(crate) const OTHERS_SAY: [&str; 2] = ["建议向当事人公开相关流程和办理时限", "建议为群众提供一次性告知清单"];
/// How an adopted opinion is answered.
pub(crate) const ADOPTED: [&str; 2] = ["已采纳，相应条款已修改", "已采纳，增加相应规定"];
/// Why an opinion is not adopted.
pub(crate) const NOT_ADOPTED: [&str; 4] = [
    "该事项上位法已有明确规定，标准中不再重复",
    "属于具体操作细节，拟在配套实施细则中规定",
    "与本院现有人员配置不符，暂不采纳",
    "超出本标准调整范围，建议纳入相关标准",
];
/// Why the leading group sends a first draft back.
pub(crate) const SEND_BACK: [&str; 5] = [
    "评价标准偏重数量指标，未体现工作质量要求",
    "部分条款照搬法条，缺少可操作的工作要求（实施方案三、原则(三)）",
    "未充分吸收一线审判办案人员的意见",
    "与相关标准衔接不够，责任分工不明确",
    "程序环节过多，不利于提升效率，请精简",
];
/// Why the leading group sends a revision back.
pub(crate) const SEND_BACK_REVISION: [&str; 2] = ["修订内容未针对评估和检查发现的问题", "修订稿未说明与现行版本的差异"];
/// Gaps practice reveals, each a reason to revise.
pub(crate) const GAPS: [&str; 3] = [
    "补充网上办理和电子送达的相关规定",
    "补充涉及未成年人的特别规定",
    "补充与上级法院新出台规定的衔接内容",
];
/// What an inspection finds on a standard still being drafted.
pub(crate) const EARLY_FINDINGS: [&str; 3] = [
    "调研论证材料未附“加强管理年”以来相关制度清单",
    "起草进度滞后于本年度工作计划",
    "征求意见范围未覆盖全部相关庭室",
];
/// What an inspection finds on a standard in force.
pub(crate) const FOLLOW_UP_FINDINGS: [&str; 4] = [
    "抽查 20 件，3 件未按标准规定的时限办理",
    "评价数据未按月统计报送",
    "部分条款照搬法条，缺少可操作的工作要求",
    "标准执行情况未纳入部门绩效考核",
];

/// The kind of work of a catalog entry.
pub(crate) fn kind_of(code: &str, domain: &str, category: &str) -> Kind {
    match domain {
        _ if category == "ADJ-07" || code == "ADJ-01-20" => Kind::Enforcement,
        "ADJ" => Kind::Trial,
        "ADM" => Kind::Admin,
        _ => Kind::Personnel,
    }
}
