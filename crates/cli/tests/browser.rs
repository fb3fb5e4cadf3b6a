//! The README's tour through the web pages, in a real browser: headless Chromium driven
//! over WebDriver (ChromeDriver) against a real `regula serve --sign` process. The office
//! assigns, the department drafts, sees a consultation refused with its reasons, closes
//! it after 30 days, a leading group member approves, the office publishes; the
//! dashboard's figures change, and a proof bundle downloaded with the browser's session
//! verifies with `regula verify-proof`. Each page visited is saved as a 1366×768 PNG (and
//! the dashboard and a standard at phone width) under `target/screenshots/`.
//!
//! The page contract is `pages-spec` (issue 15): ids and classes, not wording.
//! Needs `chromium` and `chromedriver` (`scripts/test.sh` installs them as root);
//! `REGULA_BROWSER_SKIP=1` skips this test on purpose, saying so.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "browser/webdriver.rs"]
mod webdriver;

use std::path::{Path, PathBuf};
use std::time::Instant;

use common::*;
use serde_json::Value;
use webdriver::{Binaries, Driver, Element, Session, png_size};

/// The standard of the README's tour.
const TOUR: &str = "ADJ-01-01";
/// The office, the department and the leading group member of the tour.
const WANG: &str = "wang@综合办公室";
const LI: &str = "li@立案庭";
const CHEN: &str = "陈伟";

/// The desktop size of every screenshot, and a phone's.
const DESKTOP: (u32, u32) = (1366, 768);
const PHONE: (u32, u32) = (390, 844);

/// Whether `s` has Chinese characters (CJK unified ideographs).
fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The browser, the server, and where screenshots go.
struct Tour {
    s: Scratch,
    served: Served,
    // Declared before the driver: the session (and its Chromium) ends first.
    web: Session,
    _driver: Driver,
    shots: PathBuf,
    shot_count: usize,
    size: (u32, u32),
    /// Breaches of the page contract that do not stop the tour, reported together at
    /// its end (the test fails on any).
    breaches: Vec<String>,
}

impl Tour {
    /// Notes a breach of the contract unless `ok`, and goes on.
    fn check(&mut self, ok: bool, breach: impl FnOnce() -> String) {
        if !ok {
            self.breaches.push(breach());
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.served.base)
    }

    /// Opens `path` and waits for `css`.
    fn open(&self, path: &str, css: &str) -> Element {
        self.web.goto(&self.url(path));
        self.web.wait_for(css)
    }

    /// Saves the viewport as `name.png` and checks its size. Names, not numbers: the
    /// README shows some of them, copied to `docs/screenshots/` under the same names.
    fn shot(&mut self, name: &str) {
        self.shot_count += 1;
        let png = self.web.screenshot();
        assert_eq!(png_size(&png), self.size, "screenshot {name}");
        let file = self.shots.join(format!("{name}.png"));
        assert!(!file.exists(), "two screenshots named {name}");
        std::fs::write(&file, png).unwrap();
    }

    /// Signs in with a token's secret on the sign-in page and waits for the page
    /// that shows who is signed in.
    fn sign_in(&mut self, secret: &str, who: &[&str]) {
        self.open("/signin", "form#signin");
        let token = self.web.wait_for("#signin input#token[name=token][type=password]");
        self.web.type_into(&token, secret);
        let submit = self.web.wait_for("#signin-submit");
        self.web.click(&submit);
        let whoami = self.web.wait_for("#whoami");
        let shown = self.web.text(&whoami);
        assert!(
            who.iter().any(|w| shown.contains(w)),
            "#whoami shows {shown:?}, not {who:?}"
        );
    }

    fn sign_out(&self) {
        let button = self.web.wait_for("#signout");
        self.web.click(&button);
        self.web.wait_for("form#signin");
        assert!(
            self.web.cookie("regula_session").is_none(),
            "the session cookie outlived sign-out"
        );
    }

    /// The standard's page: its machine state.
    fn state(&self, code: &str) -> String {
        let state = self.open(&format!("/standards/{code}"), "#standard #state");
        self.web.attr(&state, "data-state").unwrap_or_default()
    }

