//! The demo book (`counterfoil demo --book FILE`, and the desktop app's "Open the demo book"):
//! a realistic book, made by the real engine.
//!
//! A provider, two services, four plans and two dozen buyers from around the world live through
//! six simulated months (1 December 2025 to 15 June 2026, 12:00 UTC): they sign up, use the
//! APIs every day, change plans and cancel, and people issue, cancel, credit and mark invoices
//! paid. The book is played by the engine's scenario player (`counterfoil_engine::scenario::
//! Player`), the machinery of the billing scenarios: it moves the simulated clock, running the
//! daily billing run as each day passes, and the timeline's actions that the scenario format
//! has (subscribe, change plan, cancel, new invoice and its lines, transition, mark paid,
//! charge) are scenario steps it performs. What the format has no action for (the catalogue's
//! descriptions and extra metrics, buyers with their own cards, the daily usage import, bank
//! transfers, write-offs, credits, a duplicate invoice ID) is done with the engine's typed
//! operations (`counterfoil_engine::op`) on the player's book, registered under the refs the
//! steps use. Nothing reads the system clock and the only randomness is a fixed-seed hash, so
//! the book is the same every time.
//!
//! The book is built in a temporary file beside FILE and moved into place when it is complete,
//! so an interrupted run never leaves half a book under FILE.

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, SecondsFormat, Utc, Weekday};
use counterfoil_engine::model::{
    AccountFields, AddLineItem, Address, ApplicationState, BillingMode, ById, Card, CreateMetric,
    CreatePlan, CreatePricingRule, CreateService, CreationType, Id, ImportUsage, Invoice,
    InvoiceState, ListAccounts, ListApplications, ListInvoices, ListMetrics, ListUsage,
    MarkInvoicePaid, Numbering, Page, Paging, PaperSize, PlanState, Settings, TransitionInvoice,
    UpdateInvoice, UpdateMetric, UpdateService, UsageRow, DEFAULT_NET_TERMS,
};
use counterfoil_engine::scenario::Player;
use counterfoil_engine::{op, Actor, Book};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};

/// The timeline below is written for a simulation from 00:00 UTC of this day...
const TEMPLATE_START: &str = "2025-12-01T00:00:00Z";
/// ...to this instant (June's invoices open, May's issued and charged). A demo built as of
/// another day plays it moved by whole months so that it ends on that day (see [`Calendar`]).
const TEMPLATE_END: &str = "2026-06-15T12:00:00Z";
/// How many whole months before the month it is built in the demo starts.
const MONTHS_SIMULATED: u32 = 6;
/// The seed of every "random" number of the demo.
const SEED: u64 = 0x0C0F_FEE5_2025_1201;

/// The invoice states in lifecycle order, with their names as the summary shows them. (The
/// engine's `model::InvoiceState` has neither a list of all states nor their names, which
/// `counterfoil_billing::InvoiceState` has.)
const STATES: [(InvoiceState, &str); 7] = [
    (InvoiceState::Open, "open"),
    (InvoiceState::Finalized, "finalized"),
    (InvoiceState::Pending, "pending"),
    (InvoiceState::Paid, "paid"),
    (InvoiceState::Unpaid, "unpaid"),
    (InvoiceState::Failed, "failed"),
    (InvoiceState::Cancelled, "cancelled"),
];

/// The demo's dates: the timeline's template moved by whole months so that the simulation
/// runs from the 1st of the month six months before `as_of` up to `as_of`. Built as of
/// [`TEMPLATE_END`] it is the template itself; the same `as_of` always gives the same book.
struct Calendar {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    /// Months added to every date of the template.
    shift: chrono::Months,
}

impl Calendar {
    fn as_of(end: DateTime<Utc>) -> Result<Calendar> {
        let template_start = instant(TEMPLATE_START)?;
        let first = NaiveDate::from_ymd_opt(end.year(), end.month(), 1)
            .and_then(|first| first.checked_sub_months(chrono::Months::new(MONTHS_SIMULATED)))
            .ok_or_else(|| anyhow!("demo: no calendar month six months before {end}"))?;
        let months = (first.year() - template_start.year()) * 12 + first.month() as i32
            - template_start.month() as i32;
        let shift = u32::try_from(months)
            .map_err(|_| anyhow!("demo: it is built as of {TEMPLATE_END} or later, not {end}"))?;
        Ok(Calendar {
            start: midnight(first),
            end,
            shift: chrono::Months::new(shift),
        })
    }

    /// A template instant moved to this demo; None when it falls on or after the end.
    fn when(&self, template: &str) -> Result<Option<DateTime<Utc>>> {
        let at = instant(template)?
            .checked_add_months(self.shift)
            .ok_or_else(|| anyhow!("demo: {template} moved out of the calendar"))?;
        Ok((at < self.end).then_some(at))
    }

    /// A template month (YYYY-MM) moved to this demo.
    fn period(&self, template: &str) -> Result<String> {
        let first = NaiveDate::parse_from_str(&format!("{template}-01"), "%Y-%m-%d")?;
        let moved = first
            .checked_add_months(self.shift)
            .ok_or_else(|| anyhow!("demo: {template} moved out of the calendar"))?;
        Ok(moved.format("%Y-%m").to_string())
    }
}

/// A template text with the dates it names filled in for `at`: `{month}` ("March 2026"),
/// `{previous_month}`, `{quarter}` ("Q2 2026") and `{date}` (2026-02-19).
fn dated(text: &str, at: DateTime<Utc>) -> String {
    let previous = at
        .date_naive()
        .checked_sub_months(chrono::Months::new(1))
        .unwrap_or(at.date_naive());
    text.replace("{month}", &at.format("%B %Y").to_string())
        .replace("{previous_month}", &previous.format("%B %Y").to_string())
        .replace(
            "{quarter}",
            &format!("Q{} {}", (at.month() - 1) / 3 + 1, at.year()),
        )
        .replace("{date}", &at.format("%Y-%m-%d").to_string())
}

/// What a demo built at `now` is built as of: the start of that day (UTC), so the book made on
/// one day is the same whenever that day it is made, and today's billing job is left to the app.
pub fn as_of_day(now: DateTime<Utc>) -> DateTime<Utc> {
    midnight(now.date_naive())
}

