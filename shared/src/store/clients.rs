//! Clients in the table, with the guard items that keep email and document number unique.
//!
//! A client is one item; its email and document number each own a guard item written in
//! the same transaction, so two clients can never share either, even under concurrent
//! requests. Every write is conditional on the version the caller read.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};

use super::error::{StoreError, Unique, cancellation_codes};
use super::idempotency::{WriteOnce, claim_lost};
use super::keys::{
    CLIENT_ID, CLIENT_KIND, CLIENT_SK, DOCUMENT_SK, EMAIL_SK, ENTITY, FIRST_NAME_SEARCH, GSI1PK,
    GSI1SK, LAST_NAME_SEARCH, PK, SK, VERSION, client_pk, created_sort_key, document_pk, email_pk,
};
use super::page::{ResumeKey, fetch_page};
use super::table::GSI1;
use super::{Item, Store, n, s, text};
use crate::domain::client::Client;
use crate::domain::ids::ClientId;

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
        let d = client.details();
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
pub fn client_item(client: &Client) -> Result<Item, StoreError> {
    let mut item: Item =
        serde_dynamo::to_item(client).map_err(|e| StoreError::item("serialize client", e))?;
    let d = client.details();
    item.insert(PK.into(), s(client_pk(client.id().as_str())));
    item.insert(SK.into(), s(CLIENT_SK));
    item.insert(ENTITY.into(), s("client"));
    item.insert(GSI1PK.into(), s(CLIENT_KIND));
    item.insert(
        GSI1SK.into(),
        s(created_sort_key(client.created_at(), client.id().as_str())),
    );
    item.insert(FIRST_NAME_SEARCH.into(), s(d.first_name.search_key()));
    item.insert(LAST_NAME_SEARCH.into(), s(d.last_name.search_key()));
    Ok(item)
}

/// A client as stored.
pub(crate) fn read_client(item: Item) -> Result<Client, StoreError> {
    serde_dynamo::from_item(item).map_err(|e| StoreError::item("read client", e))
}

/// A guard item: `pk` (an email's or a document's) owned by `client_id`.
pub fn guard_item(pk: String, sk: &str, client_id: &ClientId) -> Item {
    Item::from([
        (PK.to_owned(), s(pk)),
        (SK.to_owned(), s(sk)),
        (CLIENT_ID.to_owned(), s(client_id.as_str())),
    ])
}

/// The guard items a client owns: its email and its document number, with their sort
/// keys.
fn guards(client: &Client) -> [(String, &'static str); 2] {
    let d = client.details();
    [
        (email_pk(&d.email.normalized()), EMAIL_SK),
        (document_pk(d.document_number.as_str()), DOCUMENT_SK),
    ]
}

/// The guard items a client owns, as stored.
pub fn guard_items(client: &Client) -> [Item; 2] {
    guards(client).map(|(pk, sk)| guard_item(pk, sk, client.id()))
}

fn guard_put(
    table: &str,
    pk: String,
    sk: &str,
    client_id: &ClientId,
) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(guard_item(pk, sk, client_id)))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(StoreError::invalid_request)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

fn guard_delete(
    table: &str,
    pk: String,
    sk: &str,
    client_id: &ClientId,
) -> Result<TransactWriteItem, StoreError> {
    let delete = Delete::builder()
        .table_name(table)
        .key(PK, s(pk))
        .key(SK, s(sk))
        .condition_expression("client_id = :client")
        .expression_attribute_values(":client", s(client_id.as_str()))
        .build()
        .map_err(StoreError::invalid_request)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// The deletes of a client's guards, each conditional on still being the client's.
pub(crate) fn guard_deletes(
    table: &str,
    client: &Client,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    guards(client)
        .into_iter()
        .map(|(pk, sk)| guard_delete(table, pk, sk, client.id()))
        .collect()
}

/// What each transaction item stands for, to explain a cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// The client item, conditional on its version (or on not existing yet).
    Client,
    /// A new email guard, conditional on not existing.
    NewEmail,
    /// A new document guard, conditional on not existing.
    NewDocument,
    /// A guard being released, conditional on being the client's; or any other item
    /// whose failed condition means the client changed since it was read.
    OldGuard,
}

/// Maps a cancelled transaction to the part that failed its condition.
pub(crate) fn explain(
    err: SdkError<TransactWriteItemsError>,
    parts: &[Part],
    context: &'static str,
) -> StoreError {
    let failed: Vec<Part> = cancellation_codes(&err)
        .unwrap_or_default()
        .iter()
        .zip(parts)
        .filter(|(code, _)| *code == "ConditionalCheckFailed")
        .map(|(_, part)| *part)
        .collect();
    if failed.contains(&Part::Client) || failed.contains(&Part::OldGuard) {
        return StoreError::Stale;
    }
    if failed.contains(&Part::NewEmail) {
        return StoreError::Taken(Unique::Email);
    }
    if failed.contains(&Part::NewDocument) {
        return StoreError::Taken(Unique::DocumentNumber);
    }
    StoreError::transaction(context, err)
}

