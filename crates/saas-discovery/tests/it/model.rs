use chrono::{DateTime, NaiveDate, Utc};
use saas_discovery::{
    Checkpoint, Confidence, ConfidenceBand, Cost, CostId, CostSource, CostSourceKind, Currency,
    Document, DocumentBuilder, DocumentError, DocumentSource, Evidence, EvidenceKind, Finding,
    FindingKind, Money, Owner, Retraction, Service, ServiceId, ServiceOrigin, ServiceOwner,
    SourceRef, Stats, UnmatchedSpend, Warning,
};
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("../fixtures/model-example.json");

fn roundtrip<T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(
    value: &T,
    expected: Value,
) {
    let v = serde_json::to_value(value).unwrap();
    assert_eq!(v, expected);
    let back: T = serde_json::from_value(v).unwrap();
    assert_eq!(&back, value);
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn sid(s: &str) -> ServiceId {
    ServiceId::new(s).unwrap()
}

#[test]
fn cost_id_derive_is_stable_and_unambiguous() {
    // Value computed independently (Python hashlib) from the documented encoding.
    let id = CostId::derive(
        "acme-prod",
        CostSourceKind::ExpenseEntry,
        "E7F1A0C2B3D44E5F9001",
    );
    let doc: Value = serde_json::from_str(FIXTURE).unwrap();
    assert_eq!(
        doc["costs"][0]["source"]["entry_id"],
        "E7F1A0C2B3D44E5F9001"
    );
    assert_eq!(json!(id), doc["costs"][0]["id"]);
    assert!(id.as_str().starts_with("c_"));
    assert_eq!(id.as_str().len(), 34);
    assert_eq!(
        id,
        CostId::derive(
            "acme-prod",
            CostSourceKind::ExpenseEntry,
            "E7F1A0C2B3D44E5F9001"
        )
    );
    assert_ne!(
        id,
        CostId::derive(
            "acme-prod",
            CostSourceKind::Itemization,
            "E7F1A0C2B3D44E5F9001"
        )
    );
    assert_ne!(
        id,
        CostId::derive(
            "acme-prod2",
            CostSourceKind::ExpenseEntry,
            "E7F1A0C2B3D44E5F9001"
        )
    );
    assert_ne!(
        CostId::derive("ab", CostSourceKind::Invoice, "c"),
        CostId::derive("a", CostSourceKind::Invoice, "bc")
    );
}

#[test]
fn confidence_bands_and_serde() {
    let cases = [
        (0.0, ConfidenceBand::Unlikely),
        (0.39, ConfidenceBand::Unlikely),
        (0.4, ConfidenceBand::Possible),
        (0.6, ConfidenceBand::Likely),
        (0.79, ConfidenceBand::Likely),
        (0.8, ConfidenceBand::VeryLikely),
        (1.0, ConfidenceBand::VeryLikely),
    ];
    for (s, b) in cases {
        assert_eq!(Confidence::new(s).unwrap().band(), b, "score {s}");
    }
    assert!(Confidence::new(1.01).is_err());
    assert!(Confidence::new(-0.1).is_err());
    assert!(Confidence::new(f64::NAN).is_err());
    assert_eq!(Confidence::clamped(7.0).score(), 1.0);
    assert_eq!(Confidence::clamped(f64::NAN).score(), 0.0);
    roundtrip(
        &Confidence::new(0.92).unwrap(),
        json!({"score": 0.92, "band": "very_likely"}),
    );
    // band in input is recomputed from the score
    let c: Confidence =
        serde_json::from_value(json!({"score": 0.5, "band": "very_likely"})).unwrap();
    assert_eq!(c.band(), ConfidenceBand::Possible);
    assert!(serde_json::from_value::<Confidence>(json!({"score": 2.0})).is_err());
}

#[test]
fn golden_owner_evidence_source_ref() {
    let o = Owner::new("ada.testperson@example.com").with_name("Ada Testperson");
    roundtrip(
        &o,
        json!({"login_id": "ada.testperson@example.com", "name": "Ada Testperson", "email": null, "department": null}),
    );
    let e = Evidence::new(EvidenceKind::CatalogAlias, "ZOOM.US").with_field("vendor_descriptor");
    roundtrip(
        &e,
        json!({"kind": "catalog_alias", "field": "vendor_descriptor", "value": "ZOOM.US", "detail": null}),
    );
    let unknown: Evidence = serde_json::from_value(
        json!({"kind": "from_the_future", "field": null, "value": "x", "detail": null}),
    )
    .unwrap();
    assert_eq!(unknown.kind, EvidenceKind::Other);
    let r = SourceRef::new("concur", CostSourceKind::Itemization)
        .with_report_id("R1")
        .with_entry_id("E1")
        .with_itemization_id("I1");
    assert_eq!(r.record_id(), Some("I1"));
    roundtrip(
        &r,
        json!({"system": "concur", "kind": "itemization", "report_id": "R1", "entry_id": "E1",
               "itemization_id": "I1", "invoice_id": null, "card_transaction_id": null}),
    );
}

fn sample_cost() -> Cost {
    let src = CostSource::new(
        SourceRef::new("concur", CostSourceKind::ExpenseEntry)
            .with_report_id("R1")
            .with_entry_id("E1"),
    )
    .with_also_seen_in(
        SourceRef::new("concur", CostSourceKind::CardTransaction).with_card_transaction_id("CT1"),
    );
    Cost::new(
        CostId::derive("acme", CostSourceKind::ExpenseEntry, "E1"),
        sid("zoom"),
        date("2026-10-03"),
        Money::parse("15.99", Currency::USD).unwrap(),
        Owner::new("ada@example.com"),
        src,
    )
    .with_posted_amount(Money::parse("13.74", Currency::EUR).unwrap())
    .with_exchange_rate("0.85929".parse().unwrap())
    .with_vendor_descriptor("ZOOM.US")
    .with_payment_type("Cash")
    .with_confidence(Confidence::new(0.5).unwrap())
}

#[test]
fn golden_cost() {
    let c = sample_cost();
    roundtrip(
        &c,
        json!({
            "id": CostId::derive("acme", CostSourceKind::ExpenseEntry, "E1").as_str(),
            "service_id": "zoom",
            "date": "2026-10-03",
            "amount": {"amount": "15.99", "currency": "USD"},
            "posted_amount": {"amount": "13.74", "currency": "EUR"},
            "exchange_rate": "0.85929",
            "owner": {"login_id": "ada@example.com", "name": null, "email": null, "department": null},
            "vendor_descriptor": "ZOOM.US",
            "description": null,
            "source": {"system": "concur", "kind": "expense_entry", "report_id": "R1", "entry_id": "E1",
                       "itemization_id": null, "invoice_id": null, "card_transaction_id": null,
                       "also_seen_in": [{"system": "concur", "kind": "card_transaction", "report_id": null,
                                         "entry_id": null, "itemization_id": null, "invoice_id": null,
                                         "card_transaction_id": "CT1"}]},
            "report_status": null,
            "payment_type": "Cash",
            "confidence": {"score": 0.5, "band": "possible"},
            "evidence": []
        }),
    );
    // exchange_rate also accepted as a JSON number
    let mut v = serde_json::to_value(&c).unwrap();
    v["exchange_rate"] = json!(0.85929);
    let back: Cost = serde_json::from_value(v).unwrap();
    assert_eq!(back.exchange_rate, Some("0.85929".parse().unwrap()));
}

#[test]
fn golden_service() {
    let s = Service::new(sid("acme-wiki"), "Acme Wiki")
        .with_origin(ServiceOrigin::Rule)
        .with_domain("wiki.example.com")
        .with_evidence(Evidence::new(EvidenceKind::UserRule, "ACME WIKI").with_detail("rule 3"));
    roundtrip(
        &s,
        json!({"id": "acme-wiki", "name": "Acme Wiki", "vendor": null, "category": null,
               "domains": ["wiki.example.com"], "first_seen": null, "last_seen": null, "owners": [],
               "confidence": {"score": 1.0, "band": "very_likely"},
               "evidence": [{"kind": "user_rule", "field": null, "value": "ACME WIKI", "detail": "rule 3"}],
               "origin": "rule"}),
    );
    let so = ServiceOwner::new(
        Owner::new("a"),
        vec![Money::parse("1", Currency::EUR).unwrap()],
        1,
    );
    roundtrip(
        &so,
        json!({"owner": {"login_id": "a", "name": null, "email": null, "department": null},
               "spend": [{"amount": "1.00", "currency": "EUR"}], "cost_count": 1}),
    );
}

#[test]
fn golden_unmatched_finding_checkpoint_stats() {
    let mut u = UnmatchedSpend::new("acme tools");
    let owner = Owner::new("b");
    let r1 = SourceRef::new("concur", CostSourceKind::ExpenseEntry).with_entry_id("E2");
    let r2 = SourceRef::new("concur", CostSourceKind::ExpenseEntry).with_entry_id("E1");
    u.record(
        "ACME*2",
        Money::parse("10", Currency::EUR).unwrap(),
        date("2026-10-02"),
        &owner,
        r1,
    )
    .unwrap();
    u.record(
        "ACME*1",
        Money::parse("1", Currency::USD).unwrap(),
        date("2026-09-02"),
        &Owner::new("a"),
        r2.clone(),
    )
    .unwrap();
    u.record(
        "ACME*1",
        Money::parse("2.5", Currency::EUR).unwrap(),
        date("2026-09-30"),
        &owner,
        r2,
    )
    .unwrap();
    let v = serde_json::to_value(&u).unwrap();
    assert_eq!(v["descriptors"], json!(["ACME*1", "ACME*2"]));
    assert_eq!(
        v["totals"],
        json!([{"amount": "12.50", "currency": "EUR"}, {"amount": "1.00", "currency": "USD"}])
    );
    assert_eq!(v["count"], 3);
    assert_eq!(v["first_date"], "2026-09-02");
    assert_eq!(v["last_date"], "2026-10-02");
    assert_eq!(v["owners"][0]["login_id"], "a");
    assert_eq!(v["owners"][1]["login_id"], "b");
    assert_eq!(v["examples"].as_array().unwrap().len(), 2);
    assert_eq!(v["examples"][0]["entry_id"], "E1");
    assert_eq!(serde_json::from_value::<UnmatchedSpend>(v).unwrap(), u);

    let f = Finding::new(
        FindingKind::DuplicateCharge,
        "twice",
        sid("zoom"),
        vec![
            CostId::from_raw("c_b"),
            CostId::from_raw("c_a"),
            CostId::from_raw("c_b"),
        ],
    );
    roundtrip(
        &f,
        json!({"kind": "duplicate_charge", "message": "twice", "service_id": "zoom", "cost_ids": ["c_a", "c_b"]}),
    );
    let alias: Finding = serde_json::from_value(
        json!({"kind": "consolidation_candidate", "message": "m", "service_id": "zoom", "cost_ids": []}),
    )
    .unwrap();
    assert_eq!(alias.kind, FindingKind::MultipleOwners);

    roundtrip(
        &Checkpoint::new(json!({"page": "abc", "n": 3})),
        json!({"page": "abc", "n": 3}),
    );
    roundtrip(
        &Retraction::new(CostId::from_raw("c_1"), "deleted"),
        json!({"cost_id": "c_1", "reason": "deleted"}),
    );

    let mut s = Stats::default();
    s.entries_read = 4;
    s.warn(Warning::new("decode_error", "bad amount").with_record("report R1 entry E9"));
    let v = serde_json::to_value(&s).unwrap();
    assert_eq!(v["entries_read"], 4);
    assert_eq!(v["reports_read"], 0);
    assert_eq!(
        v["warnings"],
        json!([{"code": "decode_error", "message": "bad amount", "record": "report R1 entry E9"}])
    );
    assert_eq!(serde_json::from_value::<Stats>(v).unwrap(), s);
    // missing fields default to 0 (stored documents stay readable when counters are added)
    let old: Stats = serde_json::from_value(json!({"entries_read": 2})).unwrap();
    assert_eq!(old.entries_read, 2);
    assert!(!old.is_partial());
    let mut merged = old.clone();
    merged.merge(&s);
    assert_eq!(merged.entries_read, 6);
    assert_eq!(merged.warnings.len(), 1);
    merged.optional_groups_skipped.push("invoice".into());
    merged.excluded_rule = 3;
    assert!(!merged.is_partial());
    merged.coverage_warnings = 1;
    assert!(merged.is_partial());
}

#[test]
fn fixture_round_trips_exactly() {
    let expected: Value = serde_json::from_str(FIXTURE).unwrap();
    let doc: Document = serde_json::from_str(FIXTURE).unwrap();
    assert_eq!(serde_json::to_value(&doc).unwrap(), expected);
    // and the pretty text is byte-identical (the fixture is in canonical form)
    assert_eq!(
        format!("{}\n", serde_json::to_string_pretty(&doc).unwrap()),
        FIXTURE
    );
    assert_eq!(Document::example_json(), FIXTURE);
    doc.validate().unwrap();
    assert_eq!(doc.schema_version, Document::SCHEMA_VERSION);
    assert_eq!(doc.services.len(), 3);
    assert_eq!(doc.costs.len(), 7);
}

#[test]
fn fixture_ids_are_derived_from_connection_and_record() {
    let doc = Document::example().unwrap();
    for c in &doc.costs {
        let rec = c.source.reference().record_id().unwrap().to_owned();
        assert_eq!(
            c.id,
            CostId::derive(&doc.source.connection_id, c.source.kind, &rec)
        );
        assert!(doc.services.iter().any(|s| s.id == c.service_id));
    }
}

#[test]
fn docs_model_md_embeds_the_fixture() {
    let md = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/model.md"))
        .expect("docs/model.md exists");
    let start = md.find("```json\n").expect("a json block in docs/model.md") + "```json\n".len();
    let end = start + md[start..].find("```").expect("closing fence");
    assert_eq!(
        &md[start..end],
        FIXTURE,
        "docs/model.md json block differs from the fixture"
    );
}

#[test]
fn builder_reproduces_the_example() {
    let doc = Document::example().unwrap();
    let mut b = DocumentBuilder::new(doc.source.clone());
    // apply in reverse order with stale aggregates: the builder sorts and recomputes
    for s in doc.services.iter().rev() {
        let mut s = s.clone();
        s.owners.clear();
        s.first_seen = None;
        b.apply(saas_discovery::DiscoveryEvent::Service(s));
    }
    for c in doc.costs.iter().rev() {
        b.apply(saas_discovery::DiscoveryEvent::Cost(c.clone()));
    }
    for u in &doc.unmatched {
        b.apply(saas_discovery::DiscoveryEvent::Unmatched(u.clone()));
    }
    for f in doc.findings.iter().rev() {
        b.apply(saas_discovery::DiscoveryEvent::Finding(f.clone()));
        b.apply(saas_discovery::DiscoveryEvent::Finding(f.clone()));
    }
    b.apply(saas_discovery::DiscoveryEvent::Stats(doc.stats.clone()));
    let built = b.build(doc.generated_at).unwrap();
    assert_eq!(
        serde_json::to_value(&built).unwrap(),
        serde_json::to_value(&doc).unwrap()
    );

    // retraction removes the cost, refreshes aggregates and drops findings that cite it
    let dup = doc
        .findings
        .iter()
        .find(|f| f.kind == FindingKind::DuplicateCharge)
        .unwrap();
    b.apply(saas_discovery::DiscoveryEvent::Retraction(Retraction::new(
        dup.cost_ids[1].clone(),
        "deleted",
    )));
    let after = b.build(doc.generated_at).unwrap();
    assert_eq!(after.costs.len(), 6);
    assert!(
        after
            .findings
            .iter()
            .all(|f| f.kind != FindingKind::DuplicateCharge)
    );
    let zoom = after
        .services
        .iter()
        .find(|s| s.id.as_str() == "zoom")
        .unwrap();
    assert_eq!(
        zoom.owners[0].spend,
        vec![Money::parse("31.98", Currency::USD).unwrap()]
    );
    assert_eq!(zoom.owners[0].cost_count, 2);

    // a cost for an unknown service is a typed error
    let mut stray = doc.costs[0].clone();
    stray.service_id = sid("unknown");
    stray.id = CostId::from_raw("c_stray");
    b.apply(saas_discovery::DiscoveryEvent::Cost(stray));
    assert!(matches!(
        b.build(doc.generated_at),
        Err(DocumentError::UnknownService { service_id, .. }) if service_id.as_str() == "unknown"
    ));
}

#[test]
fn empty_document_has_every_top_level_field() {
    let b = DocumentBuilder::new(DocumentSource::new("concur", "acme"));
    let at: DateTime<Utc> = "2026-11-29T21:00:00Z".parse().unwrap();
    let v = serde_json::to_value(b.build(at).unwrap()).unwrap();
    for k in [
        "schema_version",
        "source",
        "generated_at",
        "services",
        "costs",
        "unmatched",
        "findings",
        "stats",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
    assert_eq!(v["generated_at"], "2026-11-29T21:00:00Z");
    assert_eq!(v["services"], json!([]));
    assert_eq!(v["source"]["company_id"], Value::Null);
}
