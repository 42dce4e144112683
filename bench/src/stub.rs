//! A minimal Lambda Runtime API on loopback: what the Lambda service offers a `provided`
//! runtime, reduced to the calls a bootstrap makes.
//!
//! - `GET /2018-06-01/runtime/invocation/next` blocks until the driver queues an event,
//!   then answers with it and the `Lambda-Runtime-*` headers;
//! - `POST /2018-06-01/runtime/invocation/{id}/response` and `.../error` take the
//!   function's result;
//! - `POST /2018-06-01/runtime/init/error` takes a failed init.
//!
//! Each of these is reported to the driver with the instant it happened, which is where
//! the benchmarks take their timings: the first `next` ends init, and an invocation runs
//! from the instant its event is written to the instant its response has been read.
//!
//! The HTTP/1.1 server is hand-written on `httparse`: request heads, `Content-Length` and
//! chunked bodies, keep-alive (the runtime client keeps one connection open and sends
//! every call on it) and `Connection: close`. It serves one client on loopback, not the
//! internet.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, mpsc};
use tokio::task::{JoinHandle, JoinSet};

use crate::BoxError;

/// The path prefix of every Runtime API call.
const PREFIX: &str = "/2018-06-01/runtime";
/// The deadline handed out with each event: the functions' timeout in `template.yaml`.
const DEADLINE: Duration = Duration::from_secs(10);
/// The most headers one request may carry.
const MAX_HEADERS: usize = 64;

/// What happened at the stub, in order, with when it happened.
#[derive(Debug)]
pub enum Report {
    /// The runtime asked for its next event (the first one ends init).
    Next {
        /// When the request had arrived.
        at: Instant,
    },
    /// An event was written to the runtime.
    HandedOut {
        /// The request id of the event.
        id: String,
        /// Just before the event was written.
        at: Instant,
    },
    /// The runtime posted the result of an invocation.
    Response {
        /// The request id it answers.
        id: String,
        /// When the whole response body had been read.
        at: Instant,
        /// The response, as the function serialised it.
        body: Vec<u8>,
    },
    /// The runtime reported a failed invocation.
    InvocationError {
        /// The request id that failed.
        id: String,
        /// The error document.
        body: Vec<u8>,
    },
    /// The runtime reported a failed init.
    InitError {
        /// The error document.
        body: Vec<u8>,
    },
}

/// One invocation as the stub saw it.
#[derive(Debug)]
pub struct Invocation {
    /// Just before the event was written to the runtime.
    pub handed_out: Instant,
    /// When the runtime's response had been read.
    pub responded: Instant,
    /// The response body.
    pub body: Vec<u8>,
}

impl Invocation {
    /// From handing the event out to having its response.
    pub fn duration(&self) -> Duration {
        self.responded.saturating_duration_since(self.handed_out)
    }
}

/// An event waiting to be handed out.
struct Event {
    id: String,
    body: Vec<u8>,
}

/// What the connection tasks share.
struct Shared {
    function_arn: String,
    events: Mutex<mpsc::Receiver<Event>>,
    reports: mpsc::UnboundedSender<Report>,
}

