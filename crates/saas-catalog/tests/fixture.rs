//! Behaviour on a small fixture catalog (tests/fixtures/catalog.toml): loading, validation
//! errors, user rules, near misses and vendor families.

use saas_catalog::{
    Catalog, CatalogError, CatalogIssue, Category, EvidenceKind, Input, Matcher, NotIdentifiable,
    Rules, ServiceId,
};

const FIXTURE: &str = include_str!("fixtures/catalog.toml");

fn matcher(rules: &str) -> Matcher {
    let catalog = Catalog::from_toml_str(FIXTURE).unwrap();
    Matcher::new(catalog, Rules::from_toml_str(rules).unwrap()).unwrap()
}

fn classify(m: &Matcher, d: &str, ty: Option<&str>, desc: Option<&str>) -> (Option<String>, bool) {
    let c = m.classify(&Input {
        descriptor: d,
        expense_type: ty,
        description: desc,
    });
    (c.service.map(|s| s.as_str().to_string()), c.is_software)
}

fn svc(m: &Matcher, d: &str, ty: Option<&str>) -> Option<String> {
    classify(m, d, ty, None).0
}

#[test]
fn loads_and_looks_up() {
    let cat = Catalog::from_toml_str(FIXTURE).unwrap();
    assert_eq!(cat.products().len(), 14);
    let zoom = cat.product(&ServiceId::new("zoom").unwrap()).unwrap();
    assert_eq!(zoom.category, Category::VideoConferencing);
    assert!(zoom.ambiguous);
    let m365 = cat.product_str("microsoft-365").unwrap();
    assert_eq!(
        m365.parent.as_ref().map(ServiceId::as_str),
        Some("microsoft")
    );
    assert!(cat.product_str("microsoft").unwrap().umbrella);
    assert_eq!(cat.vendors().len(), 3);
}

#[test]
fn validation_errors_name_file_and_entry() {
    let bad = r#"
[[product]]
id = "Bad_Id"
name = "x"
category = "crm"
aliases = ["x"]

[[product]]
id = "ok"
name = "ok"
category = "not_a_category"
aliases = ["ok"]

[[product]]
id = "dup"
name = "dup"
category = "crm"
aliases = ["dup"]
parent = "nowhere"

[[product]]
id = "dup"
name = "dup again"
category = "crm"
aliases = ["dup2"]

[[vendor]]
id = "ghost"
name = "Ghost"
"#;
    let err = Catalog::from_toml_str(bad).unwrap_err();
    let CatalogError::Invalid { issues } = &err else {
        panic!("{err}")
    };
    assert!(issues.contains(&CatalogIssue::InvalidId {
        file: "inline.toml".into(),
        kind: "product",
        id: "Bad_Id".into()
    }));
    assert!(issues.iter().any(|i| matches!(i, CatalogIssue::UnknownCategory { id, category, .. } if id == "ok" && category == "not_a_category")));
    assert!(
        issues
            .iter()
            .any(|i| matches!(i, CatalogIssue::DuplicateId { id, .. } if id == "dup"))
    );
    assert!(
        issues.iter().any(
            |i| matches!(i, CatalogIssue::UnknownParent { parent, .. } if parent == "nowhere")
        )
    );
    assert!(
        issues
            .iter()
            .any(|i| matches!(i, CatalogIssue::VendorWithoutProduct { id, .. } if id == "ghost"))
    );
    let msg = err.to_string();
    assert!(
        msg.contains("inline.toml") && msg.contains("Bad_Id"),
        "{msg}"
    );
}

#[test]
fn parse_error_and_unknown_field_are_reported_with_file() {
    let err = Catalog::from_toml_str(
        "[[product]]\nid = \"a\"\nname = \"A\"\ncategory = \"crm\"\nalias = [\"typo\"]\n",
    )
    .unwrap_err();
    assert!(err.to_string().contains("inline.toml"), "{err}");
    assert!(err.to_string().contains("alias"), "{err}");
}

#[test]
fn from_dir_requires_core_ids() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let err = Catalog::from_dir(dir).unwrap_err();
    let CatalogError::Invalid { issues } = err else {
        panic!()
    };
    assert!(
        issues
            .iter()
            .any(|i| matches!(i, CatalogIssue::MissingCoreId { id } if id == "slack"))
    );
    assert!(matches!(
        Catalog::from_dir("/nonexistent/dir"),
        Err(CatalogError::Io { .. })
    ));
}

