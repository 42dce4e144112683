//! The lending API's OpenAPI 3.1 document, generated from the code with utoipa.
//!
//! **Derived next to the code it describes.** Each handler declares its operation with
//! `#[utoipa::path]` (method, path, id, tag, summary, description, parameters, body, the
//! successes and the reasons of its own errors), and each function crate collects its
//! operations in an `Operations` type. The wire types derive `ToSchema`: request bodies in
//! the function crates (`ClientInput`, `LoanInput`, `QuoteInput`, `Credentials`), responses
//! in `shared` (`Client`, `Loan`, `Schedule`, `User`, `Me`, `TokenPair`, `Problem`...). Field
//! names, nesting, which fields are required and enum values come from the types; each
//! field's limits come from a `schema_with` function of `shared::openapi` that reads the
//! validator's own constant, since utoipa's validation attributes take literals only. The
//! parameters are `IntoParams` implemented on the extractors that read them (`ClientId`,
//! `IfMatch`, `Idempotency`, `PageRequest`) and on the functions' list filters, so that a
//! handler's `params(...)` lists the types its arguments take; the derive of `IntoParams`
//! would need a struct per query (the lists read theirs by name from `QueryPairs`) and
//! literal limits. All of this is behind the `openapi` feature of `shared` and of each
//! function crate, which only this crate enables: the Lambda binaries carry no utoipa.
//!
//! **Completed from each operation's shape** (`operations.rs`): the standard problems and
//! their general reasons, headers, `x-roles`, the access sentence, links and examples, as
//! the shared HTTP code makes them true of every operation of that shape. Markers with no
//! OpenAPI meaning ride as `x-customer`, `x-stateless` and `x-component` extensions, and
//! are removed: the parameters move into `components/parameters` under the name each
//! carries (`parameters.rs`). The schemas are finished in `schemas.rs`: a flattened
//! struct's `allOf` merged into one object, request bodies closed to unknown fields (the
//! body parser refuses them), and the examples of `examples.rs` attached.
//!
//! **Built by hand**, because no type or derive says it: the document's introduction,
//! servers, tags and security scheme; the reusable response headers and the error
//! responses with their example bodies (rendered by `ApiError` itself); `ValidationProblem`
//! (the problem body with `errors` always present, which has no type of its own); the
//! `PATCH` bodies `ClientPatch` and `LoanPatch`, made from the derived `ClientInput` and
//! `LoanInput` (one Rust type reads the `POST`, `PUT` and `PATCH` bodies, and a type has
//! one schema); `NewUser` (one struct whose rules depend on its `role`, stated as a
//! `oneOf`); and the pages (the derive would name them `Page_Client` and inline their
//! item). The last three sit with their types, behind the same feature.
//!
//! **Why not `utoipa-axum`.** Its router registers a route and its documentation in one
//! call, but it is the router the Lambda binaries would run: utoipa would be linked into
//! them and the document built at every cold start, or every route declared twice. The
//! `#[utoipa::path]` attributes sit on the handlers instead, compiled only with the
//! feature, and the tests check that the documented routes and methods are exactly those
//! the functions serve.
//!
//! Every response example is rendered by the real serializers or by `ApiError::body`. The
//! committed `docs/openapi.json` is this crate's output (`make openapi`); the tests fail
//! when the two differ, when a route of the workspace router is undocumented, or when an
//! example stops matching its schema.

use std::fmt;

use utoipa::OpenApi as _;
use utoipa::openapi::info::{ContactBuilder, InfoBuilder, LicenseBuilder};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::server::{ServerBuilder, ServerVariableBuilder};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{Components, OpenApi, OpenApiBuilder, Server, Tag};

mod description;
mod examples;
mod headers;
mod links;
mod operations;
mod parameters;
mod problems;
mod schemas;
mod security;

