//! The pages over real HTTP, as a browser uses them: a session cookie from signing in
//! with a token, forms posted from the site's own origin; a standard's page, its
//! action forms (preview, submit, refusal, double submit, cross-site posts), the
//! difference between drafts, proof downloads and verification.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::browser::{Browser, Page};
use common::{CODE, Client, Scratch, Server, consulted, draft, drafting, opinion, prepare};
use regula_proof::{ProofBundle, SigningKey, verify_bundle};
use regula_server::{Limits, StoreLocation};
use serde_json::{Value, json};

fn served(tag: &str) -> (Scratch, common::Tokens, Server, Client) {
    let scratch = Scratch::new(tag);
    let tokens = prepare(&scratch.store());
    let server = Server::start(StoreLocation::Sqlite(scratch.store()));
    let client = Client::new(&server.base);
    (scratch, tokens, server, client)
}

/// The standard's records, through the API.
fn records(client: &Client, token: &str) -> Vec<Value> {
    client
        .get(&format!("/v1/standards/{CODE}/records"), Some(token))
        .expect(200)
        .json()
        .as_array()
        .unwrap()
        .clone()
}

/// Text as maud writes it into HTML.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[test]
fn pages_need_a_session_and_a_token_starts_one() {
    let (_s, t, server, _client) = served("pages-signin");
    let anonymous = Browser::new(&server.base);
    for path in [
        "/standards/ADJ-01-01",
        "/standards/ADJ-01-01/do/assign_department",
        "/standards/ADJ-01-01/diff?draft_a=1&draft_b=2",
        "/standards/ADJ-01-01/records/1/proof",
        "/verification",
    ] {
        let page = anonymous.get(path).expect(303);
        let location = page.location.unwrap();
        assert!(location.starts_with("/signin?next=/"), "{path}: {location}");
    }
    // A revoked token does not sign in.
    anonymous
        .post("/signin", &[("token", &t.revoked), ("next", "/")])
        .expect(401)
        .has("id=\"signin-error\"");
    let browser = Browser::signed_in(&server.base, &t.office);
    let page = browser.get("/standards/adj-01-01").expect(200);
    page.has("id=\"standard\"")
        .has("id=\"state\" data-state=\"research\"")
        .has("id=\"blockers\"")
        .has("id=\"actions\"")
        .has("id=\"timeline\"")
        .has("id=\"versions\"")
        // The work was opened on the plan's date, before the store was written: back-dated.
        .has("class=\"record backdated\" data-seq=\"1\" data-action=\"create\"")
        .has("href=\"/standards/ADJ-01-01/records/1/proof\"");
    assert!(page.content_type.starts_with("text/html"), "{}", page.content_type);
    // English on asking.
    browser.get("/standards/ADJ-01-01?lang=en").expect(200).has("Timeline");
    browser.get("/standards/NOPE-99").expect(404);
}

#[test]
fn only_the_actions_the_actor_may_take_now_are_offered() {
    let (_s, t, server, client) = served("pages-actions");
    let office = Browser::signed_in(&server.base, &t.office);
    let department = Browser::signed_in(&server.base, &t.department);
    let other = Browser::signed_in(&server.base, &t.other_department);
    let admin = Browser::signed_in(&server.base, &t.admin);
    office
        .get("/standards/ADJ-01-01")
        .expect(200)
        .has("class=\"action\" data-action=\"assign_department\" href=\"/standards/ADJ-01-01/do/assign_department\"");
    // The department is not the office; an admin token does not act.
    for browser in [&department, &admin] {
        let page = browser.get("/standards/ADJ-01-01").expect(200);
        assert_eq!(page.count("class=\"action\""), 0, "{}", page.text);
        browser.get("/standards/ADJ-01-01/do/assign_department").expect(403);
    }
    drafting(&client, &t);
    department
        .get("/standards/ADJ-01-01")
        .expect(200)
        .has("data-state=\"drafting\"")
        .has("data-action=\"open_consultation\"");
    // Another department's staff may not take ADJ-01-01's actions, nor post them.
    let page = other.get("/standards/ADJ-01-01").expect(200);
    assert_eq!(page.count("class=\"action\""), 0, "{}", page.text);
    let before = client.size();
    other
        .post(
            "/standards/ADJ-01-01/do/open_consultation",
            &[("draft.text", "草案"), ("intent", "submit"), ("key", "k-other")],
        )
        .expect(403);
    assert_eq!(client.size(), before);
    // Back-dated records are marked (the API's `at` is the event time).
    let page = department.get("/standards/ADJ-01-01").expect(200);
    page.has("class=\"record backdated\" data-seq=\"2\"");
}

