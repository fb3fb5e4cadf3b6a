//! The service over real HTTP on a real SQLite store: every operation, who may do
//! what, retries and races.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{CODE, Client, Scratch, Server, consulted, draft, drafting, meeting, opinion, prepare};
use regula_server::StoreLocation;
use serde_json::json;

fn served(tag: &str) -> (Scratch, common::Tokens, Server, Client) {
    let scratch = Scratch::new(tag);
    let tokens = prepare(&scratch.store());
    let server = Server::start(StoreLocation::Sqlite(scratch.store()));
    let client = Client::new(&server.base);
    (scratch, tokens, server, client)
}

#[test]
fn the_readme_tour_over_http() {
    let (_s, t, _server, client) = served("tour");
    drafting(&client, &t);
    // Refused: 422, every failed rule as data, and the refusal recorded.
    let refused = client
        .act(
            &t.department,
            CODE,
            "open_consultation",
            json!({"draft": {"text": "草案"}}),
            "2023-03-20",
        )
        .problem(422, "refused");
    assert!(refused["reasons"].as_array().unwrap().len() >= 2, "{refused}");
    assert!(refused["reasons"][0]["message"]["zh"].is_string(), "{refused}");
    assert!(refused["record"]["seq"].is_u64(), "{refused}");
    consulted(&client, &t);
    client
        .act(&t.leader, CODE, "approve", meeting(), "2023-04-25")
        .expect(201);
    let published = client
        .act(
            &t.office,
            CODE,
            "publish",
            json!({"document_number": "红林法〔2023〕15号", "date": "2023-04-28"}),
            "2023-04-28",
        )
        .expect(201);
    let record = published.conforms("AuditRecord");
    assert_eq!(record["action"], "publish");
    // The actor is the token's.
    assert_eq!(record["actor"]["id"], "wang");
    let shown = client
        .get(&format!("/v1/standards/{CODE}"), Some(&t.department))
        .expect(200);
    assert_eq!(shown.etag.as_deref(), Some(format!("\"{}\"", record["seq"]).as_str()));
    assert_eq!(shown.conforms("StandardView")["state"], "published");
    // The log has every record, the refusal included.
    let log = client
        .get(&format!("/v1/standards/{CODE}/records"), Some(&t.office))
        .expect(200)
        .conforms("[AuditRecord]");
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "create",
            "assign_department",
            "start_drafting",
            "open_consultation",
            "open_consultation",
            "record_opinion",
            "record_opinion",
            "respond_to_opinion",
            "respond_to_opinion",
            "close_consultation",
            "approve",
            "publish"
        ]
    );
    let one = client
        .get(&format!("/v1/standards/{CODE}/records/4"), Some(&t.office))
        .expect(200)
        .json();
    assert_eq!(one, log[3]);
    client
        .get(&format!("/v1/standards/{CODE}/records/99"), Some(&t.office))
        .problem(404, "not-found");
    let verified = client
        .get("/v1/verify", Some(&t.office))
        .expect(200)
        .conforms("VerifyReport");
    assert_eq!(verified["ok"], true, "{verified}");
}