    /// The records the standard's timeline shows.
    fn timeline(&self) -> Vec<Element> {
        self.web.wait_for("#timeline");
        self.web.find_all("#timeline li.record")
    }

    /// From the standard's page, follows the action's link to its form.
    fn action_form(&self, code: &str, action: &str) {
        self.open(&format!("/standards/{code}"), "#standard #actions");
        let link = self
            .web
            .find(&format!("#actions a.action[data-action={action}]"))
            .unwrap_or_else(|| {
                panic!(
                    "no {action} in #actions of {code} for {}",
                    self.web.text(&self.web.wait_for("#whoami"))
                )
            });
        let href = self.web.attr(&link, "href").unwrap_or_default();
        assert!(
            href.ends_with(&format!("/standards/{code}/do/{action}")),
            "{action}'s link goes to {href}"
        );
        self.web.click(&link);
        self.web.wait_for("form#action-form[method=post]");
    }

    /// Fills the action form: `at`, then each `(dotted name, value)`.
    fn fill(&self, at: &str, fields: &[(String, Value)]) {
        let at_field = self.web.wait_for("#action-form [name=at]");
        self.fill_field(&at_field, &Value::String(at.to_owned()));
        for (name, value) in fields {
            self.fill_named(name, value);
        }
    }

    /// Fills the field `name` with `value`; an array goes into indexed fields
    /// (`name.0`, `name.1`…) when the form has them, else into one field (a line per
    /// string, or JSON for objects).
    fn fill_named(&self, name: &str, value: &Value) {
        let css = |n: &str| format!("#action-form [name=\"{n}\"]");
        match value {
            Value::Array(items) if self.web.find(&css(&format!("{name}.0"))).is_some() => {
                for (i, item) in items.iter().enumerate() {
                    self.fill_named(&format!("{name}.{i}"), item);
                }
            }
            Value::Object(fields) if self.web.find(&css(name)).is_none() => {
                for (key, item) in fields {
                    self.fill_named(&format!("{name}.{key}"), item);
                }
            }
            _ => {
                let field = self
                    .web
                    .find(&css(name))
                    .unwrap_or_else(|| panic!("the form has no field named {name}"));
                // A label names every field.
                let id = self.web.attr(&field, "id").unwrap_or_default();
                assert_eq!(id, format!("f-{name}"), "field {name}'s id");
                assert!(
                    self.web.find(&format!("#action-form label[for=\"{id}\"]")).is_some(),
                    "field {name} has no label"
                );
                self.fill_field(&field, value);
            }
        }
    }

    fn fill_field(&self, field: &Element, value: &Value) {
        let tag = self.web.tag(field);
        let kind = self.web.attr(field, "type").unwrap_or_default();
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Array(items) if items.iter().all(Value::is_string) => {
                items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("\n")
            }
            other => other.to_string(),
        };
        match (tag.as_str(), kind.as_str()) {
            ("select", _) => {
                let option = self
                    .web
                    .find_in(field, &format!("option[value=\"{text}\"]"))
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| panic!("no option {text} in a select"));
                self.web.click(&option);
            }
            ("input", "checkbox") => {
                let checked = self.web.attr(field, "checked").is_some_and(|c| c == "true");
                if checked != (value == &Value::Bool(true)) {
                    self.web.click(field);
                }
            }
            // Typing a date depends on the browser's locale: set it as a script would.
            ("input", "date") => self.web.set_value(field, &text),
            ("input", "datetime-local") if text.len() == 10 => self.web.set_value(field, &format!("{text}T09:00")),
            ("input", "datetime-local") => self.web.set_value(field, &text),
            _ => self.web.type_into(field, &text),
        }
    }

    /// Submits the form (intent `submit`): accepted, the standard's page with `#notice`.
    fn submit(&self, code: &str) {
        let button = self
            .web
            .wait_for("#action-form button#submit[name=intent][value=submit]");
        self.web.click(&button);
        self.web.wait_for("#notice");
        self.web.wait_for_url(&self.served.base, &format!("/standards/{code}"));
    }

    /// Submits the form and expects a refusal: its reasons.
    fn submit_refused(&mut self) -> Vec<String> {
        let button = self.web.wait_for("#action-form button#submit");
        self.web.click(&button);
        self.web.wait_for("section#refusal");
        let status = self.web.status();
        self.check(status == 422, || {
            format!("a refusal's page came with status {status}, not 422")
        });
        self.web
            .find_all("#refusal li.reason")
            .iter()
            .map(|r| self.web.text(r))
            .collect()
    }

    /// The action, from its link to its accepted submission.
    fn act(&mut self, code: &str, action: &str, at: &str, fields: &[(String, Value)], shot: Option<&str>) {
        self.action_form(code, action);
        self.fill(at, fields);
        if let Some(name) = shot {
            // Typing scrolled the form; the screenshot shows it from its top.
            self.web.script("window.scrollTo(0, 0);", vec![]);
            self.shot(name);
        }
        self.submit(code);
    }

    /// The dashboard's summary figures (every `data-count`, in order).
    fn figures(&self) -> Vec<String> {
        self.open("/", "#dashboard #progress-summary");
        let cells = self.web.find_all("#progress-summary [data-count]");
        assert!(!cells.is_empty(), "#progress-summary has no data-count");
        cells
            .iter()
            .map(|c| self.web.attr(c, "data-count").unwrap_or_default())
            .collect()
    }
}

