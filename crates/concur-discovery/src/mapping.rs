//! Mapping of one Concur spend line (expense entry, itemization, invoice) to a [`Cost`],
//! unmatched spend or an exclusion.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use saas_catalog::{Classification, Input, Matcher};
use saas_discovery::{
    Confidence, Cost, CostId, CostSource, CostSourceKind, Evidence, EvidenceKind, Money, Owner,
    Service, ServiceId, ServiceOrigin, SourceRef, Warning, parse_currency,
};
use serde::{Deserialize, Serialize};

use concur_client::models::expense::{Entry, Itemization, Report};

/// The source system name used in every [`SourceRef`].
pub(crate) const SYSTEM: &str = "concur";
/// Longest descriptor / description kept (characters); longer text is cut and reported.
pub(crate) const MAX_TEXT_CHARS: usize = 256;
/// Evidence items kept per cost and per service.
pub(crate) const MAX_EVIDENCE: usize = 5;

/// What one report contributes to every line mapped from it.
#[derive(Clone, Debug)]
pub(crate) struct ReportCtx {
    pub report_id: String,
    pub owner: Owner,
    pub currency_code: Option<String>,
    pub status_name: Option<String>,
}

impl ReportCtx {
    pub(crate) fn from_report(report: &Report, owner: Owner) -> Self {
        Self {
            report_id: report.id.clone(),
            owner,
            currency_code: report.currency_code.clone(),
            status_name: report
                .approval_status_name
                .clone()
                .or_else(|| report.approval_status_code.clone()),
        }
    }
}

/// One line to classify, with fields as Concur sent them.
#[derive(Clone, Debug)]
pub(crate) struct LineInput<'a> {
    pub source: SourceRef,
    pub record: String,
    pub date: Option<NaiveDateTime>,
    pub amount: Option<Decimal>,
    pub currency_code: Option<&'a str>,
    pub posted_amount: Option<Decimal>,
    pub posted_currency_code: Option<&'a str>,
    pub exchange_rate: Option<Decimal>,
    pub vendor: Option<&'a str>,
    pub vendor_fallback: Option<&'a str>,
    pub expense_type: Option<&'a str>,
    pub description: Option<&'a str>,
    pub payment_type: Option<&'a str>,
    pub status: Option<&'a str>,
    pub is_personal: bool,
    /// Itemizations: the item's own text, classified first as if it were the descriptor
    /// (a reseller's line such as `DOCUSIGN renewal` names the product; the parent's vendor
    /// names the reseller).
    pub item_text: Option<&'a str>,
    /// Invoices: the vendor is the remit-to supplier itself (never a card processor), so a
    /// vendor name equal to a single-product catalog vendor names that product.
    pub vendor_is_supplier: bool,
}

/// Software spend that matched no product, kept compactly (see
/// [`saas_discovery::UnmatchedSpend`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct UnmatchedItem {
    pub vendor: String,
    pub descriptor: String,
    pub amount: Money,
    pub date: NaiveDate,
    pub owner: Owner,
    pub source: SourceRef,
}

/// Result of mapping one line.
#[derive(Clone, Debug)]
pub(crate) enum Line {
    /// Software spend of a known service.
    Cost(Box<Cost>),
    /// Software spend without a product.
    Unmatched(Box<UnmatchedItem>),
    /// Not software spend.
    NotSoftware,
    /// `IsPersonal` (not reimbursed; excluded).
    Personal,
    /// A user ignore rule fired.
    Rule,
    /// Zero amount: no money moved; skipped and reported.
    Zero,
    /// Could not be mapped (bad currency, bad or absurd date, missing amount): counted as a
    /// decode error.
    Bad,
}

/// A mapped line and the warnings it raised.
#[derive(Clone, Debug)]
pub(crate) struct Mapped {
    pub line: Line,
    pub warnings: Vec<Warning>,
}

