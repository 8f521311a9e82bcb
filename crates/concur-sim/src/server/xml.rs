//! A small JSON-to-XML renderer for the v3 families' XML form (Concur answers XML when the
//! request has no `Accept: application/json`).

use std::fmt::Write as _;

use serde_json::Value;

/// Escape text for XML content or attributes.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

fn write_value(out: &mut String, name: &str, v: &Value, item: &str) {
    match v {
        Value::Null => {
            let _ = write!(out, "<{name} i:nil=\"true\" />");
        }
        Value::Bool(b) => {
            let _ = write!(out, "<{name}>{b}</{name}>");
        }
        Value::Number(n) => {
            let _ = write!(out, "<{name}>{n}</{name}>");
        }
        Value::String(s) => {
            let _ = write!(out, "<{name}>{}</{name}>", escape(s));
        }
        Value::Array(a) => {
            let _ = write!(out, "<{name}>");
            for x in a {
                write_value(out, item, x, item);
            }
            let _ = write!(out, "</{name}>");
        }
        Value::Object(m) => {
            let _ = write!(out, "<{name}>");
            for (k, x) in m {
                write_value(out, k, x, item);
            }
            let _ = write!(out, "</{name}>");
        }
    }
}

/// Render `value` as an XML document with root element `root`; array elements are named `item`.
pub(crate) fn to_xml(root: &str, item: &str, value: &Value) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    match value {
        Value::Object(m) => {
            let _ = write!(
                out,
                "<{root} xmlns=\"http://www.concursolutions.com/api/expense/v3.0\" xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\">"
            );
            for (k, x) in m {
                write_value(&mut out, k, x, item);
            }
            let _ = write!(out, "</{root}>");
        }
        other => write_value(&mut out, root, other, item),
    }
    out
}
