//! A faulty network in front of the local endpoint: for a while it answers every
//! third request with a throttling error and drops every third connection unanswered;
//! then it passes everything through.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const THROTTLE: &str = "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>";

pub struct FaultProxy {
    pub port: u16,
    pub throttled: Arc<AtomicUsize>,
    pub dropped: Arc<AtomicUsize>,
}

/// Reads one HTTP request (headers and a Content-Length body).
fn read_request(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let n = stream.read(&mut chunk).ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            return Some(buf);
        }
    }
}

/// Replaces the `Connection` header: one request per connection on both sides.
fn close_after(message: &[u8]) -> Vec<u8> {
    let Some(end) = message.windows(4).position(|w| w == b"\r\n\r\n") else {
        return message.to_vec();
    };
    let head = String::from_utf8_lossy(&message[..end]);
    let mut out: Vec<String> = head
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(str::to_owned)
        .collect();
    out.push("Connection: close".into());
    let mut bytes = out.join("\r\n").into_bytes();
    bytes.extend_from_slice(b"\r\n\r\n");
    bytes.extend_from_slice(&message[end + 4..]);
    bytes
}

fn forward(request: &[u8], upstream: u16) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(("127.0.0.1", upstream)).ok()?;
    up.write_all(&close_after(request)).ok()?;
    let mut response = Vec::new();
    up.read_to_end(&mut response).ok()?;
    Some(close_after(&response))
}

impl FaultProxy {
    /// Faults for the first `faulty` requests, then a clean pass-through.
    pub fn start(upstream: u16, faulty: usize) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("address").port();
        let (throttled, dropped) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let seen = Arc::new(AtomicUsize::new(0));
        let (t, d) = (throttled.clone(), dropped.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (t, d, seen) = (t.clone(), d.clone(), seen.clone());
                std::thread::spawn(move || {
                    let mut client = stream;
                    let Some(request) = read_request(&mut client) else {
                        return;
                    };
                    let n = seen.fetch_add(1, Ordering::SeqCst);
                    if n < faulty && n % 3 == 0 {
                        t.fetch_add(1, Ordering::SeqCst);
                        let reply = format!(
                            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{THROTTLE}",
                            THROTTLE.len()
                        );
                        let _ = client.write_all(reply.as_bytes());
                    } else if n < faulty && n % 3 == 1 {
                        // The request never reaches the endpoint: the connection just ends.
                        d.fetch_add(1, Ordering::SeqCst);
                    } else if let Some(response) = forward(&request, upstream) {
                        let _ = client.write_all(&response);
                    }
                });
            }
        });
        FaultProxy {
            port,
            throttled,
            dropped,
        }
    }
}

/// What [`ScriptedProxy`] does to the first request of one CloudFormation action.
#[derive(Clone, Copy)]
pub enum Script {
    /// Forward it (so it takes effect), then close the connection without an answer:
    /// an answer lost on the way back.
    LoseAnswer,
    /// Forward it, and hold the answer this long before passing it on.
    HoldAnswer(std::time::Duration),
}

/// A pass-through proxy that plays `script` on the first request whose body names
/// `Action=ACTION`; `hits` counts the requests of that action.
pub struct ScriptedProxy {
    pub port: u16,
    pub hits: Arc<AtomicUsize>,
}

impl ScriptedProxy {
    pub fn start(upstream: u16, action: &'static str, script: Script) -> ScriptedProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let port = listener.local_addr().expect("address").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let marker = format!("Action={action}&");
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (counter, marker) = (counter.clone(), marker.clone());
                std::thread::spawn(move || {
                    let mut client = stream;
                    let Some(request) = read_request(&mut client) else {
                        return;
                    };
                    let first = String::from_utf8_lossy(&request).contains(&marker)
                        && counter.fetch_add(1, Ordering::SeqCst) == 0;
                    let Some(response) = forward(&request, upstream) else {
                        return;
                    };
                    match (first, script) {
                        (true, Script::LoseAnswer) => {}
                        (true, Script::HoldAnswer(d)) => {
                            std::thread::sleep(d);
                            let _ = client.write_all(&response);
                        }
                        (false, _) => {
                            let _ = client.write_all(&response);
                        }
                    }
                });
            }
        });
        ScriptedProxy { port, hits }
    }
}