/// Everything mapping needs besides the line.
pub(crate) struct MapCtx<'a> {
    pub connection_id: &'a str,
    pub matcher: &'a Matcher,
    /// Dates after this are absurd.
    pub max_date: NaiveDate,
}

/// Dates before this are absurd.
pub(crate) fn min_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or(NaiveDate::MIN)
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

/// Cuts `s` to [`MAX_TEXT_CHARS`] characters; `true` when it was cut.
pub(crate) fn clip(s: &str) -> (String, bool) {
    match s.char_indices().nth(MAX_TEXT_CHARS) {
        Some((i, _)) => (s[..i].to_owned(), true),
        None => (s.to_owned(), false),
    }
}

/// Maps one line.
pub(crate) fn map_line(ctx: &MapCtx<'_>, input: &LineInput<'_>, owner: &Owner) -> Mapped {
    let mut warnings = Vec::new();
    let bad = |code: &str, msg: String, mut warnings: Vec<Warning>| {
        warnings.push(Warning::new(code, msg).with_record(input.record.clone()));
        Mapped {
            line: Line::Bad,
            warnings,
        }
    };
    if input.is_personal {
        return Mapped {
            line: Line::Personal,
            warnings,
        };
    }
    let Some(code) = non_empty(input.currency_code) else {
        return bad("invalid_currency", "missing currency code".into(), warnings);
    };
    let currency = match parse_currency(code) {
        Ok(c) => c,
        Err(_) => {
            let (c, _) = clip(code);
            return bad(
                "invalid_currency",
                format!("unknown currency code {c:?}"),
                warnings,
            );
        }
    };
    let Some(amount) = input.amount else {
        return bad("missing_amount", "missing amount".into(), warnings);
    };
    let Some(date) = input.date.map(|d| d.date()) else {
        return bad("invalid_date", "missing transaction date".into(), warnings);
    };
    if date < min_date() || date > ctx.max_date {
        return bad(
            "invalid_date",
            format!("absurd transaction date {date}"),
            warnings,
        );
    }
    let amount = Money::new(amount, currency);
    if amount.is_zero() {
        warnings.push(
            Warning::new("zero_amount", "zero amount: no cost recorded")
                .with_record(input.record.clone()),
        );
        return Mapped {
            line: Line::Zero,
            warnings,
        };
    }
    let raw_vendor = non_empty(input.vendor).or(non_empty(input.vendor_fallback));
    let vendor = match raw_vendor {
        Some(v) => {
            let (v, cut) = clip(v);
            if cut {
                warnings.push(
                    Warning::new(
                        "oversized_field",
                        format!(
                            "vendor descriptor longer than {MAX_TEXT_CHARS} characters was cut"
                        ),
                    )
                    .with_record(input.record.clone()),
                );
            }
            Some(v)
        }
        None => {
            warnings.push(
                Warning::new("missing_vendor", "no vendor descriptor")
                    .with_record(input.record.clone()),
            );
            None
        }
    };
    let description = non_empty(input.description).map(|d| {
        let (d, cut) = clip(d);
        if cut {
            warnings.push(
                Warning::new(
                    "oversized_field",
                    format!("description longer than {MAX_TEXT_CHARS} characters was cut"),
                )
                .with_record(input.record.clone()),
            );
        }
        d
    });
    let expense_type = non_empty(input.expense_type).map(|t| clip(t).0);
    let item = non_empty(input.item_text).map(|t| clip(t).0).and_then(|t| {
        let c = ctx.matcher.classify(&Input {
            descriptor: &t,
            expense_type: expense_type.as_deref(),
            description: None,
        });
        (c.is_software && c.service.is_some()).then_some(c)
    });
    let from_item = item.is_some();
    let c = item.unwrap_or_else(|| {
        ctx.matcher.classify(&Input {
            descriptor: vendor.as_deref().unwrap_or(""),
            expense_type: expense_type.as_deref(),
            description: description.as_deref(),
        })
    });
    let c = match (input.vendor_is_supplier, vendor.as_deref()) {
        (true, Some(v)) if c.service.is_none() => {
            supplier_fallback(ctx.matcher, v, &c).unwrap_or(c)
        }
        _ => c,
    };
    if c.evidence
        .iter()
        .any(|e| e.kind == saas_catalog::EvidenceKind::IgnoreRule)
    {
        return Mapped {
            line: Line::Rule,
            warnings,
        };
    }
    if !c.is_software {
        return Mapped {
            line: Line::NotSoftware,
            warnings,
        };
    }
    let Some(service_id) = c.service.clone() else {
        let key = if c.vendor_name.trim().is_empty() {
            vendor
                .as_deref()
                .map(|v| v.trim().to_lowercase())
                .unwrap_or_else(|| "(unknown vendor)".to_owned())
        } else {
            c.vendor_name.to_string()
        };
        return Mapped {
            line: Line::Unmatched(Box::new(UnmatchedItem {
                vendor: key,
                descriptor: vendor.unwrap_or_default(),
                amount,
                date,
                owner: owner.clone(),
                source: input.source.clone(),
            })),
            warnings,
        };
    };
    let Some(record_id) = input.source.record_id() else {
        return bad("missing_id", "record without id".into(), warnings);
    };
    let id = CostId::derive(ctx.connection_id, input.source.kind, record_id);
    let mut cost = Cost::new(
        id,
        service_id,
        date,
        amount,
        owner.clone(),
        CostSource::new(input.source.clone()),
    )
    .with_confidence(confidence_of(&c));
    if let (Some(p), Some(pc)) = (
        input.posted_amount,
        non_empty(input.posted_currency_code).and_then(|c| parse_currency(c).ok()),
    ) {
        cost = cost.with_posted_amount(Money::new(p, pc));
    }
    if let Some(r) = input.exchange_rate {
        cost = cost.with_exchange_rate(r.normalize());
    }
    if let Some(v) = vendor {
        cost = cost.with_vendor_descriptor(v);
    }
    if let Some(d) = description {
        cost = cost.with_description(d);
    }
    if let Some(s) = non_empty(input.status) {
        cost = cost.with_report_status(s);
    }
    if let Some(p) = non_empty(input.payment_type) {
        cost = cost.with_payment_type(p);
    }
    for mut e in evidence_of(&c) {
        if from_item && e.field.as_deref() == Some("vendor_descriptor") {
            e.field = Some("description".to_owned());
        }
        cost = cost.with_evidence(e);
    }
    Mapped {
        line: Line::Cost(Box::new(cost)),
        warnings,
    }
}

