//! Integration tests for concur-client (one binary to keep link time down).

mod util;

mod auth;
mod exact_amounts;
mod expense;
mod fixtures;
mod paging;
mod secrets;
mod transport;

// issue 6: Invoice, Imaging, Lists, Users, Expense v4, permission probe
mod expense_v4;
mod family_mock;
mod fixtures_families;
mod imaging;
mod invoice;
mod lists;
mod probe;
mod sim_families;
mod users;
