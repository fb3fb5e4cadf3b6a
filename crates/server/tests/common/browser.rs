//! A browser for the pages' tests: it carries the session cookie it was given (none
//! of its own jar) and follows no redirect, so that tests see each answer as it is.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// A page's answer.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    pub set_cookie: Vec<String>,
    pub content_type: String,
    pub disposition: Option<String>,
    pub text: String,
}

impl Page {
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status, status, "{}", self.text);
        self
    }

    pub fn has(&self, needle: &str) -> &Self {
        assert!(self.text.contains(needle), "no {needle:?} in:\n{}", self.text);
        self
    }

    pub fn count(&self, needle: &str) -> usize {
        self.text.matches(needle).count()
    }

    /// The idempotency key rendered into the action form.
    pub fn form_key(&self) -> String {
        let start = self.text.find("name=\"key\" value=\"").expect("a form key") + "name=\"key\" value=\"".len();
        let rest = &self.text[start..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

/// A browser without cookies of its own: it carries the session cookie it was given
/// and does not follow redirects, so that tests see them.
pub struct Browser {
    agent: ureq::Agent,
    base: String,
    session: Option<String>,
}

impl Browser {
    pub fn new(base: &str) -> Self {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .build();
        Browser {
            agent: ureq::Agent::new_with_config(config),
            base: base.to_owned(),
            session: None,
        }
    }

    /// A browser signed in with `token`'s secret.
    pub fn signed_in(base: &str, token: &str) -> Self {
        let mut browser = Browser::new(base);
        let page = browser.post("/signin", &[("token", token), ("next", "/")]).expect(303);
        let cookie = page
            .set_cookie
            .iter()
            .find(|c| c.starts_with("regula_session="))
            .expect("a session cookie");
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );
        browser.session = Some(cookie.split(';').next().unwrap().to_owned());
        browser
    }

    fn page(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Page {
        let mut response = result.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let location = header("location");
        let content_type = header("content-type").unwrap_or_default();
        let disposition = header("content-disposition");
        let set_cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect();
        Page {
            status: response.status().as_u16(),
            location,
            set_cookie,
            content_type,
            disposition,
            text: response.body_mut().read_to_string().unwrap(),
        }
    }

    pub fn get(&self, path: &str) -> Page {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.session {
            request = request.header("Cookie", cookie);
        }
        Self::page(request.call())
    }

    /// Posts a form from this site (the `Origin` a browser sends).
    pub fn post(&self, path: &str, form: &[(&str, &str)]) -> Page {
        let origin = self.base.clone();
        self.post_from(path, form, &origin)
    }

    pub fn post_from(&self, path: &str, form: &[(&str, &str)], origin: &str) -> Page {
        let mut request = self.agent.post(format!("{}{path}", self.base)).header("Origin", origin);
        if let Some(cookie) = &self.session {
            request = request.header("Cookie", cookie);
        }
        Self::page(request.send_form(form.iter().copied()))
    }
}

impl Browser {
    /// The same browser, sending `cookie` too (e.g. a remembered language).
    pub fn with_cookie(&self, cookie: &str) -> Browser {
        let session = match &self.session {
            Some(s) => format!("{s}; {cookie}"),
            None => cookie.to_owned(),
        };
        Browser {
            agent: self.agent.clone(),
            base: self.base.clone(),
            session: Some(session),
        }
    }

    /// A download's status, `Content-Disposition` and bytes.
    pub fn get_bytes(&self, path: &str) -> (u16, Option<String>, Vec<u8>) {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.session {
            request = request.header("Cookie", cookie);
        }
        let response = request.call().unwrap();
        let status = response.status().as_u16();
        let disposition = response
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (status, disposition, response.into_body().read_to_vec().unwrap())
    }
}
