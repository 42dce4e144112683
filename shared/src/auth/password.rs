//! Password hashing with Argon2id at OWASP's minimum cost (19 MiB, 2 passes, 1 lane).
//!
//! Hashing is CPU-bound for tens of milliseconds, so it runs on the blocking pool, never
//! on the async runtime. A login for an unknown username verifies against a fixed dummy
//! hash of the same cost, so the response time does not reveal which usernames exist.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;

/// Shortest password accepted, in characters (not bytes).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// A well-formed hash with the same parameters as real ones, whose password nobody knows:
/// verifying against it costs exactly what verifying a real user costs.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0P8dcNRNqcoRfp8UKeJ1u0Qx6ilIS2Q3w4E1KjmeMoY";

fn hasher() -> Result<Argon2<'static>, ApiError> {
    let params =
        Params::new(19 * 1024, 2, 1, None).map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Checks a new password's length, in characters; the error is a message for the caller.
pub fn check_strength(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(format!("must be at least {MIN_PASSWORD_CHARS} characters"));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(format!("must be at most {MAX_PASSWORD_CHARS} characters"));
    }
    Ok(())
}

/// A random 24-character password (144 bits), for bootstrapping the first admin.
pub fn generate() -> Result<String, ApiError> {
    use base64::Engine as _;
    let mut bytes = [0u8; 18];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| ApiError::internal("no randomness available"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Hashes a password (PHC string) off the async runtime.
pub async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || {
        hasher()?
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|e| ApiError::internal(e.to_string()))
    })
    .await
    .map_err(ApiError::internal)?
}

/// Verifies `password` against `stored`, or against the dummy hash when there is no
/// user, so both cases cost the same. Returns whether it matched (never for the dummy).
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    let known = stored.is_some();
    let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
    let matched = tokio::task::spawn_blocking(move || -> Result<bool, ApiError> {
        let parsed = PasswordHash::new(&phc).map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(hasher()?
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
    .map_err(ApiError::internal)??;
    Ok(known && matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify("correct horse battery".into(), Some(stored.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("wrong horse battery".into(), Some(stored))
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn the_dummy_hash_never_matches_but_is_checked_at_full_cost() {
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "the dummy hash parses"
        );
        assert!(!verify("anything at all".into(), None).await.unwrap());
    }

    #[test]
    fn generated_passwords_are_long_and_distinct() {
        let (a, b) = (generate().unwrap(), generate().unwrap());
        assert_eq!(a.len(), 24);
        assert_ne!(a, b);
        assert!(check_strength(&a).is_ok());
    }

    #[test]
    fn password_length_is_bounded() {
        assert!(check_strength(&"a".repeat(11)).is_err());
        assert!(check_strength(&"a".repeat(12)).is_ok());
        assert!(
            check_strength(&"ñ".repeat(128)).is_ok(),
            "characters, not bytes"
        );
        assert!(check_strength(&"a".repeat(129)).is_err());
    }
}
