//! What every front end shows, made by the library: the list with its filters
//! (`Court::list`), one standard with what blocks its next step (`Court::view`), and the
//! report in its sections and formats (`Court::report`).
#![allow(clippy::unwrap_used)]

mod driver;

use std::collections::BTreeSet;

use driver::*;
use regula_core::Lang;
use regula_standards::assessment::AssessmentError;
use regula_standards::lifecycle::Stage;
use regula_standards::listing::{ListError, ListQuery};
use regula_standards::plan::{self, GroupBy};
use regula_standards::report::{ReportError, ReportQuery, Section};
use regula_standards::service::ServiceError;
use regula_standards::view::ViewError;
use serde_json::Value;

const CODE: &str = "ADJ-01-01"; // 立案 item 1: the plan names no department.

/// The built-in catalog imported on 2022-05-16; ADJ-01-01 assigned to 立案庭 on
/// 2023-01-10 and published as v1 (红林法〔2023〕15号) on 2023-02-25, in follow-up
/// since; a progress hearing on 2023-06-01.
fn scenario() -> Driver {
    let mut d = Driver::adj_01_01_published();
    d.clock.set(morning(2023, 6, 1));
    let head = d.head();
    let present = vec!["陈伟".to_owned(), "厉彦杰".to_owned()];
    let r = d.court.record_hearing(&head, &present, "进展", &[], None).unwrap();
    assert!(!r.is_refused(), "{r:?}");
    d
}

fn codes(d: &Driver, query: &ListQuery) -> Vec<String> {
    d.court
        .list(query, morning(2023, 7, 1))
        .unwrap()
        .into_iter()
        .map(|s| s.code)
        .collect()
}

fn keys(v: &Value) -> BTreeSet<&str> {
    v.as_object().unwrap().keys().map(String::as_str).collect()
}

#[test]
fn each_list_filter_selects_what_it_names() {
    let d = scenario();
    let all = codes(&d, &ListQuery::default());
    assert_eq!(all.len(), 117);

    let q = |f: &dyn Fn(&mut ListQuery)| {
        let mut q = ListQuery::default();
        f(&mut q);
        q
    };
    // A domain by its code in any case, or its zh or en name.
    let adjudication = codes(&d, &q(&|q| q.domain = Some("ADJ".into())));
    assert!(!adjudication.is_empty() && adjudication.len() < 117);
    assert!(adjudication.iter().all(|c| c.starts_with("ADJ-")));
    for spelled in ["adj", "审判工作标准化", "adjudication work"] {
        assert_eq!(
            codes(&d, &q(&|q| q.domain = Some(spelled.into()))),
            adjudication,
            "{spelled}"
        );
    }
    // A category likewise.
    let practice = codes(&d, &q(&|q| q.category = Some("ADJ-01".into())));
    assert!(!practice.is_empty() && practice.len() < adjudication.len());
    assert!(practice.iter().all(|c| c.starts_with("ADJ-01-")));
    for spelled in ["adj-01", "审判业务标准"] {
        assert_eq!(
            codes(&d, &q(&|q| q.category = Some(spelled.into()))),
            practice,
            "{spelled}"
        );
    }

    // A department by name; "unassigned" for none (ADJ-01-01 left that list in January).
    let filing = d
        .court
        .list(&q(&|q| q.department = Some("立案庭".into())), morning(2023, 7, 1))
        .unwrap();
    assert!(filing.iter().any(|s| s.code == CODE));
    assert!(
        filing
            .iter()
            .all(|s| s.department.as_ref().unwrap().department == "case_filing")
    );
    let unassigned = codes(&d, &q(&|q| q.department = Some("unassigned".into())));
    assert_eq!(unassigned.len(), 12);
    assert!(!unassigned.iter().any(|c| c == CODE));

    // A state by machine name or Chinese label; not started by either word.
    for spelled in ["follow_up", "跟踪实施"] {
        assert_eq!(codes(&d, &q(&|q| q.state = Some(spelled.into()))), [CODE], "{spelled}");
    }
    assert_eq!(codes(&d, &q(&|q| q.state = Some("research".into()))).len(), 116);
    for spelled in ["not_started", "未启动"] {
        assert!(
            codes(&d, &q(&|q| q.state = Some(spelled.into()))).is_empty(),
            "{spelled}"
        );
    }
    // Filters combine: each narrows the others.
    let in_category = |category: &str| {
        codes(
            &d,
            &q(&|q| {
                q.category = Some(category.into());
                q.state = Some("follow_up".into());
            }),
        )
    };
    assert_eq!(in_category("ADJ-01"), [CODE]);
    assert!(in_category("ADJ-02").is_empty());
}

