#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed test
//! The catalogue a finance user keeps up from the desktop (issue 19 §1, §3): a plan's
//! description and approval flag, plan copies, pricing rules edited in place, custom plans
//! (customize and go back), and metrics that cannot be deleted once used.

mod common;

use common::{
    account_fields, audit_list, by_id, new_plan, plan_change, plan_list, pricing_rule,
    subscription, usage, Fixture,
};
use counterfoil_engine::model::*;
use counterfoil_engine::{op, ErrorCode};

/// A plan's rules as (metric, min, max, cost per unit): what a copy must repeat.
fn rule_terms(f: &mut Fixture, plan: &Plan) -> Vec<(Id, i64, Option<i64>, String)> {
    f.ok(
        op::list_pricing_rules,
        ListPricingRules { plan_id: plan.id },
    )
    .into_iter()
    .map(|rule| {
        (
            rule.metric_id,
            rule.min,
            rule.max,
            rule.cost_per_unit.to_string(),
        )
    })
    .collect()
}

/// The plans of `service` a list shows (custom plans left out unless `include_custom`).
fn listed(f: &mut Fixture, service: &Service, include_custom: bool) -> Vec<String> {
    let filter = ListPlans {
        service_id: Some(service.id),
        include_custom,
        order_by_id: true,
        ..plan_list()
    };
    f.ok(op::list_plans, filter)
        .items
        .into_iter()
        .map(|plan| plan.name)
        .collect()
}

fn audited(f: &mut Fixture, entity: &str, id: Id) -> Vec<AuditRecord> {
    let filter = ListAudit {
        entity: Some(entity.into()),
        entity_id: Some(id),
        ..audit_list()
    };
    f.ok(op::list_audit, filter).items
}

#[test]
fn a_plan_keeps_its_description_and_approval_flag() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let created = f.ok(
        op::create_plan,
        CreatePlan {
            description: "  For teams.\nSupport by e-mail. ".into(),
            approval_required: true,
            ..new_plan(&service, "Team")
        },
    );
    assert_eq!(created.description, "For teams.\nSupport by e-mail.");
    assert!(created.approval_required);

    // An update changes only what it names.
    let renamed = f.ok(
        op::update_plan,
        UpdatePlan {
            name: Some("Teams".into()),
            ..UpdatePlan::of(created.id)
        },
    );
    assert_eq!(
        (renamed.description.as_str(), renamed.approval_required),
        ("For teams.\nSupport by e-mail.", true)
    );
    let changed = f.ok(
        op::update_plan,
        UpdatePlan {
            description: Some(String::new()),
            approval_required: Some(false),
            ..UpdatePlan::of(created.id)
        },
    );
    assert_eq!(
        (changed.description.as_str(), changed.approval_required),
        ("", false)
    );
    assert_eq!(f.ok(op::get_plan, by_id(created.id)), changed);

    f.refused(
        op::update_plan,
        UpdatePlan {
            description: Some("bell \u{7}".into()),
            ..UpdatePlan::of(created.id)
        },
        ErrorCode::Validation,
        Some("description"),
    );
}

