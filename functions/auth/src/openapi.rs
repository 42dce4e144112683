//! The documentation of this function's operations (feature `openapi`): [`Operations`]
//! collects the `#[utoipa::path]` of each handler, and the `POST /users` body gets its
//! schema, a `oneOf` on `role` built by hand (see `shared::openapi::user`). The `openapi`
//! crate completes the operations and publishes them.

use crate::users::NewUser;

/// The operations of `/auth/...`, `/users` and `/users/{username}`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    super::login::login,
    super::sessions::refresh,
    super::sessions::logout,
    super::password::change,
    super::me,
    super::users::create,
    super::users::list,
    super::user_change::read,
    super::user_change::update,
    super::users::delete,
))]
pub struct Operations;

/// The schema of the body is a `oneOf` on `role`, built by hand (see `shared::openapi::user`).
impl utoipa::PartialSchema for NewUser {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        shared::openapi::user::new_user()
    }
}

impl utoipa::ToSchema for NewUser {
    fn schemas(schemas: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::Schema>)>) {
        schemas.extend(shared::openapi::user::new_logins());
    }
}
