//! The command line's help in Chinese: every command's and option's description, the
//! possible values' meanings, and clap's own words (headings, the help and version
//! flags, the `help` command).
//!
//! The grammar ([`crate::args`]) is written once, with English doc comments; this
//! table gives each of its texts a Chinese twin, keyed by command path and argument
//! id. A test walks the whole definition and fails on any text without a twin, and on
//! any twin whose command or argument no longer exists, so the two cannot drift apart.

use clap::{Arg, Command};

/// The Chinese description of each command (argument id `""`) and of each argument,
/// by command path under `regula` (`""` for `regula` itself, whose entries are the
/// global options).
pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "",
        "",
        "`regula` 命令行：法院工作标准，存于内嵌的 SQLite 库或 PostgreSQL",
    ),
    (
        "",
        "store",
        "内嵌的 SQLite 存储库（也可在 regula.toml 中写 `store`：命令行优先于环境变量，环境变量优先于文件）",
    ),
    (
        "",
        "pg",
        "改用 PostgreSQL，例如 \"host=db1 user=regula dbname=court\"（也可在 regula.toml 中写 `pg`）。命令行上的 `--store` 优先于环境变量 `REGULA_PG`，后者优先于文件中的 `store`",
    ),
    (
        "",
        "catalog",
        "标准目录（默认：本存储库已导入的目录，否则为内置的 117 项标准规划）",
    ),
    (
        "",
        "lang",
        "标签和消息的语言（也可用 REGULA_LANG、regula.toml 中的 `lang`，或以 en 开头的 LC_ALL/LC_MESSAGES/LANG）",
    ),
    ("", "json", "输出 JSON 而非文本（查询类命令）"),
    (
        "",
        "color",
        "为状态词（驳回、错误、已验证）着色：auto（输出到终端，且未设置 NO_COLOR、TERM 不为 dumb 时）、always、never。命令行优先于 NO_COLOR",
    ),
    ("init", "", "创建存储库（及其表结构），已存在则不变"),
    ("catalog", "", "标准目录"),
    (
        "catalog import",
        "",
        "首次导入时把目录记入存储库的规则日志，并开始各项标准的工作；此后的目录文件只能增加标准",
    ),
    ("catalog import", "file", "目录文件（格式见 regula-standards 的文档）"),
    ("catalog import", "actor", "导入人：综合办公室人员，写作 ID@单位"),
    (
        "catalog import",
        "at",
        "工作开始的时间，用于事后补录（RFC 3339，或日期，即法院时区当日 09:00）；与录入时间一并记录",
    ),
    ("catalog show", "", "列出目录中的领域、类别和各项标准"),
    ("rules", "", "存储库决定所依据的规则，记在其自身的日志中"),
    (
        "rules amend",
        "",
        "使修改后的目录生效（由领导小组成员提出并说明理由）；此次尝试会被记录，若删除或改动某项标准则被驳回",
    ),
    ("rules amend", "file", "要生效的目录文件"),
    ("rules amend", "reason", "修改规则的理由"),
    ("rules amend", "actor", "修改人：领导小组成员，写姓名或 ID"),
    (
        "rules amend",
        "at",
        "作出修改决定的时间（RFC 3339，或日期，即法院时区当日 09:00）；与录入时间一并记录",
    ),
    ("rules log", "", "规则日志：已记录的目录，以及每次延期和修改"),
    (
        "court",
        "",
        "记入规则日志的法院层面决定：核心工作标准、各部门工作方案、延期、领导小组的定期听取",
    ),
    (
        "court designate-core",
        "",
        "领导小组成员记录哪些标准为核心工作标准（确定核心工作标准）",
    ),
    ("court designate-core", "codes", "被确定为核心的标准编号"),
    ("court designate-core", "revoke", "不再作为核心的标准编号"),
    ("court designate-core", "meeting", "作出决定的会议"),
    ("court designate-core", "actor", "决定人：领导小组成员，写姓名或 ID"),
    (
        "court designate-core",
        "at",
        "作出决定的时间（RFC 3339，或日期，即法院时区当日 09:00）",
    ),
    (
        "court work-plan",
        "",
        "记录部门的年度工作方案（各部门工作方案）：各项目标不得晚于规划日期（文件格式见 regula-standards 的文档）",
    ),
    (
        "court work-plan",
        "file",
        "工作方案文件（TOML：`year`，以及含 `code`、`due`、`milestone`、`note` 的 `[[targets]]`）",
    ),
    (
        "court work-plan",
        "department",
        "方案所属部门（默认：操作人所在部门；综合办公室人员则为全院的方案）",
    ),
    (
        "court work-plan",
        "year",
        "年度（默认：文件中的年度，否则为 --at 所在年度）",
    ),
    (
        "court work-plan",
        "actor",
        "记录人：本部门或综合办公室人员，写作 ID@单位",
    ),
    (
        "court work-plan",
        "at",
        "方案通过的时间（RFC 3339，或日期，即法院时区当日 09:00）",
    ),
    (
        "court extend",
        "",
        "领导小组成员把某项标准的期限推迟到规划日期之后（决定延期）",
    ),
    ("court extend", "code", "标准编号"),
    ("court extend", "step", "延期的规划步骤（例如 build-all）"),
    ("court extend", "to", "新的截止日期（YYYY-MM-DD），须晚于规划日期"),
    ("court extend", "reason", "理由"),
    ("court extend", "actor", "决定人：领导小组成员，写姓名或 ID"),
    (
        "court extend",
        "at",
        "作出决定的时间（RFC 3339，或日期，即法院时区当日 09:00）",
    ),
    ("court hearing", "", "领导小组成员记录一次进展听取（定期听取）"),
    (
        "court hearing",
        "present",
        "出席成员，写姓名或 ID，以逗号分隔（记录人须在其中）",
    ),
    ("court hearing", "summary", "听取的内容"),
    ("court hearing", "decision", "作出的决定（多项决定可重复此选项）"),
    ("court hearing", "actor", "记录人：出席成员之一，写姓名或 ID"),
    (
        "court hearing",
        "at",
        "听取的时间（RFC 3339，或日期，即法院时区当日 09:00）",
    ),
    ("court hearings", "", "领导小组的各次进展听取"),
    ("court log", "", "法院日志：规则及每项法院层面的决定，含被驳回的"),
    (
        "token",
        "",
        "HTTP 服务的访问令牌，记在存储库的访问日志中（由综合办公室或领导小组成员签发和吊销）",
    ),
    ("token issue", "", "签发一个代表某操作人的令牌；其密钥只显示这一次"),
    (
        "token issue",
        "actor",
        "签发人：综合办公室人员（ID@综合办公室）或领导小组成员",
    ),
    (
        "token issue",
        "bound",
        "令牌所代表的操作人，写法同 --as：ID@单位，或领导小组成员",
    ),
    (
        "token issue",
        "admin",
        "管理令牌（导入目录、修改规则、迁移、令牌管理）：仅限综合办公室人员或领导小组成员",
    ),
    ("token issue", "label", "令牌的用途"),
    (
        "token issue",
        "at",
        "签发时间（RFC 3339，或日期，即法院时区当日 09:00）",
    ),
    ("token list", "", "访问日志中的令牌（从不显示其密钥或哈希）"),
    ("token revoke", "", "吊销一个令牌：此后它不再能证明任何人的身份"),
    ("token revoke", "id", "令牌的 ID（`rgl_` 之后的 16 个十六进制字符）"),
    ("token revoke", "actor", "吊销人：综合办公室人员或领导小组成员"),
    ("token revoke", "reason", "理由"),
    (
        "token revoke",
        "at",
        "吊销时间（RFC 3339，或日期，即法院时区当日 09:00）",
    ),
    ("list", "", "按条件列出标准"),
    (
        "list",
        "domain",
        "只列此领域：其代码（大小写均可，如 ADJ、adj）或名称（审判工作标准化）",
    ),
    (
        "list",
        "category",
        "只列此类别：其代码（大小写均可，如 ADJ-01）或名称（审判业务标准）",
    ),
    (
        "list",
        "department",
        "只列此部门（名称、别名或 ID；\"unassigned\" 表示未指定部门）",
    ),
    (
        "list",
        "state",
        "只列处于此状态的标准（名称或标签，如 drafting、文本起草；\"not_started\" 表示尚未开始）",
    ),
    ("list", "late", "只列截至此日期已逾期于规划某一步骤的标准"),
    ("show", "", "一项标准：状态、现行版本、部门，以及阻碍其下一步的因素"),
    ("show", "code", "标准编号，例如 ADJ-01-08"),
    (
        "show",
        "at",
        "按其日志在此时的样子显示该标准（RFC 3339，或日期，即法院时区当日 09:00）：阶段、部门、版本、记录和阻碍因素（默认：现在）",
    ),
    ("do", "", "对一项标准执行操作；被驳回时列出每条未满足的规则，退出码为 1"),
    ("do", "code", "标准编号"),
    (
        "do",
        "action",
        "操作，写名称或标签（start_drafting、开始起草；见 `regula actions CODE`）",
    ),
    (
        "do",
        "fields",
        "载荷字段，写作 KEY=VALUE，每个值按字段类型读取（`regula schema ACTION` 列出各字段）：文本仍为文本，数字为数字，列表可写 JSON 数组或重复 KEY；带点的 KEY（如 meeting.date）为嵌套字段。该操作没有的字段在写入任何内容之前即被拒绝",
    ),
    (
        "do",
        "actor",
        "操作人，写作 ID@单位（部门、综合办公室或中级法院），或领导小组成员的 ID 或姓名",
    ),
    (
        "do",
        "role",
        "以何种角色操作，写名称或标签（默认：唯一允许的角色，或操作人符合的角色）",
    ),
    ("do", "json_file", "以 JSON 文件给出载荷（\"-\" 表示标准输入）"),
    ("do", "note", "记入审计记录的备注"),
    (
        "do",
        "at",
        "事件发生的时间，用于事后补录（RFC 3339，或日期，即法院时区当日 09:00）：按当时的规则判断，记录同时保存两个时间。不得晚于现在，不得早于该标准最后一条被接受的记录",
    ),
    (
        "do",
        "dry_run",
        "显示此次尝试现在会得到的决定（接受及转入的状态，或驳回及全部理由），不写入任何内容；会被驳回时退出码为 1",
    ),
    (
        "do",
        "retry",
        "若另一写入者先在该标准上记录（写入冲突：未写入任何内容），则按新状态再决定一次，而不是停止",
    ),
    (
        "actions",
        "",
        "一项标准现在可执行的操作（带 --as 时：该操作人可执行的），或生命周期的全部操作",
    ),
    (
        "actions",
        "code",
        "标准编号；不给时列出法院生命周期的每个操作：从哪些状态、到哪个状态、由哪些角色执行",
    ),
    (
        "actions",
        "actor",
        "只列此操作人现在可执行的操作（ID@单位，或领导小组成员）：即其符合某一角色的操作",
    ),
    ("log", "", "一项标准的审计记录"),
    ("log", "code", "标准编号"),
    (
        "migrate",
        "",
        "把未完成的标准迁移到法院定义的最新版本，每项记录一次迁移（综合办公室的行为）；不给编号时，迁移所有沿用旧版本的未完成标准",
    ),
    ("migrate", "codes", "要迁移的标准；不给：所有沿用旧版本的未完成标准"),
    ("migrate", "actor", "迁移人：综合办公室人员，写作 ID@单位"),
    (
        "migrate",
        "at",
        "迁移生效的时间（RFC 3339，或日期，即法院时区当日 09:00）；与录入时间一并记录",
    ),
    (
        "verify",
        "",
        "验证整个存储库，以及它是否延续了一个保存的检查点（由给定密钥签名）",
    ),
    (
        "verify",
        "checkpoint",
        "先前保存的检查点（由 `regula checkpoint` 生成，签名与否均可；仍可读取 Regula 0.1–0.2 的 JSON 检查点），存储库必须延续它：相同的前若干条记录、相同的 Merkle 根。（`--since` 是它的旧名称。）",
    ),
    (
        "verify",
        "key",
        "必须签署该检查点的公钥：非它签署的检查点（未签名、他人签名、被改动）验证失败",
    ),
    (
        "verify",
        "full",
        "同时运行数据库的完整性全面检查（SQLite `PRAGMA integrity_check`，逐一核对索引与表；较慢）。每次验证都会运行快速检查",
    ),
    (
        "checkpoint",
        "",
        "整个日志的检查点（其大小和 Merkle 根），保存到别处；用 --sign 签名",
    ),
    ("checkpoint", "out", "写入此文件而非标准输出"),
    (
        "checkpoint",
        "sign",
        "用此私钥签名（由 `regula key generate` 生成）。不签名时，检查点是同样的文本，只是没有签名行",
    ),
    (
        "checkpoint",
        "origin",
        "检查点首行中日志的名称（默认：签名时为密钥名称，否则为 `regula`）",
    ),
    (
        "report",
        "",
        "截至某日的进度和规划各步骤的完成情况，以及年度考核；可输出为表格、Markdown、CSV、JSON、HTML 页面或 Excel 工作簿",
    ),
    ("report", "as_of", "报告所描述的日期（默认：法院时区的今天）"),
    ("report", "format", "输出格式"),
    ("report", "by", "只输出这些部分（默认：除考核外的全部）"),
    (
        "report",
        "year",
        "部门考核的年度；单独使用时报告只含考核（与 `--by assessment` 同用时默认：`--as-of` 所在年度，或今年）",
    ),
    (
        "report",
        "output",
        "把报告写入此文件（整体替换，失败时保持原样）而非标准输出；`--format xlsx` 需要它，或使用管道",
    ),
    (
        "report",
        "bom",
        "CSV：以 UTF-8 字节序标记开头，使中文 Windows 上的 Excel 正确读取中文",
    ),
    (
        "report",
        "split",
        "CSV：把每张表写入目录 DIR 中各自的文件（目录不存在则创建），按表号和标题命名，而不是向标准输出写一个 CSV",
    ),
    ("prove", "", "写出证明包：一条记录、其包含证明和一个签名的检查点"),
    ("prove", "code", "标准编号"),
    ("prove", "seq", "该记录在标准日志中的序号（见 `regula log CODE`）"),
    (
        "prove",
        "checkpoint",
        "包含该记录的签名检查点（由 `regula checkpoint --sign` 生成）；未签名的检查点被拒绝（它对他人什么也证明不了）",
    ),
    ("prove", "out", "把证明包写到此处而非标准输出"),
    (
        "serve",
        "",
        "通过 HTTP/JSON 提供存储库服务（见 README“Running Regula as a service”）：调用方以 `regula token issue` 签发的令牌认证",
    ),
    ("serve", "listen", "监听地址（端口 0：任一空闲端口，启动时打印）"),
    ("serve", "sign", "用此私钥为检查点和证明包签名（`regula key generate`）"),
    ("serve", "origin", "检查点的来源名称（默认：密钥名称）"),
    ("serve", "max_body", "接受的最大请求体，以字节计"),
    ("serve", "timeout", "一个请求最长可用的时间，以秒计"),
    ("serve", "max_batch", "一次组提交最多写入的记录数"),
    (
        "schema",
        "",
        "一个操作的载荷字段：名称、类型、是否必填、含义、示例（来自引擎所检查的同一模式）",
    ),
    (
        "schema",
        "action",
        "操作，写名称或标签，例如 respond_to_opinion（`regula actions` 列出全部操作）",
    ),
    ("key", "", "检查点的签名密钥"),
    (
        "key generate",
        "",
        "生成 ed25519 签名密钥：私钥写入一个只有其所有者可读的新文件，公钥写到标准输出（以及 `--public`）",
    ),
    ("key generate", "name", "密钥名称，例如 hongshi-court（不含空格和 `+`）"),
    ("key generate", "secret", "要创建的私钥文件（从不覆盖）"),
    ("key generate", "public", "同时把公钥写入此文件"),
    ("verify-proof", "", "离线验证证明包，只需证明包和公钥"),
    ("verify-proof", "bundle", "证明包（JSON，由 `regula prove` 生成）"),
    ("verify-proof", "key", "签署该检查点的法院的公钥"),
    ("man", "", "打印手册页（roff），或为每个命令在目录中写一页"),
    (
        "man",
        "out",
        "把 `regula.1` 及每个子命令一页（`regula-do.1`……）写入此目录（不存在则创建），而不是打印 `regula.1`",
    ),
    ("completions", "", "打印 shell 补全脚本，由本命令行自身的定义生成"),
    ("completions", "shell", "shell 的种类"),
    ("diagram", "", "绘制一个定义：法院的，或从 TOML 文件载入的"),
    ("diagram", "file", "定义文件（TOML）；默认：法院的标准生命周期"),
    ("diagram", "format", "输出格式"),
    ("diagram", "roles", "在每个转换上标出角色"),
    ("diagram", "guards", "在每个转换上标出守卫条件"),
];

