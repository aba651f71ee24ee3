//! Per-host turns: one request at a time to a host (whatever the scheme or port), and a least
//! delay between the end of one and the start of the next. robots.txt is kept per origin
//! (scheme, host and port), as RFC 9309 scopes it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::robots::Rules;

/// Every host fetched from (by name) and every origin's robots.txt.
#[derive(Debug, Default)]
pub(super) struct Hosts {
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    robots: Mutex<HashMap<String, Arc<RobotsSlot>>>,
}

/// An origin's robots.txt rules and when they were read; held while they are read.
pub(super) type RobotsSlot = tokio::sync::Mutex<Option<(Rules, Instant)>>;

impl Hosts {
    /// A host, by name.
    pub(super) fn host(&self, name: &str) -> Arc<Host> {
        self.hosts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(name.to_string())
            .or_default()
            .clone()
    }

    /// The robots.txt of an origin.
    pub(super) fn robots(&self, origin: &str) -> Arc<RobotsSlot> {
        self.robots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(origin.to_string())
            .or_default()
            .clone()
    }
}

/// One host: its turn.
#[derive(Debug, Default)]
pub(super) struct Host {
    /// When the last request ended; held for the whole of a request.
    last: tokio::sync::Mutex<Option<Instant>>,
}

/// A host's turn: while it is held, no other request goes to the host. The delay counts from
/// when it is dropped.
pub(super) struct Turn<'a> {
    last: tokio::sync::MutexGuard<'a, Option<Instant>>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.last = Some(Instant::now());
    }
}

impl Host {
    /// Waits for the host's turn: no request in flight, and `delay` since the last one ended.
    pub(super) async fn turn(&self, delay: Duration) -> Turn<'_> {
        let last = self.last.lock().await;
        if let Some(next) = last.and_then(|ended| ended.checked_add(delay)) {
            tokio::time::sleep_until(next).await;
        }
        Turn { last }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_wait_for_each_other_and_the_delay() {
        let host = Arc::new(Host::default());
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..3 {
            let host = host.clone();
            tasks.push(tokio::spawn(async move {
                let _turn = host.turn(Duration::from_secs(2)).await;
                let began = Instant::now();
                tokio::time::sleep(Duration::from_secs(1)).await;
                began
            }));
        }
        let mut began = Vec::new();
        for t in tasks {
            began.push(t.await.expect("task").duration_since(start));
        }
        began.sort();
        // Each request takes 1 s and the next may start 2 s after it ended.
        assert_eq!(
            began,
            [
                Duration::ZERO,
                Duration::from_secs(3),
                Duration::from_secs(6)
            ]
        );
    }
}
