//! End-to-end tests of the issue-6 families against the simulator's `tiny` company
//! (`concur_sim`, in-process on 127.0.0.1; password grant, real token flow).

use std::collections::HashMap;
use std::time::Duration;

use concur_client::models::expense::Report;
use concur_client::models::expense_v4::ContextType;
use concur_client::models::imaging::ImageKind;
use concur_client::models::invoice::PaymentRequestDigest;
use concur_client::models::list::{NewList, NewListItem, UpdateListItem};
use concur_client::models::user::{IdentityUser, UserV3};
use concur_client::probe::{ApiGroup, ProbeOutcome};
use concur_client::secret::ExposeSecret;
use concur_client::{Client, Credentials, Error, Grant, RetryConfig};
use concur_sim::{SimConfig, SimServer, Size, TenantConfig};
use futures::TryStreamExt;

async fn start(tenant: TenantConfig) -> SimServer {
    SimServer::start(SimConfig::new().tenant(tenant))
        .await
        .unwrap()
}

fn sim_client(sim: &SimServer, tenant: &str) -> Client {
    let c = sim.credentials(tenant).unwrap();
    Client::builder()
        .base_url(&c.base_url)
        .credentials(Credentials::new(
            c.client_id.clone(),
            c.client_secret.expose_secret().to_owned(),
        ))
        .grant(Grant::password(
            c.username.clone(),
            c.password.expose_secret().to_owned(),
        ))
        .retry(
            RetryConfig::default()
                .with_min_delay(Duration::from_millis(1))
                .with_max_delay(Duration::from_millis(20))
                .with_jitter(false),
        )
        .build()
        .unwrap()
}

