// Generated from the engine's Rust types by crates/engine/src/bindings.rs.
// Do not edit: run `UPDATE_BINDINGS=1 cargo test -p counterfoil-engine bindings`.

export type ErrorCode = "validation" | "not_found" | "conflict" | "invalid_state" | "internal" | "unauthorized" | "forbidden";

export type ApiError = { code: ErrorCode, 
/**
 * One plain sentence for the user.
 */
message: string, 
/**
 * For validation errors: the input field at fault, e.g. `legal_address.country` (with
 * several, the first).
 */
field?: string, 
/**
 * Every field at fault when an input has several (then `message` says them all, and
 * `field` names the first); absent with one, so a single refusal keeps its shape.
 */
errors?: Array<FieldError>, };

export type FieldError = { field: string, message: string, };

export type Id = string;

export type NoInput = Record<symbol, never>;

export type ById = { id: Id, };

export type Paging = { page?: number, per_page?: number, };

export type Page<T> = { items: Array<T>, page: number, per_page: number, total: number, };

export type BillingMode = "postpaid" | "prepaid";

export type Numbering = "monthly" | "yearly";

export type Address = { line1: string, line2: string, city: string, state: string, zip: string, country: string, };

export type AddressUpdate = { line1?: string, line2?: string, city?: string, state?: string, zip?: string, country?: string, };

export type PaperSize = "a4" | "letter";

export type Settings = { 
/**
 * Issued-by name on invoices.
 */
org_name: string, address: Address, fiscal_code: string, vat_code: string, 
/**
 * ISO 4217 code, e.g. EUR.
 */
currency: string, billing_mode: BillingMode, numbering: Numbering, invoice_footnote: string, zero_vat_text: string, charging_enabled: boolean, 
/**
 * A4 unless the provider prints on US Letter.
 */
paper_size?: PaperSize, 
/**
 * Payment terms: the days from an invoice's issue to its due date (3scale's and Orb's
 * `net_terms`), 0 to 365; 2 unless changed (billing-rules.md §5).
 */
net_terms?: number, 
/**
 * Whether a logo is set (`set_invoice_logo` changes it; ignored by `update_settings`).
 */
has_logo?: boolean, };

export type Service = { id: Id, name: string, system_name: string, description: string, 
/**
 * How 3scale's gateway authenticates the service's applications; kept for the clients
 * that set it, billing does not depend on it.
 */
backend_version: BackendVersion, created_at: string, };

export type BackendVersion = "1" | "2" | "oauth" | "oidc";

export type CreateService = { name: string, 
/**
 * Derived from the name when absent.
 */
system_name?: string | null, description?: string, 
/**
 * `"1"` when absent.
 */
backend_version?: BackendVersion, };

export type UpdateService = { id: Id, name?: string, description?: string, backend_version?: BackendVersion, };

export type Metric = { id: Id, service_id: Id, 
/**
 * Set for methods: the id of the service's `hits` metric.
 */
parent_id: Id | null, system_name: string, friendly_name: string, unit: string, description: string, };

export type ListMetrics = { service_id: Id, };

export type CreateMetric = { service_id: Id, 
/**
 * Give the `hits` metric's id to create a method.
 */
parent_id?: Id | null, system_name?: string | null, friendly_name: string, unit: string, description?: string, };

export type UpdateMetric = { id: Id, friendly_name?: string, unit?: string, description?: string, };

export type PlanState = "hidden" | "published";

export type Plan = { id: Id, service_id: Id, name: string, system_name: string, setup_fee: string, cost_per_month: string, trial_period_days: number, state: PlanState, 
/**
 * The plan new applications of the service get when none is named.
 */
is_default: boolean, created_at: string, 
/**
 * What the plan offers, in the provider's words (shown to people, never billed).
 */
description: string, 
/**
 * 3scale's "Applications require approval?": kept and shown; Counterfoil itself
 * approves every application.
 */
approval_required: boolean, 
/**
 * Set on a custom plan: one application's own copy of a plan (3scale's
 * `customize_plan`), which no other application may use and lists leave out.
 */
custom: CustomPlan | null, };

export type CustomPlan = { application_id: Id, 
/**
 * The plan the custom one was copied from; `decustomize_plan` goes back to it.
 */
original_plan_id: Id, 
/**
 * When the application left it (went back to its plan, or changed plan): the plan is
 * kept, unchangeable, because the plan history and invoices name it.
 */
retired_at: string | null, };

