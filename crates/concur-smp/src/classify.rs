//! `concur-smp classify`: classify vendor descriptors from a CSV file, offline.
//!
//! Input: CSV with a header that has `descriptor` and optionally `expense_type` and
//! `description` (names compared case-insensitively, surrounding spaces ignored). Output: every
//! well-formed row in input order, its columns unchanged, followed by `is_saas`, `service_id`,
//! `service_name` and `confidence` (0.00–1.00, two decimals). Malformed lines (wrong number of
//! fields, invalid UTF-8) are reported on stderr with their line number and skipped.

use std::io::{BufRead as _, Read, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use saas_catalog::{Catalog, Input, Matcher, Rules};
use serde::ser::{SerializeMap, SerializeSeq, Serializer as _};

use crate::error::Failure;

/// Output format of `classify`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ClassifyFormat {
    /// CSV: the input columns plus `is_saas,service_id,service_name,confidence`.
    Csv,
    /// A JSON array of objects (input columns as keys, in input order, then the four fields).
    Json,
}

/// The result columns appended to each row.
pub const RESULT_COLUMNS: [&str; 4] = ["is_saas", "service_id", "service_name", "confidence"];

/// Builds the matcher: the built-in catalog plus an optional rules file (TOML, see
/// `docs/catalog.md`).
///
/// # Errors
/// A usage [`Failure`] when the rules file cannot be read or is invalid; any catalog error.
pub fn build_matcher(rules: Option<&Path>) -> anyhow::Result<Arc<Matcher>> {
    let catalog = Catalog::builtin().context("the built-in SaaS catalog is broken")?;
    let rules = match rules {
        None => Rules::empty(),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                Failure::usage(format!("cannot read the rules file {}: {e}", p.display()))
                    .hint("pass an existing TOML file to --rules")
            })?;
            Rules::from_toml_str(&text).map_err(|e| {
                Failure::usage(format!("invalid rules file {}: {e}", p.display()))
                    .hint("see docs/catalog.md for the rules format")
            })?
        }
    };
    let m = Matcher::new(catalog, rules).map_err(|e| {
        Failure::usage(format!("invalid rules: {e}"))
            .hint("see docs/catalog.md for the rules format")
    })?;
    Ok(Arc::new(m))
}

/// One classified row.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassifiedRow {
    /// The input fields, unchanged.
    pub fields: Vec<String>,
    /// Software spend (with or without a known product).
    pub is_saas: bool,
    /// Catalog service id, when a product was identified.
    pub service_id: Option<String>,
    /// Catalog product name, when a product was identified.
    pub service_name: Option<String>,
    /// Confidence, 0..=1.
    pub confidence: f32,
}

impl ClassifiedRow {
    fn result_fields(&self) -> [String; 4] {
        [
            self.is_saas.to_string(),
            self.service_id.clone().unwrap_or_default(),
            self.service_name.clone().unwrap_or_default(),
            format!("{:.2}", self.confidence),
        ]
    }
}

/// A malformed input line that was skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number in the input.
    pub line: u64,
    /// What was wrong.
    pub message: String,
}

