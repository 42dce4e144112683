//! `/products` and `/products/{product_id}`: the lender's loan products. Admins create,
//! change, retire and delete them; anyone signed in lists and reads them, a customer only
//! the active ones (a retired product is `404` to it).

use std::sync::Arc;

use axum::extract::State;
use http::StatusCode;
use shared::auth::Caller;
use shared::domain::ids::ProductId;
use shared::domain::product::Product;
use shared::domain::time::Timestamp;
use shared::http::extract::product_not_found;
use shared::http::{Admin, Idempotency, IfMatch, Json, Query, QueryPairs, Reply, write_with_retry};
use shared::list::{self, PageRequest};
use shared::{ApiError, App};

use crate::product_wire::ProductInput;

const CONTENDED: &str = "the product is being changed by other requests; retry";

/// `POST /products`.
#[cfg_attr(feature = "openapi", utoipa::path(
    post,
    path = "/products",
    operation_id = "createProduct",
    tag = "Products",
    summary = "Create a loan product",
    description = "Adds a product customers can apply through. Every amount and term inside \
        its bounds must have a schedule under the installment rule; bounds that do not are \
        `422`, naming `min_amount` or `max_term_months` and how far to move it.",
    security(("bearerAuth" = ["admin"])),
    params(Idempotency),
    request_body(content = ProductInput, description = "The product."),
    responses(
        (status = 201, description = "The new product, at version 1.", body = Product,
            headers(("Location"), ("ETag"))),
        (status = 422, description = "A bound breaks its rules, or some loan inside the \
            bounds would have no schedule."),
    ),
))]
pub async fn create(
    State(app): State<Arc<App>>,
    Admin(caller): Admin,
    idempotency: Idempotency,
    Json { value: input, raw }: Json<ProductInput>,
) -> Result<Reply, ApiError> {
    let app = &*app;
    idempotency
        .once(app, &caller, &raw, |attempt| async move {
            let (name, terms, active) = input.resolve(None)?;
            let now = Timestamp::now();
            let product = Product::new(ProductId::new_at(now), name, terms, active, now);
            let reply = Reply::created(&product.location(), &product, product.version())?;
            app.store
                .create_product(&product, &attempt.write_for(&reply))
                .await?;
            Ok(reply)
        })
        .await
}

/// `GET /products/{product_id}`.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/products/{product_id}",
    operation_id = "getProduct",
    tag = "Products",
    summary = "Read a loan product",
    description = "",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only an active product (a retired one is `404`)."))),
    params(ProductId),
    responses(
        (status = 200, description = "The product.", body = Product, headers(("ETag"))),
        (status = 404, description = "No product has this id, or it is retired and the \
            caller is a customer."),
    ),
))]
pub async fn get(
    State(app): State<Arc<App>>,
    caller: Caller,
    id: ProductId,
) -> Result<Reply, ApiError> {
    let product = app
        .store
        .get_product(&id)
        .await?
        .filter(|product| caller.is_admin() || product.active())
        .ok_or_else(product_not_found)?;
    Reply::resource(StatusCode::OK, &product, product.version())
}

/// `GET /products`.
#[cfg_attr(feature = "openapi", utoipa::path(
    get,
    path = "/products",
    operation_id = "listProducts",
    tag = "Products",
    summary = "List loan products",
    description = "Newest first. `active` narrows the list to the active or the retired \
        products; a customer always sees only the active ones.",
    security(("bearerAuth" = ["admin"]), ("bearerAuth" = ["user"])),
    extensions(("x-customer" = json!("only the active products, whatever it asks for."))),
    params(PageRequest, crate::openapi::ActiveFilter),
    responses((status = 200, description = "One page of products.", body = shared::openapi::ProductPage)),
))]
pub async fn list(
    State(app): State<Arc<App>>,
    caller: Caller,
    pairs: QueryPairs,
) -> Result<Reply, ApiError> {
    let query = Query::parse(pairs, &["limit", "cursor", "active"])?;
    let page = PageRequest::from_query(&query)?;
    let asked = query.syntax("active", |raw| match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false".to_owned()),
    })?;
    let active = if caller.is_admin() { asked } else { Some(true) };
    if !caller.is_admin() && asked == Some(false) {
        return Reply::ok(&list::Page::<()> {
            items: Vec::new(),
            next_cursor: None,
        });
    }
    let state = active.map(|a| if a { "true" } else { "false" });
    let binding = list::binding(
        "products.list",
        &caller.username,
        &[("active", state)],
        page.limit,
    );
    let start = page.resume(&app.cursors, &binding)?;
    let (items, next) = app.store.list_products(active, page.limit, start).await?;
    Reply::ok(&list::page(items, next, &app.cursors, &binding)?)
}

/// `PATCH /products/{product_id}`.
#[cfg_attr(feature = "openapi", utoipa::path(
    patch,
    path = "/products/{product_id}",
    operation_id = "updateProduct",
    tag = "Products",
    summary = "Change a loan product",
    description = "Changes any of its fields; the result must still have a schedule for \
        every amount and term inside its bounds. Applies to new applications only: loans \
        already made keep their terms. `active: false` retires it.",
    security(("bearerAuth" = ["admin"])),
    params(ProductId, IfMatch),
    request_body(content = crate::openapi::ProductPatch, description = "The fields to change."),
    responses(
        (status = 200, description = "The product as it now is.", body = Product, headers(("ETag"))),
        (status = 404, description = "No product has this id."),
        (status = 409, description = "Other requests kept changing the product; retry."),
        (status = 422, description = "A bound breaks its rules, or some loan inside the \
            bounds would have no schedule."),
    ),
))]
pub async fn update(
    State(app): State<Arc<App>>,
    _: Admin,
    id: ProductId,
    if_match: IfMatch,
    Json { value: input, .. }: Json<ProductInput>,
) -> Result<Reply, ApiError> {
    write_with_retry(&if_match, CONTENDED, || async {
        let current = app
            .store
            .get_product(&id)
            .await?
            .ok_or_else(product_not_found)?;
        if_match.check(current.version())?;
        let (name, terms, active) = input.clone().resolve(Some(&current))?;
        let next = current.revise(name, terms, active, Timestamp::now());
        app.store.replace_product(&current, &next).await?;
        Ok(Reply::resource(StatusCode::OK, &next, next.version())?)
    })
    .await
}

/// `DELETE /products/{product_id}`.
#[cfg_attr(feature = "openapi", utoipa::path(
    delete,
    path = "/products/{product_id}",
    operation_id = "deleteProduct",
    tag = "Products",
    summary = "Delete a loan product",
    description = "Only while no loan was ever made from it; otherwise retire it with \
        `active: false`.",
    security(("bearerAuth" = ["admin"])),
    params(ProductId, IfMatch),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "No product has this id."),
        (status = 409, description = "Loans were made from the product."),
    ),
))]
pub async fn delete(
    State(app): State<Arc<App>>,
    _: Admin,
    id: ProductId,
    if_match: IfMatch,
) -> Result<Reply, ApiError> {
    write_with_retry(&if_match, CONTENDED, || async {
        let current = app
            .store
            .get_product(&id)
            .await?
            .ok_or_else(product_not_found)?;
        if_match.check(current.version())?;
        if current.loans_made() > 0 {
            return Err(ApiError::from(shared::store::StoreError::InUse).into());
        }
        app.store.delete_product(&current).await?;
        Ok(Reply::no_content())
    })
    .await
}