/// Lowercase alphanumeric words without a trailing legal suffix (`Stripe, Inc.` → `stripe`).
fn plain_vendor(s: &str) -> String {
    const LEGAL: [&str; 12] = [
        "inc",
        "ltd",
        "llc",
        "gmbh",
        "corp",
        "co",
        "limited",
        "corporation",
        "plc",
        "sa",
        "ag",
        "bv",
    ];
    let mut words: Vec<String> = s
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    while words.len() > 1 && words.last().is_some_and(|w| LEGAL.contains(&w.as_str())) {
        words.pop();
    }
    words.join(" ")
}

/// Invoices only: when the supplier's name equals a catalog vendor and the line has a software
/// signal, attribute it to that vendor's own product (id equal to the vendor name) or its only
/// product (confidence 0.7).
fn supplier_fallback(
    matcher: &Matcher,
    vendor: &str,
    c: &Classification,
) -> Option<Classification> {
    use saas_catalog::EvidenceKind as K;
    if c.evidence
        .iter()
        .any(|e| matches!(e.kind, K::IgnoreRule | K::Excluded | K::VendorNonSoftware))
    {
        return None;
    }
    let signal = c.is_software
        || c.evidence
            .iter()
            .any(|e| matches!(e.kind, K::SoftwareKeyword | K::SoftwareExpenseType));
    if !signal {
        return None;
    }
    let key = plain_vendor(vendor);
    if key.is_empty() {
        return None;
    }
    let hits: Vec<&saas_catalog::Product> = matcher
        .catalog()
        .products()
        .iter()
        .filter(|p| !p.umbrella && plain_vendor(&p.vendor) == key)
        .collect();
    // the vendor's own product (id equal to the vendor name), else its only product
    let slug = key.replace(' ', "-");
    let p = match hits.iter().find(|p| p.id.as_str() == slug) {
        Some(p) => *p,
        None if hits.len() == 1 => hits[0],
        None => return None,
    };
    let mut out = c.clone();
    out.is_software = true;
    out.service = Some(p.id.clone());
    out.confidence = 0.7;
    out.evidence.insert(
        0,
        saas_catalog::Evidence {
            kind: K::Entity,
            field: saas_catalog::Field::Descriptor,
            text: std::borrow::Cow::Owned(vendor.to_string()),
        },
    );
    Some(out)
}

