//! The built-in catalog matches the plan, and loading refuses bad files with their
//! position and the offending value.

// Helpers outside #[test] functions unwrap too: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use regula_standards::catalog::{Catalog, CatalogErrorKind};
use regula_standards::department::UNASSIGNED;

fn builtin() -> Catalog {
    Catalog::builtin().expect("the built-in catalog loads")
}

#[test]
fn three_domains_twenty_one_categories_117_standards() {
    let c = builtin();
    assert_eq!(c.domains().len(), 3);
    assert_eq!(c.categories().len(), 21);
    assert_eq!(c.standards().len(), 117);
    let per_domain: Vec<(String, usize, usize)> = c
        .domains()
        .iter()
        .map(|d| {
            let cats = c.categories_of(&d.code).count();
            let stds = c.standards().iter().filter(|s| s.domain == d.code).count();
            (d.label.zh.to_string(), cats, stds)
        })
        .collect();
    assert_eq!(
        per_domain,
        vec![
            ("审判工作标准化".to_owned(), 7, 60),
            ("政务工作标准化".to_owned(), 8, 36),
            ("队伍工作标准化".to_owned(), 6, 21),
        ]
    );
}

#[test]
fn per_category_counts_are_the_plans() {
    let c = builtin();
    let counts: Vec<(&str, usize)> = c
        .categories()
        .iter()
        .map(|cat| (cat.label.zh.as_ref(), c.standards_in(&cat.code).count()))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("审判业务标准", 23),
            ("审判组织和权责标准", 5),
            ("审判管理标准", 10),
            ("司法公开标准", 4),
            ("诉讼服务标准", 3),
            ("涉诉信访标准", 6),
            ("执行工作标准", 9),
            ("公文处理标准", 3),
            ("政务管理标准", 5),
            ("代表委员工作标准", 2),
            ("会务办理及服务保障标准", 3),
            ("司法保障标准", 9),
            ("新闻宣传标准", 4),
            ("警务工作标准", 5),
            ("信息化建设标准", 5),
            ("组织人事标准", 9),
            ("法官管理工作标准", 4),
            ("党建工作标准", 2),
            ("教育培训标准", 1),
            ("绩效考核发放标准", 1),
            ("督察工作标准", 4),
        ]
    );
}

#[test]
fn the_thirteen_items_without_department_load_unassigned() {
    let c = builtin();
    let unassigned: Vec<&str> = c.unassigned().map(|s| s.code.as_str()).collect();
    assert_eq!(
        unassigned,
        [
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
        ]
    );
    for s in c.unassigned() {
        assert!(s.unassigned.as_deref().is_some_and(|u| u.contains("源文本未列明")));
        assert_eq!(c.department_label(s.department.as_ref()), UNASSIGNED);
    }
    // Item 20 is the enforcement bureau's, as the text says.
    let item20 = c.standard("ADJ-01-20").unwrap();
    assert_eq!(item20.department.as_ref().unwrap().department, "enforcement");
}