#[test]
fn late_lists_the_overdue_as_of_the_end_of_that_day() {
    let d = scenario();
    // Nothing is due in 2022's spring.
    let q = |late| ListQuery {
        late: Some(late),
        ..ListQuery::default()
    };
    assert!(codes(&d, &q(day(2022, 6, 1))).is_empty());
    // After the build-all step (2023-12-31), every standard unpublished is late; the one
    // published is not.
    let late = d.court.list(&q(day(2024, 1, 1)), morning(2023, 7, 1)).unwrap();
    assert_eq!(late.len(), 116);
    assert!(late.iter().all(plan::StandardStatus::is_overdue));
    assert!(!late.iter().any(|s| s.code == CODE));
    // The list is as of that day, not `now`: on 2023-01-05 ADJ-01-01 was in research
    // without a department.
    let then = ListQuery {
        state: Some("research".into()),
        department: Some("unassigned".into()),
        ..ListQuery::default()
    };
    assert!(!codes(&d, &then).iter().any(|c| c == CODE));
    let back = d.court.list(&then, morning(2023, 1, 5)).unwrap();
    assert!(back.iter().any(|s| s.code == CODE));
}

#[test]
fn an_unknown_filter_value_is_named_in_both_languages() {
    let d = scenario();
    let err = |q: ListQuery| d.court.list(&q, morning(2023, 7, 1)).unwrap_err();

    let e = err(ListQuery {
        domain: Some("XYZ".into()),
        ..ListQuery::default()
    });
    assert!(
        matches!(&e, ListError::UnknownDomain { given } if given == "XYZ"),
        "{e:?}"
    );
    assert_eq!(e.message().en, "unknown domain \"XYZ\"");
    assert!(e.message().zh.contains("领域") && e.message().zh.contains("XYZ"));

    let e = err(ListQuery {
        category: Some("XYZ-01".into()),
        ..ListQuery::default()
    });
    assert!(
        matches!(&e, ListError::UnknownCategory { given } if given == "XYZ-01"),
        "{e:?}"
    );
    assert_eq!(e.to_string(), "unknown category \"XYZ-01\"");
    assert!(e.message().zh.contains("类别"));

    let e = err(ListQuery {
        department: Some("火星庭".into()),
        ..ListQuery::default()
    });
    assert!(
        matches!(&e, ListError::UnknownDepartment { given } if given == "火星庭"),
        "{e:?}"
    );
    assert!(
        e.message()
            .en
            .starts_with("unknown department \"火星庭\": name one as the plan does"),
        "{e}"
    );
    assert!(e.message().zh.contains("责任部门"));

    let e = err(ListQuery {
        state: Some("nope".into()),
        ..ListQuery::default()
    });
    let ListError::UnknownState { given, known } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(given, "nope");
    assert_eq!(known.len(), Stage::ALL.len() + 1);
    assert_eq!(known.last().map(String::as_str), Some("not_started"));
    assert!(
        e.to_string()
            .starts_with("unknown state \"nope\"; states: research, drafting,"),
        "{e}"
    );
    assert!(e.message().zh.contains("未知的状态"));
}

