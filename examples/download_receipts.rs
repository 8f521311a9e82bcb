//! Download receipt images with Image v1: one image per expense entry, and each report's
//! bundled PDF, for the first three reports of the company.
//!
//! Simulator (in-process `tiny` company, no network):
//! `cargo run -p concur-smp-examples --example download_receipts`
//!
//! Real company or external simulator: set `CONCUR_BASE_URL`, `CONCUR_CLIENT_ID`,
//! `CONCUR_CLIENT_SECRET` and `CONCUR_USERNAME` + `CONCUR_PASSWORD` (or
//! `CONCUR_REFRESH_TOKEN`), see [`concur_smp_examples::connect`]. Files are written to
//! `$TMPDIR/concur-receipts/`.
//!
//! `imaging().image_url(kind, id)` returns a pre-signed URL valid for 15 minutes, or `None`
//! when there is no image (not an error); `download_url` fetches it without the
//! `Authorization` header. `download(kind, id)` does both in one call and asks for a fresh URL
//! once when the first one has expired.

use concur_client::models::imaging::{ImageData, ImageKind};
use concur_smp_examples::connect;
use futures::TryStreamExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let conn = connect().await?;
    println!("connected to {}", conn.target);
    let client = &conn.client;
    let dir = std::env::temp_dir().join("concur-receipts");
    std::fs::create_dir_all(&dir)?;
    let save = |name: &str, img: &ImageData| -> std::io::Result<String> {
        std::fs::write(dir.join(format!("{name}.{}", img.extension())), &img.bytes)?;
        let kind = img.content_type.as_deref().unwrap_or("unknown type");
        Ok(format!("{} bytes, {kind}", img.bytes.len()))
    };

    let (expense, imaging) = (client.expense(), client.imaging());
    let reports = expense.reports().list().user_all().limit(3).send().await?;
    let (mut saved, mut without) = (0, 0);
    for report in &reports.items {
        println!(
            "report {} ({:?})",
            report.id,
            report.name.as_deref().unwrap_or("-")
        );
        let mut entries = expense
            .entries()
            .list()
            .user_all()
            .report_id(&report.id)
            .stream();
        while let Some(e) = entries.try_next().await? {
            let vendor = e.vendor_description.as_deref().unwrap_or("-");
            // Entry ids contain `$`; the client percent-encodes path segments.
            let Some(url) = imaging
                .image_url(ImageKind::ExpenseEntry, &e.id)
                .await?
                .and_then(|i| i.url)
            else {
                println!("  {:<20} {vendor:<32} no image", e.id);
                without += 1;
                continue;
            };
            // one broken image does not stop the others
            match imaging.download_url(&url).await {
                Ok(img) => {
                    println!(
                        "  {:<20} {vendor:<32} {}",
                        e.id,
                        save(&e.id.replace('$', "_"), &img)?
                    );
                    saved += 1;
                }
                Err(err) => eprintln!("  {:<20} {vendor:<32} failed: {err}", e.id),
            }
        }
        match imaging.download(ImageKind::Report, &report.id).await? {
            Some(pdf) => println!("  report image: {}", save(&report.id, &pdf)?),
            None => println!("  report image: none"),
        }
    }
    println!(
        "{saved} entry image(s), {without} entr(ies) without an image; files in {}",
        dir.display()
    );
    Ok(())
}