#[test]
fn reads_list_show_report_and_checkpoint() {
    let (_s, t, _server, client) = served("reads");
    drafting(&client, &t);
    let all = client
        .get("/v1/standards", Some(&t.office))
        .expect(200)
        .conforms("[StandardStatus]");
    assert_eq!(all.as_array().unwrap().len(), 117);
    let drafting_now = client
        .get("/v1/standards?state=drafting", Some(&t.office))
        .expect(200)
        .json();
    let codes: Vec<&str> = drafting_now
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, [CODE]);
    let by_department = client
        .get("/v1/standards?department=%E7%AB%8B%E6%A1%88%E5%BA%AD", Some(&t.office))
        .expect(200)
        .json();
    assert!(by_department.as_array().unwrap().iter().any(|s| s["code"] == CODE));
    let bad = client
        .get("/v1/standards?state=nonsense", Some(&t.office))
        .problem(400, "bad-request");
    assert!(
        bad["i18n"]["en"]["detail"].as_str().unwrap().contains("nonsense"),
        "{bad}"
    );
    client
        .get("/v1/standards?late=yesterday", Some(&t.office))
        .problem(400, "bad-request");
    // What blocks the next step.
    let shown = client
        .get(&format!("/v1/standards/{}", CODE.to_lowercase()), Some(&t.office))
        .expect(200)
        .conforms("StandardView");
    assert_eq!(shown["code"], CODE);
    assert!(shown["blockers"].as_array().is_some(), "{shown}");
    client
        .get("/v1/standards/NOPE-1", Some(&t.office))
        .problem(404, "not-found");
    // The catalog.
    let catalog = client
        .get("/v1/catalog", Some(&t.office))
        .expect(200)
        .conforms("[CatalogEntry]");
    assert_eq!(catalog.as_array().unwrap().len(), 117);
    // Reports in every format.
    let report = client
        .get("/v1/reports?as_of=2023-03-31", Some(&t.office))
        .expect(200)
        .conforms("Report");
    client
        .get("/v1/reports?sections=assessment&year=2023", Some(&t.office))
        .expect(200)
        .conforms("Report");
    assert!(report["progress"].is_array(), "{report}");
    let markdown = client
        .get("/v1/reports?format=markdown&as_of=2023-03-31", Some(&t.office))
        .expect(200);
    assert!(markdown.content_type.starts_with("text/markdown"));
    assert!(
        markdown.text.starts_with("# 标准化建设进度 截至 2023-03-31"),
        "{}",
        markdown.text
    );
    let english = client
        .get("/v1/reports?format=markdown&as_of=2023-03-31&lang=en", Some(&t.office))
        .expect(200);
    assert!(
        english.text.starts_with("# Standardization progress as of 2023-03-31"),
        "{}",
        english.text
    );
    let csv = client
        .get("/v1/reports?format=csv&sections=domain", Some(&t.office))
        .expect(200);
    assert!(csv.content_type.starts_with("text/csv"));
    assert!(csv.text.lines().count() > 3, "{}", csv.text);
    client
        .get("/v1/reports?format=pdf", Some(&t.office))
        .problem(406, "not-acceptable");
    client
        .get("/v1/reports?sections=weather", Some(&t.office))
        .problem(400, "bad-request");
    // A checkpoint, unsigned without a key; a proof needs a key.
    let checkpoint = client.get("/v1/checkpoint", Some(&t.office)).expect(200);
    assert!(checkpoint.text.starts_with("regula\n"), "{}", checkpoint.text);
    client
        .get(&format!("/v1/standards/{CODE}/records/2/proof"), Some(&t.office))
        .problem(409, "conflict");
    // The public endpoints.
    let metrics = client.get("/metrics", None).expect(200);
    assert!(
        metrics
            .text
            .contains("regula_http_requests_total{route=\"/v1/standards\",status=\"200\"}"),
        "{}",
        metrics.text
    );
    let openapi = client.get("/openapi.json", None).expect(200).json();
    assert_eq!(openapi["openapi"], "3.1.0");
    client.get("/no/such/path", None).problem(404, "not-found");
}

#[test]
fn english_problems_when_asked() {
    let (_s, _t, _server, client) = served("lang");
    let zh = client.get("/v1/standards", None).problem(401, "unauthorized");
    assert_eq!(zh["title"], "未认证");
    let en = client
        .get_with("/v1/standards", None, &[("Accept-Language", "en-US,en;q=0.9")])
        .problem(401, "unauthorized");
    assert_eq!(en["title"], "Unauthorized");
}

