//! The classifier: user rules, exact phrase matching, truncation completion, fuzzy tokens,
//! and the stage-1 "is this software spend" decision.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::Arc;

use compact_str::CompactString;
use saas_discovery::ServiceId;

use crate::catalog::{Catalog, CatalogError};
use crate::fxhash::FastSet;
use crate::index::{Entry, Hit, Kind};
use crate::normalize::{Normalized, fold_simple};
use crate::policy::PrefixKind;
use crate::rules::{RuleAction, RuleField, Rules};

/// What the matcher looks at: one expense entry or invoice line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Input<'a> {
    /// Vendor descriptor: card-statement merchant string or typed vendor name.
    pub descriptor: &'a str,
    /// Expense type name (`Software`, `Dues & Subscriptions`, `Airfare`…), if known.
    pub expense_type: Option<&'a str>,
    /// Description / business purpose typed by the employee, if any.
    pub description: Option<&'a str>,
}

/// Which input a piece of evidence was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The vendor descriptor.
    Descriptor,
    /// The expense type.
    ExpenseType,
    /// The description / business purpose.
    Description,
}

/// Kind of a piece of evidence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EvidenceKind {
    /// A user rule matched the charge to a service (text: rule id).
    Rule,
    /// A user ignore rule fired (text: rule id).
    IgnoreRule,
    /// A product alias matched (text: the alias).
    Alias,
    /// A legal / billing entity of a product matched.
    Entity,
    /// A statement pattern of a product matched.
    Pattern,
    /// A product domain matched.
    Domain,
    /// A multi-product vendor's billing entity matched (umbrella service).
    BillingEntity,
    /// A card-truncated or squashed descriptor completed to a name (text: the full name).
    Truncated,
    /// A fuzzy token match (text: `typed→name`).
    Fuzzy,
    /// The expense type is a software type.
    SoftwareExpenseType,
    /// The expense type is a non-software type.
    NonSoftwareExpenseType,
    /// A software keyword (subscription, license, seats, plan, renewal…).
    SoftwareKeyword,
    /// A non-software keyword (hardware, ads, travel, food, fees…).
    NonSoftwareKeyword,
    /// A domain token in the descriptor.
    DomainToken,
    /// A word that makes a merchant name look like a software vendor (software, cloud, labs…).
    SoftwareNameWord,
    /// A processor / reseller / marketplace / app-store prefix (text: its name).
    Prefix(PrefixKind),
    /// A multi-product vendor's non-software line (hardware, retail, ads, media…).
    VendorNonSoftware,
    /// A product's exclude phrase vetoed it (text: the phrase).
    Excluded,
}

/// One reason behind a [`Classification`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// What was found.
    pub kind: EvidenceKind,
    /// Where.
    pub field: Field,
    /// The phrase, keyword, rule id or prefix name. Catalog and policy texts are borrowed
    /// from an interned copy (no allocation or reference count per classification); text
    /// taken from the charge itself (an unknown domain, a typo correction) is owned.
    pub text: Cow<'static, str>,
}

/// Why a charge cannot be attributed to a seller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NotIdentifiable {
    /// Only a payment processor is named (`PAYPAL *`, `SQ *` with no seller).
    PaymentProcessorOnly,
    /// Only a software reseller / merchant of record is named (`FS *`, `PADDLE.NET*`).
    ResellerOnly,
    /// Only a marketplace is named (`AMZN Mktp US*…`).
    MarketplaceOnly,
    /// Only an app store is named (`APPLE.COM/BILL`).
    AppStoreOnly,
    /// The descriptor is empty or only reference codes.
    Empty,
}

/// The result of classifying one charge.
#[derive(Clone, Debug, PartialEq)]
pub struct Classification {
    /// Stage 1: is this software spend?
    pub is_software: bool,
    /// Stage 2: the product, when identified. Software spend with no product is
    /// `is_software: true, service: None` (unmatched spend, see `vendor_name`).
    pub service: Option<ServiceId>,
    /// Confidence in this classification, 0..=1 (LeanIX's "very likely" band starts at 0.8).
    pub confidence: f32,
    /// The reasons, strongest first.
    pub evidence: Vec<Evidence>,
    /// The normalised seller name (lowercase; processor prefix, codes, location and legal
    /// suffix removed): the grouping key of unmatched spend. Empty when nothing is left.
    /// A small-string-optimised string (names of up to 24 bytes need no allocation).
    pub vendor_name: CompactString,
    /// Set when the charge names only a processor, reseller, marketplace or app store.
    pub not_identifiable: Option<NotIdentifiable>,
    /// Name of the processor / reseller / marketplace / app-store prefix, if any.
    pub processor: Option<&'static str>,
}