impl Store {
    /// Stores a new client and claims its email and document number, atomically, with
    /// `once`'s idempotency record in the same transaction.
    pub async fn create_client(&self, client: &Client, once: &WriteOnce) -> Result<(), StoreError> {
        let put = Put::builder()
            .table_name(self.table())
            .set_item(Some(client_item(client)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(StoreError::invalid_request)?;
        let mut actions = vec![TransactWriteItem::builder().put(put).build()];
        for (pk, sk) in guards(client) {
            actions.push(guard_put(self.table(), pk, sk, client.id())?);
        }
        let (request, record) = self.transaction(actions, once)?;
        let Err(err) = request.send().await else {
            return Ok(());
        };
        if claim_lost(&err, record) {
            return Err(StoreError::ClaimLost);
        }
        match explain(
            err,
            &[Part::Client, Part::NewEmail, Part::NewDocument],
            "create client",
        ) {
            StoreError::Stale => Err(StoreError::invalid_request("client id collision")),
            other => Err(other),
        }
    }

    /// Reads a client (strongly consistent).
    pub async fn get_client(&self, id: &ClientId) -> Result<Option<Client>, StoreError> {
        self.get_item(client_pk(id.as_str()), CLIENT_SK, "get client")
            .await?
            .map(read_client)
            .transpose()
    }

    /// Replaces `current` with `next` if `current` is still the stored version, moving the
    /// email and document guards when those change.
    pub async fn replace_client(&self, current: &Client, next: &Client) -> Result<(), StoreError> {
        let update = super::update_all(self.table(), client_item(next)?)
            .condition_expression("#version = :expected")
            .expression_attribute_names("#version", VERSION)
            .expression_attribute_values(":expected", n(current.version()))
            .build()
            .map_err(StoreError::invalid_request)?;
        let mut actions = vec![TransactWriteItem::builder().update(update).build()];
        let mut parts = vec![Part::Client];
        let [old_email, old_document] = guards(current);
        let [new_email, new_document] = guards(next);
        for ((old, new), part) in [(old_email, new_email), (old_document, new_document)]
            .into_iter()
            .zip([Part::NewEmail, Part::NewDocument])
        {
            if old.0 != new.0 {
                actions.push(guard_delete(self.table(), old.0, old.1, current.id())?);
                actions.push(guard_put(self.table(), new.0, new.1, current.id())?);
                parts.extend([Part::OldGuard, part]);
            }
        }
        self.transact(actions)
            .await
            .map_err(|err| explain(err, &parts, "update client"))
    }

    /// The client id a guard item points at.
    async fn guard_owner(&self, pk: String, sk: &str) -> Result<Option<ClientId>, StoreError> {
        Ok(self
            .get_item(pk, sk, "get guard")
            .await?
            .and_then(|item| text(&item, CLIENT_ID))
            .and_then(|id| ClientId::parse(&id)))
    }

    /// One page of clients, newest first. An email or document filter is answered from
    /// its guard item (at most one client); otherwise GSI1 is queried, with the name
    /// filter as a filter expression.
    pub async fn list_clients(
        &self,
        filter: &ClientFilter,
        limit: usize,
        start: Option<ResumeKey>,
    ) -> Result<(Vec<Client>, Option<ResumeKey>), StoreError> {
        let guard = match (&filter.email, &filter.document_number) {
            (Some(email), _) => Some((email_pk(email), EMAIL_SK)),
            (None, Some(number)) => Some((document_pk(number), DOCUMENT_SK)),
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
            .key_condition_expression("#kind = :kind")
            .expression_attribute_names("#kind", GSI1PK)
            .expression_attribute_values(":kind", s(CLIENT_KIND))
            .scan_index_forward(false);
        if let Some(name) = &filter.name {
            query = query
                .filter_expression("contains(#first, :name) OR contains(#last, :name)")
                .expression_attribute_names("#first", FIRST_NAME_SEARCH)
                .expression_attribute_names("#last", LAST_NAME_SEARCH)
                .expression_attribute_values(":name", s(name.clone()));
        }
        let page = fetch_page(
            query,
            &GSI1.page_keys(),
            limit,
            start,
            filter.name.is_some(),
        )
        .await?;
        let clients = page
            .items
            .into_iter()
            .map(read_client)
            .collect::<Result<Vec<Client>, StoreError>>()?;
        Ok((clients, page.next))
    }
}