/// Builds the demo book at `target`, its six months of business ending at `as_of` (the
/// shells pass the start of today, so the book is alive up to the day it is made), and returns
/// what is in it; refuses to replace an existing file unless `force`.
pub fn build(target: &Path, force: bool, as_of: DateTime<Utc>) -> Result<Summary> {
    let calendar = Calendar::as_of(as_of)?;
    let sidecars = [sidecar(target, "-wal"), sidecar(target, "-shm")];
    if !force {
        for path in std::iter::once(target.to_path_buf()).chain(sidecars.iter().cloned()) {
            if path.symlink_metadata().is_ok() {
                bail!(
                    "{} already exists; the demo never overwrites a file. Pass --force to \
                     replace it, or choose another --book.",
                    path.display()
                );
            }
        }
    }
    if force {
        refuse_a_book_in_use(target)?;
    }
    let dir = match target.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) => parent.to_path_buf(),
        None => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("could not create {}", dir.display()))?;
    // Built beside the target and renamed into place when complete.
    let mut builder = tempfile::Builder::new();
    builder.prefix(".counterfoil-demo-").suffix(".book");
    #[cfg(unix)]
    {
        // What SQLite gives a book it creates (less the umask), not a temporary file's 0600.
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let temp = builder
        .tempfile_in(&dir)
        .with_context(|| format!("could not create a temporary file in {}", dir.display()))?
        .into_temp_path();
    let summary = {
        let mut player = Player::open(&temp, calendar.start, Actor::new("demo"))?;
        // A demo charges its buyers' test cards through the test gateway, which says so.
        let (book, actor) = player.book_and_actor();
        book.use_test_gateway(actor)?;
        let mut sim = Sim {
            player,
            apps: Vec::new(),
            calendar,
        };
        sim.build()?;
        let summary =
            summarize(sim.player.book(), target, &sim.calendar).context("demo: the summary")?;
        drop(sim); // closes the book: SQLite folds the write-ahead log into the file
        summary
    };
    // The temporary book's billing lock was private to this build.
    remove_if_present(&counterfoil_engine::billing_lock::lock_path(&temp))?;
    for suffix in ["-wal", "-shm"] {
        let leftover = sidecar(&temp, suffix);
        if leftover.exists() {
            bail!(
                "the demo book was not closed cleanly ({} is left)",
                leftover.display()
            );
        }
    }
    if force {
        refuse_a_book_in_use(target)?; // again: it may have been opened during the build
        for path in &sidecars {
            remove_if_present(path)?;
        }
        remove_if_present(target)?;
    }
    if target.symlink_metadata().is_ok() {
        bail!(
            "{} appeared while the demo was being built; it was left untouched",
            target.display()
        );
    }
    temp.persist(target)
        .with_context(|| format!("could not write {}", target.display()))?;
    Ok(summary)
}

fn refuse_a_book_in_use(target: &Path) -> Result<()> {
    if counterfoil_engine::book::in_use(target) {
        bail!(
            "{} is open in another program (a server, a desktop or a billing run); close it \
             first. It was left untouched.",
            target.display()
        );
    }
    Ok(())
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_if_present(path: &Path) -> Result<()> {
    match counterfoil_engine::files::remove(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("could not replace {}", path.display())),
    }
}

fn instant(text: &str) -> Result<DateTime<Utc>> {
    text.parse::<DateTime<Utc>>()
        .with_context(|| format!("\"{text}\" is not an instant"))
}

// ---------------------------------------------------------------------------------------------
// The world