#[test]
fn a_copy_repeats_the_plans_terms_and_rules_and_stays_hidden_until_published() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let hits = f.hits(&service);
    let pro = f.ok(
        op::create_plan,
        CreatePlan {
            setup_fee: common::amount("25"),
            cost_per_month: common::amount("49.90"),
            trial_period_days: 14,
            description: "The plan most teams choose.".into(),
            approval_required: true,
            ..new_plan(&service, "Pro")
        },
    );
    f.ok(op::make_default_plan, by_id(pro.id));
    f.ok(
        op::create_pricing_rule,
        pricing_rule(&pro, &hits, 1, Some(1000), "0"),
    );
    f.ok(
        op::create_pricing_rule,
        pricing_rule(&pro, &hits, 1001, None, "0.0025"),
    );

    let copy = f.ok(op::copy_plan, by_id(pro.id));
    assert_eq!(copy.name, "Pro (copy)");
    assert_eq!(copy.system_name, "pro_copy");
    assert_eq!(
        copy.state,
        PlanState::Hidden,
        "a copy is a draft until published"
    );
    assert!(!copy.is_default, "the service keeps its default");
    assert_eq!(copy.custom, None);
    assert_eq!(
        (
            copy.setup_fee.to_string(),
            copy.cost_per_month.to_string(),
            copy.trial_period_days,
            copy.description.as_str(),
            copy.approval_required,
        ),
        (
            "25.00".into(),
            "49.90".into(),
            14,
            "The plan most teams choose.",
            true
        )
    );
    assert_eq!(rule_terms(&mut f, &copy), rule_terms(&mut f, &pro));
    assert_eq!(
        audited(&mut f, "plan", copy.id).len(),
        1,
        "the copy is audited"
    );

    // The copy is a plan of its own: changing it leaves the original as it was.
    let copy_rules = f.ok(
        op::list_pricing_rules,
        ListPricingRules { plan_id: copy.id },
    );
    f.ok(op::delete_pricing_rule, by_id(copy_rules[0].id));
    assert_eq!(rule_terms(&mut f, &pro).len(), 2);

    // Copies of the plan and of the copy get the next free system name.
    let again = f.ok(op::copy_plan, by_id(pro.id));
    assert_eq!(
        (again.name.as_str(), again.system_name.as_str()),
        ("Pro (copy)", "pro_copy_2")
    );
    let of_copy = f.ok(op::copy_plan, by_id(copy.id));
    assert_eq!(
        (of_copy.name.as_str(), of_copy.system_name.as_str()),
        ("Pro (copy) (copy)", "pro_copy_3")
    );
    assert_eq!(
        listed(&mut f, &service, false),
        ["Pro", "Pro (copy)", "Pro (copy)", "Pro (copy) (copy)"]
    );

    f.refused(op::copy_plan, by_id(Id(9999)), ErrorCode::NotFound, None);
}

#[test]
fn a_pricing_rule_is_changed_in_place_and_never_overlaps_another() {
    let mut f = Fixture::new();
    let service = f.service("API");
    let hits = f.hits(&service);
    let storage = f.ok(
        op::create_metric,
        CreateMetric {
            service_id: service.id,
            parent_id: None,
            system_name: None,
            friendly_name: "Storage".into(),
            unit: "GB".into(),
            description: String::new(),
        },
    );
    let plan = f.plan(&service, "Pro", 0);
    let first = f.ok(
        op::create_pricing_rule,
        pricing_rule(&plan, &hits, 1, Some(100), "0.01"),
    );
    let second = f.ok(
        op::create_pricing_rule,
        pricing_rule(&plan, &hits, 101, Some(1000), "0.005"),
    );
    // Another metric's ranges are no obstacle.
    f.ok(
        op::create_pricing_rule,
        pricing_rule(&plan, &storage, 1, None, "2"),
    );

    let cheaper = f.ok(
        op::update_pricing_rule,
        UpdatePricingRule {
            cost_per_unit: Some(common::amount("0.0075")),
            ..UpdatePricingRule::of(first.id)
        },
    );
    assert_eq!(
        (cheaper.id, cheaper.metric_id, cheaper.min, cheaper.max),
        (first.id, hits.id, 1, Some(100)),
        "the rule keeps its id, metric and range"
    );
    assert_eq!(cheaper.cost_per_unit.to_string(), "0.0075");
    // Its own range is no overlap; `null` makes it unbounded.
    let unbounded = f.ok(
        op::update_pricing_rule,
        UpdatePricingRule {
            min: Some(101),
            max: Some(None),
            ..UpdatePricingRule::of(second.id)
        },
    );
    assert_eq!((unbounded.min, unbounded.max), (101, None));
    let rules = f.ok(
        op::list_pricing_rules,
        ListPricingRules { plan_id: plan.id },
    );
    assert_eq!(rules.len(), 3, "changed in place: nothing added or removed");
    assert!(rules.contains(&unbounded) && rules.contains(&cheaper));

    let audit = audited(&mut f, "pricing_rule", first.id);
    let change = audit
        .iter()
        .find(|r| r.operation == "update_pricing_rule")
        .unwrap();
    assert_eq!(change.before.as_ref().unwrap()["cost_per_unit"], "0.01");
    assert_eq!(change.after.as_ref().unwrap()["cost_per_unit"], "0.0075");

    // One row per refusal: the change, the field named, and the sentence's gist.
    let refusals: [(UpdatePricingRule, ErrorCode, Option<&str>, &str); 6] = [
        (
            UpdatePricingRule {
                max: Some(Some(150)),
                ..UpdatePricingRule::of(first.id)
            },
            ErrorCode::Validation,
            Some("min"),
            "overlaps the existing rule 101–∞ for Hits",
        ),
        (
            UpdatePricingRule {
                min: Some(50),
                ..UpdatePricingRule::of(second.id)
            },
            ErrorCode::Validation,
            Some("min"),
            "overlaps the existing rule 1–100 for Hits",
        ),
        (
            UpdatePricingRule {
                min: Some(0),
                ..UpdatePricingRule::of(first.id)
            },
            ErrorCode::Validation,
            Some("min"),
            "1 or more",
        ),
        (
            UpdatePricingRule {
                max: Some(Some(50)),
                min: Some(60),
                ..UpdatePricingRule::of(first.id)
            },
            ErrorCode::Validation,
            Some("max"),
            "at least From",
        ),
        (
            UpdatePricingRule {
                cost_per_unit: Some(common::amount("0.00001")),
                ..UpdatePricingRule::of(first.id)
            },
            ErrorCode::Validation,
            Some("cost_per_unit"),
            "at most 4 decimal places",
        ),
        (
            UpdatePricingRule::of(Id(9999)),
            ErrorCode::NotFound,
            None,
            "no pricing rule",
        ),
    ];
    for (change, code, field, gist) in refusals {
        let error = f.refused(op::update_pricing_rule, change, code, field);
        assert!(error.message.contains(gist), "{}", error.message);
    }

    // The same refusals come through the JSON transport, `max: null` included.
    let json = f.ok_json(
        "update_pricing_rule",
        serde_json::json!({"id": first.id, "max": 100, "cost_per_unit": "0.02"}),
    );
    assert_eq!(json["cost_per_unit"], "0.02");
    f.refused_json(
        "update_pricing_rule",
        serde_json::json!({"id": first.id, "max": null}),
        ErrorCode::Validation,
        Some("min"),
    );
}

