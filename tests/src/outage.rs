//! A switchable TCP proxy in front of DynamoDB Local, to take the database away in the
//! middle of a test and bring it back, data intact (DynamoDB Local runs in memory, so
//! stopping the process itself would lose everything).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Mutex;
use tokio::task::JoinSet;

/// The proxy: `endpoint` reaches DynamoDB Local while up, and nothing while down.
pub struct Switch {
    /// The proxy's URL (`http://127.0.0.1:<port>`), to configure as the DynamoDB endpoint.
    pub endpoint: String,
    up: Arc<AtomicBool>,
    connections: Arc<Mutex<JoinSet<()>>>,
    acceptor: tokio::task::JoinHandle<()>,
}

impl Switch {
    /// Starts a proxy to `upstream` (`host:port`) on a free local port, switched on.
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let endpoint = format!("http://{}", listener.local_addr().expect("proxy address"));
        let up = Arc::new(AtomicBool::new(true));
        let connections = Arc::new(Mutex::new(JoinSet::new()));
        let (flag, tasks) = (up.clone(), connections.clone());
        let acceptor = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                let upstream = upstream.clone();
                tasks.lock().await.spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Self {
            endpoint,
            up,
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
}

impl Drop for Switch {
    fn drop(&mut self) {
        self.acceptor.abort();
    }
}
