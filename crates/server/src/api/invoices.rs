//! The Billing API (threescale-api.md §8–§10): invoices, their line items and payment
//! transactions, over the engine operations the UI uses.

use super::call::{id_segment, lenient, path_id, ApiCall};
use super::reply::{timestamp, Failure, Link, Number, PageInfo, Reply};
use super::schema::{self, ErrorsBody};
use super::ThreeScale;
use crate::endpoint::{endpoints, Endpoints};
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use counterfoil_engine::model::{
    AddLineItem, ById, CreateInvoice, CreationType, Id, Invoice, InvoiceDetail, InvoiceState,
    InvoiceWithLines, LineItem, LineItemType, ListInvoices, Party, PaymentTransaction, Period,
    Permission, TransitionInvoice, UpdateInvoice,
};
use counterfoil_engine::{op, ErrorCode, Reason};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub(super) fn endpoints() -> Endpoints {
    endpoints!(
        ThreeScale;
        list_invoices,
        create_invoice,
        read_invoice,
        download_pdf,
        update_invoice,
        change_state,
        charge,
        list_line_items,
        create_line_item,
        delete_line_item,
        list_payment_transactions,
        list_account_invoices,
        read_account_invoice,
    )
}

// --- JSON ------------------------------------------------------------------------------------

/// An invoice as 3scale writes it (§8), with the fields of the Billing API's own document
/// (seed 000: `month`, `account`, embedded `line_items`) and of its XML (seed 001: the
/// `provider` and `buyer` blocks).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceJson {
    pub id: i64,
    pub account_id: i64,
    pub friendly_id: String,
    pub created_at: String,
    /// When the invoice last changed: its number, period, state, lines, charging or payments.
    pub updated_at: String,
    pub state: String,
    pub currency: String,
    /// round2(Σ lines) + round2(VAT).
    #[schema(value_type = f64)]
    pub cost: Number,
    /// Always present: null when the buyer has no VAT rate.
    #[schema(value_type = Option<f64>)]
    pub vat_rate: Option<Number>,
    #[schema(value_type = f64)]
    pub vat_amount: Number,
    /// Σ line costs.
    #[schema(value_type = f64)]
    pub cost_without_vat: Number,
    /// YYYY-MM.
    pub period: String,
    /// The billing month, YYYY-MM (the Billing API document's name for `period`).
    pub month: String,
    /// `manual` or `background`.
    pub creation_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<String>,
    /// The buyer, by id and name.
    pub account: InvoiceAccountJson,
    /// Who issues the invoice (the PDF's "Issued by"): the provider's details, frozen at issue.
    pub provider: PartyJson,
    /// Who the invoice is for (the PDF's "For"): the buyer's details, frozen at issue.
    pub buyer: PartyJson,
    /// The invoice's lines, by id.
    pub line_items: Vec<LineItemJson>,
    pub links: Vec<Link>,
}

/// The buyer of an invoice (seed 000's `account`).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceAccountJson {
    pub id: i64,
    pub org_name: String,
}

/// The provider or the buyer of an invoice, as its PDF prints them. `id` is the buyer's
/// account id; the provider, the book's owner, has none.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub org_name: String,
    /// The address lines, one per line.
    pub address: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
    pub fiscal_code: String,
    pub vat_code: String,
    /// The buyer's PO number ("" for the provider).
    pub po_number: String,
}

impl PartyJson {
    fn of(party: &Party, id: Option<i64>) -> PartyJson {
        let address = &party.address;
        let lines: Vec<&str> = [address.line1.as_str(), address.line2.as_str()]
            .into_iter()
            .filter(|line| !line.trim().is_empty())
            .collect();
        PartyJson {
            id,
            org_name: party.name.clone(),
            address: lines.join("\n"),
            city: address.city.clone(),
            state: address.state.clone(),
            zip: address.zip.clone(),
            country: address.country.clone(),
            fiscal_code: party.fiscal_code.clone(),
            vat_code: party.vat_code.clone(),
            po_number: party.po_number.clone(),
        }
    }
}