/// `(name, value)` fields from `KEY=VALUE` pairs as the CLI writes them.
fn fields(pairs: &[(&str, &str)]) -> Vec<(String, Value)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
        .collect()
}

/// The leaves of a JSON payload file of `examples/payloads/`, as top-level fields.
fn payload(name: &str) -> Vec<(String, Value)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/payloads")
        .join(name);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `regula token issue --as WANG --for ACTOR`, its secret.
fn token(s: &Scratch, actor: &str) -> String {
    let issued = s
        .run(&["--json", "token", "issue", "--as", WANG, "--for", actor])
        .ok()
        .json();
    issued["secret"].as_str().unwrap().to_owned()
}

/// Where the screenshots go: `screenshots/` in Cargo's target directory, emptied first.
fn screenshots_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap_or(tmp).join("screenshots");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn readme_tour_in_the_browser() {
    if std::env::var_os("REGULA_BROWSER_SKIP").is_some() {
        eprintln!("browser test skipped on purpose (REGULA_BROWSER_SKIP is set)");
        return;
    }
    let started = Instant::now();
    let bins = Binaries::find().unwrap_or_else(|e| panic!("{e}"));

    // The store as the README's tour makes it, a signing key, and three tokens.
    let s = Scratch::new("browser");
    s.run(&["init"]).ok();
    s.run(&["catalog", "import", "--at", "2023-03-01"]).ok();
    s.run(&[
        "key",
        "generate",
        "court",
        "--secret",
        "court.key",
        "--public",
        "court.pub",
    ])
    .ok();
    let (wang, li, chen) = (token(&s, WANG), token(&s, LI), token(&s, CHEN));
    let store = s.store();
    let served = Served::start_with(&s, &["--store", store.to_str().unwrap()], &["--sign", "court.key"]);

    let driver = Driver::start(&bins.chromedriver);
    let web = Session::new(&driver, &bins.chromium, DESKTOP.0, DESKTOP.1);
    web.resize(DESKTOP.0, DESKTOP.1);
    let mut t = Tour {
        s,
        served,
        web,
        _driver: driver,
        shots: screenshots_dir(),
        shot_count: 0,
        size: DESKTOP,
        breaches: Vec::new(),
    };

    // Unsigned, a page sends the browser to sign in, and back after.
    t.web.goto(&t.url("/catalog"));
    t.web.wait_for("form#signin");
    let at = t.web.current_url();
    assert!(
        at.starts_with(&t.url("/signin?next=")) && at.contains("catalog"),
        "an unsigned page went to {at}"
    );
    assert!(t.web.html_lang().starts_with("zh"), "not Chinese by default");
    t.shot("signin");
    let token_field = t.web.wait_for("#token");
    t.web.type_into(&token_field, "not-a-token");
    t.web.click(&t.web.wait_for("#signin-submit"));
    t.web.wait_for("#signin-error");
    assert_eq!(t.web.status(), 401, "a wrong token's sign-in page");
    t.shot("signin-refused");

    // The office: dashboard, catalog, a department, the diagram.
    t.sign_in(&wang, &["wang"]);
    let figures_at_start = t.figures();
    for chart in ["steps", "domain", "department", "assessment"] {
        let found = t.web.find(&format!("figure.chart#chart-{chart} svg")).is_some();
        t.check(found, || {
            format!("the dashboard has no figure.chart#chart-{chart} with an <svg>")
        });
    }
    // As of today, years after the plan's deadlines, the tour's standard is overdue.
    let overdue = t.web.find(&format!("#overdue li[data-code={TOUR}]")).is_some();
    t.check(overdue, || format!("#overdue has no li[data-code={TOUR}]"));
    let unmarked = t
        .web
        .find_all("#overdue li:not([data-code]), #due-soon li:not([data-code])")
        .len();
    t.check(unmarked == 0, || {
        format!("{unmarked} items of #overdue or #due-soon lack data-code")
    });
    t.shot("dashboard");

    t.open("/catalog", "#catalog");
    let all = t.web.find_all("#catalog tr[data-code]").len();
    assert_eq!(all, 117, "the catalog lists {all} standards");
    t.shot("catalog");
    let q = t.web.wait_for("#catalog-filter input[name=q]");
    t.web.type_into(&q, &format!("{TOUR}\u{e007}"));
    t.web.wait_for_url(&t.served.base, "/catalog?");
    t.web.wait_for(&format!("#catalog tr[data-code={TOUR}]"));
    let found = t.web.find_all("#catalog tr[data-code]").len();
    assert!(found < all, "searching {TOUR} still lists {found}");
    t.shot("catalog-search");
    let department = t.web.find("#catalog a[href*='/departments/']");
    let department = department.unwrap_or_else(|| {
        t.open("/catalog", "#catalog");
        t.web.wait_for("a[href*='/departments/']")
    });
    t.web.click(&department);
    t.web.wait_for("#department");
    t.shot("department");

    t.open("/diagram", "#diagram svg");
    let labels = t.web.find_all("#diagram svg text");
    assert!(
        labels.iter().any(|l| has_cjk(&t.web.text(l))),
        "the diagram has no Chinese label"
    );
    t.shot("diagram");

    // Assigning: first a preview, which writes nothing.
    assert_eq!(t.state(TOUR), "research", "the tour's standard, as imported");
    let records_before = t.timeline().len();
    let logged_before = t.s.log(TOUR).len();
    t.shot("standard-imported");
    t.action_form(TOUR, "assign_department");
    t.fill("2023-03-01", &fields(&[("department", "立案庭")]));
    t.shot("assign-form");
    t.web.click(
        &t.web
            .wait_for("#action-form button#preview[name=intent][value=preview]"),
    );
    t.web.wait_for("#preview-result");
    assert_eq!(t.web.status(), 200, "a preview's page");
    t.shot("assign-preview");
    assert_eq!(t.s.log(TOUR).len(), logged_before, "a preview wrote to the log");
    let _ = t.state(TOUR);
    assert_eq!(t.timeline().len(), records_before, "a preview added to the timeline");
    t.act(
        TOUR,
        "assign_department",
        "2023-03-01",
        &fields(&[("department", "立案庭")]),
        None,
    );
    t.shot("assigned");
    t.sign_out();

    // The department drafts; a draft of only a text is refused, every reason shown.
    t.sign_in(&li, &["li"]);
    // Only what the department may do now: drafting, not the office's assignment.
    t.open(&format!("/standards/{TOUR}"), "#standard #actions");
    let offered: Vec<String> = t
        .web
        .find_all("#actions a.action[data-action]")
        .iter()
        .map(|a| t.web.attr(a, "data-action").unwrap_or_default())
        .collect();
    t.check(
        offered.iter().any(|a| a == "start_drafting")
            && !offered.iter().any(|a| a == "assign_department" || a == "publish"),
        || format!("the department is offered {offered:?} on {TOUR} in research"),
    );
    t.act(TOUR, "start_drafting", "2023-03-06", &[], None);
    assert_eq!(t.state(TOUR), "drafting");
    t.action_form(TOUR, "open_consultation");
    t.fill("2023-03-20", &fields(&[("draft.text", "草案")]));
    let reasons = t.submit_refused();
    t.shot("consultation-refused");
    assert!(
        reasons.len() >= 2,
        "a text-only draft fails several rules, shown: {reasons:?}"
    );
    assert!(
        reasons.iter().all(|r| has_cjk(r)),
        "reasons not in Chinese: {reasons:?}"
    );
    assert_eq!(t.state(TOUR), "drafting", "a refusal moved the standard");

    t.act(
        TOUR,
        "open_consultation",
        "2023-03-20",
        &payload("draft.json"),
        Some("draft-form"),
    );
    assert_eq!(t.state(TOUR), "consultation");
    let opinions = [
        (
            "2023-03-27",
            [
                ("opinion.source", "frontline"),
                ("opinion.author", "张法官"),
                ("opinion.content", "通知期限宜与开庭日期挂钩"),
            ],
        ),
        (
            "2023-03-28",
            [
                ("opinion.source", "administrative"),
                ("opinion.author", "刘科员"),
                ("opinion.content", "请统一笔录格式"),
            ],
        ),
    ];
    for (at, opinion) in opinions {
        t.act(TOUR, "record_opinion", at, &fields(&opinion), None);
    }
    t.act(
        TOUR,
        "respond_to_opinion",
        "2023-04-03",
        &fields(&[("opinion", "1"), ("response.decision", "adopted")]),
        None,
    );
    t.act(
        TOUR,
        "respond_to_opinion",
        "2023-04-03",
        &fields(&[
            ("opinion", "2"),
            ("response.decision", "not_adopted"),
            ("response.reason", "格式由上级法院统一规定"),
        ]),
        Some("respond-form"),
    );

    // Closing before the 30 days are over is refused, saying so; after, accepted.
    t.action_form(TOUR, "close_consultation");
    t.fill("2023-04-10", &[]);
    let reasons = t.submit_refused();
    t.shot("close-refused");
    assert!(
        reasons.iter().any(|r| r.contains("30")),
        "closing early is refused without the 30 days: {reasons:?}"
    );
    t.act(TOUR, "close_consultation", "2023-04-20", &[], None);
    t.sign_out();

    // A leading group member approves, by name.
    // A member is shown by name or by id (the access log's actor).
    t.sign_in(&chen, &[CHEN, "chen.wei"]);
    t.act(
        TOUR,
        "approve",
        "2023-04-25",
        &payload("meeting.json"),
        Some("approve-form"),
    );
    t.sign_out();

    // The office publishes; the dashboard's figures change.
    t.sign_in(&wang, &["wang"]);
    let figures_before = t.figures();
    assert_ne!(
        figures_before, figures_at_start,
        "assigning and drafting changed no figure"
    );
    t.act(
        TOUR,
        "publish",
        "2023-04-28",
        &fields(&[("document_number", "红林法〔2023〕15号"), ("date", "2023-04-28")]),
        Some("publish-form"),
    );
    t.shot("published");
    assert_eq!(t.state(TOUR), "published");
    let figures_after = t.figures();
    assert_ne!(
        figures_after, figures_before,
        "publishing changed no figure of the dashboard"
    );
    t.shot("dashboard-after");
    // The report page (not in the contract: only its frame is relied on).
    t.open("/reports", "#report");
    t.shot("reports");

    // The timeline: every record, the refusals marked, back-dated ones marked.
    t.open(&format!("/standards/{TOUR}"), "#standard #timeline");
    let records = t.timeline();
    let logged = t.s.log(TOUR);
    assert_eq!(records.len(), logged.len(), "the timeline and `regula log` differ");
    let classes: Vec<String> = records
        .iter()
        .map(|r| t.web.attr(r, "class").unwrap_or_default())
        .collect();
    let refused = classes
        .iter()
        .filter(|c| c.split_whitespace().any(|w| w == "refused"))
        .count();
    assert_eq!(refused, 2, "refusals marked: {classes:?}");
    // Every record of the tour was entered after the fact (--at, or the form's date).
    assert!(
        classes.iter().all(|c| c.split_whitespace().any(|w| w == "backdated")),
        "records not marked back-dated: {classes:?}"
    );
    assert!(t.web.find("#versions").is_some(), "no #versions");
    t.shot("standard-published");
    t.web
        .script("document.getElementById('timeline').scrollIntoView();", vec![]);
    t.shot("timeline");

    // A proof bundle from the publication's proof link, fetched with the browser's
    // session, verifies offline.
    let last = records
        .iter()
        .max_by_key(|r| {
            t.web
                .attr(r, "data-seq")
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        })
        .unwrap();
    let proof_link = t
        .web
        .find_in(last, "a.proof")
        .into_iter()
        .next()
        .expect("no proof link");
    let href = t.web.attr(&proof_link, "href").unwrap();
    let seq = logged.len();
    assert!(
        href.ends_with(&format!("/standards/{TOUR}/records/{seq}/proof")),
        "the last record's proof link is {href}"
    );
    let href = if href.starts_with('/') { t.url(&href) } else { href };
    let session = t.web.cookie("regula_session").expect("no session cookie");
    let mut response = agent()
        .get(&href)
        .header("Cookie", format!("regula_session={session}"))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200, "GET {href}");
    let bundle = response.body_mut().read_to_vec().unwrap();
    let file = t.s.file("proof.json");
    std::fs::write(&file, bundle).unwrap();
    t.s.run(&["verify-proof", file.to_str().unwrap(), "--key", "court.pub"])
        .ok();

    // English on request, and back.
    let state = t.open(&format!("/standards/{TOUR}?lang=en"), "#standard #state");
    assert!(
        t.web.html_lang().starts_with("en"),
        "?lang=en: <html lang={}>",
        t.web.html_lang()
    );
    let label = t.web.text(&state);
    assert!(
        !label.is_empty() && !has_cjk(&label),
        "the English state label is {label:?}"
    );
    t.shot("standard-en");
    t.open("/", "#dashboard");
    assert!(t.web.html_lang().starts_with("en"), "the language cookie did not stick");
    t.shot("dashboard-en");
    let state = t.open(&format!("/standards/{TOUR}?lang=zh"), "#standard #state");
    assert!(
        t.web.html_lang().starts_with("zh"),
        "?lang=zh: <html lang={}>",
        t.web.html_lang()
    );
    assert!(has_cjk(&t.web.text(&state)), "the Chinese state label");

    // Verification, signed by the server's key.
    t.open("/verification", "#verification form#verify-run[method=get]");
    t.web.click(&t.web.wait_for("#verify-button[name=run][value='1']"));
    let result = t.web.wait_for("#verify-result[data-ok]");
    assert_eq!(
        t.web.attr(&result, "data-ok").as_deref(),
        Some("true"),
        "{}",
        t.web.text(&result)
    );
    t.web.wait_for("#checkpoint");
    t.shot("verification");
    // The checkpoint the page shows is signed by the server's key, and the store
    // extends it, as `regula verify` says.
    let note = t
        .web
        .script("return document.getElementById('checkpoint').textContent;", vec![]);
    let cp = t.s.write("cp.txt", note.as_str().unwrap_or_default());
    t.s.run(&["verify", "--checkpoint", cp.to_str().unwrap(), "--key", "court.pub"])
        .ok();

    // At phone width.
    t.web.resize(PHONE.0, PHONE.1);
    t.size = PHONE;
    t.open("/", "#dashboard");
    t.shot("phone-dashboard");
    t.open(&format!("/standards/{TOUR}"), "#standard");
    t.shot("phone-standard");

    assert!(
        t.breaches.is_empty(),
        "the pages breach their contract:\n{}",
        t.breaches.join("\n")
    );
    // Straight to stderr, not through eprintln!, which the test harness captures: CI's
    // log names where the screenshots are.
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "browser test: {} screenshots in {} ({:.1} s)",
        t.shot_count,
        t.shots.display(),
        started.elapsed().as_secs_f64()
    );
}
