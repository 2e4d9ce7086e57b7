//! A local CloudFormation endpoint for the end-to-end tests: moto in server mode on a
//! free loopback port, started by `scripts/moto_server.py` (which documents the moto
//! gaps it fills), installed pinned by `scripts/install-tools.sh`. A missing tool fails
//! the test; it never skips.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{cfn_lint, root};

pub struct Moto {
    child: Child,
    pub port: u16,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

impl Moto {
    pub fn start() -> Moto {
        // The same script installs cfn-lint and moto, pinned.
        let python = cfn_lint().with_file_name("python");
        let port = free_port();
        let child = Command::new(&python)
            .arg(root().join("scripts/moto_server.py"))
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto with {}: {e}", python.display()));
        let moto = Moto { child, port };
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not listen on 127.0.0.1:{port} within 60 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// From now on the helpers' requests to this endpoint (queries, stack status, JSON
    /// calls without a key of their own) look into the account of `access_key`, as a
    /// person signed in there would; `rcdk` still runs with the caller's credentials.
    pub fn look_in(&self, access_key: &str) {
        if let Ok(mut m) = LOOKING_IN.lock() {
            m.insert(self.port, access_key.to_owned());
        }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A query-protocol call to one of moto's services (moto routes on the credential
    /// scope and does not check signatures); returns the response body.
    pub fn query(&self, service: &str, action: &str, version: &str) -> String {
        http_post(
            self.port,
            service,
            &format!("Action={action}&Version={version}"),
        )
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Ok(mut m) = LOOKING_IN.lock() {
            m.remove(&self.port);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request to moto as a client in `region` would send it (moto routes on the
/// credential scope and does not check signatures); returns the whole answer.
fn moto_request(
    port: u16,
    region: &str,
    service: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> String {
    let key = LOOKING_IN
        .lock()
        .map(|m| m.get(&port).cloned())
        .ok()
        .flatten()
        .unwrap_or_else(|| "test".to_owned());
    moto_request_as(port, &key, region, service, path, headers, body)
}

/// Per endpoint (port), the access key the helpers' requests sign with, when a test
/// looks into another account than the caller's ([`Moto::look_in`]).
static LOOKING_IN: std::sync::Mutex<std::collections::BTreeMap<u16, String>> =
    std::sync::Mutex::new(std::collections::BTreeMap::new());

/// A request signed (in form: moto reads the key, not the signature) with `access_key`,
/// whose account moto acts in.
fn moto_request_as(
    port: u16,
    access_key: &str,
    region: &str,
    service: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> String {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}\
         Authorization: AWS4-HMAC-SHA256 Credential={access_key}/20260101/{region}/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // Moto's server now and then resets a connection it has answered (or before it
    // read the request): keep what arrived, and ask again only when nothing did.
    for attempt in 1..=4 {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to moto");
        stream.write_all(request.as_bytes()).expect("send");
        let mut response = Vec::new();
        let mut chunk = [0u8; 8192];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => response.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) => panic!("read from moto: {e}"),
            }
        }
        if !response.is_empty() || attempt == 4 {
            return String::from_utf8_lossy(&response).into_owned();
        }
        std::thread::sleep(std::time::Duration::from_millis(200 * attempt));
    }
    unreachable!("the last attempt returns")
}

const FORM: &str = "Content-Type: application/x-www-form-urlencoded\r\n";

/// `application/x-www-form-urlencoded` text of a value.
pub fn form(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn http_post(port: u16, service: &str, body: &str) -> String {
    http_post_in(port, "us-east-1", service, body)
}

/// A query-protocol call to one of moto's services in `region`.
pub fn http_post_in(port: u16, region: &str, service: &str, body: &str) -> String {
    moto_request(port, region, service, "/", FORM, body)
}

/// A query-protocol call in us-east-1 with `access_key` (in that key's account).
pub fn http_post_as(port: u16, access_key: &str, service: &str, body: &str) -> String {
    http_post_as_in(port, access_key, "us-east-1", service, body)
}

/// A query-protocol call in `region` with `access_key` (in that key's account).
pub fn http_post_as_in(
    port: u16,
    access_key: &str,
    region: &str,
    service: &str,
    body: &str,
) -> String {
    moto_request_as(port, access_key, region, service, "/", FORM, body)
}

/// Creates a public hosted zone for `name` in moto and returns its id (without the
/// `/hostedzone/` prefix).
pub fn route53_create_zone(port: u16, name: &str) -> String {
    let body = format!(
        "<CreateHostedZoneRequest xmlns=\"https://route53.amazonaws.com/doc/2013-04-01/\"><Name>{name}</Name><CallerReference>rcdk-test</CallerReference></CreateHostedZoneRequest>"
    );
    let response = moto_request(
        port,
        "us-east-1",
        "route53",
        "/2013-04-01/hostedzone",
        "Content-Type: application/xml\r\n",
        &body,
    );
    response
        .split_once("<Id>/hostedzone/")
        .and_then(|(_, rest)| rest.split_once("</Id>"))
        .map(|(id, _)| id.to_owned())
        .unwrap_or_else(|| panic!("no hosted zone id in {response}"))
}

/// A JSON-protocol call (`X-Amz-Target`) to one of moto's services in `region`; returns
/// the body of the answer.
pub fn json_call(port: u16, region: &str, service: &str, target: &str, body: &str) -> String {
    let headers = format!("Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {target}\r\n");
    body_of(moto_request(port, region, service, "/", &headers, body))
}

/// The body of an HTTP answer.
fn body_of(response: String) -> String {
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or(response)
}

/// A JSON-protocol call in us-east-1 with `access_key` (in that key's account); the body
/// of the answer.
pub fn json_call_as(
    port: u16,
    access_key: &str,
    service: &str,
    target: &str,
    body: &str,
) -> String {
    let headers = format!("Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: {target}\r\n");
    body_of(moto_request_as(
        port,
        access_key,
        "us-east-1",
        service,
        "/",
        &headers,
        body,
    ))
}

/// Runs the `rcdk` binary against `endpoint` with dummy credentials and nothing
/// from this machine's AWS configuration.
pub fn rcdk(endpoint: &str, args: &[&str]) -> Output {
    rcdk_command(endpoint, args)
        .stdin(Stdio::null())
        .output()
        .expect("rcdk runs")
}

/// The `rcdk` command [`rcdk`] runs, to spawn with other standard streams.
pub fn rcdk_command(endpoint: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rcdk"));
    cmd.args(args)
        .current_dir(root())
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    cmd
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The dev environment of the reference app, synthesized into `dir`, optionally with
/// another settings file.
pub fn dev_assembly(dir: &Path, config: Option<&Path>) -> PathBuf {
    let app = rcdk::App::with_context(Default::default(), dir);
    app.set_context("env", "dev".into());
    if let Some(c) = config {
        app.set_context("config", c.display().to_string().into());
    }
    rcdk_apps::build(&app).unwrap_or_else(|e| panic!("{e}"));
    app.synth_to(dir).unwrap_or_else(|e| panic!("{e}"));
    dir.to_path_buf()
}
