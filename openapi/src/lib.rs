//! The lending API's OpenAPI 3.1 document, built from the code with utoipa's builder API.
//!
//! Limits and enums are read from the constants and types the validators use
//! (`shared::domain`, `shared::list`, `shared::auth`); patterns restate the validators'
//! rules, and the tests hold them to those rules. Every response example is rendered by the
//! real serializers or by `ApiError::into_response`, and the error responses an operation
//! lists follow from its shape (see `paths::Op`). The committed `docs/openapi.json` is this
//! crate's output (`cargo run -q -p openapi > docs/openapi.json`); the tests fail when the
//! two differ, when a route of the workspace router is undocumented, or when an example
//! stops matching its schema.

use utoipa::openapi::info::{InfoBuilder, LicenseBuilder};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::server::{ServerBuilder, ServerVariableBuilder};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{ComponentsBuilder, OpenApi, OpenApiBuilder, Server, Tag};

mod description;
mod examples;
mod headers;
mod parameters;
mod paths;
mod problems;
mod schemas;
mod security;

/// The whole document.
pub fn document() -> OpenApi {
    let mut components = ComponentsBuilder::new()
        .schemas_from_iter(schemas::all())
        .security_scheme(security::SCHEME, security::scheme())
        .build();
    components.parameters.extend(parameters::parameters());
    components.headers.extend(headers::headers());
    components.responses.extend(problems::responses());
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Lending API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(description::text()))
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
        .paths(paths::paths())
        .components(Some(components))
        .build()
}

/// The document as pretty-printed JSON with a trailing newline, or the serialization
/// error (which the types involved cannot produce: every map key is a string).
pub fn try_json() -> Result<String, serde_json::Error> {
    document().to_pretty_json().map(|mut text| {
        text.push('\n');
        text
    })
}

/// The document as pretty-printed JSON with a trailing newline, exactly as committed in
/// `docs/openapi.json`. On the (impossible) serialization error, a JSON object naming it,
/// which the freshness test would then report.
pub fn json() -> String {
    try_json().unwrap_or_else(|err| format!("{}\n", serde_json::json!({"error": err.to_string()})))
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
