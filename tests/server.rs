//! A real `adscreen serve` on an ephemeral loopback port, for the service tests.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running server; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    client: reqwest::blocking::Client,
}

/// Creates a key in a data directory with the `adscreen keys add` command and returns it.
pub fn add_key(data_dir: &Path, scopes: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_adscreen"))
        .args(["keys", "add", "--scope", scopes, "--data-dir"])
        .arg(data_dir)
        .output()
        .expect("keys add runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

impl Server {
    /// Starts a server on `data_dir` with extra arguments and waits until it is ready.
    pub fn start(data_dir: &Path, args: &[&str]) -> Server {
        // reqwest's TLS needs a crypto provider in every process that builds a client.
        adscreen::fetch::install_tls_provider();
        let mut child = Command::new(env!("CARGO_BIN_EXE_adscreen"))
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .args(args)
            .env("ADSCREEN_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("server prints its address");
        let url = line
            .trim()
            .strip_prefix("adscreen listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        let server = Server {
            child,
            url,
            client: reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .expect("client"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(r) = server.client.get(server.at("/readyz")).send() {
                if r.status() == 200 {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "server not ready in 60 s");
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    /// The URL of a path.
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// A request builder with an optional key.
    pub fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
    ) -> reqwest::blocking::RequestBuilder {
        let r = self.client.request(method, self.at(path));
        match key {
            Some(k) => r.bearer_auth(k),
            None => r,
        }
    }

    /// GET a path; returns status and JSON body.
    pub fn get(&self, path: &str, key: Option<&str>) -> (u16, Value) {
        send(self.request(reqwest::Method::GET, path, key))
    }

    /// POST a body with a content type; returns status and JSON body.
    pub fn post(
        &self,
        path: &str,
        key: Option<&str>,
        content_type: &str,
        body: impl Into<Vec<u8>>,
    ) -> (u16, Value) {
        send(
            self.request(reqwest::Method::POST, path, key)
                .header("content-type", content_type)
                .body(body.into()),
        )
    }

    /// The number of stored adverts, from `/readyz`.
    pub fn stored(&self) -> u64 {
        self.get("/readyz", None).1["adverts"]
            .as_u64()
            .expect("adverts count")
    }

    /// Kills the server with SIGKILL (no shutdown at all) and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Stops the server with SIGTERM and waits for it to exit.
    pub fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends a request; returns status and JSON body (Null when the body is not JSON).
pub fn send(request: reqwest::blocking::RequestBuilder) -> (u16, Value) {
    let response = request.send().expect("request answered");
    let status = response.status().as_u16();
    let text = response.text().expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}