/// Error building a [`Matcher`].
#[derive(Debug, thiserror::Error)]
pub enum MatcherError {
    /// Custom entries of the rules made the catalog invalid.
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A match rule names a service that is neither in the catalog nor a custom entry.
    #[error("rule {rule:?}: unknown service {service:?}")]
    UnknownService {
        /// Rule id.
        rule: String,
        /// The service as written.
        service: String,
    },
}

#[derive(Debug)]
enum CompiledAction {
    Match(u32),
    Ignore,
}

#[derive(Debug)]
struct CompiledRule {
    id: &'static str,
    phrase: String,
    field: RuleField,
    expense_type: Option<String>,
    action: CompiledAction,
}

/// The classifier. `Send + Sync`; build once and share it (it holds an `Arc<Catalog>`).
#[derive(Debug)]
pub struct Matcher {
    catalog: Arc<Catalog>,
    rules: Vec<CompiledRule>,
    sw_types: FastSet<Box<str>>,
    non_types: FastSet<Box<str>>,
    sw_type_words: FastSet<Box<str>>,
    non_type_words: FastSet<Box<str>>,
    prefix_names: Vec<&'static str>,
    prefix_phrases: Vec<String>,
    generic: FastSet<Box<str>>,
    type_names: crate::fxhash::FastMap<Box<str>, &'static str>,
    /// Generic seller words and plan words: never "unknown" tokens.
    filler: FastSet<Box<str>>,
    /// The policy's expense types as they are usually written (`Software`, `Dues &
    /// Subscriptions`, `AIRFARE`…) → their key and signal, computed once.
    known_types: crate::fxhash::FastMap<Box<str>, KnownType>,
}

#[derive(Debug)]
struct KnownType {
    key: &'static str,
    sw: bool,
    non: bool,
}

/// `dues & subscriptions` → `Dues & Subscriptions`.
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        out.push(if start { c.to_ascii_uppercase() } else { c });
        start = !c.is_ascii_alphanumeric();
    }
    out
}