impl InvoiceJson {
    /// An invoice read whole (`get_invoice` and the writes answer one).
    fn of_detail(detail: &InvoiceDetail) -> InvoiceJson {
        InvoiceJson::of(&InvoiceWithLines::from(detail.clone()))
    }

    fn of(detail: &InvoiceWithLines) -> InvoiceJson {
        let invoice = &detail.invoice;
        let id = invoice.id.0;
        let account = invoice.account_id.0;
        InvoiceJson {
            id,
            account_id: account,
            friendly_id: invoice.friendly_id.clone(),
            created_at: timestamp(invoice.created_at),
            updated_at: timestamp(invoice.updated_at),
            state: state_name(invoice.state).to_owned(),
            currency: invoice.currency.clone(),
            cost: Number(invoice.totals.total),
            vat_rate: invoice.vat_rate.map(Number),
            vat_amount: Number(invoice.totals.vat_amount),
            cost_without_vat: Number(invoice.totals.cost_without_vat),
            period: invoice.period.to_string(),
            month: invoice.period.to_string(),
            creation_type: match invoice.creation_type {
                CreationType::Manual => "manual",
                CreationType::Background => "background",
            }
            .to_owned(),
            issued_on: invoice.issued_on.map(|date| date.to_string()),
            due_on: invoice.due_on.map(|date| date.to_string()),
            paid_at: invoice.paid_at.map(timestamp),
            account: InvoiceAccountJson {
                id: account,
                org_name: invoice.account_name.clone(),
            },
            provider: PartyJson::of(&detail.issued_by, None),
            buyer: PartyJson::of(&detail.issued_to, Some(account)),
            line_items: detail
                .line_items
                .iter()
                .map(|line| LineItemJson::of(line, invoice))
                .collect(),
            links: vec![
                Link {
                    rel: "account",
                    href: format!("/admin/api/accounts/{account}"),
                },
                Link {
                    rel: "self",
                    href: format!("/api/invoices/{id}"),
                },
                Link {
                    rel: "payment_transactions",
                    href: format!("/api/invoices/{id}/payment_transactions"),
                },
                Link {
                    rel: "line_items",
                    href: format!("/api/invoices/{id}/line_items"),
                },
                Link {
                    rel: "pdf",
                    href: format!("/api/invoices/{id}/pdf"),
                },
            ],
        }
    }
}

fn state_name(state: InvoiceState) -> &'static str {
    match state {
        InvoiceState::Open => "open",
        InvoiceState::Finalized => "finalized",
        InvoiceState::Pending => "pending",
        InvoiceState::Paid => "paid",
        InvoiceState::Unpaid => "unpaid",
        InvoiceState::Failed => "failed",
        InvoiceState::Cancelled => "cancelled",
    }
}

/// A line item (§9), with what seed 001 says lines of the billing run carry.
#[derive(Debug, Serialize, ToSchema)]
pub struct LineItemJson {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub quantity: i64,
    /// The line's total.
    #[schema(value_type = f64)]
    pub cost: Number,
    /// `LineItem::PlanCost`, `LineItem::VariableCost`, or "" for a line added by hand.
    #[serde(rename = "type")]
    pub line_type: String,
    /// Variable costs: the metric billed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metric_id: Option<i64>,
    /// Lines of the billing run: the application (3scale's contract) billed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_id: Option<i64>,
    /// `Cinstance` (an application) with `contract_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_type: Option<String>,
    /// Lines of the billing run: the plan whose fee or pricing is billed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<i64>,
    pub created_at: String,
    /// A line never changes: its creation.
    pub updated_at: String,
    pub links: Vec<Link>,
}

