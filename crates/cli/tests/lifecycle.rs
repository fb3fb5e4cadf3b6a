//! One standard from research to consolidated through one revision, driven through
//! the `regula` binary only; refusals are printed, exit 1 and are kept in the log.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;

/// The reasons of a refused record, in `lang`.
fn reasons<'a>(record: &'a Value, lang: &str) -> Vec<&'a str> {
    assert_eq!(record["outcome"]["kind"], "refused", "{record}");
    record["outcome"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"][lang].as_str().unwrap())
        .collect()
}

#[test]
fn research_to_consolidated_through_one_revision() {
    let s = Scratch::new("lifecycle");
    let init = s.run(&["init"]).ok();
    assert!(init.stdout.contains("已创建存储"), "{}", init.stdout);
    let import = s.run(&["catalog", "import", "--at", "2022-05-16"]).ok();
    assert!(import.stdout.contains("117 / 117"), "{}", import.stdout);
    let draft1 = s.write("draft1.json", &draft_json("减假暂案件审判标准（草案）"));
    let draft2 = s.write(
        "draft2.json",
        &draft_json("减假暂案件审判标准（修订稿）：评价数据每月 5 日前统计上报"),
    );
    let draft1 = draft1.to_str().unwrap();
    let draft2 = draft2.to_str().unwrap();

    // Version 1.
    let r = s.act(
        CODE,
        "start_drafting",
        DEPT,
        "2023-03-01",
        &["summary=调研近三年减假暂案件 126 件"],
    );
    assert!(r.ok().stdout.contains("调研论证 → 文本起草 (#2)"));
    let r = s.act(CODE, "open_consultation", DEPT, "2023-03-21", &["--json-file", draft1]);
    assert!(r.ok().stdout.contains("文本起草 → 征求意见 (#3)"));
    consult(&s, ["2023-03-22", "2023-03-23", "2023-03-24", "2023-03-25"], 4);

    // Closing after 11 days of consultation is refused: exit 1, the reason on stderr,
    // nothing on stdout, and a refused record in the log.
    let refused = s
        .act(CODE, "close_consultation", DEPT, "2023-04-01", &["--lang", "en"])
        .refused();
    assert!(refused.stdout.is_empty(), "{}", refused.stdout);
    assert!(
        refused.stderr.contains("ADJ-01-08 Close consultation: refused"),
        "{}",
        refused.stderr
    );
    let log = s.log(CODE);
    let last = log.last().unwrap();
    assert_eq!(last["seq"], 8);
    assert_eq!(last["action"], "close_consultation");
    let why = reasons(last, "en");
    assert!(!why.is_empty());
    for reason in why {
        assert!(
            refused.stderr.contains(&format!("  - {reason}")),
            "{reason} not in {}",
            refused.stderr
        );
    }
    assert!(refused.stderr.contains("30"), "{}", refused.stderr);

    let r = s.act(CODE, "close_consultation", DEPT, "2023-04-21", &[]).ok();
    assert!(r.stdout.contains("征求意见 → 审议 (#9)"), "{}", r.stdout);
    s.act(
        CODE,
        "approve",
        "陈伟",
        "2023-04-28",
        &[
            "meeting.date=2023-04-28",
            r#"meeting.present=["陈伟","厉彦杰","马振生","张丽杰"]"#,
            "meeting.decision=审议通过",
        ],
    )
    .ok();
    let r = s.act(
        CODE,
        "publish",
        OFFICE,
        "2023-04-30",
        &["document_number=红林法〔2023〕15号", "date=2023-04-30"],
    );
    assert!(r.ok().stdout.contains("审议 → 正式发布 (#11)"));
    s.act(CODE, "begin_follow_up", DEPT, "2023-05-01", &[]).ok();
    s.act(
        CODE,
        "report_implementation",
        DEPT,
        "2023-07-30",
        &["period=2023年第二季度", "summary=按标准办理案件 31 件"],
    )
    .ok();
    s.act(
        CODE,
        "record_inspection",
        OFFICE,
        "2023-08-01",
        &[
            "inspection.date=2023-08-01",
            r#"inspection.inspectors=["王办公"]"#,
            "inspection.summary=对照标准抽查案件 20 件",
            r#"inspection.findings=["公示期限执行不统一","评价数据未按月统计"]"#,
        ],
    )
    .ok();
    let show = s.run(&["--json", "show", CODE]).ok().json();
    assert_eq!(show["state"], "follow_up");
    assert_eq!(show["version_in_force"]["number"], 1);
    assert_eq!(show["version_in_force"]["document_number"], "红林法〔2023〕15号");

    // The revision, citing the inspection's second finding.
    let r = s.act(
        CODE,
        "open_revision",
        OFFICE,
        "2023-08-02",
        &[
            "cause.kind=finding",
            "cause.inspection=1",
            "cause.finding=2",
            "summary=增加评价数据按月统计的要求",
        ],
    );
    assert!(r.ok().stdout.contains("跟踪实施 → 修订完善 (#15)"));
    // While the revision runs, version 1 stays in force.
    let show = s.run(&["--json", "show", CODE]).ok().json();
    assert_eq!(show["state"], "revision");
    assert_eq!(show["version_in_force"]["number"], 1);
    s.act(CODE, "open_consultation", DEPT, "2023-08-10", &["--json-file", draft2])
        .ok();
    consult(&s, ["2023-08-11", "2023-08-11", "2023-08-12", "2023-08-12"], 17);
    s.act(CODE, "close_consultation", DEPT, "2023-09-10", &[]).ok();
    s.act(
        CODE,
        "approve",
        "厉彦杰",
        "2023-09-15",
        &[
            "meeting.date=2023-09-15",
            r#"meeting.present=["陈伟","徐雪峰","马振生"]"#,
            "meeting.decision=审议通过",
        ],
    )
    .ok();
    s.act(
        CODE,
        "publish",
        OFFICE,
        "2023-09-20",
        &["document_number=红林法〔2023〕31号", "date=2023-09-20"],
    )
    .ok();
    s.act(CODE, "begin_follow_up", OFFICE, "2023-09-21", &[]).ok();

    // The intermediate court evaluates the version in force on its two criteria, then
    // accepts it.
    s.act(
        CODE,
        "record_evaluation",
        COURT,
        "2024-03-20",
        &[
            "evaluation.date=2024-03-20",
            "evaluation.version=2",
            r#"evaluation.scores=[{"criterion":1,"measured":"99%","met":true},{"criterion":2,"measured":"100%","met":true}]"#,
            "evaluation.conclusion=达到评价标准",
        ],
    )
    .ok();
    let r = s.act(
        CODE,
        "accept",
        COURT,
        "2024-03-21",
        &[
            "acceptance.date=2024-03-21",
            "acceptance.accepted_by=长春林区中级法院",
            "acceptance.conclusion=验收合格，予以固化",
            "acceptance.reference=长林中法〔2024〕3号",
        ],
    );
    assert!(r.ok().stdout.contains("跟踪实施 → 定型固化 (#26)"));

    // show: state and version in force, as text and as JSON.
    let text = s.run(&["show", CODE]).ok().stdout;
    assert!(text.starts_with("ADJ-01-08  减假暂案件审判标准\n"), "{text}");
    assert!(text.contains("定型固化"), "{text}");
    assert!(text.contains("v2 红林法〔2023〕31号 (2023-09-20)"), "{text}");
    let text = s.run(&["--lang", "en", "show", CODE]).ok().stdout;
    assert!(text.contains("Consolidated"), "{text}");
    let show = s.run(&["--json", "show", CODE]).ok().json();
    assert_eq!(show["state"], "consolidated");
    assert_eq!(show["versions"], 2);
    assert_eq!(show["records"], 26);
    assert_eq!(show["version_in_force"]["number"], 2);
    assert_eq!(show["version_in_force"]["document_number"], "红林法〔2023〕31号");
    assert_eq!(show["version_in_force"]["revision"], 1);
    assert_eq!(show["last_record"], "2024-03-21T01:00:00Z");

    // log --json: every record, in order, chained.
    let expected: &[(&str, &str, &str, &str, &str)] = &[
        ("create", "regula", "office", "research", "created"),
        ("start_drafting", "li.lian", "department", "research", "drafting"),
        ("open_consultation", "li.lian", "department", "drafting", "consultation"),
        (
            "record_opinion",
            "li.lian",
            "department",
            "consultation",
            "consultation",
        ),
        (
            "respond_to_opinion",
            "li.lian",
            "department",
            "consultation",
            "consultation",
        ),
        (
            "record_opinion",
            "li.lian",
            "department",
            "consultation",
            "consultation",
        ),
        (
            "respond_to_opinion",
            "li.lian",
            "department",
            "consultation",
            "consultation",
        ),
        ("close_consultation", "li.lian", "department", "consultation", "refused"),
        (
            "close_consultation",
            "li.lian",
            "department",
            "consultation",
            "approval",
        ),
        ("approve", "chen.wei", "leading_group", "approval", "approval"),
        ("publish", "wang.bangong", "office", "approval", "published"),
        ("begin_follow_up", "li.lian", "department", "published", "follow_up"),
        (
            "report_implementation",
            "li.lian",
            "department",
            "follow_up",
            "follow_up",
        ),
        ("record_inspection", "wang.bangong", "office", "follow_up", "follow_up"),
        ("open_revision", "wang.bangong", "office", "follow_up", "revision"),
        ("open_consultation", "li.lian", "department", "revision", "consultation"),
        (
            "record_opinion",
            "li.lian",
            "department",
            "consultation",
            "consultation",
        ),
        (
            "respond_to_opinion",
            "li.lian",
            "department",
            "consultation",
            "consultation",
        ),
        (
            "record_opinion",
            "li.lian",
            "department",
            "consultation",
            "consultation",
        ),
        (
            "respond_to_opinion",
            "li.lian",
            "department",
            "consultation",
            "consultation",
        ),
        (
            "close_consultation",
            "li.lian",
            "department",
            "consultation",
            "approval",
        ),
        ("approve", "li.yanjie", "leading_group", "approval", "approval"),
        ("publish", "wang.bangong", "office", "approval", "published"),
        ("begin_follow_up", "wang.bangong", "office", "published", "follow_up"),
        (
            "record_evaluation",
            "sun.zhongyuan",
            "intermediate_court",
            "follow_up",
            "follow_up",
        ),
        (
            "accept",
            "sun.zhongyuan",
            "intermediate_court",
            "follow_up",
            "consolidated",
        ),
    ];
    let log = s.log(CODE);
    assert_eq!(log.len(), expected.len());
    let instance = log[0]["instance"].clone();
    let mut prev_hash = Value::Null;
    let mut prev_at = String::new();
    for (i, (r, (action, actor, role, from, to))) in log.iter().zip(expected).enumerate() {
        let at = format!("record {}: {r}", i + 1);
        assert_eq!(r["seq"], i as u64 + 1, "{at}");
        assert_eq!(r["instance"], instance, "{at}");
        assert_eq!(r["definition"]["name"], "court-standard", "{at}");
        assert_eq!(r["action"], *action, "{at}");
        assert_eq!(r["actor"]["id"], *actor, "{at}");
        assert_eq!(r["role"], *role, "{at}");
        assert_eq!(r["from"], *from, "{at}");
        match *to {
            "created" | "refused" => assert_eq!(r["outcome"]["kind"], *to, "{at}"),
            state => {
                assert_eq!(r["outcome"]["kind"], "accepted", "{at}");
                assert_eq!(r["outcome"]["to"], state, "{at}");
            }
        }
        if i > 0 {
            assert_eq!(r["prev_hash"], prev_hash, "{at}");
        }
        let time = r["at"].as_str().unwrap().to_owned();
        assert!(time >= prev_at, "{at}");
        prev_hash = r["hash"].clone();
        prev_at = time;
    }
    assert_eq!(log[1]["actor"]["unit"], "立案庭");
    assert_eq!(log[1]["payload"]["summary"], "调研近三年减假暂案件 126 件");
    assert_eq!(log[2]["payload"]["draft"]["criteria"].as_array().unwrap().len(), 2);
    assert_eq!(log[6]["payload"]["response"]["decision"], "not_adopted");
    assert_eq!(log[10]["payload"]["document_number"], "红林法〔2023〕15号");
    assert_eq!(
        log[14]["payload"]["cause"],
        serde_json::json!({"kind": "finding", "inspection": 1, "finding": 2})
    );
    assert_eq!(log[22]["payload"]["document_number"], "红林法〔2023〕31号");
    assert_eq!(log[24]["payload"]["evaluation"]["version"], 2);
    assert_eq!(
        log[24]["at"], "2024-03-20T01:00:00Z",
        "a date means 09:00 in the court's time zone"
    );

    // The same log as text: a header and one tab-separated row per record.
    let text = s.run(&["log", CODE]).ok();
    let rows = text.rows();
    assert_eq!(rows[0], ["#", "时间", "操作人", "角色", "操作", "结果", "备注"]);
    assert_eq!(rows.len(), 27);
    assert!(rows.iter().skip(1).all(|r| r.len() == 7), "{}", text.stdout);
    assert_eq!(rows[8][0], "8");
    // Entered after the fact: the cell also says when it was written.
    assert!(rows[8][1].starts_with("2023-04-01 09:00 (补录于 "), "{:?}", rows[8]);
    assert!(rows[8][5].starts_with("拒绝: "), "{:?}", rows[8]);
    assert_eq!(rows[26][5], "跟踪实施 → 定型固化");

    // The whole store verifies: 117 creations and 25 actions, every standard replayed.
    let v = s.verified();
    assert_eq!(v["records"], 143, "142 of standards and the rules log's one");
    assert_eq!(v["instances"], 118, "117 standards and the rules log");
    assert_eq!(v["replayed"], 118);
    let v = s.run(&["verify"]).ok();
    assert!(
        v.stdout.starts_with("校验通过: 143 条记录, 117 项标准，规则日志 1 个"),
        "{}",
        v.stdout
    );
}