#[test]
fn no_token_a_wrong_one_or_a_revoked_one_is_401_and_changes_nothing() {
    let (_s, t, _server, client) = served("auth");
    let before = client.size();
    let wrong = format!("{}x", t.office);
    let garbage = "rgl_0000000000000000_AAAA".to_owned();
    for token in [
        None,
        Some(wrong.as_str()),
        Some(garbage.as_str()),
        Some(t.revoked.as_str()),
    ] {
        client.get("/v1/standards", token).problem(401, "unauthorized");
        let r = match token {
            Some(token) => client.act(
                token,
                CODE,
                "assign_department",
                json!({"department": "立案庭"}),
                "2023-03-01",
            ),
            None => client.post(
                &format!("/v1/standards/{CODE}/records"),
                None,
                &json!({"action": "assign_department"}),
                &[],
            ),
        };
        r.problem(401, "unauthorized");
    }
    assert_eq!(client.size(), before, "nothing was written");
}

#[test]
fn each_token_acts_only_as_its_actor_may() {
    let (_s, t, _server, client) = served("roles");
    let before = client.size();
    // The body cannot name an actor.
    client
        .post(
            &format!("/v1/standards/{CODE}/records"),
            Some(&t.department),
            &json!({"action": "assign_department", "payload": {"department": "立案庭"}, "actor": {"id": "陈伟"}}),
            &[],
        )
        .problem(400, "bad-request");
    // The office cannot act as the leading group.
    client
        .post(
            &format!("/v1/standards/{CODE}/records"),
            Some(&t.office),
            &json!({"action": "assign_department", "payload": {"department": "立案庭"}, "role": "leading_group", "at": "2023-03-01"}),
            &[],
        )
        .problem(403, "forbidden");
    // An admin token does not act on standards; an act token does not import.
    client
        .act(
            &t.admin,
            CODE,
            "assign_department",
            json!({"department": "立案庭"}),
            "2023-03-01",
        )
        .problem(403, "forbidden");
    client
        .post_text("/v1/catalog/import", Some(&t.office), "", "text/plain", &[])
        .problem(403, "forbidden");
    assert_eq!(client.size(), before, "nothing was written");
    drafting(&client, &t);
    // Another department's token, on 立案庭's standard: 403, nothing written.
    let size = client.size();
    client
        .act(&t.other_department, CODE, "open_consultation", draft(), "2023-03-20")
        .problem(403, "forbidden");
    assert_eq!(client.size(), size);
    // An admin token imports: the catalog is recorded already, and importing again opens nothing.
    let imported = client
        .post_text("/v1/catalog/import", Some(&t.admin), "", "text/plain", &[])
        .expect(200)
        .conforms("Imported");
    assert_eq!(imported["opened"].as_array().unwrap().len(), 0, "{imported}");
}

