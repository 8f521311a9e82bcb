//! The crate's error type.
//!
//! One `#[non_exhaustive]` enum, [`Error`]. HTTP failures carry an [`ApiErrorDetail`] with the
//! status, the endpoint (`METHOD /path`, never the query), the message decoded from whichever
//! error body the API family uses (OAuth2 `error/error_description/code`, v3
//! `Error{Message,Server-Time,Id}` as JSON or XML, v4 `errorId/errorMessage`, List v4
//! `error{id,message}`, SCIM `detail`) and the `concur-correlationid` response header.
//! No variant ever holds a token, password or client secret.

use std::time::Duration;

use serde::Deserialize;

/// Result alias using [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with an HTTP call, as far as the server told us.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ApiErrorDetail {
    /// HTTP status code (0 when there was no response).
    pub status: u16,
    /// `METHOD /path` of the request (no query string, no host).
    pub endpoint: String,
    /// Human-readable message from the error body (OAuth2 `error_description`, v3 `Message`,
    /// v4 `errorMessage`...), or the start of a non-structured body.
    pub message: Option<String>,
    /// Machine-readable code: OAuth2 `error` plus numeric `code` (e.g. `invalid_grant/108`),
    /// v4 `errorId`, List v4 `error.id`, SCIM `scimType`.
    pub code: Option<String>,
    /// Numeric OAuth2 error code (`code`), when present (e.g. 16, 108).
    pub oauth_code: Option<i64>,
    /// The v3 error `Id` (a GUID), when present.
    pub error_id: Option<String>,
    /// The `concur-correlationid` response header; quote it to SAP Concur support.
    pub correlation_id: Option<String>,
    /// Field-level validation messages (v4 `validationErrors`).
    pub validation_errors: Vec<String>,
    /// `geolocation` named in an OAuth2 error body (error 16).
    pub geolocation: Option<String>,
}

impl std::fmt::Display for ApiErrorDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {})", self.endpoint, self.status)?;
        if let Some(c) = &self.code {
            write!(f, " [{c}]")?;
        }
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        for v in &self.validation_errors {
            write!(f, "; {v}")?;
        }
        if let Some(c) = &self.correlation_id {
            write!(f, " (correlation id {c})")?;
        }
        Ok(())
    }
}

impl ApiErrorDetail {
    /// Decodes an error body of any Concur API family (OAuth2, v3 JSON or XML, v4, List v4,
    /// SCIM, plain text) into a detail record.
    pub fn from_body(status: u16, endpoint: impl Into<String>, body: &[u8]) -> Self {
        let mut d = ApiErrorDetail {
            status,
            endpoint: endpoint.into(),
            ..Default::default()
        };
        decode_error_body(&mut d, body);
        d
    }
}

/// Why a paginator stopped with an error instead of looping.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PaginationErrorReason {
    /// The server returned a next cursor (e.g. `NextPage`) that was already followed.
    RepeatedCursor,
    /// The page had no items but still promised a next page.
    EmptyPageWithNext,
    /// The configured `max_pages` was reached.
    MaxPages(u32),
}

impl std::fmt::Display for PaginationErrorReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::RepeatedCursor => f.write_str("the server repeated a next-page cursor"),
            Self::EmptyPageWithNext => {
                f.write_str("the server sent an empty page that still has a next page")
            }
            Self::MaxPages(n) => write!(f, "stopped after max_pages ({n})"),
        }
    }
}

/// Broad classification of an [`Error`], in the style of the AWS SDK's `ErrorKind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Connection failures and timeouts; usually worth retrying.
    Transient,
    /// 429 or other rate limiting.
    Throttling,
    /// 5xx.
    Server,
    /// The request was wrong (400, 404, 409...) or not allowed.
    Client,
    /// Credentials or tokens were refused, or the server pointed us at an untrusted host.
    Auth,
    /// The response could not be decoded.
    Decode,
    /// Configuration, token storage or paging misuse.
    Other,
}

