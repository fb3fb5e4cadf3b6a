//! A small W3C WebDriver client over ureq, enough to drive Chromium through
//! ChromeDriver on loopback: sessions, navigation, elements, cookies, screenshots.
//!
//! Why not fantoccini: without TLS it still adds 26 crates to the lock file (through
//! the `webdriver` crate: a second `http`, `cookie` and `thiserror`, and ICU's text
//! segmentation data), and async; the test needs a dozen commands, which are JSON over
//! plain HTTP, and ureq is already the tests' HTTP client.
//!
//! Every wait polls a condition until a deadline; none sleeps for a guessed time.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{Value, json};

/// How long any wait for the browser may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The key under which WebDriver names an element (W3C WebDriver, "web element identifier").
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where the browser and its driver are, from `REGULA_CHROMIUM` / `REGULA_CHROMEDRIVER`
/// or the usual names on `PATH` (Debian's `chromium` and `chromedriver`).
pub struct Binaries {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Binaries {
    /// Finds both, or says what is missing and how to install it.
    pub fn find() -> Result<Self, String> {
        let chromium = from_env_or_path("REGULA_CHROMIUM", &["chromium", "chromium-browser", "google-chrome"]);
        let chromedriver = from_env_or_path("REGULA_CHROMEDRIVER", &["chromedriver"]);
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Ok(Binaries { chromium, chromedriver }),
            (chromium, chromedriver) => Err(format!(
                "the browser test needs Chromium and ChromeDriver ({} not found). Install them \
                 (Debian/Ubuntu: sudo apt-get install chromium chromium-driver fonts-wqy-zenhei; \
                 scripts/test.sh does it when run as root), or set REGULA_CHROMIUM and \
                 REGULA_CHROMEDRIVER, or skip this test on purpose with REGULA_BROWSER_SKIP=1.",
                [
                    chromium.is_none().then_some("chromium"),
                    chromedriver.is_none().then_some("chromedriver")
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" and ")
            )),
        }
    }
}