/// Classifies every well-formed row of `input`.
///
/// Returns the header, the rows and the skipped lines.
///
/// # Errors
/// A usage [`Failure`] when the header is missing or has no `descriptor` column, or when the
/// input cannot be read at all.
pub fn classify_csv(
    matcher: &Matcher,
    input: impl Read,
) -> anyhow::Result<(Vec<String>, Vec<ClassifiedRow>, Vec<BadLine>)> {
    // Line by line (descriptor files have no multi-line fields): a stray quote on one line
    // must not swallow the rest of the file into one record.
    let mut lines = std::io::BufReader::new(input).split(b'\n');
    let mut line_no: u64 = 0;
    let header: Vec<String> = loop {
        line_no += 1;
        let raw = match lines.next() {
            None => {
                return Err(
                    Failure::usage("cannot read the CSV header: the input is empty")
                        .hint("the first line must be a header with a `descriptor` column")
                        .into(),
                );
            }
            Some(Err(e)) => return Err(anyhow::anyhow!("cannot read the input: {e}")),
            Some(Ok(raw)) => raw,
        };
        let raw = strip_cr(&raw);
        if raw.is_empty() {
            continue;
        }
        match parse_line(raw) {
            Ok(h) => break h,
            Err(m) => {
                return Err(Failure::usage(format!(
                    "cannot read the CSV header (line {line_no}): {m}"
                ))
                .hint("the first line must be a header with a `descriptor` column")
                .into());
            }
        }
    };
    let find = |name: &str| {
        header.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let Some(d_idx) = find("descriptor") else {
        return Err(Failure::usage("the input CSV has no `descriptor` column")
            .hint("add a header line such as `descriptor,expense_type,description`")
            .into());
    };
    let t_idx = find("expense_type");
    let s_idx = find("description");
    let catalog = matcher.catalog().clone();
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for raw in lines {
        line_no += 1;
        let raw = raw.map_err(|e| anyhow::anyhow!("cannot read the input: {e}"))?;
        let raw = strip_cr(&raw);
        if raw.is_empty() {
            continue;
        }
        let record = match parse_line(raw) {
            Ok(r) if r.len() == header.len() => r,
            Ok(r) => {
                bad.push(BadLine {
                    line: line_no,
                    message: format!("expected {} fields, found {}", header.len(), r.len()),
                });
                continue;
            }
            Err(message) => {
                bad.push(BadLine {
                    line: line_no,
                    message,
                });
                continue;
            }
        };
        let get = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .map(String::as_str)
                .filter(|s| !s.trim().is_empty())
        };
        let c = matcher.classify(&Input {
            descriptor: record.get(d_idx).map(String::as_str).unwrap_or(""),
            expense_type: get(t_idx),
            description: get(s_idx),
        });
        let service_name = c.service.as_ref().map(|id| {
            catalog
                .product(id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| id.to_string())
        });
        rows.push(ClassifiedRow {
            is_saas: c.is_software,
            service_id: c.service.as_ref().map(|s| s.to_string()),
            service_name,
            confidence: c.confidence.clamp(0.0, 1.0),
            fields: record,
        });
    }
    Ok((header, rows, bad))
}

fn strip_cr(raw: &[u8]) -> &[u8] {
    raw.strip_suffix(b"\r").unwrap_or(raw)
}

/// Parses one physical line as one CSV record.
fn parse_line(raw: &[u8]) -> Result<Vec<String>, String> {
    let text = std::str::from_utf8(raw).map_err(|_| "invalid UTF-8".to_owned())?;
    if unterminated_quote(text) {
        return Err("unbalanced quote".to_owned());
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    match rdr.read_record(&mut record) {
        Ok(_) => Ok(record.iter().map(str::to_owned).collect()),
        Err(e) => Err(e.to_string()),
    }
}

/// Whether a field that opens with `"` is still open at the end of the line.
fn unterminated_quote(line: &str) -> bool {
    let mut chars = line.chars().peekable();
    let mut field_start = true;
    let mut quoted = false;
    while let Some(ch) = chars.next() {
        if quoted {
            if ch == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                } else {
                    quoted = false;
                }
            }
        } else if field_start && ch == '"' {
            quoted = true;
            field_start = false;
        } else {
            field_start = ch == ',';
        }
    }
    quoted
}

/// Writes classified rows in `format` to `out`.
///
/// # Errors
/// I/O errors.
pub fn write_rows(
    format: ClassifyFormat,
    header: &[String],
    rows: &[ClassifiedRow],
    out: impl Write,
) -> anyhow::Result<()> {
    match format {
        ClassifyFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            let mut h: Vec<&str> = header.iter().map(String::as_str).collect();
            h.extend(RESULT_COLUMNS);
            w.write_record(&h)?;
            for r in rows {
                let extra = r.result_fields();
                w.write_record(
                    r.fields
                        .iter()
                        .map(String::as_str)
                        .chain(extra.iter().map(String::as_str)),
                )?;
            }
            w.flush()?;
        }
        ClassifyFormat::Json => {
            let mut out = std::io::BufWriter::new(out);
            {
                let mut ser = serde_json::Serializer::pretty(&mut out);
                let mut seq = ser.serialize_seq(Some(rows.len()))?;
                for r in rows {
                    seq.serialize_element(&JsonRow { header, row: r })?;
                }
                SerializeSeq::end(seq)?;
            }
            out.write_all(b"\n")?;
            out.flush()?;
        }
    }
    Ok(())
}

struct JsonRow<'a> {
    header: &'a [String],
    row: &'a ClassifiedRow,
}

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (k, v) in self.header.iter().zip(&self.row.fields) {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("is_saas", &self.row.is_saas)?;
        m.serialize_entry("service_id", &self.row.service_id)?;
        m.serialize_entry("service_name", &self.row.service_name)?;
        let conf = (f64::from(self.row.confidence) * 100.0).round() / 100.0;
        m.serialize_entry("confidence", &conf)?;
        SerializeMap::end(m)
    }
}