impl LineItemJson {
    fn of(line: &LineItem, invoice: &Invoice) -> LineItemJson {
        let at = timestamp(line.created_at);
        let mut links = vec![Link {
            rel: "invoice",
            href: format!(
                "/api/accounts/{}/invoices/{}",
                invoice.account_id.0, invoice.id.0
            ),
        }];
        if let Some(application) = line.application_id {
            links.push(Link {
                rel: "application",
                href: format!(
                    "/admin/api/accounts/{}/applications/{}",
                    invoice.account_id.0, application.0
                ),
            });
        }
        LineItemJson {
            id: line.id.0,
            name: line.name.clone(),
            description: line.description.clone(),
            quantity: integer_quantity(line.quantity),
            cost: Number(line.cost),
            line_type: match line.line_type {
                LineItemType::PlanCost => "LineItem::PlanCost",
                LineItemType::VariableCost => "LineItem::VariableCost",
                LineItemType::Manual => "",
            }
            .to_owned(),
            metric_id: line.metric_id.map(|id| id.0),
            contract_id: line.application_id.map(|id| id.0),
            contract_type: line.application_id.map(|_| "Cinstance".to_owned()),
            plan_id: line.plan_id.map(|id| id.0),
            updated_at: at.clone(),
            created_at: at,
            links,
        }
    }
}

/// 3scale's quantity is an integer; a fractional one (never made by the engine) is rounded.
fn integer_quantity(quantity: rust_decimal::Decimal) -> i64 {
    use rust_decimal::prelude::ToPrimitive;
    counterfoil_billing::round_half_up(quantity, 0)
        .to_i64()
        .unwrap_or(0)
}

/// A payment transaction (§10).
#[derive(Debug, Serialize, ToSchema)]
pub struct PaymentTransactionJson {
    pub id: i64,
    pub invoice_id: i64,
    pub created_at: String,
    pub updated_at: String,
    pub reference: String,
    pub success: bool,
    #[schema(value_type = f64)]
    pub amount: Number,
    pub currency: String,
    pub action: String,
    pub message: String,
    pub test: bool,
    pub links: Vec<Link>,
}

impl PaymentTransactionJson {
    fn of(transaction: &PaymentTransaction) -> PaymentTransactionJson {
        let at = timestamp(transaction.created_at);
        PaymentTransactionJson {
            id: transaction.id.0,
            invoice_id: transaction.invoice_id.0,
            created_at: at.clone(),
            updated_at: at,
            reference: transaction.reference.clone(),
            success: transaction.success,
            amount: Number(transaction.amount),
            currency: transaction.currency.clone(),
            action: "purchase".into(),
            message: transaction.message.clone(),
            // The built-in test gateway is the only one so far.
            test: true,
            links: vec![Link {
                rel: "invoice",
                href: format!("/api/invoices/{}", transaction.invoice_id.0),
            }],
        }
    }
}

schema::envelope!(InvoiceEnvelope, invoice, InvoiceJson);
schema::list!(InvoiceList, InvoiceItem, invoices, invoice, InvoiceJson);
schema::envelope!(LineItemEnvelope, line_item, LineItemJson);
schema::list!(
    LineItemList,
    LineItemItem,
    line_items,
    line_item,
    LineItemJson
);
schema::list!(
    PaymentTransactionList,
    PaymentTransactionItem,
    payment_transactions,
    payment_transaction,
    PaymentTransactionJson
);

// --- handlers --------------------------------------------------------------------------------

/// The list filters of §8: `state`, `month` (YYYY-MM), `number` (friendly ID, `*` wildcard),
/// `year` and `buyer_query`; every one that cannot be read is refused in the one answer.
fn list_filters(call: &ApiCall, account: Option<i64>) -> Result<ListInvoices, Failure> {
    let params = &call.params;
    let mut refused = Vec::new();
    let state = params.text("state").map(|state| {
        parse_state(&state).ok_or_else(|| {
            Failure::field(
                "state",
                "must be one of open, finalized, pending, unpaid, paid, failed, cancelled",
            )
        })
    });
    let year = params
        .text("year")
        .filter(|y| !y.trim().is_empty())
        .map(|year| {
            year.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1..=9999).contains(y))
                .ok_or_else(|| Failure::field("year", "must be a year such as 2025"))
        });
    let state = Failure::noted(&mut refused, state.transpose()).flatten();
    let year = Failure::noted(&mut refused, year.transpose()).flatten();
    let period = Failure::noted(&mut refused, params.period("month")).flatten();
    let friendly_id = Failure::noted(&mut refused, params.search("number")).flatten();
    let buyer_query = Failure::noted(&mut refused, params.search("buyer_query")).flatten();
    Failure::all(refused)?;
    Ok(ListInvoices {
        state,
        period,
        friendly_id,
        year,
        buyer_query,
        account_id: account.map(Id),
        oldest_first: true,
        page: params.page(),
        per_page: params.per_page(20),
        ..ListInvoices::default()
    })
}

