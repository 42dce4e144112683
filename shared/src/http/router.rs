//! The route table every function serves: a typed `axum` router whose paths are the API
//! Gateway routes, with the API's answers for what it does not serve.
//!
//! [`Routes`] adds, for every path, a `405` listing (in `Allow`) exactly the methods
//! declared for it, a `404` for any path not declared, and authentication of every
//! request but those to the paths declared public: a request without a valid token gets
//! `401` before anything else is looked at, so unknown paths and methods reveal nothing.
//!
//! Adding a route: write the handler (extractors in, `Result<Reply, ApiError>` out), then
//! declare it in the function's `router()`: `.route("/things/{thing_id}",
//! get(read).patch(update))`. The path must also be in the workspace router of
//! `Cargo.toml` and in `template.yaml` for API Gateway to send it to the function, and the
//! handler documented with `#[cfg_attr(feature = "openapi", utoipa::path(...))]` and listed
//! in the function's `Operations` (the `openapi` crate's tests insist).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use http::Method;

use crate::App;
use crate::error::ApiError;

/// The methods of one path and the handler of each.
pub struct Endpoint {
    methods: Vec<Method>,
    router: MethodRouter<Arc<App>>,
}

macro_rules! method {
    ($(#[$doc:meta])* $name:ident, $method:ident) => {
        $(#[$doc])*
        pub fn $name<H, T>(handler: H) -> Endpoint
        where
            H: Handler<T, Arc<App>>,
            T: 'static,
        {
            Endpoint {
                methods: vec![Method::$method],
                router: axum::routing::$name(handler),
            }
        }

        impl Endpoint {
            $(#[$doc])*
            pub fn $name<H, T>(mut self, handler: H) -> Self
            where
                H: Handler<T, Arc<App>>,
                T: 'static,
            {
                self.methods.push(Method::$method);
                self.router = self.router.$name(handler);
                self
            }
        }
    };
}

method!(
    /// `GET` (which also answers `HEAD`).
    get,
    GET
);
method!(
    /// `POST`.
    post,
    POST
);
method!(
    /// `PUT`.
    put,
    PUT
);
method!(
    /// `PATCH`.
    patch,
    PATCH
);
method!(
    /// `DELETE`.
    delete,
    DELETE
);

/// A function's routes.
pub struct Routes {
    router: axum::Router<Arc<App>>,
    public: Vec<&'static str>,
}

impl Default for Routes {
    fn default() -> Self {
        Self::new()
    }
}

impl Routes {
    /// No routes yet.
    pub fn new() -> Self {
        Self {
            router: axum::Router::new(),
            public: Vec::new(),
        }
    }

    /// Serves `endpoint` at `path` (an API Gateway route such as `/loans/{loan_id}`); any
    /// other method on it is `405` with its `Allow`.
    pub fn route(mut self, path: &'static str, endpoint: Endpoint) -> Self {
        let allow = endpoint.methods;
        let router = endpoint
            .router
            .fallback(move || async move { ApiError::MethodNotAllowed { allow } });
        self.router = self.router.route(path, router);
        self
    }

    /// Like [`Routes::route`], for a path that takes no token (logging in).
    pub fn public(mut self, path: &'static str, endpoint: Endpoint) -> Self {
        self.public.push(path);
        self.route(path, endpoint)
    }

    /// The finished router over `app`.
    pub fn build(self, app: Arc<App>) -> axum::Router {
        let public: Arc<[&'static str]> = self.public.into();
        self.router
            .fallback(|| async { no_route() })
            .layer(middleware::from_fn_with_state(
                (app.clone(), public),
                authenticate,
            ))
            .with_state(app)
    }
}

/// `404` for a path no operation serves.
pub fn no_route() -> ApiError {
    ApiError::NotFound("no operation is served at this path".into())
}

/// Checks the bearer token of every request to a path that is not public, and hands the
/// authenticated [`crate::auth::Caller`] to the handlers (see `extract`).
async fn authenticate(
    State((app, public)): State<(Arc<App>, Arc<[&'static str]>)>,
    mut request: Request,
    next: Next,
) -> Response {
    if !public.contains(&request.uri().path()) {
        match app.tokens.authenticate(request.headers()) {
            Ok(caller) => {
                request.extensions_mut().insert(caller);
            }
            Err(err) => return err.into_response(),
        }
    }
    next.run(request).await
}
