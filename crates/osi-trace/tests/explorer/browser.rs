//! A real headless Chromium driven through WebDriver: chromedriver on a free
//! loopback port (waited for, killed on drop), a fresh profile, and what the
//! page did — console messages (chromedriver's browser log) and network
//! requests (Chromium's own net log, read once the browser has quit).
//!
//! fantoccini drives it: a WebDriver client that is maintained, async on the
//! tokio the workspace already has, and takes any hyper connector, so that no
//! TLS stack is built for a driver that only ever listens on 127.0.0.1.
//! (thirtyfour is the other well-kept choice, but brings reqwest and more.)

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Context};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// chromedriver in a process group of its own: dropped, the whole group is
/// killed (the browser and its helpers, which outlive a closed session), and
/// waited for until none is left.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    /// Starts chromedriver on a free loopback port and waits for its "started" line.
    pub fn start() -> anyhow::Result<Driver> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        use std::os::unix::process::CommandExt;
        let mut child = Command::new("chromedriver")
            .process_group(0)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting chromedriver")?;
        let out = child.stdout.take().context("chromedriver's stdout")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let driver = Driver { child, port };
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(l) if l.contains("started successfully") => return Ok(driver),
                Ok(_) => {}
                Err(_) => bail!("chromedriver said nothing of starting within 30 s"),
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        use nix::sys::signal::{killpg, Signal};
        use nix::unistd::Pid;
        let group = Pid::from_raw(self.child.id() as i32);
        let _ = killpg(group, Signal::SIGKILL);
        let _ = self.child.wait();
        // Its members are reaped by init: wait (5 s at most) until the group is empty.
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while killpg(group, None).is_ok() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// One browser session on a fresh profile, logging its network to `net.json`.
pub struct Browser {
    pub client: Client,
    pub dir: tempfile::TempDir,
    _driver: Driver,
}

impl Browser {
    pub async fn open(width: u32, height: u32) -> anyhow::Result<Browser> {
        let driver = Driver::start()?;
        let dir = tempfile::tempdir()?;
        let profile = dir.path().join("profile");
        let net = dir.path().join("net.json");
        let caps = json!({
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--no-first-run", "--disable-sync",
                    format!("--user-data-dir={}", profile.display()),
                    format!("--log-net-log={}", net.display()),
                    format!("--window-size={width},{height}"),
                ],
            },
        });
        let Value::Object(caps) = caps else { unreachable!("an object") };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .context("a WebDriver session")?;
        Ok(Browser { client, dir, _driver: driver })
    }

    /// Opens a page from disk and waits until it says it is ready.
    pub async fn page(&self, path: &Path) -> anyhow::Result<()> {
        let path = path.canonicalize()?;
        let url = url::Url::from_file_path(&path).map_err(|()| anyhow::anyhow!("not a file path"))?;
        self.client.goto(url.as_str()).await?;
        self.until("document.documentElement.dataset.ready !== undefined").await
    }

    /// Waits (5 s at most) until `js` is true in the page.
    pub async fn until(&self, js: &str) -> anyhow::Result<()> {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        loop {
            if self.js(&format!("return !!({js});")).await? == json!(true) {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                bail!("not true after 5 s: {js}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn js(&self, js: &str) -> anyhow::Result<Value> {
        Ok(self.client.execute(js, vec![]).await?)
    }

    pub async fn click(&self, css: &str) -> anyhow::Result<()> {
        self.client.find(Locator::Css(css)).await?.click().await?;
        Ok(())
    }

    /// Moves the mouse over the element (a real pointer move, so mouseenter fires).
    pub async fn hover(&self, css: &str) -> anyhow::Result<()> {
        use fantoccini::actions::{InputSource, MouseActions, PointerAction};
        let element = self.client.find(Locator::Css(css)).await?;
        let moves = MouseActions::new("mouse".into()).then(PointerAction::MoveToElement {
            element,
            duration: None,
            x: 0.0,
            y: 0.0,
        });
        self.client.perform_actions(moves).await?;
        Ok(())
    }

    /// Types keys into the page (WebDriver's key codes for arrows: see [`RIGHT`]).
    pub async fn keys(&self, keys: &str) -> anyhow::Result<()> {
        self.client.find(Locator::Css("body")).await?.send_keys(keys).await?;
        Ok(())
    }

    /// The console messages so far (level, text).
    pub async fn console(&self) -> anyhow::Result<Vec<(String, String)>> {
        let log = self.client.issue_cmd(BrowserLog).await?;
        Ok(log
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| (e["level"].as_str().unwrap_or("").into(), e["message"].as_str().unwrap_or("").into()))
            .collect())
    }

    /// Ends the session and returns the requests the page made (URLs), from the net log.
    pub async fn quit(self) -> anyhow::Result<Vec<String>> {
        let net = self.dir.path().join("net.json");
        self.client.close().await?;
        drop(self._driver);
        page_requests(&net)
    }
}

/// WebDriver's arrow keys.
pub const RIGHT: &str = "\u{e014}";
pub const LEFT: &str = "\u{e012}";
pub const DOWN: &str = "\u{e015}";

/// chromedriver's browser log (not in W3C WebDriver, still served by chromedriver).
#[derive(Debug)]
struct BrowserLog;

impl fantoccini::wd::WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// The URL requests of a net log that a page started: Chromium's own background
/// requests (updates, sync) have no initiator ("not an origin"); a page's has one
/// (its origin, "null" for a file).
pub fn page_requests(net: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(net).with_context(|| format!("reading {}", net.display()))?;
    // A browser killed before it closed the log leaves the events array open.
    let log: Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))?;
    let mut urls = Vec::new();
    for e in log["events"].as_array().into_iter().flatten() {
        let p = &e["params"];
        let (Some(url), initiator) = (p["url"].as_str(), p["initiator"].as_str()) else { continue };
        if initiator.is_some_and(|i| i != "not an origin") {
            urls.push(url.to_string());
        }
    }
    urls.sort();
    urls.dedup();
    Ok(urls)
}

pub fn pages_dir() -> anyhow::Result<tempfile::TempDir> {
    Ok(tempfile::tempdir()?)
}

pub fn html_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}
