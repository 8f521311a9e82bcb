//! The product catalog: loading, validation and lookup.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use saas_discovery::ServiceId;
use serde::Deserialize;

use crate::index::PhraseIndex;
use crate::normalize::{Normalizer, simple_tokens};
use crate::policy::{Policy, PolicyError};

include!(concat!(env!("OUT_DIR"), "/builtin_catalog.rs"));

/// The embedded `data/core-products.txt` (ids that must exist in the built-in catalog).
const CORE_PRODUCTS: &str = include_str!("../data/core-products.txt");

macro_rules! categories {
    ($($variant:ident => $s:literal,)*) => {
        /// The fixed category taxonomy of the catalog (`docs/catalog.md`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Category {
            $(
                #[doc = concat!("`", $s, "`")]
                $variant,
            )*
        }

        impl Category {
            /// Every category, in taxonomy order.
            pub const ALL: &'static [Category] = &[$(Category::$variant,)*];

            /// The taxonomy string (`video_conferencing`, `vendor_suite`…).
            pub fn as_str(self) -> &'static str {
                match self { $(Category::$variant => $s,)* }
            }

            /// Parses a taxonomy string; `None` when it is not in the taxonomy.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some(Category::$variant),)* _ => None }
            }
        }
    };
}

categories! {
    VideoConferencing => "video_conferencing",
    TeamChat => "team_chat",
    Collaboration => "collaboration",
    ProjectManagement => "project_management",
    Productivity => "productivity",
    Crm => "crm",
    Marketing => "marketing",
    Sales => "sales",
    CustomerSupport => "customer_support",
    Design => "design",
    DeveloperTools => "developer_tools",
    CloudInfrastructure => "cloud_infrastructure",
    WebHosting => "web_hosting",
    Security => "security",
    Identity => "identity",
    ItManagement => "it_management",
    Hr => "hr",
    Recruiting => "recruiting",
    Finance => "finance",
    Accounting => "accounting",
    Analytics => "analytics",
    Ai => "ai",
    Storage => "storage",
    DataPlatform => "data_platform",
    DocumentManagement => "document_management",
    ESignature => "e_signature",
    Telephony => "telephony",
    Email => "email",
    SurveyForms => "survey_forms",
    Legal => "legal",
    Ecommerce => "ecommerce",
    LearningManagement => "learning_management",
    VendorSuite => "vendor_suite",
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One product (a service an SMP manages), as written in `data/catalog/*.toml`
/// (`[[product]]`, schema in `docs/catalog.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct Product {
    /// Stable slug (`zoom`, `microsoft-365`).
    pub id: ServiceId,
    /// Display name (`Zoom Workplace`).
    pub name: String,
    /// Company that sells it.
    pub vendor: String,
    /// Category from the taxonomy.
    pub category: Category,
    /// Website / billing domains, lowercase, no scheme.
    pub domains: Vec<String>,
    /// Names as people type them or statements show them (whole-word matches).
    pub aliases: Vec<String>,
    /// Legal / billing entity names that appear alone on statements.
    pub entities: Vec<String>,
    /// Extra statement fragments seen on real statements.
    pub patterns: Vec<String>,
    /// An alias hit alone needs corroboration (common word or namesake businesses exist).
    pub ambiguous: bool,
    /// Phrases that veto this product (namesakes, the vendor's non-software lines).
    pub exclude: Vec<String>,
    /// Id of the vendor-level (umbrella) product this product belongs to.
    pub parent: Option<ServiceId>,
    /// True for vendor-level services (category `vendor_suite`).
    pub umbrella: bool,
    /// File the entry came from (`catalog/collaboration.toml`, `rules`…).
    pub source: String,
}

/// A multi-product vendor (`[[vendor]]`): its billing entities map to the umbrella product
/// with the same id; its non-software phrases never map to any product.
#[derive(Clone, Debug, PartialEq)]
pub struct Vendor {
    /// Equals the umbrella product's id.
    pub id: ServiceId,
    /// Display name.
    pub name: String,
    /// Billing entity names: a charge naming only one of these maps to the umbrella product.
    pub billing_entities: Vec<String>,
    /// Hardware, retail, ads, devices, media, memberships of this vendor: never software.
    pub non_software: Vec<String>,
    /// File the entry came from.
    pub source: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    product: Vec<ProductSpec>,
    #[serde(default)]
    vendor: Vec<VendorSpec>,
}