/// Records a front-line and an administrative opinion and answers both; the first
/// opinion record is `#first`.
fn consult(s: &Scratch, at: [&str; 4], first: u64) {
    let r = s.act(
        CODE,
        "record_opinion",
        DEPT,
        at[0],
        &[
            "opinion.author=刑事审判庭 张法官",
            "opinion.source=frontline",
            "opinion.content=建议明确公示期限",
        ],
    );
    assert!(r.ok().stdout.contains(&format!("登记意见: 已记录 (#{first})")));
    s.act(
        CODE,
        "respond_to_opinion",
        DEPT,
        at[1],
        &["opinion=1", "response.decision=adopted"],
    )
    .ok();
    s.act(
        CODE,
        "record_opinion",
        DEPT,
        at[2],
        &[
            "opinion.author=综合办公室 刘科员",
            "opinion.source=administrative",
            "opinion.content=建议统一统计口径",
        ],
    )
    .ok();
    let r = s.act(
        CODE,
        "respond_to_opinion",
        DEPT,
        at[3],
        &[
            "opinion=2",
            "response.decision=not_adopted",
            "response.reason=已由审判管理办公室统一规定",
        ],
    );
    assert!(r.ok().stdout.contains(&format!("答复意见: 已记录 (#{})", first + 3)));
}

