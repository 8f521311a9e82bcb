//! Authentication scenarios against mockito.

use std::sync::Arc;

use chrono::Utc;
use concur_client::secret::ExposeSecret;
use concur_client::{
    AuthMode, Client, Credentials, Error, FileTokenStore, Grant, MemoryTokenStore, TokenStore,
};
use mockito::Matcher;

use crate::util::*;

fn form(pairs: &[(&str, &str)]) -> Matcher {
    Matcher::AllOf(
        pairs
            .iter()
            .map(|(k, v)| Matcher::UrlEncoded((*k).into(), (*v).into()))
            .collect(),
    )
}

#[tokio::test]
async fn password_grant_form_and_geolocation_becomes_base() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let token = server
        .mock("POST", "/oauth2/v0/token")
        .match_header("content-type", "application/x-www-form-urlencoded")
        .match_header("accept", "application/json")
        .match_query(Matcher::Missing)
        .match_body(form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("grant_type", "password"),
            ("credtype", "password"),
            ("username", "ada.testperson@example.com"),
            ("password", "pw-Secret+1"),
        ]))
        .with_body(token_body(
            "acc-1",
            Some("rt-1"),
            &format!("{url}/geo"),
            "3600",
        ))
        .expect(1)
        .create_async()
        .await;
    let api = server
        .mock("GET", "/geo/api/v3.0/expense/reports/R1")
        .match_header("authorization", "Bearer acc-1")
        .with_body(r#"{"ID":"R1","Name":"Trip"}"#)
        .expect(1)
        .create_async()
        .await;
    let client = builder(&url)
        .grant(Grant::password("ada.testperson@example.com", "pw-Secret+1"))
        .build()
        .unwrap();
    let report = client.expense().reports().get("R1").send().await.unwrap();
    assert_eq!(report.id, "R1");
    assert_eq!(report.name.as_deref(), Some("Trip"));
    let rec = client.token().unwrap();
    assert_eq!(rec.base_url.as_str(), format!("{url}/geo/"));
    assert_eq!(rec.auth_mode, AuthMode::Password);
    assert!(
        rec.id_token.is_none(),
        "id_token is dropped unless asked for"
    );
    let secs = (rec.expires_at - Utc::now()).num_seconds();
    assert!((3590..=3600).contains(&secs), "expires in {secs}");
    token.assert_async().await;
    api.assert_async().await;
    assert_eq!(client.metrics().token_refreshes(), 1);
}

async fn expires_for(expires_in: serde_json::Value) -> i64 {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let mut body = serde_json::json!({"access_token":"a","token_type":"Bearer","geolocation": url});
    if !expires_in.is_null() {
        body["expires_in"] = expires_in;
    }
    server
        .mock("POST", "/oauth2/v0/token")
        .with_body(body.to_string())
        .create_async()
        .await;
    let client = builder(&url)
        .grant(Grant::ClientCredentials)
        .build()
        .unwrap();
    let rec = client.authenticate().await.unwrap();
    (rec.expires_at - Utc::now()).num_seconds()
}

#[tokio::test]
async fn expires_in_as_string_number_or_missing() {
    let s = expires_for(serde_json::json!("1800")).await;
    assert!((1790..=1800).contains(&s), "string: {s}");
    let n = expires_for(serde_json::json!(7200)).await;
    assert!((7190..=7200).contains(&n), "number: {n}");
    let m = expires_for(serde_json::Value::Null).await;
    assert!((3590..=3600).contains(&m), "missing: {m}");
}

