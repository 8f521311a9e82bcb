//! Imaging: Image v1 URLs and downloads, the Receipt Image v3 list, Receipts v4 and Spend
//! Documents v4 receipts.
//!
//! * Image v1 (`GET /api/image/v1.0/{receipt|expenseentry|invoice|report}/{id}`) answers XML
//!   only: `<Image><Id/><Url/></Image>`. The URL is XML-escaped (unescaped here) and **valid for
//!   15 minutes**.
//! * [`ImagingHandler::download`] fetches a URL and then the bytes. If the image host answers
//!   403 or 404 (the URL expired between the two calls), it asks Concur for a fresh URL **once**
//!   and retries; a second failure is an error. The pre-signed image URL is fetched **without**
//!   the `Authorization` header, and only from hosts that pass the [trust rule](crate::trust).
//! * A receipt that truly has no image (Image v1 answers 404, or an empty `<Url />`) is
//!   `Ok(None)`, not an error.
//! * Receipts v4 only returns receipts posted through Receipts v4; for entry and invoice images
//!   use Image v1 or Spend Documents.
//!
//! Scope: legacy `IMAGE`; Receipts v4 `receipts.read`; Spend Documents `spenddocs.receipts.read`.
//!
//! Concur docs: <https://developer.concur.com/api-reference/image/v1.image.html>,
//! <https://developer.concur.com/api-reference/image/v3.image.html>,
//! <https://developer.concur.com/api-reference/receipts/endpoints.html>,
//! <https://developer.concur.com/api-reference/spend-documents/get-receipt.html>.

use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use url::Url;

use crate::api::paging_ext::{next_link_page, v3_strict};
use crate::http::{Outgoing, RawResponse, encode_segment, status_error};
use crate::models::imaging::{ImageData, ImageKind, ImageUrl, ReceiptImageRef};
use crate::models::receipt::{ImageOnlyReceipt, ReceiptV4, SpendDocumentReceipt, UserReceipts};
use crate::pagination::list_methods;
use crate::{Client, Error, Paginator, Request, Result};

/// The API group name used in [`crate::Error::Permission`] for these calls.
pub const API_GROUP: &str = "Imaging";

/// Handler for Imaging, Receipts v4 and Spend Documents (`client.imaging()`).
#[derive(Debug, Clone)]
pub struct ImagingHandler {
    client: Client,
}

fn get(client: &Client, path: String) -> Request {
    Request::new(client.clone(), Method::GET, path).api_group(API_GROUP)
}

/// Decodes an `Image{Id, Url}` body: XML (the documented form) or a JSON object
/// `{"Id"|"ID", "Url"|"URL"}` some gateways return for `Accept: application/json`.
fn decode_image(resp: &RawResponse) -> Result<ImageUrl> {
    let text = resp.text();
    let text = text.trim_start_matches('\u{feff}').trim();
    let decode_err = |m: String| Error::Decode {
        endpoint: resp.endpoint.clone(),
        path: ".".into(),
        message: m,
    };
    if text.starts_with('{') {
        #[derive(serde::Deserialize)]
        struct J {
            #[serde(alias = "ID", alias = "id", default)]
            #[serde(rename = "Id")]
            id: Option<String>,
            #[serde(alias = "URL", alias = "url", default)]
            #[serde(rename = "Url")]
            url: Option<String>,
        }
        let j: J = resp.json()?;
        let url = match j.url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => Some(Url::parse(u).map_err(|e| decode_err(format!("Url: {e}")))?),
        };
        return Ok(ImageUrl::from_parts(j.id, url));
    }
    ImageUrl::from_xml(text).map_err(|e| decode_err(e.to_string()))
}

enum Fetched {
    Data(ImageData),
    /// 403/404 from the image host: probably an expired URL.
    Expired(RawResponse),
}

impl ImagingHandler {
    pub(crate) fn new(client: Client) -> Self {
        Self { client }
    }