/// Raw `[[product]]` entry as written in TOML (also used by user rules' custom entries).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProductSpec {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(default)]
    pub(crate) vendor: Option<String>,
    pub(crate) category: String,
    #[serde(default)]
    pub(crate) domains: Vec<String>,
    #[serde(default)]
    pub(crate) aliases: Vec<String>,
    #[serde(default)]
    pub(crate) entities: Vec<String>,
    #[serde(default)]
    pub(crate) patterns: Vec<String>,
    #[serde(default)]
    pub(crate) ambiguous: bool,
    #[serde(default)]
    pub(crate) exclude: Vec<String>,
    #[serde(default)]
    pub(crate) parent: Option<String>,
    #[serde(default)]
    pub(crate) umbrella: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct VendorSpec {
    id: String,
    name: String,
    #[serde(default)]
    billing_entities: Vec<String>,
    #[serde(default)]
    non_software: Vec<String>,
}

/// One problem found while loading a catalog; every variant names the file and the entry.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CatalogIssue {
    /// The file is not valid TOML or does not follow the schema.
    #[error("{file}: {message}")]
    Parse {
        /// File name.
        file: String,
        /// Parser message, with line and column.
        message: String,
    },
    /// The id is not a valid slug.
    #[error("{file}: {kind} {id:?}: invalid id (a-z, 0-9, '-', 1..=64 bytes)")]
    InvalidId {
        /// File name.
        file: String,
        /// `product` or `vendor`.
        kind: &'static str,
        /// The offending id.
        id: String,
    },
    /// Two products (or two vendors) share an id.
    #[error("{file}: {kind} {id:?}: duplicate id (first defined in {first_file})")]
    DuplicateId {
        /// File of the second definition.
        file: String,
        /// `product` or `vendor`.
        kind: &'static str,
        /// The id.
        id: String,
        /// File of the first definition.
        first_file: String,
    },
    /// The category is not in the taxonomy.
    #[error("{file}: product {id:?}: category {category:?} is not in the taxonomy")]
    UnknownCategory {
        /// File name.
        file: String,
        /// Product id.
        id: String,
        /// The category as written.
        category: String,
    },
    /// `parent` names no product.
    #[error("{file}: product {id:?}: parent {parent:?} does not exist")]
    UnknownParent {
        /// File name.
        file: String,
        /// Product id.
        id: String,
        /// The parent as written.
        parent: String,
    },
    /// A `[[vendor]]` id names no (umbrella) product.
    #[error("{file}: vendor {id:?}: no product with this id (the umbrella product must exist)")]
    VendorWithoutProduct {
        /// File name.
        file: String,
        /// Vendor id.
        id: String,
    },
    /// A (non-umbrella) product has no alias, entity, pattern or domain: it could never match.
    #[error("{file}: product {id:?}: no aliases, entities, patterns or domains")]
    NoNames {
        /// File name.
        file: String,
        /// Product id.
        id: String,
    },
    /// An id of `data/core-products.txt` is missing.
    #[error("core product {id:?} (data/core-products.txt) is missing from the catalog")]
    MissingCoreId {
        /// The missing id.
        id: String,
    },
}

/// Error loading a catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A catalog file or directory could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The policy did not parse.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The catalog data is invalid; every problem found is listed.
    #[error("{} catalog problem(s): {}", issues.len(), summarize(issues))]
    Invalid {
        /// Every problem found (parse errors, duplicate ids, unknown categories…).
        issues: Vec<CatalogIssue>,
    },
}

fn summarize(issues: &[CatalogIssue]) -> String {
    let mut s: Vec<String> = issues.iter().take(8).map(ToString::to_string).collect();
    if issues.len() > 8 {
        s.push(format!("… and {} more", issues.len() - 8));
    }
    s.join("; ")
}

/// Options for [`Catalog::load`].
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Fail unless every id of `data/core-products.txt` is present (true for the built-in catalog).
    pub require_core_ids: bool,
    /// Policy to use; the embedded `data/policy.toml` when `None`.
    pub policy: Option<Policy>,
}