#[test]
fn a_refusal_prints_every_reason_and_is_logged() {
    let s = Scratch::imported("refusal");
    let before = s.fingerprint("ADJ-01-01");
    // ADJ-01-01 has no responsible department: 立案庭 cannot act for it, and it cannot
    // leave research before the office assigns one. Two reasons, both printed.
    for (lang, seq) in [("zh", 2), ("en", 3)] {
        let r = s
            .run(&[
                "--lang",
                lang,
                "do",
                "ADJ-01-01",
                "start_drafting",
                "--as",
                DEPT,
                "--at",
                "2023-03-01",
            ])
            .refused();
        assert!(r.stdout.is_empty(), "{}", r.stdout);
        let log = s.log("ADJ-01-01");
        assert_eq!(log.len(), seq);
        let refused = log.last().unwrap();
        assert_eq!(refused["seq"], seq);
        assert_eq!(refused["from"], "research");
        let why = reasons(refused, lang);
        assert_eq!(why.len(), 2, "{refused}");
        let lines: Vec<&str> = r.stderr.lines().collect();
        assert_eq!(lines.len(), 1 + why.len(), "{}", r.stderr);
        assert!(
            lines[0].ends_with(if lang == "zh" { "被拒绝" } else { "refused" }),
            "{}",
            r.stderr
        );
        for (line, reason) in lines[1..].iter().zip(&why) {
            assert_eq!(*line, format!("  - {reason}"));
        }
    }
    // Refusals are records: the log grew by two, and the state did not move.
    let after = s.fingerprint("ADJ-01-01");
    assert_eq!(after.size, before.size + 2);
    let show = s.run(&["--json", "show", "ADJ-01-01"]).ok().json();
    assert_eq!(show["state"], "research");
    // --json prints the refused record itself, still exit 1.
    let r = s
        .run(&[
            "--json",
            "do",
            "ADJ-01-01",
            "start_drafting",
            "--as",
            DEPT,
            "--at",
            "2023-03-02",
        ])
        .refused();
    let record = r.json();
    assert_eq!(record["seq"], 4);
    assert_eq!(record["outcome"]["kind"], "refused");
    s.verified();
}