#[test]
fn departments_and_aliases_resolve() {
    let c = builtin();
    let mut per_department: BTreeMap<String, usize> = BTreeMap::new();
    for s in c.standards() {
        let key = s
            .department
            .as_ref()
            .map_or("unassigned".to_owned(), |d| d.department.clone());
        *per_department.entry(key).or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = [
        ("case_filing", 9 + 3 + 8 + 4 + 3 + 6),
        ("comprehensive_trial", 2 + 2),
        ("enforcement", 1 + 9),
        ("general_office", 3 + 5 + 2 + 3 + 9 + 5),
        ("political", 4 + 8 + 4 + 1 + 1 + 1 + 4),
        ("judicial_police", 5),
        ("party_branch", 2),
        ("unassigned", 13),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(per_department, expected);
    assert_eq!(per_department.values().sum::<usize>(), 117);

    // 办公室 is 综合办公室, 法警队 is 司法警察大队, and 政治部督察室 is a unit of 政治部.
    let doc = c.standard("ADM-01-01").unwrap();
    assert_eq!(doc.department_as_written.as_deref(), Some("办公室"));
    assert_eq!(doc.department.as_ref().unwrap().department, "general_office");
    let police = c.standard("ADM-07-01").unwrap();
    assert_eq!(police.department_as_written.as_deref(), Some("法警队"));
    assert_eq!(police.department.as_ref().unwrap().department, "judicial_police");
    let inspection = c.standard("PER-06-01").unwrap();
    let d = inspection.department.as_ref().unwrap();
    assert_eq!(
        (d.department.as_str(), d.unit.as_deref()),
        ("political", Some("inspection_office"))
    );
    assert_eq!(c.departments().label(d).unwrap().zh, "政治部督察室");
    assert_eq!(c.department_label(Some(d)).zh, "政治部");
    assert_eq!(c.departments().departments().len(), 7);
}

#[test]
fn codes_names_and_flags() {
    let c = builtin();
    for s in c.standards() {
        assert!(s.code.starts_with(&format!("{}-", s.category)), "{}", s.code);
        assert_eq!(s.code, format!("{}-{:02}", s.category, s.item));
        assert!(!s.name.is_incomplete(), "{}", s.code);
        assert!(!s.core, "core is the operator's flag, never preset: {}", s.code);
    }
    assert_eq!(c.standard("ADJ-01-08").unwrap().name.zh, "减假暂案件审判标准");
    assert_eq!(c.standard("PER-05-01").unwrap().name.zh, "年度绩效考核发放标准");
    let court = c.court();
    assert_eq!(court.document_prefix, "红林法");
    assert_eq!(court.timezone.local_minus_utc(), 8 * 3600);
    assert_eq!(court.min_consultation_days, 30);
    assert_eq!(c.leading_group().len(), 5);
    assert_eq!(c.leading_group()[0].name, "陈伟");
    assert_eq!(c.steps().len(), 4);
    assert_eq!(c.plan().document_number.as_deref(), Some("红林法〔2022〕7号"));
}

#[test]
fn the_operator_sets_the_core_flag() {
    let mut c = builtin();
    c.set_core("ADJ-03-01", true).unwrap();
    assert!(c.standard("ADJ-03-01").unwrap().core);
    assert!(matches!(
        c.set_core("NOPE-01-01", true),
        Err(CatalogErrorKind::UnknownStandard { code }) if code == "NOPE-01-01"
    ));
}

/// A small valid file; tests break one thing at a time.
const SMALL: &str = r#"format = 1

[court]
zh = "某法院"
en = "Some Court"
document_prefix = "某法"
office = "office"

[plan]
zh = "方案"
en = "Plan"

[intermediate_court]
zh = "某中院"
en = "Some Intermediate Court"

[[leading_group]]
id = "head"
name = "甲"
zh = "组长"
en = "Head"

[[departments]]
id = "office"
zh = "综合办公室"
en = "General Office"
aliases = ["办公室"]

[[steps]]
id = "all"
zh = "全部"
en = "All"
due = 2023-12-31
milestone = "published"
scope = "all"

[[domains]]
code = "ADM"
zh = "政务"
en = "Administration"

[[categories]]
code = "ADM-01"
domain = "ADM"
zh = "公文"
en = "Documents"

[[standards]]
code = "ADM-01-01"
category = "ADM-01"
item = 1
zh = "文件处理"
en = "Document processing"
department = "办公室"

[[standards]]
code = "ADM-01-02"
category = "ADM-01"
item = 2
zh = "未定"
en = "Undecided"
unassigned = "not said"
"#;

#[test]
fn a_small_file_loads_with_default_timezone_and_period() {
    let c = Catalog::from_toml_str(SMALL).unwrap();
    assert_eq!(c.standards().len(), 2);
    assert_eq!(c.court().timezone.local_minus_utc(), 8 * 3600);
    assert_eq!(c.court().min_consultation_days, 30);
    assert_eq!(c.unassigned().count(), 1);
}

fn error_of(source: &str) -> regula_standards::CatalogError {
    Catalog::from_toml_str(source).expect_err("the file must be refused")
}

fn line_of(source: &str, needle: &str, nth: usize) -> usize {
    source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(nth)
        .map(|(i, _)| i + 1)
        .unwrap()
}

#[test]
fn duplicate_codes_are_refused_with_line_and_value() {
    let bad = SMALL.replace("code = \"ADM-01-02\"", "code = \"ADM-01-01\"");
    let e = error_of(&bad);
    assert_eq!(e.line, line_of(&bad, "code = \"ADM-01-01\"", 1));
    assert_eq!(e.column, 8);
    match &e.kind {
        CatalogErrorKind::DuplicateCode { what, code, first_line } => {
            assert_eq!(*what, "standard");
            assert_eq!(code, "ADM-01-01");
            assert_eq!(*first_line, line_of(&bad, "[[standards]]", 0));
        }
        other => panic!("unexpected {other:?}"),
    }
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "<catalog>:{}:8: duplicate standard code \"ADM-01-01\"",
            e.line
        )),
        "{text}"
    );
}

