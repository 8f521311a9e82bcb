//! Imaging models: Image v1 / Receipt Image v3 `Image{Id, Url}` XML responses, the v3
//! receipt-image list, and downloaded image bytes.
//!
//! Image URLs are **temporary** (valid for 15 minutes) and arrive XML-escaped (`&amp;`); the
//! decoder unescapes them. An empty `<Url />` (upload responses, or an entry without an image)
//! decodes as `url = None`.
//!
//! Concur docs: <https://developer.concur.com/api-reference/image/v1.image.html>,
//! <https://developer.concur.com/api-reference/image/v3.image.html>.

use serde::{Deserialize, Serialize};
use url::Url;

use super::common::de_opt_string;

/// Which Image v1 resource an image URL belongs to (`GET /api/image/v1.0/{kind}/{id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageKind {
    /// `receipt/{imageId}`: an image in the user's receipt store.
    Receipt,
    /// `expenseentry/{entryId}` (the `RpeKey` of the entry).
    ExpenseEntry,
    /// `invoice/{requestId}`: the image of an Invoice payment request.
    Invoice,
    /// `report/{reportId}`: one PDF bundling all receipts of a report.
    Report,
}

impl ImageKind {
    /// The path segment Concur uses (`receipt`, `expenseentry`, `invoice`, `report`).
    pub fn path_segment(self) -> &'static str {
        match self {
            Self::Receipt => "receipt",
            Self::ExpenseEntry => "expenseentry",
            Self::Invoice => "invoice",
            Self::Report => "report",
        }
    }
}

/// The `<Image><Id/><Url/></Image>` response of Image v1 and `GET /api/v3.0/expense/receiptimages/{id}`.
///
/// `url` is already unescaped and valid for 15 minutes from the response; `None` when Concur
/// sent an empty `<Url />`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageUrl {
    /// Image id (`<Id>`), if present.
    pub id: Option<String>,
    /// Temporary download URL, unescaped.
    pub url: Option<Url>,
}

#[derive(Deserialize)]
struct ImageXml {
    #[serde(rename = "Id", default)]
    id: Option<String>,
    #[serde(rename = "Url", default)]
    url: Option<String>,
}

/// Why an `Image` XML body could not be decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImageXmlError {
    /// The body is not XML with an `<Image>` root element.
    #[error("expected an <Image> XML document: {0}")]
    NotImage(String),
    /// The `<Url>` text is not an absolute URL.
    #[error("invalid image url: {0}")]
    BadUrl(#[from] url::ParseError),
}

impl ImageUrl {
    /// Builds an image URL record (an empty id becomes `None`).
    pub fn from_parts(id: Option<String>, url: Option<Url>) -> Self {
        let id = id.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        Self { id, url }
    }

    /// Decodes an `<Image>` XML document (namespaces ignored, entities unescaped).
    ///
    /// # Errors
    /// [`ImageXmlError::NotImage`] when the root is not `<Image>` or the XML is malformed;
    /// [`ImageXmlError::BadUrl`] when `<Url>` is present but not an absolute URL.
    pub fn from_xml(xml: &str) -> Result<Self, ImageXmlError> {
        let root = root_local_name(xml)
            .ok_or_else(|| ImageXmlError::NotImage("no root element".into()))?;
        if root != "Image" {
            return Err(ImageXmlError::NotImage(format!("root element is <{root}>")));
        }
        let parsed: ImageXml =
            quick_xml::de::from_str(xml).map_err(|e| ImageXmlError::NotImage(e.to_string()))?;
        let url = match parsed.url.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(u) => Some(Url::parse(u)?),
        };
        let id = parsed
            .id
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        Ok(Self { id, url })
    }
}

/// The local name of the first element of `xml` (skipping the declaration and comments).
pub(crate) fn root_local_name(xml: &str) -> Option<String> {
    let mut rest = xml;
    loop {
        let start = rest.find('<')?;
        rest = &rest[start + 1..];
        if rest.starts_with('?') || rest.starts_with('!') {
            continue;
        }
        let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
        let name = &rest[..end];
        let local = name.rsplit(':').next().unwrap_or(name);
        return Some(local.to_owned());
    }
}

/// One row of `GET /api/v3.0/expense/receiptimages` (`{ID, URI}`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[non_exhaustive]
pub struct ReceiptImageRef {
    /// Receipt image id (use with `GET /receiptimages/{id}` or Image v1 `receipt/{id}`).
    #[serde(rename = "ID")]
    pub id: String,
    /// Resource URI.
    #[serde(rename = "URI", default, deserialize_with = "de_opt_string")]
    pub uri: Option<String>,
}

/// Downloaded image bytes (PDF, JPEG, PNG, ...; at most 10 MB for Image v1 uploads).
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageData {
    /// `Content-Type` sent by the image host (e.g. `application/pdf`, `image/jpeg`).
    pub content_type: Option<String>,
    /// The raw bytes.
    pub bytes: Vec<u8>,
}

impl ImageData {
    /// Builds image data (used by tests and the simulator).
    pub fn new(content_type: Option<String>, bytes: Vec<u8>) -> Self {
        Self {
            content_type,
            bytes,
        }
    }

    /// A file extension guessed from the content type, then from magic bytes (`pdf`, `jpg`,
    /// `png`, `gif`, `tif`, or `bin`).
    pub fn extension(&self) -> &'static str {
        let ct = self
            .content_type
            .as_deref()
            .unwrap_or("")
            .to_ascii_lowercase();
        if ct.contains("pdf") || self.bytes.starts_with(b"%PDF") {
            "pdf"
        } else if ct.contains("jpeg") || ct.contains("jpg") || self.bytes.starts_with(&[0xFF, 0xD8])
        {
            "jpg"
        } else if ct.contains("png") || self.bytes.starts_with(b"\x89PNG") {
            "png"
        } else if ct.contains("gif") || self.bytes.starts_with(b"GIF8") {
            "gif"
        } else if ct.contains("tif") {
            "tif"
        } else {
            "bin"
        }
    }
}

impl std::fmt::Debug for ImageData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageData")
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}
