//! Completes each operation that a handler's `#[utoipa::path]` declares with what the shared
//! HTTP code makes true of every operation of its shape, so that none can be forgotten.
//!
//! From the declared access: `security` and `x-roles`, the access sentence, `401` unless
//! public, `403` when admin-only. Always `X-Request-Id` in, the standard headers out, and
//! `500`; `503` unless marked `x-stateless` (it touches no database). From the parameters:
//! `400`/`422` for `limit` and `cursor`, `412` for `If-Match`, `400`/`409`/`422` and
//! `Idempotent-Replayed` for `Idempotency-Key`; from a JSON body, `400`/`413`/`415`/`422`.
//! Each error the handler declares adds its description to the reasons of the shared
//! problem response of its status, which it becomes a reference to. Success responses get
//! their headers (declared by name) as references, the links of the resource they carry,
//! and an example where it differs from the schema's.

use std::collections::BTreeMap;

use serde_json::Value;
use shared::http::idempotency::MAX_KEY_LEN;
use shared::list::MAX_LIMIT;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::Response;
use utoipa::openapi::{Components, Paths, RefOr};

use crate::problems::Problem;
use crate::security::Access;
use crate::{examples, headers, links, parameters};

/// The extension that marks an operation touching no database: it never answers `503`.
const STATELESS: &str = "x-stateless";

/// Completes every operation of `paths`, moving their parameters into `components`.
pub(crate) fn complete(paths: &mut Paths, components: &mut Components) -> Result<(), String> {
    for (path, item) in paths.paths.iter_mut() {
        let mut allow = Vec::new();
        for (method, operation) in served(item)? {
            complete_one(operation, components).map_err(|err| format!("{method} {path}: {err}"))?;
            allow.push(method);
        }
        item.description = Some(format!(
            "Any other method is `405 Method Not Allowed` with `Allow: {}`.",
            allow.join(", ")
        ));
    }
    Ok(())
}

/// The operations of `item`, in the order the router lists methods in `Allow`.
fn served(item: &mut PathItem) -> Result<Vec<(&'static str, &mut Operation)>, String> {
    if item.head.is_some() || item.options.is_some() || item.trace.is_some() {
        return Err("the router serves only GET, POST, PUT, PATCH and DELETE".into());
    }
    Ok([
        ("GET", &mut item.get),
        ("POST", &mut item.post),
        ("PUT", &mut item.put),
        ("PATCH", &mut item.patch),
        ("DELETE", &mut item.delete),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|operation| (method, operation)))
    .collect())
}

/// Removes the extension `name` from `operation` and returns its value.
pub(crate) fn take_extension(operation: &mut Operation, name: &str) -> Option<Value> {
    let extensions = operation.extensions.as_mut()?;
    let value = extensions.remove(name);
    if extensions.is_empty() {
        operation.extensions = None;
    }
    value
}

/// What an operation's shape adds: the problems with their general reasons, and whether
/// its successes may be replays.
struct Shape {
    problems: BTreeMap<Problem, Vec<String>>,
    replayable: bool,
}

impl Shape {
    fn fails(&mut self, problem: Problem, why: &str) {
        let reasons = self.problems.entry(problem).or_default();
        if !why.is_empty() {
            reasons.push(why.to_owned());
        }
    }