/// The product catalog plus its precomputed match index (built once at load).
///
/// Cheap to share: wrap it in an [`Arc`] (the [`crate::Matcher`] does).
#[derive(Debug)]
pub struct Catalog {
    products: Vec<Product>,
    by_id: HashMap<ServiceId, usize>,
    vendors: Vec<Vendor>,
    /// For each product: index of its vendor family (umbrella or parent vendor).
    family: Vec<Option<u32>>,
    pub(crate) policy: Arc<Policy>,
    pub(crate) normalizer: Normalizer,
    pub(crate) index: PhraseIndex,
    specs: Vec<(String, FileSpecOwned)>,
}

#[derive(Clone, Debug)]
struct FileSpecOwned {
    products: Vec<ProductSpec>,
    vendors: Vec<VendorSpec>,
}

impl Catalog {
    /// The built-in catalog: every `data/catalog/*.toml` file embedded at compile time,
    /// validated, with every core id required.
    ///
    /// Takes a few milliseconds (release build); call once and share (for example through
    /// [`Catalog::builtin_shared`]).
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] listing every data problem; [`CatalogError::Policy`].
    pub fn builtin() -> Result<Self, CatalogError> {
        Self::load(
            BUILTIN_CATALOG_FILES
                .iter()
                .map(|&(n, t)| (n.to_string(), t.to_string())),
            &LoadOptions {
                require_core_ids: true,
                policy: None,
            },
        )
    }

    /// The built-in catalog, loaded once per process and shared.
    ///
    /// # Errors
    /// As [`Catalog::builtin`] (the error is cached too).
    pub fn builtin_shared() -> Result<Arc<Catalog>, Arc<CatalogError>> {
        static CELL: std::sync::OnceLock<Result<Arc<Catalog>, Arc<CatalogError>>> =
            std::sync::OnceLock::new();
        CELL.get_or_init(|| Catalog::builtin().map(Arc::new).map_err(Arc::new))
            .clone()
    }

    /// Names of the embedded catalog files.
    pub fn builtin_files() -> impl Iterator<Item = &'static str> {
        BUILTIN_CATALOG_FILES.iter().map(|f| f.0)
    }

    /// Loads every `*.toml` file of a directory (sorted by name), requiring every core id.
    ///
    /// # Errors
    /// [`CatalogError::Io`] when the directory or a file cannot be read; otherwise as
    /// [`Catalog::load`].
    pub fn from_dir(path: impl AsRef<Path>) -> Result<Self, CatalogError> {
        let path = path.as_ref();
        let rd = std::fs::read_dir(path).map_err(|source| CatalogError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut files = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|source| CatalogError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let p = entry.path();
            if p.extension().is_some_and(|x| x == "toml") && p.is_file() {
                files.push(p);
            }
        }
        files.sort();
        let mut sources = Vec::with_capacity(files.len());
        for p in files {
            let text = std::fs::read_to_string(&p).map_err(|source| CatalogError::Io {
                path: p.clone(),
                source,
            })?;
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("?")
                .to_string();
            sources.push((name, text));
        }
        Self::load(
            sources,
            &LoadOptions {
                require_core_ids: true,
                policy: None,
            },
        )
    }

    /// Loads one TOML document (`[[product]]` and `[[vendor]]` tables) with the built-in
    /// policy; core ids are not required.
    ///
    /// # Errors
    /// As [`Catalog::load`].
    pub fn from_toml_str(text: &str) -> Result<Self, CatalogError> {
        Self::load(
            [("inline.toml".to_string(), text.to_string())],
            &LoadOptions::default(),
        )
    }

    /// Loads `(file name, TOML text)` sources and validates them: unique ids, valid slugs,
    /// categories in the taxonomy, parent and vendor ids that exist, and (when asked) every
    /// core id present. All problems are reported together.
    ///
    /// # Errors
    /// [`CatalogError::Invalid`] with every [`CatalogIssue`]; [`CatalogError::Policy`].
    pub fn load(
        sources: impl IntoIterator<Item = (String, String)>,
        options: &LoadOptions,
    ) -> Result<Self, CatalogError> {
        let policy = match &options.policy {
            Some(p) => p.clone(),
            None => Policy::builtin()?,
        };
        let mut issues = Vec::new();
        let mut specs = Vec::new();
        for (name, text) in sources {
            match toml::from_str::<FileSpec>(&text) {
                Ok(f) => specs.push((
                    name,
                    FileSpecOwned {
                        products: f.product,
                        vendors: f.vendor,
                    },
                )),
                Err(e) => issues.push(CatalogIssue::Parse {
                    file: name,
                    message: e.to_string(),
                }),
            }
        }
        Self::build(specs, policy, options.require_core_ids, issues)
    }

    /// A new catalog with extra `(source, products)` added (used for user rules' custom entries).
    pub(crate) fn with_extra(
        &self,
        source: &str,
        extra: Vec<ProductSpec>,
    ) -> Result<Self, CatalogError> {
        let mut specs = self.specs.clone();
        specs.push((
            source.to_string(),
            FileSpecOwned {
                products: extra,
                vendors: Vec::new(),
            },
        ));
        Self::build(specs, (*self.policy).clone(), false, Vec::new())
    }

    fn build(
        specs: Vec<(String, FileSpecOwned)>,
        policy: Policy,
        require_core: bool,
        mut issues: Vec<CatalogIssue>,
    ) -> Result<Self, CatalogError> {
        let mut products = Vec::new();
        let mut by_id: HashMap<ServiceId, usize> = HashMap::new();
        let mut parents: Vec<(usize, String, String)> = Vec::new();
        for (file, spec) in &specs {
            for p in &spec.products {
                let id = match ServiceId::new(p.id.as_str()) {
                    Ok(id) => id,
                    Err(_) => {
                        issues.push(CatalogIssue::InvalidId {
                            file: file.clone(),
                            kind: "product",
                            id: p.id.clone(),
                        });
                        continue;
                    }
                };
                let Some(category) = Category::parse(&p.category) else {
                    issues.push(CatalogIssue::UnknownCategory {
                        file: file.clone(),
                        id: p.id.clone(),
                        category: p.category.clone(),
                    });
                    continue;
                };
                if let Some(&first) = by_id.get(&id) {
                    let first_file: &Product = &products[first];
                    issues.push(CatalogIssue::DuplicateId {
                        file: file.clone(),
                        kind: "product",
                        id: p.id.clone(),
                        first_file: first_file.source.clone(),
                    });
                    continue;
                }
                if !p.umbrella
                    && category != Category::VendorSuite
                    && p.aliases.is_empty()
                    && p.entities.is_empty()
                    && p.patterns.is_empty()
                    && p.domains.is_empty()
                {
                    issues.push(CatalogIssue::NoNames {
                        file: file.clone(),
                        id: p.id.clone(),
                    });
                }
                if let Some(parent) = &p.parent {
                    parents.push((products.len(), parent.clone(), file.clone()));
                }
                by_id.insert(id.clone(), products.len());
                products.push(Product {
                    id,
                    name: p.name.clone(),
                    vendor: p.vendor.clone().unwrap_or_else(|| p.name.clone()),
                    category,
                    domains: p
                        .domains
                        .iter()
                        .map(|d| d.trim().to_ascii_lowercase())
                        .collect(),
                    aliases: p.aliases.clone(),
                    entities: p.entities.clone(),
                    patterns: p.patterns.clone(),
                    ambiguous: p.ambiguous,
                    exclude: p.exclude.clone(),
                    parent: None,
                    umbrella: p.umbrella || category == Category::VendorSuite,
                    source: file.clone(),
                });
            }
        }
        for (idx, parent, file) in parents {
            match ServiceId::new(parent.as_str())
                .ok()
                .filter(|id| by_id.contains_key(id))
            {
                Some(pid) => products[idx].parent = Some(pid),
                None => issues.push(CatalogIssue::UnknownParent {
                    file,
                    id: products[idx].id.to_string(),
                    parent,
                }),
            }
        }
        let mut vendors: Vec<Vendor> = Vec::new();
        let mut vendor_by_id: HashMap<ServiceId, usize> = HashMap::new();
        let mut vendor_umbrella = Vec::new();
        for (file, spec) in &specs {
            for v in &spec.vendors {
                let Ok(id) = ServiceId::new(v.id.as_str()) else {
                    issues.push(CatalogIssue::InvalidId {
                        file: file.clone(),
                        kind: "vendor",
                        id: v.id.clone(),
                    });
                    continue;
                };
                if let Some(&first) = vendor_by_id.get(&id) {
                    issues.push(CatalogIssue::DuplicateId {
                        file: file.clone(),
                        kind: "vendor",
                        id: v.id.clone(),
                        first_file: vendors[first].source.clone(),
                    });
                    continue;
                }
                let Some(&umb) = by_id.get(&id) else {
                    issues.push(CatalogIssue::VendorWithoutProduct {
                        file: file.clone(),
                        id: v.id.clone(),
                    });
                    continue;
                };
                vendor_by_id.insert(id.clone(), vendors.len());
                vendor_umbrella.push(umb as u32);
                vendors.push(Vendor {
                    id,
                    name: v.name.clone(),
                    billing_entities: v.billing_entities.clone(),
                    non_software: v.non_software.clone(),
                    source: file.clone(),
                });
            }
        }
        if require_core {
            for line in CORE_PRODUCTS.lines() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let id = line.split('|').next().unwrap_or("").trim();
                if ServiceId::new(id)
                    .ok()
                    .is_none_or(|id| !by_id.contains_key(&id))
                {
                    issues.push(CatalogIssue::MissingCoreId { id: id.to_string() });
                }
            }
        }
        if !issues.is_empty() {
            return Err(CatalogError::Invalid { issues });
        }
        // vendor families: the umbrella itself and products whose parent is the vendor id
        // (or whose parent's parent is)
        let mut family = vec![None; products.len()];
        for (i, p) in products.iter().enumerate() {
            let mut cur = Some(&p.id);
            for _ in 0..3 {
                let Some(id) = cur else { break };
                if let Some(&v) = vendor_by_id.get(id) {
                    family[i] = Some(v as u32);
                    break;
                }
                cur = by_id.get(id).and_then(|&j| products[j].parent.as_ref());
            }
        }
        // protected tokens (digit-bearing name tokens) for the normaliser
        let mut protected: Vec<Box<str>> = Vec::new();
        let mut protect = |s: &str| {
            for t in simple_tokens(s).split(' ') {
                if t.bytes().any(|b| b.is_ascii_digit()) && t.len() <= 40 {
                    protected.push(t.into());
                }
            }
        };
        for p in &products {
            p.aliases.iter().chain(&p.entities).for_each(|s| protect(s));
            protect(p.id.as_str());
        }
        for v in &vendors {
            v.billing_entities.iter().for_each(|s| protect(s));
        }
        let normalizer = Normalizer::new(&policy, protected);
        let index = PhraseIndex::build(
            &products,
            &vendors,
            &vendor_umbrella,
            &family,
            &policy,
            &normalizer,
        );
        Ok(Self {
            products,
            by_id,
            vendors,
            family,
            policy: Arc::new(policy),
            normalizer,
            index,
            specs,
        })
    }

    /// The product with this id.
    pub fn product(&self, id: &ServiceId) -> Option<&Product> {
        self.by_id.get(id).map(|&i| &self.products[i])
    }

    /// The product with this id string.
    pub fn product_str(&self, id: &str) -> Option<&Product> {
        ServiceId::new(id).ok().and_then(|id| self.product(&id))
    }

    /// Every product, in file order.
    pub fn products(&self) -> &[Product] {
        &self.products
    }

    /// Every multi-product vendor.
    pub fn vendors(&self) -> &[Vendor] {
        &self.vendors
    }

    /// The policy in use.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The normaliser (same one the matcher uses).
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    pub(crate) fn product_at(&self, i: u32) -> &Product {
        &self.products[i as usize]
    }

    pub(crate) fn index_of(&self, id: &ServiceId) -> Option<u32> {
        self.by_id.get(id).map(|&i| i as u32)
    }

    pub(crate) fn family_of(&self, product: u32) -> Option<u32> {
        self.family.get(product as usize).copied().flatten()
    }
}