#[test]
fn the_view_shows_what_blocks_the_next_step() {
    let d = scenario();
    // Any case, like the command line.
    let v = d.court.view("adj-01-01", None, morning(2023, 7, 1)).unwrap();
    assert_eq!(v.code, CODE);
    assert_eq!(v.state, Stage::FollowUp);
    assert_eq!(v.department.zh, "立案庭");
    let in_force = v.version_in_force.as_ref().unwrap();
    assert_eq!(
        (in_force.number, in_force.document_number.as_str()),
        (1, "红林法〔2023〕15号")
    );
    assert_eq!(v.versions, 1);
    assert!(!v.may_migrate());
    // In follow-up, accepting is blocked for want of an evaluation.
    let accept = v.blockers.iter().find(|b| b.action == "accept").unwrap();
    assert!(!accept.reasons.is_empty(), "{:?}", v.blockers);
    assert!(
        v.actions
            .iter()
            .any(|a| a.action == "accept" && a.to == Stage::Consolidated)
    );

    // The JSON is the command line's: these keys, the stage by its machine name, no
    // `as_of` when the view is now.
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(
        keys(&json),
        BTreeSet::from([
            "code",
            "name",
            "state",
            "state_label",
            "department",
            "version_in_force",
            "versions",
            "definition",
            "latest_definition",
            "records",
            "last_record",
            "blockers",
            "actions",
        ])
    );
    assert_eq!(json["state"], "follow_up");
    assert_eq!(
        keys(&json["actions"][0]),
        BTreeSet::from(["action", "label", "to", "roles"])
    );
}

#[test]
fn the_view_as_of_a_past_instant_is_the_standard_then() {
    let d = scenario();
    let at = morning(2023, 1, 9);
    let v = d.court.view(CODE, Some(at), morning(2023, 7, 1)).unwrap();
    assert_eq!(v.state, Stage::Research);
    assert_eq!(v.department.zh, "未分配责任部门");
    assert!(v.version_in_force.is_none());
    assert_eq!(v.records, 1);
    assert_eq!(v.as_of, Some(at));
    // Blocked then for want of a department, whatever `now` says.
    assert_eq!(v.blockers.len(), 1);
    assert_eq!(v.blockers[0].action, "start_drafting");
    assert_eq!(v.blockers[0].reasons.len(), 1);
    assert_eq!(serde_json::to_value(&v).unwrap()["as_of"], "2023-01-09T01:00:00Z");
}

#[test]
fn a_view_before_work_was_opened_or_of_an_unknown_code_is_an_error() {
    let d = scenario();
    let e = d
        .court
        .view(CODE, Some(morning(2022, 5, 1)), morning(2023, 7, 1))
        .unwrap_err();
    let ViewError::NotOpenedYet { code, at, opened } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(code, CODE);
    assert_eq!(at.to_rfc3339(), "2022-05-01T09:00:00+08:00");
    assert_eq!(opened.to_rfc3339(), "2022-05-16T09:00:00+08:00");
    assert_eq!(
        e.message().en,
        "ADJ-01-01: work on it had not been opened as of 2022-05-01T09:00:00+08:00 (opened 2022-05-16T09:00:00+08:00)"
    );
    assert!(e.message().zh.contains("截至该时间尚未开展工作"), "{}", e.message().zh);

    let e = d.court.view("NOPE-01-01", None, morning(2023, 7, 1)).unwrap_err();
    assert!(
        matches!(&e, ViewError::Service(ServiceError::UnknownCode { code }) if code == "NOPE-01-01"),
        "{e:?}"
    );
}

