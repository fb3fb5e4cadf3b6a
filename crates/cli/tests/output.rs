//! Output conventions: zh or en labels, JSON on every read command, tab-separated
//! tables with a header when piped, the report's formats, and diagrams.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::{Command, Stdio};

use common::*;
use serde_json::Value;

/// The standards the plan gives no department: 审判业务标准 items 1-7, 10-13, 15 and 19.
const UNASSIGNED: [&str; 13] = [
    "ADJ-01-01",
    "ADJ-01-02",
    "ADJ-01-03",
    "ADJ-01-04",
    "ADJ-01-05",
    "ADJ-01-06",
    "ADJ-01-07",
    "ADJ-01-10",
    "ADJ-01-11",
    "ADJ-01-12",
    "ADJ-01-13",
    "ADJ-01-15",
    "ADJ-01-19",
];

const JUDGMENT_REVIEW: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/judgment_review.toml");

/// An imported store with ADJ-01-08 drafting since 2023-03-01.
fn store() -> Scratch {
    let s = Scratch::imported("output");
    s.act(CODE, "start_drafting", DEPT, "2023-03-01", &[]).ok();
    s
}

/// Parses CSV (RFC 4180 quoting) into rows of cells.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.lines() {
        let mut cells = Vec::new();
        let mut cell = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                ('"', _) => quoted = !quoted,
                (',', false) => cells.push(std::mem::take(&mut cell)),
                _ => cell.push(c),
            }
        }
        assert!(!quoted, "unbalanced quotes in {line:?}");
        cells.push(cell);
        rows.push(cells);
    }
    rows
}

#[test]
fn piped_tables_are_tab_separated_with_a_header() {
    let s = store();
    // list: one row per standard, six columns.
    let list = s.run(&["list"]).ok();
    let rows = list.rows();
    assert_eq!(rows[0], ["编号", "名称", "责任部门", "状态", "现行版本", "逾期"]);
    assert_eq!(rows.len(), 118);
    assert!(rows.iter().all(|r| r.len() == 6), "{}", list.stdout);
    let row = rows.iter().find(|r| r[0] == CODE).unwrap();
    assert_eq!(row[1..4], ["减假暂案件审判标准", "立案庭", "文本起草"]);
    assert!(!list.stdout.contains("─"), "no rule lines when piped");
    // Filters.
    let drafting = s.run(&["list", "--state", "drafting"]).ok();
    assert_eq!(drafting.rows().len(), 2);
    assert_eq!(drafting.rows()[1][0], CODE);
    let research = s.run(&["list", "--state", "research", "--department", "立案庭"]).ok();
    assert_eq!(research.rows().len(), 1 + 33 - 1);
    let adj = s.run(&["list", "--domain", "ADJ"]).ok();
    assert_eq!(adj.rows().len(), 1 + 60);
    // catalog show: five columns.
    let catalog = s.run(&["catalog", "show"]).ok();
    let rows = catalog.rows();
    assert_eq!(rows[0], ["编号", "名称", "类别", "责任部门", "核心"]);
    assert_eq!(rows.len(), 118);
    assert!(rows.iter().all(|r| r.len() == 5));
    // log: seven columns.
    let log = s.run(&["log", CODE]).ok();
    let rows = log.rows();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        [&rows[1][..1], &rows[1][2..]].concat(),
        ["1", "regula@综合办公室", "综合办公室", "创建", "创建于 调研论证", ""]
    );
    // Imported with --at: entered after the fact, so the time says when it was written.
    assert!(rows[1][1].starts_with("2022-05-16 09:00 (补录于 "), "{:?}", rows[1]);
    assert_eq!(rows[2][5], "调研论证 → 文本起草");
}

