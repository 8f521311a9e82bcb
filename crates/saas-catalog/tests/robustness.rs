//! Bad input never panics: empty, whitespace-only, 10 kB, control characters, lossily
//! decoded bytes, arbitrary Unicode.

use proptest::prelude::*;
use saas_catalog::{Catalog, Input, Matcher, Rules};
use std::sync::OnceLock;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let cat = Catalog::from_toml_str(include_str!("fixtures/catalog.toml")).unwrap();
        Matcher::new(cat, Rules::empty()).unwrap()
    })
}

fn check(d: &str, t: Option<&str>, s: Option<&str>) {
    let c = matcher().classify(&Input {
        descriptor: d,
        expense_type: t,
        description: s,
    });
    assert!((0.0..=1.0).contains(&c.confidence));
    if c.service.is_some() {
        assert!(c.is_software);
    }
}

#[test]
fn edge_cases() {
    check("", None, None);
    check("   \t\r\n ", Some(" "), Some(""));
    check(
        &"ZOOM ".repeat(2_000),
        Some(&"x".repeat(10_000)),
        Some(&"é".repeat(5_000)),
    );
    check("\u{0}\u{1}\u{7f}ZOOM\u{1b}[0m", None, None);
    check(
        &String::from_utf8_lossy(&[0xff, 0xfe, b'Z', b'O', b'O', b'M', 0xc3]),
        None,
        None,
    );
    check("*", None, None);
    check("SQ *", None, None);
    check("https://", None, None);
    check("....", None, None);
    check("\u{202e}ȥőőm\u{fe0f}", None, None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]
    #[test]
    fn never_panics(d in any::<String>(), t in proptest::option::of(any::<String>()), s in proptest::option::of(any::<String>())) {
        check(&d, t.as_deref(), s.as_deref());
    }

    #[test]
    fn never_panics_on_statement_like_text(d in "[A-Z0-9 *#./:-]{0,40}", t in "[A-Za-z &]{0,20}") {
        check(&d, Some(&t), None);
    }

    #[test]
    fn never_panics_on_lossy_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        check(&String::from_utf8_lossy(&bytes), None, None);
    }
}
