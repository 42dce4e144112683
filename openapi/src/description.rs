//! The document's introduction (`info.description`): the conventions every operation
//! shares, in the contract's words, with the numbers taken from the code.

use shared::http::body::MAX_BODY_BYTES;
use shared::list::{DEFAULT_LIMIT, MAX_LIMIT};

/// Markdown for `info.description`.
pub(crate) fn text() -> String {
    format!(
        "\
The back end of an online lender: its clients, their loans and the loans' amortization \
schedules. AWS Lambda functions behind an API Gateway HTTP API, one DynamoDB table.

## Conventions

- JSON in and out, `snake_case` field names. A request with a body must send \
`Content-Type: application/json` (otherwise `415`); a body over {max_body} bytes is `413`. \
Unknown JSON fields are rejected with `422`, never silently dropped; so are unknown or \
repeated query parameters (`400`).
- Timestamps are RFC 3339 UTC (`2026-11-27T10:15:00.000Z`); dates are `YYYY-MM-DD`. Ids \
are opaque strings chosen by the server, sortable by creation time.
- **Money** (and rates) are decimal strings, in requests and responses (`\"10000.00\"`); \
responses always show the currency's minor units. A JSON number where money is expected \
is `422`: many clients turn numbers into binary floats, which cannot hold most amounts \
exactly. More decimals than the currency allows is `422`.
- Single resources carry `ETag: \"<version>\"`. `PUT`, `PATCH` and `DELETE` honour \
`If-Match`: a stale tag is `412` and changes nothing. Without `If-Match` a write is still \
atomic (no torn or lost concurrent writes).
- `201 Created` carries `Location`, the new resource's path.
- A `POST` that creates accepts `Idempotency-Key` (1 to 255 visible ASCII characters), \
scoped to the caller and kept 24 hours: a retry with the same key and body replays the \
first response (marked `Idempotent-Replayed: true`) and creates nothing; the same key \
with another body is `422`; while the first request still runs, `409`.
- Every response carries `X-Request-Id` (echoed from the request when sane, else new).

## Errors

Every 4xx and 5xx body is RFC 9457 Problem Details (`application/problem+json`) with \
`type`, `title`, `status` and `detail`, plus `instance` and `request_id`. A `422` adds \
`errors`, one `{{\"pointer\", \"detail\"}}` per invalid field (a JSON Pointer into the body, \
or `#/query/<name>`). A 5xx never reveals internals. A method a path does not serve is \
`405` with `Allow`.

## Lists

Every list takes `limit` (1 to {max_limit}, default {default_limit}) and `cursor`, and \
answers `{{\"items\": [...], \"next_cursor\": \"...\" | null}}`, newest first. \
`next_cursor` is `null` exactly on the last page, and a page holds `limit` items whenever \
that many more match. Cursors are opaque and sealed, bound to the caller, the filters and \
`limit`; anything else is `400`.

## Access

Every operation but `POST /auth/login`, `POST /auth/refresh` and `POST /auth/logout` \
needs `Authorization: Bearer <token>`. Each \
operation lists the roles it admits in `security` and `x-roles`, and what a customer \
(`user`) may do with it in its description.
",
        max_body = MAX_BODY_BYTES,
        max_limit = MAX_LIMIT,
        default_limit = DEFAULT_LIMIT,
    )
}
