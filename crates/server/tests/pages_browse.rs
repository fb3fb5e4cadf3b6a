//! The reading pages over a real SQLite store and a running service: sign-in, the
//! dashboard, the catalog and its filters, a department, the diagram, the language
//! switch, and that no page refers to anything outside the server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::browser::Browser;
use common::{Client, Scratch, Server, prepare};
use regula_server::StoreLocation;

fn served() -> (Scratch, Server, common::Tokens) {
    let scratch = Scratch::new("pages-browse");
    let tokens = prepare(&scratch.store());
    let server = Server::start(StoreLocation::Sqlite(scratch.store()));
    (scratch, server, tokens)
}

/// The office assigns the first standard the plan gives no department to 立案庭, on
/// 2023-03-01, through the API: its code.
fn assign_an_unassigned_standard(api: &Client, tokens: &common::Tokens) -> String {
    let unassigned = api
        .get("/v1/standards?department=unassigned", Some(&tokens.office))
        .json();
    let code = unassigned[0]["code"].as_str().unwrap().to_owned();
    api.act(
        &tokens.office,
        &code,
        "assign_department",
        serde_json::json!({"department": "立案庭"}),
        "2023-03-01",
    )
    .expect(201);
    code
}

/// The `data-count` of the summary figure `key` (`data-key`), as the pages write it.
fn count_of(html: &str, key: &str) -> usize {
    let marker = format!("data-key=\"{key}\" data-count=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no figure {key}")) + marker.len();
    html[start..].split('"').next().unwrap().parse().unwrap()
}