#[test]
fn a_retry_under_the_same_idempotency_key_answers_the_first_result() {
    let (_s, t, _server, client) = served("idempotent");
    drafting(&client, &t);
    client
        .act(&t.department, CODE, "open_consultation", draft(), "2023-03-20")
        .expect(201);
    let path = format!("/v1/standards/{CODE}/records");
    let body = json!({"action": "record_opinion", "payload": opinion(1), "at": "2023-03-27"});
    let first = client
        .post(&path, Some(&t.department), &body, &[("Idempotency-Key", "op-1")])
        .expect(201);
    assert!(!first.replayed);
    let size = client.size();
    let again = client
        .post(&path, Some(&t.department), &body, &[("Idempotency-Key", "op-1")])
        .expect(201);
    assert!(again.replayed);
    assert_eq!(again.json(), first.json());
    assert_eq!(client.size(), size, "the retry wrote nothing");
    // The same key for another request: 422, nothing written.
    let other = json!({"action": "record_opinion", "payload": opinion(2), "at": "2023-03-27"});
    client
        .post(&path, Some(&t.department), &other, &[("Idempotency-Key", "op-1")])
        .problem(422, "idempotency-key-reused");
    // A refusal is an answer too: retried, the same refusal, one record.
    let refused_body = json!({"action": "close_consultation", "at": "2023-03-28"});
    let refused = client.post(
        &path,
        Some(&t.department),
        &refused_body,
        &[("Idempotency-Key", "close-1")],
    );
    let first_refusal = refused.problem(422, "refused");
    let size = client.size();
    let again = client.post(
        &path,
        Some(&t.department),
        &refused_body,
        &[("Idempotency-Key", "close-1")],
    );
    assert!(again.replayed);
    assert_eq!(again.problem(422, "refused")["record"], first_refusal["record"]);
    assert_eq!(client.size(), size);
    // Keys are the token's own: another token's same key is another request.
    let office_try = client.post(
        &path,
        Some(&t.office),
        &json!({"action": "assign_department", "payload": {"department": "立案庭"}}),
        &[("Idempotency-Key", "close-1")],
    );
    assert!(!office_try.replayed);
    let office_refusal = office_try.problem(422, "refused");
    assert_ne!(office_refusal["record"]["seq"], first_refusal["record"]["seq"]);
    // Many concurrent retries of one request: one record.
    let size = client.size();
    let body = json!({"action": "record_opinion", "payload": opinion(3), "at": "2023-03-29"});
    let answers: Vec<serde_json::Value> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (client, body, token, path) = (client.clone(), body.clone(), t.department.clone(), path.clone());
                scope.spawn(move || {
                    client
                        .post(&path, Some(&token), &body, &[("Idempotency-Key", "op-3")])
                        .expect(201)
                        .json()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "every retry got the first record"
    );
    assert_eq!(client.size(), size + 1);
    let verified = client.get("/v1/verify", Some(&t.office)).expect(200).json();
    assert_eq!(verified["ok"], true, "{verified}");
}

#[test]
fn if_match_guards_against_a_log_that_moved_on() {
    let (_s, t, _server, client) = served("if-match");
    let shown = client
        .get(&format!("/v1/standards/{CODE}"), Some(&t.office))
        .expect(200);
    let etag = shown.etag.clone().unwrap();
    assert_eq!(etag, "\"1\"");
    let path = format!("/v1/standards/{CODE}/records");
    let assign = json!({"action": "assign_department", "payload": {"department": "立案庭"}, "at": "2023-03-01"});
    client
        .post(&path, Some(&t.office), &assign, &[("If-Match", &etag)])
        .expect(201);
    // The log is at #2 now: a request made on #1 is refused unmade.
    let size = client.size();
    let start = json!({"action": "start_drafting", "at": "2023-03-06"});
    let stale = client
        .post(&path, Some(&t.department), &start, &[("If-Match", &etag)])
        .problem(412, "precondition-failed");
    assert_eq!(stale["seq"], 2);
    assert_eq!(client.size(), size);
    client
        .post(&path, Some(&t.department), &start, &[("If-Match", "\"2\"")])
        .expect(201);
    client
        .post(&path, Some(&t.department), &start, &[("If-Match", "soon")])
        .problem(400, "bad-request");
}

#[test]
fn bad_requests_are_problems_that_change_nothing() {
    let (_s, t, _server, client) = served("bad");
    let before = client.size();
    let path = format!("/v1/standards/{CODE}/records");
    for body in ["", "{", "[]", "{\"action\": 3}", "{\"payload\": {}}"] {
        client
            .post_text(&path, Some(&t.office), body, "application/json", &[])
            .problem(400, "bad-request");
    }
    client
        .post(&path, Some(&t.office), &json!({"action": "fly"}), &[])
        .problem(400, "bad-request");
    client
        .post(
            &path,
            Some(&t.office),
            &json!({"action": "assign_department", "payload": {"department": 7}}),
            &[],
        )
        .problem(400, "bad-request");
    client
        .post(
            &path,
            Some(&t.office),
            &json!({"action": "assign_department", "payload": {"department": "立案庭"}, "at": "next week"}),
            &[],
        )
        .problem(400, "bad-request");
    client
        .post(
            &path,
            Some(&t.office),
            &json!({"action": "assign_department", "payload": {"department": "立案庭"}, "at": "2099-01-01"}),
            &[],
        )
        .problem(400, "bad-request");
    client
        .post(
            &path,
            Some(&t.office),
            &json!({"action": "assign_department", "role": "king"}),
            &[],
        )
        .problem(400, "bad-request");
    client
        .post(
            "/v1/standards/NOPE-1/records",
            Some(&t.office),
            &json!({"action": "assign_department"}),
            &[],
        )
        .problem(404, "not-found");
    // Too large a body: 413, answered from its Content-Length before it is read.
    assert_eq!(oversized(&client, &path, &t.office), 413);
    // A preview writes nothing.
    let preview = client
        .post(
            &format!("/v1/standards/{CODE}/preview"),
            Some(&t.office),
            &json!({"action": "assign_department", "payload": {"department": "立案庭"}}),
            &[],
        )
        .expect(200)
        .json();
    assert_eq!(preview["decision"], "accept", "{preview}");
    common::conforms(&preview, "Decision");
    let preview = client
        .post(
            &format!("/v1/standards/{CODE}/preview"),
            Some(&t.office),
            &json!({"action": "approve", "payload": meeting(), "role": "office"}),
            &[],
        )
        .expect(200)
        .json();
    assert_eq!(preview["decision"], "refuse", "{preview}");
    assert_eq!(client.size(), before, "nothing was written");
}

#[test]
fn concurrent_requests_are_committed_in_batches_and_none_is_lost() {
    let (_s, t, _server, client) = served("group");
    drafting(&client, &t);
    client
        .act(&t.department, CODE, "open_consultation", draft(), "2023-03-20")
        .expect(201);
    let before = client.size();
    let path = format!("/v1/standards/{CODE}/records");
    let (threads, each) = (16, 8);
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let (client, token, path) = (client.clone(), t.department.clone(), path.clone());
                scope.spawn(move || {
                    (0..each)
                        .map(|j| {
                            let body = json!({"action": "record_opinion", "payload": opinion(i * 100 + j)});
                            client.post(&path, Some(&token), &body, &[]).status
                        })
                        .collect::<Vec<u16>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    assert_eq!(
        client.size(),
        before + (threads * each) as u64,
        "every acknowledged record is there, once"
    );
    let metrics = client.get("/metrics", None).expect(200).text;
    // Some batch held more than one record (16 clients queue while one commits).
    let single: u64 = metric(&metrics, "regula_commit_batch_records_bucket{le=\"1\"}");
    let all: u64 = metric(&metrics, "regula_commit_batch_records_count");
    assert!(single < all, "no batch held more than one record:\n{metrics}");
    let verified = client.get("/v1/verify", Some(&t.office)).expect(200).json();
    assert_eq!(verified["ok"], true, "{verified}");
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name).map(|v| v.trim().parse().unwrap()))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"))
}

/// Sends a request announcing a 2 MiB body (the limit is 1 MiB) and returns the
/// status the service answers before any of the body was sent.
fn oversized(client: &Client, path: &str, token: &str) -> u16 {
    use std::io::{BufRead, BufReader, Write};
    let address = client.base().trim_start_matches("http://").to_owned();
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        2 << 20
    )
    .unwrap();
    let mut status = String::new();
    BufReader::new(stream).read_line(&mut status).unwrap();
    status.split_whitespace().nth(1).unwrap().parse().unwrap()
}

