//! Path routing that works the same behind API Gateway (with path parameters) and under
//! `cargo lambda watch` (without): handlers match on the decoded path segments.

use http::Method;
use lambda_http::Request;

use crate::error::ApiError;

/// The decoded, non-empty segments of the request path (`/clients/01J/` → `["clients", "01J"]`).
pub fn segments(request: &Request) -> Vec<String> {
    request
        .uri()
        .path()
        .split('/')
        .filter(|segment| !segment.is_empty())
        .map(|segment| percent_decode(segment).unwrap_or_else(|| segment.to_owned()))
        .collect()
}

fn percent_decode(segment: &str) -> Option<String> {
    if !segment.contains('%') {
        return Some(segment.to_owned());
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `405` with the methods the path does support.
pub fn method_not_allowed(allow: &[Method]) -> ApiError {
    ApiError::MethodNotAllowed {
        allow: allow.to_vec(),
    }
}

/// `404` for a path no operation serves.
pub fn no_route() -> ApiError {
    ApiError::NotFound("no operation is served at this path".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::Body;

    fn segments_of(uri: &str) -> Vec<String> {
        segments(&http::Request::builder().uri(uri).body(Body::Empty).unwrap())
    }

    #[test]
    fn splits_and_decodes_paths() {
        assert_eq!(segments_of("/clients/01J/"), ["clients", "01J"]);
        assert_eq!(segments_of("/users/ana%40x"), ["users", "ana@x"]);
        assert_eq!(segments_of("/clients?limit=2"), ["clients"]);
        assert_eq!(segments_of("/"), Vec::<String>::new());
    }
}
