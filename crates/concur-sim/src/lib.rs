//! Local SAP Concur API simulator with a deterministic synthetic company, for demos, tests and benchmarks.
