//! A switchable TCP proxy in front of DynamoDB Local, to take the database away in the
//! middle of a test and bring it back, data intact (DynamoDB Local runs in memory, so
//! stopping the process itself would lose everything).
//!
//! Two kinds of failure:
//! - [`Switch::down`] cuts every connection and refuses new ones: the database is gone.
//! - [`Switch::pause`] stalls it: bytes already sent stay in flight, nothing moves in
//!   either direction until [`Switch::resume`], and a request whose caller gave up in the
//!   meantime is still delivered afterwards, as a request that reached DynamoDB just
//!   before a timeout is. This is the failure whose outcome the API cannot know: the
//!   write may or may not have happened. The proxy stalls only its own connections, so
//!   the other tests sharing DynamoDB Local are not affected.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Mutex, watch};
use tokio::task::JoinSet;

/// The proxy: `endpoint` reaches DynamoDB Local while up, and nothing while down.
pub struct Switch {
    /// The proxy's URL (`http://127.0.0.1:<port>`), to configure as the DynamoDB endpoint.
    pub endpoint: String,
    up: Arc<AtomicBool>,
    flowing: watch::Sender<bool>,
    connections: Arc<Mutex<JoinSet<()>>>,
    acceptor: tokio::task::JoinHandle<()>,
}

/// Waits until the proxy is not paused.
async fn wait_flowing(flowing: &mut watch::Receiver<bool>) {
    // The sender lives as long as the proxy; once it is gone, nothing is paused.
    let _ = flowing.wait_for(|flowing| *flowing).await;
}

/// Copies `from` to `to` until `from` ends, holding every chunk while the proxy is
/// paused. A write that fails (the other side has gone) ends the copy; the end of `from`
/// is passed on as a shutdown of `to`, after any held bytes.
async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    mut flowing: watch::Receiver<bool>,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = from.read(&mut buffer).await.unwrap_or(0);
        wait_flowing(&mut flowing).await;
        if read == 0 {
            let _ = to.shutdown().await;
            return;
        }
        if to.write_all(&buffer[..read]).await.is_err() {
            return;
        }
    }
}

impl Switch {
    /// Starts a proxy to `upstream` (`host:port`) on a free local port, switched on.
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let endpoint = format!("http://{}", listener.local_addr().expect("proxy address"));
        let up = Arc::new(AtomicBool::new(true));
        let (flowing, _) = watch::channel(true);
        let connections = Arc::new(Mutex::new(JoinSet::new()));
        let (flag, tasks, gate) = (up.clone(), connections.clone(), flowing.clone());
        let acceptor = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                let (requests, responses) = (gate.subscribe(), gate.subscribe());
                tasks.lock().await.spawn(async move {
                    let Ok(outbound) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    let (client_read, client_write) = inbound.into_split();
                    let (server_read, server_write) = outbound.into_split();
                    tokio::join!(
                        pump(client_read, server_write, requests),
                        pump(server_read, client_write, responses),
                    );
                });
            }
        });
        Self {
            endpoint,
            up,
            flowing,
            connections,
            acceptor,
        }
    }

    /// Cuts every open connection and refuses new ones.
    pub async fn down(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.connections.lock().await.abort_all();
    }

    /// Lets connections through again.
    pub fn up(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    /// Stalls every connection, open and new: nothing moves until [`Switch::resume`].
    pub fn pause(&self) {
        self.flowing.send_replace(false);
    }

    /// Delivers everything held while paused, and lets traffic flow again.
    pub fn resume(&self) {
        self.flowing.send_replace(true);
    }
}

impl Drop for Switch {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}