    fn of(operation: &Operation, access: &Access, stateless: bool) -> Self {
        let mut shape = Self {
            problems: BTreeMap::new(),
            replayable: false,
        };
        if *access != Access::Public {
            shape.fails(Problem::Unauthorized, "");
        }
        if *access == Access::Admin {
            shape.fails(Problem::Forbidden, "");
        }
        shape.fails(Problem::Internal, "");
        if !stateless {
            shape.fails(Problem::Unavailable, "");
        }
        let takes =
            |location: ParameterIn, name: &str| parameters::takes(operation, location, name);
        if takes(ParameterIn::Query, "limit") && takes(ParameterIn::Query, "cursor") {
            shape.fails(
                Problem::BadRequest,
                "An unknown or repeated query parameter, or a cursor that is invalid, \
                 edited, expired or was issued to another caller or for other filters.",
            );
            shape.fails(
                Problem::Validation,
                &format!(
                    "A query parameter breaks its rules (`limit` outside 1 to {MAX_LIMIT}, a \
                     malformed filter); pointers are `#/query/<name>`."
                ),
            );
        }
        if operation.request_body.is_some() {
            shape.fails(
                Problem::BadRequest,
                "The body is not valid JSON, or is empty.",
            );
            shape.fails(Problem::PayloadTooLarge, "");
            shape.fails(Problem::UnsupportedMediaType, "");
            shape.fails(
                Problem::Validation,
                "A field breaks its rules, a required one is missing, or the body has an \
                 unknown field.",
            );
        }
        if takes(ParameterIn::Header, "If-Match") {
            shape.fails(
                Problem::PreconditionFailed,
                "`If-Match` names a version that is no longer current.",
            );
        }
        if takes(ParameterIn::Header, "Idempotency-Key") {
            shape.replayable = true;
            shape.fails(
                Problem::BadRequest,
                &format!("`Idempotency-Key` is not 1 to {MAX_KEY_LEN} visible ASCII characters."),
            );
            shape.fails(
                Problem::Conflict,
                "A request with the same `Idempotency-Key` is still in progress.",
            );
            shape.fails(
                Problem::Validation,
                "The `Idempotency-Key` was already used with a different body (pointer \
                 `#/header/Idempotency-Key`).",
            );
        }
        shape
    }
}

fn complete_one(operation: &mut Operation, components: &mut Components) -> Result<(), String> {
    let access = Access::take(operation)?;
    let stateless = matches!(
        take_extension(operation, STATELESS),
        Some(Value::Bool(true))
    );
    if let Some(extensions) = &operation.extensions {
        let names: Vec<&String> = extensions.keys().collect();
        return Err(format!("unknown extensions {names:?}"));
    }
    let mut shape = Shape::of(operation, &access, stateless);
    let id = operation.operation_id.clone().unwrap_or_default();
    let mut responses = BTreeMap::new();
    for (status, response) in std::mem::take(&mut operation.responses.responses) {
        let RefOr::T(mut response) = response else {
            return Err(format!("{status}: declare a response, not a reference"));
        };
        let code: u16 = status
            .parse()
            .map_err(|_| format!("{status}: not a status"))?;
        if code < 400 {
            success(&mut response, &id, &status, shape.replayable)?;
            responses.insert(status, RefOr::T(response));
        } else {
            let problem = Problem::of_status(code).ok_or(format!("{status}: no such problem"))?;
            shape.fails(problem, &response.description);
        }
    }
    for (problem, reasons) in shape.problems {
        let why = (!reasons.is_empty()).then(|| reasons.join(" "));
        responses.insert(problem.status().to_string(), problem.reference(why));
    }
    operation.responses.responses = responses;
    parameters::complete(operation, components)?;
    operation.description = Some(match operation.description.as_deref() {
        None | Some("") => access.describe(),
        Some(text) => format!("{text}\n\n{}", access.describe()),
    });
    operation.security = Some(access.requirements());
    operation.extensions = Some(
        [("x-roles", serde_json::json!(access.roles()))]
            .into_iter()
            .collect(),
    );
    Ok(())
}

/// Completes a success response of the operation `id`.
fn success(
    response: &mut Response,
    id: &str,
    status: &str,
    replayable: bool,
) -> Result<(), String> {
    let mut names: Vec<String> = ["X-Request-Id", "Cache-Control", "X-Content-Type-Options"]
        .map(String::from)
        .into();
    names.extend(std::mem::take(&mut response.headers).into_keys());
    if replayable {
        names.push("Idempotent-Replayed".into());
    }
    for name in names {
        let header = headers::reference(&name).ok_or(format!("{status}: no header {name}"))?;
        response.headers.insert(name, header);
    }
    for content in response.content.values_mut() {
        let RefOr::T(content) = content else { continue };
        if let Some(RefOr::Ref(schema)) = &content.schema {
            let name = schema.ref_location.rsplit('/').next().unwrap_or_default();
            response.links.extend(
                links::following(name)
                    .into_iter()
                    .map(|(name, link)| (name.to_owned(), RefOr::T(link))),
            );
        }
        content.example = examples::response(id, status);
    }
    Ok(())
}