#[test]
fn leftmost_longest_dropbox_is_not_box() {
    let m = matcher("");
    assert_eq!(
        svc(&m, "DROPBOX*ABC123XYZ", Some("Software")).as_deref(),
        Some("dropbox")
    );
    assert_eq!(svc(&m, "BOX.COM", None).as_deref(), Some("box"));
    // ambiguous alias alone needs corroboration
    assert_eq!(svc(&m, "BOX", None), None);
    assert_eq!(svc(&m, "BOX", Some("Software")).as_deref(), Some("box"));
    assert_eq!(svc(&m, "BOX OFFICE TICKETS", Some("Software")), None);
}

#[test]
fn namesakes_and_excludes() {
    let m = matcher("");
    assert_eq!(
        classify(&m, "ZOOM CAR WASH", Some("Software"), None),
        (None, false)
    );
    assert_eq!(classify(&m, "ZOOMCAR INDIA", None, None), (None, false));
    assert_eq!(
        classify(&m, "SQ *ZOOM COFFEE BAR", None, None),
        (None, false)
    );
    assert_eq!(
        svc(&m, "ZOOM.US 888-799-9666 CA", None).as_deref(),
        Some("zoom")
    );
    assert_eq!(
        svc(&m, "Zoom Video Communications, Inc.", None).as_deref(),
        Some("zoom")
    );
}

#[test]
fn vendor_family_products_umbrella_and_non_software() {
    let m = matcher("");
    assert_eq!(
        svc(&m, "MSFT *AZURE", None).as_deref(),
        Some("microsoft-azure")
    );
    assert_eq!(
        svc(&m, "MICROSOFT*MICROSOFT 365 P", None).as_deref(),
        Some("microsoft-365")
    );
    assert_eq!(
        svc(&m, "MSFT * E0400ABCDE", None).as_deref(),
        Some("microsoft")
    );
    assert_eq!(
        svc(&m, "MICROSOFT IRELAND OPERATIONS LTD", None).as_deref(),
        Some("microsoft")
    );
    assert_eq!(
        classify(&m, "MICROSOFT STORE", Some("Software"), None),
        (None, false)
    );
    assert_eq!(
        classify(&m, "MICROSOFT*XBOX GAME PASS", None, None),
        (None, false)
    );
    assert_eq!(svc(&m, "ATLASSIAN*JIRA", None).as_deref(), Some("jira"));
    assert_eq!(
        svc(&m, "ATLASSIAN PTY LTD SYDNEY", None).as_deref(),
        Some("atlassian")
    );
    assert_eq!(
        svc(&m, "GOOGLE *GSUITE_EXAMPLE.COM", None).as_deref(),
        Some("google-workspace")
    );
    assert_eq!(
        classify(&m, "GOOGLE *YOUTUBEPREMIUM", Some("Subscriptions"), None),
        (None, false)
    );
    assert_eq!(
        classify(&m, "GOOGLE *ADS1234567", Some("Software"), None),
        (None, false)
    );
}

#[test]
fn truncation_and_squashed_names() {
    let m = matcher("");
    assert_eq!(
        svc(&m, "ZOOM VIDEO COMMUNICATI", None).as_deref(),
        Some("zoom")
    );
    assert_eq!(
        svc(&m, "PAYPAL *ZOOMVIDEOCO", None).as_deref(),
        Some("zoom")
    );
    assert_eq!(svc(&m, "PAYPAL *FIGMAINC", None).as_deref(), Some("figma"));
}

#[test]
fn fuzzy_typos_in_typed_text() {
    let m = matcher("");
    assert_eq!(
        svc(&m, "figmaa subscription", None).as_deref(),
        Some("figma")
    );
    assert_eq!(svc(&m, "zooom", Some("Software")).as_deref(), Some("zoom"));
    assert_eq!(
        svc(&m, "atlasian jira", Some("Software")).as_deref(),
        Some("jira")
    );
    assert_eq!(
        svc(&m, "microsfot 365 license", Some("Software")).as_deref(),
        Some("microsoft-365")
    );
    // no software signal: no fuzzy guess on a short word
    assert_eq!(svc(&m, "zooom", Some("Meals")), None);
}