/// The Chinese meaning of a possible value, by argument id and value (the values'
/// English meanings are the enums' doc comments; a report section's comes from the
/// library's own labels).
pub const VALUES: &[(&str, &str, &str)] = &[
    ("lang", "zh", "中文"),
    ("lang", "en", "English"),
    (
        "color",
        "auto",
        "输出到终端、`NO_COLOR` 未设置或为空、且 `TERM` 不为 `dumb` 时",
    ),
    (
        "color",
        "always",
        "总是，即使经管道输出，也不论 `NO_COLOR`（命令行优先于环境变量）",
    ),
    ("color", "never", "从不"),
    ("format", "table", "对齐的表格（经管道输出时以制表符分隔）"),
    ("format", "markdown", "Markdown 表格"),
    ("format", "csv", "CSV"),
    ("format", "json", "JSON"),
    ("format", "html", "一个自包含的 HTML 页面：图表（内嵌 SVG）和全部表格"),
    (
        "format",
        "xlsx",
        "Excel 工作簿，每张表一个工作表（二进制：需配合 `--output FILE` 或管道）",
    ),
    ("format", "mermaid", "Mermaid stateDiagram-v2"),
    ("format", "dot", "Graphviz DOT"),
];

/// The Chinese of the examples' comments (the text after `#` in [`crate::help::EXAMPLES`]).
pub const COMMENTS: &[(&str, &str)] = &[
    (
        "./regula.db (--store PATH, --pg URL)",
        "./regula.db（--store PATH，--pg URL）",
    ),
    ("as its log stood then", "按其日志当时的样子"),
    ("creates ./regula.db", "创建 ./regula.db"),
    ("every action of the lifecycle", "生命周期的全部操作"),
    (
        "every open standard on an earlier version",
        "所有沿用旧版本的未完成标准",
    ),
    ("nothing written", "不写入任何内容"),
    ("the audit trail, refusals included", "审计记录，含被驳回的尝试"),
    ("the built-in 117-standard plan", "内置的 117 项标准规划"),
    (
        "the fields, and the JSON Schema itself",
        "各字段，以及 JSON Schema 本身",
    ),
    ("the standards the plan gives no department", "规划未指定部门的标准"),
    ("the store still extends it", "存储库仍延续该检查点"),
    ("the yearly assessment (考核)", "年度考核"),
    ("those open from its state now", "其当前状态下可执行的操作"),
    ("those this actor may take now", "该操作人现在可执行的操作"),
];