#[tokio::test]
async fn users_agree_across_v3_v4_and_v41() {
    let sim = start(TenantConfig::generated("tiny", Size::Tiny)).await;
    let c = sim_client(&sim, "tiny");
    let v3: Vec<UserV3> = c
        .users()
        .list_v3()
        .limit(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let v4: Vec<IdentityUser> = c
        .users()
        .list()
        .count(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let v41: Vec<IdentityUser> = c
        .users()
        .list_v4_1()
        .count(7)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(
        v3.len() > 7,
        "tiny has several pages of users ({})",
        v3.len()
    );
    assert_eq!(v3.len(), v4.len());
    assert_eq!(v4.len(), v41.len());
    let by_login: HashMap<String, _> = v4
        .iter()
        .map(|u| (u.summary().login_id.unwrap().to_lowercase(), u.summary()))
        .collect();
    for u in &v3 {
        let s = u.summary();
        let login = s.login_id.clone().unwrap().to_lowercase();
        assert_eq!(
            s.email.as_deref().map(str::to_lowercase),
            Some(login.clone())
        );
        let scim = &by_login[&login];
        assert_eq!(scim.employee_number, s.employee_number, "{login}");
        assert_eq!(scim.display_name, s.display_name, "{login}");
    }
    let one = c.users().get(&v4[3].id).await.unwrap();
    assert_eq!(one.summary(), v4[3].summary());
}

#[tokio::test]
async fn invoices_digests_and_payment_requests() {
    let sim = start(TenantConfig::generated("tiny", Size::Tiny)).await;
    let c = sim_client(&sim, "tiny");
    let digests: Vec<PaymentRequestDigest> = c
        .invoice()
        .payment_request_digests()
        .limit(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(!digests.is_empty());
    let d = digests.iter().find(|d| d.is_deleted != Some(true)).unwrap();
    let id = d.payment_request_id.clone().unwrap_or_else(|| d.id.clone());
    let pr = c.invoice().payment_request(&id).await.unwrap();
    assert_eq!(pr.id, id);
    assert_eq!(pr.currency_code, d.currency_code);
    if let (Some(a), Some(t)) = (pr.invoice_amount, d.total) {
        assert_eq!(a, t, "digest total and invoice amount agree");
    }
    let vendors = c.invoice().vendors().limit(50).send().await.unwrap();
    assert!(vendors.items.iter().all(|v| v.vendor_name.is_some()));
    // the invoice image exists and downloads as a PDF
    let pdf = c
        .imaging()
        .download(ImageKind::Invoice, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(pdf.extension(), "pdf");
}

#[tokio::test]
async fn expense_v4_matches_v3_and_report_images_expire() {
    let sim = start(TenantConfig::generated("tiny", Size::Tiny)).await;
    let c = sim_client(&sim, "tiny");
    let reports: Vec<Report> = c
        .expense()
        .reports()
        .list()
        .user_all()
        .stream()
        .try_collect()
        .await
        .unwrap();
    let users: Vec<UserV3> = c.users().list_v3().stream().try_collect().await.unwrap();
    let uuid_of: HashMap<String, String> = users
        .iter()
        .map(|u| (u.login_id.clone().unwrap().to_lowercase(), u.id.clone()))
        .collect();
    let r = reports.iter().find(|r| r.total.is_some()).unwrap();
    let owner = uuid_of[&r.owner_login_id.clone().unwrap().to_lowercase()].clone();
    let v4 = c
        .expense_v4()
        .report(&owner, ContextType::Traveler, &r.id)
        .send()
        .await
        .unwrap();
    assert_eq!(v4.report_id, r.id);
    let total = v4
        .report_total
        .clone()
        .or(v4.claimed_amount.clone())
        .unwrap();
    assert_eq!(Some(total.value), r.total);
    assert_eq!(Some(total.currency_code.clone()), r.currency_code);
    let expenses = c
        .expense_v4()
        .expenses(&owner, ContextType::Traveler, &r.id)
        .send()
        .await
        .unwrap();
    assert!(!expenses.is_empty());

    // a report image URL dies after 15 minutes; download() asks for a fresh one
    let url = c
        .imaging()
        .image_url(ImageKind::Report, &r.id)
        .await
        .unwrap()
        .unwrap()
        .url
        .unwrap();
    sim.advance_time(Duration::from_secs(16 * 60));
    let err = c.imaging().download_url(&url).await.unwrap_err();
    assert!(matches!(err, Error::Permission { .. }), "{err:?}");
    let pdf = c
        .imaging()
        .download(ImageKind::Report, &r.id)
        .await
        .unwrap()
        .unwrap();
    assert!(pdf.bytes.starts_with(b"%PDF"));
}

#[tokio::test]
async fn list_v4_round_trip() {
    let sim = start(TenantConfig::generated("tiny", Size::Tiny)).await;
    let c = sim_client(&sim, "tiny");
    let l = c.lists();
    let list = l
        .create_list(&NewList::new("Issue Six Vendors"))
        .await
        .unwrap();
    let got = l.get_list(&list.id).await.unwrap();
    assert_eq!(got.value, "Issue Six Vendors");
    let parent = l
        .create_item(&NewListItem::new(&list.id, "COLLAB", "Collaboration"))
        .await
        .unwrap();
    let child = l
        .create_item(&NewListItem::new(&list.id, "CHAT", "Team Chat").parent_id(&parent.id))
        .await
        .unwrap();
    assert_eq!(child.parent_id.as_deref(), Some(parent.id.as_str()));
    let kids = l.item_children(&parent.id).send().await.unwrap();
    assert_eq!(kids.items.len(), 1);
    let renamed = l
        .update_item(
            &child.id,
            &UpdateListItem::new("CHAT", "Team Chat and Video"),
        )
        .await
        .unwrap();
    assert_eq!(renamed.value.as_deref(), Some("Team Chat and Video"));
    let first: Vec<_> = l
        .list_children(&list.id)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 1);
    l.delete_item(&child.id).await.unwrap();
    l.delete_list(&list.id).await.unwrap();
    let all: Vec<_> = l.lists().stream().try_collect().await.unwrap();
    assert!(all.iter().all(|x| x.id != list.id || x.is_deleted));
}

#[tokio::test]
async fn probe_reports_a_disabled_group() {
    let groups = [
        concur_sim::ApiGroup::ExpenseReport,
        concur_sim::ApiGroup::Imaging,
        concur_sim::ApiGroup::ListItems,
        concur_sim::ApiGroup::Users,
    ];
    let sim = start(TenantConfig::generated("tiny", Size::Tiny).groups(&groups)).await;
    let report = sim_client(&sim, "tiny").probe_permissions().await;
    for g in [
        ApiGroup::ExpenseReport,
        ApiGroup::ListItems,
        ApiGroup::Users,
    ] {
        let r = report.get(g).unwrap();
        assert!(r.is_granted(), "{g}: {:?}", r.outcome);
    }
    let inv = report.get(ApiGroup::Invoice).unwrap();
    assert!(
        matches!(
            inv.outcome,
            ProbeOutcome::Missing { .. } | ProbeOutcome::Unavailable { .. }
        ),
        "{:?}",
        inv.outcome
    );
    assert!(!report.all_granted());
}