/// The matcher's confidence as a [`Confidence`], rounded to 3 decimals (f32 noise removed).
pub(crate) fn confidence_of(c: &Classification) -> Confidence {
    Confidence::clamped((f64::from(c.confidence) * 1000.0).round() / 1000.0)
}

/// The matcher's evidence in the model's terms, strongest first, at most [`MAX_EVIDENCE`].
pub(crate) fn evidence_of(c: &Classification) -> Vec<Evidence> {
    use saas_catalog::EvidenceKind as K;
    c.evidence
        .iter()
        .filter(|e| {
            !matches!(
                e.kind,
                K::NonSoftwareExpenseType
                    | K::NonSoftwareKeyword
                    | K::VendorNonSoftware
                    | K::Excluded
                    | K::IgnoreRule
            )
        })
        .take(MAX_EVIDENCE)
        .map(|e| {
            let (kind, detail) = match e.kind {
                K::Rule => (EvidenceKind::UserRule, "user rule"),
                K::Alias => (EvidenceKind::CatalogAlias, "catalog alias"),
                K::Pattern => (EvidenceKind::CatalogAlias, "statement pattern"),
                K::Truncated => (EvidenceKind::CatalogAlias, "truncated descriptor completed"),
                K::Fuzzy => (EvidenceKind::CatalogAlias, "fuzzy token match"),
                K::Entity => (EvidenceKind::CatalogName, "billing entity"),
                K::BillingEntity => (EvidenceKind::CatalogName, "vendor billing entity"),
                K::Domain => (EvidenceKind::CatalogDomain, "product domain"),
                K::DomainToken => (EvidenceKind::CatalogDomain, "domain token"),
                K::SoftwareExpenseType => (EvidenceKind::ExpenseType, "software expense type"),
                K::SoftwareKeyword => (EvidenceKind::Keyword, "software keyword"),
                K::SoftwareNameWord => (EvidenceKind::Keyword, "software-like vendor name"),
                _ => (EvidenceKind::Other, "other"),
            };
            let field = match e.field {
                saas_catalog::Field::Descriptor => "vendor_descriptor",
                saas_catalog::Field::ExpenseType => "expense_type",
                saas_catalog::Field::Description => "description",
            };
            Evidence::new(kind, e.text.as_ref())
                .with_field(field)
                .with_detail(detail)
        })
        .collect()
}

/// A [`Service`] for a catalog product (or rule custom entry) id, with the given
/// confidence and evidence. Unknown ids give a bare service named after the id.
pub(crate) fn service_for(
    matcher: &Matcher,
    id: &ServiceId,
    confidence: Confidence,
    evidence: &[Evidence],
) -> Service {
    let mut s = match matcher.catalog().product(id) {
        Some(p) => {
            let mut s = Service::new(id.clone(), p.name.clone())
                .with_vendor(p.vendor.clone())
                .with_category(p.category.as_str());
            for d in &p.domains {
                s = s.with_domain(d.clone());
            }
            if p.source == "rules" {
                s = s.with_origin(ServiceOrigin::Rule);
            }
            s
        }
        None => Service::new(id.clone(), id.as_str()).with_origin(ServiceOrigin::Other),
    };
    s = s.with_confidence(confidence);
    for e in evidence {
        s = s.with_evidence(e.clone());
    }
    s
}

