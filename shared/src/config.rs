//! Typed configuration, read once per cold start from the environment.
//!
//! A function refuses to start when something it needs is missing or unsafe, so that a
//! misconfigured deployment fails at init rather than on the first request.

use std::env;

/// The shortest secret accepted for signing tokens and cursors (256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// The region assumed for DynamoDB Local when none is set (Local ignores it).
pub const LOCAL_REGION: &str = "us-east-1";

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    /// The named variable is unset or blank.
    #[error("environment variable {0} is required")]
    Missing(&'static str),
    /// The named variable holds a value outside the ones it accepts.
    #[error("environment variable {name} must be {expected}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// What it accepts.
        expected: &'static str,
    },
    /// A signing secret is too short to be safe.
    #[error("environment variable {name} must be at least {min} bytes long")]
    TooShort {
        /// The variable that holds the secret.
        name: &'static str,
        /// The minimum length, in bytes ([`MIN_SECRET_BYTES`]).
        min: usize,
    },
}

/// Which certificate authorities the DynamoDB client trusts (`DYNAMODB_TRUST_ROOTS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrustRoots {
    /// `amazon` (the default): only Amazon Trust Services' roots, compiled in, which issue
    /// every AWS endpoint's certificate. Nothing is read from disk at cold start.
    #[default]
    Amazon,
    /// `system`: the operating system's trust store, for a network that re-signs TLS
    /// (a proxy in front of real AWS). Loading it costs milliseconds at cold start.
    System,
}

/// Settings shared by every function.
#[derive(Clone)]
pub struct Config {
    /// The name of the single DynamoDB table (`TABLE_NAME`).
    pub table_name: String,
    /// Overrides the DynamoDB endpoint (`AWS_ENDPOINT_URL_DYNAMODB`, for DynamoDB Local);
    /// `None` in AWS.
    pub dynamodb_endpoint: Option<String>,
    /// The AWS region (`AWS_REGION`, which Lambda always sets, or `AWS_DEFAULT_REGION`);
    /// `us-east-1` when neither is set and an endpoint override points at DynamoDB Local.
    pub region: String,
    /// The certificate authorities the DynamoDB client trusts.
    pub trust_roots: TrustRoots,
    /// Key material for sealing pagination cursors (`CURSOR_SECRET`, at least
    /// [`MIN_SECRET_BYTES`]).
    pub cursor_secret: Vec<u8>,
    /// Key for signing and verifying access tokens with HS256 (`TOKEN_SECRET`, at least
    /// [`MIN_SECRET_BYTES`]).
    pub token_secret: Vec<u8>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("table_name", &self.table_name)
            .field("dynamodb_endpoint", &self.dynamodb_endpoint)
            .field("region", &self.region)
            .field("trust_roots", &self.trust_roots)
            .field("cursor_secret", &"<redacted>")
            .field("token_secret", &"<redacted>")
            .finish()
    }
}

impl Config {
    /// Reads `TABLE_NAME`, `CURSOR_SECRET`, `TOKEN_SECRET`, the region, and the optional
    /// `AWS_ENDPOINT_URL_DYNAMODB` and `DYNAMODB_TRUST_ROOTS`.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process
    /// environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let table_name = required(&lookup, "TABLE_NAME")?;
        let cursor_secret = secret(&lookup, "CURSOR_SECRET")?;
        let token_secret = secret(&lookup, "TOKEN_SECRET")?;
        let dynamodb_endpoint = lookup("AWS_ENDPOINT_URL_DYNAMODB").filter(|v| !v.is_empty());
        let region = match required(&lookup, "AWS_REGION")
            .or_else(|_| required(&lookup, "AWS_DEFAULT_REGION"))
        {
            Ok(region) => region,
            Err(_) if dynamodb_endpoint.is_some() => LOCAL_REGION.to_owned(),
            Err(_) => return Err(ConfigError::Missing("AWS_REGION")),
        };
        let trust_roots = match lookup("DYNAMODB_TRUST_ROOTS").as_deref().map(str::trim) {
            None | Some("" | "amazon") => TrustRoots::Amazon,
            Some("system") => TrustRoots::System,
            Some(_) => {
                return Err(ConfigError::Invalid {
                    name: "DYNAMODB_TRUST_ROOTS",
                    expected: "`amazon` or `system`",
                });
            }
        };
        Ok(Self {
            table_name,
            dynamodb_endpoint,
            region,
            trust_roots,
            cursor_secret,
            token_secret,
        })
    }
}