/// Every error this crate returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Credentials or a token were refused (OAuth2 4xx, a 401 that survived a fresh token,
    /// a legacy access-token failure).
    #[error("authentication failed: {0}")]
    Authentication(Box<ApiErrorDetail>),

    /// The refresh token is invalid or expired (`invalid_grant`, code 108), or the stored
    /// token cannot be refreshed: the user (or company admin) must authorize the app again.
    #[error("the user must authorize again: {0}")]
    ReauthorizeRequired(Box<ApiErrorDetail>),

    /// The server (or the caller) named a base URL that fails the [trust rule](crate::trust).
    /// Nothing carrying a credential or token was sent there.
    #[error("untrusted base URL {url}: {context}")]
    UntrustedBaseUrl {
        /// The refused URL (scheme, host, port and path only).
        url: String,
        /// Where the URL came from (`token geolocation`, `NextPage`, ...).
        context: &'static str,
    },

    /// 403 that survived a fresh token: the token is valid but lacks access to this API group.
    #[error("permission denied for {api_group}: {detail}")]
    Permission {
        /// The API group, e.g. `Expense v3` (check the app's scopes and the user's roles, e.g.
        /// Web Services Administrator for `user=ALL`).
        api_group: &'static str,
        /// Details of the failed call.
        detail: Box<ApiErrorDetail>,
    },

    /// 404.
    #[error("not found: {0}")]
    NotFound(Box<ApiErrorDetail>),

    /// 429 after the retry budget was spent.
    #[error("throttled after {attempts} attempt(s): {detail}")]
    Throttled {
        /// Details of the last failed call.
        detail: Box<ApiErrorDetail>,
        /// The last `Retry-After` the server sent.
        retry_after: Option<Duration>,
        /// How many attempts were made.
        attempts: u32,
    },

    /// 5xx (or 408) after the retry budget was spent (or on a non-idempotent request).
    #[error("server error after {attempts} attempt(s): {detail}")]
    Server {
        /// Details of the last failed call.
        detail: Box<ApiErrorDetail>,
        /// How many attempts were made.
        attempts: u32,
    },

    /// 400-class validation error (and other 4xx not covered above, e.g. 409); never retried.
    #[error("invalid request: {0}")]
    InvalidRequest(Box<ApiErrorDetail>),

    /// The response body could not be decoded into the expected shape.
    #[error("could not decode the response of {endpoint} at `{path}`: {message}")]
    Decode {
        /// `METHOD /path` of the request.
        endpoint: String,
        /// JSON path of the offending value (e.g. `Items[3].TransactionAmount`), `.` for the root.
        path: String,
        /// What the decoder said.
        message: String,
    },

    /// No response: connection refused, DNS, TLS, timeout, body read error.
    #[error("transport error on {endpoint}{}: {source}", if *.timeout { " (timeout)" } else { "" })]
    Transport {
        /// `METHOD /path` of the request.
        endpoint: String,
        /// Whether it was a timeout.
        timeout: bool,
        /// The underlying reqwest error (its URL removed).
        #[source]
        source: reqwest::Error,
    },

    /// A paginator stopped instead of looping forever.
    #[error("paging stopped on {endpoint}: {reason}")]
    Pagination {
        /// `METHOD /path` of the list call.
        endpoint: String,
        /// Why it stopped.
        reason: PaginationErrorReason,
    },

    /// Invalid client configuration or arguments (no credentials, bad URL, limit out of range...).
    #[error("configuration error: {0}")]
    Config(String),

    /// A [`TokenStore`](crate::TokenStore) failed to load or save.
    #[error("token store error: {message}")]
    TokenStore {
        /// What failed (file path and operation; never the token).
        message: String,
        /// The I/O or serde error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
}