#[test]
fn processors_and_not_identifiable() {
    let m = matcher("");
    let c = m.classify(&Input {
        descriptor: "PAYPAL *",
        expense_type: Some("Software"),
        description: None,
    });
    assert_eq!(
        c.not_identifiable,
        Some(NotIdentifiable::PaymentProcessorOnly)
    );
    assert!(!c.is_software && c.service.is_none());
    assert_eq!(c.processor, Some("PayPal"));
    let c = m.classify(&Input {
        descriptor: "AMZN Mktp US*2K4LZ0AB1",
        expense_type: None,
        description: None,
    });
    assert_eq!(c.not_identifiable, Some(NotIdentifiable::MarketplaceOnly));
    let c = m.classify(&Input {
        descriptor: "APPLE.COM/BILL 866-712-7753 CA",
        expense_type: None,
        description: None,
    });
    assert_eq!(c.not_identifiable, Some(NotIdentifiable::AppStoreOnly));
    // the seller behind a processor is matched
    assert_eq!(svc(&m, "FS *SETAPP", None).as_deref(), Some("setapp"));
    // the description names the product when the descriptor names no seller
    let (s, sw) = classify(&m, "PAYPAL *", Some("Software"), Some("Figma annual plan"));
    assert_eq!((s.as_deref(), sw), (Some("figma"), true));
    // unknown software-looking spend is unmatched, not guessed
    let c = m.classify(&Input {
        descriptor: "ACME ANALYTICS CLOUD LLC",
        expense_type: Some("Software"),
        description: Some("annual subscription"),
    });
    assert!(c.is_software);
    assert_eq!(c.service, None);
    assert_eq!(c.vendor_name, "acme analytics cloud");
    // a shop paid through Square is not software
    assert_eq!(
        classify(&m, "SQ *BLUE BOTTLE COFFEE", Some("Software"), None),
        (None, false)
    );
    assert_eq!(
        classify(&m, "UBER *TRIP", Some("Software"), None),
        (None, false)
    );
}

#[test]
fn user_rules_priorities_ignore_and_custom_entries() {
    let rules = r#"
[[rule]]
id = "box-is-box"
priority = 10
pattern = "box"
service = "box"

[[rule]]
id = "ignore-box-office"
priority = 20
pattern = "box office"
action = "ignore"

[[rule]]
id = "acme"
pattern = "acme internal tools"
service = "acme-tools"

[[product]]
id = "acme-tools"
name = "Acme Tools"
category = "developer_tools"
aliases = ["acmetools"]
"#;
    let m = matcher(rules);
    // "box" rule does not catch "dropbox" (whole words)
    assert_eq!(svc(&m, "DROPBOX", None).as_deref(), Some("dropbox"));
    let c = m.classify(&Input {
        descriptor: "BOX",
        expense_type: None,
        description: None,
    });
    assert_eq!(c.service.as_ref().map(ServiceId::as_str), Some("box"));
    assert_eq!(c.evidence[0].kind, EvidenceKind::Rule);
    assert_eq!(&*c.evidence[0].text, "box-is-box");
    // higher-priority ignore vetoes the lower match rule
    let c = m.classify(&Input {
        descriptor: "BOX OFFICE",
        expense_type: Some("Software"),
        description: None,
    });
    assert!(!c.is_software && c.service.is_none());
    assert_eq!(c.evidence[0].kind, EvidenceKind::IgnoreRule);
    assert_eq!(
        svc(&m, "ACME INTERNAL TOOLS LLC", None).as_deref(),
        Some("acme-tools")
    );
    assert_eq!(svc(&m, "ACMETOOLS", None).as_deref(), Some("acme-tools"));
}

#[test]
fn rule_errors() {
    assert!(Rules::from_toml_str("[[rule]]\npattern = \"x\"\n").is_err());
    assert!(
        Rules::from_toml_str(
            "[[rule]]\npattern = \"x\"\naction = \"ignore\"\nservice = \"zoom\"\n"
        )
        .is_err()
    );
    assert!(Rules::from_toml_str("[[rule]]\npattern = \" \"\nservice = \"zoom\"\n").is_err());
    let r = Rules::from_toml_str("[[rule]]\npattern = \"x\"\nservice = \"nope\"\n").unwrap();
    let cat = Catalog::from_toml_str(FIXTURE).unwrap();
    assert!(matches!(
        Matcher::new(cat, r),
        Err(saas_catalog::MatcherError::UnknownService { .. })
    ));
}

#[test]
fn matcher_is_shareable_across_threads() {
    let m = std::sync::Arc::new(matcher(""));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            std::thread::spawn(move || svc(&m, "FIGMA.COM", None))
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().as_deref(), Some("figma"));
    }
}

#[test]
fn example_rules_file_loads_and_works() {
    let rules = Rules::from_toml_str(include_str!("fixtures/rules.example.toml")).unwrap();
    assert_eq!(rules.rules().len(), 4);
    assert_eq!(rules.rules()[0].id, "ignore-box-office");
    assert_eq!(rules.custom_product_count(), 1);
    let cat = Catalog::from_toml_str(FIXTURE).unwrap();
    let m = Matcher::new(cat, rules).unwrap();
    assert_eq!(
        svc(&m, "ACME INTERNAL TOOLS", Some("Software")).as_deref(),
        Some("acme-tools")
    );
    assert_eq!(svc(&m, "ACME INTERNAL TOOLS", Some("Meals")), None);
    let (s, _) = classify(&m, "PAYPAL *XYZ", None, Some("10 figma seats"));
    assert_eq!(s.as_deref(), Some("figma"));
}
