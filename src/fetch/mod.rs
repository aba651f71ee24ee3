//! Fetching pages and feeds politely: robots.txt is honoured (RFC 9309: a missing file allows
//! everything, an unreachable one forbids everything for now) at every address a redirect leads
//! to, one request at a time per host with a minimum delay between them (longer when robots.txt asks for a `Crawl-delay`), a
//! conditional GET with the validators of the last answer, a User-Agent that names adscreen and
//! a contact, timeouts and a size limit. Used by `adscreen fetch` and by the server's watcher.

mod hosts;
mod robots;

use std::time::Duration;

use reqwest::header;

use crate::ingest::Format;
use hosts::Hosts;

/// The name robots.txt rules for adscreen are written under.
pub const ROBOTS_AGENT: &str = "adscreen";

/// Most redirects followed from one address.
pub const MAX_REDIRECTS: usize = 5;

/// Largest answer read, in bytes.
pub const MAX_BODY_BYTES: u64 = 16 * 1024 * 1024;

/// How to fetch.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// A contact for site owners (an e-mail or web address), put in the User-Agent.
    pub contact: Option<String>,
    /// Least time between two requests to one host.
    pub min_delay: Duration,
    /// Longest wait for an answer, from connecting to the last byte.
    pub timeout: Duration,
    /// How long a host's robots.txt is trusted before it is fetched again.
    pub robots_ttl: Duration,
}

