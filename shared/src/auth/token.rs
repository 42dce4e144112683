//! Access tokens: HS256 JWTs issued at login and verified on every other request.
//!
//! Verification pins the algorithm (no `alg: none`, no key confusion), requires `exp`,
//! `nbf`, `iat`, `iss`, `aud`, `sub` and `typ: "access"`, refuses a token issued in the
//! future or living longer than [`TOKEN_LIFETIME_SECS`], allows 30 s of clock skew on every
//! time, and never reveals why a token was refused: every failure is the same `401` with
//! `WWW-Authenticate: Bearer`.
//!
//! Refresh tokens are not JWTs: they are opaque random strings (see [`new_refresh_token`]),
//! stored only as a keyed hash ([`TokenKeys::refresh_digest`]), so neither kind of token
//! can ever pass for the other.

use chrono::Utc;
use http::{HeaderMap, header};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use super::{Caller, Role};
use crate::domain::ids::ClientId;
use crate::error::ApiError;

/// Who issues tokens: the `iss` claim, checked on every token.
pub const ISSUER: &str = "lending-api";
/// Who tokens are for: the `aud` claim, checked on every token, so a token minted for
/// another service with the same secret is refused.
pub const AUDIENCE: &str = "lending-api";
/// How long an access token lives, in seconds (5 minutes). Access tokens are not looked
/// up, so this bounds how long a deleted, disabled or re-roled user's token keeps working
/// once its refresh tokens are revoked.
pub const TOKEN_LIFETIME_SECS: i64 = 5 * 60;
/// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds.
pub const LEEWAY_SECS: u64 = 30;
/// How long an admin's refresh tokens last, counted from the login (12 hours).
pub const ADMIN_REFRESH_SECS: i64 = 12 * 60 * 60;
/// How long a customer's refresh tokens last, counted from the login (30 days).
pub const CUSTOMER_REFRESH_SECS: i64 = 30 * 24 * 60 * 60;

/// How long the refresh tokens of a login with `role` last.
pub fn refresh_lifetime_secs(role: Role) -> i64 {
    match role {
        Role::Admin => ADMIN_REFRESH_SECS,
        Role::User => CUSTOMER_REFRESH_SECS,
    }
}

/// The `typ` claim of an access token.
pub const ACCESS_TYPE: &str = "access";

/// The claims of an access token. Times are seconds since the Unix epoch.
#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The username the token was issued to.
    pub sub: String,
    /// The user's role when the token was issued.
    pub role: Role,
    /// The customer's client; `None` for admins (verification refuses any other pairing).
    pub client_id: Option<String>,
    /// Always [`ISSUER`].
    pub iss: String,
    /// Always [`AUDIENCE`].
    pub aud: String,
    /// When the token was issued.
    pub iat: i64,
    /// When the token starts being valid: `iat`.
    pub nbf: i64,
    /// Always [`ACCESS_TYPE`].
    pub typ: String,
    /// When the token expires: `iat` + [`TOKEN_LIFETIME_SECS`].
    pub exp: i64,
    /// A unique id (a ULID), so that no two tokens are identical.
    pub jti: String,
}

/// A signed access token, as [`TokenKeys::issue`] makes it; a [`TokenPair`] carries it to
/// the caller.
#[derive(Debug)]
pub struct IssuedToken {
    /// The signed JWT.
    pub access_token: String,
    /// Always `"Bearer"`.
    pub token_type: &'static str,
    /// Seconds the token stays valid ([`TOKEN_LIFETIME_SECS`]).
    pub expires_in: i64,
}

/// The body of a successful login or refresh: a new access token and a new refresh token.
#[derive(Debug, Serialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(as = TokenPair, description = "An access token and the refresh token that renews it.")
)]
pub struct TokenPair {
    /// The signed JWT, sent back as `Authorization: Bearer <access_token>`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::user::access_token))]
    pub access_token: String,
    /// Always `"Bearer"`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::user::token_type))]
    pub token_type: &'static str,
    /// Seconds the access token stays valid ([`TOKEN_LIFETIME_SECS`]).
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::user::expires_in))]
    pub expires_in: i64,
    /// The opaque refresh token, good for one `POST /auth/refresh`.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::user::refresh_token))]
    pub refresh_token: String,
    /// Seconds the refresh token stays valid.
    #[cfg_attr(feature = "openapi", schema(schema_with = crate::openapi::user::refresh_expires_in))]
    pub refresh_expires_in: i64,
}