#[test]
fn the_default_report_has_its_sections_and_titles() {
    let d = scenario();
    let report = d
        .court
        .report(
            &ReportQuery {
                as_of: Some(day(2023, 6, 30)),
                ..ReportQuery::default()
            },
            morning(2024, 1, 1),
        )
        .unwrap();
    assert_eq!(
        report.as_of,
        plan::end_of_day(day(2023, 6, 30), d.court.config().timezone)
    );
    let groups: Vec<GroupBy> = report.progress.iter().map(|p| p.group_by).collect();
    assert_eq!(groups, [GroupBy::Domain, GroupBy::Department, GroupBy::Stage]);
    assert!(report.steps.is_some() && report.load.is_some() && report.assessment.is_none());
    assert_eq!(report.hearings.len(), 1);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        keys(&json),
        BTreeSet::from(["as_of", "progress", "steps", "load", "hearings"])
    );

    let tz = d.court.config().timezone;
    let tables = report.tables(Lang::En, tz);
    // Three progress tables, the steps' summary (and one per step with late standards:
    // none by June 2023), the load.
    let titles: Vec<&str> = tables.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles.len(), 5, "{titles:?}");
    assert!(titles[0].ends_with(" by domain"), "{titles:?}");
    assert_eq!(titles[4], "Load per department");
    assert!(tables.iter().all(|t| t.rows.iter().all(|r| r.len() == t.header.len())));

    let md = report.to_markdown(Lang::En, tz);
    assert!(md.starts_with("# Standardization progress as of 2023-06-30\n"), "{md}");
    assert_eq!(md.matches("\n## ").count(), tables.len());
    for t in &tables {
        assert!(md.contains(&format!("\n## {}\n\n| ", t.title)), "{}", t.title);
    }
    let zh = report.to_markdown(Lang::Zh, tz);
    assert!(zh.starts_with("# 标准化建设进度 截至 2023-06-30\n"), "{zh}");
    assert!(zh.contains("各部门工作量"));

    let csv = report.to_csv(Lang::En, tz);
    let blocks: Vec<&str> = csv.split("\n\n").collect();
    assert_eq!(blocks.len(), tables.len());
    for (block, t) in blocks.iter().zip(&tables) {
        let mut lines = block.lines();
        assert_eq!(lines.next(), Some(t.title.as_str()));
        assert_eq!(lines.count(), t.rows.len() + 1, "{}", t.title);
    }
}

#[test]
fn a_report_keeps_the_sections_asked_in_their_order() {
    let d = scenario();
    let report = d
        .court
        .report(
            &ReportQuery {
                sections: vec![Section::State, Section::Category, Section::Load],
                as_of: Some(day(2023, 5, 31)),
                year: None,
            },
            morning(2024, 1, 1),
        )
        .unwrap();
    let groups: Vec<GroupBy> = report.progress.iter().map(|p| p.group_by).collect();
    assert_eq!(groups, [GroupBy::Stage, GroupBy::Category]);
    assert!(report.steps.is_none() && report.assessment.is_none());
    // The hearing of 2023-06-01 had not been held by then.
    assert!(report.hearings.is_empty());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(keys(&json), BTreeSet::from(["as_of", "progress", "load"]));
    assert_eq!(report.tables(Lang::Zh, d.court.config().timezone).len(), 3);
}

#[test]
fn a_year_alone_is_the_assessment_of_that_year() {
    let d = scenario();
    let tz = d.court.config().timezone;
    let report = d
        .court
        .report(
            &ReportQuery {
                year: Some(2023),
                ..ReportQuery::default()
            },
            morning(2024, 3, 1),
        )
        .unwrap();
    assert!(report.progress.is_empty() && report.steps.is_none() && report.load.is_none());
    assert_eq!(report.assessment.as_ref().unwrap().year, 2023);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(
        keys(&json),
        BTreeSet::from(["as_of", "progress", "assessment", "hearings"])
    );
    assert_eq!(json["as_of"], "2024-03-01T01:00:00Z");
    // The markdown title is the assessment's, with its year; two tables.
    let md = report.to_markdown(Lang::Zh, tz);
    assert!(md.starts_with("# 各部门标准化工作年度考核 2023\n"), "{md}");
    let en = report.to_markdown(Lang::En, tz);
    assert!(en.starts_with("# Yearly assessment of each department 2023\n"), "{en}");
    let tables = report.tables(Lang::En, tz);
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[1].title, "Refused attempts by rule 2023");
    assert!(
        report
            .to_csv(Lang::En, tz)
            .contains("\nRefused attempts by rule 2023\n")
    );

    // The assessment asked for by section takes the year of the date asked for.
    let by_section = d
        .court
        .report(
            &ReportQuery {
                sections: vec![Section::Assessment],
                as_of: Some(day(2022, 12, 31)),
                year: None,
            },
            morning(2024, 3, 1),
        )
        .unwrap();
    assert_eq!(by_section.assessment.as_ref().unwrap().year, 2022);
}

