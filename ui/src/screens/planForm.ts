// Plan and pricing-rule forms: what the user typed, and its conversion to the engine's inputs.
// Only the form of a value is checked here (an amount must be a number, a count a whole
// number); what values are allowed is the engine's to say.

import type {
  CreatePricingRule,
  Plan,
  PlanFields,
  PlanState,
  PricingRule,
  UpdatePricingRule,
} from '../lib/api/types';
import { parseDecimal, parseWholeNumber } from '../lib/format';
import type { FieldErrors } from '../lib/forms';

export interface PlanForm {
  name: string;
  system_name: string;
  setup_fee: string;
  cost_per_month: string;
  trial_period_days: string;
  state: PlanState;
  description: string;
  approval_required: boolean;
}

export const PLAN_FIELDS: readonly string[] = [
  'name',
  'system_name',
  'setup_fee',
  'cost_per_month',
  'trial_period_days',
  'state',
  'description',
  'approval_required',
];

export function emptyPlanForm(): PlanForm {
  return {
    name: '',
    system_name: '',
    setup_fee: '0',
    cost_per_month: '0',
    trial_period_days: '0',
    state: 'published',
    description: '',
    approval_required: false,
  };
}

export function planForm(plan: Plan): PlanForm {
  return {
    name: plan.name,
    system_name: plan.system_name,
    setup_fee: plan.setup_fee,
    cost_per_month: plan.cost_per_month,
    trial_period_days: String(plan.trial_period_days),
    state: plan.state,
    description: plan.description,
    approval_required: plan.approval_required,
  };
}

export function planFields(form: PlanForm): { ok: true; fields: PlanFields } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const setupFee = parseDecimal(form.setup_fee);
  if (setupFee === null) errors.setup_fee = 'Enter the setup fee as an amount, e.g. 0 or 25.00.';
  const costPerMonth = parseDecimal(form.cost_per_month);
  if (costPerMonth === null) errors.cost_per_month = 'Enter the monthly cost as an amount, e.g. 0 or 49.90.';
  const days = parseWholeNumber(form.trial_period_days);
  if (days === null) errors.trial_period_days = 'Enter the trial as a whole number of days, e.g. 30 (0 for none).';
  if (setupFee === null || costPerMonth === null || days === null) return { ok: false, errors };
  return {
    ok: true,
    fields: {
      name: form.name.trim(),
      setup_fee: setupFee,
      cost_per_month: costPerMonth,
      trial_period_days: days,
      state: form.state,
      description: form.description.trim(),
      approval_required: form.approval_required,
    },
  };
}

export interface RuleForm {
  metric_id: string;
  min: string;
  /** Empty: no upper bound. */
  max: string;
  cost_per_unit: string;
}

export const RULE_FIELDS: readonly string[] = ['metric_id', 'min', 'max', 'cost_per_unit'];

export function emptyRuleForm(metricId = ''): RuleForm {
  return { metric_id: metricId, min: '1', max: '', cost_per_unit: '' };
}

export function ruleInput(
  planId: string,
  form: RuleForm,
): { ok: true; input: CreatePricingRule } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  if (form.metric_id === '') errors.metric_id = 'Choose the metric this rule prices.';
  const range = ruleRange(form, errors);
  if (range === null || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { plan_id: planId, metric_id: form.metric_id, ...range } };
}

/** A rule as its edit form starts: its range and cost as typed. */
export function ruleForm(rule: PricingRule): RuleForm {
  return {
    metric_id: rule.metric_id,
    min: String(rule.min),
    max: rule.max == null ? '' : String(rule.max),
    cost_per_unit: rule.cost_per_unit,
  };
}

/**
 * The change of rule `rule` that `form` asks for, in place (`update_pricing_rule`): its range
 * and cost; an empty "to" sends `null` (no upper limit). The rule keeps its metric.
 */
export function ruleUpdate(
  rule: PricingRule,
  form: RuleForm,
): { ok: true; input: UpdatePricingRule } | { ok: false; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const range = ruleRange(form, errors);
  if (range === null) return { ok: false, errors };
  return { ok: true, input: { id: rule.id, ...range } };
}

/** The range and cost typed in `form`, or null with `errors` filled in. */
function ruleRange(
  form: RuleForm,
  errors: FieldErrors,
): { min: number; max: number | null; cost_per_unit: string } | null {
  const min = parseWholeNumber(form.min);
  if (min === null) errors.min = 'Enter the first unit of the range as a whole number, e.g. 1.';
  let max: number | null = null;
  if (form.max.trim() !== '') {
    max = parseWholeNumber(form.max);
    if (max === null) errors.max = 'Enter the last unit as a whole number, or leave it empty for no limit.';
  }
  const costPerUnit = parseDecimal(form.cost_per_unit);
  if (costPerUnit === null) errors.cost_per_unit = 'Enter the cost of one unit as an amount, e.g. 0.002.';
  if (Object.keys(errors).length > 0 || min === null || costPerUnit === null) return null;
  return { min, max, cost_per_unit: costPerUnit };
}

/**
 * The "from" to suggest for a new range of `metricId`: the unit after the highest bounded range,
 * 1 when the metric has no rule, empty when a range already has no upper limit.
 */
export function nextFrom(rules: readonly PricingRule[], metricId: string): string {
  const ofMetric = rules.filter((rule) => rule.metric_id === metricId);
  if (ofMetric.length === 0) return '1';
  if (ofMetric.some((rule) => rule.max == null)) return '';
  return String(Math.max(...ofMetric.map((rule) => rule.max ?? 0)) + 1);
}
