//! End-to-end runs against the simulator's `tiny` tenant.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiny_end_to_end_explore() {
    let sim = start_tiny().await;
    let src = source(&sim, "tiny", config("sim-tiny"));
    let (sink, out) = run(&src, None).await;
    let doc = sink.document(fixed_time()).unwrap();
    eprintln!("status {:?}", out.status);
    eprintln!("{}", serde_json::to_string_pretty(&doc.stats).unwrap());
    eprintln!("{}", serde_json::to_string_pretty(&summary(&doc)).unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tiny_precision_and_recall() {
    let sim = start_tiny().await;
    let src = source(&sim, "tiny", config("sim-tiny"));
    let doc = run_doc(&src).await;
    let a = accuracy(&sim, "tiny", &doc);
    eprintln!(
        "precision {:.3} recall {:.3} (expected {}, predicted {}, correct {})\nwrong: {:#?}\nmissed: {:#?}",
        a.precision, a.recall, a.expected, a.predicted, a.correct, a.wrong, a.missed
    );
    assert!(a.precision >= 0.97, "precision {}", a.precision);
    assert!(a.recall >= 0.93, "recall {}", a.recall);
}

#[tokio::test]
#[ignore]
async fn probe_lines() {
    let sim = start_tiny().await;
    let data = sim.data("tiny").unwrap();
    let want = [
        "gWe4569827C00BA$00",
        "gWe4569827C00A4$07",
        "gWe4569827C00B1$03",
        "gWe4569827C00B8$00",
        "gWe4569827C00BA$04",
        "gWe4569827C00B3$03",
    ];
    for i in 0..data.report_count() {
        let b = data.report(i).unwrap();
        for e in &b.entries {
            if want.contains(&e.entry.id.as_str()) {
                eprintln!(
                    "{} status={} vendor={:?} type={} desc={:?} amt={} personal={} truth={:?}",
                    e.entry.id,
                    b.report.approval_status_code,
                    e.entry.vendor_description,
                    e.entry.expense_type_name,
                    e.entry.description,
                    e.entry.transaction_amount,
                    e.entry.is_personal,
                    e.truth
                );
                for (it, t) in e.itemizations.iter().zip(&e.itemization_truth) {
                    eprintln!(
                        "   it {} type={} desc={:?} amt={} truth={:?}",
                        it.id, it.expense_type_name, it.description, it.transaction_amount, t
                    );
                }
            }
        }
    }
}

#[tokio::test]
#[ignore]
async fn probe_invoices() {
    let sim = start_tiny().await;
    let data = sim.data("tiny").unwrap();
    for r in concur_sim::ground_truth(data).filter(|r| r.kind == "invoice") {
        eprintln!(
            "INV {} {:?} {} {} {}",
            r.id, r.product_id, r.vendor, r.amount, r.scenario
        );
    }
    let m = matcher();
    for d in ["Stripe, Inc.", "STRIPE", "GUSTO", "CISCO*DUO SECURITY"] {
        let c = m.classify(&saas_catalog::Input {
            descriptor: d,
            expense_type: Some("SOFTW"),
            description: Some("Subscription 12 month(s), 5 seats"),
        });
        eprintln!(
            "CLS {d}: {:?} {:?} {} {:?} {:?} {:?}",
            c.is_software, c.service, c.confidence, c.not_identifiable, c.processor, c.evidence
        );
    }
}