#[derive(Default)]
struct Scratch {
    d: Normalized,
    s: Normalized,
    hd: Vec<Hit>,
    hs: Vec<Hit>,
    hs2: Vec<Hit>,
    ty: String,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[derive(Clone, Copy, Debug)]
struct Cand {
    product: u32,
    kind: Kind,
    strength: u8,
    len: u32,
    umbrella: bool,
    phrase: u32,
    named: bool,
}

fn type_key(s: &str, out: &mut String) {
    out.clear();
    if !s.is_ascii() {
        let f = fold_simple(s);
        for w in f.split(|c: char| !c.is_ascii_alphanumeric()) {
            if w.is_empty() || w == "and" {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
        return;
    }
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let w = &b[start..i];
        if w.eq_ignore_ascii_case(b"and") {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        for &c in w {
            out.push(char::from(c.to_ascii_lowercase()));
        }
    }
}

fn is_software_type_word(w: &str) -> bool {
    matches!(w, "software" | "subscription" | "subscriptions" | "saas")
}

impl Matcher {
    /// Builds a matcher over a catalog plus user rules (custom entries are added to a copy
    /// of the catalog).
    ///
    /// # Errors
    /// [`MatcherError::UnknownService`] when a rule names an unknown service;
    /// [`MatcherError::Catalog`] when custom entries are invalid (duplicate id…).
    pub fn new(catalog: impl Into<Arc<Catalog>>, rules: Rules) -> Result<Self, MatcherError> {
        let mut catalog: Arc<Catalog> = catalog.into();
        if !rules.products.is_empty() {
            catalog = Arc::new(catalog.with_extra("rules", rules.products.clone())?);
        }
        let mut compiled = Vec::with_capacity(rules.rules.len());
        let mut key = String::new();
        for r in &rules.rules {
            let action = match &r.action {
                RuleAction::Ignore => CompiledAction::Ignore,
                RuleAction::Match(s) => {
                    let idx = ServiceId::new(s.as_str())
                        .ok()
                        .and_then(|id| catalog.index_of(&id));
                    match idx {
                        Some(i) => CompiledAction::Match(i),
                        None => {
                            return Err(MatcherError::UnknownService {
                                rule: r.id.clone(),
                                service: s.clone(),
                            });
                        }
                    }
                }
            };
            let expense_type = r.expense_type.as_deref().map(|t| {
                type_key(t, &mut key);
                key.clone()
            });
            compiled.push(CompiledRule {
                id: ustr::ustr(&r.id).as_str(),
                phrase: catalog.normalizer.phrase(&r.pattern),
                field: r.field,
                expense_type,
                action,
            });
        }
        let policy = catalog.policy.clone();
        let mut set = |list: &[String]| -> (FastSet<Box<str>>, FastSet<Box<str>>) {
            let mut full = FastSet::default();
            let mut words = FastSet::default();
            for t in list {
                type_key(t, &mut key);
                if !key.contains(' ') {
                    words.insert(Box::from(key.as_str()));
                }
                full.insert(Box::from(key.as_str()));
            }
            (full, words)
        };
        let (sw_types, sw_type_words) = set(&policy.software_expense_types);
        let (non_types, non_type_words) = set(&policy.non_software_expense_types);
        let type_names = sw_types
            .iter()
            .chain(&non_types)
            .map(|k| (k.clone(), ustr::ustr(k).as_str()))
            .collect();
        let prefix_names = policy
            .prefix
            .iter()
            .map(|p| ustr::ustr(&p.name).as_str())
            .collect();
        let prefix_phrases = policy
            .prefix
            .iter()
            .map(|p| catalog.normalizer.phrase(&p.text))
            .collect();
        let generic: FastSet<Box<str>> = policy
            .generic_seller_words
            .iter()
            .map(|w| Box::from(catalog.normalizer.phrase_exact(w).as_str()))
            .collect();
        let mut filler = generic.clone();
        filler.extend(
            policy
                .plan_words
                .iter()
                .map(|w| Box::from(catalog.normalizer.phrase_exact(w).as_str())),
        );
        let mut me = Self {
            catalog,
            rules: compiled,
            sw_types,
            non_types,
            sw_type_words,
            non_type_words,
            prefix_names,
            prefix_phrases,
            generic,
            type_names,
            filler,
            known_types: crate::fxhash::FastMap::default(),
        };
        let mut known = crate::fxhash::FastMap::default();
        for raw in policy
            .software_expense_types
            .iter()
            .chain(&policy.non_software_expense_types)
        {
            for v in [raw.clone(), title_case(raw), raw.to_ascii_uppercase()] {
                type_key(&v, &mut key);
                let (sw, non) = me.type_signal(&key);
                let k = KnownType {
                    key: ustr::ustr(&key).as_str(),
                    sw,
                    non,
                };
                known.insert(v.into_boxed_str(), k);
            }
        }
        me.known_types = known;
        Ok(me)
    }

    /// The catalog in use (with custom entries of the rules).
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// Classifies one charge. Never panics; any string is accepted.
    pub fn classify(&self, input: &Input<'_>) -> Classification {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut s) => self.classify_with(input, &mut s),
            Err(_) => self.classify_with(input, &mut Scratch::default()),
        })
    }

    /// The expense type as evidence text (borrowed for the policy's own type names).
    fn type_text(&self, key: &str) -> Cow<'static, str> {
        match self.type_names.get(key) {
            Some(a) => Cow::Borrowed(*a),
            None => Cow::Owned(key.to_string()),
        }
    }

    fn type_signal(&self, ty: &str) -> (bool, bool) {
        if ty.is_empty() {
            return (false, false);
        }
        if self.sw_types.contains(ty) {
            return (true, false);
        }
        if self.non_types.contains(ty) {
            return (false, true);
        }
        let mut sw = false;
        let mut non = false;
        for w in ty.split(' ') {
            sw |= self.sw_type_words.contains(w) || is_software_type_word(w);
            non |= self.non_type_words.contains(w);
        }
        if sw && non { (true, false) } else { (sw, non) }
    }