/// Runs the command: reads `input` (`None` or `-` = stdin), writes to stdout, reports bad
/// lines on stderr.
///
/// # Errors
/// See [`classify_csv`] and [`build_matcher`].
pub fn run(
    input: Option<&Path>,
    format: ClassifyFormat,
    rules: Option<&Path>,
) -> anyhow::Result<()> {
    let matcher = build_matcher(rules)?;
    let reader: Box<dyn Read> = match input {
        None => Box::new(std::io::stdin().lock()),
        Some(p) if p == Path::new("-") => Box::new(std::io::stdin().lock()),
        Some(p) => Box::new(std::fs::File::open(p).map_err(|e| {
            Failure::usage(format!("cannot open {}: {e}", p.display()))
                .hint("pass an existing CSV file to --input, or `-` for stdin")
        })?),
    };
    let (header, rows, bad) = classify_csv(&matcher, reader)?;
    for b in &bad {
        eprintln!(
            "warning: line {}: malformed CSV ({}); skipped",
            b.line, b.message
        );
    }
    let stdout = std::io::stdout();
    write_rows(format, &header, &rows, stdout.lock())?;
    tracing::info!(rows = rows.len(), skipped = bad.len(), "classified");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matcher() -> Arc<Matcher> {
        build_matcher(None).unwrap()
    }

    #[test]
    fn classifies_and_skips_bad_lines() {
        let input = "id,descriptor,expense_type\n1,ZOOM.US 888-799-9666 CA,Software\n2,too,many,fields\n3,DELTA AIR LINES,Airfare\n";
        let (h, rows, bad) = classify_csv(&matcher(), input.as_bytes()).unwrap();
        assert_eq!(h, ["id", "descriptor", "expense_type"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].fields, ["1", "ZOOM.US 888-799-9666 CA", "Software"]);
        assert!(rows[0].is_saas);
        assert_eq!(rows[0].service_id.as_deref(), Some("zoom"));
        assert_eq!(rows[0].service_name.as_deref(), Some("Zoom Workplace"));
        assert!(!rows[1].is_saas);
        assert_eq!(rows[1].service_id, None);
        assert_eq!(
            bad,
            [BadLine {
                line: 3,
                message: "expected 3 fields, found 4".into()
            }]
        );
    }

    #[test]
    fn missing_descriptor_is_usage() {
        let err = classify_csv(&matcher(), "vendor\nx\n".as_bytes()).unwrap_err();
        assert_eq!(crate::error::classify(&err).exit, crate::error::Exit::Usage);
    }

    #[test]
    fn csv_output_appends_columns() {
        let (h, rows, _) =
            classify_csv(&matcher(), "descriptor\nSLACK T01234\n".as_bytes()).unwrap();
        let mut out = Vec::new();
        write_rows(ClassifyFormat::Csv, &h, &rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("descriptor,is_saas,service_id,service_name,confidence")
        );
        let l = lines.next().unwrap();
        assert!(l.starts_with("SLACK T01234,true,slack,Slack,"), "{l}");
    }

    #[test]
    fn json_output_keeps_column_order() {
        let (h, rows, _) =
            classify_csv(&matcher(), "z,descriptor\nq,ZOOM.US\n".as_bytes()).unwrap();
        let mut out = Vec::new();
        write_rows(ClassifyFormat::Json, &h, &rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let zi = text.find("\"z\"").unwrap();
        let di = text.find("\"descriptor\"").unwrap();
        let ii = text.find("\"is_saas\"").unwrap();
        assert!(zi < di && di < ii);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[0]["service_id"], "zoom");
        assert_eq!(v[0]["is_saas"], true);
    }

    #[test]
    fn a_stray_quote_skips_only_its_line() {
        let input = "descriptor,n\n\"bad,1\nZOOM.US,2\r\n\"SLACK, T01\",3\n27\" MONITOR,4\n";
        let (_, rows, bad) = classify_csv(&matcher(), input.as_bytes()).unwrap();
        let firsts: Vec<&str> = rows.iter().map(|r| r.fields[0].as_str()).collect();
        assert_eq!(firsts, ["ZOOM.US", "SLACK, T01", "27\" MONITOR"]);
        assert_eq!(rows[0].service_id.as_deref(), Some("zoom"));
        assert_eq!(rows[1].service_id.as_deref(), Some("slack"));
        assert_eq!(
            bad,
            [BadLine {
                line: 2,
                message: "unbalanced quote".into()
            }]
        );
        let (_, rows, bad) =
            classify_csv(&matcher(), b"descriptor\n\xffabc\nZOOM.US\n".as_slice()).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(bad[0].line, 2);
        assert_eq!(bad[0].message, "invalid UTF-8");
    }
}