#[test]
fn a_browser_that_is_not_signed_in_is_sent_to_sign_in_and_back() {
    let (_scratch, server, tokens) = served();
    let browser = Browser::new(&server.base);
    for path in [
        "/",
        "/catalog?q=%E7%AB%8B%E6%A1%88",
        "/diagram",
        "/departments/case_filing",
    ] {
        let page = browser.get(path);
        assert_eq!(page.status, 303, "{path}");
        let location = page.location.unwrap();
        assert!(location.starts_with("/signin?next=/"), "{path} → {location}");
    }
    // A wrong, a revoked and a forged cookie are all just "not signed in".
    for cookie in ["regula_session=nope", &format!("regula_session={}", tokens.revoked)] {
        assert_eq!(browser.with_cookie(cookie).get("/").status, 303, "{cookie}");
    }
    let form = browser.get("/signin?next=%2Fcatalog");
    assert_eq!(form.status, 200);
    assert!(
        form.text
            .contains(r#"<form id="signin" method="post" action="/signin">"#)
    );
    assert!(
        form.text.contains(r#"name="next" value="/catalog""#),
        "the way back is kept"
    );
    // A wrong token: 401, the form again with the error, no cookie.
    let refused = browser.post("/signin", &[("token", "rgl_wrong"), ("next", "/")]);
    assert_eq!(refused.status, 401);
    assert!(refused.text.contains("id=\"signin-error\""));
    assert!(refused.set_cookie.iter().all(|c| !c.starts_with("regula_session=rgl")));
    // A revoked token is refused alike.
    let revoked = browser.post("/signin", &[("token", &tokens.revoked), ("next", "/")]);
    assert_eq!(revoked.status, 401);
    // Another site's "next" is not followed.
    let page = browser.post("/signin", &[("token", &tokens.office), ("next", "//evil.example/")]);
    assert_eq!(page.location.as_deref(), Some("/"));
    // A sign-in form posted from another site is refused.
    let forged = browser.post_from(
        "/signin",
        &[("token", &tokens.office), ("next", "/")],
        "http://evil.example",
    );
    assert_eq!(forged.status, 403);
    assert!(forged.set_cookie.is_empty());

    let page = browser.post("/signin", &[("token", &tokens.department), ("next", "/catalog")]);
    assert_eq!(page.location.as_deref(), Some("/catalog"));
    let signed = Browser::signed_in(&server.base, &tokens.department);
    let dashboard = signed.get("/");
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.text.contains(r#"<span id="whoami""#));
    assert!(dashboard.text.contains("li@立案庭"), "the signed-in actor is shown");
    // Signing out clears the cookie.
    let out = browser.post("/signout", &[]);
    assert_eq!(out.status, 303);
    assert!(
        out.set_cookie
            .iter()
            .any(|c| c.starts_with("regula_session=;") && c.contains("Max-Age=0"))
    );
}

#[test]
fn the_dashboard_counts_what_the_report_counts_and_changes_when_work_is_done() {
    let (_scratch, server, tokens) = served();
    let api = Client::new(&server.base);
    let browser = Browser::signed_in(&server.base, &tokens.office);
    let before = browser.get("/?as_of=2023-03-31");
    assert_eq!(before.status, 200, "{}", &before.text[..before.text.len().min(400)]);
    assert!(before.text.starts_with("<!DOCTYPE html><html lang=\"zh-CN\">"));
    assert_eq!(count_of(&before.text, "total"), 117);
    assert_eq!(count_of(&before.text, "unassigned"), 13);
    assert_eq!(count_of(&before.text, "in_force"), 0);
    // The same figures as the JSON report of that date.
    let report = api
        .get("/v1/reports?sections=state&as_of=2023-03-31", Some(&tokens.office))
        .json();
    let total = report["progress"][0]["total"]["total"].as_u64().unwrap() as usize;
    assert_eq!(total, count_of(&before.text, "total"));
    let overdue = report["progress"][0]["total"]["overdue"].as_u64().unwrap() as usize;
    assert_eq!(overdue, count_of(&before.text, "overdue"));
    let overdue_list = before
        .text
        .split("<ul class=\"compact\" id=\"overdue\"")
        .nth(1)
        .unwrap();
    let overdue_list = overdue_list.split("</ul>").next().unwrap();
    assert_eq!(overdue_list.matches("<li data-code=").count(), overdue);

    // The office assigns an unassigned standard: one fewer without a department.
    assign_an_unassigned_standard(&api, &tokens);
    let after = browser.get("/?as_of=2023-03-31");
    assert_eq!(count_of(&after.text, "unassigned"), 12);

    // English on request, remembered in a cookie.
    let english = browser.get("/?lang=en&as_of=2023-03-31");
    assert!(english.text.starts_with("<!DOCTYPE html><html lang=\"en\">"));
    assert!(english.text.contains("Standardization dashboard"));
    assert!(english.set_cookie.iter().any(|c| c.starts_with("regula_lang=en")));
    let remembered = browser.with_cookie("regula_lang=en").get("/");
    assert!(remembered.text.contains("Standardization dashboard"));

    // A date that is not one is a page that says so, not a crash.
    let bad = browser.get("/?as_of=2023-02-30");
    assert_eq!(bad.status, 400);
    assert!(bad.text.contains("id=\"problem-detail\""));
}

#[test]
fn the_catalog_filters_and_searches_and_a_department_lists_its_own() {
    let (_scratch, server, tokens) = served();
    let api = Client::new(&server.base);
    let browser = Browser::signed_in(&server.base, &tokens.office);
    let rows = |html: &str| html.matches("<tr data-code=").count();
    let all = browser.get("/catalog");
    assert_eq!(rows(&all.text), 117);
    // Each filter selects what the JSON list selects.
    for (query, api_query) in [
        (
            "department=%E7%AB%8B%E6%A1%88%E5%BA%AD",
            "department=%E7%AB%8B%E6%A1%88%E5%BA%AD",
        ),
        ("department=unassigned", "department=unassigned"),
        ("domain=ADJ", "domain=ADJ"),
    ] {
        let page = browser.get(&format!("/catalog?{query}"));
        let listed = api
            .get(&format!("/v1/standards?{api_query}"), Some(&tokens.office))
            .json();
        let listed = listed.as_array().unwrap();
        assert!(!listed.is_empty(), "{query}");
        assert_eq!(rows(&page.text), listed.len(), "{query}");
        for row in listed {
            let code = row["code"].as_str().unwrap();
            assert!(
                page.text.contains(&format!("<tr data-code=\"{code}\"")),
                "{query}: {code}"
            );
        }
    }
    // Search by words of the name, in any case, combined with a filter.
    let found = browser.get("/catalog?q=%E5%BA%AD%E5%89%8D%E4%BC%9A%E8%AE%AE"); // 庭前会议
    assert!(rows(&found.text) >= 1);
    assert!(found.text.contains("<tr data-code=\"ADJ-01-01\""));
    let none = browser.get("/catalog?q=adj-01-01+%E6%B2%A1%E6%9C%89");
    assert_eq!(rows(&none.text), 0);
    let by_code = browser.get("/catalog?q=adj-01-01");
    assert_eq!(rows(&by_code.text), 1);
    // An unknown filter value is a clear 400 page.
    let bad = browser.get("/catalog?domain=NOPE");
    assert_eq!(bad.status, 400);
    assert!(bad.text.contains("NOPE"));

    let dept = browser.get("/departments/case_filing");
    assert_eq!(dept.status, 200);
    assert!(
        dept.text
            .contains("<section id=\"department\" data-department=\"case_filing\">")
    );
    let listed = api
        .get(
            "/v1/standards?department=%E7%AB%8B%E6%A1%88%E5%BA%AD",
            Some(&tokens.office),
        )
        .json();
    assert_eq!(rows(&dept.text), listed.as_array().unwrap().len());
    assert_eq!(count_of(&dept.text, "total"), rows(&dept.text));
    assert_eq!(browser.get("/departments/nope").status, 404);
}

#[test]
fn the_diagram_is_drawn_with_chinese_text_and_lists_every_transition() {
    let (_scratch, server, tokens) = served();
    let browser = Browser::signed_in(&server.base, &tokens.office);
    let page = browser.get("/diagram");
    assert_eq!(page.status, 200);
    let figure = page.text.split("id=\"diagram\"").nth(1).expect("the figure");
    assert!(figure.contains("<svg"));
    for label in ["调研论证", "文本起草", "征求意见", "审议", "正式发布", "废止"] {
        assert!(figure.contains(&format!(">{label}<")), "{label}");
    }
    let english = browser.get("/diagram?lang=en");
    assert!(english.text.contains(">Drafting<") || english.text.contains(">drafting<"));
}

#[test]
fn pages_load_nothing_from_outside_and_escape_what_they_show() {
    let (_scratch, server, tokens) = served();
    let browser = Browser::signed_in(&server.base, &tokens.office);
    for path in ["/", "/catalog", "/diagram", "/departments/case_filing", "/signin"] {
        let page = browser.get(path);
        assert_eq!(page.status, 200, "{path}");
        for outside in ["http://", "https://", "//cdn", "src=\"//"] {
            // The SVG namespace is a name, not something loaded.
            let text = page.text.replace("http://www.w3.org/2000/svg", "");
            assert!(!text.contains(outside), "{path} refers to {outside}");
        }
    }
    for asset in ["/assets/regula.css", "/assets/regula.js"] {
        let page = Browser::new(&server.base).get(asset);
        assert_eq!(page.status, 200, "{asset}");
        assert!(!page.text.contains("http"), "{asset}");
    }
    assert_eq!(browser.get("/assets/../Cargo.toml").status, 404);
    // What a user typed comes back escaped.
    let page = browser.get("/catalog?q=%3Cscript%3Ealert(1)%3C/script%3E");
    assert!(!page.text.contains("<script>alert(1)"));
    assert!(page.text.contains("&lt;script&gt;alert(1)"));
}

#[test]
fn the_report_page_shows_charts_and_its_files_hold_the_api_figures() {
    let (_scratch, server, tokens) = served();
    let api = Client::new(&server.base);
    let browser = Browser::signed_in(&server.base, &tokens.office);
    let query = "as_of=2023-12-31&year=2023&sections=state&sections=domain&sections=assessment";
    let page = browser.get(&format!("/reports?{query}"));
    assert_eq!(page.status, 200, "{}", &page.text[..page.text.len().min(300)]);
    let charts = page.text.matches("<figure class=\"chart\"><svg").count();
    assert_eq!(charts, 3, "state, domain and assessment charts");
    assert!(page.text.contains("name=\"sections\" value=\"domain\" checked"));
    // The CSV download: a byte-order mark, then the API's CSV of the same report.
    let csv = browser.get(&format!("/reports/download?format=csv&lang=zh&{query}"));
    assert_eq!(csv.status, 200);
    assert!(csv.text.starts_with('\u{feff}'), "a UTF-8 byte-order mark");
    let sections = "sections=state,domain,assessment";
    let from_api = api.get(
        &format!("/v1/reports?format=csv&lang=zh&as_of=2023-12-31&year=2023&{sections}"),
        Some(&tokens.office),
    );
    assert_eq!(from_api.status, 200);
    assert_eq!(&csv.text['\u{feff}'.len_utf8()..], from_api.text);
    let json = browser.get(&format!("/reports/download?format=json&{query}"));
    let api_json = api
        .get(
            &format!("/v1/reports?as_of=2023-12-31&year=2023&{sections}"),
            Some(&tokens.office),
        )
        .json();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&json.text).unwrap(), api_json);
    // The self-contained HTML report: the same charts, nothing from outside.
    let html = browser.get(&format!("/reports/download?format=html&lang=zh&{query}"));
    assert_eq!(html.status, 200);
    assert!(html.text.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.text.matches("<figure class=\"chart\"").count(), 3);
    assert!(!html.text.contains("http://") && !html.text.contains("https://"));
    // The workbook: a ZIP (an OOXML package) of the report's sheets. Its figures are
    // read back cell by cell in the command line's tests (tests/report_files.rs).
    let (status, disposition, bytes) = browser.get_bytes(&format!("/reports/download?format=xlsx&{query}"));
    assert_eq!(status, 200);
    let disposition = disposition.unwrap();
    assert!(disposition.contains("report-2023-12-31.xlsx"), "{disposition}");
    assert!(bytes.starts_with(b"PK\x03\x04") && bytes.len() > 2000);
    // A bad request is a page that names the field.
    let bad = browser.get("/reports?year=twenty");
    assert_eq!(bad.status, 400);
    assert!(bad.text.contains("year"));
}

#[test]
fn a_standard_page_shows_the_standard_as_its_log_stood_on_a_past_date() {
    let (_scratch, server, tokens) = served();
    let api = Client::new(&server.base);
    let browser = Browser::signed_in(&server.base, &tokens.office);
    let code = assign_an_unassigned_standard(&api, &tokens);
    let timeline = |html: &str| {
        let list = html
            .split("id=\"timeline\"")
            .nth(1)
            .unwrap()
            .split("</ol>")
            .next()
            .unwrap()
            .to_owned();
        list.matches(" data-seq=").count()
    };
    let now = browser.get(&format!("/standards/{code}"));
    assert_eq!(now.status, 200);
    assert!(now.text.contains("id=\"department-link\""), "assigned now");
    let before = browser.get(&format!("/standards/{code}?at=2023-02-01"));
    assert_eq!(before.status, 200);
    assert!(before.text.contains("id=\"as-of-notice\""));
    assert!(!before.text.contains("id=\"department-link\""), "not assigned then");
    assert_eq!(
        timeline(&before.text) + 1,
        timeline(&now.text),
        "the assignment is not in the past's timeline"
    );
    // Before work on it was opened: a page that says so.
    let too_early = browser.get(&format!("/standards/{code}?at=2020-01-01"));
    assert_eq!(too_early.status, 404);
    let bad = browser.get(&format!("/standards/{code}?at=yesterday"));
    assert_eq!(bad.status, 400);
    assert!(bad.text.contains("yesterday"));
}