/// The line input of an expense entry (not itemized, or itemized but its itemizations are
/// unavailable).
pub(crate) fn entry_input<'a>(rc: &'a ReportCtx, e: &'a Entry) -> LineInput<'a> {
    LineInput {
        source: SourceRef::new(SYSTEM, CostSourceKind::ExpenseEntry)
            .with_report_id(rc.report_id.clone())
            .with_entry_id(e.id.clone()),
        record: format!("report {} entry {}", rc.report_id, e.id),
        date: e.transaction_date,
        amount: e.transaction_amount,
        currency_code: e.transaction_currency_code.as_deref(),
        posted_amount: e.posted_amount,
        posted_currency_code: rc.currency_code.as_deref(),
        exchange_rate: e.exchange_rate,
        vendor: e.vendor_description.as_deref(),
        vendor_fallback: e.vendor_list_item_name.as_deref(),
        expense_type: e.expense_type_name.as_deref(),
        description: e.description.as_deref(),
        payment_type: e.payment_type_name.as_deref(),
        status: rc.status_name.as_deref(),
        is_personal: e.is_personal.unwrap_or(false),
        item_text: None,
        vendor_is_supplier: false,
    }
}

/// The line input of one itemization of `parent` (amount in the parent's transaction
/// currency; vendor and payment type inherited from the parent).
pub(crate) fn itemization_input<'a>(
    rc: &'a ReportCtx,
    parent: &'a Entry,
    it: &'a Itemization,
) -> LineInput<'a> {
    LineInput {
        source: SourceRef::new(SYSTEM, CostSourceKind::Itemization)
            .with_report_id(rc.report_id.clone())
            .with_entry_id(parent.id.clone())
            .with_itemization_id(it.id.clone()),
        record: format!(
            "report {} entry {} itemization {}",
            rc.report_id, parent.id, it.id
        ),
        date: it.transaction_date.or(parent.transaction_date),
        amount: it.transaction_amount,
        currency_code: parent.transaction_currency_code.as_deref(),
        posted_amount: it.posted_amount,
        posted_currency_code: rc.currency_code.as_deref(),
        exchange_rate: parent.exchange_rate,
        vendor: parent.vendor_description.as_deref(),
        vendor_fallback: parent.vendor_list_item_name.as_deref(),
        expense_type: it
            .expense_type_name
            .as_deref()
            .or(parent.expense_type_name.as_deref()),
        description: it.description.as_deref().or(parent.description.as_deref()),
        payment_type: parent.payment_type_name.as_deref(),
        status: rc.status_name.as_deref(),
        is_personal: it.is_personal.unwrap_or(false) || parent.is_personal.unwrap_or(false),
        item_text: it.description.as_deref(),
        vendor_is_supplier: false,
    }
}