#[test]
fn every_kind_of_code_declared_twice_names_its_first_line() {
    for (what, header, entry) in [
        (
            "leading group member",
            "[[leading_group]]",
            "id = \"head\"\nname = \"乙\"\nzh = \"副组长\"\nen = \"Deputy\"",
        ),
        (
            "step",
            "[[steps]]",
            "id = \"all\"\nzh = \"又\"\nen = \"Again\"\ndue = 2024-12-31\nmilestone = \"published\"\nscope = \"all\"",
        ),
        ("domain", "[[domains]]", "code = \"ADM\"\nzh = \"又\"\nen = \"Again\""),
        (
            "category",
            "[[categories]]",
            "code = \"ADM-01\"\ndomain = \"ADM\"\nzh = \"又\"\nen = \"Again\"",
        ),
    ] {
        let bad = format!("{SMALL}\n{header}\n{entry}\n");
        let e = error_of(&bad);
        match &e.kind {
            CatalogErrorKind::DuplicateCode {
                what: found,
                first_line,
                ..
            } => {
                assert_eq!(*found, what, "{e}");
                assert_eq!(*first_line, line_of(&bad, header, 0), "{e}");
            }
            other => panic!("{what}: unexpected {other:?}"),
        }
        assert_eq!(e.line, line_of(&bad, header, 1) + 1, "{e}");
    }
}

#[test]
fn unknown_departments_are_refused_with_line_and_value() {
    let bad = SMALL.replace("department = \"办公室\"", "department = \"后勤处\"");
    let e = error_of(&bad);
    assert_eq!(e.line, line_of(&bad, "后勤处", 0));
    assert_eq!(e.column, 14);
    assert!(matches!(&e.kind, CatalogErrorKind::UnknownDepartment { name } if name == "后勤处"));
    assert!(e.to_string().contains("unknown department \"后勤处\""));
}

#[test]
fn unknown_domains_and_categories_are_refused() {
    let bad = SMALL.replace("domain = \"ADM\"", "domain = \"XYZ\"");
    let e = error_of(&bad);
    assert_eq!(e.line, line_of(&bad, "domain = \"XYZ\"", 0));
    assert!(matches!(&e.kind, CatalogErrorKind::UnknownDomain { code } if code == "XYZ"));

    let bad = SMALL.replacen("category = \"ADM-01\"", "category = \"ADM-09\"", 1);
    let e = error_of(&bad);
    assert_eq!(e.line, line_of(&bad, "ADM-09", 0));
    assert!(matches!(&e.kind, CatalogErrorKind::UnknownCategory { code } if code == "ADM-09"));
}

#[test]
fn a_standard_must_say_department_or_unassigned_but_not_both() {
    let bad = SMALL.replace("unassigned = \"not said\"\n", "");
    let e = error_of(&bad);
    assert!(
        matches!(&e.kind, CatalogErrorKind::NoDepartment { code } if code == "ADM-01-02"),
        "{e}"
    );
    assert_eq!(e.line, line_of(&bad, "[[standards]]", 1));

    let bad = SMALL.replace("department = \"办公室\"", "department = \"办公室\"\nunassigned = \"x\"");
    let e = error_of(&bad);
    assert!(matches!(&e.kind, CatalogErrorKind::DepartmentAndUnassigned { code, .. } if code == "ADM-01-01"));
}

#[test]
fn codes_follow_the_scheme() {
    let bad = SMALL.replace("code = \"ADM-01-02\"", "code = \"ADJ-01-02\"");
    let e = error_of(&bad);
    assert!(matches!(&e.kind, CatalogErrorKind::BadCode { what: "standard", code, .. } if code == "ADJ-01-02"));
    let bad = SMALL.replace("item = 2", "item = 1");
    let e = error_of(&bad);
    assert!(matches!(&e.kind, CatalogErrorKind::DuplicateItem { item: 1, .. }));
}

