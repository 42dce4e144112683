//! Opaque pagination cursors.
//!
//! A cursor carries DynamoDB's resume key, but callers never see it: the key and an expiry
//! are sealed with AES-256-GCM under a key derived from `CURSOR_SECRET`, and the list's
//! *binding* (operation, caller, filters and limit) is the associated data. A cursor that
//! was edited, truncated, issued for another caller or another query, or has expired
//! fails to open and the request gets `400`.

use aws_lc_rs::aead::{AES_256_GCM, Aad, NONCE_LEN, Nonce, RandomizedNonceKey};
use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// How long a cursor stays valid, in seconds (24 hours).
pub const CURSOR_TTL_SECS: i64 = 24 * 60 * 60;

pub use crate::store::page::ResumeKey;

/// Seals and opens cursors.
pub struct CursorCodec {
    key: RandomizedNonceKey,
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec(<key>)")
    }
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    /// The resume key.
    k: ResumeKey,
    /// Expiry, in seconds since the epoch.
    x: i64,
}

fn invalid() -> ApiError {
    ApiError::BadRequest("the cursor is invalid or expired, or belongs to another query".into())
}

impl CursorCodec {
    /// Derives the sealing key from a secret of at least 32 bytes.
    pub fn new(secret: &[u8]) -> Result<Self, ApiError> {
        let mut material = b"lending-api cursor key v1\0".to_vec();
        material.extend_from_slice(secret);
        let derived = digest(&SHA256, &material);
        let key = RandomizedNonceKey::new(&AES_256_GCM, derived.as_ref())
            .map_err(|_| ApiError::internal("cursor key could not be built"))?;
        Ok(Self { key })
    }

    /// Seals `resume` for the list identified by `binding`, valid until `now + TTL`.
    pub fn encode(&self, resume: ResumeKey, binding: &str, now: i64) -> Result<String, ApiError> {
        let sealed = Sealed {
            k: resume,
            x: now + CURSOR_TTL_SECS,
        };
        let mut buffer = serde_json::to_vec(&sealed).map_err(ApiError::internal)?;
        let nonce = self
            .key
            .seal_in_place_append_tag(Aad::from(binding.as_bytes()), &mut buffer)
            .map_err(|_| ApiError::internal("cursor could not be sealed"))?;
        let mut token = nonce.as_ref().to_vec();
        token.extend_from_slice(&buffer);
        Ok(URL_SAFE_NO_PAD.encode(token))
    }

    /// Opens a cursor issued for `binding`; anything else is `400`.
    pub fn decode(&self, cursor: &str, binding: &str, now: i64) -> Result<ResumeKey, ApiError> {
        if cursor.len() > 2048 {
            return Err(invalid());
        }
        let mut token = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
        if token.len() <= NONCE_LEN {
            return Err(invalid());
        }
        let mut ciphertext = token.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&token).map_err(|_| invalid())?;
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(binding.as_bytes()), &mut ciphertext)
            .map_err(|_| invalid())?;
        let sealed: Sealed = serde_json::from_slice(plain).map_err(|_| invalid())?;
        if sealed.x < now {
            return Err(invalid());
        }
        Ok(sealed.k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const NOW: i64 = 1_800_000_000;

    fn codec() -> CursorCodec {
        CursorCodec::new(b"0123456789abcdef0123456789abcdef").unwrap()
    }

    fn resume() -> ResumeKey {
        HashMap::from([("PK".to_owned(), "CLIENT#01J".to_owned())])
    }

    #[test]
    fn a_cursor_opens_for_the_list_that_issued_it() {
        let cursor = codec()
            .encode(resume(), "clients|admin|limit=20", NOW)
            .unwrap();
        assert_eq!(
            codec()
                .decode(&cursor, "clients|admin|limit=20", NOW + 60)
                .unwrap(),
            resume()
        );
        assert!(!cursor.contains("CLIENT"), "the key must not be readable");
    }

    #[test]
    fn abused_cursors_are_refused() {
        let codec = codec();
        let cursor = codec
            .encode(resume(), "clients|admin|limit=20", NOW)
            .unwrap();
        let mut flipped = cursor.clone().into_bytes();
        flipped[20] = if flipped[20] == b'A' { b'B' } else { b'A' };
        let other_key = CursorCodec::new(b"another secret of thirty-two bytes!").unwrap();
        let cases: Vec<(String, &str, i64, &str)> = vec![
            (
                String::from_utf8(flipped).unwrap(),
                "clients|admin|limit=20",
                NOW,
                "an edited cursor",
            ),
            (
                cursor[..cursor.len() - 3].to_owned(),
                "clients|admin|limit=20",
                NOW,
                "a truncated cursor",
            ),
            (
                cursor.clone(),
                "clients|someone-else|limit=20",
                NOW,
                "another caller's cursor",
            ),
            (
                cursor.clone(),
                "clients|admin|limit=50",
                NOW,
                "another limit",
            ),
            (
                cursor.clone(),
                "clients|admin|limit=20",
                NOW + CURSOR_TTL_SECS + 1,
                "an expired cursor",
            ),
            (
                "not a cursor!".to_owned(),
                "clients|admin|limit=20",
                NOW,
                "garbage",
            ),
            (String::new(), "clients|admin|limit=20", NOW, "empty"),
        ];
        for (candidate, binding, now, why) in cases {
            let err = codec.decode(&candidate, binding, now).unwrap_err();
            assert_eq!(err.status(), 400, "{why}");
        }
        let foreign = other_key
            .encode(resume(), "clients|admin|limit=20", NOW)
            .unwrap();
        assert!(
            codec
                .decode(&foreign, "clients|admin|limit=20", NOW)
                .is_err(),
            "another key"
        );
    }
}