/// Latest plausible transaction date for a crawl starting at `crawl_start`.
pub(crate) fn max_date_for(crawl_start: NaiveDateTime) -> NaiveDate {
    let d = crawl_start.date();
    NaiveDate::from_ymd_opt(d.year() + 1, d.month(), 1).unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;
    use saas_catalog::{Catalog, Rules};
    use std::sync::OnceLock;

    pub(crate) fn matcher() -> &'static Matcher {
        static M: OnceLock<Matcher> = OnceLock::new();
        M.get_or_init(|| Matcher::new(Catalog::builtin().unwrap(), Rules::empty()).unwrap())
    }

    fn ctx() -> MapCtx<'static> {
        MapCtx {
            connection_id: "acme",
            matcher: matcher(),
            max_date: NaiveDate::from_ymd_opt(2027, 11, 1).unwrap(),
        }
    }

    fn rc() -> ReportCtx {
        ReportCtx {
            report_id: "R1".into(),
            owner: Owner::new("ada@example.com").with_name("Ada Testperson"),
            currency_code: Some("EUR".into()),
            status_name: Some("Approved".into()),
        }
    }

    fn entry(json: serde_json::Value) -> Entry {
        serde_json::from_value(json).unwrap()
    }

    fn zoom_entry() -> Entry {
        entry(serde_json::json!({
            "ID": "E1", "ReportID": "R1", "TransactionDate": "2026-03-04T00:00:00",
            "TransactionAmount": 14.99, "TransactionCurrencyCode": "USD", "ExchangeRate": 0.9,
            "PostedAmount": 13.49, "VendorDescription": "ZOOM.US 888-799-9666 CA",
            "ExpenseTypeName": "Software", "Description": "Zoom Pro monthly",
            "PaymentTypeName": "Company Card", "IsPersonal": false
        }))
    }

    #[test]
    fn entry_maps_to_cost_with_all_fields() {
        let rc = rc();
        let e = zoom_entry();
        let m = map_line(&ctx(), &entry_input(&rc, &e), &rc.owner);
        let Line::Cost(c) = m.line else {
            panic!("expected a cost, got {:?}", m.line)
        };
        assert_eq!(c.service_id.as_str(), "zoom");
        assert_eq!(
            c.amount.to_string(),
            Money::new(dec!(14.99), parse_currency("USD").unwrap()).to_string()
        );
        assert_eq!(c.posted_amount.unwrap().amount(), dec!(13.49));
        assert_eq!(c.posted_amount.unwrap().currency().code(), "EUR");
        assert_eq!(c.exchange_rate, Some(dec!(0.9)));
        assert_eq!(c.date, NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        assert_eq!(c.owner.login_id, "ada@example.com");
        assert_eq!(
            c.vendor_descriptor.as_deref(),
            Some("ZOOM.US 888-799-9666 CA")
        );
        assert_eq!(c.description.as_deref(), Some("Zoom Pro monthly"));
        assert_eq!(c.report_status.as_deref(), Some("Approved"));
        assert_eq!(c.payment_type.as_deref(), Some("Company Card"));
        assert_eq!(
            c.id,
            CostId::derive("acme", CostSourceKind::ExpenseEntry, "E1")
        );
        assert_eq!(c.source.report_id.as_deref(), Some("R1"));
        assert!(!c.evidence.is_empty());
        assert!(m.warnings.is_empty());
    }

    #[test]
    fn personal_refund_and_bad_lines() {
        let rc = rc();
        let mut e = zoom_entry();
        e.is_personal = Some(true);
        assert!(matches!(
            map_line(&ctx(), &entry_input(&rc, &e), &rc.owner).line,
            Line::Personal
        ));

        let mut e = zoom_entry();
        e.transaction_amount = Some(dec!(-14.99));
        let Line::Cost(c) = map_line(&ctx(), &entry_input(&rc, &e), &rc.owner).line else {
            panic!()
        };
        assert!(c.amount.is_negative());

        let mut e = zoom_entry();
        e.transaction_currency_code = Some("XYZ".into());
        let m = map_line(&ctx(), &entry_input(&rc, &e), &rc.owner);
        assert!(matches!(m.line, Line::Bad));
        assert_eq!(m.warnings[0].code, "invalid_currency");
        assert_eq!(m.warnings[0].record.as_deref(), Some("report R1 entry E1"));

        let mut e = zoom_entry();
        e.transaction_date = NaiveDate::from_ymd_opt(1901, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0);
        let m = map_line(&ctx(), &entry_input(&rc, &e), &rc.owner);
        assert!(matches!(m.line, Line::Bad));
        assert_eq!(m.warnings[0].code, "invalid_date");

        let mut e = zoom_entry();
        e.transaction_amount = Some(Decimal::ZERO);
        let m = map_line(&ctx(), &entry_input(&rc, &e), &rc.owner);
        assert!(matches!(m.line, Line::Zero));
        assert_eq!(m.warnings[0].code, "zero_amount");

        let mut e = zoom_entry();
        e.vendor_description = Some("ZOOM.US ".repeat(1300));
        let m = map_line(&ctx(), &entry_input(&rc, &e), &rc.owner);
        assert!(m.warnings.iter().any(|w| w.code == "oversized_field"));
        if let Line::Cost(c) = m.line {
            assert!(c.vendor_descriptor.unwrap().chars().count() <= MAX_TEXT_CHARS);
        }

        let mut e = zoom_entry();
        e.vendor_description = None;
        let m = map_line(&ctx(), &entry_input(&rc, &e), &rc.owner);
        assert!(m.warnings.iter().any(|w| w.code == "missing_vendor"));
    }

    #[test]
    fn travel_is_not_software_and_unknown_saas_is_unmatched() {
        let rc = rc();
        let mut e = zoom_entry();
        e.vendor_description = Some("LUFTHANSA 2201234567".into());
        e.expense_type_name = Some("Airfare".into());
        e.description = Some("Flight to Berlin".into());
        assert!(matches!(
            map_line(&ctx(), &entry_input(&rc, &e), &rc.owner).line,
            Line::NotSoftware
        ));
        let mut e = zoom_entry();
        e.vendor_description = Some("QWERTYLABS CLOUD SOFTWARE".into());
        e.description = Some("annual subscription".into());
        let m = map_line(&ctx(), &entry_input(&rc, &e), &rc.owner);
        match m.line {
            Line::Unmatched(u) => assert!(!u.vendor.is_empty()),
            other => panic!("expected unmatched, got {other:?}"),
        }
    }

    #[test]
    fn itemization_uses_parent_currency_and_its_own_id() {
        let rc = rc();
        let parent = zoom_entry();
        let it: Itemization = serde_json::from_value(serde_json::json!({
            "ID": "I1", "EntryID": "E1", "TransactionAmount": 7.5, "PostedAmount": 6.75,
            "ExpenseTypeName": "Software", "TransactionDate": "2026-03-04T00:00:00"
        }))
        .unwrap();
        let Line::Cost(c) = map_line(&ctx(), &itemization_input(&rc, &parent, &it), &rc.owner).line
        else {
            panic!()
        };
        assert_eq!(c.amount.currency().code(), "USD");
        assert_eq!(c.amount.amount(), dec!(7.50));
        assert_eq!(
            c.id,
            CostId::derive("acme", CostSourceKind::Itemization, "I1")
        );
        assert_eq!(c.source.itemization_id.as_deref(), Some("I1"));
        assert_eq!(c.source.entry_id.as_deref(), Some("E1"));
    }

    #[test]
    fn supplier_names_a_single_product_vendor_on_invoices_only() {
        assert_eq!(plain_vendor("Stripe, Inc."), "stripe");
        assert_eq!(plain_vendor("ACME Co"), "acme");
        let rc = rc();
        let mut e = zoom_entry();
        e.vendor_description = Some("STRIPE".into());
        e.expense_type_name = Some("SOFTW".into());
        e.description = Some("Subscription 12 month(s), 5 seats".into());
        let mut input = entry_input(&rc, &e);
        assert!(!matches!(
            map_line(&ctx(), &input, &rc.owner).line,
            Line::Cost(_)
        ));
        input.vendor_is_supplier = true;
        match map_line(&ctx(), &input, &rc.owner).line {
            Line::Cost(c) => {
                assert_eq!(c.service_id.as_str(), "stripe");
                assert_eq!(c.confidence.score(), 0.7);
            }
            other => panic!("expected a cost, got {other:?}"),
        }
    }

    #[test]
    fn clip_cuts_on_char_boundary() {
        let s = "é".repeat(300);
        let (c, cut) = clip(&s);
        assert!(cut);
        assert_eq!(c.chars().count(), MAX_TEXT_CHARS);
        assert_eq!(clip("abc"), ("abc".to_owned(), false));
    }
}