    fn classify_with(&self, input: &Input<'_>, sc: &mut Scratch) -> Classification {
        let cat = &*self.catalog;
        let idx = &cat.index;
        let norm = &cat.normalizer;
        norm.normalize_into(input.descriptor, &mut sc.d);
        norm.normalize_text_into(input.description.unwrap_or(""), &mut sc.s);
        let mut type_text = None;
        let (type_sw, type_non) = match input.expense_type {
            Some(t) => match self.known_types.get(t) {
                Some(k) => {
                    sc.ty.clear();
                    sc.ty.push_str(k.key);
                    type_text = Some(Cow::Borrowed(k.key));
                    (k.sw, k.non)
                }
                None => {
                    type_key(t, &mut sc.ty);
                    self.type_signal(&sc.ty)
                }
            },
            None => {
                sc.ty.clear();
                (false, false)
            }
        };
        let d = &sc.d;
        let s = &sc.s;
        let prefix = d.prefix();
        let prefix_kind = prefix.map(|i| cat.policy.prefix[i].kind);
        let processor = prefix.map(|i| self.prefix_names[i]);
        let vendor_name = CompactString::from(d.seller());

        // 1. user rules
        for r in &self.rules {
            if let Some(t) = &r.expense_type
                && *t != sc.ty
            {
                continue;
            }
            let hit = match r.field {
                RuleField::Descriptor => contains_words(d.text(), &r.phrase),
                RuleField::Description => contains_words(s.text(), &r.phrase),
                RuleField::Any => {
                    contains_words(d.text(), &r.phrase) || contains_words(s.text(), &r.phrase)
                }
            };
            if !hit {
                continue;
            }
            let (is_software, service, kind) = match r.action {
                CompiledAction::Ignore => (false, None, EvidenceKind::IgnoreRule),
                CompiledAction::Match(p) => {
                    (true, Some(cat.product_at(p).id.clone()), EvidenceKind::Rule)
                }
            };
            return Classification {
                is_software,
                service,
                confidence: 1.0,
                evidence: vec![Evidence {
                    kind,
                    field: Field::Descriptor,
                    text: Cow::Borrowed(r.id),
                }],
                vendor_name,
                not_identifiable: None,
                processor,
            };
        }

        idx.scan(d.text(), &mut sc.hd);
        // the description is scanned for signals first; for product names only when needed
        idx.scan_signals(s.text(), &mut sc.hs);
        let hd = &sc.hd;
        let hs = &sc.hs;

        let mut ev: Vec<Evidence> = Vec::with_capacity(8);
        if let Some(i) = prefix {
            ev.push(Evidence {
                kind: EvidenceKind::Prefix(cat.policy.prefix[i].kind),
                field: Field::Descriptor,
                text: Cow::Borrowed(self.prefix_names[i]),
            });
        }
        if type_sw || type_non {
            ev.push(Evidence {
                kind: if type_sw {
                    EvidenceKind::SoftwareExpenseType
                } else {
                    EvidenceKind::NonSoftwareExpenseType
                },
                field: Field::ExpenseType,
                text: type_text.unwrap_or_else(|| self.type_text(&sc.ty)),
            });
        }

        // signals
        let mut sig = Signals {
            type_sw,
            type_non,
            ..Signals::default()
        };
        for (field, hits) in [(Field::Descriptor, hd), (Field::Description, hs)] {
            let in_d = field == Field::Descriptor;
            for h in hits {
                for e in idx.entries(h.phrase) {
                    let kind = match e.kind {
                        Kind::SwKeyword => {
                            if in_d {
                                sig.sw_kw_d = true
                            } else {
                                sig.sw_kw_s = true
                            }
                            EvidenceKind::SoftwareKeyword
                        }
                        Kind::NonSwKeyword => {
                            if in_d {
                                sig.non_kw_d = true
                            } else {
                                sig.non_kw_s = true
                            }
                            EvidenceKind::NonSoftwareKeyword
                        }
                        Kind::NameWord if in_d => {
                            sig.name_word_d = true;
                            EvidenceKind::SoftwareNameWord
                        }
                        Kind::VendorNonSoftware => {
                            sig.veto_vendor(e.target);
                            if in_d {
                                sig.non_kw_d = true
                            } else {
                                sig.non_kw_s = true
                            }
                            EvidenceKind::VendorNonSoftware
                        }
                        Kind::Exclude => {
                            sig.exclude(e.target);
                            EvidenceKind::Excluded
                        }
                        _ => continue,
                    };
                    ev.push(Evidence {
                        kind,
                        field,
                        text: Cow::Borrowed(idx.phrase(h.phrase)),
                    });
                }
            }
        }
        sig.domain_d = d.has_domain();
        if let Some((start, end)) = d.first_domain() {
            // the catalog's own copy of the text when a phrase is exactly this domain
            let text = match hd.iter().find(|h| h.start == start && h.end == end) {
                Some(h) => Cow::Borrowed(idx.phrase(h.phrase)),
                None => Cow::Owned(
                    d.text()
                        .get(start as usize..end as usize)
                        .unwrap_or("")
                        .to_string(),
                ),
            };
            ev.push(Evidence {
                kind: EvidenceKind::DomainToken,
                field: Field::Descriptor,
                text,
            });
        }
        sig.prefix_sw = matches!(prefix_kind, Some(PrefixKind::Reseller | PrefixKind::Vendor));
        sig.had_code = d.had_reference_code();
        // only the non-software-type check needs it up front
        sig.unknown_d = type_non && !all_tokens_matched(d, hd, &self.filler);

        if prefix_kind == Some(PrefixKind::NonSoftware) {
            return self.done(false, None, 0.9, ev, vendor_name, None, processor);
        }

        // 2. exact phrases in the descriptor
        let exact = self.pick(hd, &sig, true);
        if let Some(c) = exact
            && !c.umbrella
        {
            let base = [0.8, 0.8, 0.9, 0.95][c.strength as usize];
            return self.product_result(
                c,
                Field::Descriptor,
                ev,
                base,
                None,
                &sig,
                vendor_name,
                processor,
            );
        }
        let seller = d.seller();
        let seller_generic =
            !seller.is_empty() && seller.split(' ').all(|w| self.generic.contains(w));
        let blocked = sig.non_kw_d || sig.n_vetoed > 0;

        // 3. a more specific product: truncated / squashed names, then typos
        if !blocked && !seller.is_empty() && !seller_generic {
            let min = cat.policy.truncation_min_chars;
            let allow_prefix_completion = d.looks_truncated()
                || matches!(
                    prefix_kind,
                    Some(PrefixKind::Processor | PrefixKind::Reseller)
                );
            match self.complete(seller, min, allow_prefix_completion, &sig) {
                Completion::Product(c) if !c.umbrella || exact.is_none() => {
                    return self.product_result(
                        c,
                        Field::Descriptor,
                        ev,
                        0.8,
                        Some(EvidenceKind::Truncated),
                        &sig,
                        vendor_name,
                        processor,
                    );
                }
                Completion::NonSoftware(phrase) => {
                    ev.push(Evidence {
                        kind: EvidenceKind::VendorNonSoftware,
                        field: Field::Descriptor,
                        text: Cow::Borrowed(idx.phrase(phrase)),
                    });
                    return self.done(false, None, 0.8, ev, vendor_name, None, processor);
                }
                _ => {}
            }
            if let Some((c, text, sim)) = self.fuzzy(d, &sig, &mut sc.hs2)
                && (!c.umbrella || exact.is_none())
            {
                ev.insert(
                    0,
                    Evidence {
                        kind: EvidenceKind::Fuzzy,
                        field: Field::Descriptor,
                        text: Cow::Owned(text),
                    },
                );
                let conf = (0.6 + (sim as f32 - 0.85) * 1.5).clamp(0.5, 0.8);
                return self.product_result(
                    c,
                    Field::Descriptor,
                    ev,
                    conf,
                    Some(EvidenceKind::Fuzzy),
                    &sig,
                    vendor_name,
                    processor,
                );
            }
        }

        // 4. the vendor-level service (a billing entity alone)
        if let Some(c) = exact {
            let app_purchase = c.kind == Kind::Billing
                && prefix_kind == Some(PrefixKind::Vendor)
                && !all_tokens_matched(d, hd, &self.filler);
            if !app_purchase {
                return self.product_result(
                    c,
                    Field::Descriptor,
                    ev,
                    0.85,
                    None,
                    &sig,
                    vendor_name,
                    processor,
                );
            }
        }

        // 5. only a prefix: the prefix itself may be a catalog entity (`PADDLE.NET*`)
        if (seller.is_empty() || seller_generic)
            && let Some(i) = prefix
            && prefix_kind != Some(PrefixKind::Vendor)
        {
            idx.scan(&self.prefix_phrases[i], &mut sc.hs2);
            if let Some(c) = self.pick(&sc.hs2, &sig, true) {
                return self.product_result(
                    c,
                    Field::Descriptor,
                    ev,
                    0.75,
                    None,
                    &sig,
                    vendor_name,
                    processor,
                );
            }
        }

        // 6. the description names the product when the descriptor names no seller
        let seller_uninformative =
            seller.is_empty() || seller_generic || all_tokens_matched(d, hd, &self.filler);
        if seller_uninformative
            && !blocked
            && prefix_kind != Some(PrefixKind::Marketplace)
            && !s.text().is_empty()
        {
            idx.scan(s.text(), &mut sc.hs2);
        } else {
            sc.hs2.clear();
        }
        if let Some(c) = self.pick(&sc.hs2, &sig, false)
            && (!c.umbrella || seller.is_empty())
        {
            return self.product_result(
                c,
                Field::Description,
                ev,
                0.7,
                None,
                &sig,
                vendor_name,
                processor,
            );
        }

        // 7. stage 1 without a product
        let not_identifiable = if seller.is_empty() || seller_generic {
            Some(match prefix_kind {
                Some(PrefixKind::Processor) => NotIdentifiable::PaymentProcessorOnly,
                Some(PrefixKind::Reseller) => NotIdentifiable::ResellerOnly,
                Some(PrefixKind::Marketplace) => NotIdentifiable::MarketplaceOnly,
                Some(PrefixKind::AppStore) => NotIdentifiable::AppStoreOnly,
                _ => NotIdentifiable::Empty,
            })
        } else {
            None
        };
        let mut score: f32 = 0.0;
        let mut add = |cond: bool, w: f32| {
            if cond {
                score += w;
            }
        };
        add(sig.type_sw, 1.0);
        add(sig.type_non, -1.0);
        add(sig.sw_kw_d, 1.0);
        add(sig.sw_kw_s, 1.0);
        add(sig.domain_d, 1.0);
        add(sig.name_word_d, 0.5);
        add(sig.had_code, 0.25);
        add(prefix_kind == Some(PrefixKind::Reseller), 2.0);
        add(
            prefix_kind == Some(PrefixKind::AppStore) && !seller.is_empty(),
            1.0,
        );
        add(prefix_kind == Some(PrefixKind::Vendor), 1.0);
        add(prefix_kind == Some(PrefixKind::Marketplace), -1.0);
        add(sig.non_kw_d, -3.0);
        add(sig.non_kw_s, -1.0);
        add(sig.n_vetoed > 0, -3.0);
        let is_software = score >= 1.5 && not_identifiable.is_none();
        let confidence = if is_software {
            0.45 + 0.1 * score
        } else {
            0.5 + 0.1 * (1.5 - score)
        };
        self.done(
            is_software,
            None,
            confidence,
            ev,
            vendor_name,
            not_identifiable,
            processor,
        )
    }

