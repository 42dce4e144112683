//! The parameters of the operations: `X-Request-Id`, which every operation takes, first, then
//! those its handler declares. Each is defined once, next to the code that reads it (see
//! `shared::openapi::params` and the function crates' `openapi` modules), and carries its
//! `components/parameters` name; here it moves there and a `$ref` takes its place.

use shared::openapi::COMPONENT;
use shared::openapi::params::request_id;
use utoipa::openapi::path::{Operation, Parameter, ParameterIn};
use utoipa::openapi::{Components, Ref, RefOr};

/// Whether `operation` declares the parameter `name` in `location`.
pub(crate) fn takes(operation: &Operation, location: ParameterIn, name: &str) -> bool {
    operation.parameters.iter().flatten().any(|parameter| {
        matches!(parameter, RefOr::T(parameter)
            if parameter.parameter_in == location && parameter.name == name)
    })
}

/// Puts `X-Request-Id` first, and every parameter of `operation` in `components`.
pub(crate) fn complete(
    operation: &mut Operation,
    components: &mut Components,
) -> Result<(), String> {
    let declared = operation.parameters.take().unwrap_or_default();
    let mut references = Vec::new();
    for parameter in std::iter::once(RefOr::T(request_id())).chain(declared) {
        let RefOr::T(parameter) = parameter else {
            return Err("declare parameters, not references".into());
        };
        references.push(RefOr::Ref(share(parameter, components)?));
    }
    operation.parameters = Some(references);
    Ok(())
}

/// Moves `parameter` to `components/parameters` under the name it carries; one already
/// there must be the same.
fn share(mut parameter: Parameter, components: &mut Components) -> Result<Ref, String> {
    let name = parameter
        .extensions
        .as_mut()
        .and_then(|extensions| extensions.remove(COMPONENT))
        .and_then(|name| name.as_str().map(str::to_owned))
        .ok_or(format!(
            "parameter {} has no {COMPONENT} name",
            parameter.name
        ))?;
    if parameter
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.is_empty())
    {
        parameter.extensions = None;
    }
    let parameter = RefOr::T(parameter);
    match components.parameters.get(&name) {
        Some(known) if *known != parameter => {
            return Err(format!("two different parameters are named {name}"));
        }
        Some(_) => {}
        None => {
            components.parameters.insert(name.clone(), parameter);
        }
    }
    Ok(Ref::new(format!("#/components/parameters/{name}")))
}