/// A service with a plan "Pro" (31 a month, hits priced) and a buyer live on it.
struct World {
    f: Fixture,
    service: Service,
    pro: Plan,
    basic: Plan,
    app: Application,
}

fn world() -> World {
    let mut f = Fixture::new();
    let service = f.service("API");
    let hits = f.hits(&service);
    let pro = f.priced_plan(&service, "Pro", "0", "31", 0);
    f.ok(
        op::create_pricing_rule,
        pricing_rule(&pro, &hits, 1, None, "0.01"),
    );
    let basic = f.priced_plan(&service, "Basic", "0", "10", 0);
    let buyer = f.ok(op::create_account, account_fields("Acme"));
    let app = f.ok(op::subscribe, subscription(&buyer, &pro, "Acme app"));
    World {
        f,
        service,
        pro,
        basic,
        app,
    }
}

fn customize(app: &Application) -> CustomizePlan {
    CustomizePlan {
        application_id: app.id,
    }
}

#[test]
fn a_customized_application_gets_its_own_copy_of_its_plan_and_can_go_back() {
    let World {
        mut f,
        service,
        pro,
        basic,
        app,
    } = world();

    let custom = f.ok(op::customize_plan, customize(&app));
    assert_eq!(custom.name, "Pro (custom)");
    assert_eq!(custom.system_name, "pro_custom");
    assert_eq!(custom.state, PlanState::Hidden);
    assert_eq!(
        custom.custom,
        Some(CustomPlan {
            application_id: app.id,
            original_plan_id: pro.id,
            retired_at: None,
        })
    );
    assert_eq!(custom.cost_per_month, pro.cost_per_month);
    assert_eq!(rule_terms(&mut f, &custom), rule_terms(&mut f, &pro));

    // The application is on it from now on: a plan change in its history.
    let detail = f.ok(op::get_application, by_id(app.id));
    assert_eq!(detail.application.plan_id, custom.id);
    let last = detail.plan_history.last().unwrap();
    assert_eq!(
        (last.from_plan_id, last.to_plan_id),
        (Some(pro.id), custom.id)
    );
    assert_eq!(last.changed_at, f.clock.now());

    // Lists of the service's plans leave it out, unless a screen asks for every application's plan.
    assert_eq!(listed(&mut f, &service, false), ["Pro", "Basic"]);
    assert_eq!(
        listed(&mut f, &service, true),
        ["Pro", "Basic", "Pro (custom)"]
    );

    // It is this application's alone, and changes for it alone.
    let other = f.ok(op::create_account, account_fields("Other"));
    let error = f.refused(
        op::subscribe,
        subscription(&other, &custom, "Other app"),
        ErrorCode::Validation,
        Some("plan_id"),
    );
    assert!(error.message.contains("custom plan"), "{}", error.message);
    let others_app = f.ok(op::subscribe, subscription(&other, &basic, "Other app"));
    f.refused(
        op::change_plan,
        plan_change(&others_app, &custom),
        ErrorCode::Validation,
        Some("plan_id"),
    );
    f.refused(
        op::preview_change_plan,
        plan_change(&others_app, &custom),
        ErrorCode::Validation,
        Some("plan_id"),
    );
    f.refused(
        op::make_default_plan,
        by_id(custom.id),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::update_plan,
        UpdatePlan {
            state: Some(PlanState::Published),
            ..UpdatePlan::of(custom.id)
        },
        ErrorCode::Validation,
        Some("state"),
    );
    f.refused(
        op::customize_plan,
        customize(&app),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(op::delete_plan, by_id(custom.id), ErrorCode::Conflict, None);
    let dearer = f.ok(
        op::update_plan,
        UpdatePlan {
            cost_per_month: Some(common::amount("62")),
            ..UpdatePlan::of(custom.id)
        },
    );
    assert_eq!(dearer.cost_per_month.to_string(), "62.00");
    let custom_rule = f.ok(
        op::list_pricing_rules,
        ListPricingRules { plan_id: custom.id },
    )[0]
    .clone();
    f.ok(
        op::update_pricing_rule,
        UpdatePricingRule {
            cost_per_unit: Some(common::amount("0.005")),
            ..UpdatePricingRule::of(custom_rule.id)
        },
    );
    let original = f.ok(op::get_plan, by_id(pro.id));
    assert_eq!(
        original.cost_per_month.to_string(),
        "31.00",
        "the original stays"
    );
    assert_eq!(rule_terms(&mut f, &pro)[0].3, "0.01");

    // Going back: to the plan it was copied from; the custom plan is retired and frozen.
    let later = f.clock.now() + chrono::Duration::days(3);
    f.clock.set(later);
    let back = f.ok(op::decustomize_plan, customize(&app));
    assert_eq!(back.id, pro.id);
    let detail = f.ok(op::get_application, by_id(app.id));
    assert_eq!(detail.application.plan_id, pro.id);
    let last = detail.plan_history.last().unwrap();
    assert_eq!(
        (last.from_plan_id, last.to_plan_id),
        (Some(custom.id), pro.id)
    );
    let retired = f.ok(op::get_plan, by_id(custom.id));
    assert_eq!(
        retired.custom.as_ref().and_then(|c| c.retired_at),
        Some(f.clock.now())
    );
    assert_eq!(
        retired.cost_per_month.to_string(),
        "62.00",
        "kept as it was billed"
    );
    f.refused(
        op::update_plan,
        UpdatePlan {
            cost_per_month: Some(common::amount("1")),
            ..UpdatePlan::of(custom.id)
        },
        ErrorCode::InvalidState,
        None,
    );
    let hits = f.hits(&service);
    f.refused(
        op::create_pricing_rule,
        pricing_rule(&retired, &hits, 1, Some(5), "1"),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::update_pricing_rule,
        UpdatePricingRule {
            cost_per_unit: Some(common::amount("1")),
            ..UpdatePricingRule::of(custom_rule.id)
        },
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::delete_pricing_rule,
        by_id(custom_rule.id),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::decustomize_plan,
        customize(&app),
        ErrorCode::InvalidState,
        None,
    );
    assert_eq!(listed(&mut f, &service, false), ["Pro", "Basic"]);

    // Customizing again makes a new copy; changing plan away from it retires it too.
    let second = f.ok(op::customize_plan, customize(&app));
    assert_eq!(second.system_name, "pro_custom_2");
    assert_eq!(
        second.cost_per_month.to_string(),
        "31.00",
        "copied from Pro as it is now"
    );
    f.ok(op::change_plan, plan_change(&app, &basic));
    let left = f.ok(op::get_plan, by_id(second.id));
    assert!(left.custom.unwrap().retired_at.is_some());

    // A copy of a custom plan is a plan like any other, offered to every application.
    let standard = f.ok(op::copy_plan, by_id(second.id));
    assert_eq!(
        (standard.name.as_str(), standard.custom.as_ref()),
        ("Pro (custom) (copy)", None)
    );

    // A cancelled application's plan stays as it is.
    f.ok(op::cancel_application, by_id(app.id));
    f.refused(
        op::customize_plan,
        customize(&app),
        ErrorCode::InvalidState,
        None,
    );
    f.refused(
        op::customize_plan,
        CustomizePlan {
            application_id: Id(9999),
        },
        ErrorCode::NotFound,
        None,
    );
}

#[test]
fn customizing_is_audited_as_a_new_plan_and_a_plan_change() {
    let World { mut f, app, .. } = world();
    let custom = f.ok(op::customize_plan, customize(&app));
    let plan_records = audited(&mut f, "plan", custom.id);
    assert_eq!(plan_records.len(), 1);
    assert_eq!(plan_records[0].operation, "customize_plan");
    let rule = f.ok(
        op::list_pricing_rules,
        ListPricingRules { plan_id: custom.id },
    )[0]
    .clone();
    assert_eq!(audited(&mut f, "pricing_rule", rule.id).len(), 1);
    let app_records = audited(&mut f, "application", app.id);
    let change = app_records
        .iter()
        .find(|r| r.operation == "customize_plan")
        .unwrap();
    assert_eq!(
        change.after.as_ref().unwrap()["plan_id"],
        serde_json::json!(custom.id)
    );

    f.ok(op::decustomize_plan, customize(&app));
    let plan_records = audited(&mut f, "plan", custom.id);
    assert!(
        plan_records
            .iter()
            .any(|r| r.operation == "decustomize_plan"
                && r.after.as_ref().unwrap()["custom"]["retired_at"].is_string()),
        "the retirement is audited"
    );
}

#[test]
fn a_deleted_account_keeps_its_retired_custom_plans_for_its_history() {
    let World {
        mut f, pro, app, ..
    } = world();
    let custom = f.ok(op::customize_plan, customize(&app));
    f.ok(op::decustomize_plan, customize(&app));
    let second = f.ok(op::customize_plan, customize(&app));
    f.ok(op::cancel_application, by_id(app.id));
    // The account had an application: it is kept with `deleted_at` (as 3scale deletes a
    // tenant's buyer), and so are the plans its application's history names.
    f.ok(op::delete_account, by_id(app.account_id));
    let left = f.ok(op::get_plan, by_id(custom.id));
    assert!(
        left.custom.as_ref().is_some_and(|c| c.retired_at.is_some()),
        "the custom plan the application left is kept, retired: {left:?}"
    );
    let last = f.ok(op::get_plan, by_id(second.id));
    assert_eq!(
        last.custom.map(|c| c.application_id),
        Some(app.id),
        "the plan the application ended on is kept"
    );
    let service = f.ok(op::get_service, by_id(pro.service_id));
    assert!(
        !listed(&mut f, &service, false).contains(&custom.name),
        "no list shows them"
    );
    let original = f.ok(op::get_plan, by_id(pro.id));
    assert_eq!(
        rule_terms(&mut f, &original).len(),
        1,
        "the plan itself stays"
    );
}

#[test]
fn a_metric_with_usage_is_not_deleted_and_the_refusal_says_why() {
    let World {
        mut f,
        service,
        app,
        ..
    } = world();
    let storage = f.ok(
        op::create_metric,
        CreateMetric {
            service_id: service.id,
            parent_id: None,
            system_name: None,
            friendly_name: "Storage".into(),
            unit: "GB".into(),
            description: String::new(),
        },
    );
    let hits = f.hits(&service);
    let method = f.ok(
        op::create_metric,
        CreateMetric {
            service_id: service.id,
            parent_id: Some(hits.id),
            system_name: None,
            friendly_name: "Get forecast".into(),
            unit: "hit".into(),
            description: String::new(),
        },
    );
    f.ok(op::record_usage, usage(&app, &storage, None, 3));
    f.ok(op::record_usage, usage(&app, &method, None, 3));
    for metric in [&storage, &method] {
        let error = f.refused(
            op::delete_metric,
            by_id(metric.id),
            ErrorCode::Conflict,
            None,
        );
        assert!(
            error.message.contains("has recorded usage"),
            "{}",
            error.message
        );
        assert!(
            error.message.contains(&metric.friendly_name),
            "{}",
            error.message
        );
    }
    let error = f.refused(
        op::delete_metric,
        by_id(hits.id),
        ErrorCode::InvalidState,
        None,
    );
    assert!(error.message.contains("built in"), "{}", error.message);
}