fn parse_state(text: &str) -> Option<InvoiceState> {
    Some(match text.trim() {
        "open" => InvoiceState::Open,
        "finalized" => InvoiceState::Finalized,
        "pending" => InvoiceState::Pending,
        "paid" => InvoiceState::Paid,
        "unpaid" => InvoiceState::Unpaid,
        "failed" => InvoiceState::Failed,
        "cancelled" | "cancel" => InvoiceState::Cancelled,
        _ => return None,
    })
}

async fn list_page(call: ApiCall, account: Option<i64>) -> Result<Reply, Failure> {
    let filters = list_filters(&call, account)?;
    let page = call.read(op::list_invoices_with_lines, filters).await?;
    let items: Vec<InvoiceJson> = page.items.iter().map(InvoiceJson::of).collect();
    Reply::list(
        "invoices",
        "invoice",
        &items,
        Some(&PageInfo {
            page: page.page,
            per_page: page.per_page,
            total_entries: page.total,
        }),
    )
}

/// Reads an invoice, 404 when it does not exist (or belongs to another buyer than `account`).
async fn detail(call: &ApiCall, id: i64, account: Option<i64>) -> Result<InvoiceDetail, Failure> {
    let detail = call.read(op::get_invoice, ById { id: Id(id) }).await?;
    if account.is_some_and(|account| account != detail.invoice.account_id.0) {
        return Err(Failure::NotFound);
    }
    Ok(detail)
}

/// List invoices, 20 a page by default.
#[utoipa::path(
    get, path = "/api/invoices.json", tag = "Invoices",
    params(schema::PageParams, InvoiceFilters),
    responses(
        (status = 200, body = InvoiceList),
        (status = 422, body = ErrorsBody),
    )
)]
async fn list_invoices(call: ApiCall) -> Result<Reply, Failure> {
    list_page(call, None).await
}

/// One buyer's invoices.
#[utoipa::path(
    get, path = "/api/accounts/{account_id}/invoices.json", tag = "Invoices",
    params(("account_id" = i64, Path), schema::PageParams, InvoiceFilters),
    responses(
        (status = 200, body = InvoiceList),
        (status = 422, body = ErrorsBody),
    )
)]
async fn list_account_invoices(
    Path(account): Path<String>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let account = path_id(&account)?;
    super::accounts::load(&call, account).await?;
    list_page(call, Some(account)).await
}

/// The filters of an invoice list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // documents the query string; read through Params
struct InvoiceFilters {
    /// open, finalized, pending, unpaid, paid, failed or cancelled.
    state: Option<String>,
    /// The billing period, YYYY-MM.
    month: Option<String>,
    /// The friendly ID; `*` matches any characters.
    number: Option<String>,
    /// Only periods of this year, e.g. 2025.
    year: Option<String>,
    /// Only buyers whose name, VAT code or fiscal code contains this text.
    buyer_query: Option<String>,
}

/// Read one invoice.
#[utoipa::path(
    get, path = "/api/invoices/{id}.json", tag = "Invoices",
    params(("id" = i64, Path)),
    responses((status = 200, body = InvoiceEnvelope))
)]
async fn read_invoice(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = id_segment(&id)?;
    let detail = detail(&call, id, None).await?;
    Reply::entity("invoice", &InvoiceJson::of_detail(&detail))
}