export type PlanFields = { name: string, setup_fee: string, cost_per_month: string, trial_period_days: number, state: PlanState, description: string, approval_required: boolean, };

export type CreatePlan = { service_id: Id, system_name?: string | null, name: string, setup_fee: string, cost_per_month: string, trial_period_days: number, state: PlanState, description?: string, approval_required?: boolean, };

export type UpdatePlan = { id: Id, name?: string, setup_fee?: string, cost_per_month?: string, trial_period_days?: number, state?: PlanState, description?: string, approval_required?: boolean, };

export type ListPlans = { service_id?: Id | null, 
/**
 * Matches name or system name, case-insensitively.
 */
search?: string | null, state?: PlanState | null, 
/**
 * Oldest first (by id) instead of by name, as 3scale's API lists plans.
 */
order_by_id?: boolean, 
/**
 * Also the custom plans (each one application's own), which lists otherwise leave out:
 * for screens that name the plan of every application.
 */
include_custom?: boolean, page?: number, per_page?: number, };

export type PricingRule = { id: Id, plan_id: Id, metric_id: Id, min: number, 
/**
 * Absent: unbounded.
 */
max: number | null, cost_per_unit: string, };

export type ListPricingRules = { plan_id: Id, };

export type CreatePricingRule = { plan_id: Id, metric_id: Id, min: number, max?: number | null, cost_per_unit: string, };

export type UpdatePricingRule = { id: Id, min?: number, 
/**
 * `null`: no upper limit.
 */
max?: number | null, cost_per_unit?: string, };

export type CustomizePlan = { application_id: Id, };

export type Card = { last4: string, expiry_month: number, expiry_year: number, 
/**
 * The payment gateway's token for the card.
 */
gateway_reference: string, };

export type Account = { id: Id, created_at: string, 
/**
 * Approved unless changed (3scale's signup approval); billing does not depend on it.
 */
state?: AccountState, 
/**
 * The buyer's admin user, as 3scale's signup makes it (unique, case-insensitively).
 */
admin_username?: string | null, admin_email?: string | null, 
/**
 * When the account was deleted while it had invoices or applications: it has left the
 * lists, and the book keeps it for its invoices (3scale's scheduled deletion).
 */
deleted_at?: string | null, org_name: string, legal_address?: Address, 
/**
 * Used on invoices only when no legal address is set.
 */
billing_address?: Address | null, vat_code?: string, fiscal_code?: string, po_number?: string, 
/**
 * Percent, at most 2 decimals; absent means no VAT (not the same as 0).
 */
vat_rate?: string | null, monthly_billing_enabled?: boolean, monthly_charging_enabled?: boolean, card?: Card | null, };

export type AccountState = "approved" | "pending" | "rejected" | "suspended";

export type AccountEvent = "approve" | "reject" | "make_pending" | "suspend" | "resume";

export type ChangeAccountState = { id: Id, event: AccountEvent, };

export type SignUp = { org_name: string, 
/**
 * 3 to 40 characters, unique among buyers' users.
 */
username: string, email?: string | null, legal_address?: Address, vat_code?: string, fiscal_code?: string, po_number?: string, vat_rate?: string | null, monthly_billing_enabled?: boolean, monthly_charging_enabled?: boolean, };

export type FindAccount = { username?: string | null, user_id?: Id | null, email?: string | null, };

export type AccountFields = { org_name: string, legal_address?: Address, 
/**
 * Used on invoices only when no legal address is set.
 */
billing_address?: Address | null, vat_code?: string, fiscal_code?: string, po_number?: string, 
/**
 * Percent, at most 2 decimals; absent means no VAT (not the same as 0).
 */
vat_rate?: string | null, monthly_billing_enabled?: boolean, monthly_charging_enabled?: boolean, card?: Card | null, };

export type UpdateAccount = { id: Id, org_name?: string, 
/**
 * The parts given change.
 */
legal_address?: AddressUpdate, 
/**
 * Used on invoices only when no legal address is set. The parts given change (over an
 * empty address when there is none); `null` removes it.
 */
billing_address?: AddressUpdate | null, vat_code?: string, fiscal_code?: string, po_number?: string, 
/**
 * Percent, at most 2 decimals; `null` means no VAT (not the same as 0).
 */
vat_rate?: string | null, monthly_billing_enabled?: boolean, monthly_charging_enabled?: boolean, 
/**
 * `null` removes the card on file.
 */
card?: Card | null, };

