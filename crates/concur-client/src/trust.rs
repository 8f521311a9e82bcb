//! The trust rule for base URLs handed out by the server.
//!
//! Concur tells the client where to go next: the token's `geolocation`, the legacy
//! `Instance_URL`, the `geolocation` of an error 16 ("user lives elsewhere") and every v3
//! `NextPage` link. A credential or token is only ever sent to a URL that passes this rule:
//!
//! * `https`, and a host that is `concursolutions.com`, ends in `.concursolutions.com`, or ends
//!   in `.concurcdc.cn`, compared on whole DNS labels (so `concursolutions.com.evil.test` and
//!   `evilconcursolutions.com` are refused). Data-center names are not checked against a fixed
//!   list, so a new data center works without a release.
//! * or exactly the scheme, host and port of a base URL the caller configured explicitly
//!   ([`ClientBuilder::base_url`](crate::ClientBuilder::base_url),
//!   [`ClientBuilder::trust_origin`](crate::ClientBuilder::trust_origin)). This is how the local
//!   simulator, proxies and test servers are used: an explicitly configured
//!   `http://127.0.0.1:8080` is trusted, with that port only.
//!
//! Anything else is [`Error::UntrustedBaseUrl`](crate::Error::UntrustedBaseUrl).

use url::Url;

/// The `(scheme, host, port)` triple of a URL, compared exactly.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl Origin {
    /// The origin of `url`, or `None` for URLs without a host (e.g. `data:`).
    pub fn of(url: &Url) -> Option<Self> {
        Some(Self {
            scheme: url.scheme().to_ascii_lowercase(),
            host: normalize_host(url.host_str()?),
            port: url.port_or_known_default(),
        })
    }
}

fn normalize_host(h: &str) -> String {
    h.trim_end_matches('.').to_ascii_lowercase()
}

/// Concur's own domains, matched on whole labels.
pub fn is_concur_host(host: &str) -> bool {
    let h = normalize_host(host);
    h == "concursolutions.com"
        || h.ends_with(".concursolutions.com")
        || h.ends_with(".concurcdc.cn")
}

/// The trust rule (see the module docs). `explicit` holds the origins of base URLs the caller
/// configured.
pub fn is_trusted(url: &Url, explicit: &[Origin]) -> bool {
    let Some(origin) = Origin::of(url) else {
        return false;
    };
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    if explicit.contains(&origin) {
        return true;
    }
    origin.scheme == "https" && url.domain().is_some() && is_concur_host(&origin.host)
}

/// A URL rendered for messages: scheme, host, port and path, never the query or user info.
pub(crate) fn display_url(url: &Url) -> String {
    let mut u = url.clone();
    u.set_query(None);
    u.set_fragment(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str, explicit: &[&str]) -> bool {
        let ex: Vec<Origin> = explicit
            .iter()
            .map(|e| Origin::of(&Url::parse(e).unwrap()).unwrap())
            .collect();
        is_trusted(&Url::parse(s).unwrap(), &ex)
    }

    #[test]
    fn concur_hosts() {
        assert!(t("https://us.api.concursolutions.com", &[]));
        assert!(t("https://us.api.Concursolutions.com/", &[]));
        assert!(t("https://www.concursolutions.com/", &[]));
        assert!(t("https://concursolutions.com/", &[]));
        assert!(t("https://new-dc9.api.concursolutions.com", &[]));
        assert!(t("https://cn.api.concurcdc.cn", &[]));
        assert!(!t("http://us.api.concursolutions.com", &[]));
        assert!(!t("https://us.api.concursolutions.com.evil.test", &[]));
        assert!(!t("https://evilconcursolutions.com", &[]));
        assert!(!t("https://concurcdc.cn.evil.test", &[]));
        assert!(!t("https://user:pw@us.api.concursolutions.com", &[]));
        assert!(!t("https://evil.example", &[]));
    }

    #[test]
    fn explicit_origin_exact_port() {
        assert!(t("http://127.0.0.1:8080/x", &["http://127.0.0.1:8080"]));
        assert!(!t("http://127.0.0.1:8081/x", &["http://127.0.0.1:8080"]));
        assert!(!t("https://127.0.0.1:8080/x", &["http://127.0.0.1:8080"]));
        assert!(t(
            "https://proxy.example/concur/api",
            &["https://proxy.example/concur/"]
        ));
    }
}