#[tokio::test]
async fn rotated_refresh_token_is_stored_and_used_next() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    // Stored token already expired: the first call must refresh with rt-1.
    let store = Arc::new(MemoryTokenStore::with_token(record(
        &url,
        "old",
        Some("rt-1"),
        -10,
    )));
    let r1 = server
        .mock("POST", "/oauth2/v0/token")
        .match_body(form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-1"),
        ]))
        // expires_in 0: the next call refreshes again.
        .with_body(token_body("acc-2", Some("rt-2"), &url, "0"))
        .expect(1)
        .create_async()
        .await;
    let r2 = server
        .mock("POST", "/oauth2/v0/token")
        .match_body(form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-2"),
        ]))
        .with_body(token_body(
            "acc-3",
            Some("rt-3"),
            &url,
            3600.to_string().as_str(),
        ))
        .expect(1)
        .create_async()
        .await;
    let api2 = server
        .mock("GET", "/api/v3.0/expense/reports/A")
        .match_header("authorization", "Bearer acc-2")
        .with_body(r#"{"ID":"A"}"#)
        .expect(1)
        .create_async()
        .await;
    let api3 = server
        .mock("GET", "/api/v3.0/expense/reports/B")
        .match_header("authorization", "Bearer acc-3")
        .with_body(r#"{"ID":"B"}"#)
        .expect(1)
        .create_async()
        .await;
    let client = builder(&url).token_store(store.clone()).build().unwrap();
    client.expense().reports().get("A").send().await.unwrap();
    assert_eq!(
        store.get().unwrap().refresh_token.unwrap().expose_secret(),
        "rt-2"
    );
    client.expense().reports().get("B").send().await.unwrap();
    let saved = store.get().unwrap();
    assert_eq!(saved.refresh_token.unwrap().expose_secret(), "rt-3");
    assert_eq!(saved.access_token.expose_secret(), "acc-3");
    assert_eq!(store.save_count(), 2);
    r1.assert_async().await;
    r2.assert_async().await;
    api2.assert_async().await;
    api3.assert_async().await;
}

async fn refused_geolocation(geo: &str) -> (Error, u64) {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("POST", "/oauth2/v0/token")
        .with_body(token_body("acc-1", Some("rt-1"), geo, "3600"))
        .create_async()
        .await;
    let client = builder(&url)
        .grant(Grant::password("ada.testperson@example.com", "pw"))
        .build()
        .unwrap();
    let err = client.expense().reports().list().send().await.unwrap_err();
    (err, client.metrics().calls())
}

#[tokio::test]
async fn untrusted_geolocations_are_refused_and_nothing_is_sent_there() {
    // A real foreign server: it must never see a request.
    let mut foreign = mockito::Server::new_async().await;
    let trap = foreign
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let (err, calls) = refused_geolocation(&foreign.url()).await;
    assert!(
        matches!(
            err,
            Error::UntrustedBaseUrl {
                context: "token geolocation",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(calls, 1, "only the token call was sent");
    trap.assert_async().await;

    for geo in [
        "https://us.api.concursolutions.com.evil.test",
        "http://us.api.concursolutions.com",
        "https://evil.example",
    ] {
        let (err, calls) = refused_geolocation(geo).await;
        match &err {
            Error::UntrustedBaseUrl { url, .. } => assert!(url.starts_with(geo), "{url} vs {geo}"),
            other => panic!("{geo}: {other:?}"),
        }
        assert_eq!(calls, 1, "{geo}");
    }
}

#[tokio::test]
async fn error_16_is_retried_at_the_named_geolocation() {
    let mut home = mockito::Server::new_async().await;
    let mut other = mockito::Server::new_async().await;
    let first = home
        .mock("POST", "/oauth2/v0/token")
        .with_status(400)
        .with_body(
            serde_json::json!({"error":"invalid_request","error_description":"user lives elsewhere","code":16,"geolocation": other.url()})
                .to_string(),
        )
        .expect(1)
        .create_async()
        .await;
    let second = other
        .mock("POST", "/oauth2/v0/token")
        .match_body(form(&[
            ("grant_type", "password"),
            ("username", "ada.testperson@example.com"),
        ]))
        .with_body(token_body("acc-eu", Some("rt-eu"), &other.url(), "3600"))
        .expect(1)
        .create_async()
        .await;
    let client = builder(&home.url())
        .trust_origin(&other.url())
        .grant(Grant::password("ada.testperson@example.com", "pw"))
        .build()
        .unwrap();
    let rec = client.authenticate().await.unwrap();
    assert_eq!(rec.access_token.expose_secret(), "acc-eu");
    assert_eq!(rec.base_url.as_str(), format!("{}/", other.url()));
    first.assert_async().await;
    second.assert_async().await;

    // The same error naming an untrusted host is refused.
    let mut home2 = mockito::Server::new_async().await;
    home2
        .mock("POST", "/oauth2/v0/token")
        .with_status(400)
        .with_body(
            r#"{"error":"invalid_request","code":"16","geolocation":"https://evil.example"}"#,
        )
        .create_async()
        .await;
    let client = builder(&home2.url())
        .grant(Grant::password("ada.testperson@example.com", "pw"))
        .build()
        .unwrap();
    let err = client.authenticate().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::UntrustedBaseUrl {
                context: "error 16 geolocation",
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn invalid_grant_108_requires_reauthorization() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("POST", "/oauth2/v0/token")
        .with_status(400)
        .with_header("concur-correlationid", "corr-108")
        .with_body(r#"{"error":"invalid_grant","error_description":"Refresh token is invalid","code":108}"#)
        .expect(1)
        .create_async()
        .await;
    let store = Arc::new(MemoryTokenStore::with_token(record(
        &url,
        "old",
        Some("rt-dead"),
        -10,
    )));
    let client = builder(&url).token_store(store).build().unwrap();
    let err = client.expense().reports().list().send().await.unwrap_err();
    match &err {
        Error::ReauthorizeRequired(d) => {
            assert_eq!(d.oauth_code, Some(108));
            assert_eq!(d.code.as_deref(), Some("invalid_grant/108"));
            assert_eq!(d.correlation_id.as_deref(), Some("corr-108"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("must authorize again"), "{err}");
    assert!(!err.is_retryable());

    // Bad password (invalid_grant, code 5) is an authentication error, not a re-authorization.
    let mut s2 = mockito::Server::new_async().await;
    s2.mock("POST", "/oauth2/v0/token")
        .with_status(401)
        .with_body(fixture("auth-token-error-invalid-grant.json"))
        .create_async()
        .await;
    let c2 = builder(&s2.url())
        .grant(Grant::password("ada.testperson@example.com", "wrong"))
        .build()
        .unwrap();
    let err = c2.authenticate().await.unwrap_err();
    match err {
        Error::Authentication(d) => {
            assert_eq!(d.oauth_code, Some(5));
            assert_eq!(
                d.message.as_deref(),
                Some("Incorrect Credentials. Please Retry")
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn company_authtoken_and_client_credentials_grants() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let m = server
        .mock("POST", "/oauth2/v0/token")
        .match_body(form(&[
            ("grant_type", "password"),
            ("credtype", "authtoken"),
            ("username", "4f2c1d7e-company-uuid"),
            ("password", "request-token-24h"),
        ]))
        .with_body(
            fixture("auth-token-company-password-authtoken-response-tmc.json")
                .replace("https://us.api.Concursolutions.com", &url),
        )
        .expect(1)
        .create_async()
        .await;
    let client = builder(&url)
        .grant(Grant::company("4f2c1d7e-company-uuid", "request-token-24h"))
        .build()
        .unwrap();
    let rec = client.authenticate().await.unwrap();
    assert_eq!(rec.auth_mode, AuthMode::CompanyAuthToken);
    assert_eq!(rec.refresh_expires_at.unwrap().timestamp(), 1_517_039_403);
    m.assert_async().await;

    let m2 = server
        .mock("POST", "/oauth2/v0/token")
        .match_body(form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
        ]))
        .with_body(
            fixture("auth-token-client-credentials-response.json")
                .replace("https://us.api.concursolutions.com", &url),
        )
        .expect(1)
        .create_async()
        .await;
    let client = builder(&url)
        .grant(Grant::ClientCredentials)
        .build()
        .unwrap();
    let rec = client.authenticate().await.unwrap();
    assert_eq!(rec.auth_mode, AuthMode::ClientCredentials);
    assert!(rec.refresh_token.is_none());
    m2.assert_async().await;
}

#[tokio::test]
async fn legacy_consumer_key_flow_uses_oauth_scheme() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    // base64("admin@example.com:Legacy&Pass$1")
    let basic = "Basic YWRtaW5AZXhhbXBsZS5jb206TGVnYWN5JlBhc3MkMQ==";
    let login = server
        .mock("GET", "/net2/oauth2/accesstoken.ashx")
        .match_header("x-consumerkey", "CONSUMER-KEY-1")
        .match_header("authorization", basic)
        .match_header("accept", "application/json")
        .with_body(
            fixture("auth-legacy-native-accesstoken-response.json")
                .replace("https://www.concursolutions.com/", &format!("{url}/")),
        )
        .expect(1)
        .create_async()
        .await;
    let api = server
        .mock("GET", "/api/v3.0/expense/reports")
        .match_header("authorization", "OAuth SampleToken")
        .with_body(r#"{"Items":[]}"#)
        .expect(1)
        .create_async()
        .await;
    let client = Client::builder()
        .base_url(&url)
        .grant(Grant::legacy(
            "CONSUMER-KEY-1",
            "admin@example.com",
            "Legacy&Pass$1",
        ))
        .build()
        .unwrap();
    let page = client.expense().reports().list().send().await.unwrap();
    assert!(page.items.is_empty());
    assert_eq!(client.token().unwrap().auth_mode, AuthMode::Legacy);
    login.assert_async().await;
    api.assert_async().await;
}

#[tokio::test]
async fn file_store_is_0600_atomic_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    let store = FileTokenStore::new(&path);
    assert!(store.load().await.unwrap().is_none());
    let rec = record(
        "https://us.api.concursolutions.com/",
        "acc-file",
        Some("rt-file"),
        3600,
    );
    store.save(&rec).await.unwrap();
    let back = store.load().await.unwrap().unwrap();
    assert_eq!(back.refresh_token.unwrap().expose_secret(), "rt-file");
    assert_eq!(
        back.base_url.as_str(),
        "https://us.api.concursolutions.com/"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "access_token",
            "auth_mode",
            "base_url",
            "expires_at",
            "refresh_expires_at",
            "refresh_token",
            "scope"
        ],
        "never a client secret or password"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["token.json".to_string()], "no temp files left");
}

#[tokio::test]
async fn client_from_stored_token_refreshes_with_credentials() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let refresh = server
        .mock("POST", "/oauth2/v0/token")
        .match_body(form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", "rt-stored"),
            ("client_secret", CLIENT_SECRET),
        ]))
        .with_body(token_body("acc-new", Some("rt-new"), &url, "3600"))
        .expect(1)
        .create_async()
        .await;
    let stored = record(&url, "acc-old", Some("rt-stored"), 30);
    let client =
        Client::from_stored_token(stored, Credentials::new(CLIENT_ID, CLIENT_SECRET)).unwrap();
    let rec = client.authenticate().await.unwrap();
    assert_eq!(rec.access_token.expose_secret(), "acc-new");
    refresh.assert_async().await;
}

#[tokio::test]
async fn legacy_refresh_token_exchange_with_app_token() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("POST", "/oauth2/v0/token")
        .match_body(form(&[("grant_type", "client_credentials")]))
        .with_body(token_body("app-token", None, &url, "3600"))
        .expect(1)
        .create_async()
        .await;
    let exchange = server
        .mock(
            "POST",
            "/appmgmt/v0/legacyApps/OLD-KEY%241/exchangeRefreshToken/me?returnType=companyToken",
        )
        .match_header("authorization", "Bearer app-token")
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(
            serde_json::json!({"token": "legacy-rt", "secret": CLIENT_SECRET}),
        ))
        .with_body(fixture("auth-exchange-legacy-refresh-token-response.json"))
        .expect(1)
        .create_async()
        .await;
    let client = builder(&url)
        .grant(Grant::ClientCredentials)
        .build()
        .unwrap();
    let legacy = concur_client::SecretString::from("legacy-rt".to_string());
    let out = client
        .exchange_legacy_refresh_token("OLD-KEY$1", &legacy, true)
        .await
        .unwrap();
    assert_eq!(
        out.token.expose_secret(),
        "8c844478-745c-4c45-adf7-1e2777a50dbf"
    );
    assert_eq!(out.created.unwrap().timestamp_millis(), 1_479_407_196_809);
    assert_eq!(out.expired.unwrap().timestamp_millis(), 1_494_959_196_809);
    assert_eq!(out.scopes, ["EXPRPT", "LIST", "BANK", "CCARD"]);
    assert_eq!(out.context_json().unwrap()["ptype"], "user");
    assert!(!format!("{out:?}").contains("8c844478"));
    exchange.assert_async().await;

    // The company variant of the fixture decodes too.
    let v: concur_client::LegacyTokenExchange = serde_json::from_str(&fixture(
        "auth-exchange-legacy-refresh-token-company-response.json",
    ))
    .unwrap();
    assert!(!v.token.expose_secret().is_empty());
}

#[test]
fn id_token_claims_decode() {
    use base64::Engine as _;
    let claims = fixture("auth-id-token-claims.json");
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.as_bytes());
    let jwt = concur_client::SecretString::from(format!("eyJhbGciOiJSUzI1NiJ9.{payload}.c2ln"));
    let c = concur_client::IdTokenClaims::from_jwt(&jwt).unwrap();
    assert_eq!(
        c.sub.as_deref(),
        Some("76459ad3-f77b-4d98-a21a-55333c9179f0")
    );
    assert_eq!(c.concur_type.as_deref(), Some("user"));
    assert_eq!(c.exp, Some(1_485_485_529));
    assert_eq!(c.concur_version, Some(2));
    assert!(
        concur_client::IdTokenClaims::from_jwt(&concur_client::SecretString::from(
            "nope".to_string()
        ))
        .is_err()
    );
}

#[tokio::test]
async fn a_failed_refresh_is_shared_by_concurrent_requests() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let token = server
        .mock("POST", "/oauth2/v0/token")
        .with_status(400)
        .with_body(r#"{"error":"invalid_grant","error_description":"revoked","code":108}"#)
        .expect(1)
        .create_async()
        .await;
    server
        .mock(
            "GET",
            Matcher::Regex(r"^/api/v3\.0/expense/reports/R\d$".into()),
        )
        .with_status(401)
        .expect(5)
        .create_async()
        .await;
    let (client, _) = client_with_token(&url);
    client.authenticate().await.unwrap();
    let calls = (0..5).map(|i| {
        let c = client.clone();
        tokio::spawn(async move { c.expense().reports().get(format!("R{i}")).send().await })
    });
    for r in futures::future::join_all(calls).await {
        let err = r.unwrap().unwrap_err();
        assert!(matches!(err, Error::ReauthorizeRequired(_)), "{err:?}");
    }
    token.assert_async().await;
}

#[tokio::test]
async fn short_lived_tokens_refresh_at_half_life_not_every_call() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    let token = server
        .mock("POST", "/oauth2/v0/token")
        .with_body(token_body("acc-60", Some("rt"), &url, "60"))
        .expect(1)
        .create_async()
        .await;
    let api = server
        .mock("GET", "/api/v3.0/expense/reports/R")
        .with_body(r#"{"ID":"R"}"#)
        .expect(3)
        .create_async()
        .await;
    let client = builder(&url)
        .grant(Grant::ClientCredentials)
        .build()
        .unwrap();
    for _ in 0..3 {
        client.expense().reports().get("R").send().await.unwrap();
    }
    assert!(client.token().unwrap().obtained_at.is_some());
    token.assert_async().await;
    api.assert_async().await;
}