export type ListAccounts = { 
/**
 * Matches organisation name, VAT code or fiscal code, case-insensitively.
 */
search?: string | null, state?: AccountState | null, 
/**
 * By id, oldest first (as 3scale's API lists); by organisation name otherwise.
 */
oldest_first?: boolean, page?: number, per_page?: number, };

export type AccountUser = { id: Id, account_id: Id, username: string, email: string | null, role: AccountUserRole, created_at: string, };

export type AccountUserRole = "admin" | "member";

export type CreateAccountUser = { account_id: Id, 
/**
 * 3 to 40 characters, unique among buyers' users.
 */
username: string, email?: string | null, };

export type ApplicationState = "live" | "cancelled";

export type Application = { id: Id, account_id: Id, plan_id: Id, name: string, state: ApplicationState, created_at: string, 
/**
 * Created + the plan's trial days at signup; absent without a trial.
 */
trial_ends_at: string | null, 
/**
 * The instant up to which the fixed fee has been billed.
 */
paid_until: string | null, 
/**
 * The instant up to which usage has been billed.
 */
usage_billed_until: string | null, setup_fee_billed: boolean, cancelled_at: string | null, description?: string, 
/**
 * Suspended (3scale's app state); billing follows the subscription all the same.
 */
suspended?: boolean, 
/**
 * The key the buyer's requests carry (3scale's backend version 1).
 */
user_key?: string | null, };

export type PlanChange = { from_plan_id: Id | null, to_plan_id: Id, changed_at: string, };

export type ApplicationDetail = { application: Application, 
/**
 * Oldest first; the first entry is the signup.
 */
plan_history: Array<PlanChange>, };

export type ListApplications = { account_id?: Id | null, plan_id?: Id | null, state?: ApplicationState | null, page?: number, per_page?: number, };

export type Subscribe = { account_id: Id, plan_id: Id, name: string, description?: string, 
/**
 * None: the application has no key (see `generated_user_key`).
 */
user_key?: string | null, };

export type UpdateApplication = { id: Id, name?: string | null, description?: string | null, user_key?: string | null, };

export type SuspendApplication = { id: Id, 
/**
 * true suspends a live application, false resumes a suspended one.
 */
suspended: boolean, };

export type ChangePlan = { application_id: Id, plan_id: Id, };

export type PlanChangePreview = { application_id: Id, from_plan_id: Id, to_plan_id: Id, 
/**
 * The instant the change would take effect: now.
 */
changed_at: string, billing_mode: BillingMode, 
/**
 * In the order the billing run adds them; lines costing nothing are left out (§7).
 */
lines: Array<PlanChangeLine>, 
/**
 * Σ the lines' costs, before VAT.
 */
total: string, 
/**
 * Why the change bills nothing, when that is not just its amounts: the application is in
 * its trial, or the account's monthly billing is off.
 */
nothing_billed_because?: string | null, };

export type PlanChangeLine = { name: string, description: string, 
/**
 * The month of the invoice the line goes to, YYYY-MM.
 */
period: string, 
/**
 * 4 decimals at most, as on the invoice.
 */
cost: string, };

export type UsageRecord = { id: Id, application_id: Id, metric_id: Id, timestamp: string, value: number, };

export type RecordUsage = { application_id: Id, metric_id: Id, 
/**
 * When the usage happened; now when absent. Never in the future.
 */
timestamp?: string, value: number, 
/**
 * Taken once, ever: recording again with a key taken before answers the record that
 * carries it and records nothing.
 */
idempotency_key?: string | null, };

export type ListUsage = { application_id: Id, metric_id?: Id | null, 
/**
 * Inclusive lower bound.
 */
from?: string, 
/**
 * Exclusive upper bound.
 */
to?: string, page?: number, per_page?: number, };

export type ListAudit = { entity?: string | null, entity_id?: Id | null, page?: number, per_page?: number, };

export type AuditRecord = { id: Id, at: string, actor: string, operation: string, entity: string, entity_id: Id | null, before: unknown, after: unknown, };

export type BookInfo = { path: string, schema_version: number, now: string, simulated_clock: boolean, 
/**
 * The gateway charges go through; none: "No payment gateway: charging is off", and
 * nothing is marked paid by charging (billing-rules.md §9).
 */
payment_gateway: PaymentGatewayInfo | null, };

