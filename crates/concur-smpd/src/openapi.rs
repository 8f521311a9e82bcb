//! The OpenAPI 3.1 document of the HTTP API, served at `/openapi.json` and checked in as
//! `docs/openapi.json` (a test asserts both are equal; `UPDATE_OPENAPI=1 cargo test -p
//! concur-smpd` rewrites the file). Schemas follow `docs/model.md`.

use serde_json::{Value, json};

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn nullable(t: &str) -> Value {
    json!({"type": [t, "null"]})
}

fn list_of(name: &str) -> Value {
    json!({
        "type": "object",
        "required": ["items"],
        "properties": {"items": {"type": "array", "items": r(name)}}
    })
}

fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn err(description: &str) -> Value {
    ok(description, r("Error"))
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "in": "query", "required": false, "description": description, "schema": schema})
}

fn path_param(name: &str, description: &str) -> Value {
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": {"type": "string"}})
}

fn connection_param() -> Value {
    query(
        "connection",
        "Only this connection id.",
        json!({"type": "string"}),
    )
}

fn v1(summary: &str, params: Vec<Value>, responses: Value) -> Value {
    let mut responses = responses;
    if let Some(o) = responses.as_object_mut() {
        o.insert("401".into(), err("Missing or invalid API key."));
    }
    json!({
        "summary": summary,
        "security": [{"bearer": []}],
        "parameters": params,
        "responses": responses
    })
}