/// Who answers questions about the API (`info.contact`).
pub const CONTACT_NAME: &str = "Lending API team";
/// Where integrators find the API's support page.
pub const CONTACT_URL: &str = "https://lending.example/developers";
/// The API team's address.
pub const CONTACT_EMAIL: &str = "api@lending.example";

/// Why the document could not be generated.
#[derive(Debug)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The whole document, or what in the declarations stops it from being complete.
pub fn document() -> Result<OpenApi, Error> {
    let mut document = clients::openapi::Operations::openapi();
    document.merge(loans::openapi::Operations::openapi());
    document.merge(auth::openapi::Operations::openapi());
    let mut components = document.components.take().unwrap_or_default();
    add_hand_built(&mut components);
    operations::complete(&mut document.paths, &mut components).map_err(Error)?;
    schemas::flatten(&mut components);
    schemas::close(&document.paths, &mut components);
    schemas::examples(&mut components).map_err(Error)?;
    Ok(OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Lending API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(description::text()))
                .contact(Some(
                    ContactBuilder::new()
                        .name(Some(CONTACT_NAME))
                        .url(Some(CONTACT_URL))
                        .email(Some(CONTACT_EMAIL))
                        .build(),
                ))
                .license(Some(
                    LicenseBuilder::new()
                        .name("Apache-2.0")
                        .identifier(Some("Apache-2.0"))
                        .build(),
                )),
        )
        .servers(Some(servers()))
        .security(Some([SecurityRequirement::new(
            security::SCHEME,
            Vec::<String>::new(),
        )]))
        .tags(Some(tags()))
        .paths(document.paths)
        .components(Some(components))
        .build())
}

/// The components no operation brings along.
fn add_hand_built(components: &mut Components) {
    components.schemas.extend(shared::openapi::schemas());
    let (name, schema) = problems::validation_problem();
    components.schemas.insert(name, schema);
    components
        .security_schemes
        .insert(security::SCHEME.into(), security::scheme().into());
    components.headers.extend(headers::headers());
    components.responses.extend(problems::responses());
}

/// The document as pretty-printed JSON with a trailing newline, or why it cannot be.
pub fn try_json() -> Result<String, Error> {
    let mut text = document()?
        .to_pretty_json()
        .map_err(|err| Error(err.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// The document as pretty-printed JSON with a trailing newline, exactly as committed in
/// `docs/openapi.json`. On an error, a JSON object naming it, which the freshness test
/// would then report.
pub fn json() -> String {
    try_json().unwrap_or_else(|err| format!("{}\n", serde_json::json!({"error": err.0})))
}

fn servers() -> Vec<Server> {
    let variable = |default: &str, description: &str| {
        ServerVariableBuilder::new()
            .default_value(default)
            .description(Some(description))
            .build()
    };
    vec![
        ServerBuilder::new()
            .url("http://127.0.0.1:9000")
            .description(Some(
                "Local: `make dev` (cargo lambda watch and DynamoDB Local).",
            ))
            .build(),
        ServerBuilder::new()
            .url("https://{api_id}.execute-api.{region}.amazonaws.com")
            .description(Some(
                "AWS: the API Gateway HTTP API the SAM template deploys.",
            ))
            .parameter("api_id", variable("abc123defg", "The HTTP API's id."))
            .parameter("region", variable("us-east-1", "The AWS region."))
            .build(),
    ]
}

fn tags() -> Vec<Tag> {
    [
        ("Authentication", "Logging in, and who the caller is."),
        ("Users", "The logins of the API (admins only)."),
        (
            "Clients",
            "The lender's clients: borrowers and their personal data.",
        ),
        (
            "Loans",
            "Loans: application, lifecycle, terms and amortization schedules.",
        ),
        ("Quotes", "Schedules for terms alone, nothing stored."),
        (
            "Products",
            "The lender's loan products: price and bounds of what customers may apply for.",
        ),
    ]
    .into_iter()
    .map(|(name, description)| {
        TagBuilder::new()
            .name(name)
            .description(Some(description))
            .build()
    })
    .collect()
}
