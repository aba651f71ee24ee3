//! robots.txt, read once per origin and kept for a while (RFC 9309): a missing file (4xx) allows
//! everything; a server error, "too many requests" or no answer forbids everything until it can
//! be read.

use std::time::Duration;

use texting_robots::Robot;
use tokio::time::Instant;

use super::{FetchError, Fetcher, ROBOTS_AGENT};

/// Largest robots.txt read (RFC 9309 asks crawlers to read at least 500 KiB).
const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// What robots.txt says for adscreen.
#[derive(Debug, Clone)]
pub(super) enum Rules {
    /// No file: everything may be fetched.
    AllowAll,
    /// The parsed file.
    File(std::sync::Arc<Robot>),
}

impl Rules {
    /// Whether `url` may be fetched.
    pub(super) fn allowed(&self, url: &str) -> bool {
        match self {
            Rules::AllowAll => true,
            Rules::File(robot) => robot.allowed(url),
        }
    }

    /// The `Crawl-delay` asked for (at most a minute is honoured).
    pub(super) fn delay(&self) -> Duration {
        match self {
            Rules::File(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map_or(Duration::ZERO, |d| Duration::from_secs_f32(d.min(60.0))),
            Rules::AllowAll => Duration::ZERO,
        }
    }
}

/// The rules of an origin, read from `ORIGIN/robots.txt` when not known or too old; the request
/// takes its turn at `host`.
pub(super) async fn rules_for(
    fetcher: &Fetcher,
    host: &str,
    origin: &str,
) -> Result<Rules, FetchError> {
    let slot = fetcher.hosts.robots(origin);
    let mut cached = slot.lock().await;
    if let Some((rules, read)) = cached.as_ref()
        && read.elapsed() < fetcher.options.robots_ttl
    {
        return Ok(rules.clone());
    }
    let url = format!("{origin}/robots.txt");
    let unreachable = |detail: String| FetchError::RobotsUnreachable {
        host: origin.to_string(),
        detail,
    };
    let turn = fetcher.hosts.host(host);
    let _turn = turn.turn(fetcher.options.min_delay).await;
    let mut response = fetcher
        .robots_client
        .get(&url)
        .send()
        .await
        .map_err(|e| unreachable(super::error_chain(&e)))?;
    let status = response.status();
    let rules = if status.is_success() {
        // At most MAX_ROBOTS_BYTES are read; the rest is not waited for.
        let mut body = Vec::new();
        while body.len() < MAX_ROBOTS_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => body.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(e) => return Err(unreachable(super::error_chain(&e))),
            }
        }
        body.truncate(MAX_ROBOTS_BYTES);
        match Robot::new(ROBOTS_AGENT, &body) {
            Ok(robot) => Rules::File(std::sync::Arc::new(robot)),
            // A file that cannot be parsed is treated as none.
            Err(_) => Rules::AllowAll,
        }
    } else if status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS {
        Rules::AllowAll
    } else {
        return Err(unreachable(format!("it answered {}", status.as_u16())));
    };
    *cached = Some((rules.clone(), Instant::now()));
    Ok(rules)
}