fn from_env_or_path(var: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(var) {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// A running `chromedriver`, killed when dropped.
pub struct Driver {
    child: Child,
    pub base: String,
}

impl Driver {
    /// Starts `chromedriver` on a free loopback port and waits until `/status` says
    /// it is ready.
    pub fn start(bin: &Path) -> Self {
        // A port the system just gave out, released for chromedriver to take.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = Command::new(bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let mut driver = Driver {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let agent = agent();
        let deadline = Instant::now() + DEADLINE;
        loop {
            let ready = agent
                .get(format!("{}/status", driver.base))
                .call()
                .ok()
                .and_then(|mut r| r.body_mut().read_json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited before it was ready: {status}");
            }
            assert!(Instant::now() < deadline, "chromedriver never became ready");
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::new_with_config(
        ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build(),
    )
}

/// A browser session; the browser quits when it is dropped (before the driver is
/// killed, so no Chromium is left behind even when the test fails).
pub struct Session {
    agent: ureq::Agent,
    url: String,
}

/// An element of the current page.
#[derive(Clone, Debug)]
pub struct Element(String);

/// A WebDriver command that failed: its error code and message.
#[derive(Debug)]
pub struct WdError {
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.error, self.message)
    }
}

impl Session {
    /// A new headless Chromium session of `width`×`height`, Chinese by default.
    pub fn new(driver: &Driver, chromium: &Path, width: u32, height: u32) -> Self {
        let agent = agent();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-dev-shm-usage",
                    "--disable-gpu",
                    "--hide-scrollbars",
                    "--force-device-scale-factor=1",
                    format!("--window-size={width},{height}"),
                    "--lang=zh-CN",
                ],
                "prefs": {"intl.accept_languages": "zh-CN,zh"}
            }
        }}});
        let v = call(&agent, "POST", &format!("{}/session", driver.base), Some(caps))
            .unwrap_or_else(|e| panic!("cannot start a Chromium session: {e}"));
        let id = v["sessionId"].as_str().expect("a session id").to_owned();
        Session {
            agent,
            url: format!("{}/session/{id}", driver.base),
        }
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        call(&self.agent, method, &format!("{}{path}", self.url), body)
    }

    fn must(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.cmd(method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    /// Opens `url` and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.must("POST", "/url", Some(json!({ "url": url })));
    }

    /// The current page's address.
    pub fn current_url(&self) -> String {
        self.must("GET", "/url", None).as_str().unwrap_or_default().to_owned()
    }

    /// Runs `script` (a function body; `arguments` are `args`) and returns its value.
    pub fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.must("POST", "/execute/sync", Some(json!({"script": script, "args": args})))
    }

    /// The first element matching `css`, if any.
    pub fn find(&self, css: &str) -> Option<Element> {
        match self.cmd("POST", "/element", Some(json!({"using": "css selector", "value": css}))) {
            Ok(v) => Some(Element(
                v[ELEMENT_KEY]
                    .as_str()
                    .unwrap_or_else(|| panic!("finding {css}: {v}"))
                    .to_owned(),
            )),
            Err(e) if e.error == "no such element" => None,
            Err(e) => panic!("finding {css}: {e}"),
        }
    }

    /// Every element matching `css`.
    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let v = self.must(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str())
                    .map(|id| Element(id.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Waits until an element matches `css`; the test fails at the deadline, showing
    /// where the browser is and what the page says.
    pub fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(e) = self.find(css) {
                return e;
            }
            if Instant::now() >= deadline {
                panic!(
                    "no {css} on {} within {DEADLINE:?}; the page says:\n{}",
                    self.current_url(),
                    self.body_text().chars().take(2000).collect::<String>()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the current address's path (and query) starts with `prefix`
    /// (relative to `base`).
    pub fn wait_for_url(&self, base: &str, prefix: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let url = self.current_url();
            if url.strip_prefix(base).is_some_and(|rest| rest.starts_with(prefix)) {
                return url;
            }
            assert!(
                Instant::now() < deadline,
                "still at {url}, not {base}{prefix}, after {DEADLINE:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The text the page shows.
    pub fn body_text(&self) -> String {
        self.script("return document.body ? document.body.innerText : '';", vec![])
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The HTTP status the current page came with (Navigation Timing's
    /// `responseStatus`), 0 when the browser does not say.
    pub fn status(&self) -> u64 {
        self.script(
            "const n = performance.getEntriesByType('navigation')[0];\
             return n && n.responseStatus ? n.responseStatus : 0;",
            vec![],
        )
        .as_u64()
        .unwrap_or(0)
    }

    /// The `<html lang>` of the current page.
    pub fn html_lang(&self) -> String {
        self.script("return document.documentElement.lang;", vec![])
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The element's visible text.
    pub fn text(&self, e: &Element) -> String {
        self.must("GET", &format!("/element/{}/text", e.0), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The element's tag name, in lower case.
    pub fn tag(&self, e: &Element) -> String {
        self.must("GET", &format!("/element/{}/name", e.0), None)
            .as_str()
            .unwrap_or_default()
            .to_lowercase()
    }

    /// The element's attribute (or property, as WebDriver's "get attribute" does).
    pub fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.must("GET", &format!("/element/{}/attribute/{name}", e.0), None)
            .as_str()
            .map(str::to_owned)
    }

    /// The elements inside `e` matching `css`.
    pub fn find_in(&self, e: &Element, css: &str) -> Vec<Element> {
        let v = self.must(
            "POST",
            &format!("/element/{}/elements", e.0),
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT_KEY].as_str())
                    .map(|id| Element(id.to_owned()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Clicks the element (waiting for the page it opens, as WebDriver does).
    pub fn click(&self, e: &Element) {
        self.must("POST", &format!("/element/{}/click", e.0), Some(json!({})));
    }

    /// Clears a text field and types `text` into it.
    pub fn type_into(&self, e: &Element, text: &str) {
        self.must("POST", &format!("/element/{}/clear", e.0), Some(json!({})));
        self.must(
            "POST",
            &format!("/element/{}/value", e.0),
            Some(json!({ "text": text })),
        );
    }

    /// Sets a field's value as a script would, firing `input` and `change`: for the
    /// fields whose typing depends on the browser's locale (dates).
    pub fn set_value(&self, e: &Element, value: &str) {
        self.script(
            "arguments[0].value = arguments[1];\
             arguments[0].dispatchEvent(new Event('input', {bubbles: true}));\
             arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            vec![json!({ ELEMENT_KEY: e.0 }), json!(value)],
        );
    }

    /// A cookie's value, `HttpOnly` ones included (WebDriver sees them; scripts do not).
    pub fn cookie(&self, name: &str) -> Option<String> {
        match self.cmd("GET", &format!("/cookie/{name}"), None) {
            Ok(v) => v["value"].as_str().map(str::to_owned),
            Err(e) if e.error == "no such cookie" => None,
            Err(e) => panic!("cookie {name}: {e}"),
        }
    }

    /// Resizes the window so that its viewport (what a screenshot shows) is
    /// `width`×`height`: even headless, Chromium's window keeps room for its frame.
    pub fn resize(&self, width: u32, height: u32) {
        self.must("POST", "/window/rect", Some(json!({"width": width, "height": height})));
        let inner = self.script("return [window.innerWidth, window.innerHeight];", vec![]);
        let size = |i: usize| inner[i].as_u64().and_then(|n| u32::try_from(n).ok()).unwrap_or(0);
        let (w, h) = (2 * width - size(0).min(width), 2 * height - size(1).min(height));
        if (w, h) != (width, height) {
            self.must("POST", "/window/rect", Some(json!({"width": w, "height": h})));
        }
    }

    /// A PNG of the viewport.
    pub fn screenshot(&self) -> Vec<u8> {
        let v = self.must("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().expect("a base64 screenshot"))
            .expect("a base64 screenshot")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = call(&self.agent, "DELETE", &self.url, None);
    }
}

fn call(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Result<Value, WdError> {
    let response = match method {
        "GET" => agent.get(url).call(),
        "DELETE" => agent.delete(url).call(),
        _ => agent.post(url).send_json(body.unwrap_or_else(|| json!({}))),
    };
    let mut response = response.map_err(|e| WdError {
        error: "transport".into(),
        message: e.to_string(),
    })?;
    let ok = response.status().is_success();
    let v: Value = response
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_json()
        .map_err(|e| WdError {
            error: "response".into(),
            message: e.to_string(),
        })?;
    let value = v.get("value").cloned().unwrap_or(Value::Null);
    if ok {
        Ok(value)
    } else {
        Err(WdError {
            error: value["error"].as_str().unwrap_or("unknown error").to_owned(),
            message: value["message"].as_str().unwrap_or_default().to_owned(),
        })
    }
}

/// The width and height a PNG's header gives.
pub fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}
