//! Source-agnostic SaaS discovery model: services, costs, money, findings and the
//! [`DiscoverySource`](crate) trait. This crate has no HTTP dependency.

mod ids;

pub use ids::{CostId, InvalidServiceId, ServiceId};
