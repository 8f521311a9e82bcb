//! Secret handling: tokens, passwords and client secrets are [`SecretString`]s.
//!
//! `SecretString` (from the `secrecy` crate) prints as `[REDACTED]` in `Debug`, has no
//! `Display`, and is zeroed on drop. This crate calls `expose_secret()` only where a value is
//! written into a request (a form body or an `Authorization` header marked sensitive) or into a
//! 0600 token file. Error messages that come back from the token endpoint are scrubbed of
//! every secret the client holds before they are stored in an [`Error`](crate::Error).

pub use secrecy::{ExposeSecret, SecretString};

/// Serde helpers that write a secret in clear text. Only used by [`crate::TokenRecord`],
/// which is meant for 0600 token stores.
pub(crate) mod serde_secret {
    use secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &SecretString, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.expose_secret())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        let s = String::deserialize(d)?;
        Ok(SecretString::from(s))
    }

    pub(crate) mod option {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(
            v: &Option<SecretString>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match v {
                Some(v) => s.serialize_some(v.expose_secret()),
                None => s.serialize_none(),
            }
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<SecretString>, D::Error> {
            Ok(Option::<String>::deserialize(d)?.map(SecretString::from))
        }
    }
}

/// Replaces every occurrence of any secret in `text` with `[REDACTED]`.
/// Secrets shorter than 4 characters are ignored (they would redact ordinary words).
pub(crate) fn scrub(text: &str, secrets: &[&SecretString]) -> String {
    let mut out = text.to_owned();
    for s in secrets {
        let v = s.expose_secret();
        if v.len() >= 4 && out.contains(v) {
            out = out.replace(v, "[REDACTED]");
        }
    }
    out
}
