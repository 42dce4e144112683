//! The `paths` of the document, and [`Op`], the builder every operation is declared with.
//!
//! An operation states its access, parameters, body and successes; `Op` adds what the
//! shared HTTP code makes true of every operation of that shape, so it cannot be
//! forgotten: `X-Request-Id`, `401` (unless public), `500`, `503` (unless it touches no
//! database), `400`/`413`/`415`/`422` for a JSON body, `400`/`422` for a list, `412` with
//! `If-Match`, `400`/`409`/`422` and `Idempotent-Replayed` with `Idempotency-Key`. Each
//! error response names the reasons this operation can give it.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::link::{Link, LinkBuilder};
use utoipa::openapi::path::{HttpMethod, Operation, OperationBuilder, PathItemBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{Paths, PathsBuilder, RefOr, Required};

use crate::headers::{header, standard_headers};
use crate::parameters::parameter;
use crate::problems::Problem;
use crate::schemas::reference;
use crate::security::Access;

mod auth;
mod clients;
mod loans;

/// One operation being declared.
pub(crate) struct Op {
    path: &'static str,
    method: HttpMethod,
    access: Access,
    description: String,
    operation: OperationBuilder,
    successes: Vec<(u16, ResponseBuilder)>,
    problems: BTreeMap<Problem, Vec<String>>,
    replayable: bool,
}

impl Op {
    /// `method path`, known as `id`, listed under `tag`, callable by `access`.
    pub(crate) fn new(
        method: HttpMethod,
        path: &'static str,
        id: &str,
        tag: &str,
        summary: &str,
        access: Access,
    ) -> Self {
        let operation = OperationBuilder::new()
            .operation_id(Some(id))
            .tag(tag)
            .summary(Some(summary))
            .securities(Some(access.requirements()))
            .extensions(Some(access.extension()))
            .parameter_ref(parameter("RequestId"));
        let mut op = Self {
            path,
            method,
            access,
            description: String::new(),
            operation,
            successes: Vec::new(),
            problems: BTreeMap::new(),
            replayable: false,
        };
        if !matches!(access, Access::Public) {
            op.problems.insert(Problem::Unauthorized, Vec::new());
        }
        op.problems.insert(Problem::Internal, Vec::new());
        op.problems.insert(Problem::Unavailable, Vec::new());
        op
    }

    /// What the operation does (the access sentence is appended).
    pub(crate) fn describe(mut self, text: &str) -> Self {
        self.description = text.to_owned();
        self
    }

    /// Takes the reusable parameter `name` (`components/parameters`).
    pub(crate) fn param(mut self, name: &str) -> Self {
        self.operation = self.operation.parameter_ref(parameter(name));
        self
    }

    /// A paginated list: `limit` and `cursor`, and their failures.
    pub(crate) fn list(self) -> Self {
        self.param("Limit")
            .param("Cursor")
            .fails(
                Problem::BadRequest,
                "An unknown or repeated query parameter, or a cursor that is invalid, \
                 edited, expired or was issued to another caller or for other filters.",
            )
            .fails(
                Problem::Validation,
                "A query parameter breaks its rules (`limit` outside 1 to 100, a malformed \
                 filter); pointers are `#/query/<name>`.",
            )
    }

    /// Takes a JSON body of the component schema `schema`.
    pub(crate) fn body(mut self, schema: &str, description: &str) -> Self {
        let body = RequestBodyBuilder::new()
            .description(Some(description))
            .required(Some(Required::True))
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(reference(schema)))
                    .build(),
            )
            .build();
        self.operation = self.operation.request_body(Some(body));
        self.fails(
            Problem::BadRequest,
            "The body is not valid JSON, or is empty.",
        )
        .fails(Problem::PayloadTooLarge, "")
        .fails(Problem::UnsupportedMediaType, "")
        .fails(
            Problem::Validation,
            "A field breaks its rules, a required one is missing, or the body has an \
                 unknown field.",
        )
    }

    /// Honours `If-Match`.
    pub(crate) fn conditional(self) -> Self {
        self.param("IfMatch").fails(
            Problem::PreconditionFailed,
            "`If-Match` names a version that is no longer current.",
        )
    }

    /// A create that accepts `Idempotency-Key` (and marks replayed answers).
    pub(crate) fn idempotent(mut self) -> Self {
        self.replayable = true;
        self.param("IdempotencyKey")
            .fails(
                Problem::BadRequest,
                "`Idempotency-Key` is not 1 to 255 visible ASCII characters.",
            )
            .fails(
                Problem::Conflict,
                "A request with the same `Idempotency-Key` is still in progress.",
            )
            .fails(
                Problem::Validation,
                "The `Idempotency-Key` was already used with a different body (pointer \
                 `#/header/Idempotency-Key`).",
            )
    }

    /// Touches no database, so it never answers `503`.
    pub(crate) fn stateless(mut self) -> Self {
        self.problems.remove(&Problem::Unavailable);
        self
    }

    /// Can fail with `problem`, for the reason `why` (empty: the general one).
    pub(crate) fn fails(mut self, problem: Problem, why: &str) -> Self {
        let reasons = self.problems.entry(problem).or_default();
        if !why.is_empty() {
            reasons.push(why.to_owned());
        }
        self
    }

    /// Adds `links` (name, link) to the success response `status`, declared before with
    /// [`Op::answers`]: the operations a client (or a stateful test) can call next with
    /// values taken from this response.
    pub(crate) fn links(mut self, status: u16, links: Vec<(&str, Link)>) -> Self {
        if let Some((_, response)) = self.successes.iter_mut().find(|(s, _)| *s == status) {
            for (name, link) in links {
                *response = std::mem::take(response).link(name, link);
            }
        }
        self
    }

    /// Succeeds with `status`, a JSON body of `schema` (if any) and extra `headers`.
    pub(crate) fn answers(
        mut self,
        status: u16,
        description: &str,
        schema: Option<&str>,
        headers: &[&str],
        example: Option<Value>,
    ) -> Self {
        let mut response = standard_headers(ResponseBuilder::new()).description(description);
        for name in headers {
            response = response.header_ref(*name, header(name));
        }
        if let Some(schema) = schema {
            let content = ContentBuilder::new()
                .schema(Some(reference(schema)))
                .example(example)
                .build();
            response = response.content("application/json", content);
        }
        self.successes.push((status, response));
        self
    }

    fn build(self) -> (&'static str, HttpMethod, Operation) {
        let description = match self.description.as_str() {
            "" => self.access.describe(),
            text => format!("{text}\n\n{}", self.access.describe()),
        };
        let mut operation = self.operation.description(Some(description));
        for (status, mut response) in self.successes {
            if self.replayable {
                let name = "Idempotent-Replayed";
                response = response.header_ref(name, header(name));
            }
            operation = operation.response(status.to_string(), RefOr::T(response.build()));
        }
        for (problem, reasons) in self.problems {
            let why = (!reasons.is_empty()).then(|| reasons.join(" "));
            operation = operation.response(problem.status().to_string(), problem.reference(why));
        }
        (self.path, self.method, operation.build())
    }
}