/// A running stub; dropping it stops the server and closes every connection.
pub struct RuntimeApi {
    address: SocketAddr,
    events: mpsc::Sender<Event>,
    reports: mpsc::UnboundedReceiver<Report>,
    server: JoinHandle<()>,
    sequence: u64,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RuntimeApi {
    /// Starts a stub on `127.0.0.1` and a free port, for the function `function_name`.
    pub async fn start(function_name: &str) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let (events, events_rx) = mpsc::channel(1);
        let (reports_tx, reports) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            function_arn: format!("arn:aws:lambda:us-east-1:123456789012:function:{function_name}"),
            events: Mutex::new(events_rx),
            reports: reports_tx,
        });
        let server = tokio::spawn(accept(listener, shared));
        Ok(Self {
            address,
            events,
            reports,
            server,
            sequence: 0,
        })
    }

    /// The value of `AWS_LAMBDA_RUNTIME_API` for the function.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Waits for the runtime's first `GET next`, which ends init, and returns when it
    /// arrived.
    pub async fn init_done(&mut self, timeout: Duration) -> Result<Instant, BoxError> {
        match self.report(timeout).await? {
            Report::Next { at } => Ok(at),
            Report::InitError { body } => {
                Err(format!("init failed: {}", String::from_utf8_lossy(&body)).into())
            }
            other => Err(format!("unexpected call before init ended: {other:?}").into()),
        }
    }

    /// Hands `event` to the runtime and waits for its response.
    pub async fn invoke(
        &mut self,
        event: Vec<u8>,
        timeout: Duration,
    ) -> Result<Invocation, BoxError> {
        self.sequence += 1;
        let id = format!("00000000-0000-4000-8000-{:012}", self.sequence);
        self.events
            .send(Event {
                id: id.clone(),
                body: event,
            })
            .await
            .map_err(|_| "the runtime API stub has stopped")?;
        let mut handed_out = None;
        loop {
            match self.report(timeout).await? {
                // The runtime is already waiting for the event after this one.
                Report::Next { .. } => {}
                Report::HandedOut { id: got, at } if got == id => handed_out = Some(at),
                Report::Response { id: got, at, body } if got == id => {
                    let handed_out = handed_out.ok_or("a response came before its event")?;
                    return Ok(Invocation {
                        handed_out,
                        responded: at,
                        body,
                    });
                }
                Report::InvocationError { id: got, body } if got == id => {
                    return Err(format!(
                        "invocation {id} failed: {}",
                        String::from_utf8_lossy(&body)
                    )
                    .into());
                }
                other => return Err(format!("unexpected call during {id}: {other:?}").into()),
            }
        }
    }

    async fn report(&mut self, timeout: Duration) -> Result<Report, BoxError> {
        match tokio::time::timeout(timeout, self.reports.recv()).await {
            Ok(Some(report)) => Ok(report),
            Ok(None) => Err("the runtime API stub has stopped".into()),
            Err(_) => {
                Err(format!("the function did not call the runtime API within {timeout:?}").into())
            }
        }
    }
}

/// Accepts connections until aborted; aborting drops the set, which ends every
/// connection task.
async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(serve(stream, Arc::clone(&shared)));
                }
                Err(_) => return,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// One parsed request.
struct Request {
    method: String,
    path: String,
    body: Vec<u8>,
    close: bool,
    /// When the whole request, body included, had been read.
    received: Instant,
}

/// One response to write.
struct Response {
    status: &'static str,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
    /// The event id, when this response hands out an event.
    event: Option<String>,
}

impl Response {
    fn json(status: &'static str, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.as_bytes().to_vec(),
            event: None,
        }
    }
}

/// Serves the requests of one connection, in order, until the client closes it.
async fn serve(mut stream: TcpStream, shared: Arc<Shared>) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buffer = Vec::with_capacity(16 * 1024);
    while let Some(request) = read_request(&mut stream, &mut buffer).await? {
        let close = request.close;
        let response = route(&shared, request).await;
        let mut head = format!(
            "HTTP/1.1 {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            response.status,
            response.body.len()
        );
        for (name, value) in &response.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if close {
            head.push_str("connection: close\r\n");
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&response.body);
        if let Some(id) = response.event {
            let _ = shared.reports.send(Report::HandedOut {
                id,
                at: Instant::now(),
            });
        }
        stream.write_all(&bytes).await?;
        if close {
            return Ok(());
        }
    }
    Ok(())
}

