//! Password hashing with Argon2id at one of OWASP's equivalent settings (7 MiB, 5 passes,
//! 1 lane; see `docs/performance.md` for the comparison behind the choice).
//!
//! A stored hash names its own cost, so hashes made at an earlier setting (19 MiB, 2
//! passes) keep verifying; [`Verdict::needs_rehash`] tells the login to replace such a
//! hash once the password has matched.
//!
//! Hashing is CPU-bound for tens of milliseconds, so it runs on the blocking pool, never
//! on the async runtime. A login for an unknown username verifies against a fixed dummy
//! hash of the same cost, so the response time does not reveal which usernames exist.
//!
//! Argon2's working area is allocated once and reused by every later hash. A
//! Lambda instance serves one request at a time, so it holds one area for its whole life
//! instead of asking the allocator for megabytes per login, which glibc would keep (peak RSS
//! grew to 239 MiB) or, tuned to give it back, the kernel would zero on every login.

use std::sync::Mutex;

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::ApiError;

pub use super::rules::{MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS, check_strength};

/// Memory cost in KiB (7 MiB), with [`T_COST`] one of OWASP's settings for Argon2id.
pub const M_COST_KIB: u32 = 7 * 1024;
/// Passes over the memory.
pub const T_COST: u32 = 5;
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
const DUMMY_HASH: &str = "$argon2id$v=19$m=7168,t=5,p=1$c29tZXNhbHRzb21lc2FsdA$0P8dcNRNqcoRfp8UKeJ1u0Qx6ilIS2Q3w4E1KjmeMoY";

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

/// A random 24-character password (144 bits), for bootstrapping the first admin.
pub fn generate() -> Result<String, ApiError> {
    use base64::Engine as _;
    let mut bytes = [0u8; 18];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| ApiError::internal("no randomness available"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Hashes `password` with a fresh random salt into a PHC string, at the current cost.
fn hash_blocking(password: &[u8]) -> Result<String, ApiError> {
    hash_with(password, M_COST_KIB, T_COST)
}

/// Hashes `password` at `m_cost_kib` and `t_cost` (the benchmark compares settings).
pub fn hash_with(password: &[u8], m_cost_kib: u32, t_cost: u32) -> Result<String, ApiError> {
    let params = Params::new(m_cost_kib, t_cost, P_COST, Some(OUTPUT_LEN)).map_err(argon_error)?;
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

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the password is the user's (never for an unknown user).
    pub matched: bool,
    /// Whether the stored hash was made with another cost than today's, so that it should
    /// be replaced now that the password is known to be right.
    pub needs_rehash: bool,
}

/// Whether `phc` was made with the current algorithm and cost.
fn is_current(phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|parsed| {
        parsed.algorithm == Algorithm::Argon2id.ident()
            && Params::try_from(&parsed).is_ok_and(|params| {
                params.m_cost() == M_COST_KIB
                    && params.t_cost() == T_COST
                    && params.p_cost() == P_COST
            })
    })
}

/// Whether `password` hashes to `phc` under the algorithm, version, cost and salt `phc`
/// names. The comparison is constant-time.
pub fn verify_blocking(password: &[u8], phc: &str) -> Result<bool, ApiError> {
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
/// user, so both cases cost the same. It never matches the dummy.
pub async fn verify(password: String, stored: Option<String>) -> Result<Verdict, ApiError> {
    let known = stored.is_some();
    let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
    let needs_rehash = known && !is_current(&phc);
    let matched = tokio::task::spawn_blocking(move || verify_blocking(password.as_bytes(), &phc))
        .await
        .map_err(ApiError::internal)??;
    Ok(Verdict {
        matched: known && matched,
        needs_rehash: known && matched && needs_rehash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_password() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        let right = verify("correct horse battery".into(), Some(stored.clone()))
            .await
            .unwrap();
        assert_eq!(
            right,
            Verdict {
                matched: true,
                needs_rehash: false
            }
        );
        assert!(
            !verify("wrong horse battery".into(), Some(stored))
                .await
                .unwrap()
                .matched
        );
    }

    #[tokio::test]
    async fn a_hash_of_the_earlier_cost_verifies_and_asks_to_be_replaced() {
        let old = hash_with(b"correct horse battery", 19 * 1024, 2).unwrap();
        assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        let right = verify("correct horse battery".into(), Some(old.clone()))
            .await
            .unwrap();
        assert_eq!(
            right,
            Verdict {
                matched: true,
                needs_rehash: true
            }
        );
        let wrong = verify("wrong horse battery".into(), Some(old))
            .await
            .unwrap();
        assert_eq!(
            wrong,
            Verdict {
                matched: false,
                needs_rehash: false
            },
            "only a right password earns a rehash"
        );
    }

    #[tokio::test]
    async fn the_dummy_hash_never_matches_but_is_checked_at_full_cost() {
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "the dummy hash parses"
        );
        assert!(
            is_current(DUMMY_HASH),
            "the dummy costs what a real hash costs"
        );
        assert!(
            !verify("anything at all".into(), None)
                .await
                .unwrap()
                .matched
        );
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
        assert!(check_strength(&a, "admin").is_ok());
    }
}