impl Default for FetchOptions {
    fn default() -> FetchOptions {
        FetchOptions {
            contact: None,
            min_delay: Duration::from_secs(2),
            timeout: Duration::from_secs(30),
            robots_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

/// The validators of an earlier answer, for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`.
    pub etag: Option<String>,
    /// `Last-Modified`.
    pub last_modified: Option<String>,
}

/// A fetched page or feed.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The address answered from (after redirects).
    pub url: String,
    /// The body, as UTF-8 when the answer named another character set.
    pub body: Vec<u8>,
    /// The media type, lower case, without parameters.
    pub media_type: String,
    /// Validators for the next request.
    pub validators: Validators,
}

impl Fetched {
    /// The input format: by content (`<` a page or a feed, `{` JSON or a Telegram export), the
    /// media type breaking a tie.
    pub fn format(&self) -> Format {
        let sniffed = crate::ingest::sniff(self.body.as_slice()).map(|(f, _)| f);
        match (sniffed, self.media_type.as_str()) {
            (Ok(Format::Html), "application/rss+xml" | "application/atom+xml") => Format::Rss,
            (Ok(Format::Text), "text/html" | "application/xhtml+xml") => Format::Html,
            (Ok(Format::Ndjson), "application/json") => Format::Json,
            (Ok(format), _) => format,
            (Err(_), _) => Format::Text,
        }
    }
}

/// What a fetch came to.
#[derive(Debug)]
pub enum Outcome {
    /// A new answer.
    Fetched(Fetched),
    /// `304 Not Modified`: nothing new since the validators given.
    NotModified,
    /// robots.txt does not let adscreen fetch this address; nothing was requested.
    Disallowed,
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The address is not an http(s) URL.
    #[error("{0:?} is not an http:// or https:// address")]
    BadUrl(String),
    /// The client could not be built.
    #[error("HTTP client: {0}")]
    Client(String),
    /// No answer in time.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
    /// The host could not be reached.
    #[error("cannot reach {url}: {detail}")]
    Network {
        /// The address.
        url: String,
        /// What failed.
        detail: String,
    },
    /// An answer other than success or 304.
    #[error("{url} answered {status}")]
    Status {
        /// The address.
        url: String,
        /// The HTTP status.
        status: u16,
    },
    /// More than [`MAX_REDIRECTS`] redirects.
    #[error("{url}: more than {MAX_REDIRECTS} redirects")]
    Redirects {
        /// The address asked for.
        url: String,
    },
    /// The answer is larger than [`MAX_BODY_BYTES`].
    #[error("{url}: the answer is larger than {MAX_BODY_BYTES} bytes")]
    TooLarge {
        /// The address.
        url: String,
    },
    /// robots.txt could not be read (a server error): the site is not fetched for now.
    #[error("robots.txt of {host} cannot be read ({detail}); nothing is fetched from it for now")]
    RobotsUnreachable {
        /// The host.
        host: String,
        /// What failed.
        detail: String,
    },
}

/// A polite HTTP client; share one for all sources, so the per-host limits hold across them.
#[derive(Debug)]
pub struct Fetcher {
    client: reqwest::Client,
    robots_client: reqwest::Client,
    options: FetchOptions,
    hosts: Hosts,
}

/// The User-Agent adscreen sends: its name, version and the contact.
pub fn user_agent(contact: Option<&str>) -> String {
    let version = env!("CARGO_PKG_VERSION");
    match contact.map(str::trim).filter(|c| !c.is_empty()) {
        Some(contact) => format!("adscreen/{version} (advert screening; +{contact})"),
        None => format!("adscreen/{version} (advert screening)"),
    }
}

/// Installs the process's TLS crypto provider (ring) if none is yet; every HTTP client of the
/// process needs one, test clients included.
pub fn install_tls_provider() {
    // ring, not aws-lc-rs: it builds without CMake; its classical key exchange is what public
    // sites offer. Another provider installed first is kept.
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl Fetcher {
    /// A client with these options.
    pub fn new(options: FetchOptions) -> Result<Fetcher, FetchError> {
        install_tls_provider();
        let client = reqwest::Client::builder()
            .user_agent(user_agent(options.contact.as_deref()))
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        // robots.txt may redirect anywhere (RFC 9309 says to follow at least five).
        let robots_client = reqwest::Client::builder()
            .user_agent(user_agent(options.contact.as_deref()))
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .build()
            .map_err(|e| FetchError::Client(e.to_string()))?;
        Ok(Fetcher {
            client,
            robots_client,
            hosts: Hosts::default(),
            options,
        })
    }

    /// The options this client was built with.
    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// Fetches `url` once its host's turn comes, if robots.txt allows it; `since` makes it a
    /// conditional GET.
    pub async fn fetch(&self, url: &str, since: &Validators) -> Result<Outcome, FetchError> {
        let mut current = url.to_string();
        // Redirects are followed here, not by the client: each address they lead to is checked
        // against its own site's robots.txt and waits for its own host's turn.
        for _ in 0..=MAX_REDIRECTS {
            let parsed =
                reqwest::Url::parse(&current).map_err(|_| FetchError::BadUrl(current.clone()))?;
            let Some(host_name) = parsed.host_str().map(str::to_ascii_lowercase) else {
                return Err(FetchError::BadUrl(current));
            };
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(FetchError::BadUrl(current));
            }
            let origin = parsed.origin().ascii_serialization();
            let rules = robots::rules_for(self, &host_name, &origin).await?;
            if !rules.allowed(&current) {
                tracing::info!(url = %current, "robots.txt disallows this address; not fetched");
                return Ok(Outcome::Disallowed);
            }
            let delay = rules.delay().max(self.options.min_delay);
            let host = self.hosts.host(&host_name);
            let _turn = host.turn(delay).await;
            let mut request = self.client.get(parsed.clone());
            if let Some(etag) = &since.etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(date) = &since.last_modified {
                request = request.header(header::IF_MODIFIED_SINCE, date);
            }
            let response = request
                .send()
                .await
                .map_err(|e| self.failure(&current, e))?;
            let status = response.status();
            if status.is_redirection() && status != reqwest::StatusCode::NOT_MODIFIED {
                let next = response
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|to| parsed.join(to).ok());
                match next {
                    Some(next) => {
                        current = next.to_string();
                        continue;
                    }
                    None => {
                        return Err(FetchError::Status {
                            url: current,
                            status: status.as_u16(),
                        });
                    }
                }
            }
            return self.answer(&current, response).await;
        }
        Err(FetchError::Redirects { url: url.into() })
    }