/// Answers one Runtime API call.
async fn route(shared: &Shared, request: Request) -> Response {
    let path = request.path.split('?').next().unwrap_or_default();
    let Some(call) = path.strip_prefix(PREFIX) else {
        return Response::json("404 Not Found", r#"{"errorType":"NotFound"}"#);
    };
    let accepted = || Response::json("202 Accepted", r#"{"status":"OK"}"#);
    match (request.method.as_str(), call) {
        ("GET", "/invocation/next") => {
            let _ = shared.reports.send(Report::Next {
                at: request.received,
            });
            let event = shared.events.lock().await.recv().await;
            match event {
                Some(event) => next_event(shared, event),
                None => Response::json("410 Gone", r#"{"errorType":"ShuttingDown"}"#),
            }
        }
        ("POST", "/init/error") => {
            let _ = shared
                .reports
                .send(Report::InitError { body: request.body });
            accepted()
        }
        ("POST", call) => {
            let Some(rest) = call.strip_prefix("/invocation/") else {
                return Response::json("404 Not Found", r#"{"errorType":"NotFound"}"#);
            };
            if let Some(id) = rest.strip_suffix("/response") {
                let _ = shared.reports.send(Report::Response {
                    id: id.to_owned(),
                    at: request.received,
                    body: request.body,
                });
                accepted()
            } else if let Some(id) = rest.strip_suffix("/error") {
                let _ = shared.reports.send(Report::InvocationError {
                    id: id.to_owned(),
                    body: request.body,
                });
                accepted()
            } else {
                Response::json("404 Not Found", r#"{"errorType":"NotFound"}"#)
            }
        }
        _ => Response::json(
            "405 Method Not Allowed",
            r#"{"errorType":"MethodNotAllowed"}"#,
        ),
    }
}

/// The answer to `next`: the event and the headers the Lambda service sends with it.
fn next_event(shared: &Shared, event: Event) -> Response {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let deadline_ms = (now + DEADLINE).as_millis();
    let trace_id = format!(
        "Root=1-{:08x}-{:024x};Parent={:016x};Sampled=0",
        now.as_secs(),
        now.as_nanos(),
        now.as_nanos() as u64
    );
    Response {
        status: "200 OK",
        headers: vec![
            ("lambda-runtime-aws-request-id", event.id.clone()),
            ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
            (
                "lambda-runtime-invoked-function-arn",
                shared.function_arn.clone(),
            ),
            ("lambda-runtime-trace-id", trace_id),
        ],
        body: event.body,
        event: Some(event.id),
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Reads more bytes into `buffer`; `false` when the peer has closed the connection.
async fn fill(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<bool> {
    let mut chunk = [0u8; 16 * 1024];
    let read = stream.read(&mut chunk).await?;
    buffer.extend_from_slice(&chunk[..read]);
    Ok(read > 0)
}

/// Reads `len` more bytes into `buffer`, or fails at the end of the stream.
async fn fill_to(stream: &mut TcpStream, buffer: &mut Vec<u8>, len: usize) -> io::Result<()> {
    while buffer.len() < len {
        if !fill(stream, buffer).await? {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
    }
    Ok(())
}

/// What the head of a request says about it.
struct Head {
    method: String,
    path: String,
    length: usize,
    chunked: bool,
    close: bool,
    len: usize,
}

/// Parses a complete request head at the start of `buffer`, if there is one.
fn parse_head(buffer: &[u8]) -> io::Result<Option<Head>> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let len = match request.parse(buffer).map_err(|e| invalid(e.to_string()))? {
        httparse::Status::Complete(len) => len,
        httparse::Status::Partial => return Ok(None),
    };
    let mut head = Head {
        method: request.method.unwrap_or_default().to_owned(),
        path: request.path.unwrap_or_default().to_owned(),
        length: 0,
        chunked: false,
        // HTTP/1.0 closes unless asked not to; HTTP/1.1 keeps the connection.
        close: request.version == Some(0),
        len,
    };
    for header in request.headers.iter() {
        let value = String::from_utf8_lossy(header.value)
            .trim()
            .to_ascii_lowercase();
        if header.name.eq_ignore_ascii_case("content-length") {
            head.length = value
                .parse()
                .map_err(|_| invalid("invalid content-length"))?;
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            head.chunked = value.split(',').any(|coding| coding.trim() == "chunked");
        } else if header.name.eq_ignore_ascii_case("connection") {
            if value.split(',').any(|token| token.trim() == "close") {
                head.close = true;
            } else if value.split(',').any(|token| token.trim() == "keep-alive") {
                head.close = false;
            }
        }
    }
    Ok(Some(head))
}

/// Reads the next request of the connection; `None` when the client closed it between
/// requests.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<Option<Request>> {
    let head = loop {
        if let Some(head) = parse_head(buffer)? {
            break head;
        }
        if !fill(stream, buffer).await? {
            return if buffer.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
    };
    buffer.drain(..head.len);
    let body = if head.chunked {
        read_chunked(stream, buffer).await?
    } else {
        fill_to(stream, buffer, head.length).await?;
        buffer.drain(..head.length).collect()
    };
    Ok(Some(Request {
        method: head.method,
        path: head.path,
        body,
        close: head.close,
        received: Instant::now(),
    }))
}

/// Reads a chunked body (and any trailers) from `buffer` and the stream.
async fn read_chunked(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let (offset, size) = match httparse::parse_chunk_size(buffer) {
            Ok(httparse::Status::Complete(found)) => found,
            Ok(httparse::Status::Partial) => {
                if !fill(stream, buffer).await? {
                    return Err(io::ErrorKind::UnexpectedEof.into());
                }
                continue;
            }
            Err(_) => return Err(invalid("invalid chunk size")),
        };
        let size = usize::try_from(size).map_err(|_| invalid("chunk too large"))?;
        buffer.drain(..offset);
        if size == 0 {
            // Trailer lines, if any, end with an empty line.
            loop {
                match buffer.windows(2).position(|pair| pair == b"\r\n") {
                    Some(0) => {
                        buffer.drain(..2);
                        return Ok(body);
                    }
                    Some(end) => {
                        buffer.drain(..end + 2);
                    }
                    None => {
                        if !fill(stream, buffer).await? {
                            return Err(io::ErrorKind::UnexpectedEof.into());
                        }
                    }
                }
            }
        }
        fill_to(stream, buffer, size + 2).await?;
        body.extend_from_slice(&buffer[..size]);
        buffer.drain(..size + 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEXT: &[u8] = b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nhost: stub\r\n\r\n";
    const WAIT: Duration = Duration::from_secs(5);

    /// Reads one response (head and `content-length` body) off a keep-alive connection.
    async fn read_response(stream: &mut TcpStream) -> (String, Vec<u8>) {
        let mut buffer = Vec::new();
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end + 4;
            }
            assert!(
                fill(stream, &mut buffer).await.unwrap(),
                "connection closed"
            );
        };
        let head = String::from_utf8(buffer[..head_end].to_vec()).unwrap();
        let length: usize = header(&head, "content-length").parse().unwrap();
        fill_to(stream, &mut buffer, head_end + length)
            .await
            .unwrap();
        (head, buffer[head_end..head_end + length].to_vec())
    }

    fn header(head: &str, name: &str) -> String {
        head.lines()
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {head}"))
            .to_owned()
    }

    #[tokio::test]
    async fn hands_out_an_event_and_takes_a_chunked_response_on_one_connection() {
        let mut api = RuntimeApi::start("test").await.unwrap();
        let address = api.address();
        let runtime = tokio::spawn(async move {
            let mut stream = TcpStream::connect(address).await.unwrap();
            stream.write_all(NEXT).await.unwrap();
            let (head, body) = read_response(&mut stream).await;
            assert!(head.starts_with("HTTP/1.1 200 OK"), "{head}");
            assert_eq!(body, br#"{"hi":1}"#);
            assert!(
                header(&head, "lambda-runtime-deadline-ms")
                    .parse::<u64>()
                    .is_ok()
            );
            assert!(
                header(&head, "lambda-runtime-invoked-function-arn").ends_with(":function:test")
            );
            assert!(header(&head, "lambda-runtime-trace-id").starts_with("Root=1-"));
            let id = header(&head, "lambda-runtime-aws-request-id");
            let post = format!(
                "POST /2018-06-01/runtime/invocation/{id}/response HTTP/1.1\r\nhost: stub\r\n\
                 transfer-encoding: chunked\r\n\r\n5\r\n{{\"ok\"\r\n6\r\n:true}}\r\n0\r\n\r\n"
            );
            stream.write_all(post.as_bytes()).await.unwrap();
            let (head, _) = read_response(&mut stream).await;
            assert!(head.starts_with("HTTP/1.1 202"), "{head}");
            // The same connection asks for the next event, which never comes.
            stream.write_all(NEXT).await.unwrap();
            stream
        });
        let initialised = api.init_done(WAIT).await.unwrap();
        let invocation = api.invoke(br#"{"hi":1}"#.to_vec(), WAIT).await.unwrap();
        assert_eq!(invocation.body, br#"{"ok":true}"#);
        assert!(invocation.handed_out >= initialised);
        assert!(invocation.responded >= invocation.handed_out);
        let _open = runtime.await.unwrap();
    }

    #[tokio::test]
    async fn a_failed_init_is_reported() {
        let mut api = RuntimeApi::start("test").await.unwrap();
        let mut stream = TcpStream::connect(api.address()).await.unwrap();
        let body = r#"{"errorMessage":"TABLE_NAME is required"}"#;
        let post = format!(
            "POST /2018-06-01/runtime/init/error HTTP/1.1\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(post.as_bytes()).await.unwrap();
        let err = api.init_done(WAIT).await.unwrap_err().to_string();
        assert!(err.contains("TABLE_NAME is required"), "{err}");
        let (head, _) = read_response(&mut stream).await;
        assert!(head.starts_with("HTTP/1.1 202"), "{head}");
    }
}