export type PaymentGatewayInfo = { name: string, 
/**
 * A test gateway: charges are simulated and no money moves (a test or demo book).
 */
test: boolean, };

export type InvoiceState = "open" | "finalized" | "pending" | "paid" | "unpaid" | "failed" | "cancelled";

export type CreationType = "manual" | "background";

export type LineItemType = "plan_cost" | "variable_cost" | "manual";

export type Totals = { 
/**
 * Σ line costs, exact (4 dp).
 */
cost_without_vat: string, 
/**
 * VAT rate × net, exact.
 */
vat_amount: string, charged_without_vat: string, charged_vat: string, 
/**
 * The amount due and charged: round2(net) + round2(VAT).
 */
total: string, };

export type Invoice = { id: Id, account_id: Id, account_name: string, friendly_id: string, 
/**
 * YYYY-MM.
 */
period: string, state: InvoiceState, creation_type: CreationType, created_at: string, 
/**
 * YYYY-MM-DD, set when issued.
 */
issued_on: string | null, due_on: string | null, paid_at: string | null, 
/**
 * When the invoice last changed: its number, period, state, lines, charging retries or
 * payments.
 */
updated_at: string, currency: string, 
/**
 * The frozen rate once issued; the account's live rate before.
 */
vat_rate: string | null, totals: Totals, };

export type LineItem = { id: Id, invoice_id: Id, name: string, description: string, 
/**
 * Informational; never multiplies the cost.
 */
quantity: string, 
/**
 * The line's total, 4 dp.
 */
cost: string, type: LineItemType, 
/**
 * The metric a variable-cost line bills.
 */
metric_id: Id | null, 
/**
 * The application a line of the billing run bills (3scale's `contract_id`).
 */
application_id: Id | null, 
/**
 * The plan whose fee or pricing the line bills.
 */
plan_id: Id | null, created_at: string, };

export type PaymentTransaction = { id: Id, invoice_id: Id, amount: string, currency: string, success: boolean, reference: string, message: string, created_at: string, };

export type Party = { name: string, address: Address, fiscal_code: string, vat_code: string, po_number: string, };

export type InvoiceDetail = { invoice: Invoice, issued_by: Party, issued_to: Party, line_items: Array<LineItem>, payment_transactions: Array<PaymentTransaction>, 
/**
 * The states this invoice may move to now.
 */
allowed_transitions: Array<InvoiceState>, 
/**
 * Whether lines, friendly ID and period may be edited (open and finalized only).
 */
editable: boolean, warnings: Array<string>, 
/**
 * The invoice's PDF as last generated; none until it is issued or generated by hand.
 */
pdf: PdfStatus | null, };

export type InvoiceWithLines = { invoice: Invoice, issued_by: Party, issued_to: Party, line_items: Array<LineItem>, };

export type CreateInvoice = { account_id: Id, 
/**
 * Lines to open the invoice with, in order (made in the same change as the invoice).
 */
lines?: Array<InvoiceLine>, 
/**
 * YYYY-MM; the current month when absent.
 */
period?: string | null, };

export type ListInvoices = { state?: InvoiceState | null, 
/**
 * YYYY-MM.
 */
period?: string | null, account_id?: Id | null, 
/**
 * A friendly ID; `*` matches any run of characters (e.g. `2025-01-*`).
 */
friendly_id?: string | null, 
/**
 * Periods of this year only.
 */
year?: number | null, 
/**
 * Buyers whose name, VAT code or fiscal code contains this text (any case).
 */
buyer_query?: string | null, 
/**
 * Any of these states (an earnings figure's invoices, e.g. unpaid and failed).
 */
states?: Array<InvoiceState>, 
/**
 * Only credits due to buyers: issued invoices with a negative total.
 */
credit_due?: boolean, 
/**
 * Only issued invoices past their due date and not charged or paid yet (pending, due
 * before today by the book's clock), as the dashboard counts them.
 */
past_due?: boolean, 
/**
 * Oldest first (by id), as 3scale's API lists; newest first otherwise. Ignored with `sort`.
 */
oldest_first?: boolean, 
/**
 * The column to sort by, ascending unless `descending`; the id breaks ties (in the same
 * direction). Without it: by id, newest first (or oldest first with `oldest_first`).
 */
sort?: InvoiceSort | null, 
/**
 * With `sort`: largest, latest or last in the alphabet first.
 */
descending?: boolean, page?: number, per_page?: number, };