/// An example line with its comment in Chinese (a line without one as it is).
pub fn example(line: &str) -> String {
    match line.split_once("# ") {
        Some((command, comment)) => match COMMENTS.iter().find(|(en, _)| *en == comment) {
            Some((_, zh)) => format!("{command}# {zh}"),
            None => line.to_owned(),
        },
        None => line.to_owned(),
    }
}

/// clap's own words, in Chinese: section headings and the texts of the flags and the
/// command clap adds by itself.
pub mod words {
    /// "Usage:".
    pub const USAGE: &str = "用法:";
    /// "Arguments:".
    pub const ARGUMENTS: &str = "参数";
    /// "Options:".
    pub const OPTIONS: &str = "选项";
    /// "Commands:".
    pub const COMMANDS: &str = "命令";
    /// The global options' heading.
    pub const GLOBAL: &str = "全局选项";
    /// "Examples:".
    pub const EXAMPLES: &str = "示例";
    /// "Other commands".
    pub const OTHER_COMMANDS: &str = "其他命令";
    /// `-h, --help`.
    pub const HELP: &str = "显示帮助（-h 显示摘要）";
    /// `-V, --version`.
    pub const VERSION: &str = "显示版本";
    /// The `help` command.
    pub const HELP_COMMAND: &str = "显示本帮助，或给定子命令的帮助";
    /// "Possible values:".
    pub const POSSIBLE_VALUES: &str = "可选值";
    /// "[default: …]".
    pub const DEFAULT: &str = "默认";
    /// "[env: …]".
    pub const ENV: &str = "环境变量";
    /// The exit codes, after `regula --help`.
    pub const EXIT_CODES: &str =
        "退出码：0 成功；1 操作被驳回，或验证、证明失败；2 用法、输入或存储库错误（未作任何改动）。";
}

