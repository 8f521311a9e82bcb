//! Secrets never appear in Debug, Display or error messages.

use concur_client::{Client, Credentials, Error, Grant, LegacyCredentials};

use crate::util::*;

const PASSWORD: &str = "Pa55word-Ada-Testperson";
const REFRESH: &str = "refresh-token-abcdef123456";
const ACCESS: &str = "access-token-xyz987654";

fn assert_clean(text: &str) {
    for s in [CLIENT_SECRET, PASSWORD, REFRESH, ACCESS, "legacy-pw-42"] {
        assert!(!text.contains(s), "secret {s:?} leaked in: {text}");
    }
}

#[tokio::test]
async fn debug_of_client_token_and_errors_contains_no_secret() {
    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    // The server echoes the password back in its error: it must be scrubbed.
    server
        .mock("POST", "/oauth2/v0/token")
        .with_status(401)
        .with_body(format!(
            r#"{{"error":"invalid_grant","error_description":"bad password {PASSWORD} for client {CLIENT_SECRET}","code":5}}"#
        ))
        .create_async()
        .await;
    let client = builder(&url)
        .grant(Grant::password("ada.testperson@example.com", PASSWORD))
        .build()
        .unwrap();
    assert_clean(&format!("{client:?}"));
    let err = client.authenticate().await.unwrap_err();
    assert!(matches!(err, Error::Authentication(_)));
    assert_clean(&format!("{err:?}"));
    assert_clean(&err.to_string());
    assert!(err.to_string().contains("[REDACTED]"), "{err}");

    // A client holding a token.
    let (client, _) = {
        let store = std::sync::Arc::new(concur_client::MemoryTokenStore::with_token(record(
            &url,
            ACCESS,
            Some(REFRESH),
            3600,
        )));
        let c = builder(&url).token_store(store.clone()).build().unwrap();
        (c, store)
    };
    server
        .mock("GET", "/api/v3.0/expense/reports")
        .with_status(500)
        .with_body(format!("boom: token {ACCESS} refresh {REFRESH}"))
        .create_async()
        .await;
    server
        .mock("GET", "/api/v3.0/expense/entries")
        .with_status(400)
        .with_body(format!(
            r#"{{"Error":{{"Message":"bad Authorization: Bearer {ACCESS}","Id":"1"}}}}"#
        ))
        .create_async()
        .await;
    let err = client.expense().reports().list().send().await.unwrap_err();
    assert!(matches!(err, Error::Server { attempts: 4, .. }), "{err:?}");
    assert!(err.to_string().contains("boom: token [REDACTED]"), "{err}");
    assert_clean(&format!("{client:?}"));
    let err = client.expense().entries().list().send().await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_clean(&format!("{err:?} {err}"));
    assert_clean(&format!("{err:?} {err}"));
    let tok = client.token().unwrap();
    assert_clean(&format!("{tok:?}"));
    let stored = record(&url, ACCESS, Some(REFRESH), 3600);
    assert_clean(&format!("{stored:?}"));

    // Credentials, grants and builders.
    assert_clean(&format!("{:?}", Credentials::new(CLIENT_ID, CLIENT_SECRET)));
    assert_clean(&format!("{:?}", Grant::password("u", PASSWORD)));
    assert_clean(&format!("{:?}", Grant::refresh_token(REFRESH)));
    assert_clean(&format!("{:?}", Grant::company("c", PASSWORD)));
    assert_clean(&format!(
        "{:?}",
        LegacyCredentials::new("key", "admin", "legacy-pw-42")
    ));
    let b = Client::builder()
        .credentials(Credentials::new(CLIENT_ID, CLIENT_SECRET))
        .grant(Grant::password("u", PASSWORD));
    assert_clean(&format!("{b:?}"));

    // Transport errors.
    let err = builder("http://127.0.0.1:1")
        .token(record("http://127.0.0.1:1", ACCESS, Some(REFRESH), 3600))
        .retry(concur_client::RetryConfig::none())
        .build()
        .unwrap()
        .expense()
        .reports()
        .list()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_clean(&format!("{err:?} {err}"));
}

#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_at_trace_level_contain_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // Keep two dispatchers registered so that callsites first hit by other tests' threads
    // (which have no subscriber) are not cached as "never" for every thread.
    let _second = tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default());
    let _guard = tracing::subscriber::set_default(subscriber);

    let mut server = mockito::Server::new_async().await;
    let url = server.url();
    server
        .mock("POST", "/oauth2/v0/token")
        .with_body(token_body(ACCESS, Some(REFRESH), &url, "3600"))
        .create_async()
        .await;
    server
        .mock("GET", "/api/v3.0/expense/reports")
        .with_status(503)
        .with_header("concur-correlationid", "corr-log-1")
        .with_body(format!("echo {ACCESS}"))
        .expect(1)
        .create_async()
        .await;
    server
        .mock("GET", "/api/v3.0/expense/reports")
        .with_body(r#"{"Items":[{"ID":"R1"},{"ID":"R2","Total":"bad"}]}"#)
        .create_async()
        .await;
    let client = builder(&url)
        .grant(Grant::password("ada.testperson@example.com", PASSWORD))
        .build()
        .unwrap();
    let page = client.expense().reports().list().send().await.unwrap();
    assert_eq!(page.items.len(), 1);
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("concur.http"), "spans are logged: {logs}");
    assert!(
        logs.contains("corr-log-1"),
        "correlation id is logged: {logs}"
    );
    assert!(logs.contains("/api/v3.0/expense/reports"), "path is logged");
    assert_clean(&logs);
}
