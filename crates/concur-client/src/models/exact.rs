//! [`exact_model!`]: models with named fields plus an `extra` map of every other field, decoded
//! without `#[serde(flatten)]`.
//!
//! serde's `flatten` buffers the whole object in serde's private `Content` tree before the named
//! fields see it, so a JSON number reaches a `rust_decimal::Decimal` helper as an `f64`
//! (`12345678901234.5678` comes out as `12345678901234.568`). Money must stay exact, so the
//! models that keep unknown fields get a hand-rolled map visitor instead: each named field is
//! decoded straight from the streaming deserializer with its tolerant helper (for amounts,
//! [`decimal_opt`](super::serde_helpers_ext::decimal_opt), which reads the literal number text),
//! and every other key goes to `extra`. Because the visitor walks the map itself, a decode error
//! still carries the field's JSON path (`Items[3].TransactionAmount`) through
//! `serde_path_to_error`.
//!
//! Serialization is derived as before (`rename` on each field, `flatten` on `extra`), which is
//! lossless in that direction.

/// Declares a model struct whose named fields are decoded by the given helper and whose other
/// fields land in a generated `pub extra: serde_json::Map<String, serde_json::Value>`.
///
/// ```ignore
/// exact_model! {
///     /// Doc.
///     #[derive(Clone, Debug, Default, PartialEq, Serialize)]
///     #[non_exhaustive]
///     pub struct Thing {
///         /// The id.
///         #[serde(rename = "ID")]
///         pub id: String => de_id,
///         /// An amount, in `currency_code`.
///         #[serde(rename = "Amount")]
///         pub amount: Option<Decimal> => decimal_opt,
///     }
/// }
/// ```
///
/// Each helper is a `fn<'de, D: Deserializer<'de>>(D) -> Result<FieldType, D::Error>`
/// (`Deserialize::deserialize` for plain nested types). An absent key is decoded as if it were
/// `null` (so the `de_opt_*` helpers give `None`); when the helper refuses that (a required id)
/// the error is serde's `missing field`. A key given twice is a `duplicate field` error, as with
/// the derive.
macro_rules! exact_model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                #[serde(rename = $json:literal)]
                pub $field:ident : $ty:ty => $helper:path,
            )*
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $json)]
                pub $field: $ty,
            )*
            /// `Custom1..N`, `OrgUnit1..6` and every field not named above, as sent.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl $name {
            /// The JSON names of the named fields (every other key goes to `extra`).
            #[allow(dead_code)]
            pub(crate) const KNOWN_FIELDS: &'static [&'static str] = &[$($json),*];
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: serde::Deserializer<'de>,
            {
                struct ModelVisitor;

                impl<'de> serde::de::Visitor<'de> for ModelVisitor {
                    type Value = $name;

                    fn expecting(
                        &self,
                        f: &mut ::std::fmt::Formatter<'_>,
                    ) -> ::std::fmt::Result {
                        f.write_str(concat!("a JSON object (", stringify!($name), ")"))
                    }

                    fn visit_map<A>(self, mut map: A) -> ::std::result::Result<$name, A::Error>
                    where
                        A: serde::de::MapAccess<'de>,
                    {
                        use serde::de::Error as _;
                        $( let mut $field: ::std::option::Option<$ty> = None; )*
                        let mut extra = serde_json::Map::new();
                        while let Some(key) = map.next_key::<String>()? {
                            match key.as_str() {
                                $(
                                    $json => {
                                        if $field.is_some() {
                                            return Err(A::Error::duplicate_field($json));
                                        }
                                        struct With($ty);
                                        impl<'de> serde::Deserialize<'de> for With {
                                            fn deserialize<D2>(
                                                d: D2,
                                            ) -> ::std::result::Result<Self, D2::Error>
                                            where
                                                D2: serde::Deserializer<'de>,
                                            {
                                                $helper(d).map(With)
                                            }
                                        }
                                        $field = Some(map.next_value::<With>()?.0);
                                    }
                                )*
                                _ => {
                                    let value = map.next_value::<serde_json::Value>()?;
                                    extra.insert(key, value);
                                }
                            }
                        }
                        Ok($name {
                            $(
                                $field: match $field {
                                    Some(v) => v,
                                    None => $helper(
                                        serde::de::value::UnitDeserializer::<A::Error>::new(),
                                    )
                                    .map_err(|_| A::Error::missing_field($json))?,
                                },
                            )*
                            extra,
                        })
                    }
                }

                deserializer.deserialize_map(ModelVisitor)
            }
        }
    };
}

pub(crate) use exact_model;
