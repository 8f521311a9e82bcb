//! SaaS catalog and vendor-descriptor matcher: decides whether a charge is software spend and which product it is.