/// The Chinese text of `path`'s argument `id` (`""`: the command's own description).
pub fn text(path: &str, id: &str) -> Option<&'static str> {
    TEXTS
        .iter()
        .find(|(p, i, _)| *p == path && *i == id)
        .map(|(_, _, zh)| *zh)
}

/// The Chinese meaning of the value `value` of argument `id`, or a report section's
/// library label.
pub fn value(id: &str, value: &str) -> Option<String> {
    if id == "by" {
        return regula_standards::report::Section::ALL
            .iter()
            .find(|s| s.as_str() == value)
            .map(|s| s.label().zh.into_owned());
    }
    VALUES
        .iter()
        .find(|(i, v, _)| *i == id && *v == value)
        .map(|(_, _, zh)| (*zh).to_owned())
}

/// `command` (at `path`) and all its subcommands with their Chinese texts, the
/// default value, environment variable and possible values written into each
/// argument's own text (clap would print them with English words), and the headings
/// in Chinese. Call it before the command is built: clap indexes the arguments when
/// building, and changing one afterwards corrupts that index.
pub fn localize(command: Command, path: &str) -> Command {
    let mut command = command;
    if let Some(about) = text(path, "") {
        command = command.about(about).long_about(None);
    }
    let ids: Vec<String> = command.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        command = command.mut_arg(id.as_str(), |arg| localize_arg(arg, path));
    }
    let names: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for name in names {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        command = command.mut_subcommand(name, |c| localize(c, &sub_path));
    }
    command
}

