//! The accept loop both front ends share: concurrent connections (dockerd sends nested requests
//! while a decision waits on a lookup), SIGHUP to reload, SIGTERM/SIGINT to stop cleanly: stop
//! accepting, let requests in flight finish (for a bounded time), remove the socket.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UnixStream;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::engine::Engine;
use crate::socket::BoundSocket;

/// How long in-flight requests and open streams may go on after SIGTERM.
pub const GRACE: Duration = Duration::from_secs(10);

/// Serves connections on `socket` with `handle` until SIGTERM or SIGINT. `handle` gets the
/// connection and a receiver that turns `true` when the server stops, at which point it should
/// finish the request in flight and close.
///
/// # Errors
/// The signal handlers cannot be installed.
pub async fn run<H, F>(socket: BoundSocket, engine: Arc<Engine>, handle: H) -> std::io::Result<()>
where
    H: Fn(UnixStream, watch::Receiver<bool>) -> F,
    F: Future<Output = ()> + Send + 'static,
{
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    // Stopped with the loop, also when the loop's future is dropped.
    let _watcher = AbortOnDrop(engine.watch_policy());
    let BoundSocket { listener, file } = socket;
    loop {
        while connections.try_join_next().is_some() {}
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    connections.spawn(handle(stream, stopping.clone()));
                }
                Err(e) => {
                    eprintln!("dockward: accepting a connection failed: {e}");
                    // Out of file descriptors, most likely: give connections time to close.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = hup.recv() => {
                // Reading the files and compiling Rego modules: off the accept loop's thread.
                let reloading = Arc::clone(&engine);
                match tokio::task::spawn_blocking(move || reloading.reload()).await {
                    Ok(Ok(state)) => eprintln!(
                        "dockward: reloaded settings: {}",
                        crate::engine::describe(&state)
                    ),
                    Ok(Err(e)) => eprintln!("dockward: reload: {e}"),
                    Err(e) => eprintln!("dockward: reload: {e}"),
                }
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    // Stop accepting: new connections are refused from here on.
    drop(listener);
    let _ = stop.send(true);
    let drained =
        tokio::time::timeout(GRACE, async { while connections.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        eprintln!(
            "dockward: {} connections still open after {} s; closing them",
            connections.len(),
            GRACE.as_secs()
        );
        connections.abort_all();
    }
    let path = file.path().display().to_string();
    drop(file);
    eprintln!("dockward: stopped; removed {path}");
    Ok(())
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Resolves when the server stops.
pub async fn stopped(mut stopping: watch::Receiver<bool>) {
    // The guard `wait_for` returns is dropped here, not held across an await.
    let _ = stopping.wait_for(|s| *s).await.map(|_| ());
}
