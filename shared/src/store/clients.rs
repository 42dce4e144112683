//! Clients in the table, with the guard items that keep email and document number unique.
//!
//! A client is one item; its email and document number each own a guard item written in
//! the same transaction, so two clients can never share either, even under concurrent
//! requests. Every write is conditional on the version the caller read.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};

use super::idempotency::WriteOnce;
use super::page::fetch_page;
use super::{Item, Store, item_error, s};
use crate::cursor::ResumeKey;
use crate::domain::client::Client;
use crate::error::ApiError;
use crate::table::{GSI1, PK, SK};

/// The GSI1 partition holding every client.
const CLIENT_KIND: &str = "CLIENT";

fn client_pk(id: &str) -> String {
    format!("CLIENT#{id}")
}

pub(crate) fn email_key(normalized: &str) -> String {
    format!("EMAIL#{normalized}")
}

pub(crate) fn document_key(number: &str) -> String {
    format!("DOCUMENT#{number}")
}

/// Why a conditional write did not happen.
#[derive(Debug)]
pub enum WriteError {
    /// The client changed (or went) since it was read.
    Stale,
    /// Anything else, already mapped for the caller.
    Api(ApiError),
}

impl From<ApiError> for WriteError {
    fn from(err: ApiError) -> Self {
        Self::Api(err)
    }
}

/// Filters of `GET /clients`.
#[derive(Debug, Default, Clone)]
pub struct ClientFilter {
    /// Lower-cased email, matched exactly.
    pub email: Option<String>,
    /// Upper-cased document number, matched exactly.
    pub document_number: Option<String>,
    /// Lower-cased substring of the first or last name.
    pub name: Option<String>,
}

impl ClientFilter {
    fn matches(&self, client: &Client) -> bool {
        let d = &client.details;
        self.email
            .as_ref()
            .is_none_or(|e| *e == d.email.normalized())
            && self
                .document_number
                .as_ref()
                .is_none_or(|n| n == d.document_number.as_str())
            && self.name.as_ref().is_none_or(|q| {
                d.first_name.search_key().contains(q.as_str())
                    || d.last_name.search_key().contains(q.as_str())
            })
    }
}

/// The stored item of a client: its fields plus keys, GSI1 keys and search attributes.
pub fn client_item(client: &Client) -> Result<Item, ApiError> {
    let mut item: Item =
        serde_dynamo::to_item(client).map_err(|e| item_error("serialize client", e))?;
    item.insert(PK.into(), s(client_pk(&client.id)));
    item.insert(SK.into(), s("CLIENT"));
    item.insert("entity".into(), s("client"));
    item.insert(GSI1.partition_key.into(), s(CLIENT_KIND));
    item.insert(
        "GSI1SK".into(),
        s(format!("{}#{}", client.created_at.to_rfc3339(), client.id)),
    );
    item.insert(
        "first_name_lc".into(),
        s(client.details.first_name.search_key()),
    );
    item.insert(
        "last_name_lc".into(),
        s(client.details.last_name.search_key()),
    );
    Ok(item)
}

fn guard_put(
    table: &str,
    pk: String,
    sk: &str,
    client_id: &str,
) -> Result<TransactWriteItem, ApiError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(guard_item(pk, sk, client_id)))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(ApiError::internal)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A guard item: `pk` (`EMAIL#...` or `DOCUMENT#...`) owned by `client_id`.
pub fn guard_item(pk: String, sk: &str, client_id: &str) -> Item {
    Item::from([
        (PK.to_owned(), s(pk)),
        (SK.to_owned(), s(sk)),
        ("client_id".to_owned(), s(client_id)),
    ])
}

/// The guard items a client owns: its email and its document number.
pub fn guard_items(client: &Client) -> [Item; 2] {
    let d = &client.details;
    [
        guard_item(email_key(&d.email.normalized()), "EMAIL", &client.id),
        guard_item(
            document_key(d.document_number.as_str()),
            "DOCUMENT",
            &client.id,
        ),
    ]
}

pub(crate) fn guard_delete(
    table: &str,
    pk: String,
    sk: &str,
    client_id: &str,
) -> Result<TransactWriteItem, ApiError> {
    let delete = Delete::builder()
        .table_name(table)
        .key(PK, s(pk))
        .key(SK, s(sk))
        .condition_expression("client_id = :client")
        .expression_attribute_values(":client", s(client_id))
        .build()
        .map_err(ApiError::internal)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// What each transaction item stands for, to explain a cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    Client,
    NewEmail,
    NewDocument,
    OldGuard,
}

/// Maps a cancelled transaction to the part that failed its condition.
pub(crate) fn explain(
    err: SdkError<TransactWriteItemsError>,
    parts: &[Part],
    context: &'static str,
) -> WriteError {
    let failed: Vec<Part> = super::cancellation_codes(&err)
        .unwrap_or_default()
        .iter()
        .zip(parts)
        .filter(|(code, _)| *code == "ConditionalCheckFailed")
        .map(|(_, part)| *part)
        .collect();
    if failed.contains(&Part::Client) || failed.contains(&Part::OldGuard) {
        return WriteError::Stale;
    }
    if failed.contains(&Part::NewEmail) {
        return WriteError::Api(ApiError::Conflict(
            "a client with this email already exists".into(),
        ));
    }
    if failed.contains(&Part::NewDocument) {
        return WriteError::Api(ApiError::Conflict(
            "a client with this document number already exists".into(),
        ));
    }
    WriteError::Api(super::transaction_error(context, err))
}