#[test]
fn english_labels() {
    let s = store();
    let list = s
        .run(&["--lang", "en", "list", "--department", "Case Filing Division"])
        .ok();
    let rows = list.rows();
    assert_eq!(rows[0], ["code", "name", "department", "state", "in force", "late"]);
    let row = rows.iter().find(|r| r[0] == CODE).unwrap();
    assert_eq!(
        row[1..4],
        [
            "Trying commutation, parole and temporary out-of-prison execution cases",
            "Case Filing Division",
            "Drafting"
        ]
    );
    assert!(rows.iter().skip(1).all(|r| r[2] == "Case Filing Division"));
    let show = s.run(&["--lang", "en", "show", CODE]).ok().stdout;
    for label in [
        "state      Drafting",
        "department Case Filing Division",
        "in force   none",
        "Actions:",
    ] {
        assert!(show.contains(label), "{label:?} not in {show}");
    }
    assert!(!show.contains("状态"), "{show}");
    let log = s.run(&["--lang", "en", "log", CODE]).ok();
    assert_eq!(
        log.rows()[0],
        ["#", "time", "actor", "role", "action", "result", "note"]
    );
    assert_eq!(
        log.rows()[2][3..6],
        ["Responsible department", "Start drafting", "Research → Drafting"]
    );
    let catalog = s.run(&["--lang", "en", "catalog", "show"]).ok();
    assert_eq!(catalog.rows()[0], ["code", "name", "category", "department", "core"]);
    let r = s
        .act(
            CODE,
            "open_consultation",
            DEPT,
            "2023-03-02",
            &["draft.text=x", "--lang", "en"],
        )
        .refused();
    assert!(
        r.stderr
            .starts_with("ADJ-01-08 Open consultation: refused\n  - the draft is incomplete"),
        "{}",
        r.stderr
    );
    let r = s.run(&["--lang", "en", "show", "XXX-99-99"]).code(2);
    assert!(
        r.stderr.starts_with("regula: error: no standard XXX-99-99"),
        "{}",
        r.stderr
    );
    let r = s.run(&["show", "XXX-99-99"]).code(2);
    assert!(
        r.stderr.starts_with("regula: 错误: no standard XXX-99-99"),
        "{}",
        r.stderr
    );
    let verify = s.run(&["--lang", "en", "verify"]).ok();
    assert!(
        verify
            .stdout
            .starts_with("verified: 120 records, 117 standards and the rules log"),
        "{}",
        verify.stdout
    );
}

#[test]
fn every_read_command_speaks_json() {
    let s = store();
    let list = s.run(&["--json", "list"]).ok().json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 117);
    let entry = list.iter().find(|e| e["code"] == CODE).unwrap();
    // One vocabulary: `list` and `show` both say `state`, and give the department as
    // {id, zh, en}.
    assert_eq!(entry["state"], "drafting");
    assert_eq!(entry["state_label"]["en"], "Drafting");
    assert_eq!(entry["department"]["zh"], "立案庭");
    assert!(entry["department"]["id"].is_string(), "{entry}");
    assert!(
        entry.get("stage").is_none() && entry.get("department_label").is_none(),
        "{entry}"
    );
    let late = s.run(&["--json", "list", "--late", "2022-12-31"]).ok().json();
    assert_eq!(
        late.as_array().unwrap().len(),
        0,
        "nothing is late before the first step's due date"
    );

    let show = s.run(&["--json", "show", CODE]).ok().json();
    assert_eq!(show["code"], CODE);
    assert_eq!(show["format"], 1);
    assert_eq!(show["state"], "drafting");
    assert_eq!(show["state_label"], entry["state_label"]);
    assert_eq!(show["department"], entry["department"]);
    assert_eq!(show["version_in_force"], Value::Null);
    assert!(
        show["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "open_consultation")
    );

    let log = s.run(&["--json", "log", CODE]).ok().json();
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(
        log[1]["outcome"],
        serde_json::json!({"kind": "accepted", "to": "drafting"})
    );

    let verify = s.run(&["--json", "verify"]).ok().json();
    assert_eq!(verify["format"], 1);
    assert_eq!(verify["ok"], true);
    assert_eq!(verify["records"], 119, "118 of standards and the rules log's one");
    assert_eq!(verify["problems"], serde_json::json!([]));
    assert_eq!(verify["root"].as_str().unwrap().len(), 64);

    let catalog = s.run(&["--json", "catalog", "show"]).ok().json();
    let catalog = catalog.as_array().unwrap();
    assert_eq!(catalog.len(), 117);
    // An unassigned standard says why in `unassigned`.
    let unassigned: Vec<&Value> = catalog.iter().filter(|e| e["department"]["id"].is_null()).collect();
    assert_eq!(unassigned.len(), 13);
    assert!(unassigned.iter().all(|e| e["unassigned"].is_string()), "{unassigned:?}");

    // report: --json and --format json are the same document.
    let a = s.run(&["--json", "report", "--as-of", "2023-06-30"]).ok().json();
    let b = s
        .run(&["report", "--as-of", "2023-06-30", "--format", "json"])
        .ok()
        .json();
    assert_eq!(a, b);
    assert_eq!(a["progress"].as_array().unwrap().len(), 3, "domain, department, state");
    assert!(a["steps"].is_object());
    assert!(a["load"].is_array());
    let only = s.run(&["--json", "report", "--by", "category"]).ok().json();
    assert_eq!(only["progress"][0]["group_by"], "category");
    assert!(only.get("steps").is_none() && only.get("load").is_none(), "{only}");

    // The checkpoint is described in JSON, its text included; init and import say
    // what they did in JSON.
    let checkpoint = s.run(&["--json", "checkpoint"]).ok().json();
    assert_eq!(checkpoint["size"], 119);
    assert_eq!(checkpoint["root"], verify["root"]);
    assert_eq!(checkpoint["origin"], "regula");
    assert_eq!(checkpoint["signed_by"], serde_json::json!([]));
    assert!(
        checkpoint["checkpoint"].as_str().unwrap().starts_with("regula\n119\n"),
        "{checkpoint}"
    );
    let init = s.run(&["--json", "init"]).ok().json();
    assert_eq!(init["existed"], true);
    assert_eq!(init["records"], 119);
    let import = s.run(&["--json", "catalog", "import"]).ok().json();
    assert_eq!(import["opened"], serde_json::json!([]), "a second import opens nothing");
    assert_eq!(import["total"], 117);
}