// Found by Schemathesis (scripts/api-fuzz.sh): a sequence number that is not one was
// answered by axum's own 400 in text/plain, not a problem.
#[test]
fn a_path_parameter_that_does_not_parse_is_a_problem() {
    let (_s, t, _server, client) = served("path");
    drafting(&client, &t);
    for path in [
        format!("/v1/standards/{CODE}/records/null,null"),
        format!("/v1/standards/{CODE}/records/-1/proof"),
        format!("/v1/standards/{CODE}/records/%FF"),
        "/v1/standards/%FF".to_owned(),
        "/v1/standards/%FF/records".to_owned(),
    ] {
        client.get(&path, Some(&t.office)).problem(400, "bad-request");
        client.get(&path, None).problem(401, "unauthorized");
    }
    for path in ["/v1/standards/%FF/records", "/v1/standards/%FF/preview"] {
        client
            .post(path, Some(&t.office), &json!({"action": "assign_department"}), &[])
            .problem(400, "bad-request");
    }
    let record = client
        .get(&format!("/v1/standards/{CODE}/records/2"), Some(&t.office))
        .expect(200);
    record.conforms("AuditRecord");
}

// Found by Schemathesis: `year=0` answered 200 with `"from": "-0001-12-31T16:00:00Z"`,
// which is no RFC 3339 `date-time` as the document promises. Years are 1900 to 2999.
#[test]
fn dates_outside_the_years_a_court_uses_are_refused() {
    let (_s, t, _server, client) = served("years");
    for path in [
        "/v1/reports?year=0".to_owned(),
        "/v1/reports?year=-5".to_owned(),
        "/v1/reports?year=3000".to_owned(),
        "/v1/reports?as_of=0000-01-01".to_owned(),
        "/v1/standards?late=0000-01-01".to_owned(),
        format!("/v1/standards/{CODE}?at=0000-01-01"),
    ] {
        let problem = client.get(&path, Some(&t.office)).problem(400, "bad-request");
        assert!(
            problem["i18n"]["en"]["detail"]
                .as_str()
                .unwrap()
                .contains("1900 to 2999"),
            "{path}: {problem}"
        );
    }
    client
        .get("/v1/reports?year=1900", Some(&t.office))
        .expect(200)
        .conforms("Report");
    client
        .get("/v1/reports?year=2999&as_of=2999-12-31", Some(&t.office))
        .expect(200)
        .conforms("Report");
    let document = regula_server::openapi::document();
    let year = document["paths"]["/v1/reports"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "year")
        .unwrap();
    assert_eq!(year["schema"]["minimum"], 1900, "{year}");
    assert_eq!(year["schema"]["maximum"], 2999, "{year}");
}