export type InvoiceSort = "id" | "friendly_id" | "buyer" | "period" | "state" | "issued_on" | "due_on" | "total";

export type UpdateInvoice = { id: Id, friendly_id?: string | null, period?: string | null, };

export type AddLineItem = { invoice_id: Id, name: string, description?: string, quantity?: string, 
/**
 * The line's total (may be negative, e.g. a credit).
 */
cost: string, };

export type InvoiceLine = { name: string, description?: string, quantity?: string, 
/**
 * The line's total (may be negative, e.g. a credit).
 */
cost: string, };

export type TransitionInvoice = { id: Id, state: InvoiceState, };

export type MarkInvoicePaid = { id: Id, 
/**
 * E.g. the bank transfer's id.
 */
reference?: string, };

export type EarningsByMonth = { 
/**
 * First month, YYYY-MM; 11 months before `to` when absent (a 12-month window).
 */
from?: string | null, 
/**
 * Last month, YYYY-MM; the current month by the book's clock when absent. Paging to an
 * earlier 12-month window is `to` 12 months back, with `from` left out.
 */
to?: string | null, 
/**
 * Amounts with VAT (the default) or without.
 */
include_vat?: boolean, };

export type MonthEarnings = { period: string, total: string, 
/**
 * Open, finalized and pending.
 */
in_process: string, 
/**
 * Unpaid and failed.
 */
overdue: string, paid: string, };

export type Earnings = { 
/**
 * The first month shown, YYYY-MM.
 */
from: string, 
/**
 * The last month shown, YYYY-MM.
 */
to: string, 
/**
 * The book's current month, YYYY-MM: where the latest window ends.
 */
current_month: string, 
/**
 * Whether the amounts include VAT.
 */
include_vat: boolean, 
/**
 * Every month from `from` to `to`, oldest first.
 */
months: Array<MonthEarnings>, 
/**
 * The total row: each column is the exact sum of the month figures shown above it, so it
 * foots to the cent (the row's total, like a month's, may differ by cents from the sum of
 * its three parts).
 */
totals: EarningsTotals, };

export type EarningsTotals = { total: string, 
/**
 * Open, finalized and pending.
 */
in_process: string, 
/**
 * Unpaid and failed.
 */
overdue: string, paid: string, };

export type PdfStatus = { generated_at: string, 
/**
 * The file's size; none when it could not be made.
 */
size_bytes: number | null, 
/**
 * Why it could not be made (e.g. a character the invoice font cannot draw).
 */
error: string | null, 
/**
 * The settings it was made with.
 */
settings: PdfSettings, };

export type PdfSettings = { paper_size: PaperSize, invoice_footnote: string, zero_vat_text: string, 
/**
 * SHA-256 of the logo, hex; none without a logo.
 */
logo_sha256: string | null, };

export type SetInvoiceLogo = { image_base64?: string | null, };

export type InvoiceLogo = { 
/**
 * `image/png` or `image/jpeg`, from the file's first bytes.
 */
media_type: string, image_base64: string, };

export type InvoicePdfFile = { 
/**
 * `invoice-<friendly id>.pdf`.
 */
file_name: string, pdf_base64: string, };

export type InvoicePdfStatuses = { ids: Array<Id>, };

export type InvoicePdfState = { id: Id, state: InvoiceState, pdf: PdfStatus | null, };

export type UsageRow = { 
/**
 * The application's id.
 */
application: string, 
/**
 * The metric's system name (or id) in the application's service.
 */
metric: string, 
/**
 * RFC 3339, e.g. 2025-01-31T23:00:00Z.
 */
timestamp: string, value: string, 
/**
 * Taken once, ever: a row whose key was imported before (or earlier in the same file) is
 * a duplicate, never recorded twice. Optional.
 */
idempotency_key?: string, };

export type ImportUsage = { rows: Array<UsageRow>, 
/**
 * Check every row and report, without importing anything.
 */
dry_run?: boolean, };

export type RowError = { row: number, field: string, message: string, };

export type UsageImportReport = { 
/**
 * Rows imported: all of them, or none when any row is invalid.
 */
imported: number, 
/**
 * At most the first 100 problems.
 */
errors: Array<RowError>, 
/**
 * The rows (numbered from 1) whose idempotency key was taken before: not recorded again.
 */
duplicates: Array<number>, };

