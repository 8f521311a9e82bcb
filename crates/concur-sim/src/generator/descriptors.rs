//! The hand-written descriptor data (`data/descriptors.toml`): software products with their
//! statement-descriptor variants, and non-software vendors (travel, meals, near misses).

use rust_decimal::Decimal;
use serde::Deserialize;

/// The embedded descriptor file.
pub const DESCRIPTORS_TOML: &str = include_str!("../../data/descriptors.toml");

/// Billing cadence of a software product.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    /// Charged every month.
    Monthly,
    /// Charged once a year.
    Annual,
    /// Either monthly or annual, chosen per subscription.
    Mixed,
    /// Usage based (monthly, amount varies a lot).
    Usage,
    /// One-off purchases only.
    OneOff,
}

/// One software product.
#[derive(Clone, Debug, Deserialize)]
pub struct SoftwareProduct {
    /// Core product id (ground truth).
    pub id: String,
    /// List price in USD per seat and month (per purchase for `one_off`, per month for usage).
    pub price: Decimal,
    /// Billing cadence.
    #[serde(default = "default_cadence")]
    pub cadence: Cadence,
    /// Whether the price scales with seats.
    #[serde(default)]
    pub seats: bool,
    /// Statement-descriptor templates (`{REF}`, `{NUM}`, `{CITY}`, `{CC}` are filled in).
    pub d: Vec<String>,
    /// Legal-entity name sometimes printed instead of the descriptor.
    #[serde(default)]
    pub legal: Option<String>,
    /// Popularity weight (default 1).
    #[serde(default = "one")]
    pub w: u32,
}

fn default_cadence() -> Cadence {
    Cadence::Monthly
}
fn one() -> u32 {
    1
}

/// A non-software vendor.
#[derive(Clone, Debug, Deserialize)]
pub struct OtherVendor {
    /// Kind: `airfare`, `hotel`, `meal`, `ground`, `fuel`, `parking`, `car_rental`, `train`,
    /// `office`, `phone`, `hardware`, `training`, `shipping`, `publication`.
    pub kind: String,
    /// Descriptor templates.
    pub d: Vec<String>,
    /// Typical amount range in USD.
    pub amount: [Decimal; 2],
    /// Set on names that look like a software product but are not (namesake businesses,
    /// hardware from software companies, rides, shops on SaaS POS): the product it resembles.
    #[serde(default)]
    pub near_miss: Option<String>,
    /// Popularity weight (default 1).
    #[serde(default = "one")]
    pub w: u32,
}

/// The parsed descriptor file.
#[derive(Clone, Debug, Deserialize)]
pub struct DescriptorData {
    /// Payment processor prefixes (`PAYPAL *`, `SQ *`, ...).
    pub processors: Vec<String>,
    /// Software products.
    pub software: Vec<SoftwareProduct>,
    /// Non-software vendors.
    pub other: Vec<OtherVendor>,
}

impl DescriptorData {
    /// Parse the embedded file.
    ///
    /// # Errors
    /// A TOML error if the embedded file is malformed (a build-time defect caught by tests).
    pub fn embedded() -> Result<Self, toml::de::Error> {
        toml::from_str(DESCRIPTORS_TOML)
    }
}