#[test]
fn syntax_and_shape_errors_have_positions() {
    let bad = SMALL.replace("item = 2", "item = \"two\"");
    let e = error_of(&bad);
    assert!(matches!(e.kind, CatalogErrorKind::Syntax(_)));
    assert_eq!(e.line, line_of(&bad, "item = \"two\"", 0));

    let bad = SMALL.replace("format = 1", "format = 2");
    assert!(matches!(error_of(&bad).kind, CatalogErrorKind::Format { found: 2 }));

    let bad = SMALL.replace("office = \"office\"", "office = \"nobody\"");
    assert!(matches!(error_of(&bad).kind, CatalogErrorKind::UnknownOffice { .. }));

    let bad = SMALL.replace("office = \"office\"", "office = \"office\"\ntimezone = \"Beijing\"");
    let e = error_of(&bad);
    assert!(matches!(&e.kind, CatalogErrorKind::BadTimezone { value } if value == "Beijing"));

    let bad = SMALL.replace("due = 2023-12-31", "due = 2023-12-31T00:00:00Z");
    assert!(matches!(error_of(&bad).kind, CatalogErrorKind::BadDate { .. }));

    let bad = SMALL.replace(
        "aliases = [\"办公室\"]",
        "aliases = [\"综合办公室\", \"甲\"]\n[[departments]]\nid = \"other\"\nzh = \"甲\"\nen = \"Other\"",
    );
    let e = error_of(&bad);
    assert!(
        matches!(&e.kind, CatalogErrorKind::NameClash(c) if c.name == "甲"),
        "{e}"
    );
}

#[test]
fn loading_from_a_path_names_the_file() {
    let dir = std::env::temp_dir().join(format!("regula-standards-catalog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.toml");
    std::fs::write(
        &path,
        SMALL.replace("department = \"办公室\"", "department = \"后勤处\""),
    )
    .unwrap();
    let e = Catalog::from_path(&path).unwrap_err();
    assert_eq!(e.path.as_deref(), Some(path.as_path()));
    assert!(e.to_string().starts_with(&path.display().to_string()));
    let missing = Catalog::from_path(dir.join("missing.toml")).unwrap_err();
    assert!(matches!(missing.kind, CatalogErrorKind::Io(_)));
    assert_eq!((missing.line, missing.column), (0, 0));
    let good = dir.join("good.toml");
    std::fs::write(&good, SMALL).unwrap();
    assert_eq!(Catalog::from_path(&good).unwrap().standards().len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn missing_labels_point_at_their_table() {
    let bad = SMALL.replace("zh = \"方案\"", "zh = \" \"");
    let e = error_of(&bad);
    assert!(
        matches!(&e.kind, CatalogErrorKind::MissingLabel { what: "plan", .. }),
        "{e}"
    );
    assert_eq!(e.line, line_of(&bad, "[plan]", 0));
}

#[test]
fn the_catalog_serializes_for_listing() {
    let json = serde_json::to_value(builtin()).unwrap();
    assert_eq!(json["standards"].as_array().unwrap().len(), 117);
    assert_eq!(json["departments"][4]["aliases"][0], "办公室");
    assert_eq!(json["court"]["timezone"], "+08:00");
    assert_eq!(json["standards"][0]["department"], serde_json::Value::Null);
}

/// The approval quorum is configuration, recorded with the catalog; its label says
/// exactly what it checks (过半数 is more than half; "at least half" is another rule).
#[test]
fn the_approval_quorum_is_configuration() {
    use regula_standards::Quorum;
    assert_eq!(Catalog::builtin().unwrap().court().approval_quorum, Quorum::AtLeastHalf);
    for members in 0..20usize {
        for present in 0..=members {
            assert_eq!(Quorum::AtLeastHalf.is_met(present, members), 2 * present >= members);
            assert_eq!(Quorum::MoreThanHalf.is_met(present, members), 2 * present > members);
        }
    }
    assert!(Quorum::MoreThanHalf.is_met(4, 6) && !Quorum::MoreThanHalf.is_met(3, 6));
    assert!(Quorum::AtLeastHalf.is_met(3, 6));
    assert_eq!(Quorum::MoreThanHalf.label().zh, "出席成员过半数");
    let strict = regula_standards::BUILTIN_CATALOG.replace(
        "min_consultation_days = 30",
        "min_consultation_days = 30\napproval_quorum = \"more_than_half\"",
    );
    assert_eq!(
        Catalog::from_toml_str(&strict).unwrap().court().approval_quorum,
        Quorum::MoreThanHalf
    );
    let bad = regula_standards::BUILTIN_CATALOG.replace(
        "min_consultation_days = 30",
        "min_consultation_days = 30\napproval_quorum = \"most\"",
    );
    let err = Catalog::from_toml_str(&bad).unwrap_err();
    assert_eq!(err.line, 23, "{err}");
    assert!(err.to_string().contains("more_than_half"), "{err}");
}