#[test]
fn report_formats_and_the_unassigned_standards() {
    let s = store();
    let as_of = ["report", "--as-of", "2022-12-31"];
    let with = |extra: &[&str]| {
        let mut args = as_of.to_vec();
        args.extend_from_slice(extra);
        s.run(&args).ok()
    };

    // Table: titled, tab-separated sections. The 13 standards without a department
    // are counted as such, in their own row and in the total.
    let table = with(&[]);
    let text = &table.stdout;
    assert!(text.starts_with("截至 2022-12-31\n"), "{text}");
    let by_department = text
        .split("\n\n")
        .find(|section| section.starts_with("标准化建设进度 按责任部门\n"))
        .unwrap();
    let rows: Vec<Vec<&str>> = by_department.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "分组",
            "总数",
            "未启动",
            "制定中",
            "已发布/实施",
            "已固化",
            "已废止",
            "有现行版本",
            "未指定部门",
            "逾期"
        ]
    );
    let unassigned = rows.iter().find(|r| r[0] == "未分配责任部门").unwrap();
    assert_eq!(unassigned[1], "13");
    assert_eq!(unassigned[8], "13");
    let total = rows.last().unwrap();
    assert_eq!(total[..2], ["合计", "117"]);
    assert_eq!(total[8], "13");
    assert_eq!(
        rows.iter()
            .skip(1)
            .filter(|r| r[0] != "合计" && r[0] != "未分配责任部门")
            .map(|r| r[8])
            .collect::<Vec<_>>(),
        ["0"; 7]
    );
    let listed = s.run(&["list", "--department", "unassigned"]).ok();
    let codes: Vec<&str> = listed.rows().iter().skip(1).map(|r| r[0]).collect();
    assert_eq!(codes, UNASSIGNED);
    assert!(listed.rows().iter().skip(1).all(|r| r[2] == "未分配责任部门"));
    let en = s.run(&["--lang", "en", "list", "--department", "unassigned"]).ok();
    assert!(en.rows().iter().skip(1).all(|r| r[2] == "unassigned"), "{}", en.stdout);

    // Markdown: a title, `##` sections, and pipe tables with a separator line.
    let md = with(&["--format", "markdown", "--lang", "en"]).stdout;
    assert!(md.starts_with("# Standardization progress as of 2022-12-31\n"), "{md}");
    assert_eq!(md.matches("\n## ").count(), 5, "{md}");
    assert!(
        md.contains("\n| unassigned | 13 | 0 | 13 | 0 | 0 | 0 | 0 | 13 | 0 |\n"),
        "{md}"
    );
    for table in md.split("\n## ").skip(1) {
        let lines: Vec<&str> = table.lines().skip(2).collect();
        let columns = lines[0].matches(" | ").count() + 1;
        assert_eq!(lines[1], "|---".repeat(columns) + "|");
        assert!(lines.iter().all(|l| l.starts_with('|') && l.ends_with('|')), "{table}");
    }

    // CSV: sections separated by a blank line, each a title then a header and rows of
    // the header's width.
    let csv = with(&["--format", "csv", "--lang", "en"]).stdout;
    let sections: Vec<&str> = csv.split("\n\n").collect();
    assert_eq!(sections.len(), 5);
    for section in &sections {
        let rows = parse_csv(section);
        assert_eq!(rows[0].len(), 1, "the title: {section}");
        assert!(rows.len() >= 3, "{section}");
        assert!(rows[2..].iter().all(|r| r.len() == rows[1].len()), "{section}");
    }
    let steps = parse_csv(sections[3]);
    assert_eq!(steps[1], ["step", "due", "late", "extended"]);
    assert_eq!(
        steps[2],
        ["Step 1, year one: build the core standards", "2022-12-31", "0", "0"]
    );
    assert!(
        sections[3].contains("\"Step 1, year one: build the core standards\""),
        "quoted: {}",
        sections[3]
    );
    let by_department = parse_csv(sections[1]);
    let unassigned = by_department.iter().find(|r| r[0] == "unassigned").unwrap();
    assert_eq!(unassigned[1], "13");

    // JSON: the department rows carry the unassigned standards under their own key.
    let json = with(&["--format", "json", "--by", "department"]).json();
    let rows = json["progress"][0]["rows"].as_array().unwrap();
    let unassigned = rows.iter().find(|r| r["key"] == "unassigned").unwrap();
    assert_eq!(unassigned["total"], 13);
    assert_eq!(unassigned["unassigned"], 13);
    assert_eq!(json["progress"][0]["total"]["unassigned"], 13);
    assert_eq!(
        json["as_of"], "2022-12-31T16:00:00Z",
        "the end of the day in the court's time zone"
    );

    // Late as of the step's due date the next year: the step's table lists the late
    // standards under the date asked for.
    let late = s.run(&["report", "--as-of", "2024-01-02", "--by", "steps"]).ok().stdout;
    assert!(late.starts_with("截至 2024-01-02\n"), "{late}");
    // The date is when lateness is judged, said so (not "逾期 DATE", which reads as a
    // due date).
    assert!(late.contains("截至 2024-01-02 逾期\n"), "{late}");
}

