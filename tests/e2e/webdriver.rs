//! A minimal W3C WebDriver client for chromedriver on this machine: plain HTTP/1.1 over a local
//! socket and JSON. The few commands the journeys need do not justify an async client and its
//! dependency tree; chromedriver only ever listens on 127.0.0.1 here.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// The Debian packages the browser tests need.
const PACKAGES: &str = "the browser tests need Debian's `chromium` and `chromium-driver` packages \
    (apt-get install -y chromium chromium-driver; .ci/run installs them)";

/// The browser binary.
fn chromium() -> PathBuf {
    std::env::var_os("ATTEST_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

fn chromedriver() -> PathBuf {
    std::env::var_os("ATTEST_CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromedriver"))
}

/// A running chromedriver with one headless Chromium session; both end when dropped.
pub struct Browser {
    port: u16,
    session: String,
    driver: Child,
    _profile: tempfile::TempDir,
}

/// One HTTP exchange with chromedriver.
fn exchange(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(|e| e.to_string())?;
    let payload = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{payload}",
        payload.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut reader = BufReader::new(stream);
    let mut status = String::new();
    reader
        .read_line(&mut status)
        .map_err(|e| format!("read: {e}"))?;
    let mut chunked = false;
    let mut length: Option<usize> = None;
    loop {
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .map_err(|e| format!("read: {e}"))?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().ok();
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            reader
                .read_line(&mut size)
                .map_err(|e| format!("read: {e}"))?;
            let size = usize::from_str_radix(size.trim(), 16).map_err(|e| format!("chunk: {e}"))?;
            if size == 0 {
                break;
            }
            let mut chunk = vec![0; size + 2];
            reader
                .read_exact(&mut chunk)
                .map_err(|e| format!("read: {e}"))?;
            body.extend_from_slice(&chunk[..size]);
        }
    } else if let Some(length) = length {
        body.resize(length, 0);
        reader
            .read_exact(&mut body)
            .map_err(|e| format!("read: {e}"))?;
    } else {
        reader
            .read_to_end(&mut body)
            .map_err(|e| format!("read: {e}"))?;
    }
    let json: Value = serde_json::from_slice(&body).map_err(|e| {
        format!(
            "{status}: not JSON ({e}): {}",
            String::from_utf8_lossy(&body)
        )
    })?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if let Some(error) = value.get("error").and_then(Value::as_str) {
        let message = value
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Err(format!("{error}: {message}"));
    }
    Ok(value)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium with its own profile. Fails (never skips)
    /// when the packages are missing.
    pub fn start() -> Self {
        for binary in [chromium(), chromedriver()] {
            assert!(
                binary.exists(),
                "{} not found: {PACKAGES}",
                binary.display()
            );
        }
        let port = free_port();
        let driver = Command::new(chromedriver())
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromedriver ({e}): {PACKAGES}"));
        let started = Instant::now();
        while exchange(port, "GET", "/status", None)
            .ok()
            .and_then(|v| v.get("ready").and_then(Value::as_bool))
            != Some(true)
        {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not become ready: {PACKAGES}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1280,900", "--lang=en-NZ",
                ],
            },
        }}});
        let created = exchange(port, "POST", "/session", Some(&capabilities))
            .unwrap_or_else(|e| panic!("cannot start a Chromium session ({e}): {PACKAGES}"));
        let session = created["sessionId"]
            .as_str()
            .expect("session id")
            .to_owned();
        Self {
            port,
            session,
            driver,
            _profile: profile,
        }
    }

    fn command(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        exchange(self.port, method, &path, body.as_ref())
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"))
    }

    /// Opens a URL and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.command("POST", "/url", Some(json!({ "url": url })));
    }

    /// The current URL.
    pub fn url(&self) -> String {
        self.command("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Runs a script in the page and returns its result.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Runs a script that calls its last argument with the result when it is done.
    pub fn script_async(&self, script: &str, args: Value) -> Value {
        self.command(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    fn try_find(&self, css: &str) -> Option<String> {
        let path = format!("/session/{}/element", self.session);
        exchange(
            self.port,
            "POST",
            &path,
            Some(&json!({ "using": "css selector", "value": css })),
        )
        .ok()
        .and_then(|v| v.get(ELEMENT).and_then(Value::as_str).map(str::to_owned))
    }

    /// Waits up to 15 s for an element.
    pub fn find(&self, css: &str) -> Element<'_> {
        let started = Instant::now();
        loop {
            if let Some(id) = self.try_find(css) {
                return Element { browser: self, id };
            }
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "no element {css} on {}:\n{}",
                self.url(),
                self.text("body")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the URL satisfies `done`.
    pub fn wait_for_url(&self, what: &str, done: impl Fn(&str) -> bool) {
        let started = Instant::now();
        while !done(&self.url()) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "never reached {what}; at {}",
                self.url()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Presses a key (W3C key code, e.g. `\u{E004}` for Tab) on whatever has focus.
    pub fn press(&self, key: &str) {
        self.command(
            "POST",
            "/actions",
            Some(
                json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": [
                    { "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }
                ]}]}),
            ),
        );
    }

    /// The visible text of the first element matching `css` ("" when there is none). Read by script
    /// in one step, so a page replaced mid-read cannot leave a stale element behind.
    /// A script sent while a new page replaces the old one can fail ("execution context was
    /// destroyed"): it is tried again for a few seconds before that counts as a failure.
    pub fn text(&self, css: &str) -> String {
        let path = format!("/session/{}/execute/sync", self.session);
        let body = json!({
            "script": "const e = document.querySelector(arguments[0]); return e ? e.innerText : '';",
            "args": [css],
        });
        let started = Instant::now();
        loop {
            match exchange(self.port, "POST", &path, Some(&body)) {
                Ok(text) => return text.as_str().unwrap_or_default().to_owned(),
                Err(e) if started.elapsed() > Duration::from_secs(10) => {
                    panic!("reading {css}: {e}")
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Waits until the first element matching `css` shows `needle` (after a navigation that keeps
    /// the URL, such as a form posted back to its own page).
    pub fn wait_for_text(&self, css: &str, needle: &str) {
        let started = Instant::now();
        while !self.text(css).contains(needle) {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{css} never showed {needle:?}; it shows: {}",
                self.text(css)
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sets the viewport as a device of this width shows it (a phone is mobile, with touch).
    pub fn viewport(&self, width: u32, height: u32) {
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
        );
    }

    fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.command(
            "POST",
            "/goog/cdp/execute",
            Some(json!({ "cmd": cmd, "params": params })),
        )
    }

    /// Saves the whole page (not only the viewport) as PNG at `width` px, under `dir`.
    pub fn screenshot(&self, dir: &Path, name: &str, width: u32) -> PathBuf {
        let height = self
            .script(
                "return Math.max(document.documentElement.scrollHeight, 400);",
                json!([]),
            )
            .as_u64()
            .unwrap_or(900);
        self.viewport(width, u32::try_from(height.min(12_000)).unwrap_or(900));
        // Layout may change height at the new width: measure again.
        let height = self
            .script(
                "return Math.max(document.documentElement.scrollHeight, 400);",
                json!([]),
            )
            .as_u64()
            .unwrap_or(900);
        self.viewport(width, u32::try_from(height.min(12_000)).unwrap_or(900));
        let shot = self.cdp("Page.captureScreenshot", json!({ "format": "png" }));
        let data = shot["data"].as_str().expect("screenshot data");
        let png = base64::engine::general_purpose::STANDARD
            .decode(data)
            .expect("screenshot is base64");
        std::fs::create_dir_all(dir).expect("screenshot dir");
        let path = dir.join(format!("{name}-{width}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = exchange(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// An element of the current page.
pub struct Element<'a> {
    browser: &'a Browser,
    id: String,
}

impl Element<'_> {
    fn command(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        self.browser
            .command(method, &format!("/element/{}{what}", self.id), body)
    }

    /// Clicks it (scrolled into view first, as a user would).
    pub fn click(&self) {
        self.command("POST", "/click", Some(json!({})));
    }

    /// Types into it.
    pub fn send_keys(&self, text: &str) {
        self.command("POST", "/value", Some(json!({ "text": text })));
    }

    /// Empties an input.
    pub fn clear(&self) {
        self.command("POST", "/clear", Some(json!({})));
    }

    /// Its visible text.
    pub fn text(&self) -> String {
        self.command("GET", "/text", None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Whether a checkbox or radio button is ticked.
    pub fn selected(&self) -> bool {
        self.command("GET", "/selected", None)
            .as_bool()
            .unwrap_or(false)
    }
}
