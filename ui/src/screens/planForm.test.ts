import { describe, expect, it } from 'vitest';
import { emptyPlanForm, emptyRuleForm, nextFrom, planFields, planForm, ruleForm, ruleInput, ruleUpdate } from './planForm';

describe('planFields', () => {
  it('sends amounts as decimal strings and the trial as a number', () => {
    const form = { ...emptyPlanForm(), name: ' Pro ', setup_fee: '10', cost_per_month: '49,90', trial_period_days: '30' };
    expect(planFields(form)).toEqual({
      ok: true,
      fields: {
        name: 'Pro',
        setup_fee: '10',
        cost_per_month: '49.90',
        trial_period_days: 30,
        state: 'published',
        description: '',
        approval_required: false,
      },
    });
  });

  it('sends the description trimmed and the approval flag as set', () => {
    const form = { ...emptyPlanForm(), name: 'Team', description: '  For teams.\nBy e-mail.  ', approval_required: true };
    const result = planFields(form);
    expect(result.ok && [result.fields.description, result.fields.approval_required]).toEqual([
      'For teams.\nBy e-mail.',
      true,
    ]);
  });

  it('starts an edit from the plan as it is', () => {
    const plan = {
      id: '7',
      service_id: '1',
      name: 'Pro',
      system_name: 'pro',
      setup_fee: '0.00',
      cost_per_month: '31.00',
      trial_period_days: 0,
      state: 'hidden' as const,
      is_default: false,
      created_at: '2025-01-01T00:00:00Z',
      description: 'Most teams',
      approval_required: true,
      custom: null,
    };
    expect(planForm(plan)).toMatchObject({ description: 'Most teams', approval_required: true, state: 'hidden' });
  });

  it('names every field that is not a number', () => {
    const form = { ...emptyPlanForm(), name: 'Pro', setup_fee: '', cost_per_month: '€49', trial_period_days: 'a month' };
    const result = planFields(form);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['cost_per_month', 'setup_fee', 'trial_period_days']);
  });

  it('leaves negative amounts to the engine', () => {
    const result = planFields({ ...emptyPlanForm(), name: 'Pro', setup_fee: '-1' });
    expect(result.ok && result.fields.setup_fee).toBe('-1');
  });
});

describe('ruleInput', () => {
  it('sends an empty max as null: unbounded', () => {
    const form = { ...emptyRuleForm('5'), min: '1001', cost_per_unit: '0.002' };
    expect(ruleInput('9', form)).toEqual({
      ok: true,
      input: { plan_id: '9', metric_id: '5', min: 1001, max: null, cost_per_unit: '0.002' },
    });
  });

  it('sends a bounded range as numbers', () => {
    const form = { metric_id: '5', min: '1', max: '1000', cost_per_unit: '0,01' };
    expect(ruleInput('9', form)).toEqual({
      ok: true,
      input: { plan_id: '9', metric_id: '5', min: 1, max: 1000, cost_per_unit: '0.01' },
    });
  });

  it('names every field that cannot be sent', () => {
    const result = ruleInput('9', { metric_id: '', min: 'one', max: '1e3', cost_per_unit: '' });
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['cost_per_unit', 'max', 'metric_id', 'min']);
  });
});

describe('ruleUpdate', () => {
  const rule = { id: '3', plan_id: '9', metric_id: '5', min: 1, max: 1000, cost_per_unit: '0.01' };

  it('starts from the rule and sends its range and cost, keeping its id', () => {
    const form = ruleForm(rule);
    expect(form).toEqual({ metric_id: '5', min: '1', max: '1000', cost_per_unit: '0.01' });
    expect(ruleUpdate(rule, { ...form, cost_per_unit: '0,0075' })).toEqual({
      ok: true,
      input: { id: '3', min: 1, max: 1000, cost_per_unit: '0.0075' },
    });
  });

  it('sends an emptied "to" as null: no upper limit', () => {
    const result = ruleUpdate(rule, { ...ruleForm(rule), max: '' });
    expect(result.ok && result.input.max).toBeNull();
  });

  it('names what cannot be sent', () => {
    const result = ruleUpdate(rule, { ...ruleForm(rule), min: 'x', cost_per_unit: '' });
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['cost_per_unit', 'min']);
  });
});

describe('nextFrom', () => {
  const rule = (metric_id: string, min: number, max: number | null) => ({
    id: `${metric_id}-${min}`,
    plan_id: '9',
    metric_id,
    min,
    max,
    cost_per_unit: '0.01',
  });

  it.each([
    { why: 'a metric without rules starts at 1', rules: [rule('6', 1, 100)], metric: '5', from: '1' },
    { why: 'the unit after the highest range', rules: [rule('5', 1, 1000), rule('5', 1001, 5000)], metric: '5', from: '5001' },
    { why: 'nothing when a range is already unbounded', rules: [rule('5', 1, 1000), rule('5', 1001, null)], metric: '5', from: '' },
  ])('$why', ({ rules, metric, from }) => {
    expect(nextFrom(rules, metric)).toBe(from);
  });
});
