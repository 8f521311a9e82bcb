//! Download the receipt images of one Expense v4 report.
//!
//! `cargo run -p concur-smp-examples --example download_receipts`
//!
//! Flow: `expense_v4().expenses(..)` lists the report's expenses; every expense with a
//! `receiptImageId` is downloaded with `imaging().download(ImageKind::Receipt, id)`, which asks
//! Image v1 for a temporary URL (valid 15 minutes) and fetches the bytes; when the image host
//! refuses an expired URL (403/404) it asks for a fresh URL once. Expenses without an image
//! give `None`. Files are written to `$TMPDIR/concur-receipts/`.
//!
//! Until the simulator (`concur-sim`) serves Imaging, the example runs against a mockito server
//! started in [`backend`] (the only function to change to point it at the simulator).

use concur_client::models::expense_v4::ContextType;
use concur_client::models::imaging::ImageKind;
use concur_client::{AuthMode, Client, TokenRecord};

const USER: &str = "0f5a2e4c-1b7d-4c1e-9a55-3d2f8e6b7a10";
const REPORT: &str = "A1B2C3D4E5F60718293A";

/// Starts the fake Concur backend and returns it (keep it alive) with a client pointed at it.
async fn backend() -> anyhow::Result<(mockito::ServerGuard, Client)> {
    let mut server = mockito::Server::new_async().await;
    let base = server.url();
    let report_path = format!("/expensereports/v4/users/{USER}/context/TRAVELER/reports/{REPORT}");
    let expense = |id: &str, image: Option<&str>, vendor: &str, amount: &str| {
        serde_json::json!({
            "expenseId": id, "transactionDate": "2026-10-02",
            "transactionAmount": {"value": amount.parse::<f64>().unwrap_or(0.0), "currencyCode": "USD"},
            "exchangeRate": {"value": 1.0, "operation": "MULTIPLY"},
            "expenseType": {"id": "SUBSC", "name": "Software Subscriptions", "code": "OTHER"},
            "vendor": {"id": null, "name": null, "description": vendor},
            "receiptImageId": image
        })
    };
    let expenses = serde_json::json!([
        expense("E1", Some("IMG1"), "Example Notes Pro", "12.00000000"),
        expense("E2", None, "Example Coffee", "4.50000000"),
        expense("E3", Some("IMG3"), "Example Cloud Storage", "99.99000000"),
    ]);
    server
        .mock("GET", format!("{report_path}/expenses").as_str())
        .with_header("content-type", "application/json")
        .with_body(expenses.to_string())
        .create_async()
        .await;
    let image_xml = |url: String| {
        format!(
            "<Image xmlns=\"http://www.concursolutions.com/api/image/2011/02\"><Id>x</Id><Url>{}</Url></Image>",
            url.replace('&', "&amp;")
        )
    };
    // IMG1: the first URL has already expired; the second one works.
    let n = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (b1, n1) = (base.clone(), n.clone());
    server
        .mock("GET", "/api/image/v1.0/receipt/IMG1")
        .with_body_from_request(move |_| {
            let k = n1.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            image_xml(format!("{b1}/files/IMG1.pdf?sig={k}&exp=900")).into_bytes()
        })
        .create_async()
        .await;
    server
        .mock("GET", "/files/IMG1.pdf")
        .match_query(mockito::Matcher::UrlEncoded("sig".into(), "1".into()))
        .with_status(403)
        .create_async()
        .await;
    server
        .mock("GET", "/files/IMG1.pdf")
        .match_query(mockito::Matcher::UrlEncoded("sig".into(), "2".into()))
        .with_header("content-type", "application/pdf")
        .with_body(b"%PDF-1.4\n% fake receipt for Example Notes Pro\n".as_slice())
        .create_async()
        .await;
    server
        .mock("GET", "/api/image/v1.0/receipt/IMG3")
        .with_body(image_xml(format!("{base}/files/IMG3.png?sig=a&exp=900")))
        .create_async()
        .await;
    server
        .mock("GET", "/files/IMG3.png")
        .match_query(mockito::Matcher::Any)
        .with_header("content-type", "image/png")
        .with_body(b"\x89PNG\r\n\x1a\nfake".as_slice())
        .create_async()
        .await;

    let token = TokenRecord::new(
        "example-token",
        None,
        chrono::Utc::now() + chrono::Duration::hours(1),
        url::Url::parse(&base)?,
        AuthMode::CompanyAuthToken,
    );
    let client = Client::builder().base_url(&base).token(token).build()?;
    Ok((server, client))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let (_backend, client) = backend().await?;
    let dir = std::env::temp_dir().join("concur-receipts");
    std::fs::create_dir_all(&dir)?;

    let expenses = client
        .expense_v4()
        .expenses(USER, ContextType::Traveler, REPORT)
        .send()
        .await?;
    let (mut saved, mut without) = (0, 0);
    for e in &expenses {
        let vendor = e.vendor.as_ref().and_then(|v| v.display()).unwrap_or("?");
        let Some(image_id) = e.receipt_image_id.as_deref() else {
            println!("{:<4} {vendor:<24} no receipt image", e.expense_id);
            without += 1;
            continue;
        };
        match client
            .imaging()
            .download(ImageKind::Receipt, image_id)
            .await
        {
            Ok(Some(img)) => {
                let path = dir.join(format!("{}.{}", e.expense_id, img.extension()));
                std::fs::write(&path, &img.bytes)?;
                println!(
                    "{:<4} {vendor:<24} {} bytes -> {}",
                    e.expense_id,
                    img.bytes.len(),
                    path.display()
                );
                saved += 1;
            }
            Ok(None) => {
                println!("{:<4} {vendor:<24} Concur has no image", e.expense_id);
                without += 1;
            }
            // one broken receipt does not stop the others
            Err(err) => eprintln!("{:<4} {vendor:<24} failed: {err}", e.expense_id),
        }
    }
    println!("saved {saved} receipt(s), {without} expense(s) without an image");
    Ok(())
}
