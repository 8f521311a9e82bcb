//! The matcher policy: processor prefixes, stage-1 signal words, location tails and
//! legal-form suffixes. Loaded from `data/policy.toml` (embedded) or any TOML string.

use serde::Deserialize;

/// The embedded `data/policy.toml`.
pub(crate) const BUILTIN_POLICY: &str = include_str!("../data/policy.toml");

/// What a descriptor prefix (`SQ *`, `PAYPAL *`, `FS *`, `APPLE.COM/BILL`…) says about the charge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PrefixKind {
    /// Card processor for small merchants (Square, PayPal, Toast…); the seller follows.
    Processor,
    /// Software merchant of record (FastSpring, Paddle, 2Checkout, Digital River…): a software signal.
    Reseller,
    /// Marketplace (Amazon Marketplace…): the seller is usually not named.
    Marketplace,
    /// App-store billing (Apple, Google Play): software only when the app is named.
    AppStore,
    /// The prefix is itself a vendor signal (`GOOGLE *`, `MSFT *`); it is kept in the text.
    Vendor,
    /// A platform whose charges are never software spend (rides, deliveries, tickets).
    NonSoftware,
}

/// One descriptor prefix of `policy.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrefixRule {
    /// The prefix, lowercase, without the `*` (for example `sq`, `paypal`, `apple.com/bill`).
    pub text: String,
    /// What the prefix says about the charge.
    pub kind: PrefixKind,
    /// Display name of the processor / platform.
    pub name: String,
    /// Also match when no `*` follows the prefix (default false).
    #[serde(default)]
    pub literal: bool,
    /// For [`PrefixKind::Vendor`]: the catalog id of the vendor-level service.
    #[serde(default)]
    pub vendor: Option<String>,
}

/// The matcher policy (`data/policy.toml`). See `docs/catalog.md` for every field.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Processor, reseller, marketplace and app-store prefixes.
    pub prefix: Vec<PrefixRule>,
    /// Expense type names that suggest software (never trusted alone).
    pub software_expense_types: Vec<String>,
    /// Expense type names that suggest anything but software.
    pub non_software_expense_types: Vec<String>,
    /// Words that suggest a software charge (subscription, license, seats, plan, renewal…).
    pub software_keywords: Vec<String>,
    /// Words that identify a non-software charge (hardware, ads, travel, food, fees…).
    pub non_software_keywords: Vec<String>,
    /// Words that name no seller (`online purchase`): a seller made only of these is absent.
    pub generic_seller_words: Vec<String>,
    /// Edition / plan words that never make a name "unknown" (std, pro, business, annual…).
    pub plan_words: Vec<String>,
    /// Legal-form words removed wherever they appear in a name (inc, llc, ltd, gmbh…).
    pub legal_forms_anywhere: Vec<String>,
    /// Words that make an unknown merchant name look like a software vendor.
    pub software_name_words: Vec<String>,
    /// US state / Canadian province codes stripped at the end of a descriptor.
    pub location_states: Vec<String>,
    /// Country names and codes stripped at the end of a descriptor.
    pub location_countries: Vec<String>,
    /// City names stripped at the end of a descriptor.
    pub location_cities: Vec<String>,
    /// Legal-form suffixes (inc, llc, gmbh, sarl, bv, kk…) stripped at the end of a name.
    pub legal_suffixes: Vec<String>,
    /// Minimum length in characters of a truncated phrase that may complete to a name.
    pub truncation_min_chars: usize,
    /// Minimum descriptor length (characters) that looks card-truncated.
    pub truncation_min_len: usize,
    /// Maximum descriptor length (characters) that looks card-truncated.
    pub truncation_max_len: usize,
    /// Minimum Jaro-Winkler similarity of a fuzzy token match (0..=1).
    pub fuzzy_min_similarity: f64,
    /// Minimum length of a token considered for fuzzy matching.
    pub fuzzy_min_token_len: usize,
}

/// Error reading a policy file.
#[derive(Debug, thiserror::Error)]
#[error("invalid policy: {message}")]
pub struct PolicyError {
    /// The TOML parser's message (with line and column).
    pub message: String,
}

impl Policy {
    /// The embedded `data/policy.toml`.
    ///
    /// # Errors
    /// [`PolicyError`] if the embedded file does not parse (a build-time data bug).
    pub fn builtin() -> Result<Self, PolicyError> {
        Self::from_toml_str(BUILTIN_POLICY)
    }

    /// Parses a policy from TOML text (same format as `data/policy.toml`).
    ///
    /// # Errors
    /// [`PolicyError`] on a TOML syntax error, a missing or unknown field, or an unknown prefix kind.
    pub fn from_toml_str(text: &str) -> Result<Self, PolicyError> {
        toml::from_str(text).map_err(|e| PolicyError {
            message: e.to_string(),
        })
    }
}