impl Error {
    /// The broad class of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Authentication(_)
            | Error::ReauthorizeRequired(_)
            | Error::UntrustedBaseUrl { .. }
            | Error::Permission { .. } => ErrorKind::Auth,
            Error::NotFound(_) | Error::InvalidRequest(_) => ErrorKind::Client,
            Error::Throttled { .. } => ErrorKind::Throttling,
            Error::Server { detail, .. } if detail.status == 408 => ErrorKind::Transient,
            Error::Server { .. } => ErrorKind::Server,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Transport { .. } => ErrorKind::Transient,
            Error::Pagination { .. } | Error::Config(_) | Error::TokenStore { .. } => {
                ErrorKind::Other
            }
        }
    }

    /// Whether retrying the same (idempotent) request later may succeed: throttling, 408, 5xx
    /// and transport errors.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::Transient | ErrorKind::Throttling | ErrorKind::Server
        )
    }

    /// HTTP status of the failed call, if there was a response.
    pub fn status(&self) -> Option<u16> {
        self.detail().map(|d| d.status).filter(|s| *s != 0)
    }

    /// The `concur-correlationid` of the failed call, if any.
    pub fn correlation_id(&self) -> Option<&str> {
        self.detail().and_then(|d| d.correlation_id.as_deref())
    }

    /// The server's `Retry-After`, for throttling errors.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Throttled { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The HTTP details, for errors that came from a response.
    pub fn detail(&self) -> Option<&ApiErrorDetail> {
        match self {
            Error::Authentication(d)
            | Error::ReauthorizeRequired(d)
            | Error::NotFound(d)
            | Error::InvalidRequest(d) => Some(d),
            Error::Permission { detail, .. }
            | Error::Throttled { detail, .. }
            | Error::Server { detail, .. } => Some(detail),
            _ => None,
        }
    }

    pub(crate) fn detail_mut(&mut self) -> Option<&mut ApiErrorDetail> {
        match self {
            Error::Authentication(d)
            | Error::ReauthorizeRequired(d)
            | Error::NotFound(d)
            | Error::InvalidRequest(d) => Some(d),
            Error::Permission { detail, .. }
            | Error::Throttled { detail, .. }
            | Error::Server { detail, .. } => Some(detail),
            _ => None,
        }
    }

    /// Replaces every occurrence of the given secrets in the detail message.
    pub(crate) fn scrubbed(mut self, secrets: &[&secrecy::SecretString]) -> Self {
        if let Some(d) = self.detail_mut() {
            if let Some(m) = &d.message {
                d.message = Some(crate::secret::scrub(m, secrets));
            }
            for v in &mut d.validation_errors {
                *v = crate::secret::scrub(v, secrets);
            }
        }
        self
    }

    pub(crate) fn token_store(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Error::TokenStore {
            message: message.into(),
            source: Some(Box::new(source)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Error body decoding (every API family has its own shape).

#[derive(Deserialize, Default)]
struct AnyJsonError {
    // OAuth2
    error: Option<serde_json::Value>,
    error_description: Option<String>,
    code: Option<serde_json::Value>,
    geolocation: Option<String>,
    // v3 JSON
    #[serde(rename = "Error")]
    v3: Option<V3Error>,
    #[serde(rename = "Message")]
    message_pascal: Option<String>,
    // v4
    #[serde(rename = "errorId")]
    error_id: Option<String>,
    #[serde(rename = "errorMessage")]
    error_message: Option<String>,
    #[serde(rename = "validationErrors")]
    validation_errors: Option<serde_json::Value>,
    // spend docs / generic
    message: Option<String>,
    // SCIM
    detail: Option<String>,
    #[serde(rename = "scimType")]
    scim_type: Option<String>,
}

#[derive(Deserialize, Default)]
struct V3Error {
    #[serde(rename = "Message")]
    message: Option<serde_json::Value>,
    #[serde(rename = "Id")]
    id: Option<String>,
}

fn value_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// Fills `detail` from an error body of any Concur API family.
pub(crate) fn decode_error_body(detail: &mut ApiErrorDetail, body: &[u8]) {
    let trimmed = trim_ascii(body);
    if trimmed.is_empty() {
        return;
    }
    if trimmed[0] == b'{' || trimmed[0] == b'[' {
        let parsed: Option<AnyJsonError> = if trimmed[0] == b'[' {
            serde_json::from_slice::<Vec<AnyJsonError>>(trimmed)
                .ok()
                .and_then(|v| v.into_iter().next())
        } else {
            serde_json::from_slice(trimmed).ok()
        };
        if let Some(e) = parsed {
            apply_json_error(detail, e);
            return;
        }
    } else if trimmed[0] == b'<'
        && let Some((message, id)) = parse_xml_error(trimmed)
    {
        detail.message = message;
        detail.error_id = id;
        return;
    }
    let text = String::from_utf8_lossy(trimmed);
    let short: String = text.chars().take(300).collect();
    detail.message = Some(short);
}

fn apply_json_error(detail: &mut ApiErrorDetail, e: AnyJsonError) {
    let oauth_code = e.code.as_ref().and_then(|c| match c {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    });
    detail.oauth_code = oauth_code;
    detail.geolocation = e.geolocation;
    match &e.error {
        // OAuth2: "error": "invalid_grant"
        Some(serde_json::Value::String(err)) => {
            detail.code = Some(match oauth_code {
                Some(c) => format!("{err}/{c}"),
                None => err.clone(),
            });
            detail.message = e.error_description.clone().or_else(|| Some(err.clone()));
        }
        // List v4: "error": {"id": ..., "message": ...}
        Some(serde_json::Value::Object(obj)) => {
            detail.code = obj.get("id").and_then(value_text);
            detail.message = obj.get("message").and_then(value_text);
        }
        _ => {}
    }
    if let Some(v3) = e.v3 {
        detail.message = v3.message.as_ref().and_then(value_text);
        detail.error_id = v3.id;
    }
    if detail.message.is_none() {
        detail.message = e
            .error_message
            .or(e.message_pascal)
            .or(e.detail)
            .or(e.message)
            .or(e.error_description);
    }
    if detail.code.is_none() {
        detail.code = e
            .error_id
            .or(e.scim_type)
            .or_else(|| oauth_code.map(|c| c.to_string()));
    }
    if let Some(v) = e.validation_errors {
        match v {
            serde_json::Value::Array(items) => {
                for it in items {
                    let msg = it.get("message").and_then(value_text);
                    let src = it
                        .get("source")
                        .or_else(|| it.get("id"))
                        .and_then(value_text);
                    match (src, msg) {
                        (Some(s), Some(m)) => detail.validation_errors.push(format!("{s}: {m}")),
                        (None, Some(m)) => detail.validation_errors.push(m),
                        _ => detail.validation_errors.push(it.to_string()),
                    }
                }
            }
            serde_json::Value::Null => {}
            other => detail.validation_errors.push(other.to_string()),
        }
    }
}

/// `<Error><Message>..</Message><Server-Time/><Id>..</Id></Error>`; `Message` may hold child
/// elements (Travel Profile), whose text is concatenated.
fn parse_xml_error(body: &[u8]) -> Option<(Option<String>, Option<String>)> {
    use quick_xml::events::Event;
    let text = String::from_utf8_lossy(body);
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut path: Vec<String> = Vec::new();
    let mut message = String::new();
    let mut id = String::new();
    let mut saw_error = false;
    loop {
        let piece: Option<String> = match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.local_name().as_ref().to_owned();
                if name == "Error" {
                    saw_error = true;
                }
                path.push(name);
                Some(" ".to_owned())
            }
            Ok(Event::End(_)) => {
                path.pop();
                Some(" ".to_owned())
            }
            Ok(Event::Text(t)) => Some(t.xml10_content().into_owned()),
            Ok(Event::CData(t)) => Some(t.xml10_content().into_owned()),
            Ok(Event::GeneralRef(r)) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                ch.map(String::from)
            }
            Ok(Event::Eof) => break,
            Err(_) => return None,
            _ => None,
        };
        if let Some(p) = piece {
            if path.iter().any(|p| p == "Message") {
                message.push_str(&p);
            } else if path.last().map(String::as_str) == Some("Id") {
                id.push_str(&p);
            }
        }
    }
    if !saw_error {
        return None;
    }
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let message = collapse(&message);
    let id = collapse(&id);
    Some((
        (!message.is_empty()).then_some(message),
        (!id.is_empty()).then_some(id),
    ))
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    b.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(body: &str) -> ApiErrorDetail {
        let mut d = ApiErrorDetail::default();
        decode_error_body(&mut d, body.as_bytes());
        d
    }

    #[test]
    fn oauth_error() {
        let d = decode(r#"{"error":"invalid_grant","error_description":"Bad token","code":"108"}"#);
        assert_eq!(d.code.as_deref(), Some("invalid_grant/108"));
        assert_eq!(d.oauth_code, Some(108));
        assert_eq!(d.message.as_deref(), Some("Bad token"));
    }

    #[test]
    fn v3_json_and_xml() {
        let d = decode(
            r#"{"Error":{"Message":"Forbidden Request","Server-Time":"2019-03-12T07:56:32","Id":"65F6"}}"#,
        );
        assert_eq!(d.message.as_deref(), Some("Forbidden Request"));
        assert_eq!(d.error_id.as_deref(), Some("65F6"));
        let d = decode("<Error><Message>Invalid <b>User</b></Message><Id>X1</Id></Error>");
        assert_eq!(d.message.as_deref(), Some("Invalid User"));
        assert_eq!(d.error_id.as_deref(), Some("X1"));
    }

    #[test]
    fn v4_and_list_errors() {
        let d = decode(
            r#"{"errorId":"abc","errorMessage":"Nope","validationErrors":[{"id":"x","message":"bad","source":"name"}]}"#,
        );
        assert_eq!(d.code.as_deref(), Some("abc"));
        assert_eq!(d.message.as_deref(), Some("Nope"));
        assert_eq!(d.validation_errors, vec!["name: bad".to_string()]);
        let d = decode(r#"{"error":{"id":"list.not.found","message":"List not found"}}"#);
        assert_eq!(d.code.as_deref(), Some("list.not.found"));
        assert_eq!(d.message.as_deref(), Some("List not found"));
    }

    #[test]
    fn plain_text() {
        let d = decode("Service Unavailable");
        assert_eq!(d.message.as_deref(), Some("Service Unavailable"));
    }
}