#[test]
fn diagrams_of_the_court_and_of_a_file() {
    let s = Scratch::new("diagram");
    // The court's definition needs no store.
    let mermaid = s.run(&["diagram"]).ok().stdout;
    assert!(
        mermaid.starts_with("---\ntitle: court-standard v2\n---\nstateDiagram-v2\n"),
        "{mermaid}"
    );
    assert!(mermaid.contains("    [*] --> research\n"), "{mermaid}");
    assert!(mermaid.contains("    research --> drafting: 开始起草\n"), "{mermaid}");
    assert!(mermaid.contains("state \"定型固化\" as consolidated"), "{mermaid}");
    let en = s.run(&["--lang", "en", "diagram", "--roles"]).ok().stdout;
    assert!(en.contains("research --> drafting: Start drafting"), "{en}");
    assert!(en.contains("Responsible department"), "{en}");
    let dot = s
        .run(&["diagram", "--format", "dot", "--lang", "en", "--guards"])
        .ok()
        .stdout;
    assert!(dot.starts_with("digraph \"court-standard v2\" {\n"), "{dot}");
    assert!(dot.trim_end().ends_with('}'), "{dot}");
    assert!(dot.contains("\"research\" [label=\"Research\"];"), "{dot}");
    assert!(dot.contains("\"research\" -> \"drafting\""), "{dot}");
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());

    // A definition loaded from TOML.
    let mermaid = s.run(&["diagram", "--file", JUDGMENT_REVIEW]).ok().stdout;
    assert!(
        mermaid.starts_with("---\ntitle: judgment-review v1\n---\nstateDiagram-v2\n"),
        "{mermaid}"
    );
    assert!(mermaid.contains("    [*] --> drafting\n"), "{mermaid}");
    assert!(mermaid.contains("state \"签发\" as signed"), "{mermaid}");
    let dot = s
        .run(&["--lang", "en", "diagram", "--file", JUDGMENT_REVIEW, "--format", "dot"])
        .ok()
        .stdout;
    assert!(dot.starts_with("digraph \"judgment-review v1\" {\n"), "{dot}");
    assert!(dot.contains("\"signed\" [label=\"Signed\""), "{dot}");

    // Format 2: the GB procedure, its `from` lists drawn as one arrow per state.
    let gb = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/gb_standard.toml");
    let run = s.run(&["--lang", "en", "diagram", "--file", gb]).ok();
    assert!(
        run.stdout.contains("    review --> cancelled: Cancel the project\n"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "", "the GB file has nothing to warn about");
    // A loop with no exit loads, with a warning on stderr naming the file and line.
    let looping = "name = \"loop\"\nversion = 1\ninitial = \"a\"\nterminal = [\"z\"]\n\n[states]\n\
        a = { zh = \"甲\", en = \"A\" }\nb = { zh = \"乙\", en = \"B\" }\nc = { zh = \"丙\", en = \"C\" }\nz = { zh = \"终\", en = \"Z\" }\n\n\
        [actions]\ngo = { zh = \"去\", en = \"Go\" }\nend = { zh = \"完\", en = \"End\" }\n\n\
        [roles]\nr = { zh = \"人\", en = \"R\" }\n\n\
        [[transitions]]\nfrom = \"a\"\naction = \"end\"\nto = \"z\"\nroles = [\"r\"]\n\n\
        [[transitions]]\nfrom = \"a\"\naction = \"go\"\nto = \"b\"\nroles = [\"r\"]\n\n\
        [[transitions]]\nfrom = \"b\"\naction = \"go\"\nto = \"c\"\nroles = [\"r\"]\n\n\
        [[transitions]]\nfrom = \"c\"\naction = \"go\"\nto = \"b\"\nroles = [\"r\"]\n";
    std::fs::write(s.path().join("looping.toml"), looping).unwrap();
    let run = s.run(&["diagram", "--file", "looping.toml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("looping.toml:8:5: warning: no terminal state can be reached from b, c: a loop with no exit"),
        "{}",
        run.stderr
    );
    assert!(!s.store().exists(), "diagram opened no store");
}

/// Runs `args` with standard output closed before anything is written, as
/// `regula … | head -0` would: no panic, exit 0.
fn closed_stdout(s: &Scratch, args: &[&str]) {
    let mut child = Command::new(BIN)
        .current_dir(s.path())
        .arg("--store")
        .arg(s.store())
        .args(args)
        .env_remove("REGULA_STORE")
        .env_remove("REGULA_PG")
        // The locale picks the language when nothing else does: none here.
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("LANG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "regula {args:?} panicked on a closed pipe:\n{stderr}"
    );
    assert_eq!(output.status.code(), Some(0), "regula {args:?}:\n{stderr}");
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let s = store();
    for args in [
        &["list"][..],
        &["--json", "list"],
        &["show", CODE],
        &["log", CODE],
        &["catalog", "show"],
        &["report"],
        &["report", "--format", "markdown"],
        &["report", "--format", "csv"],
        &["diagram"],
        &["verify"],
        &["checkpoint"],
    ] {
        closed_stdout(&s, args);
    }
    // An action whose outcome cannot be printed is still done, and exit 0.
    s.write("draft.json", &draft_json("草案"));
    closed_stdout(
        &s,
        &[
            "do",
            CODE,
            "open_consultation",
            "--as",
            DEPT,
            "--at",
            "2023-03-02",
            "--json-file",
            "draft.json",
        ],
    );
    let log = s.log(CODE);
    assert_eq!(log.last().unwrap()["action"], "open_consultation");
    assert_eq!(log.last().unwrap()["outcome"]["kind"], "accepted");
}

#[test]
fn help_states_the_exit_codes() {
    let s = Scratch::new("help");
    let help = run_in(s.path(), &["--lang", "en", "--help"]).ok();
    assert!(
        help.stdout
            .contains("Exit codes: 0 ok; 1 an action was refused, or verification or a proof failed; 2 a usage"),
        "{}",
        help.stdout
    );
    let help = run_in(s.path(), &["--help"]).ok();
    assert!(
        help.stdout
            .contains("退出码：0 成功；1 操作被驳回，或验证、证明失败；2 用法、输入或存储库错误"),
        "{}",
        help.stdout
    );
}