#[test]
fn an_action_form_previews_submits_once_and_shows_the_notice() {
    let (_s, t, server, client) = served("pages-submit");
    let office = Browser::signed_in(&server.base, &t.office);
    let form = office.get("/standards/ADJ-01-01/do/assign_department").expect(200);
    form.has("id=\"action-form\" method=\"post\"")
        .has("label for=\"f-department\"")
        .has("id=\"f-department\" type=\"text\" name=\"department\"")
        .has("name=\"at\"")
        .has("name=\"note\"")
        .has("id=\"preview\" type=\"submit\" name=\"intent\" value=\"preview\"")
        .has("id=\"submit\" type=\"submit\" name=\"intent\" value=\"submit\"");
    let key = form.form_key();
    // Each rendering has its own key.
    assert_ne!(key, office.get("/standards/ADJ-01-01/do/assign_department").form_key());
    let path = "/standards/ADJ-01-01/do/assign_department";
    let note = "<script>alert('x')</script>";
    let fields = |intent: &'static str| {
        vec![
            ("department", "立案庭"),
            ("at", "2023-03-01"),
            ("note", note),
            ("key", key.as_str()),
            ("intent", intent),
        ]
    };
    // Preview: the would-be state, nothing written, the form kept filled.
    let before = client.size();
    let preview = office.post(path, &fields("preview")).expect(200);
    preview
        .has("id=\"preview-result\" data-decision=\"accept\" data-to=\"research\"")
        .has("value=\"立案庭\"")
        .has(&escaped(note));
    assert!(!preview.text.contains(note), "the note is not escaped");
    assert_eq!(preview.form_key(), key);
    assert_eq!(client.size(), before);
    // Submit: 303 to the standard's page; the same form again writes nothing more.
    let first = office.post(path, &fields("submit")).expect(303);
    assert_eq!(first.location.as_deref(), Some("/standards/ADJ-01-01?done=2"));
    assert_eq!(client.size(), before + 1);
    let again = office.post(path, &fields("submit")).expect(303);
    assert_eq!(again.location, first.location);
    assert_eq!(client.size(), before + 1);
    let log = records(&client, &t.office);
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["action"], "assign_department");
    assert_eq!(log[1]["payload"], json!({"department": "立案庭"}));
    assert_eq!(log[1]["note"], note);
    assert_eq!(log[1]["actor"]["id"], "wang");
    let page = office.get(first.location.as_deref().unwrap()).expect(200);
    page.has("id=\"notice\"").has(&escaped(note));
    assert!(!page.text.contains(note), "the note is not escaped");
}

#[test]
fn a_refusal_is_recorded_once_and_every_reason_shown() {
    let (_s, t, server, client) = served("pages-refusal");
    drafting(&client, &t);
    let department = Browser::signed_in(&server.base, &t.department);
    let path = "/standards/ADJ-01-01/do/open_consultation";
    let form = department.get(path).expect(200);
    form.has("name=\"draft.text\"")
        .has("id=\"f-draft.text\"")
        .has("label for=\"f-draft.text\"")
        .has("name=\"draft.procedural\"");
    let key = form.form_key();
    let before = client.size();
    // The preview says it would be refused, and why, writing nothing.
    let preview = department
        .post(
            path,
            &[
                ("draft.text", "草案"),
                ("at", "2023-03-20"),
                ("key", &key),
                ("intent", "preview"),
            ],
        )
        .expect(200);
    preview.has("id=\"preview-result\" data-decision=\"refuse\"");
    assert!(preview.count("class=\"reason\"") >= 2, "{}", preview.text);
    assert_eq!(client.size(), before);
    let refused = department
        .post(
            &format!("{path}?lang=en"),
            &[
                ("draft.text", "<b>草案</b>"),
                ("at", "2023-03-20"),
                ("key", &key),
                ("intent", "submit"),
            ],
        )
        .expect(422);
    assert_eq!(client.size(), before + 1, "exactly the refusal is recorded");
    refused.has("id=\"refusal\"").has(&escaped("<b>草案</b>"));
    let log = records(&client, &t.department);
    let record = log.last().unwrap();
    assert_eq!(
        record["outcome"]["kind"].as_str().or(Some("refused")),
        Some("refused"),
        "{record}"
    );
    let reasons = record["outcome"]["reasons"].as_array().expect("reasons");
    assert!(reasons.len() >= 2, "{record}");
    assert_eq!(refused.count("class=\"reason\""), reasons.len(), "{}", refused.text);
    for reason in reasons {
        refused.has(&escaped(reason["message"]["en"].as_str().unwrap()));
    }
    // The form is kept, with a fresh key: the corrected form is a new request.
    assert_ne!(refused.form_key(), key);
    // The same refused form posted again writes nothing more and shows it again.
    department
        .post(
            path,
            &[
                ("draft.text", "<b>草案</b>"),
                ("at", "2023-03-20"),
                ("key", &key),
                ("intent", "submit"),
            ],
        )
        .expect(422)
        .has("id=\"refusal\"");
    assert_eq!(client.size(), before + 1);
    // The timeline shows the refusal with its reasons.
    let page = department.get("/standards/ADJ-01-01").expect(200);
    page.has(&format!(
        "class=\"record refused backdated\" data-seq=\"{}\"",
        record["seq"]
    ));
    for reason in reasons {
        page.has(&escaped(reason["message"]["zh"].as_str().unwrap()));
    }
}