    #[allow(clippy::too_many_arguments)]
    fn done(
        &self,
        is_software: bool,
        service: Option<ServiceId>,
        confidence: f32,
        evidence: Vec<Evidence>,
        vendor_name: CompactString,
        not_identifiable: Option<NotIdentifiable>,
        processor: Option<&'static str>,
    ) -> Classification {
        Classification {
            is_software,
            service,
            confidence: confidence.clamp(0.0, 1.0),
            evidence,
            vendor_name,
            not_identifiable,
            processor,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn product_result(
        &self,
        c: Cand,
        field: Field,
        mut ev: Vec<Evidence>,
        base: f32,
        ev_kind: Option<EvidenceKind>,
        sig: &Signals,
        vendor_name: CompactString,
        processor: Option<&'static str>,
    ) -> Classification {
        let idx = &self.catalog.index;
        let kind = ev_kind.unwrap_or(match c.kind {
            Kind::Entity => EvidenceKind::Entity,
            Kind::Pattern => EvidenceKind::Pattern,
            Kind::Domain => EvidenceKind::Domain,
            Kind::Billing => EvidenceKind::BillingEntity,
            _ => EvidenceKind::Alias,
        });
        if ev_kind != Some(EvidenceKind::Fuzzy) {
            ev.insert(
                0,
                Evidence {
                    kind,
                    field,
                    text: Cow::Borrowed(idx.phrase(c.phrase)),
                },
            );
        }
        let mut conf = base;
        if sig.type_sw {
            conf += 0.03;
        }
        if sig.sw_kw_d || sig.sw_kw_s {
            conf += 0.02;
        }
        if sig.type_non || sig.non_kw_s {
            conf -= 0.05;
        }
        if c.umbrella {
            conf -= 0.05;
        }
        let id = self.catalog.product_at(c.product).id.clone();
        self.done(true, Some(id), conf, ev, vendor_name, None, processor)
    }

    /// Is this product entry acceptable given the signals? Returns its strength (1..=3).
    fn accept(&self, e: &Entry, sig: &Signals, in_descriptor: bool) -> Option<u8> {
        if !e.kind.targets_product() || sig.is_excluded(e.target) {
            return None;
        }
        let fam = self.catalog.family_of(e.target);
        if fam.is_some_and(|f| sig.is_vetoed(f)) {
            return None;
        }
        let neg = sig.neg();
        let pos = sig.pos();
        if e.strong {
            if neg >= 2 && neg > pos {
                return None;
            }
            return Some(3);
        }
        if sig.non_kw_d || (neg >= 2 && neg > pos) {
            return None;
        }
        if in_descriptor && sig.type_non && sig.unknown_d && pos == 0 {
            return None;
        }
        if e.ambiguous {
            let strong_corr =
                sig.sw_kw_d || sig.sw_kw_s || sig.domain_d || sig.prefix_sw || sig.had_code;
            if !(strong_corr || sig.type_sw || sig.name_word_d) {
                return None;
            }
            if sig.type_non && !strong_corr {
                return None;
            }
            return Some(1);
        }
        Some(2)
    }

    fn pick(&self, hits: &[Hit], sig: &Signals, in_descriptor: bool) -> Option<Cand> {
        let idx = &self.catalog.index;
        let mut best: Option<Cand> = None;
        for h in hits {
            for e in idx.entries(h.phrase) {
                let Some(strength) = self.accept(e, sig, in_descriptor) else {
                    continue;
                };
                let p = self.catalog.product_at(e.target);
                let c = Cand {
                    product: e.target,
                    kind: e.kind,
                    strength,
                    len: h.end - h.start,
                    umbrella: p.umbrella,
                    phrase: h.phrase,
                    named: e.named,
                };
                let key = |c: &Cand| {
                    (
                        !c.umbrella,
                        c.strength,
                        c.len,
                        c.named,
                        std::cmp::Reverse(c.product),
                    )
                };
                if best.is_none_or(|b| key(&c) > key(&b)) {
                    best = Some(c);
                }
            }
        }
        best
    }

    fn complete(&self, seller: &str, min: usize, allow_prefix: bool, sig: &Signals) -> Completion {
        let idx = &self.catalog.index;
        let mut q = String::with_capacity(seller.len());
        q.extend(seller.chars().filter(char::is_ascii_alphanumeric));
        if q.len() < min {
            return Completion::None;
        }
        // distinct products reached (at most a few), plus the umbrella if any
        let mut products: Vec<Cand> = Vec::new();
        let consider =
            |phrase: u32, exact_allowed: bool, products: &mut Vec<Cand>| -> Option<u32> {
                let exact_q = idx
                    .phrase(phrase)
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .eq(q.chars());
                if exact_q && !exact_allowed {
                    return None;
                }
                for e in idx.entries(phrase) {
                    if e.kind == Kind::VendorNonSoftware {
                        if exact_q {
                            return Some(phrase);
                        }
                        continue;
                    }
                    let Some(strength) = self.accept(e, sig, true) else {
                        continue;
                    };
                    if products.iter().any(|c| c.product == e.target) {
                        continue;
                    }
                    products.push(Cand {
                        product: e.target,
                        kind: e.kind,
                        strength,
                        len: q.len() as u32,
                        umbrella: self.catalog.product_at(e.target).umbrella,
                        phrase,
                        named: false,
                    });
                }
                None
            };
        if let Some(p) = idx.compact_exact(&q)
            && let Some(ns) = consider(p, true, &mut products)
        {
            return Completion::NonSoftware(ns);
        }
        if allow_prefix {
            for p in idx.completions(&q) {
                if let Some(ns) = consider(p, false, &mut products) {
                    return Completion::NonSoftware(ns);
                }
            }
        }
        if products.is_empty()
            && let Some(p) = idx.squashed(&q, 5)
            && let Some(ns) = consider(p, true, &mut products)
        {
            return Completion::NonSoftware(ns);
        }
        let mut specific = products.iter().filter(|c| !c.umbrella);
        match (specific.next(), specific.next()) {
            (Some(c), None) => Completion::Product(*c),
            (None, None) if products.len() == 1 => Completion::Product(products[0]),
            _ => Completion::None,
        }
    }

    /// Corrects typos token by token (and joined word pairs: "quick books"), then matches the
    /// corrected text exactly.
    fn fuzzy(
        &self,
        d: &Normalized,
        sig: &Signals,
        hits: &mut Vec<Hit>,
    ) -> Option<(Cand, String, f64)> {
        let idx = &self.catalog.index;
        let pol = &self.catalog.policy;
        let (s0, e0) = d.seller_range();
        let seller = d.text().get(s0..e0).unwrap_or("");
        let toks: Vec<&str> = seller.split(' ').filter(|t| !t.is_empty()).collect();
        if toks.is_empty() {
            return None;
        }
        let corr = sig.type_sw
            || sig.sw_kw_d
            || sig.sw_kw_s
            || sig.domain_d
            || sig.prefix_sw
            || sig.had_code;
        let mut out = String::with_capacity(seller.len() + 16);
        let mut joined = String::new();
        let mut changed = Vec::new();
        let mut min_sim = 1.0f64;
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            // a joined pair first ("quick books" → quickbooks, "open ai" → openai)
            if let Some(n) = toks.get(i + 1)
                && (!idx.in_vocab(t) || !idx.in_vocab(n) || t.len() <= 4 || n.len() <= 4)
                && (corr || t.len() + n.len() >= 7)
            {
                joined.clear();
                joined.push_str(t);
                joined.push_str(n);
                if let Some((p, sim)) = idx.fuzzy(
                    &joined,
                    pol.fuzzy_min_token_len,
                    pol.fuzzy_min_similarity,
                    1,
                ) {
                    push_tok(&mut out, idx.phrase(p));
                    changed.push(format!("{t} {n}→{}", idx.phrase(p)));
                    min_sim = min_sim.min(sim);
                    i += 2;
                    continue;
                }
            }
            if !idx.in_vocab(t)
                && (corr || t.len() >= 7)
                && let Some((p, sim)) =
                    idx.fuzzy(t, pol.fuzzy_min_token_len, pol.fuzzy_min_similarity, 2)
            {
                push_tok(&mut out, idx.phrase(p));
                changed.push(format!("{t}→{}", idx.phrase(p)));
                min_sim = min_sim.min(sim);
            } else {
                push_tok(&mut out, t);
            }
            i += 1;
        }
        if changed.is_empty() {
            return None;
        }
        idx.scan(&out, hits);
        let c = self.pick(hits, sig, true)?;
        Some((c, changed.join(", "), min_sim))
    }
}

fn push_tok(out: &mut String, t: &str) {
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(t);
}

enum Completion {
    None,
    Product(Cand),
    NonSoftware(u32),
}

#[derive(Default)]
struct Signals {
    type_sw: bool,
    type_non: bool,
    sw_kw_d: bool,
    sw_kw_s: bool,
    non_kw_d: bool,
    non_kw_s: bool,
    name_word_d: bool,
    domain_d: bool,
    prefix_sw: bool,
    had_code: bool,
    unknown_d: bool,
    vetoed: [u32; 4],
    n_vetoed: usize,
    excluded: [u32; 4],
    n_excluded: usize,
}

impl Signals {
    fn veto_vendor(&mut self, v: u32) {
        if self.n_vetoed < 4 {
            self.vetoed[self.n_vetoed] = v;
            self.n_vetoed += 1;
        }
    }
    fn exclude(&mut self, p: u32) {
        if self.n_excluded < 4 {
            self.excluded[self.n_excluded] = p;
            self.n_excluded += 1;
        }
    }
    fn is_vetoed(&self, v: u32) -> bool {
        self.vetoed[..self.n_vetoed].contains(&v)
    }
    fn is_excluded(&self, p: u32) -> bool {
        self.excluded[..self.n_excluded].contains(&p)
    }
    fn neg(&self) -> i32 {
        self.type_non as i32 + 2 * self.non_kw_d as i32 + self.non_kw_s as i32
    }
    fn pos(&self) -> i32 {
        self.type_sw as i32
            + self.sw_kw_d as i32
            + self.sw_kw_s as i32
            + self.domain_d as i32
            + self.had_code as i32
    }
}

/// True when `phrase` occurs in `text` on word boundaries.
fn contains_words(text: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(i) = text[from..].find(phrase) {
        let s = from + i;
        let e = s + phrase.len();
        let ok_s = s == 0 || !b[s - 1].is_ascii_alphanumeric();
        let ok_e = e == b.len() || !b[e].is_ascii_alphanumeric();
        if ok_s && ok_e {
            return true;
        }
        from = s + 1;
        if from >= text.len() {
            break;
        }
    }
    false
}

/// True when every token of the seller (byte range of the text) lies inside some hit.
fn all_tokens_matched(d: &Normalized, hits: &[Hit], skip: &FastSet<Box<str>>) -> bool {
    let (off, end) = d.seller_range();
    let seller = d.text().get(off..end).unwrap_or("");
    let mut pos = off;
    for tok in seller.split(' ') {
        let (s, e) = (pos as u32, (pos + tok.len()) as u32);
        pos += tok.len() + 1;
        if tok.is_empty() || skip.contains(tok) {
            continue;
        }
        if !hits.iter().any(|h| h.start <= s && h.end >= e) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert!(contains_words("dropbox box", "box"));
        assert!(!contains_words("dropbox", "box"));
        assert!(contains_words("app.box.com", "box"));
    }

    #[test]
    fn send_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Matcher>();
        assert_send_sync::<Catalog>();
    }
}