impl Store {
    /// Stores a new client and claims its email and document number, atomically, with
    /// `once`'s idempotency record in the same transaction.
    pub async fn create_client(&self, client: &Client, once: &WriteOnce) -> Result<(), ApiError> {
        let table = self.table();
        let put = Put::builder()
            .table_name(table)
            .set_item(Some(client_item(client)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(ApiError::internal)?;
        let d = &client.details;
        let actions = vec![
            TransactWriteItem::builder().put(put).build(),
            guard_put(table, email_key(&d.email.normalized()), "EMAIL", &client.id)?,
            guard_put(
                table,
                document_key(d.document_number.as_str()),
                "DOCUMENT",
                &client.id,
            )?,
        ];
        let (request, record) = self.transaction(actions, once)?;
        let Err(err) = request.send().await else {
            return Ok(());
        };
        if super::claim_lost(&err, record) {
            return Err(super::idempotency::in_progress());
        }
        match explain(
            err,
            &[Part::Client, Part::NewEmail, Part::NewDocument],
            "create client",
        ) {
            WriteError::Stale => Err(ApiError::internal("client id collision")),
            WriteError::Api(api) => Err(api),
        }
    }

    /// Reads a client (strongly consistent).
    pub async fn get_client(&self, id: &str) -> Result<Option<Client>, ApiError> {
        self.get_item(client_pk(id), "CLIENT", "get client")
            .await?
            .map(|item| serde_dynamo::from_item(item).map_err(|e| item_error("read client", e)))
            .transpose()
    }

    /// Replaces `current` with `next` if `current` is still the stored version, moving the
    /// email and document guards when those change.
    pub async fn replace_client(&self, current: &Client, next: &Client) -> Result<(), WriteError> {
        let table = self.table();
        let update = super::update_all(table, client_item(next)?)
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", super::n(current.version))
            .build()
            .map_err(ApiError::internal)?;
        let mut actions = vec![TransactWriteItem::builder().update(update).build()];
        let mut parts = vec![Part::Client];
        let (old, new) = (&current.details, &next.details);
        if old.email.normalized() != new.email.normalized() {
            actions.push(guard_delete(
                table,
                email_key(&old.email.normalized()),
                "EMAIL",
                &current.id,
            )?);
            actions.push(guard_put(
                table,
                email_key(&new.email.normalized()),
                "EMAIL",
                &current.id,
            )?);
            parts.extend([Part::OldGuard, Part::NewEmail]);
        }
        if old.document_number != new.document_number {
            actions.push(guard_delete(
                table,
                document_key(old.document_number.as_str()),
                "DOCUMENT",
                &current.id,
            )?);
            actions.push(guard_put(
                table,
                document_key(new.document_number.as_str()),
                "DOCUMENT",
                &current.id,
            )?);
            parts.extend([Part::OldGuard, Part::NewDocument]);
        }
        let (request, _) = self.transaction(actions, &WriteOnce::fresh())?;
        request
            .send()
            .await
            .map(|_| ())
            .map_err(|err| explain(err, &parts, "update client"))
    }

    /// The client id a guard item points at.
    async fn guard_owner(&self, pk: String, sk: &str) -> Result<Option<String>, ApiError> {
        Ok(self
            .get_item(pk, sk, "get guard")
            .await?
            .and_then(|item| item.get("client_id").and_then(|v| v.as_s().ok()).cloned()))
    }

    /// One page of clients, newest first. An email or document filter is answered from
    /// its guard item (at most one client); otherwise GSI1 is queried, with the name
    /// filter as a filter expression.
    pub async fn list_clients(
        &self,
        filter: &ClientFilter,
        limit: usize,
        start: Option<ResumeKey>,
    ) -> Result<(Vec<Client>, Option<ResumeKey>), ApiError> {
        let guard = match (&filter.email, &filter.document_number) {
            (Some(email), _) => Some((email_key(email), "EMAIL")),
            (None, Some(number)) => Some((document_key(number), "DOCUMENT")),
            (None, None) => None,
        };
        if let Some((pk, sk)) = guard {
            if start.is_some() {
                return Ok((Vec::new(), None));
            }
            let client = match self.guard_owner(pk, sk).await? {
                Some(id) => self.get_client(&id).await?,
                None => None,
            };
            return Ok((
                client.into_iter().filter(|c| filter.matches(c)).collect(),
                None,
            ));
        }

        let mut query = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(GSI1.name)
            .key_condition_expression("GSI1PK = :kind")
            .expression_attribute_values(":kind", s(CLIENT_KIND))
            .scan_index_forward(false);
        if let Some(name) = &filter.name {
            query = query
                .filter_expression(
                    "contains(first_name_lc, :name) OR contains(last_name_lc, :name)",
                )
                .expression_attribute_values(":name", s(name.clone()));
        }
        let keys = [PK, SK, "GSI1PK", "GSI1SK"];
        let page = fetch_page(query, &keys, limit, start, filter.name.is_some()).await?;
        let clients = page
            .items
            .into_iter()
            .map(|item| serde_dynamo::from_item(item).map_err(|e| item_error("read client", e)))
            .collect::<Result<Vec<Client>, ApiError>>()?;
        Ok((clients, page.next))
    }
}