export type EventInput = { idempotency_key?: string, event_name?: string, 
/**
 * RFC 3339; without an offset it is UTC.
 */
timestamp?: string, 
/**
 * The account's id.
 */
customer_id?: string, 
/**
 * The alias an account carries (`set_external_customer_id`).
 */
external_customer_id?: string, properties?: Record<string, unknown>, };

export type IngestEvents = { events: Array<EventInput>, };

export type RefusedEvent = { 
/**
 * Its place in the batch, from 0.
 */
index: number, 
/**
 * Its key as sent (empty when it had none).
 */
idempotency_key: string, validation_errors: Array<string>, };

export type IngestReport = { ingested: Array<string>, duplicate: Array<string>, refused: Array<RefusedEvent>, };

export type Event = { id: string, event_name: string, timestamp: string, customer_id: Id, external_customer_id: string | null, properties: Record<string, unknown>, ingested_at: string, 
/**
 * Deprecated events count for nothing; they stay to be seen.
 */
deprecated: boolean, 
/**
 * 1, then one more for each amendment (the earlier versions are kept).
 */
version: number, };

export type AmendEvent = { id: string, idempotency_key?: string, event_name?: string, 
/**
 * RFC 3339; without an offset it is UTC.
 */
timestamp?: string, 
/**
 * The account's id.
 */
customer_id?: string, 
/**
 * The alias an account carries (`set_external_customer_id`).
 */
external_customer_id?: string, properties?: Record<string, unknown>, };

export type ByEventId = { id: string, };

export type SearchEvents = { event_ids?: Array<string>, timeframe_start?: string, timeframe_end?: string, customer_id?: string, limit?: number, };

export type EventVolume = { timeframe_start: string, timeframe_end?: string, };

export type VolumeBucket = { timeframe_start: string, timeframe_end: string, count: number, };

export type SetExternalCustomerId = { account_id: Id, external_customer_id?: string | null, };

export type Aggregation = "count" | "sum" | "max" | "unique_count" | "latest";

export type BillableMetric = { id: Id, name: string, description: string, event_name: string, aggregation: Aggregation, property: string | null, filters: Record<string, unknown>, 
/**
 * The metric as Orb writes it: `SELECT sum(tokens) FROM events WHERE …`.
 */
sql: string, created_at: string, };

export type CreateBillableMetric = { name: string, description?: string, event_name: string, aggregation: Aggregation, 
/**
 * Required for every aggregation but `count`.
 */
property?: string | null, 
/**
 * Property values an event must have (equality).
 */
filters?: Record<string, unknown>, };

export type MetricQuantity = { metric_id: Id, customer_id: Id, timeframe_start: string, timeframe_end: string, };

export type Quantity = { quantity: string, 
/**
 * The events that counted.
 */
events: number, };

export type Scope = "account_management" | "finance" | "cms" | "stats" | "policy_registry" | "sync";

export type Permission = "ro" | "rw";

export type AccessToken = { id: Id, name: string, scopes: Array<Scope>, permission: Permission, expires_at: string | null, created_at: string, 
/**
 * Past its expiry by the book's clock: refused, still listed until revoked.
 */
expired: boolean, };

export type CreateAccessToken = { name: string, scopes: Array<Scope>, permission: Permission, expires_at?: string, };

export type CreatedAccessToken = { token: AccessToken, value: string, };

export type ListAccessTokens = { 
/**
 * Only tokens whose name contains this (case-insensitive).
 */
name?: string, };

export type User = { id: Id, username: string, scopes: Array<Scope>, permission: Permission, created_at: string, 
/**
 * May not sign in; their sessions ended when they were disabled.
 */
disabled: boolean, 
/**
 * Sign-ins since the last successful one that did not succeed.
 */
failed_sign_ins: number, 
/**
 * Until then every sign-in is refused (five failed sign-ins in a row, docs/access.md).
 */
locked_until: string | null, };

export type AddUser = { username: string, password: string, scopes: Array<Scope>, permission: Permission, };

export type ChangePassword = { id: Id, password: string, };

export type AdvanceClock = { to: string, };

