//! Reading JSON request bodies: size limit (`413`), media type (`415`), syntax (`400`),
//! and shape (`422` with a JSON Pointer per offending field, unknown fields included).

use http::{HeaderMap, header};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::{ApiError, FieldError};

/// The largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The most unknown fields one response lists.
pub const MAX_REPORTED_ERRORS: usize = 20;

/// Whether the request declares `application/json` (parameters such as `charset` allowed).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// Parses the body `bytes` of a request with `headers` as `T`, reporting every unknown
/// field and the first badly typed one.
pub fn parse_json<T: DeserializeOwned>(headers: &HeaderMap, bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.len() > MAX_BODY_BYTES {
        return Err(too_large());
    }
    if !is_json(headers) {
        return Err(ApiError::UnsupportedMediaType);
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "a JSON request body is required".into(),
        ));
    }
    // JSON is UTF-8 (RFC 8259); the syntax check below skips the bytes of strings it ignores.
    if let Err(err) = std::str::from_utf8(bytes) {
        return Err(ApiError::BadRequest(format!(
            "the request body is not valid UTF-8 (byte {})",
            err.valid_up_to()
        )));
    }
    // Syntax first, on its own: a 400 must not depend on where a type error sits.
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).map_err(|err| {
        ApiError::BadRequest(format!(
            "the request body is not valid JSON ({})",
            position(&err)
        ))
    })?;

    let mut unknown = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let mut on_unknown =
        |path: serde_ignored::Path<'_>| unknown.push(pointer_of(&path.to_string()));
    let tracked = serde_ignored::Deserializer::new(&mut deserializer, &mut on_unknown);
    let parsed: Result<T, _> = serde_path_to_error::deserialize(tracked);
    // A hostile body can name thousands of unknown fields; report a bounded number.
    let mut errors: Vec<FieldError> = unknown
        .into_iter()
        .take(MAX_REPORTED_ERRORS)
        .map(|pointer| FieldError {
            pointer,
            detail: "is not a known field".into(),
        })
        .collect();
    match parsed {
        Ok(value) if errors.is_empty() => Ok(value),
        Ok(_) => Err(ApiError::Validation(errors)),
        Err(err) => {
            let pointer = pointer_of(&err.path().to_string());
            errors.push(FieldError {
                pointer,
                detail: describe(err.inner()),
            });
            Err(ApiError::Validation(errors))
        }
    }
}

/// The `413` of a body over [`MAX_BODY_BYTES`].
pub fn too_large() -> ApiError {
    ApiError::PayloadTooLarge {
        limit: MAX_BODY_BYTES,
    }
}

/// For `#[serde(default, deserialize_with = "present")]` on an `Option<Option<T>>` field:
/// `None` when the field is absent, `Some(None)` for an explicit `null`, `Some(Some(v))`
/// for a value. `PATCH` bodies need all three.
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Turns serde's `a.b[0]` path into the JSON Pointer `/a/b/0`.
fn pointer_of(path: &str) -> String {
    if path == "." || path == "?" || path.is_empty() {
        return String::new();
    }
    let mut pointer = String::new();
    for segment in path.split('.') {
        let mut parts = segment.split('[');
        if let Some(name) = parts.next().filter(|n| !n.is_empty()) {
            pointer.push('/');
            pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
        }
        for index in parts {
            pointer.push('/');
            pointer.push_str(index.trim_end_matches(']'));
        }
    }
    pointer
}

/// A caller-facing message for a type error, without serde's line/column noise.
fn describe(err: &serde_json::Error) -> String {
    let text = err.to_string();
    let message = text.split(" at line ").next().unwrap_or(&text);
    if message.starts_with("missing field") {
        return "is required".into();
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        return format!("has the wrong type: {rest}");
    }
    message.to_owned()
}

fn position(err: &serde_json::Error) -> String {
    format!("line {}, column {}", err.line(), err.column())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        nested: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    fn headers(content_type: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(value) = content_type {
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
        }
        headers
    }

    fn status_of(content_type: Option<&str>, body: &str) -> u16 {
        parse_json::<Sample>(&headers(content_type), body.as_bytes())
            .map(|_| 200)
            .unwrap_or_else(|e| e.status().as_u16())
    }

    #[test]
    fn classifies_bodies_by_status() {
        let big = format!(r#"{{"name":"{}"}}"#, "a".repeat(MAX_BODY_BYTES));
        let cases = [
            (
                Some("application/json"),
                r#"{"name":"a"}"#,
                200,
                "a valid body",
            ),
            (
                Some("application/json; charset=utf-8"),
                r#"{"name":"a"}"#,
                200,
                "a charset",
            ),
            (None, r#"{"name":"a"}"#, 415, "no content type"),
            (Some("text/plain"), r#"{"name":"a"}"#, 415, "plain text"),
            (Some("application/json"), &big, 413, "over 64 KiB"),
            (
                Some("application/json"),
                r#"{"name":"a""#,
                400,
                "truncated JSON",
            ),
            (Some("application/json"), "", 400, "empty body"),
            (
                Some("application/json"),
                r#"{"name":1}"#,
                422,
                "a wrong type",
            ),
            (
                Some("application/json"),
                r#"{"name":"a","admin":true}"#,
                422,
                "an unknown field",
            ),
            (Some("application/json"), r#"[1,2]"#, 422, "not an object"),
        ];
        for (content_type, body, expected, why) in cases {
            assert_eq!(status_of(content_type, body), expected, "{why}");
        }
    }

    #[test]
    fn points_at_the_offending_fields() {
        let body = r#"{"name":"a","extra":1,"nested":{"count":"x"}}"#;
        let Err(ApiError::Validation(errors)) =
            parse_json::<Sample>(&headers(Some("application/json")), body.as_bytes())
        else {
            panic!("expected a validation error");
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/extra", "/nested/count"]);
    }

    #[test]
    fn converts_serde_paths_to_pointers() {
        assert_eq!(pointer_of("a.b[0].c"), "/a/b/0/c");
        assert_eq!(pointer_of("."), "");
        assert_eq!(pointer_of("a/b"), "/a~1b");
    }
}
