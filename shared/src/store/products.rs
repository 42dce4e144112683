//! Loan products (`PRODUCT#<id>` / `PRODUCT`). GSI1 lists them all, newest first; GSI2
//! holds the active and the retired ones apart, so the products a customer may see are
//! read without filtering. `loans_made` is bumped by each application's transaction (see
//! `loans`), never by a write here: a change of the product leaves it alone, and a delete
//! is conditional on it being zero.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem, Update};

use super::error::{StoreError, conditional};
use super::idempotency::{WriteOnce, claim_lost};
use super::keys::{
    ACTIVE, ENTITY, GSI1PK, GSI1SK, GSI2PK, GSI2SK, LOANS_MADE, PK, PRODUCT_KIND, PRODUCT_SK, SK,
    VERSION, created_sort_key, product_pk, product_state_pk,
};
use super::page::{ResumeKey, fetch_page};
use super::table::{GSI1, GSI2};
use super::{Item, Store, n, s};
use crate::domain::ids::ProductId;
use crate::domain::product::Product;

/// The stored item of a product, without `loans_made` (which only applications write).
fn product_item(product: &Product) -> Result<Item, StoreError> {
    let mut item: Item =
        serde_dynamo::to_item(product).map_err(|e| StoreError::item("serialize product", e))?;
    item.remove(LOANS_MADE);
    let id = product.id().as_str();
    let sort = created_sort_key(product.created_at(), id);
    item.insert(PK.into(), s(product_pk(id)));
    item.insert(SK.into(), s(PRODUCT_SK));
    item.insert(ENTITY.into(), s("product"));
    item.insert(GSI1PK.into(), s(PRODUCT_KIND));
    item.insert(GSI1SK.into(), s(sort.clone()));
    item.insert(GSI2PK.into(), s(product_state_pk(product.active())));
    item.insert(GSI2SK.into(), s(sort));
    Ok(item)
}

fn read_product(item: Item) -> Result<Product, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::item("read product", e))
}

/// The bump of a product's `loans_made` that an application through it makes, in the
/// application's transaction, conditional on the product being active.
pub(crate) fn loan_made(table: &str, product: &ProductId) -> Result<TransactWriteItem, StoreError> {
    let update = Update::builder()
        .table_name(table)
        .key(PK, s(product_pk(product.as_str())))
        .key(SK, s(PRODUCT_SK))
        .update_expression("SET #made = if_not_exists(#made, :zero) + :one")
        .condition_expression("#active = :yes")
        .expression_attribute_names("#made", LOANS_MADE)
        .expression_attribute_names("#active", ACTIVE)
        .expression_attribute_values(":zero", n(0))
        .expression_attribute_values(":one", n(1))
        .expression_attribute_values(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
        .build()
        .map_err(StoreError::invalid_request)?;
    Ok(TransactWriteItem::builder().update(update).build())
}

impl Store {
    /// Stores a new product, with `once`'s idempotency record in the same transaction.
    pub async fn create_product(
        &self,
        product: &Product,
        once: &WriteOnce,
    ) -> Result<(), StoreError> {
        let mut item = product_item(product)?;
        item.insert(LOANS_MADE.into(), n(0));
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(StoreError::invalid_request)?;
        let (request, record) =
            self.transaction(vec![TransactWriteItem::builder().put(put).build()], once)?;
        match request.send().await {
            Ok(_) => Ok(()),
            Err(err) if claim_lost(&err, record) => Err(StoreError::ClaimLost),
            Err(err) => Err(StoreError::transaction("create product", err)),
        }
    }

    /// Reads a product (strongly consistent).
    pub async fn get_product(&self, id: &ProductId) -> Result<Option<Product>, StoreError> {
        self.get_item(product_pk(id.as_str()), PRODUCT_SK, "get product")
            .await?
            .map(read_product)
            .transpose()
    }

    /// Replaces `current` with `next` if `current` is still the stored version; the count
    /// of loans made is not touched.
    pub async fn replace_product(
        &self,
        current: &Product,
        next: &Product,
    ) -> Result<(), StoreError> {
        let update = super::update_all(self.table(), product_item(next)?)
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":expected", n(current.version()))
            .build()
            .map_err(StoreError::invalid_request)?;
        let result = self
            .client()
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(update).build())
            .client_request_token(WriteOnce::fresh().token())
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if super::error::failed_condition(&err, 0) => Err(StoreError::Stale),
            Err(err) => Err(StoreError::transaction("update product", err)),
        }
    }

    /// Deletes `product` if it is still the stored version and no loan was made from it.
    pub async fn delete_product(&self, product: &Product) -> Result<(), StoreError> {
        let result = self
            .client()
            .delete_item()
            .table_name(self.table())
            .key(PK, s(product_pk(product.id().as_str())))
            .key(SK, s(PRODUCT_SK))
            .condition_expression(
                "#version = :expected AND (attribute_not_exists(#made) OR #made = :zero)",
            )
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_names("#made", LOANS_MADE)
            .expression_attribute_values(":expected", n(product.version()))
            .expression_attribute_values(":zero", n(0))
            .send()
            .await;
        match conditional(result, "delete product") {
            Err(StoreError::Stale) => match self.get_product(product.id()).await? {
                Some(now) if now.version() == product.version() => Err(StoreError::InUse),
                _ => Err(StoreError::Stale),
            },
            other => other,
        }
    }

    /// One page of products, newest first: every one, or only the active (or retired)
    /// ones when `active` says so.
    pub async fn list_products(
        &self,
        active: Option<bool>,
        limit: usize,
        start: Option<ResumeKey>,
    ) -> Result<(Vec<Product>, Option<ResumeKey>), StoreError> {
        let (index, partition) = match active {
            Some(active) => (GSI2, product_state_pk(active)),
            None => (GSI1, PRODUCT_KIND.to_owned()),
        };
        let query = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(index.name)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", index.partition_key)
            .expression_attribute_values(":pk", s(partition))
            .scan_index_forward(false);
        let page = fetch_page(query, &index.page_keys(), limit, start, false).await?;
        let products = page
            .items
            .into_iter()
            .map(read_product)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((products, page.next))
    }
}