/// Download an invoice's PDF, as the book keeps it (`invoice-<friendly id>.pdf`). An invoice
/// without one (not issued, never generated) first gets one made and kept, as "Generate PDF"
/// does in the UI; a read-only token may not make one (403).
#[utoipa::path(
    get, path = "/api/invoices/{id}/pdf", tag = "Invoices",
    params(("id" = i64, Path)),
    responses(
        (status = 200, description = "The PDF", body = schema::FileBytes,
         content_type = "application/pdf"),
    )
)]
async fn download_pdf(Path(id): Path<String>, call: ApiCall) -> Result<Response, Failure> {
    let id = Id(path_id(&id)?);
    let stored = call.read(counterfoil_engine::invoice_pdf, id).await?;
    let (file_name, bytes) = match stored {
        Some(file) => file,
        None if call.token.permission == Permission::Rw => {
            call.book(move |book, actor| {
                Ok(counterfoil_engine::stored_or_new_invoice_pdf(
                    book, actor, id,
                )?)
            })
            .await?
        }
        None => {
            return Err(Failure::Forbidden(
                "This invoice has no PDF yet, and a read-only token may not make one.".into(),
            ))
        }
    };
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Read one invoice of a buyer.
#[utoipa::path(
    get, path = "/api/accounts/{account_id}/invoices/{id}.json", tag = "Invoices",
    params(("account_id" = i64, Path), ("id" = i64, Path)),
    responses((status = 200, body = InvoiceEnvelope))
)]
async fn read_account_invoice(
    Path((account, id)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let account = path_id(&account)?;
    let id = id_segment(&id)?;
    super::accounts::load(&call, account).await?;
    let detail = detail(&call, id, Some(account)).await?;
    Reply::entity("invoice", &InvoiceJson::of_detail(&detail))
}

/// Create a manual invoice (state open) for a buyer; `period` defaults to this month.
#[utoipa::path(
    post, path = "/api/invoices.json", tag = "Invoices",
    request_body(content = CreateInvoiceBody),
    responses(
        (status = 201, body = InvoiceEnvelope),
        (status = 400, body = schema::ErrorBody),
    )
)]
async fn create_invoice(call: ApiCall) -> Result<Reply, Failure> {
    let body: CreateInvoiceBody = call.params.rooted("invoice").parse()?;
    let account_id = Id(body
        .account_id
        .ok_or(Failure::MissingParameter("account_id"))?);
    match super::accounts::load(&call, account_id.0).await {
        Err(Failure::NotFound) => return Err(Failure::field("buyer_account", "can't be blank")),
        found => found?,
    };
    let input = CreateInvoice {
        account_id,
        lines: Vec::new(),
        period: body.period,
    };
    let detail = call.write(op::create_invoice, input).await?;
    let invoice = InvoiceJson::of_detail(&detail);
    let location = format!("/api/invoices/{}.json", invoice.id);
    Reply::created("invoice", &invoice, location)
}

/// The body of an invoice create (flat, or under `invoice`).
#[derive(Deserialize, ToSchema)]
struct CreateInvoiceBody {
    #[serde(default, deserialize_with = "lenient::integer")]
    #[schema(value_type = i64, required)]
    account_id: Option<i64>,
    /// YYYY-MM; this month when absent.
    #[serde(default, deserialize_with = "lenient::period")]
    #[schema(value_type = Option<String>)]
    period: Option<Period>,
}

/// The body of an invoice update (flat, or under `invoice`).
#[derive(Deserialize, ToSchema)]
struct UpdateInvoiceBody {
    /// YYYY-NNNNNNNN or YYYY-MM-NNNNNNNN.
    #[serde(default, deserialize_with = "lenient::text")]
    friendly_id: Option<String>,
    /// YYYY-MM.
    #[serde(default, deserialize_with = "lenient::period")]
    #[schema(value_type = Option<String>)]
    period: Option<Period>,
}