#[test]
fn bad_input_names_the_field_and_writes_nothing() {
    let (_s, t, server, client) = served("pages-invalid");
    let office = Browser::signed_in(&server.base, &t.office);
    let path = "/standards/ADJ-01-01/do/assign_department";
    let before = client.size();
    let page = office
        .post(
            &format!("{path}?lang=en"),
            &[
                ("department", ""),
                ("at", "yesterday"),
                ("reason", "not a field of this action"),
                ("key", "k1"),
                ("intent", "submit"),
            ],
        )
        .expect(400);
    page.has("id=\"form-errors\"")
        .has("department: required")
        .has("reason: this action has no such field")
        .has("When it happened (at): invalid time &quot;yesterday&quot;");
    assert_eq!(client.size(), before);
    // A form from another site is refused before anything is read.
    office
        .post_from(
            path,
            &[("department", "立案庭"), ("key", "k2"), ("intent", "submit")],
            "http://evil.example",
        )
        .expect(403);
    assert_eq!(client.size(), before);
}

#[test]
fn numbers_are_numbers_and_text_that_looks_like_one_stays_text() {
    let (_s, t, server, client) = served("pages-types");
    drafting(&client, &t);
    client
        .act(&t.department, CODE, "open_consultation", draft(), "2023-03-20")
        .expect(201);
    client
        .act(&t.department, CODE, "record_opinion", opinion(1), "2023-03-27")
        .expect(201);
    let department = Browser::signed_in(&server.base, &t.department);
    let path = "/standards/ADJ-01-01/do/respond_to_opinion";
    let form = department.get(path).expect(200);
    form.has("id=\"f-opinion\" type=\"number\"")
        .has("id=\"f-response.decision\"")
        .has("id=\"f-response.reason\"");
    department
        .post(
            path,
            &[
                ("opinion", "1"),
                ("response.decision", "not_adopted"),
                ("response.reason", "12"),
                ("response.note", "ignored: not this variant's"),
                ("at", "2023-04-03"),
                ("key", &form.form_key()),
                ("intent", "submit"),
            ],
        )
        .expect(303);
    let log = records(&client, &t.department);
    assert_eq!(
        log.last().unwrap()["payload"],
        json!({"opinion": 1, "response": {"decision": "not_adopted", "reason": "12"}})
    );
    let page = department
        .post(
            path,
            &[
                ("opinion", "first"),
                ("response.decision", "adopted"),
                ("key", "k3"),
                ("intent", "preview"),
            ],
        )
        .expect(400);
    page.has("opinion：&quot;first&quot; 不是有效的整数");
}

#[test]
fn two_drafts_differ_line_by_line() {
    let (_s, t, server, client) = served("pages-diff");
    drafting(&client, &t);
    consulted(&client, &t);
    client
        .act(
            &t.leader,
            CODE,
            "send_back",
            json!({"reasons": ["评价标准不够具体"]}),
            "2023-04-25",
        )
        .expect(201);
    let mut second = draft();
    second["draft"]["procedural"][1] = json!("庭前会议笔录由全体参加人员当场核对签名");
    second["draft"]["quality"]
        .as_array_mut()
        .unwrap()
        .push(json!("证据交换完整"));
    client
        .act(&t.department, CODE, "open_consultation", second, "2023-05-10")
        .expect(201);
    let browser = Browser::signed_in(&server.base, &t.office);
    let page = browser.get("/standards/ADJ-01-01").expect(200);
    page.has("id=\"diff-drafts-form\"")
        .has("id=\"drafts\"")
        .has("id=\"consultations\"");
    let diff = browser.get("/standards/ADJ-01-01/diff?draft_a=1&draft_b=2").expect(200);
    diff.has("id=\"diff\"")
        .has("class=\"del\"><del>· 庭前会议笔录由参加人员核对签名</del>")
        .has("class=\"ins\"><ins>· 庭前会议笔录由全体参加人员当场核对签名</ins>")
        .has("<ins>· 证据交换完整</ins>")
        // Rows changed: the replaced line side by side, and the added one.
        .has("data-changed=\"2\"");
    // Unchanged lines are on both sides, unmarked.
    assert_eq!(diff.count("<div>· 归纳争议焦点准确、完整</div>"), 2, "{}", diff.text);
    browser.get("/standards/ADJ-01-01/diff?a=1&b=2").expect(404);
    browser.get("/standards/ADJ-01-01/diff").expect(400);
}

