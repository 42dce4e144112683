//! The schema of [`Page<T>`](crate::list::Page), implemented by hand: the derive would name
//! a page of clients `Page_Client` and inline the client into it, where the API's pages are
//! `ClientPage`, `LoanPage` and `UserPage` and point at their item's schema. Operations name
//! the pages by the aliases below, since utoipa names a generic body after its arguments.

use std::borrow::Cow;

use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::{named, or_null, string};
use crate::domain::client::Client;
use crate::domain::loan::Loan;
use crate::domain::user::User;
use crate::list::{MAX_LIMIT, Page};

/// A page of clients.
pub type ClientPage = Page<Client>;
/// A page of loans.
pub type LoanPage = Page<Loan>;
/// A page of products.
pub type ProductPage = Page<crate::domain::product::Product>;
/// A page of logins.
pub type UserPage = Page<User>;
/// A page of a loan's transactions.
pub type TransactionPage = Page<crate::domain::ledger::TxnView>;

impl<T: ToSchema> PartialSchema for Page<T> {
    fn schema() -> RefOr<Schema> {
        let item = T::name();
        let items = ArrayBuilder::new()
            .items(named(&item))
            .max_items(Some(MAX_LIMIT))
            .description(Some("At most `limit` items, newest first."));
        let next = string(
            "Opaque cursor of the next page: pass it back as `cursor` with the same filters and \
             `limit`. `null` exactly on the last page.",
        )
        .schema_type(or_null(Type::String));
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(format!(
                "One page of a list of {item} resources, newest first."
            )))
            .property("items", items)
            .property("next_cursor", next)
            .required("items")
            .required("next_cursor")
            .into()
    }
}

impl<T: ToSchema> ToSchema for Page<T> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("{}Page", T::name()))
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}
