import { describe, expect, it } from 'vitest';
import type { Application, Plan } from './api/types';
import { applicationActions, applicationStatus, fromLocalInput, planChoices, planLabel, toLocalInput } from './applications';

const app = (changes: Partial<Application> = {}): Application => ({
  id: '1',
  account_id: '2',
  plan_id: '3',
  name: 'Checkout',
  state: 'live',
  created_at: '2025-05-05T10:00:00Z',
  trial_ends_at: null,
  paid_until: null,
  usage_billed_until: null,
  setup_fee_billed: false,
  cancelled_at: null,
  ...changes,
});

const plan = (id: string, name: string, changes: Partial<Plan> = {}): Plan =>
  ({
    id,
    service_id: 's1',
    name,
    system_name: name.toLowerCase(),
    setup_fee: '0.00',
    cost_per_month: '10.00',
    trial_period_days: 0,
    state: 'published',
    ...changes,
  }) as Plan;

describe('applicationStatus', () => {
  const now = '2025-05-20T12:00:00Z';
  const cases: [string, Partial<Application>, string][] = [
    ['live', {}, 'Live'],
    ['in its trial', { trial_ends_at: '2025-06-01T00:00:00Z' }, 'In trial'],
    ['after its trial', { trial_ends_at: '2025-05-19T00:00:00Z' }, 'Live'],
    ['suspended', { suspended: true }, 'Suspended'],
    ['suspended in its trial', { suspended: true, trial_ends_at: '2025-06-01T00:00:00Z' }, 'Suspended'],
    ['cancelled', { state: 'cancelled', cancelled_at: now }, 'Cancelled'],
    ['cancelled in its trial', { state: 'cancelled', trial_ends_at: '2025-06-01T00:00:00Z' }, 'Cancelled'],
  ];
  it.each(cases)('%s', (_, changes, label) => {
    expect(applicationStatus(app(changes), now).label).toBe(label);
  });
});

describe('applicationActions', () => {
  const stock = plan('3', 'Pro', { custom: null });
  const custom = plan('9', 'Pro (custom)', {
    custom: { application_id: '1', original_plan_id: '3', retired_at: null },
  });
  it('offers everything on a live application, suspended or not', () => {
    const all = { changePlan: true, recordUsage: true, cancel: true, customize: true, goBack: false };
    expect(applicationActions(app(), stock)).toEqual(all);
    expect(applicationActions(app({ suspended: true }), stock)).toEqual(all);
  });
  it('offers going back, not customizing again, on a custom plan', () => {
    expect(applicationActions(app({ plan_id: '9' }), custom)).toMatchObject({ customize: false, goBack: true });
  });
  it('offers neither while the plan is not known', () => {
    expect(applicationActions(app())).toMatchObject({ customize: false, goBack: false, changePlan: true });
  });
  it('offers nothing on a cancelled one', () => {
    expect(applicationActions(app({ state: 'cancelled' }), custom)).toEqual({
      changePlan: false,
      recordUsage: false,
      cancel: false,
      customize: false,
      goBack: false,
    });
  });
});

describe('planChoices', () => {
  it('lists the service’s other plans, published first, by name', () => {
    const current = plan('1', 'Basic');
    const plans = [
      current,
      plan('2', 'Zeta'),
      plan('3', 'Legacy', { state: 'hidden' }),
      plan('4', 'Alpha'),
      plan('5', 'Other service', { service_id: 's2' }),
      plan('6', 'Basic (custom)', { custom: { application_id: '7', original_plan_id: '1', retired_at: null } }),
    ];
    expect(planChoices(plans, current).map((p) => p.name)).toEqual(['Alpha', 'Zeta', 'Legacy']);
  });
  it('labels a plan with its price, trial and visibility', () => {
    const money = (amount: string) => `€${amount}`;
    expect(planLabel(plan('1', 'Pro', { cost_per_month: '49.00' }), money)).toBe('Pro — €49.00 per month');
    expect(planLabel(plan('1', 'Pro', { trial_period_days: 14, state: 'hidden' }), money)).toBe(
      'Pro — €10.00 per month, 14-day trial, hidden',
    );
  });
});

describe('local time fields', () => {
  it('round-trips a local time through UTC', () => {
    const iso = fromLocalInput('2025-03-01T10:30');
    expect(iso).not.toBeNull();
    expect(toLocalInput(iso as string)).toBe('2025-03-01T10:30');
    expect(new Date(iso as string).getTime()).toBe(new Date(2025, 2, 1, 10, 30).getTime());
  });
  it('keeps seconds when given', () => {
    expect(fromLocalInput('2025-03-01T10:30:15')).toBe(new Date(2025, 2, 1, 10, 30, 15).toISOString().replace('.000Z', 'Z'));
  });
  it.each(['', 'yesterday', '2025-02-31T10:00', '2025-13-01T10:00', '2025-03-01'])('refuses %j', (value) => {
    expect(fromLocalInput(value)).toBeNull();
  });
});
