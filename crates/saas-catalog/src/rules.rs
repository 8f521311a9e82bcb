//! User rules: match a pattern to a service, ignore a pattern, add custom catalog entries.
//!
//! ```toml
//! [[rule]]
//! id = "box-storage"        # optional, shown as evidence (default "rule-<n>")
//! priority = 100            # higher runs first (default 0); ties keep file order
//! pattern = "box"           # phrase matched on whole words after normalisation
//! field = "descriptor"      # descriptor (default) | description | any
//! expense_type = "Software" # optional: only when the expense type equals this (normalised)
//! service = "box"           # match: the service id (catalog or custom entry)
//!
//! [[rule]]
//! pattern = "box office"
//! action = "ignore"         # match (default when `service` is set) | ignore
//!
//! [[product]]               # custom catalog entries, same schema as data/catalog/*.toml
//! id = "acme-crm"
//! name = "Acme CRM"
//! category = "crm"
//! aliases = ["acme crm"]
//! ```

use serde::Deserialize;

use crate::catalog::ProductSpec;

/// Which input field a rule looks at.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleField {
    /// The vendor descriptor (default).
    #[default]
    Descriptor,
    /// The description / business purpose.
    Description,
    /// Either.
    Any,
}

/// What a rule does when it fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleAction {
    /// Classify as software spend of this service id.
    Match(String),
    /// Not software spend; vetoes every later stage.
    Ignore,
}

/// One user rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Rule id (shown in the evidence).
    pub id: String,
    /// Higher runs first.
    pub priority: i64,
    /// The phrase, as written (matched on whole words after normalisation).
    pub pattern: String,
    /// Field the pattern is looked for in.
    pub field: RuleField,
    /// Optional expense type condition (compared after normalisation).
    pub expense_type: Option<String>,
    /// What the rule does.
    pub action: RuleAction,
}

/// A set of user rules plus custom catalog entries, read from TOML.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    pub(crate) rules: Vec<Rule>,
    pub(crate) products: Vec<ProductSpec>,
}

/// Error reading rules.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// TOML syntax or schema error.
    #[error("rules: {0}")]
    Parse(String),
    /// A rule is inconsistent (no service for a match rule, unknown action, empty pattern).
    #[error("rules: rule {id:?}: {message}")]
    Invalid {
        /// Rule id.
        id: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
    #[serde(default)]
    product: Vec<ProductSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleSpec {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    priority: i64,
    pattern: String,
    #[serde(default)]
    field: RuleField,
    #[serde(default)]
    expense_type: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    action: Option<String>,
}

impl Rules {
    /// No rules.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Parses rules (format in the module docs and `docs/catalog.md`).
    ///
    /// # Errors
    /// [`RulesError::Parse`] on TOML / schema errors; [`RulesError::Invalid`] when a match
    /// rule has no service, an ignore rule has one, the action is unknown or the pattern is
    /// empty. Unknown service ids are reported by [`crate::Matcher::new`].
    pub fn from_toml_str(text: &str) -> Result<Self, RulesError> {
        let file: RulesFile = toml::from_str(text).map_err(|e| RulesError::Parse(e.to_string()))?;
        let mut rules = Vec::with_capacity(file.rule.len());
        for (n, r) in file.rule.into_iter().enumerate() {
            let id = r.id.unwrap_or_else(|| format!("rule-{}", n + 1));
            let invalid = |message: &str| RulesError::Invalid {
                id: id.clone(),
                message: message.into(),
            };
            if r.pattern.trim().is_empty() {
                return Err(invalid("empty pattern"));
            }
            let action = match (r.action.as_deref(), r.service) {
                (None | Some("match"), Some(s)) => RuleAction::Match(s),
                (None | Some("match"), None) => {
                    return Err(invalid("a match rule needs `service`"));
                }
                (Some("ignore"), None) => RuleAction::Ignore,
                (Some("ignore"), Some(_)) => {
                    return Err(invalid("an ignore rule takes no `service`"));
                }
                (Some(other), _) => {
                    return Err(invalid(&format!(
                        "unknown action {other:?} (match | ignore)"
                    )));
                }
            };
            rules.push(Rule {
                id,
                priority: r.priority,
                pattern: r.pattern,
                field: r.field,
                expense_type: r.expense_type,
                action,
            });
        }
        // stable: ties keep file order
        rules.sort_by_key(|r| std::cmp::Reverse(r.priority));
        Ok(Self {
            rules,
            products: file.product,
        })
    }

    /// The rules, highest priority first.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Number of custom catalog entries.
    pub fn custom_product_count(&self) -> usize {
        self.products.len()
    }
}