export type Dashboard = { 
/**
 * Today by the book's clock, YYYY-MM-DD.
 */
today: string, 
/**
 * Open and finalized invoices: still editable, not issued yet.
 */
to_review: AttentionGroup, 
/**
 * The first of them, the ones issued soonest first.
 */
to_review_items: Array<ReviewInvoice>, 
/**
 * Pending (issued, not paid) and past their due date.
 */
past_due: AttentionGroup, 
/**
 * Unpaid: a charge failed and is being retried.
 */
overdue: AttentionGroup, failed: AttentionGroup, 
/**
 * Issued invoices with a negative total: money owed to buyers.
 */
credits_due: AttentionGroup, last_run: BillingJobSummary | null, 
/**
 * When the next daily job runs (in the past when a catch-up is due).
 */
next_run: string, };

export type AttentionGroup = { count: number, total: string, };

export type ReviewInvoice = { id: Id, friendly_id: string, account_name: string, period: string, state: InvoiceState, creation_type: CreationType, total: string, 
/**
 * The day the billing run will issue it, YYYY-MM-DD; none when only a person will (a
 * manual invoice, or a buyer whose monthly billing is off).
 */
issues_on: string | null, 
/**
 * The due date it gets then, by the payment terms in the settings today (`net_terms`).
 */
due_on: string | null, };

export type BillingJobSummary = { 
/**
 * YYYY-MM-DD.
 */
date: string, finished_at: string, invoices_created: number, lines_added: number, invoices_finalized: number, invoices_issued: number, };

export type BillingCounts = { invoices_created: number, 
/**
 * Invoices that got a line or changed state (created ones included). In a run's totals an
 * invoice counts once per job that touched it.
 */
invoices_touched: number, lines_added: number, invoices_finalized: number, invoices_issued: number, 
/**
 * Issued with a total of 0, and so marked paid at once.
 */
invoices_paid: number, };

export type JobReport = { 
/**
 * YYYY-MM-DD; the job billed as of 08:00 UTC that day.
 */
date: string, counts: BillingCounts, };

export type BillingRunReport = { jobs: Array<JobReport>, totals: BillingCounts, };

export type SyncStatus = { role: "standalone" | "server" | "linked", server_url: string | null, device_id: string | null, 
/**
 * The server's feed position this copy holds.
 */
cursor: number, last_synced_at: string | null, offline_since: string | null, last_error: string | null, 
/**
 * Changes made here that the server has not answered yet.
 */
waiting: number, refused: Array<RefusedChange>, };

export type RefusedChange = { op_id: string, 
/**
 * Its operation's name in the list (e.g. `add_line_item`).
 */
operation: string, input: unknown, actor: string, performed_at: string, code: string, message: string, field: string | null, refused_at: string, };

export const ERROR_CODES: readonly ErrorCode[] = ["validation", "not_found", "conflict", "invalid_state", "internal", "unauthorized", "forbidden"];

export const SERVER_ONLY_OPERATIONS: readonly (keyof Operations)[] = ["transition_invoice", "charge_invoice", "advance_clock", "list_access_tokens", "get_access_token", "create_access_token", "delete_access_token", "list_users", "add_user", "remove_user", "disable_user", "enable_user", "change_password"];