#[test]
fn a_proof_downloads_and_verifies_with_the_public_key() {
    let scratch = Scratch::new("pages-proof");
    let tokens = prepare(&scratch.store());
    let key = SigningKey::generate("hongling-court/regula").unwrap();
    let secret = scratch.dir.join("court.key");
    key.write_secret(&secret).unwrap();
    let server = Server::start_with(StoreLocation::Sqlite(scratch.store()), Limits::default(), Some(secret));
    let client = Client::new(&server.base);
    let record = client
        .act(
            &tokens.office,
            CODE,
            "assign_department",
            json!({"department": "立案庭"}),
            "2023-03-01",
        )
        .expect(201)
        .json();
    let browser = Browser::signed_in(&server.base, &tokens.department);
    let download = browser.get("/standards/ADJ-01-01/records/2/proof").expect(200);
    assert!(
        download.content_type.starts_with("application/json"),
        "{}",
        download.content_type
    );
    assert_eq!(
        download.disposition.as_deref(),
        Some("attachment; filename=\"ADJ-01-01-2.proof.json\"")
    );
    let bundle = ProofBundle::from_json(&download.text).unwrap();
    let verified = verify_bundle(&bundle, &key.public()).unwrap();
    assert_eq!(serde_json::to_value(&verified.record).unwrap()["hash"], record["hash"]);
    assert!(verify_bundle(&bundle, &SigningKey::generate("other").unwrap().public()).is_err());
    browser.get("/standards/ADJ-01-01/records/3/proof").expect(404);
    // The checkpoint on the verification page is signed.
    browser
        .get("/verification")
        .expect(200)
        .has("id=\"checkpoint\" data-signed=\"true\"")
        .has("— hongling-court/regula ");
}

#[test]
fn without_a_key_a_proof_is_refused_and_verification_runs() {
    let (_s, t, server, _client) = served("pages-verify");
    let browser = Browser::signed_in(&server.base, &t.office);
    browser
        .get("/standards/ADJ-01-01/records/1/proof")
        .expect(409)
        .has("id=\"problem\"");
    let page = browser.get("/verification").expect(200);
    page.has("id=\"verification\"")
        .has("id=\"checkpoint\" data-signed=\"false\"")
        .has("id=\"verify-run\" method=\"get\"")
        .has("id=\"verify-button\" type=\"submit\" name=\"run\" value=\"1\"");
    assert!(!page.text.contains("id=\"verify-result\""));
    let run = browser.get("/verification?run=1").expect(200);
    run.has("data-ok=\"true\"").has("id=\"verify-result\"");
}

/// Consultation on `draft` from opening to the leading group's approval, through the
/// API, from `month` of 2023 (opinions from both groups, both answered).
fn consult_and_approve(client: &Client, t: &common::Tokens, draft: Value, month: u32) {
    let day = |d: u32| format!("2023-{month:02}-{d:02}");
    let next = |d: u32| format!("2023-{:02}-{d:02}", month + 1);
    client
        .act(&t.department, CODE, "open_consultation", draft, &day(10))
        .expect(201);
    client
        .act(&t.department, CODE, "record_opinion", opinion(1), &day(12))
        .expect(201);
    let administrative =
        json!({"opinion": {"source": "administrative", "author": "刘科员", "content": "请统一笔录格式"}});
    client
        .act(&t.department, CODE, "record_opinion", administrative, &day(13))
        .expect(201);
    for n in [1, 2] {
        client
            .act(
                &t.department,
                CODE,
                "respond_to_opinion",
                json!({"opinion": n, "response": {"decision": "adopted"}}),
                &day(15),
            )
            .expect(201);
    }
    client
        .act(&t.department, CODE, "close_consultation", json!({}), &next(12))
        .expect(201);
    let mut meeting = common::meeting();
    meeting["meeting"]["date"] = json!(next(15));
    client.act(&t.leader, CODE, "approve", meeting, &next(15)).expect(201);
}

