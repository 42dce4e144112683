//! The single DynamoDB table: key attributes, global secondary indexes and TTL, defined
//! once here. The SAM template, the dev set-up and the tests all derive from (or are
//! checked against) this module; [`super::keys`] lists what each item's keys hold, and
//! `docs/data-model.md` every access pattern.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TimeToLiveSpecification,
};

use super::error::StoreError;
use super::keys::{GSI1PK, GSI1SK, GSI2PK, GSI2SK, GSI3PK, GSI4PK, GSI4SK, PK, SK, TTL};

/// A global secondary index: its name, key attributes and the access pattern it serves.
/// Every index projects all attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Index {
    /// The index name, as queries and the SAM template spell it.
    pub name: &'static str,
    /// The partition key attribute (a string).
    pub partition_key: &'static str,
    /// The sort key attribute (a string), if the index has one.
    pub sort_key: Option<&'static str>,
    /// The access pattern the index serves, in a few words.
    pub purpose: &'static str,
}

impl Index {
    /// The attributes that make up a resume key of a query of this index: the table's
    /// key and the index's.
    pub fn page_keys(&self) -> Vec<&'static str> {
        let mut keys = vec![PK, SK, self.partition_key];
        keys.extend(self.sort_key);
        keys
    }
}

/// Every item of a kind (`CLIENT`, `LOAN`, `USER`), newest first.
pub const GSI1: Index = Index {
    name: "GSI1",
    partition_key: GSI1PK,
    sort_key: Some(GSI1SK),
    purpose: "all items of a kind, newest first",
};

/// Loans of one status, newest first.
pub const GSI2: Index = Index {
    name: "GSI2",
    partition_key: GSI2PK,
    sort_key: Some(GSI2SK),
    purpose: "loans by status, newest first",
};

/// A loan by its id alone.
pub const GSI3: Index = Index {
    name: "GSI3",
    partition_key: GSI3PK,
    sort_key: None,
    purpose: "a loan by id",
};

/// Active loans with an unpaid installment, by their oldest unpaid due date: the arrears
/// list, most overdue first.
pub const GSI4: Index = Index {
    name: "GSI4",
    partition_key: GSI4PK,
    sort_key: Some(GSI4SK),
    purpose: "active loans by oldest unpaid due date (arrears)",
};

/// All indexes, in the order they are declared.
pub const INDEXES: [Index; 4] = [GSI1, GSI2, GSI3, GSI4];

/// Every attribute that takes part in a key (all strings).
pub fn key_attributes() -> Vec<&'static str> {
    let mut names = vec![PK, SK];
    for index in INDEXES {
        names.push(index.partition_key);
        names.extend(index.sort_key);
    }
    names
}

fn key_element(name: &str, key_type: KeyType) -> Result<KeySchemaElement, StoreError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()
        .map_err(StoreError::invalid_request)
}

fn key_schema(partition: &str, sort: Option<&str>) -> Result<Vec<KeySchemaElement>, StoreError> {
    let mut schema = vec![key_element(partition, KeyType::Hash)?];
    if let Some(sort) = sort {
        schema.push(key_element(sort, KeyType::Range)?);
    }
    Ok(schema)
}

/// Creates the table with its indexes (on-demand billing) and enables TTL.
pub async fn create_table(client: &Client, table_name: &str) -> Result<(), StoreError> {
    let mut request = client
        .create_table()
        .table_name(table_name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(key_schema(PK, Some(SK))?));
    for name in key_attributes() {
        request = request.attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(StoreError::invalid_request)?,
        );
    }
    for index in INDEXES {
        request = request.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .set_key_schema(Some(key_schema(index.partition_key, index.sort_key)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(StoreError::invalid_request)?,
        );
    }
    request
        .send()
        .await
        .map_err(|e| StoreError::sdk("create table", e))?;
    client
        .update_time_to_live()
        .table_name(table_name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(TTL)
                .build()
                .map_err(StoreError::invalid_request)?,
        )
        .send()
        .await
        .map_err(|e| StoreError::sdk("enable time to live", e))?;
    Ok(())
}

/// Creates the table unless it exists already; returns whether it was created.
pub async fn ensure_table(client: &Client, table_name: &str) -> Result<bool, StoreError> {
    match client.describe_table().table_name(table_name).send().await {
        Ok(_) => Ok(false),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            create_table(client, table_name).await.map(|()| true)
        }
        Err(err) => Err(StoreError::sdk("describe table", err)),
    }
}