fn required(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<String, ConfigError> {
    lookup(name)
        .filter(|v| !v.trim().is_empty())
        .ok_or(ConfigError::Missing(name))
}

/// Reads a signing secret and refuses one shorter than [`MIN_SECRET_BYTES`].
pub fn secret(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<Vec<u8>, ConfigError> {
    let value = required(lookup, name)?;
    if value.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::TooShort {
            name,
            min: MIN_SECRET_BYTES,
        });
    }
    Ok(value.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn reads_a_complete_configuration() {
        let config = Config::from_lookup(lookup(&[
            ("TABLE_NAME", "lending"),
            ("CURSOR_SECRET", SECRET),
            ("TOKEN_SECRET", SECRET),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
        ]))
        .unwrap();
        assert_eq!(config.table_name, "lending");
        assert_eq!(
            config.dynamodb_endpoint.as_deref(),
            Some("http://127.0.0.1:8000")
        );
    }

    #[test]
    fn the_region_comes_from_the_environment_or_defaults_only_for_a_local_endpoint() {
        let base = [
            ("TABLE_NAME", "t"),
            ("CURSOR_SECRET", SECRET),
            ("TOKEN_SECRET", SECRET),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let pairs: Vec<_> = base.iter().chain(extra).copied().collect();
            Config::from_lookup(lookup(&pairs))
        };
        assert_eq!(
            with(&[("AWS_REGION", "eu-west-1")]).unwrap().region,
            "eu-west-1"
        );
        assert_eq!(
            with(&[("AWS_DEFAULT_REGION", "sa-east-1")]).unwrap().region,
            "sa-east-1"
        );
        assert_eq!(
            with(&[
                ("AWS_REGION", "eu-west-1"),
                ("AWS_DEFAULT_REGION", "sa-east-1")
            ])
            .unwrap()
            .region,
            "eu-west-1",
            "AWS_REGION wins, as in the SDK"
        );
        assert_eq!(
            with(&[("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")])
                .unwrap()
                .region,
            LOCAL_REGION
        );
        assert_eq!(
            with(&[("AWS_REGION", " ")]).unwrap_err(),
            ConfigError::Missing("AWS_REGION"),
            "no silent default in AWS"
        );
    }

    #[test]
    fn an_empty_endpoint_is_no_endpoint() {
        // The SAM template declares AWS_ENDPOINT_URL_DYNAMODB empty, so that `sam local`
        // may set it; deployed, the functions must then find DynamoDB by region.
        let config = Config::from_lookup(lookup(&[
            ("TABLE_NAME", "lending"),
            ("CURSOR_SECRET", SECRET),
            ("TOKEN_SECRET", SECRET),
            ("AWS_REGION", "us-east-2"),
            ("AWS_ENDPOINT_URL_DYNAMODB", ""),
        ]))
        .unwrap();
        assert_eq!(config.dynamodb_endpoint, None);
        assert_eq!(config.region, "us-east-2");
    }

    #[test]
    fn the_trust_roots_default_to_amazon_and_accept_only_known_values() {
        let with = |value: &'static str| {
            Config::from_lookup(lookup(&[
                ("TABLE_NAME", "t"),
                ("CURSOR_SECRET", SECRET),
                ("TOKEN_SECRET", SECRET),
                ("AWS_REGION", "us-east-1"),
                ("DYNAMODB_TRUST_ROOTS", value),
            ]))
        };
        assert_eq!(with("").unwrap().trust_roots, TrustRoots::Amazon);
        assert_eq!(with("amazon").unwrap().trust_roots, TrustRoots::Amazon);
        assert_eq!(with("system").unwrap().trust_roots, TrustRoots::System);
        assert_eq!(
            with("everything").unwrap_err(),
            ConfigError::Invalid {
                name: "DYNAMODB_TRUST_ROOTS",
                expected: "`amazon` or `system`"
            }
        );
    }

    #[test]
    fn rejects_missing_or_weak_settings() {
        type Case<'a> = (&'a [(&'a str, &'a str)], ConfigError, &'a str);
        let cases: [Case; 5] = [
            (
                &[("CURSOR_SECRET", SECRET)],
                ConfigError::Missing("TABLE_NAME"),
                "table is required",
            ),
            (
                &[("TABLE_NAME", "t")],
                ConfigError::Missing("CURSOR_SECRET"),
                "secret is required",
            ),
            (
                &[("TABLE_NAME", "t"), ("CURSOR_SECRET", "short")],
                ConfigError::TooShort {
                    name: "CURSOR_SECRET",
                    min: 32,
                },
                "a short secret is refused",
            ),
            (
                &[("TABLE_NAME", "t"), ("CURSOR_SECRET", SECRET)],
                ConfigError::Missing("TOKEN_SECRET"),
                "the token secret is required",
            ),
            (
                &[
                    ("TABLE_NAME", "t"),
                    ("CURSOR_SECRET", SECRET),
                    ("TOKEN_SECRET", "31-bytes-is-one-byte-too-short!"),
                ],
                ConfigError::TooShort {
                    name: "TOKEN_SECRET",
                    min: 32,
                },
                "a token secret under 32 bytes is refused",
            ),
        ];
        for (pairs, expected, why) in cases {
            assert_eq!(
                Config::from_lookup(lookup(pairs)).unwrap_err(),
                expected,
                "{why}"
            );
        }
    }

    #[test]
    fn debug_output_redacts_the_secret() {
        let config = Config::from_lookup(lookup(&[
            ("TABLE_NAME", "t"),
            ("CURSOR_SECRET", SECRET),
            ("TOKEN_SECRET", SECRET),
            ("AWS_REGION", "us-east-1"),
        ]))
        .unwrap();
        assert!(!format!("{config:?}").contains(SECRET));
    }
}