/// Change the friendly ID or period; only while the invoice is open or finalized.
#[utoipa::path(
    put, path = "/api/invoices/{id}.json", tag = "Invoices",
    params(("id" = i64, Path)),
    request_body(content = UpdateInvoiceBody),
    responses(
        (status = 200, body = InvoiceEnvelope),
        (status = 400, body = schema::ErrorBody),
    )
)]
async fn update_invoice(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = id_segment(&id)?;
    let UpdateInvoiceBody {
        friendly_id,
        period,
    } = call.params.rooted("invoice").parse()?;
    if friendly_id.is_none() && period.is_none() {
        return Err(Failure::MissingParameter("invoice"));
    }
    detail(&call, id, None).await?;
    let input = UpdateInvoice {
        id: Id(id),
        friendly_id,
        period,
    };
    let detail = call
        .write(op::update_invoice, input)
        .await
        .map_err(invalid_invoice_state)?;
    Reply::entity("invoice", &InvoiceJson::of_detail(&detail))
}

/// A refusal because of the invoice's state, in 3scale's words.
fn invalid_invoice_state(failure: Failure) -> Failure {
    match failure {
        Failure::Errors(StatusCode::UNPROCESSABLE_ENTITY, errors)
            if errors.contains_key("base") =>
        {
            Failure::base(StatusCode::UNPROCESSABLE_ENTITY, "Invalid invoice state")
        }
        other => other,
    }
}

/// Move an invoice to another state (`cancel` is `cancelled`).
#[utoipa::path(
    put, path = "/api/invoices/{id}/state.json", tag = "Invoices",
    params(("id" = i64, Path)),
    request_body(content = StateBody),
    responses((status = 200, body = InvoiceEnvelope))
)]
async fn change_state(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    let body: StateBody = call.params.rooted("invoice").parse()?;
    let target = body.state.unwrap_or_default();
    let detail = detail(&call, id, None).await?;
    let refused = || {
        Failure::base(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("Cannot transition to {}", target.trim()),
        )
    };
    let state = parse_state(&target).ok_or_else(refused)?;
    if !detail.allowed_transitions.contains(&state) {
        return Err(refused());
    }
    let changed = call
        .write(
            op::transition_invoice,
            TransitionInvoice { id: Id(id), state },
        )
        .await
        .map_err(|failure| match failure {
            Failure::Errors(..) => refused(),
            other => other,
        })?;
    Reply::entity("invoice", &InvoiceJson::of_detail(&changed))
}

/// The body of a state change (flat, or under `invoice`).
#[derive(Deserialize, ToSchema)]
struct StateBody {
    /// finalized, pending, unpaid, paid, failed, cancelled (or cancel).
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = String, required)]
    state: Option<String>,
}

/// Charge the buyer's card for the invoice: 201 when paid. A book without a payment gateway
/// charges nothing: 422 `{"errors":{"base":["No payment gateway: charging is off."]}}`.
#[utoipa::path(
    post, path = "/api/invoices/{id}/charge.json", tag = "Invoices",
    params(("id" = i64, Path)),
    responses((status = 201, body = InvoiceEnvelope))
)]
async fn charge(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    let before = detail(&call, id, None).await?;
    if !matches!(
        before.invoice.state,
        InvoiceState::Pending | InvoiceState::Unpaid | InvoiceState::Failed
    ) {
        return Err(Failure::field(
            "state",
            format!("Invoice {id} is not in chargeable state!"),
        ));
    }
    fn failed() -> Failure {
        Failure::base(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Failed to charge the credit card.",
        )
    }
    let after = call
        .book(move |book, actor| {
            op::charge_invoice(book, actor, ById { id: Id(id) }).map_err(|error| {
                match (error.reason, error.code) {
                    (Some(Reason::NoPaymentGateway), _) => Failure::base(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        counterfoil_engine::NO_PAYMENT_GATEWAY,
                    ),
                    (_, ErrorCode::Validation | ErrorCode::InvalidState) => failed(),
                    _ => Failure::from(error),
                }
            })
        })
        .await?;
    if after.invoice.state != InvoiceState::Paid {
        return Err(failed());
    }
    let invoice = InvoiceJson::of_detail(&after);
    Reply::created("invoice", &invoice, format!("/api/invoices/{id}.json"))
}