fn schemas() -> Value {
    json!({
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string", "enum": ["unauthorized", "bad_request", "not_found", "conflict", "internal"]},
                "message": {"type": "string"}
            }}}
        },
        "Money": {
            "type": "object",
            "required": ["amount", "currency"],
            "description": "Decimal string at the currency's ISO 4217 minor units, plus the currency code.",
            "properties": {
                "amount": {"type": "string", "examples": ["12.30"]},
                "currency": {"type": "string", "examples": ["EUR"]}
            }
        },
        "Owner": {
            "type": "object",
            "required": ["login_id", "name", "email", "department"],
            "description": "After a purge: login_id is a pseudonym (anon-…), name and email are null.",
            "properties": {
                "login_id": {"type": "string"},
                "name": nullable("string"),
                "email": nullable("string"),
                "department": nullable("string")
            }
        },
        "Confidence": {
            "type": "object",
            "required": ["score", "band"],
            "properties": {
                "score": {"type": "number", "minimum": 0, "maximum": 1},
                "band": {"type": "string", "enum": ["very_likely", "likely", "possible", "unlikely"]}
            }
        },
        "Evidence": {
            "type": "object",
            "required": ["kind", "value"],
            "properties": {
                "kind": {"type": "string"},
                "field": nullable("string"),
                "value": {"type": "string"},
                "detail": nullable("string")
            }
        },
        "SourceRef": {
            "type": "object",
            "required": ["system", "kind"],
            "properties": {
                "system": {"type": "string"},
                "kind": {"type": "string", "enum": ["expense_entry", "itemization", "invoice", "card_transaction"]},
                "report_id": nullable("string"),
                "entry_id": nullable("string"),
                "itemization_id": nullable("string"),
                "invoice_id": nullable("string"),
                "card_transaction_id": nullable("string")
            }
        },
        "CostSource": {
            "allOf": [r("SourceRef"), {"type": "object", "properties": {
                "also_seen_in": {"type": "array", "items": r("SourceRef")}
            }}]
        },
        "ServiceOwner": {
            "type": "object",
            "required": ["owner", "spend", "cost_count"],
            "properties": {
                "owner": r("Owner"),
                "spend": {"type": "array", "items": r("Money")},
                "cost_count": {"type": "integer", "minimum": 0}
            }
        },
        "Service": {
            "type": "object",
            "required": ["connection_id", "id", "name", "confidence", "origin"],
            "description": "A service of one connection; first_seen, last_seen and owners are computed from the stored costs.",
            "properties": {
                "connection_id": {"type": "string"},
                "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$"},
                "name": {"type": "string"},
                "vendor": nullable("string"),
                "category": nullable("string"),
                "domains": {"type": "array", "items": {"type": "string"}},
                "first_seen": {"type": ["string", "null"], "format": "date"},
                "last_seen": {"type": ["string", "null"], "format": "date"},
                "owners": {"type": "array", "items": r("ServiceOwner")},
                "confidence": r("Confidence"),
                "evidence": {"type": "array", "items": r("Evidence")},
                "origin": {"type": "string", "enum": ["catalog", "rule", "other"]}
            }
        },
        "Cost": {
            "type": "object",
            "required": ["connection_id", "id", "service_id", "date", "amount", "owner", "source", "confidence"],
            "properties": {
                "connection_id": {"type": "string"},
                "id": {"type": "string", "pattern": "^c_[0-9a-f]{32}$"},
                "service_id": {"type": "string"},
                "date": {"type": "string", "format": "date"},
                "amount": r("Money"),
                "posted_amount": {"oneOf": [r("Money"), {"type": "null"}]},
                "exchange_rate": nullable("string"),
                "owner": r("Owner"),
                "vendor_descriptor": nullable("string"),
                "description": nullable("string"),
                "source": r("CostSource"),
                "report_status": nullable("string"),
                "payment_type": nullable("string"),
                "confidence": r("Confidence"),
                "evidence": {"type": "array", "items": r("Evidence")}
            }
        },
        "CostPage": {
            "type": "object",
            "required": ["items", "next_cursor"],
            "properties": {
                "items": {"type": "array", "items": r("Cost")},
                "next_cursor": {"type": ["string", "null"], "description": "Pass as `cursor` for the next page; null on the last page."}
            }
        },
        "UnmatchedSpend": {
            "type": "object",
            "required": ["connection_id", "vendor", "descriptors", "totals", "count", "owners", "examples"],
            "properties": {
                "connection_id": {"type": "string"},
                "vendor": {"type": "string"},
                "descriptors": {"type": "array", "items": {"type": "string"}},
                "totals": {"type": "array", "items": r("Money")},
                "count": {"type": "integer", "minimum": 0},
                "first_date": {"type": ["string", "null"], "format": "date"},
                "last_date": {"type": ["string", "null"], "format": "date"},
                "owners": {"type": "array", "items": r("Owner")},
                "examples": {"type": "array", "items": r("SourceRef")}
            }
        },
        "Finding": {
            "type": "object",
            "required": ["connection_id", "kind", "message", "service_id", "cost_ids"],
            "properties": {
                "connection_id": {"type": "string"},
                "kind": {"type": "string", "enum": ["duplicate_charge", "multiple_owners", "spend_spike", "other"]},
                "message": {"type": "string"},
                "service_id": {"type": "string"},
                "cost_ids": {"type": "array", "items": {"type": "string"}}
            }
        },
        "Warning": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "record": nullable("string")
            }
        },
        "Stats": {
            "type": "object",
            "description": "Run counters (all u64; missing ones read as 0) plus optional_groups_skipped and warnings.",
            "additionalProperties": {"type": "integer", "minimum": 0},
            "properties": {
                "costs_emitted": {"type": "integer", "minimum": 0},
                "api_calls": {"type": "integer", "minimum": 0},
                "retries": {"type": "integer", "minimum": 0},
                "decode_errors": {"type": "integer", "minimum": 0},
                "fetch_errors": {"type": "integer", "minimum": 0},
                "coverage_warnings": {"type": "integer", "minimum": 0},
                "optional_groups_skipped": {"type": "array", "items": {"type": "string"}},
                "warnings": {"type": "array", "items": r("Warning")}
            }
        },
        "SyncRun": {
            "type": "object",
            "required": ["id", "connection_id", "replica", "trigger", "status", "events", "batches", "costs_upserted", "retractions"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "connection_id": {"type": "string"},
                "replica": {"type": "string"},
                "trigger": {"type": "string", "enum": ["schedule", "manual"]},
                "started_at": {"type": ["string", "null"], "format": "date-time"},
                "finished_at": {"type": ["string", "null"], "format": "date-time"},
                "status": {"type": "string", "enum": ["running", "complete", "partial", "cancelled", "failed", "lease_lost", "abandoned"]},
                "error": nullable("string"),
                "events": {"type": "integer"},
                "batches": {"type": "integer"},
                "costs_upserted": {"type": "integer"},
                "retractions": {"type": "integer"},
                "stats": {"oneOf": [r("Stats"), {"type": "null"}]}
            }
        },
        "Connection": {
            "type": "object",
            "required": ["id", "system", "enabled", "running", "consecutive_failures"],
            "description": "A configured connection's sync state. Never contains tokens or credentials.",
            "properties": {
                "id": {"type": "string"},
                "system": {"type": "string"},
                "enabled": {"type": "boolean"},
                "running": {"type": "boolean", "description": "Syncing on the replica that answered."},
                "sync_interval_seconds": {"type": "integer"},
                "checkpoint_at": {"type": ["string", "null"], "format": "date-time"},
                "next_due_at": {"type": ["string", "null"], "format": "date-time"},
                "consecutive_failures": {"type": "integer"},
                "lease_owner": nullable("string"),
                "lease_expires_at": {"type": ["string", "null"], "format": "date-time"},
                "last_run_id": nullable("string"),
                "last_status": nullable("string"),
                "last_error": nullable("string"),
                "last_success_at": {"type": ["string", "null"], "format": "date-time"},
                "permissions": {"description": "Last permission probe result (object), or null."}
            }
        },
        "SyncQueued": {
            "type": "object",
            "required": ["connection_id", "status", "running"],
            "properties": {
                "connection_id": {"type": "string"},
                "status": {"type": "string", "enum": ["queued"]},
                "running": {"type": "boolean", "description": "A sync is already running here; another one follows it."}
            }
        },
        "PurgeResult": {
            "type": "object",
            "required": ["pseudonym", "costs_updated", "unmatched_updated", "owners_deleted"],
            "properties": {
                "pseudonym": {"type": "string", "pattern": "^anon-[0-9a-f]{16}$"},
                "costs_updated": {"type": "integer"},
                "unmatched_updated": {"type": "integer"},
                "owners_deleted": {"type": "integer"}
            }
        },
        "Readiness": {
            "type": "object",
            "required": ["ready", "store", "connections"],
            "properties": {
                "ready": {"type": "boolean"},
                "store": {"type": "object", "properties": {
                    "ok": {"type": "boolean"},
                    "backend": {"type": "string", "enum": ["sqlite", "postgres"]},
                    "error": nullable("string")
                }},
                "connections": {"type": "array", "items": {"type": "object"}}
            }
        }
    })
}

