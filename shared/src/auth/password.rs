//! Password hashing with Argon2id at OWASP's minimum cost (19 MiB, 2 passes, 1 lane).
//!
//! Hashing is CPU-bound for tens of milliseconds, so it runs on the blocking pool, never
//! on the async runtime. A login for an unknown username verifies against a fixed dummy
//! hash of the same cost, so the response time does not reveal which usernames exist.
//!
//! Argon2's 19 MiB working area is allocated once and reused by every later hash. A
//! Lambda instance serves one request at a time, so it holds one area for its whole life
//! instead of asking the allocator for 19 MiB per login, which glibc would keep (peak RSS
//! grew to 239 MiB) or, tuned to give it back, the kernel would zero on every login.

use std::sync::Mutex;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::ApiError;

/// Shortest password accepted, in characters (not bytes).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Memory cost in KiB (19 MiB), OWASP's minimum for Argon2id.
const M_COST_KIB: u32 = 19 * 1024;
/// Passes over the memory.
const T_COST: u32 = 2;
/// Lanes.
const P_COST: u32 = 1;
/// Salt length in bytes (128 bits).
const SALT_LEN: usize = 16;
/// Hash length in bytes (256 bits).
const OUTPUT_LEN: usize = 32;
/// The largest memory cost a stored hash may ask for (64 MiB): a corrupt or hostile row
/// must not make a login allocate without bound.
const MAX_M_COST_KIB: u32 = 64 * 1024;

/// A well-formed hash with the same parameters as real ones, whose password nobody knows:
/// verifying against it costs exactly what verifying a real user costs.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0P8dcNRNqcoRfp8UKeJ1u0Qx6ilIS2Q3w4E1KjmeMoY";

/// The reusable Argon2 working area; empty until the first hash.
static WORK_AREA: Mutex<Vec<Block>> = Mutex::new(Vec::new());

fn argon_error(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("argon2: {error}"))
}

/// Runs `f` over `blocks` blocks of Argon2 memory: the shared work area when it is free,
/// or a one-off area when another hash holds it (only when one process serves several
/// requests at once, as tests and the local server do).
fn with_work_area<T>(blocks: usize, f: impl FnOnce(&mut [Block]) -> T) -> T {
    match WORK_AREA.try_lock() {
        Ok(mut area) => {
            if area.len() != blocks {
                *area = vec![Block::new(); blocks];
            }
            f(area.as_mut_slice())
        }
        Err(_) => f(vec![Block::new(); blocks].as_mut_slice()),
    }
}

/// Computes the raw Argon2 output of `password` into `out`.
fn compute(
    argon: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), ApiError> {
    with_work_area(argon.params().block_count(), |area| {
        argon.hash_password_into_with_memory(password, salt, out, area)
    })
    .map_err(argon_error)
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

/// Hashes `password` with a fresh random salt into a PHC string.
fn hash_blocking(password: &[u8]) -> Result<String, ApiError> {
    let params = Params::new(M_COST_KIB, T_COST, P_COST, Some(OUTPUT_LEN)).map_err(argon_error)?;
    let mut salt = [0u8; SALT_LEN];
    aws_lc_rs::rand::fill(&mut salt).map_err(|_| ApiError::internal("no randomness available"))?;
    let mut out = [0u8; OUTPUT_LEN];
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    compute(&argon, password, &salt, &mut out)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(argon_error)?,
        salt: Some(Salt::new(&salt).map_err(argon_error)?),
        hash: Some(Output::new(&out).map_err(argon_error)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` hashes to `phc` under the algorithm, version, cost and salt `phc`
/// names. The comparison is constant-time.
fn verify_blocking(password: &[u8], phc: &str) -> Result<bool, ApiError> {
    let parsed = PasswordHash::new(phc).map_err(argon_error)?;
    let algorithm = Algorithm::new(parsed.algorithm.as_str()).map_err(argon_error)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()
        .map_err(argon_error)?
        .unwrap_or(Version::V0x13);
    let params = Params::try_from(&parsed).map_err(argon_error)?;
    if params.m_cost() > MAX_M_COST_KIB {
        return Err(ApiError::internal(format!(
            "argon2: stored memory cost {} KiB is above the {MAX_M_COST_KIB} KiB limit",
            params.m_cost()
        )));
    }
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Err(ApiError::internal(
            "argon2: stored hash has no salt or no output",
        ));
    };
    let mut out = vec![0u8; expected.len()];
    compute(
        &Argon2::new(algorithm, version, params),
        password,
        salt,
        &mut out,
    )?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(&out).map_err(argon_error)? == *expected)
}

/// Hashes a password (PHC string) off the async runtime.
pub async fn hash(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_blocking(password.as_bytes()))
        .await
        .map_err(ApiError::internal)?
}

/// Verifies `password` against `stored`, or against the dummy hash when there is no
/// user, so both cases cost the same. Returns whether it matched (never for the dummy).
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, ApiError> {
    let known = stored.is_some();
    let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
    let matched = tokio::task::spawn_blocking(move || verify_blocking(password.as_bytes(), &phc))
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
    fn hashes_interoperate_with_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let reference = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap(),
        );
        // A hash stored by the crate's own hasher verifies here...
        let theirs = reference
            .hash_password(b"correct horse battery")
            .unwrap()
            .to_string();
        assert!(verify_blocking(b"correct horse battery", &theirs).unwrap());
        assert!(!verify_blocking(b"correct horse batterz", &theirs).unwrap());
        // ...and one made here verifies with the crate's verifier.
        let ours = hash_blocking(b"correct horse battery").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            reference
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        assert_eq!(parsed.salt.unwrap().len(), SALT_LEN);
    }

    #[test]
    fn salts_differ_between_hashes_of_one_password() {
        let a = hash_blocking(b"same password twice").unwrap();
        let b = hash_blocking(b"same password twice").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn concurrent_hashes_each_get_a_work_area() {
        // Holding the shared area forces the other threads onto one-off areas.
        let held = WORK_AREA.lock().unwrap();
        let results: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|i| {
                    scope.spawn(move || {
                        let password = format!("password number {i}");
                        let stored = hash_blocking(password.as_bytes()).unwrap();
                        verify_blocking(password.as_bytes(), &stored).unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        drop(held);
        assert_eq!(results, vec![true; 3]);
    }

    #[test]
    fn a_stored_hash_cannot_demand_unbounded_memory() {
        let greedy = "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0P8dcNRNqcoRfp8UKeJ1u0Qx6ilIS2Q3w4E1KjmeMoY";
        assert!(verify_blocking(b"anything at all", greedy).is_err());
        assert!(verify_blocking(b"anything at all", "not a phc string").is_err());
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
