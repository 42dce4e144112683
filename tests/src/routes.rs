//! Which function serves a path, read from the workspace router in `Cargo.toml`
//! (`[workspace.metadata.lambda.watch.router]`), the table `cargo lambda watch` serves and
//! the SAM template mirrors. A test sends a request by its path, as a client does, and the
//! router picks the function, so tests need not know which function serves what, and a
//! route missing from the table fails every test that uses it.

use std::sync::OnceLock;

use crate::{Handler, auth_handler, clients_handler, loans_handler};

/// `(path template, function name)` for every route of the workspace router.
fn table() -> &'static [(String, String)] {
    static TABLE: OnceLock<Vec<(String, String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let manifest: toml::Table =
            toml::from_str(include_str!("../../Cargo.toml")).expect("the workspace manifest");
        manifest["workspace"]["metadata"]["lambda"]["watch"]["router"]
            .as_table()
            .expect("a workspace router")
            .iter()
            .map(|(path, function)| {
                let function = function.as_str().expect("a function name").to_owned();
                (path.clone(), function)
            })
            .collect()
    })
}

/// Whether `path` is an instance of `template` (`/loans/{loan_id}` matches `/loans/01J`).
fn matches(template: &str, path: &str) -> bool {
    let template: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
    let path: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| (t.starts_with('{') && t.ends_with('}')) || t == p)
}

/// The name of the function the workspace router sends `path` to.
pub fn function_for(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    // A literal segment wins over a parameter, as in API Gateway.
    table()
        .iter()
        .filter(|(template, _)| matches(template, path))
        .min_by_key(|(template, _)| template.matches('{').count())
        .map(|(_, function)| function.as_str())
}

/// The handler of the function that serves `path`; panics for a path no function serves.
pub fn handler_for(path: &str) -> Handler {
    match function_for(path) {
        Some("clients") => clients_handler,
        Some("loans") => loans_handler,
        Some("auth") => auth_handler,
        Some(other) => panic!("the router names a function the tests do not know: {other}"),
        None => panic!("no function of the workspace router serves {path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_go_to_the_function_of_their_route() {
        let cases = [
            ("/clients", Some("clients")),
            ("/clients/01J?limit=2", Some("clients")),
            ("/clients/01J/loans", Some("loans")),
            ("/loans/01J/schedule", Some("loans")),
            ("/auth/login", Some("auth")),
            ("/users/ana", Some("auth")),
            ("/nowhere", None),
        ];
        for (path, function) in cases {
            assert_eq!(function_for(path), function, "{path}");
        }
    }
}