    /// What an answer that is not a redirect comes to.
    async fn answer(&self, url: &str, response: reqwest::Response) -> Result<Outcome, FetchError> {
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Outcome::NotModified);
        }
        if !status.is_success() {
            return Err(FetchError::Status {
                url: url.into(),
                status: status.as_u16(),
            });
        }
        let header_text = |name: header::HeaderName| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let validators = Validators {
            etag: header_text(header::ETAG),
            last_modified: header_text(header::LAST_MODIFIED),
        };
        let content_type = header_text(header::CONTENT_TYPE).unwrap_or_default();
        let body = self.read_body(url, response).await?;
        let (media_type, charset) = media_type(&content_type);
        Ok(Outcome::Fetched(Fetched {
            url: url.to_string(),
            body: to_utf8(body, charset.as_deref()),
            media_type,
            validators,
        }))
    }

    /// A body, up to [`MAX_BODY_BYTES`].
    async fn read_body(
        &self,
        url: &str,
        mut response: reqwest::Response,
    ) -> Result<Vec<u8>, FetchError> {
        if response
            .content_length()
            .is_some_and(|n| n > MAX_BODY_BYTES)
        {
            return Err(FetchError::TooLarge { url: url.into() });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.failure(url, e))? {
            if (body.len() + chunk.len()) as u64 > MAX_BODY_BYTES {
                return Err(FetchError::TooLarge { url: url.into() });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn failure(&self, url: &str, e: reqwest::Error) -> FetchError {
        if e.is_timeout() {
            FetchError::Timeout(self.options.timeout)
        } else {
            FetchError::Network {
                url: url.into(),
                detail: error_chain(&e),
            }
        }
    }
}

/// An error with its causes, which say what actually failed ("connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The media type and character set of a `Content-Type`.
fn media_type(content_type: &str) -> (String, Option<String>) {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"').to_string())
    });
    (media, charset)
}

/// A body in the character set its answer named, as UTF-8 (unknown sets are left as they are).
fn to_utf8(body: Vec<u8>, charset: Option<&str>) -> Vec<u8> {
    match charset.and_then(|c| encoding_rs::Encoding::for_label(c.as_bytes())) {
        Some(encoding) if encoding != encoding_rs::UTF_8 => {
            encoding.decode(&body).0.into_owned().into_bytes()
        }
        _ => body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_user_agent_names_adscreen_and_the_contact() {
        let ua = user_agent(Some("inspekcija@example.lv"));
        assert!(ua.starts_with("adscreen/"), "{ua}");
        assert!(ua.contains("+inspekcija@example.lv"), "{ua}");
        assert!(!user_agent(Some("  ")).contains('+'));
    }

    #[test]
    fn a_named_character_set_is_decoded() {
        let (media, charset) = media_type("text/html; Charset=\"windows-1257\"");
        assert_eq!(media, "text/html");
        let body = to_utf8(b"Alga \xe2 \xfe".to_vec(), charset.as_deref());
        assert_eq!(String::from_utf8(body).expect("utf-8"), "Alga ā ž");
    }

    #[test]
    fn the_format_is_read_from_the_content() {
        let page = |body: &str, media: &str| Fetched {
            url: "http://127.0.0.1/".into(),
            body: body.as_bytes().to_vec(),
            media_type: media.into(),
            validators: Validators::default(),
        };
        assert_eq!(
            page("<rss version=\"2.0\">", "text/html").format(),
            Format::Rss
        );
        assert_eq!(
            page("<!doctype html><p>x", "text/xml").format(),
            Format::Html
        );
        assert_eq!(page("Darbs", "text/html").format(), Format::Html);
        assert_eq!(
            page("{\"text\": \"x\"}", "application/json").format(),
            Format::Json
        );
    }
}