    /// `GET /api/image/v1.0/{kind}/{id}`: a fresh temporary URL (15 minutes).
    ///
    /// Returns `Ok(None)` when Concur has no image for this id (404 or an empty `<Url />`).
    ///
    /// # Errors
    /// [`crate::Error::Permission`] (403: the user does not own the image, or `IMAGE` is not
    /// granted), [`crate::Error::Decode`] for a body that is not an `<Image>` document.
    pub async fn image_url(&self, kind: ImageKind, id: &str) -> Result<Option<ImageUrl>> {
        let path = format!(
            "api/image/v1.0/{}/{}",
            kind.path_segment(),
            encode_segment(id)
        );
        self.fetch_url(get(&self.client, path)).await
    }

    /// `GET /api/v3.0/expense/receiptimages/{id}`: a temporary URL for a receipt-store image.
    /// `Ok(None)` on 404 or an empty URL.
    ///
    /// # Errors
    /// As [`ImagingHandler::image_url`].
    pub async fn receipt_image_url(&self, id: &str) -> Result<Option<ImageUrl>> {
        let path = format!("api/v3.0/expense/receiptimages/{}", encode_segment(id));
        self.fetch_url(get(&self.client, path)).await
    }

    async fn fetch_url(&self, req: Request) -> Result<Option<ImageUrl>> {
        let req = req.accept("application/xml");
        match req.send().await {
            Ok(resp) => {
                let img = decode_image(&resp)?;
                Ok(if img.url.is_some() { Some(img) } else { None })
            }
            Err(Error::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Gets a URL with [`ImagingHandler::image_url`] and downloads the bytes. On 403/404 from
    /// the image host (expired URL) it asks for a fresh URL once and retries.
    ///
    /// Returns `Ok(None)` when the entry/receipt/invoice/report has no image.
    ///
    /// # Errors
    /// Errors of [`ImagingHandler::image_url`]; [`crate::Error::Permission`] /
    /// [`crate::Error::NotFound`] when the fresh URL also fails; transport errors;
    /// [`crate::Error::UntrustedBaseUrl`] when the image host fails the trust rule.
    pub async fn download(&self, kind: ImageKind, id: &str) -> Result<Option<ImageData>> {
        let Some(url) = self.image_url(kind, id).await?.and_then(|i| i.url) else {
            return Ok(None);
        };
        match self.fetch_bytes(&url).await? {
            Fetched::Data(d) => Ok(Some(d)),
            Fetched::Expired(first) => {
                tracing::debug!(
                    status = first.status,
                    "image URL refused; asking for a fresh one"
                );
                let Some(fresh) = self.image_url(kind, id).await?.and_then(|i| i.url) else {
                    return Ok(None);
                };
                match self.fetch_bytes(&fresh).await? {
                    Fetched::Data(d) => Ok(Some(d)),
                    Fetched::Expired(resp) => Err(status_error(&resp, API_GROUP)),
                }
            }
        }
    }

    /// Downloads the bytes behind a temporary image URL (no `Authorization` header; no
    /// refetch: use [`ImagingHandler::download`] for that).
    ///
    /// # Errors
    /// [`crate::Error::Permission`] / [`crate::Error::NotFound`] (expired URL), transport
    /// errors, [`crate::Error::UntrustedBaseUrl`].
    pub async fn download_url(&self, url: &Url) -> Result<ImageData> {
        match self.fetch_bytes(url).await? {
            Fetched::Data(d) => Ok(d),
            Fetched::Expired(resp) => Err(status_error(&resp, API_GROUP)),
        }
    }

    async fn fetch_bytes(&self, url: &Url) -> Result<Fetched> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("*/*"));
        let out = Outgoing {
            method: Method::GET,
            url: url.clone(),
            headers,
            body: None,
            idempotent: true,
            endpoint: format!("GET {}", url.path()),
        };
        let transport = &self.client.inner.transport;
        let resp = transport.execute(&out).await.inspect_err(|_| {
            self.client.metrics().record_error();
        })?;
        match resp.status {
            200..=299 => Ok(Fetched::Data(ImageData::new(
                resp.header("content-type").map(str::to_owned),
                resp.body.to_vec(),
            ))),
            403 | 404 => Ok(Fetched::Expired(resp)),
            _ => {
                self.client.metrics().record_error();
                Err(status_error(&resp, API_GROUP))
            }
        }
    }

    /// `GET /api/v3.0/expense/receiptimages`: the receipt store (paged by `NextPage`).
    pub fn receipt_images(&self) -> ListReceiptImages {
        ListReceiptImages {
            request: get(&self.client, "api/v3.0/expense/receiptimages".into()),
        }
    }

    /// `GET /receipts/v4/{receiptId}`.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`], permission and decode errors.
    pub async fn receipt_v4(&self, receipt_id: &str) -> Result<ReceiptV4> {
        get(
            &self.client,
            format!("receipts/v4/{}", encode_segment(receipt_id)),
        )
        .send_json()
        .await
    }

    /// `GET /receipts/v4/users/{userId}`: the user's e-receipts (`{receipts: [...]}`; no
    /// paging in the docs).
    ///
    /// # Errors
    /// As [`ImagingHandler::receipt_v4`]; a 401 when a user token's `sub` is not `user_id`.
    pub async fn user_receipts_v4(&self, user_id: &str) -> Result<UserReceipts> {
        get(
            &self.client,
            format!("receipts/v4/users/{}", encode_segment(user_id)),
        )
        .send_json()
        .await
    }

    /// `GET /receipts/v4/users/{userId}/image-only-receipts` (paged by `next`).
    pub fn image_only_receipts(&self, user_id: &str) -> ListImageOnlyReceipts {
        ListImageOnlyReceipts {
            request: get(
                &self.client,
                format!(
                    "receipts/v4/users/{}/image-only-receipts",
                    encode_segment(user_id)
                ),
            ),
        }
    }

    /// `GET /spend-documents/v4/receipts/{receiptId}`.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`], permission (`spenddocs.receipts.read`) and decode errors.
    pub async fn spend_document_receipt(&self, receipt_id: &str) -> Result<SpendDocumentReceipt> {
        get(
            &self.client,
            format!("spend-documents/v4/receipts/{}", encode_segment(receipt_id)),
        )
        .send_json()
        .await
    }
}

/// Builder for the v3 receipt image list.
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListReceiptImages {
    request: Request,
}

impl ListReceiptImages {
    /// Only this user's images (`user`: login id; needs Web Services Administrator).
    pub fn user(mut self, login_id: &str) -> Self {
        self.request = self.request.set_query("user", login_id);
        self
    }

    /// Page size (Concur default 25; clamped to 1..=100).
    pub fn limit(mut self, n: u32) -> Self {
        self.request = self.request.set_query("limit", n.clamp(1, 100).to_string());
        self
    }

    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<ReceiptImageRef> {
        Paginator::new(self.request, |r| v3_strict(r, &["Items"]))
    }

    list_methods!(ReceiptImageRef);
}

/// Builder for Receipts v4 image-only receipts of a user.
#[derive(Debug, Clone)]
#[must_use = "call .send(), .pages() or .stream()"]
pub struct ListImageOnlyReceipts {
    request: Request,
}

impl ListImageOnlyReceipts {
    /// The paginator behind `send()` / `pages()` / `stream()`.
    pub fn paginator(self) -> Paginator<ImageOnlyReceipt> {
        Paginator::new(self.request, |r| next_link_page(r, "receiptsImages"))
    }

    list_methods!(ImageOnlyReceipt);
}

impl Client {
    /// Imaging handler: Image v1 URLs and downloads, receipt images v3, Receipts v4, Spend
    /// Documents receipts.
    pub fn imaging(&self) -> ImagingHandler {
        ImagingHandler::new(self.clone())
    }
}