/// An invoice's line items, by id.
#[utoipa::path(
    get, path = "/api/invoices/{id}/line_items.json", tag = "Line items",
    params(("id" = i64, Path)),
    responses((status = 200, body = LineItemList))
)]
async fn list_line_items(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    let detail = detail(&call, id, None).await?;
    let items: Vec<LineItemJson> = detail
        .line_items
        .iter()
        .map(|line| LineItemJson::of(line, &detail.invoice))
        .collect();
    Reply::list("line_items", "line_item", &items, None)
}

/// The body of a line item create (flat, or under `line_item`).
#[derive(Deserialize, ToSchema)]
struct LineItemBody {
    #[serde(default, deserialize_with = "lenient::text")]
    #[schema(value_type = String, required)]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient::text")]
    description: Option<String>,
    /// A whole number; 1 when absent.
    #[serde(default, deserialize_with = "lenient::integer")]
    quantity: Option<i64>,
    /// The line's total (4 decimal places).
    #[serde(default, deserialize_with = "lenient::decimal")]
    #[schema(value_type = f64, required)]
    cost: Option<Decimal>,
}

/// Add a line; only while the invoice is open or finalized.
#[utoipa::path(
    post, path = "/api/invoices/{id}/line_items.json", tag = "Line items",
    params(("id" = i64, Path)),
    request_body(content = LineItemBody),
    responses((status = 201, body = LineItemEnvelope))
)]
async fn create_line_item(Path(id): Path<String>, call: ApiCall) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    let before = detail(&call, id, None).await?;
    if !before.editable {
        return Err(Failure::base(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid invoice state",
        ));
    }
    // 3scale turns a cost it cannot read into 0; a finance user would rather be told.
    let body: LineItemBody = call.params.rooted("line_item").parse()?;
    let cost = body.cost.unwrap_or_default();
    let quantity = body.quantity.unwrap_or(1);
    let input = AddLineItem {
        invoice_id: Id(id),
        name: body.name.unwrap_or_default(),
        description: body.description.unwrap_or_default(),
        quantity: Some(Decimal::from(quantity)),
        cost,
    };
    let after = call.write(op::add_line_item, input).await?;
    let added = after
        .line_items
        .iter()
        .max_by_key(|line| line.id)
        .ok_or_else(|| Failure::internal("the added line is missing"))?;
    let line = LineItemJson::of(added, &after.invoice);
    let location = format!("/api/invoices/{id}/line_items/{}.json", line.id);
    Reply::created("line_item", &line, location)
}

/// Delete a line; only while the invoice is open or finalized (403 otherwise).
#[utoipa::path(
    delete, path = "/api/invoices/{id}/line_items/{line_id}.json", tag = "Line items",
    params(("id" = i64, Path), ("line_id" = i64, Path)),
    responses(
        (status = 200, description = "Deleted; empty body"),
        (status = 403, body = ErrorsBody),
    )
)]
async fn delete_line_item(
    Path((id, line)): Path<(String, String)>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    let line = id_segment(&line)?;
    let before = detail(&call, id, None).await?;
    if !before.line_items.iter().any(|item| item.id.0 == line) {
        return Err(Failure::NotFound);
    }
    if !before.editable {
        return Err(Failure::base(
            StatusCode::FORBIDDEN,
            "Invalid invoice state",
        ));
    }
    call.write(op::delete_line_item, ById { id: Id(line) })
        .await?;
    Ok(Reply::deleted())
}

/// An invoice's payment transactions (every charge attempt).
#[utoipa::path(
    get, path = "/api/invoices/{id}/payment_transactions.json", tag = "Payment transactions",
    params(("id" = i64, Path)),
    responses((status = 200, body = PaymentTransactionList))
)]
async fn list_payment_transactions(
    Path(id): Path<String>,
    call: ApiCall,
) -> Result<Reply, Failure> {
    let id = path_id(&id)?;
    let detail = detail(&call, id, None).await?;
    let items: Vec<PaymentTransactionJson> = detail
        .payment_transactions
        .iter()
        .map(PaymentTransactionJson::of)
        .collect();
    Reply::list("payment_transactions", "payment_transaction", &items, None)
}