#[test]
fn a_year_out_of_range_is_refused_with_its_message() {
    let d = scenario();
    let e = d
        .court
        .report(
            &ReportQuery {
                year: Some(400_000),
                ..ReportQuery::default()
            },
            morning(2024, 3, 1),
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            ReportError::Assessment(AssessmentError::YearOutOfRange { year: 400_000 })
        ),
        "{e:?}"
    );
    assert_eq!(e.message().en, "year 400000 is out of range for an assessment");
    assert!(e.message().zh.contains("400000"));
}

/// Filters combine as the intersection of what each selects alone, whatever they are.
#[test]
fn filters_combine_as_the_intersection_of_each_alone() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};

    let d = scenario();
    let catalog = d.court.catalog();
    let domains: Vec<String> = catalog.domains().iter().map(|x| x.code.to_lowercase()).collect();
    let categories: Vec<String> = catalog.categories().iter().map(|x| x.label.zh.to_string()).collect();
    let departments: Vec<String> = catalog
        .departments()
        .departments()
        .iter()
        .map(|x| x.label.zh.to_string())
        .chain(["unassigned".to_owned()])
        .collect();
    let states: Vec<String> = Stage::ALL
        .iter()
        .flat_map(|s| [s.as_str().to_owned(), s.label().zh.to_string()])
        .chain(["not_started".to_owned()])
        .collect();
    let now = morning(2023, 7, 1);
    let list =
        |q: &ListQuery| -> BTreeSet<String> { d.court.list(q, now).unwrap().into_iter().map(|s| s.code).collect() };
    let strategy = (
        proptest::option::of(proptest::sample::select(domains)),
        proptest::option::of(proptest::sample::select(categories)),
        proptest::option::of(proptest::sample::select(departments)),
        proptest::option::of(proptest::sample::select(states)),
    );
    let mut runner = TestRunner::new(Config {
        cases: 48,
        ..Config::default()
    });
    runner
        .run(&strategy, |(domain, category, department, state)| {
            let alone = [
                ListQuery {
                    domain: domain.clone(),
                    ..ListQuery::default()
                },
                ListQuery {
                    category: category.clone(),
                    ..ListQuery::default()
                },
                ListQuery {
                    department: department.clone(),
                    ..ListQuery::default()
                },
                ListQuery {
                    state: state.clone(),
                    ..ListQuery::default()
                },
            ];
            let mut expected = list(&ListQuery::default());
            for q in &alone {
                let one = list(q);
                expected.retain(|c| one.contains(c));
            }
            let together = list(&ListQuery {
                domain,
                category,
                department,
                state,
                late: None,
            });
            prop_assert_eq!(together, expected);
            Ok(())
        })
        .unwrap();
}

/// A service reads the queries from JSON (a request body or query string decoded to one).
#[test]
fn queries_read_from_json() {
    let q: ListQuery = serde_json::from_str(r#"{"state": "正式发布", "late": "2023-06-30"}"#).unwrap();
    assert_eq!(q.state.as_deref(), Some("正式发布"));
    assert_eq!(q.late, Some(day(2023, 6, 30)));
    assert_eq!(q.domain, None);
    let r: ReportQuery = serde_json::from_str(r#"{"sections": ["steps", "load"], "year": 2023}"#).unwrap();
    assert_eq!(r.sections, [Section::Steps, Section::Load]);
    assert_eq!((r.as_of, r.year), (None, Some(2023)));
    let empty: ReportQuery = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, ReportQuery::default());
    assert!(serde_json::from_str::<ReportQuery>(r#"{"sections": ["Steps"]}"#).is_err());
}