impl TokenPair {
    /// The pair of `access` and a refresh token valid for `refresh_expires_in` seconds.
    pub fn new(access: IssuedToken, refresh_token: String, refresh_expires_in: i64) -> Self {
        Self {
            access_token: access.access_token,
            token_type: access.token_type,
            expires_in: access.expires_in,
            refresh_token,
            refresh_expires_in,
        }
    }
}

/// Bytes of randomness in a refresh token (256 bits).
const REFRESH_TOKEN_BYTES: usize = 32;

/// A new refresh token: 256 random bits, base64url without padding (43 characters).
pub fn new_refresh_token() -> Result<String, ApiError> {
    use base64::Engine as _;
    let mut bytes = [0u8; REFRESH_TOKEN_BYTES];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| ApiError::internal("no randomness available"))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Whether `text` has the shape of a refresh token (so garbage costs no database call).
pub fn looks_like_refresh_token(text: &str) -> bool {
    text.len() == 43
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Signs and verifies tokens with one shared secret.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    refresh_key: aws_lc_rs::hmac::Key,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKeys(<secret>)")
    }
}

fn unauthorized() -> ApiError {
    ApiError::Unauthorized("a valid bearer token is required".into())
}

impl TokenKeys {
    /// Keys from a secret of at least 32 bytes (the configuration enforces the length).
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.validate_nbf = true;
        // The key of refresh-token digests is derived from the secret under its own label,
        // so a digest is never also a valid signature.
        let master = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
        let derived = aws_lc_rs::hmac::sign(&master, b"lending-api refresh token digest");
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            refresh_key: aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, derived.as_ref()),
        }
    }

    /// The keyed hash (HMAC-SHA-256, hex) a refresh token is stored and looked up under.
    pub fn refresh_digest(&self, refresh_token: &str) -> String {
        let tag = aws_lc_rs::hmac::sign(&self.refresh_key, refresh_token.as_bytes());
        tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Issues a token for `caller`, valid from `now` for [`TOKEN_LIFETIME_SECS`].
    pub fn issue(&self, caller: &Caller, now: i64) -> Result<IssuedToken, ApiError> {
        let claims = Claims {
            sub: caller.username.clone(),
            role: caller.role,
            client_id: caller.client_id.as_ref().map(|id| id.as_str().to_owned()),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now,
            nbf: now,
            typ: ACCESS_TYPE.into(),
            exp: now + TOKEN_LIFETIME_SECS,
            jti: crate::domain::time::new_id(),
        };
        let access_token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(ApiError::internal)?;
        Ok(IssuedToken {
            access_token,
            token_type: "Bearer",
            expires_in: TOKEN_LIFETIME_SECS,
        })
    }

    /// Verifies a raw token (signature, algorithm, `exp`, `iss`, `aud`, `sub`, and that the
    /// role and `client_id` agree) and returns its caller; any failure is the same `401`.
    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        let data = decode::<Claims>(token, &self.decoding, &self.validation).map_err(|err| {
            tracing::info!(reason = %err, "token refused");
            unauthorized()
        })?;
        let claims = data.claims;
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        let now = Self::now();
        // Issued in the future, or living longer than this service ever issues: forged.
        if claims.typ != ACCESS_TYPE
            || claims.iat > now + leeway
            || claims.exp - claims.iat > TOKEN_LIFETIME_SECS
            || claims.nbf < claims.iat
        {
            tracing::info!("token refused: wrong type, issue time or lifetime");
            return Err(unauthorized());
        }
        // A customer token without its client, or an admin token bound to one, was not
        // issued by this service.
        let client_id = match (claims.role, claims.client_id) {
            (Role::Admin, None) => None,
            (Role::User, Some(id)) => Some(ClientId::parse(&id).ok_or_else(unauthorized)?),
            _ => return Err(unauthorized()),
        };
        if claims.sub.is_empty() {
            return Err(unauthorized());
        }
        Ok(Caller {
            username: claims.sub,
            role: claims.role,
            client_id,
        })
    }

    /// Authenticates a request from its `Authorization: Bearer <token>` header (scheme
    /// case-insensitive); a missing or malformed header is `401`.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let header = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .ok_or_else(unauthorized)?;
        let (scheme, token) = header.trim().split_once(' ').ok_or_else(unauthorized)?;
        if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
            return Err(unauthorized());
        }
        self.verify(token.trim())
    }

    /// The current time as token timestamps count it: whole seconds since the Unix epoch.
    pub fn now() -> i64 {
        Utc::now().timestamp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    const SECRET: &[u8] = b"unit-test-token-secret-0123456789abcdef";

    fn keys() -> TokenKeys {
        TokenKeys::new(SECRET)
    }

    fn admin() -> Caller {
        Caller {
            username: "root".into(),
            role: Role::Admin,
            client_id: None,
        }
    }

    /// Signs arbitrary claims (and header) with `secret`, to forge tokens.
    fn sign(header: &serde_json::Value, claims: &serde_json::Value, secret: &[u8]) -> String {
        let head = URL_SAFE_NO_PAD.encode(header.to_string());
        let body = URL_SAFE_NO_PAD.encode(claims.to_string());
        let input = format!("{head}.{body}");
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, secret);
        let tag = aws_lc_rs::hmac::sign(&key, input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()))
    }

    fn claims(now: i64) -> serde_json::Value {
        json!({"sub": "root", "role": "admin", "client_id": null, "iss": ISSUER, "aud": AUDIENCE,
               "iat": now, "nbf": now, "exp": now + 300, "typ": "access", "jti": "x"})
    }

    #[test]
    fn an_issued_token_verifies_to_its_caller() {
        let token = keys().issue(&admin(), TokenKeys::now()).unwrap();
        assert_eq!(token.expires_in, 300);
        assert_eq!(keys().verify(&token.access_token).unwrap(), admin());
    }

    #[test]
    fn refresh_tokens_are_random_and_digested_with_the_key() {
        let (a, b) = (new_refresh_token().unwrap(), new_refresh_token().unwrap());
        assert_ne!(a, b);
        assert!(looks_like_refresh_token(&a), "{a}");
        assert!(!looks_like_refresh_token("short"));
        assert_eq!(keys().refresh_digest(&a), keys().refresh_digest(&a));
        assert_ne!(keys().refresh_digest(&a), keys().refresh_digest(&b));
        let other = TokenKeys::new(b"another-secret-of-enough-length-123456");
        assert_ne!(keys().refresh_digest(&a), other.refresh_digest(&a));
        assert_eq!(keys().refresh_digest(&a).len(), 64);
    }

    #[test]
    fn forged_or_broken_tokens_are_refused() {
        let now = TokenKeys::now();
        let hs256 = json!({"alg": "HS256", "typ": "JWT"});
        let with = |key: &str, value: serde_json::Value| {
            let mut c = claims(now);
            c[key] = value;
            sign(&hs256, &c, SECRET)
        };
        let without = |key: &str| {
            let mut c = claims(now);
            c.as_object_mut().unwrap().remove(key);
            sign(&hs256, &c, SECRET)
        };
        let valid = sign(&hs256, &claims(now), SECRET);
        let unsigned = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(json!({"alg": "none"}).to_string()),
            URL_SAFE_NO_PAD.encode(claims(now).to_string())
        );
        let cases = [
            ("", "empty"),
            ("not.a.token", "garbage"),
            (&unsigned as &str, "alg none"),
            (
                &sign(
                    &hs256,
                    &claims(now),
                    b"another-secret-of-enough-length-123456",
                ) as &str,
                "another key",
            ),
            (
                &format!("{}x", &valid[..valid.len() - 1]) as &str,
                "bad signature",
            ),
            (
                &with("exp", json!(now - 120)) as &str,
                "expired beyond the leeway",
            ),
            (
                &with("exp", json!((now + 300).to_string())) as &str,
                "exp as a string",
            ),
            (&without("nbf") as &str, "no nbf"),
            (&without("iat") as &str, "no iat"),
            (&without("typ") as &str, "no typ"),
            (&with("typ", json!("refresh")) as &str, "a refresh type"),
            (
                &with("nbf", json!(now + 120)) as &str,
                "not valid before a later time",
            ),
            (
                &with("iat", json!(now + 120)) as &str,
                "issued in the future",
            ),
            (
                &with("exp", json!(now + 3600)) as &str,
                "a lifetime longer than issued",
            ),
            (&with("iss", json!("someone-else")) as &str, "wrong issuer"),
            (&with("aud", json!("another-api")) as &str, "wrong audience"),
            (&without("exp") as &str, "no exp"),
            (&without("sub") as &str, "no sub"),
            (&without("iss") as &str, "no iss"),
            (&without("aud") as &str, "no aud"),
            (&with("role", json!("superuser")) as &str, "unknown role"),
            (
                &with("role", json!("user")) as &str,
                "a customer without a client",
            ),
            (
                &sign(&json!({"alg": "HS512"}), &claims(now), SECRET) as &str,
                "another algorithm",
            ),
        ];
        for (token, why) in cases {
            let err = keys().verify(token).unwrap_err();
            assert_eq!(err.status(), 401, "{why}");
        }
        assert!(keys().verify(&valid).is_ok(), "the control token verifies");
        assert!(
            keys().verify(&with("exp", json!(now - 10))).is_ok(),
            "10 s late is within the leeway"
        );
    }
}