/// The OpenAPI document.
pub fn document() -> Value {
    let date = json!({"type": "string", "format": "date"});
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "concur-smpd",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "SaaS services and costs discovered in SAP Concur, for a SaaS Management Platform. Bodies follow docs/model.md; see docs/service.md."
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "One of the configured api_keys."}},
            "schemas": schemas()
        },
        "paths": {
            "/healthz": {"get": {"summary": "Liveness (no key).", "responses": {"200": ok("The process runs.", json!({"type": "object"}))}}},
            "/readyz": {"get": {"summary": "Readiness (no key): store reachable, last sync state and permission probe per connection.", "responses": {
                "200": ok("Ready.", r("Readiness")),
                "503": ok("Not ready (store unreachable or a connection lacks a required permission).", r("Readiness"))
            }}},
            "/metrics": {"get": {"summary": "Prometheus metrics (no key).", "responses": {"200": {"description": "Text exposition format 0.0.4.", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
            "/openapi.json": {"get": {"summary": "This document (no key).", "responses": {"200": ok("OpenAPI 3.1.", json!({"type": "object"}))}}},
            "/v1/connections": {"get": v1("Configured connections and their sync state.", vec![], json!({"200": ok("Connections by id.", list_of("Connection"))}))},
            "/v1/connections/{id}/sync": {"post": v1("Queue a sync of the connection now.", vec![path_param("id", "Connection id.")], json!({
                "202": ok("Queued.", r("SyncQueued")),
                "404": err("Unknown connection."),
                "409": err("The connection is disabled.")
            }))},
            "/v1/services": {"get": v1("Discovered services, by id.", vec![connection_param()], json!({"200": ok("Services.", list_of("Service"))}))},
            "/v1/services/{id}": {"get": v1("One service.", vec![path_param("id", "Service id (slug)."), connection_param()], json!({
                "200": ok("The service.", r("Service")),
                "400": err("The service exists in several connections: add `connection`."),
                "404": err("Unknown service.")
            }))},
            "/v1/costs": {"get": v1("Costs ordered by date then id, with keyset paging.", vec![
                connection_param(),
                query("service", "Only this service id.", json!({"type": "string"})),
                query("owner", "Only this owner login id (or pseudonym).", json!({"type": "string"})),
                query("from", "Transaction date on or after (YYYY-MM-DD).", date.clone()),
                query("to", "Transaction date on or before (YYYY-MM-DD).", date),
                query("cursor", "`next_cursor` of the previous page.", json!({"type": "string"})),
                query("limit", "Page size, 1 to 1000 (default 100).", json!({"type": "integer", "minimum": 1, "maximum": 1000}))
            ], json!({
                "200": ok("One page.", r("CostPage")),
                "400": err("Bad filter, limit or cursor.")
            }))},
            "/v1/unmatched": {"get": v1("Software-like spend that matched no service.", vec![connection_param()], json!({"200": ok("Unmatched spend by vendor.", list_of("UnmatchedSpend"))}))},
            "/v1/findings": {"get": v1("Findings for review (only those whose costs all still exist).", vec![connection_param()], json!({"200": ok("Findings.", list_of("Finding"))}))},
            "/v1/sync-runs": {"get": v1("Sync runs with their statistics, newest first.", vec![
                connection_param(),
                query("limit", "1 to 1000 (default 50).", json!({"type": "integer", "minimum": 1, "maximum": 1000}))
            ], json!({
                "200": ok("Runs.", list_of("SyncRun")),
                "400": err("Bad limit.")
            }))},
            "/v1/owners/{login_id}/purge": {"post": v1("Purge an owner's personal data (name, e-mail): costs stay, attributed to a pseudonymous id; later syncs pseudonymise the same person.", vec![path_param("login_id", "The owner's login id as stored.")], json!({
                "200": ok("Purged.", r("PurgeResult")),
                "400": err("Empty owner id.")
            }))}
        }
    })
}