#[test]
fn two_versions_differ_side_by_side() {
    let (_s, t, server, client) = served("pages-versions");
    drafting(&client, &t);
    consult_and_approve(&client, &t, draft(), 3);
    client
        .act(
            &t.office,
            CODE,
            "publish",
            json!({"document_number": "红林法〔2023〕15号", "date": "2023-04-20"}),
            "2023-04-20",
        )
        .expect(201);
    client
        .act(&t.office, CODE, "begin_follow_up", json!({}), "2023-05-02")
        .expect(201);
    client
        .act(
            &t.office,
            CODE,
            "open_revision",
            json!({"cause": {"kind": "gap"}, "summary": "补充线上庭前会议"}),
            "2023-05-20",
        )
        .expect(201);
    let mut revised = draft();
    revised["draft"]["text"] = json!("民事案件庭前会议标准（修订稿）");
    consult_and_approve(&client, &t, revised, 6);
    client
        .act(
            &t.office,
            CODE,
            "publish",
            json!({"document_number": "红林法〔2023〕31号", "date": "2023-07-20"}),
            "2023-07-20",
        )
        .expect(201);
    let browser = Browser::signed_in(&server.base, &t.department);
    let page = browser.get("/standards/ADJ-01-01").expect(200);
    page.has("id=\"versions\"")
        .has("<tr data-version=\"2\">")
        .has("红林法〔2023〕31号")
        .has("id=\"diff-form\"")
        .has("name=\"a\"")
        .has("name=\"b\"");
    let diff = browser.get("/standards/ADJ-01-01/diff?a=1&b=2&lang=en").expect(200);
    diff.has("v1 · 红林法〔2023〕15号 · 2023-04-20")
        .has("v2 · 红林法〔2023〕31号 · 2023-07-20")
        .has("<del>民事案件庭前会议标准（征求意见稿）</del>")
        .has("<ins>民事案件庭前会议标准（修订稿）</ins>")
        .has("[Procedural requirements]")
        .has("data-changed=\"1\"");
}

#[test]
fn the_same_form_posted_twice_at_once_writes_once() {
    let (_s, t, server, client) = served("pages-race");
    let office = Browser::signed_in(&server.base, &t.office);
    let path = "/standards/ADJ-01-01/do/assign_department";
    let key = office.get(path).expect(200).has("list=\"departments\"").form_key();
    let before = client.size();
    let answers: Vec<Page> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    office.post(
                        path,
                        &[
                            ("department", "立案庭"),
                            ("at", "2023-03-01"),
                            ("key", &key),
                            ("intent", "submit"),
                        ],
                    )
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for answer in &answers {
        assert_eq!(answer.status, 303, "{}", answer.text);
        assert_eq!(answer.location.as_deref(), Some("/standards/ADJ-01-01?done=2"));
    }
    assert_eq!(client.size(), before + 1);
}

#[test]
fn a_standard_s_name_is_escaped() {
    let (_s, t, server, client) = served("pages-escape");
    let mut catalog = regula_standards::catalog::BUILTIN_CATALOG.to_owned();
    catalog.push_str(
        "\n[[standards]]\ncode = \"ADJ-01-99\"\ncategory = \"ADJ-01\"\nitem = 99\nzh = \"<script>alert(1)</script>标准\"\nen = \"<img src=x onerror=alert(1)>\"\ndepartment = \"立案庭\"\n",
    );
    client
        .post_text("/v1/catalog/import", Some(&t.admin), &catalog, "text/plain", &[])
        .expect(200);
    let browser = Browser::signed_in(&server.base, &t.office);
    for path in [
        "/standards/ADJ-01-99",
        "/standards/ADJ-01-99?lang=en",
        "/standards/ADJ-01-99/do/assign_department",
    ] {
        let page = browser.get(path).expect(200);
        assert!(!page.text.contains("<script>alert"), "{path}: {}", page.text);
        assert!(!page.text.contains("<img"), "{path}: {}", page.text);
    }
    browser
        .get("/standards/ADJ-01-99")
        .has("&lt;script&gt;alert(1)&lt;/script&gt;标准");
    browser
        .get("/standards/ADJ-01-99?lang=en")
        .has("&lt;img src=x onerror=alert(1)&gt;");
}