/// The provider's settings, as `update_settings` takes them.
fn settings() -> Settings {
    Settings {
        org_name: "Northwind APIs B.V.".into(),
        address: Address {
            line1: "Herengracht 182".into(),
            line2: "3rd floor".into(),
            city: "Amsterdam".into(),
            state: "Noord-Holland".into(),
            zip: "1016 BR".into(),
            country: "Netherlands".into(),
        },
        fiscal_code: "KvK 81234567".into(),
        vat_code: "NL862371935B01".into(),
        currency: "EUR".into(),
        billing_mode: BillingMode::Postpaid,
        numbering: Numbering::Monthly,
        invoice_footnote:
            "Northwind APIs B.V. · Herengracht 182, 1016 BR Amsterdam · KvK 81234567 \
            · IBAN NL91 ABNA 0417 1643 00 (BIC ABNANL2A). Questions about this invoice? \
            billing@northwind-apis.example"
                .into(),
        zero_vat_text: "VAT reverse charged (Art. 196 Directive 2006/112/EC)".into(),
        charging_enabled: true,
        paper_size: PaperSize::A4,
        net_terms: DEFAULT_NET_TERMS,
        has_logo: false, // not changed by update_settings
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ServiceKind {
    Maps,
    Geocoding,
}

struct ServiceSpec {
    kind: ServiceKind,
    name: &'static str,
    system_name: &'static str,
    description: &'static str,
    /// Friendly name and unit of the built-in `hits` metric.
    hits: (&'static str, &'static str),
    /// The second metric: system name, friendly name, unit.
    extra: (&'static str, &'static str, &'static str),
}

const SERVICES: [ServiceSpec; 2] = [
    ServiceSpec {
        kind: ServiceKind::Maps,
        name: "Maps API",
        system_name: "maps",
        description: "Vector and raster maps, map tiles and static map images.",
        hits: ("Map API calls", "call"),
        extra: ("tiles", "Map tiles", "tile"),
    },
    ServiceSpec {
        kind: ServiceKind::Geocoding,
        name: "Geocoding API",
        system_name: "geocoding",
        description: "Forward and reverse geocoding, one address at a time or in batches.",
        hits: ("Geocoding requests", "request"),
        extra: ("batch_jobs", "Batch geocoding jobs", "job"),
    },
];

/// A graduated pricing rule: metric (`hits` or the service's second metric), min, max, price.
type Rule = (&'static str, i64, Option<i64>, Decimal);

struct PlanSpec {
    service: ServiceKind,
    system_name: &'static str,
    name: &'static str,
    setup_fee: Decimal,
    cost_per_month: Decimal,
    trial_days: u32,
    default: bool,
    rules: &'static [Rule],
}

const PLANS: [PlanSpec; 4] = [
    PlanSpec {
        service: ServiceKind::Maps,
        system_name: "maps-free",
        name: "Maps Free",
        setup_fee: dec!(0),
        cost_per_month: dec!(0),
        trial_days: 0,
        default: true,
        rules: &[],
    },
    PlanSpec {
        service: ServiceKind::Maps,
        system_name: "maps-pro",
        name: "Maps Pro",
        setup_fee: dec!(99.00),
        cost_per_month: dec!(49.00),
        trial_days: 14,
        default: false,
        rules: &[
            ("hits", 100_001, Some(1_000_000), dec!(0.0004)),
            ("hits", 1_000_001, None, dec!(0.0002)),
            ("tiles", 25_001, Some(250_000), dec!(0.0009)),
            ("tiles", 250_001, None, dec!(0.0005)),
        ],
    },
    PlanSpec {
        service: ServiceKind::Geocoding,
        system_name: "geo-starter",
        name: "Geocoding Starter",
        setup_fee: dec!(0),
        cost_per_month: dec!(29.00),
        trial_days: 7,
        default: true,
        rules: &[
            ("hits", 20_001, Some(200_000), dec!(0.0015)),
            ("hits", 200_001, None, dec!(0.0011)),
            ("batch_jobs", 1, Some(20), dec!(2.50)),
            ("batch_jobs", 21, None, dec!(1.80)),
        ],
    },
    PlanSpec {
        service: ServiceKind::Geocoding,
        system_name: "geo-business",
        name: "Geocoding Business",
        setup_fee: dec!(250.00),
        cost_per_month: dec!(249.00),
        trial_days: 0,
        default: false,
        rules: &[
            ("hits", 500_001, Some(5_000_000), dec!(0.0006)),
            ("hits", 5_000_001, None, dec!(0.0004)),
            ("batch_jobs", 101, Some(1_000), dec!(1.20)),
            ("batch_jobs", 1_001, None, dec!(0.90)),
        ],
    },
];

#[derive(Clone, Copy)]
enum CardSpec {
    /// The test gateway's always-accepted card, with these last four digits.
    Valid(&'static str),
    /// The test gateway's always-declined card.
    Declined,
    None,
}

#[derive(Clone, Copy)]
struct Buyer {
    key: &'static str,
    name: &'static str,
    /// line1, zip, city, state, country.
    address: [&'static str; 5],
    vat_code: &'static str,
    fiscal_code: &'static str,
    po_number: &'static str,
    /// Percent; None: no VAT (not the same as 0, which is a reverse charge).
    vat_rate: Option<Decimal>,
    card: CardSpec,
    /// Monthly charging enabled.
    charging: bool,
}

const fn buyer(
    key: &'static str,
    name: &'static str,
    address: [&'static str; 5],
    vat_code: &'static str,
    vat_rate: Option<Decimal>,
    card: CardSpec,
) -> Buyer {
    Buyer {
        key,
        name,
        address,
        vat_code,
        fiscal_code: "",
        po_number: "",
        vat_rate,
        card,
        charging: true,
    }
}

use CardSpec::{Declined, Valid};

#[rustfmt::skip]
const BUYERS: [Buyer; 26] = [
    Buyer { fiscal_code: "HRB 204518 B", ..buyer("mueller", "Müller & Søn GmbH",
        ["Oranienstraße 185", "10999", "Berlin", "", "Germany"], "DE293847561", Some(dec!(19)), Valid("4242")) },
    buyer("lodz", "Łódź Analytics Sp. z o.o.",
        ["ul. Piotrkowska 148/150", "90-063", "Łódź", "", "Poland"], "PL7252301452", Some(dec!(23)), Valid("4444")),
    buyer("elliniki", "Ελληνική Δεδομένων Α.Ε.",
        ["Λεωφόρος Βασιλίσσης Σοφίας 45", "106 76", "Αθήνα", "", "Greece"], "EL094019245", Some(dec!(24)), Valid("5556")),
    buyer("romashka", "ООО Ромашка",
        ["ул. Тверская, д. 12, стр. 1", "125009", "Москва", "", "Russia"], "", None, Declined),
    buyer("lumiere", "Société Lumière SARL",
        ["12 rue de la République", "69002", "Lyon", "", "France"], "FR40303265045", Some(dec!(20)), Valid("4242")),
    buyer("sakura", "株式会社サクラ技研",
        ["大阪府大阪市北区梅田3-1-3", "530-0001", "大阪市", "大阪府", "Japan"], "", None, Valid("3222")),
    Buyer { po_number: "PO-2025-11873", ..buyer("acme", "Acme Logistics Inc.",
        ["500 W 2nd St, Suite 1900", "78701", "Austin", "TX", "United States"], "", None, Valid("0005")) },
    buyer("vdb", "Van der Berg Mobiliteit B.V.",
        ["Oudegracht 231", "3511 NK", "Utrecht", "", "Netherlands"], "NL859871422B01", Some(dec!(21)), Valid("4242")),
    buyer("nordlys", "Nordlys Kart AS",
        ["Karl Johans gate 22", "0159", "Oslo", "", "Norway"], "NO 923 609 016 MVA", Some(dec!(25)), Valid("1881")),
    buyer("fjallraven", "Fjällräven Data AB",
        ["Kungsportsavenyen 10", "411 36", "Göteborg", "", "Sweden"], "SE556703748501", Some(dec!(25)), Valid("4242")),
    buyer("saopaulo", "Café São Paulo Tecnologia Ltda.",
        ["Avenida Paulista, 1578", "01310-200", "São Paulo", "SP", "Brazil"], "", None, Valid("4444")),
    buyer("ostergaard", "Østergaard Logistik ApS",
        ["Åboulevarden 37", "8000", "Aarhus C", "", "Denmark"], "DK31560732", Some(dec!(25)), Valid("5100")),
    buyer("dublin", "Dublin Routing Ltd",
        ["15 Fitzwilliam Square East", "D02 KX20", "Dublin 2", "", "Ireland"], "IE3668997OH", Some(dec!(0)), Valid("4242")),
    buyer("bianchi", "Bianchi Mappe S.r.l.",
        ["Via della Moscova 18", "20121", "Milano", "MI", "Italy"], "IT09876543210", Some(dec!(22)), Valid("8431")),
    buyer("hernandez", "Hernández y Asociados S.L.",
        ["Calle de Alcalá 63", "28014", "Madrid", "", "Spain"], "ESB86561412", Some(dec!(21)), Valid("4242")),
    buyer("zurich", "Zürcher Stadtwerke Digital AG",
        ["Bahnhofstrasse 45", "8001", "Zürich", "ZH", "Switzerland"], "CHE-116.281.710 MWST", Some(dec!(8.1)), Valid("9995")),
    buyer("durovic", "Ďurovič Geodézia s.r.o.",
        ["Obchodná 52", "811 06", "Bratislava", "", "Slovakia"], "SK2120264672", Some(dec!(23)), Valid("4242")),
    buyer("hanbit", "한빛지도 주식회사",
        ["서울특별시 강남구 테헤란로 152", "06236", "서울", "", "South Korea"], "", None, Valid("0077")),
    buyer("ymir", "Ýmir Kortagerð ehf.",
        ["Laugavegur 26", "101", "Reykjavík", "", "Iceland"], "IS 138262", Some(dec!(24)), Valid("4242")),
    buyer("pohjola", "Pohjola Paikkatieto Oy",
        ["Mannerheimintie 12 B", "00100", "Helsinki", "", "Finland"], "FI28987765", Some(dec!(25.5)), Valid("6011")),
    buyer("ceska", "Česká Navigace s.r.o.",
        ["Václavské náměstí 846/1", "110 00", "Praha 1", "", "Czechia"], "CZ27082440", Some(dec!(21)), Valid("4242")),
    // No card on file: a free-plan user.
    buyer("brightline", "Brightline Freight LLC",
        ["1201 3rd Ave, Floor 22", "98101", "Seattle", "WA", "United States"], "", None, CardSpec::None),
    // Pays by bank transfer: monthly charging is off.
    Buyer { charging: false, po_number: "UNIVIE-BEST-2025-0412", ..buyer("univie",
        "Universität Wien – Institut für Geographie und Regionalforschung",
        ["Universitätsstraße 7", "1010", "Wien", "", "Austria"], "ATU37675002", Some(dec!(20)), Valid("4242")) },
    buyer("lisboa", "Lisboa Mobilidade, Lda.",
        ["Avenida da Liberdade 110", "1269-046", "Lisboa", "", "Portugal"], "PT509876543", Some(dec!(23)), Valid("2030")),
    buyer("kangaroo", "Kangaroo Geo Pty Ltd",
        ["Level 9, 60 Martin Place", "2000", "Sydney", "NSW", "Australia"], "", None, Valid("4242")),
    buyer("antwerpen", "Antwerpse Havendata NV",
        ["Zaha Hadidplein 1", "2030", "Antwerpen", "", "Belgium"], "BE0404976213", Some(dec!(21)), Valid("4242")),
];

/// A line a person types on an invoice: name, description, quantity, cost (the line's total).
type ManualLine = (&'static str, &'static str, Decimal, Decimal);

/// What happens at an instant of the timeline.
#[derive(Debug)]
enum Action {
    /// `hits`: the application's typical calls per weekday; `extra`: for maps, tiles per 1000
    /// calls; for geocoding, batch jobs per weekday.
    Subscribe {
        buyer: &'static str,
        plan: &'static str,
        app: &'static str,
        hits: i64,
        extra: i64,
    },
    ChangePlan {
        app: &'static str,
        plan: &'static str,
    },
    Cancel {
        app: &'static str,
    },
    /// A person creates an invoice for the current month and types its lines.
    NewInvoice {
        invoice: &'static str,
        buyer: &'static str,
        lines: &'static [ManualLine],
    },
    Transition {
        invoice: &'static str,
        state: InvoiceState,
    },
    MarkPaid {
        invoice: &'static str,
        reference: &'static str,
    },
    /// A person presses Charge.
    Charge {
        invoice: &'static str,
    },
    /// The buyer's bank transfers arrive: every issued invoice of theirs is marked paid.
    BankTransfers {
        buyer: &'static str,
    },
    /// A person cancels the buyer's failed invoice of a period.
    WriteOff {
        buyer: &'static str,
        period: &'static str,
    },
    /// A person adds a credit line to the buyer's finalized background invoice of a period.
    Credit {
        buyer: &'static str,
        period: &'static str,
        line: ManualLine,
    },
    /// A person sets the invoice's ID by hand to one that the run's first invoice of the month
    /// already has.
    DuplicateId {
        invoice: &'static str,
    },
}

use Action::*;

/// The timeline, in any order: it is played sorted by instant (equal instants in this order).
#[rustfmt::skip]
const TIMELINE: &[(&str, Action)] = &[
    // December: the first customers.
    ("2025-12-02T09:40:00Z", Subscribe { buyer: "mueller", plan: "maps-pro", app: "Müller Fleet Tracker", hits: 16_000, extra: 600 }),
    ("2025-12-03T11:05:00Z", Subscribe { buyer: "lodz", plan: "geo-business", app: "Łódź Address Cleanser", hits: 32_000, extra: 7 }),
    ("2025-12-04T15:12:00Z", Subscribe { buyer: "vdb", plan: "maps-free", app: "VDB Bike Share Map", hits: 3_000, extra: 900 }),
    ("2025-12-08T14:30:00Z", Subscribe { buyer: "elliniki", plan: "maps-pro", app: "Athens Transit Maps", hits: 4_000, extra: 350 }),
    ("2025-12-10T10:00:00Z", Subscribe { buyer: "romashka", plan: "geo-starter", app: "Romashka Geocoder", hits: 5_000, extra: 2 }),
    ("2025-12-11T08:45:00Z", Subscribe { buyer: "univie", plan: "geo-business", app: "Geographie Forschungsportal", hits: 20_000, extra: 4 }),
    ("2025-12-15T16:20:00Z", Subscribe { buyer: "lumiere", plan: "maps-pro", app: "Lumière Store Locator", hits: 9_000, extra: 450 }),
    ("2025-12-18T15:45:00Z", Subscribe { buyer: "acme", plan: "maps-pro", app: "Acme Dispatch Board", hits: 24_000, extra: 800 }),
    ("2025-12-20T10:30:00Z", Subscribe { buyer: "fjallraven", plan: "maps-pro", app: "Fjällräven Trail Maps", hits: 7_000, extra: 1_200 }),
    // January.
    ("2026-01-05T13:00:00Z", Subscribe { buyer: "acme", plan: "geo-starter", app: "Acme Address Check", hits: 6_000, extra: 1 }),
    ("2026-01-07T02:15:00Z", Subscribe { buyer: "sakura", plan: "geo-business", app: "Sakura Logistics Router", hits: 40_000, extra: 10 }),
    ("2026-01-12T09:00:00Z", Subscribe { buyer: "nordlys", plan: "maps-pro", app: "Nordlys Ferjekart", hits: 11_000, extra: 700 }),
    ("2026-01-14T18:05:00Z", Subscribe { buyer: "brightline", plan: "maps-free", app: "Brightline Yard Map", hits: 1_500, extra: 300 }),
    ("2026-01-16T09:30:00Z", WriteOff { buyer: "romashka", period: "2025-12" }),
    ("2026-01-19T12:40:00Z", Subscribe { buyer: "saopaulo", plan: "geo-starter", app: "Entregas SP", hits: 9_000, extra: 3 }),
    ("2026-01-20T11:00:00Z", BankTransfers { buyer: "univie" }),
    ("2026-01-26T10:10:00Z", Subscribe { buyer: "dublin", plan: "maps-pro", app: "Dublin Route Planner", hits: 13_000, extra: 500 }),
    ("2026-01-26T10:25:00Z", Subscribe { buyer: "dublin", plan: "geo-starter", app: "Dublin Address Lookup", hits: 7_000, extra: 2 }),
    // February.
    ("2026-02-02T07:50:00Z", Subscribe { buyer: "ostergaard", plan: "geo-business", app: "Østergaard Fragt API", hits: 28_000, extra: 6 }),
    ("2026-02-04T11:00:00Z", Subscribe { buyer: "lumiere", plan: "geo-starter", app: "Lumière Checkout Geocoding", hits: 4_000, extra: 1 }),
    ("2026-02-10T10:30:00Z", NewInvoice { invoice: "univie-export", buyer: "univie", lines: &[
        ("Custom geodata export", "Austrian address points, 2025 edition, as GeoPackage", dec!(1), dec!(1450.00)),
    ] }),
    ("2026-02-10T10:35:00Z", Transition { invoice: "univie-export", state: InvoiceState::Pending }),
    ("2026-02-11T10:10:00Z", ChangePlan { app: "VDB Bike Share Map", plan: "maps-pro" }),
    ("2026-02-16T09:30:00Z", Subscribe { buyer: "bianchi", plan: "maps-pro", app: "Bianchi Atlante Online", hits: 8_000, extra: 1_000 }),
    ("2026-02-19T15:00:00Z", MarkPaid { invoice: "univie-export", reference: "SEPA credit transfer {date}, end-to-end ref UNIVIE-GEO-000187" }),
    ("2026-02-20T11:00:00Z", BankTransfers { buyer: "univie" }),
    ("2026-02-20T17:00:00Z", Cancel { app: "Acme Address Check" }),
    ("2026-02-23T14:00:00Z", Subscribe { buyer: "hernandez", plan: "geo-starter", app: "Catastro Sync", hits: 12_000, extra: 4 }),
    // March.
    ("2026-03-02T10:00:00Z", Subscribe { buyer: "zurich", plan: "geo-starter", app: "ZSD Netzauskunft", hits: 6_500, extra: 2 }),
    ("2026-03-05T10:00:00Z", NewInvoice { invoice: "acme-support", buyer: "acme", lines: &[
        ("Premium support", "{month}", dec!(1), dec!(300.00)),
    ] }),
    ("2026-03-05T10:20:00Z", Transition { invoice: "acme-support", state: InvoiceState::Cancelled }),
    ("2026-03-09T08:15:00Z", Subscribe { buyer: "durovic", plan: "maps-free", app: "Geodézia Viewer", hits: 2_000, extra: 800 }),
    ("2026-03-12T03:30:00Z", Subscribe { buyer: "hanbit", plan: "maps-pro", app: "Hanbit Delivery Map", hits: 20_000, extra: 650 }),
    ("2026-03-17T14:20:00Z", ChangePlan { app: "Catastro Sync", plan: "geo-business" }),
    ("2026-03-20T11:00:00Z", BankTransfers { buyer: "univie" }),
    ("2026-03-23T13:45:00Z", Subscribe { buyer: "ostergaard", plan: "maps-pro", app: "Østergaard Fleet Map", hits: 9_000, extra: 500 }),
    // April.
    ("2026-04-06T11:20:00Z", Subscribe { buyer: "ymir", plan: "geo-starter", app: "Ýmir Address Service", hits: 3_000, extra: 1 }),
    ("2026-04-09T13:00:00Z", ChangePlan { app: "Fjällräven Trail Maps", plan: "maps-free" }),
    ("2026-04-20T09:10:00Z", Subscribe { buyer: "ceska", plan: "maps-pro", app: "Česká Navigace Web", hits: 15_000, extra: 700 }),
    ("2026-04-20T11:00:00Z", BankTransfers { buyer: "univie" }),
    ("2026-04-27T22:40:00Z", Subscribe { buyer: "kangaroo", plan: "geo-starter", app: "Kangaroo Geo Trial", hits: 2_500, extra: 1 }),
    ("2026-04-30T23:10:00Z", Cancel { app: "Kangaroo Geo Trial" }),
    // May.
    ("2026-05-02T01:15:00Z", Subscribe { buyer: "kangaroo", plan: "maps-free", app: "Kangaroo Outback Map", hits: 1_200, extra: 700 }),
    ("2026-05-02T10:15:00Z", Credit { buyer: "elliniki", period: "2026-04", line: (
        "Goodwill credit", "Maps API outage, 14–16 {previous_month}", dec!(1), dec!(-150.00),
    ) }),
    ("2026-05-04T10:00:00Z", Subscribe { buyer: "lisboa", plan: "maps-pro", app: "Lisboa Mobilidade Live", hits: 10_000, extra: 550 }),
    ("2026-05-11T15:30:00Z", Subscribe { buyer: "ceska", plan: "geo-starter", app: "Česká Navigace Geokódování", hits: 5_000, extra: 2 }),
    ("2026-05-14T09:00:00Z", NewInvoice { invoice: "lisboa-migration", buyer: "lisboa", lines: &[
        ("Migration assistance", "Import of legacy GIS layers, 8 hours at 120.00", dec!(8), dec!(960.00)),
    ] }),
    ("2026-05-14T09:05:00Z", Transition { invoice: "lisboa-migration", state: InvoiceState::Pending }),
    ("2026-05-14T09:06:00Z", Charge { invoice: "lisboa-migration" }),
    ("2026-05-20T11:00:00Z", BankTransfers { buyer: "univie" }),
    // June, up to the 15th.
    ("2026-06-08T09:00:00Z", Subscribe { buyer: "pohjola", plan: "maps-pro", app: "Pohjola Karttapalvelu", hits: 12_000, extra: 600 }),
    ("2026-06-09T11:00:00Z", NewInvoice { invoice: "bianchi-style", buyer: "bianchi", lines: &[
        ("Custom map style design", "Two cartographic styles for Atlante Online", dec!(2), dec!(850.00)),
    ] }),
    ("2026-06-10T09:00:00Z", NewInvoice { invoice: "sakura-workshop", buyer: "sakura", lines: &[
        ("On-site integration workshop", "Osaka, 2 days", dec!(2), dec!(1800.00)),
        ("Travel expenses", "Amsterdam – Osaka, economy", dec!(1), dec!(1240.50)),
    ] }),
    ("2026-06-10T12:00:00Z", NewInvoice { invoice: "romashka-support", buyer: "romashka", lines: &[
        ("Priority support", "{quarter}", dec!(1), dec!(450.00)),
    ] }),
    ("2026-06-10T12:05:00Z", Transition { invoice: "romashka-support", state: InvoiceState::Pending }),
    ("2026-06-11T09:00:00Z", Transition { invoice: "sakura-workshop", state: InvoiceState::Finalized }),
    ("2026-06-11T09:05:00Z", DuplicateId { invoice: "sakura-workshop" }),
    ("2026-06-12T10:30:00Z", Subscribe { buyer: "antwerpen", plan: "geo-starter", app: "Havendata Adresbeheer", hits: 4_000, extra: 2 }),
];

// ---------------------------------------------------------------------------------------------
// The simulation

/// An application as the simulation remembers it, to record its usage.
struct App {
    name: &'static str,
    id: Id,
    service: ServiceKind,
    created: DateTime<Utc>,
    cancelled: Option<DateTime<Utc>>,
    hits: i64,
    extra: i64,
    /// Its position in signup order, which seeds its usage.
    ordinal: u64,
}

/// The demo on the engine's scenario player: the player keeps the book, the clock and the
/// refs (plans by system name, buyers by key, applications by name, invoices by the timeline's
/// name); the simulation keeps only what the usage needs.
struct Sim {
    player: Player,
    apps: Vec<App>,
    calendar: Calendar,
}

/// Every item of a paged list: `list(page)` lists one page.
fn every_page<T, E>(mut list: impl FnMut(u32) -> Result<Page<T>, E>) -> Result<Vec<T>, E> {
    let mut all = Vec::new();
    for page in 1.. {
        let listed = list(page)?;
        if listed.items.is_empty() {
            break;
        }
        all.extend(listed.items);
    }
    Ok(all)
}

/// A scenario step's fields (docs/scenario-format.md), as `Player::perform` takes them.
fn step<const N: usize>(action: &str, fields: [(&str, Value); N]) -> Map<String, Value> {
    let mut step = Map::from_iter([("do".to_owned(), Value::from(action))]);
    step.extend(fields.map(|(name, value)| (name.to_owned(), value)));
    step
}

fn service_of(plan: &str) -> Result<ServiceKind> {
    PLANS
        .iter()
        .find(|p| p.system_name == plan)
        .map(|p| p.service)
        .ok_or_else(|| anyhow!("demo: no plan \"{plan}\""))
}

/// The service's system name, its ref in the player.
fn service_ref(kind: ServiceKind) -> &'static str {
    SERVICES
        .iter()
        .find(|s| s.kind == kind)
        .map_or("", |s| s.system_name)
}

impl Sim {
    fn build(&mut self) -> Result<()> {
        self.catalogue().context("demo: the catalogue")?;
        let (start, end) = (self.calendar.start, self.calendar.end);
        let mut timeline = Vec::with_capacity(TIMELINE.len());
        for (template, action) in TIMELINE {
            // What would happen after the day the demo is built for has not happened yet.
            if let Some(at) = self.calendar.when(template)? {
                if at < start {
                    bail!("demo: the timeline's {template} is before the simulation");
                }
                timeline.push((at, action));
            }
        }
        timeline.sort_by_key(|(at, _)| *at); // stable: equal instants keep their order
        let mut next = timeline.into_iter().peekable();
        let mut day = start.date_naive();
        while midnight(day) < end {
            let day_end = midnight(day + Duration::days(1)).min(end);
            while let Some((at, action)) = next.next_if(|(at, _)| *at < day_end) {
                self.advance(at)?;
                self.perform(action)
                    .with_context(|| format!("demo: {action:?} at {at}"))?;
            }
            self.advance(day_end)?;
            self.record_usage(day, day_end)
                .with_context(|| format!("demo: the usage of {day}"))?;
            day += Duration::days(1);
        }
        Ok(())
    }

    fn advance(&mut self, at: DateTime<Utc>) -> Result<()> {
        self.player
            .advance(at)
            .with_context(|| format!("demo: the clock's move to {at}"))
    }

    /// Performs a scenario step; the product's refusal fails the demo.
    fn step<const N: usize>(&mut self, action: &str, fields: [(&str, Value); N]) -> Result<()> {
        self.player
            .perform(&step(action, fields))
            .map_err(|message| anyhow!("{message}"))
    }

    fn catalogue(&mut self) -> Result<()> {
        let (book, actor) = self.player.book_and_actor();
        op::update_settings(book, actor, settings())?;
        // A new book starts with its own "API" service, as a new 3scale tenant: the first
        // service of the demo is that one, renamed; the others are created.
        let mut own_service = op::list_services(book, Paging::default())?
            .items
            .into_iter()
            .next();
        for spec in &SERVICES {
            let (book, actor) = self.player.book_and_actor();
            let service = match own_service.take() {
                Some(own) => op::update_service(
                    book,
                    actor,
                    UpdateService {
                        name: Some(spec.name.into()),
                        description: Some(spec.description.into()),
                        ..UpdateService::of(own.id)
                    },
                )?,
                None => op::create_service(
                    book,
                    actor,
                    CreateService {
                        system_name: Some(spec.system_name.into()),
                        description: spec.description.into(),
                        ..CreateService::named(spec.name)
                    },
                )?,
            };
            let metrics = op::list_metrics(
                book,
                ListMetrics {
                    service_id: service.id,
                },
            )?;
            let hits = metrics
                .iter()
                .find(|m| m.system_name == "hits")
                .map(|m| m.id)
                .ok_or_else(|| anyhow!("demo: the new service has no hits metric"))?;
            op::update_metric(
                book,
                actor,
                UpdateMetric {
                    id: hits,
                    friendly_name: Some(spec.hits.0.into()),
                    unit: Some(spec.hits.1.into()),
                    description: Some(String::new()),
                },
            )?;
            let (system_name, friendly_name, unit) = spec.extra;
            let extra = op::create_metric(
                book,
                actor,
                CreateMetric {
                    service_id: service.id,
                    parent_id: None,
                    system_name: Some(system_name.into()),
                    friendly_name: friendly_name.into(),
                    unit: unit.into(),
                    description: String::new(),
                },
            )?;
            self.player.name_service(spec.system_name, service.id);
            self.player.name_metric(spec.system_name, "hits", hits);
            self.player
                .name_metric(spec.system_name, system_name, extra.id);
        }
        for spec in &PLANS {
            let service = service_ref(spec.service);
            let service_id = self
                .player
                .service(service)
                .ok_or_else(|| anyhow!("demo: plan {} has no service", spec.name))?;
            let (book, actor) = self.player.book_and_actor();
            let plan = op::create_plan(
                book,
                actor,
                CreatePlan {
                    service_id,
                    system_name: Some(spec.system_name.into()),
                    name: spec.name.into(),
                    setup_fee: spec.setup_fee,
                    cost_per_month: spec.cost_per_month,
                    trial_period_days: spec.trial_days,
                    state: PlanState::Published,
                    description: String::new(),
                    approval_required: false,
                },
            )?;
            for &(metric, min, max, cost_per_unit) in spec.rules {
                let metric_id = self
                    .player
                    .metric(service, metric)
                    .ok_or_else(|| anyhow!("demo: plan {} prices no metric {metric}", spec.name))?;
                let (book, actor) = self.player.book_and_actor();
                op::create_pricing_rule(
                    book,
                    actor,
                    CreatePricingRule {
                        plan_id: plan.id,
                        metric_id,
                        min,
                        max,
                        cost_per_unit,
                    },
                )?;
            }
            if spec.default {
                let (book, actor) = self.player.book_and_actor();
                op::make_default_plan(book, actor, ById { id: plan.id })?;
            }
            self.player.name_plan(spec.system_name, plan.id);
        }
        Ok(())
    }

    /// The buyer's account, created the first time it is needed. (Not a scenario account: the
    /// format's cards all end in 4242 and have no last four digits of their own.)
    fn buyer(&mut self, key: &str) -> Result<Id> {
        if let Some(id) = self.player.account(key) {
            return Ok(id);
        }
        let spec = BUYERS
            .iter()
            .find(|b| b.key == key)
            .ok_or_else(|| anyhow!("demo: no buyer \"{key}\""))?;
        let [line1, zip, city, state, country] = spec.address;
        let card = |last4: &str, gateway_reference: &str| Card {
            last4: last4.into(),
            expiry_month: 12,
            expiry_year: 2099,
            gateway_reference: gateway_reference.into(),
        };
        let card = match spec.card {
            CardSpec::Valid(last4) => Some(card(last4, "tok_valid")),
            CardSpec::Declined => Some(card("0002", "tok_declined")),
            CardSpec::None => None,
        };
        let (book, actor) = self.player.book_and_actor();
        let account = op::create_account(
            book,
            actor,
            AccountFields {
                org_name: spec.name.into(),
                legal_address: Address {
                    line1: line1.into(),
                    line2: String::new(),
                    city: city.into(),
                    state: state.into(),
                    zip: zip.into(),
                    country: country.into(),
                },
                billing_address: None,
                vat_code: spec.vat_code.into(),
                fiscal_code: spec.fiscal_code.into(),
                po_number: spec.po_number.into(),
                vat_rate: spec.vat_rate,
                monthly_billing_enabled: true,
                monthly_charging_enabled: spec.charging,
                card,
            },
        )?;
        self.player.name_account(spec.key, account.id);
        Ok(account.id)
    }

    fn app(&mut self, name: &str) -> Result<&mut App> {
        self.apps
            .iter_mut()
            .find(|app| app.name == name)
            .ok_or_else(|| anyhow!("demo: no application \"{name}\""))
    }

    fn invoice(&self, key: &str) -> Result<Id> {
        self.player
            .invoice(key)
            .ok_or_else(|| anyhow!("demo: no invoice \"{key}\""))
    }

    /// The buyer's invoices of `period` (any when None) in `state`, oldest first.
    fn invoices_of(
        &mut self,
        buyer: &str,
        period: Option<&str>,
        state: InvoiceState,
    ) -> Result<Vec<Invoice>> {
        let account_id = self.buyer(buyer)?;
        let page = op::list_invoices(
            self.player.book(),
            ListInvoices {
                account_id: Some(account_id),
                period: period
                    .map(counterfoil_engine::model::Period::parse)
                    .transpose()?,
                state: Some(state),
                page: 1,
                per_page: 500,
                ..ListInvoices::default()
            },
        )?;
        let mut items = page.items;
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    fn perform(&mut self, action: &Action) -> Result<()> {
        match action {
            Subscribe {
                buyer,
                plan,
                app,
                hits,
                extra,
            } => {
                self.buyer(buyer)?;
                let service = service_of(plan)?;
                self.step(
                    "subscribe",
                    [
                        ("account", (*buyer).into()),
                        ("plan", (*plan).into()),
                        ("ref", (*app).into()),
                    ],
                )?;
                let id = self
                    .player
                    .application(app)
                    .ok_or_else(|| anyhow!("demo: no application \"{app}\""))?
                    .id;
                self.apps.push(App {
                    name: app,
                    id,
                    service,
                    created: self.player.book().now(),
                    cancelled: None,
                    hits: *hits,
                    extra: *extra,
                    ordinal: self.apps.len() as u64,
                });
            }
            ChangePlan { app, plan } => {
                self.step(
                    "change_plan",
                    [("application", (*app).into()), ("plan", (*plan).into())],
                )?;
            }
            Cancel { app } => {
                self.step("cancel", [("application", (*app).into())])?;
                let now = self.player.book().now();
                self.app(app)?.cancelled = Some(now);
            }
            NewInvoice {
                invoice,
                buyer,
                lines,
            } => {
                self.buyer(buyer)?;
                self.step(
                    "create_invoice",
                    [("account", (*buyer).into()), ("ref", (*invoice).into())],
                )?;
                let now = self.player.book().now();
                for &(name, description, quantity, cost) in *lines {
                    self.step(
                        "add_line_item",
                        [
                            ("invoice", (*invoice).into()),
                            ("name", name.into()),
                            ("description", dated(description, now).into()),
                            ("quantity", quantity.to_string().into()),
                            ("cost", cost.to_string().into()),
                        ],
                    )?;
                }
            }
            Transition { invoice, state } => {
                let state = serde_json::to_value(state)?;
                self.step(
                    "transition",
                    [("invoice", (*invoice).into()), ("state", state)],
                )?;
            }
            MarkPaid { invoice, reference } => {
                let reference = dated(reference, self.player.book().now());
                self.step(
                    "mark_paid",
                    [
                        ("invoice", (*invoice).into()),
                        ("reference", reference.into()),
                    ],
                )?;
            }
            Charge { invoice } => {
                self.step("charge", [("invoice", (*invoice).into())])?;
                let id = self.invoice(invoice)?;
                let charged = op::get_invoice(self.player.book(), ById { id })?;
                if charged.invoice.state != InvoiceState::Paid {
                    bail!("demo: the charge of {invoice} did not go through");
                }
            }
            BankTransfers { buyer } => {
                let day = self.player.book().now().format("%Y-%m-%d").to_string();
                for invoice in self.invoices_of(buyer, None, InvoiceState::Pending)? {
                    let reference = format!(
                        "SEPA credit transfer {day}, remittance {}",
                        invoice.friendly_id
                    );
                    let (book, actor) = self.player.book_and_actor();
                    op::mark_invoice_paid(
                        book,
                        actor,
                        MarkInvoicePaid {
                            id: invoice.id,
                            reference,
                        },
                    )?;
                }
            }
            WriteOff { buyer, period } => {
                let period = self.calendar.period(period)?;
                let failed = self.invoices_of(buyer, Some(&period), InvoiceState::Failed)?;
                let invoice = failed
                    .first()
                    .ok_or_else(|| anyhow!("demo: {buyer} has no failed invoice of {period}"))?;
                let (book, actor) = self.player.book_and_actor();
                op::transition_invoice(
                    book,
                    actor,
                    TransitionInvoice {
                        id: invoice.id,
                        state: InvoiceState::Cancelled,
                    },
                )?;
            }
            Credit {
                buyer,
                period,
                line,
            } => {
                let period = self.calendar.period(period)?;
                let finalized = self.invoices_of(buyer, Some(&period), InvoiceState::Finalized)?;
                let invoice = finalized
                    .first()
                    .ok_or_else(|| anyhow!("demo: {buyer} has no finalized invoice of {period}"))?;
                let &(name, description, quantity, cost) = line;
                let description = dated(description, self.player.book().now());
                let (book, actor) = self.player.book_and_actor();
                let credited = op::add_line_item(
                    book,
                    actor,
                    AddLineItem {
                        invoice_id: invoice.id,
                        name: name.into(),
                        description,
                        quantity: Some(quantity),
                        cost,
                    },
                )?;
                let total = credited.invoice.totals.total;
                if total >= Decimal::ZERO {
                    bail!("demo: {buyer}'s {period} invoice is at {total}, not a credit due");
                }
            }
            DuplicateId { invoice } => {
                let id = self.invoice(invoice)?;
                let period = counterfoil_engine::model::Period::of(self.player.book().now());
                let page = op::list_invoices(
                    self.player.book(),
                    ListInvoices {
                        period: Some(period),
                        page: 1,
                        per_page: 500,
                        ..ListInvoices::default()
                    },
                )?;
                let taken = page
                    .items
                    .into_iter()
                    .filter(|item| item.id != id && item.creation_type == CreationType::Background)
                    .map(|item| item.friendly_id)
                    .min()
                    .ok_or_else(|| anyhow!("demo: no invoice of {period} to share an ID with"))?;
                let (book, actor) = self.player.book_and_actor();
                let updated = op::update_invoice(
                    book,
                    actor,
                    UpdateInvoice {
                        id,
                        friendly_id: Some(taken),
                        period: None,
                    },
                )?;
                if updated.warnings.is_empty() {
                    bail!("demo: the duplicate invoice ID shows no warning");
                }
            }
        }
        Ok(())
    }

    /// Records the usage of `day` up to `until` for every application live then, in one
    /// import: a few rows per metric at varying hours, fewer at weekends, growing by the month.
    fn record_usage(&mut self, day: NaiveDate, until: DateTime<Utc>) -> Result<()> {
        let mut rows = Vec::new();
        let day_number = u64::try_from(day.num_days_from_ce()).unwrap_or_default();
        for app in &self.apps {
            let from = app.created.max(midnight(day));
            let to = app.cancelled.map_or(until, |c| c.min(until));
            if from >= to {
                continue;
            }
            let seed = [app.ordinal, day_number];
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            let months_live = (day - app.created.date_naive()).num_days() / 30;
            let growth = 1_000 + 35 * months_live;
            let weekday_factor = if weekend { 550 } else { 1_000 };
            let hits =
                app.hits * growth * weekday_factor * between(&seed, 1, 700, 1_300) / 1_000_000_000;
            let mut push = |metric: &str, at: DateTime<Utc>, value: i64| {
                if value > 0 && at >= from && at < to {
                    rows.push(UsageRow {
                        application: app.id.to_string(),
                        metric: metric.into(),
                        timestamp: at.to_rfc3339_opts(SecondsFormat::Secs, true),
                        value: value.to_string(),
                        idempotency_key: None,
                    });
                }
            };
            // Calls (and tiles) in three bursts: night, morning, afternoon.
            let shares = [250, 450, 300];
            let tiles = match app.service {
                ServiceKind::Maps => {
                    hits * app.extra / 1_000 * between(&seed, 2, 850, 1_150) / 1_000
                }
                ServiceKind::Geocoding => 0,
            };
            for (slot, share) in shares.into_iter().enumerate() {
                let slot = slot as u64;
                let hour = [1, 8, 15][slot as usize] + between(&seed, 10 + slot, 0, 6);
                let at = moment(day, hour, &seed, 20 + slot);
                push("hits", at, hits * share / 1_000);
                if app.service == ServiceKind::Maps {
                    let later = at + Duration::minutes(between(&seed, 30 + slot, 1, 40));
                    push("tiles", later, tiles * share / 1_000);
                }
            }
            if app.service == ServiceKind::Geocoding && !weekend {
                let jobs = between(&seed, 3, 0, 2 * app.extra);
                let at = moment(day, 9 + between(&seed, 4, 0, 9), &seed, 5);
                push("batch_jobs", at, jobs);
            }
        }
        if rows.is_empty() {
            return Ok(());
        }
        let (book, actor) = self.player.book_and_actor();
        let report = op::import_usage(
            book,
            actor,
            ImportUsage {
                rows,
                dry_run: false,
            },
        )?;
        if let Some(error) = report.errors.first() {
            bail!("the import refused row {}: {}", error.row, error.message);
        }
        Ok(())
    }
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc()
}

/// `day` at `hour` with minutes and seconds from the seed.
fn moment(day: NaiveDate, hour: i64, seed: &[u64], salt: u64) -> DateTime<Utc> {
    midnight(day)
        + Duration::hours(hour)
        + Duration::minutes(between(seed, salt, 0, 59))
        + Duration::seconds(between(seed, salt + 100, 0, 59))
}

/// A number in `lo..=hi` determined by the seed parts and `salt` (splitmix64 over the demo's
/// fixed seed): the same inputs give the same number on every machine.
fn between(seed: &[u64], salt: u64, lo: i64, hi: i64) -> i64 {
    let mut x = SEED;
    for part in seed.iter().chain(std::iter::once(&salt)) {
        x = splitmix64(x ^ part);
    }
    let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
    lo + i64::try_from(x % span).unwrap_or(0)
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

// ---------------------------------------------------------------------------------------------
// The summary

/// What a freshly built demo book holds; shown as the lines `counterfoil demo` prints.
pub struct Summary {
    target: PathBuf,
    simulated: (DateTime<Utc>, DateTime<Utc>),
    accounts: i64,
    applications: usize,
    cancelled_applications: usize,
    usage_records: i64,
    invoices: Vec<(&'static str, i64)>,
    credits_due: i64,
    payments: usize,
    failed_payments: usize,
}

fn summarize(book: &Book, target: &Path, calendar: &Calendar) -> Result<Summary> {
    let accounts = op::list_accounts(
        book,
        ListAccounts {
            page: 1,
            per_page: 1,
            ..ListAccounts::default()
        },
    )?
    .total;
    let every_application = every_page(|page| {
        op::list_applications(
            book,
            ListApplications {
                page,
                per_page: 500,
                ..ListApplications::default()
            },
        )
    })?;
    let mut cancelled_applications = 0;
    let mut usage_records = 0;
    for app in &every_application {
        if app.state == ApplicationState::Cancelled {
            cancelled_applications += 1;
        }
        let usage = op::list_usage(
            book,
            ListUsage {
                application_id: app.id,
                metric_id: None,
                from: None,
                to: None,
                page: 1,
                per_page: 1,
            },
        )?;
        usage_records += usage.total;
    }
    let count_invoices = |filter: ListInvoices| -> Result<i64> {
        let first = ListInvoices {
            page: 1,
            per_page: 1,
            ..filter
        };
        Ok(op::list_invoices(book, first)?.total)
    };
    let mut invoices = Vec::new();
    for (state, name) in STATES {
        let count = count_invoices(ListInvoices {
            state: Some(state),
            ..ListInvoices::default()
        })?;
        invoices.push((name, count));
    }
    let credits_due = count_invoices(ListInvoices {
        credit_due: true,
        ..ListInvoices::default()
    })?;
    let every_invoice = every_page(|page| {
        op::list_invoices(
            book,
            ListInvoices {
                page,
                per_page: 500,
                ..ListInvoices::default()
            },
        )
    })?;
    let mut payments = 0;
    let mut failed_payments = 0;
    for invoice in every_invoice {
        let detail = op::get_invoice(book, ById { id: invoice.id })?;
        for payment in detail.payment_transactions {
            payments += 1;
            if !payment.success {
                failed_payments += 1;
            }
        }
    }
    Ok(Summary {
        target: target.to_path_buf(),
        simulated: (calendar.start, calendar.end),
        accounts,
        applications: every_application.len(),
        cancelled_applications,
        usage_records,
        invoices,
        credits_due,
        payments,
        failed_payments,
    })
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let invoices: i64 = self.invoices.iter().map(|(_, n)| n).sum();
        let by_state: Vec<String> = self
            .invoices
            .iter()
            .map(|(state, n)| format!("{state} {n}"))
            .collect();
        writeln!(f, "demo book written to {}", self.target.display())?;
        let (start, end) = self.simulated;
        writeln!(
            f,
            "  simulated {} to {}, billed daily at 08:00 UTC",
            start.to_rfc3339_opts(SecondsFormat::Secs, true),
            end.to_rfc3339_opts(SecondsFormat::Secs, true)
        )?;
        writeln!(f, "  accounts:      {}", self.accounts)?;
        writeln!(
            f,
            "  applications:  {} ({} live, {} cancelled)",
            self.applications,
            self.applications - self.cancelled_applications,
            self.cancelled_applications
        )?;
        writeln!(f, "  usage records: {}", self.usage_records)?;
        writeln!(f, "  invoices:      {invoices} ({})", by_state.join(", "))?;
        writeln!(f, "  credits due:   {}", self.credits_due)?;
        write!(
            f,
            "  payments:      {} ({} failed)",
            self.payments, self.failed_payments
        )
    }
}
