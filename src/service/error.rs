//! Errors of the HTTP API, each answered with a status and a JSON body that says what to do:
//! `{"error": {"code": "...", "message": "...", "hint": "..."}}`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answered to a client.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// No key where one is needed.
    #[error("this endpoint needs an API key")]
    MissingKey,
    /// Unknown or revoked key.
    #[error("the API key is not valid")]
    InvalidKey,
    /// The key lacks the scope.
    #[error("the API key lacks the `{0}` scope")]
    Forbidden(&'static str),
    /// No such advert or route.
    #[error("{0}")]
    NotFound(String),
    /// The body is larger than allowed.
    #[error("the request body is larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: u64,
        /// What to do instead.
        hint: &'static str,
    },
    /// Unsupported content type.
    #[error("unsupported content type {0:?}")]
    UnsupportedType(String),
    /// Too many requests for this key.
    #[error("too many requests")]
    RateLimited {
        /// Seconds until a request is allowed again.
        retry_after: u64,
    },
    /// The request took longer than allowed.
    #[error("the request took longer than {0} seconds")]
    Timeout(u64),
    /// A rule or model file to reload is broken; the old ones stay in force.
    #[error("{0}")]
    Reload(String),
    /// The store is still opening.
    #[error("the index is still opening")]
    NotReady,
    /// The index cannot take writes now (a commit failed or the writer stopped).
    #[error("{0}")]
    Unavailable(String),
    /// Something failed on the server side.
    #[error("{0}")]
    Internal(String),
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: String,
    hint: &'a str,
}

impl ApiError {
    /// The status, a stable code and a hint.
    pub fn parts(&self) -> (StatusCode, &'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                "Fix the request as the message says; see /openapi.json.",
            ),
            ApiError::MissingKey => (
                StatusCode::UNAUTHORIZED,
                "missing_key",
                "Send a key as `Authorization: Bearer <key>` or `X-Api-Key: <key>`; an administrator creates one with `adscreen keys add`.",
            ),
            ApiError::InvalidKey => (
                StatusCode::UNAUTHORIZED,
                "invalid_key",
                "Check the key for typos; it may have been revoked. Ask an administrator for a new one.",
            ),
            ApiError::Forbidden(_) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Use a key with this scope; an administrator creates one with `adscreen keys add --scope ...`.",
            ),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", "Check the id or path."),
            ApiError::TooLarge { hint, .. } => (StatusCode::PAYLOAD_TOO_LARGE, "too_large", hint),
            ApiError::UnsupportedType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_type",
                "Send application/json (one advert or an array) or application/x-ndjson (one advert per line).",
            ),
            ApiError::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Wait for the number of seconds in Retry-After, then send fewer requests per second, or batch adverts into one request to /v1/adverts.",
            ),
            ApiError::Timeout(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "Send fewer adverts per request, or raise limits.request_timeout_secs / ingest_timeout_secs.",
            ),
            ApiError::Reload(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "reload_refused",
                "Fix the file the message names and reload again; the previous rules and model stay in force.",
            ),
            ApiError::NotReady => (
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "Retry in a few seconds; /readyz says when the server is ready.",
            ),
            ApiError::Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Nothing in this request was acknowledged; send it again later. The server log has the details.",
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "Retry later; if it persists, the server log has the details.",
            ),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, hint) = self.parts();
        let body = Body {
            error: Inner {
                code,
                message: self.to_string(),
                hint,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::RateLimited { retry_after } = self {
            if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if matches!(self, ApiError::MissingKey | ApiError::InvalidKey) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> ApiError {
        match e {
            crate::store::StoreError::BadQuery(m) => ApiError::BadRequest(m),
            e @ (crate::store::StoreError::WriterGone | crate::store::StoreError::Commit(_)) => {
                tracing::error!(error = %e, "store cannot write");
                ApiError::Unavailable(e.to_string())
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::Internal(other.to_string())
            }
        }
    }
}