/// One argument, in Chinese (see [`localize`]).
fn localize_arg(arg: Arg, path: &str) -> Arg {
    let id = arg.get_id().as_str().to_owned();
    if arg.is_hide_set() {
        return arg;
    }
    let base = match id.as_str() {
        // Declared in Chinese already (`crate::help::definition`).
        "help" | "version" => return arg,
        // A global option's text is the root's: clap copies it into every command.
        _ if arg.is_global_set() => text("", &id),
        _ => text(path, &id),
    };
    let Some(base) = base else {
        return arg;
    };
    let mut help = base.to_owned();
    let values: Vec<(String, String)> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| {
            let name = v.get_name().to_owned();
            let meaning = value(&id, &name).unwrap_or_default();
            (name, meaning)
        })
        .collect();
    // Before building, an argument's number of values is not settled yet; its action
    // says whether it takes one.
    let takes_value = arg.get_action().takes_values();
    let mut long = help.clone();
    if takes_value && !values.is_empty() {
        let width = values.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        long.push_str(&format!("\n\n{}:", words::POSSIBLE_VALUES));
        for (name, meaning) in &values {
            if meaning.is_empty() {
                long.push_str(&format!("\n- {name}"));
            } else {
                let pad = " ".repeat(width - name.len());
                long.push_str(&format!("\n- {name}:{pad} {meaning}"));
            }
        }
        let names: Vec<&str> = values.iter().map(|(n, _)| n.as_str()).collect();
        help.push_str(&format!(" [{}: {}]", words::POSSIBLE_VALUES, names.join(", ")));
    }
    let mut notes = Vec::new();
    if let Some(env) = arg.get_env().filter(|_| !arg.is_hide_env_set()) {
        notes.push(format!("[{}: {}]", words::ENV, env.to_string_lossy()));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if takes_value && !defaults.is_empty() && !arg.is_hide_default_value_set() {
        notes.push(format!("[{}: {}]", words::DEFAULT, defaults.join(", ")));
    }
    if !notes.is_empty() {
        help.push(' ');
        help.push_str(&notes.join(" "));
        long.push_str("\n\n");
        long.push_str(&notes.join("\n"));
    }
    let heading = match arg.get_help_heading() {
        Some(crate::args::GLOBAL) => words::GLOBAL,
        Some(other) => other,
        None if arg.is_positional() => words::ARGUMENTS,
        None => words::OPTIONS,
    }
    .to_owned();
    let arg = arg.help(help).long_help(long).hide_env(true).help_heading(heading);
    if takes_value {
        arg.hide_possible_values(true).hide_default_value(true)
    } else {
        arg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command and visible argument of the definition, by path.
    fn walk(command: &Command, path: &str, found: &mut Vec<(String, String)>) {
        found.push((path.to_owned(), String::new()));
        for arg in command.get_arguments() {
            let global_copy = arg.is_global_set() && !path.is_empty();
            if arg.is_hide_set() || global_copy || matches!(arg.get_id().as_str(), "help" | "version") {
                continue;
            }
            found.push((path.to_owned(), arg.get_id().to_string()));
        }
        for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
            let sub_path = if path.is_empty() {
                sub.get_name().to_owned()
            } else {
                format!("{path} {}", sub.get_name())
            };
            walk(sub, &sub_path, found);
        }
    }

    #[test]
    fn every_command_and_argument_has_a_chinese_text_and_every_text_a_use() {
        let mut found = Vec::new();
        walk(&crate::help::definition(crate::args::LangArg::En), "", &mut found);
        let missing: Vec<_> = found.iter().filter(|(p, i)| text(p, i).is_none()).collect();
        assert!(missing.is_empty(), "no Chinese text for {missing:?}");
        let unused: Vec<_> = TEXTS
            .iter()
            .filter(|(p, i, _)| !found.iter().any(|(fp, fi)| fp == p && fi == i))
            .collect();
        assert!(unused.is_empty(), "Chinese texts of nothing: {unused:?}");
        let dup = TEXTS
            .iter()
            .enumerate()
            .find(|(n, (p, i, _))| TEXTS[..*n].iter().any(|(q, j, _)| q == p && j == i));
        assert!(dup.is_none(), "two texts for {dup:?}");
    }

    #[test]
    fn every_example_comment_has_a_chinese_twin() {
        for (_, lines) in crate::help::EXAMPLES {
            for line in *lines {
                if line.contains("# ") {
                    assert_ne!(example(line), *line, "no Chinese comment for {line}");
                }
            }
        }
    }

    #[test]
    fn every_possible_value_has_a_chinese_meaning() {
        fn check(command: &Command, missing: &mut Vec<String>) {
            for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
                let id = arg.get_id().as_str();
                for v in arg.get_possible_values() {
                    // A flag's "true"/"false" are not values anyone types.
                    let is_flag = !arg.get_action().takes_values();
                    if !is_flag && value(id, v.get_name()).is_none() {
                        missing.push(format!("--{id} {}", v.get_name()));
                    }
                }
            }
            for sub in command.get_subcommands() {
                check(sub, missing);
            }
        }
        let mut missing = Vec::new();
        check(&crate::help::definition(crate::args::LangArg::En), &mut missing);
        // `completions`' shells are names, the same in every language.
        missing.retain(|m| !m.starts_with("--shell"));
        assert!(missing.is_empty(), "no Chinese meaning for {missing:?}");
    }
}