export type Operations = {
  book_info: { input: NoInput; output: BookInfo };
  list_audit: { input: ListAudit; output: Page<AuditRecord> };
  get_settings: { input: NoInput; output: Settings };
  update_settings: { input: Settings; output: Settings };
  get_invoice_logo: { input: NoInput; output: InvoiceLogo | null };
  list_services: { input: Paging; output: Page<Service> };
  get_service: { input: ById; output: Service };
  create_service: { input: CreateService; output: Service };
  update_service: { input: UpdateService; output: Service };
  delete_service: { input: ById; output: Service };
  list_metrics: { input: ListMetrics; output: Array<Metric> };
  create_metric: { input: CreateMetric; output: Metric };
  update_metric: { input: UpdateMetric; output: Metric };
  delete_metric: { input: ById; output: Metric };
  list_plans: { input: ListPlans; output: Page<Plan> };
  get_plan: { input: ById; output: Plan };
  create_plan: { input: CreatePlan; output: Plan };
  update_plan: { input: UpdatePlan; output: Plan };
  delete_plan: { input: ById; output: Plan };
  make_default_plan: { input: ById; output: Plan };
  copy_plan: { input: ById; output: Plan };
  list_pricing_rules: { input: ListPricingRules; output: Array<PricingRule> };
  create_pricing_rule: { input: CreatePricingRule; output: PricingRule };
  update_pricing_rule: { input: UpdatePricingRule; output: PricingRule };
  delete_pricing_rule: { input: ById; output: PricingRule };
  list_accounts: { input: ListAccounts; output: Page<Account> };
  get_account: { input: ById; output: Account };
  create_account: { input: AccountFields; output: Account };
  update_account: { input: UpdateAccount; output: Account };
  delete_account: { input: ById; output: Account };
  sign_up: { input: SignUp; output: Account };
  find_account: { input: FindAccount; output: Account };
  change_account_state: { input: ChangeAccountState; output: Account };
  list_account_users: { input: ById; output: Array<AccountUser> };
  create_account_user: { input: CreateAccountUser; output: AccountUser };
  list_applications: { input: ListApplications; output: Page<Application> };
  get_application: { input: ById; output: ApplicationDetail };
  subscribe: { input: Subscribe; output: Application };
  change_plan: { input: ChangePlan; output: Application };
  preview_change_plan: { input: ChangePlan; output: PlanChangePreview };
  cancel_application: { input: ById; output: Application };
  update_application: { input: UpdateApplication; output: Application };
  suspend_application: { input: SuspendApplication; output: Application };
  customize_plan: { input: CustomizePlan; output: Plan };
  decustomize_plan: { input: CustomizePlan; output: Plan };
  list_usage: { input: ListUsage; output: Page<UsageRecord> };
  record_usage: { input: RecordUsage; output: UsageRecord };
  import_usage: { input: ImportUsage; output: UsageImportReport };
  ingest_events: { input: IngestEvents; output: IngestReport };
  amend_event: { input: AmendEvent; output: Event };
  deprecate_event: { input: ByEventId; output: Event };
  get_event: { input: ByEventId; output: Event };
  search_events: { input: SearchEvents; output: Array<Event> };
  event_volume: { input: EventVolume; output: Array<VolumeBucket> };
  set_external_customer_id: { input: SetExternalCustomerId; output: string | null };
  create_billable_metric: { input: CreateBillableMetric; output: BillableMetric };
  get_billable_metric: { input: ById; output: BillableMetric };
  list_billable_metrics: { input: NoInput; output: Array<BillableMetric> };
  metric_quantity: { input: MetricQuantity; output: Quantity };
  list_invoices: { input: ListInvoices; output: Page<Invoice> };
  get_invoice: { input: ById; output: InvoiceDetail };
  list_invoices_with_lines: { input: ListInvoices; output: Page<InvoiceWithLines> };
  create_invoice: { input: CreateInvoice; output: InvoiceDetail };
  update_invoice: { input: UpdateInvoice; output: InvoiceDetail };
  add_line_item: { input: AddLineItem; output: InvoiceDetail };
  delete_line_item: { input: ById; output: InvoiceDetail };
  transition_invoice: { input: TransitionInvoice; output: InvoiceDetail };
  charge_invoice: { input: ById; output: InvoiceDetail };
  mark_invoice_paid: { input: MarkInvoicePaid; output: InvoiceDetail };
  generate_invoice_pdf: { input: ById; output: InvoiceDetail };
  regenerate_invoice_pdf: { input: ById; output: InvoiceDetail };
  get_invoice_pdf: { input: ById; output: InvoicePdfFile };
  invoice_pdf_statuses: { input: InvoicePdfStatuses; output: Array<InvoicePdfState> };
  set_invoice_logo: { input: SetInvoiceLogo; output: Settings };
  earnings: { input: EarningsByMonth; output: Earnings };
  earnings_by_month: { input: EarningsByMonth; output: Array<MonthEarnings> };
  dashboard: { input: NoInput; output: Dashboard };
  advance_clock: { input: AdvanceClock; output: BillingRunReport };
  list_access_tokens: { input: ListAccessTokens; output: Array<AccessToken> };
  get_access_token: { input: ById; output: AccessToken };
  create_access_token: { input: CreateAccessToken; output: CreatedAccessToken };
  delete_access_token: { input: ById; output: AccessToken };
  list_users: { input: NoInput; output: Array<User> };
  add_user: { input: AddUser; output: User };
  remove_user: { input: ById; output: User };
  disable_user: { input: ById; output: User };
  enable_user: { input: ById; output: User };
  change_password: { input: ChangePassword; output: User };
};