// Found by Schemathesis: a request without a token but with an empty If-Match (or a bad
// body or query) was answered 400, telling an unknown caller what the operation accepts.
#[test]
fn a_request_without_a_token_is_401_whatever_else_is_wrong_with_it() {
    let (_s, t, _server, client) = served("auth-first");
    let before = client.size();
    let path = format!("/v1/standards/{CODE}/records");
    let body = json!({"action": "assign_department", "payload": {"department": "立案庭"}});
    client
        .post(&path, None, &body, &[("If-Match", "")])
        .problem(401, "unauthorized");
    client
        .post(&path, None, &body, &[("Idempotency-Key", "")])
        .problem(401, "unauthorized");
    client
        .post_text(&path, None, "{", "application/json", &[])
        .problem(401, "unauthorized");
    client
        .post_text(
            &format!("/v1/standards/{CODE}/preview"),
            None,
            "{",
            "application/json",
            &[],
        )
        .problem(401, "unauthorized");
    for query in [
        "/v1/reports?year=abc",
        "/v1/standards?late=soon",
        "/v1/verify?full=maybe",
    ] {
        client.get(query, None).problem(401, "unauthorized");
        client.get(query, Some(&t.office)).problem(400, "bad-request");
    }
    client
        .post(&path, Some(&t.office), &body, &[("If-Match", "")])
        .problem(400, "bad-request");
    assert_eq!(client.size(), before, "nothing was written");
}

// Found by Schemathesis: `"payload": null` for an action whose fields are all optional
// was accepted by the service but refused by the document's schema.
#[test]
fn a_null_payload_of_an_action_with_optional_fields_only_is_documented() {
    let (_s, t, _server, client) = served("null-payload");
    client
        .act(
            &t.office,
            CODE,
            "assign_department",
            json!({"department": "立案庭"}),
            "2023-03-01",
        )
        .expect(201);
    let request = json!({"action": "start_drafting", "payload": null, "at": "2023-03-06"});
    common::conforms(&request, "ActionRequest");
    let preview = client
        .post(
            &format!("/v1/standards/{CODE}/preview"),
            Some(&t.department),
            &request,
            &[],
        )
        .expect(200)
        .conforms("Decision");
    assert_eq!(preview["decision"], "accept", "{preview}");
    client
        .post(
            &format!("/v1/standards/{CODE}/records"),
            Some(&t.department),
            &request,
            &[],
        )
        .expect(201)
        .conforms("AuditRecord");
}
