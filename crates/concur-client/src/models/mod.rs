//! Response and request models, one module per API family.
//!
//! Models mirror Concur's field names (snake_case fields with serde renames to `ReportID`,
//! `TransactionAmount`, ...), accept `null` and absence for every non-id field, tolerate unknown
//! fields, and are `#[non_exhaustive]`. Money is [`rust_decimal::Decimal`] next to its ISO 4217
//! currency code field; dates are [`chrono::NaiveDateTime`] in Concur's own (zone-less) time.

pub mod common;
mod exact;
pub mod expense;
pub mod expense_v4;
pub mod imaging;
pub mod invoice;
pub mod list;
pub mod receipt;
pub(crate) mod serde_helpers_ext;
pub mod user;