/// A link to the operation `id`, filling its `parameters` (`in.name`, as `path.client_id`
/// or `header.If-Match`) with runtime expressions on the response (`$response.body#/id`,
/// `$response.header.ETag`).
pub(crate) fn link(id: &str, description: &str, parameters: &[(&str, &str)]) -> Link {
    parameters
        .iter()
        .fold(
            LinkBuilder::new().operation_id(id).description(description),
            |link, (name, expression)| link.parameter(*name, *expression),
        )
        .build()
}

/// The method's name as `Allow` spells it, and its place in the order the handlers list
/// methods in (`GET, POST, PUT, PATCH, DELETE`).
fn method_name(method: &HttpMethod) -> (usize, &'static str) {
    match method {
        HttpMethod::Get => (0, "GET"),
        HttpMethod::Head => (1, "HEAD"),
        HttpMethod::Post => (2, "POST"),
        HttpMethod::Put => (3, "PUT"),
        HttpMethod::Patch => (4, "PATCH"),
        HttpMethod::Delete => (5, "DELETE"),
        HttpMethod::Options => (6, "OPTIONS"),
        HttpMethod::Trace => (7, "TRACE"),
    }
}

/// Every path, in the order of the router table, with the operations it serves.
pub(crate) fn paths() -> Paths {
    let mut items: Vec<(&str, Vec<(HttpMethod, Operation)>)> = Vec::new();
    for op in [
        clients::operations(),
        loans::operations(),
        auth::operations(),
    ]
    .into_iter()
    .flatten()
    {
        let (path, method, operation) = op.build();
        match items.iter_mut().find(|(known, _)| *known == path) {
            Some((_, operations)) => operations.push((method, operation)),
            None => items.push((path, vec![(method, operation)])),
        }
    }
    let mut paths = PathsBuilder::new();
    for (path, operations) in items {
        let mut allow: Vec<(usize, &str)> =
            operations.iter().map(|(m, _)| method_name(m)).collect();
        allow.sort_unstable();
        let allow: Vec<&str> = allow.into_iter().map(|(_, name)| name).collect();
        let mut item = PathItemBuilder::new().description(Some(format!(
            "Any other method is `405 Method Not Allowed` with `Allow: {}`.",
            allow.join(", ")
        )));
        for (method, operation) in operations {
            item = item.operation(method, operation);
        }
        paths = paths.path(path, item.build());
    }
    paths.build()
}
