//! Maps SAP Concur expense reports and invoices to SaaS services and costs (a DiscoverySource for Concur).
