import { describe, expect, it } from 'vitest';
import type { InvoiceState, Totals } from './api/types';
import { actionOperation, canCharge, canEditLines, invoiceActions, pdfActions, type ActionInput } from './invoiceActions';

const TOTALS: Totals = {
  cost_without_vat: '10.0000',
  vat_amount: '2.2000',
  charged_without_vat: '10.00',
  charged_vat: '2.20',
  total: '12.20',
};

/** The engine's §5 table: what get_invoice says for each state. */
const ENGINE: Record<InvoiceState, { allowed: InvoiceState[]; editable: boolean }> = {
  open: { allowed: ['finalized', 'pending', 'cancelled'], editable: true },
  finalized: { allowed: ['pending', 'cancelled'], editable: true },
  pending: { allowed: ['paid', 'unpaid', 'cancelled'], editable: false },
  unpaid: { allowed: ['paid', 'failed', 'cancelled'], editable: false },
  failed: { allowed: ['paid', 'cancelled'], editable: false },
  paid: { allowed: [], editable: false },
  cancelled: { allowed: [], editable: false },
};

const TEST_GATEWAY = { name: 'Test gateway', test: true };

function detail(state: InvoiceState, total = '12.20', payment_gateway: ActionInput['payment_gateway'] = TEST_GATEWAY): ActionInput {
  return {
    allowed_transitions: ENGINE[state].allowed,
    editable: ENGINE[state].editable,
    invoice: { state, totals: { ...TOTALS, total } },
    payment_gateway,
  };
}

const labels = (input: ActionInput) => invoiceActions(input).map((a) => a.label);

describe('invoiceActions by state', () => {
  it.each([
    ['open', ['Change ID or month', 'Finalize', 'Issue invoice', 'Cancel invoice']],
    ['finalized', ['Change ID or month', 'Issue invoice', 'Cancel invoice']],
    ['pending', ['Charge', 'Mark as paid', 'Mark as unpaid', 'Cancel invoice']],
    ['unpaid', ['Charge', 'Mark as paid', 'Mark as failed', 'Cancel invoice']],
    ['failed', ['Charge', 'Mark as paid', 'Cancel invoice']],
    ['paid', []],
    ['cancelled', []],
  ] as const)('%s → %j', (state, expected) => {
    expect(labels(detail(state))).toEqual(expected);
  });

  it('never offers what the engine does not allow', () => {
    for (const state of Object.keys(ENGINE) as InvoiceState[]) {
      for (const action of invoiceActions(detail(state))) {
        if (action.state) expect(ENGINE[state].allowed).toContain(action.state);
        if (action.kind === 'mark_paid' || action.kind === 'charge') expect(ENGINE[state].allowed).toContain('paid');
        if (action.kind === 'edit') expect(ENGINE[state].editable).toBe(true);
      }
    }
  });

  it('asks before cancelling, and only then', () => {
    const destructive = (Object.keys(ENGINE) as InvoiceState[]).flatMap((state) =>
      invoiceActions(detail(state))
        .filter((a) => a.destructive)
        .map((a) => `${state}:${a.kind}`),
    );
    expect(destructive).toEqual([
      'open:cancel',
      'finalized:cancel',
      'pending:cancel',
      'unpaid:cancel',
      'failed:cancel',
    ]);
  });

  it('makes issuing the next step before issue, charging after (marking paid when there is nothing to charge)', () => {
    const primary = (input: ActionInput) => invoiceActions(input).filter((a) => a.primary).map((a) => a.label);
    expect(primary(detail('open'))).toEqual(['Issue invoice']);
    expect(primary(detail('pending'))).toEqual(['Charge']);
    expect(primary(detail('pending', '-5.00'))).toEqual(['Mark as paid']);
  });

  it('does not offer Charge without a payment gateway: marking paid is the next step', () => {
    expect(labels(detail('pending', '12.20', null))).toEqual(['Mark as paid', 'Mark as unpaid', 'Cancel invoice']);
    expect(labels(detail('failed', '12.20', null))).toEqual(['Mark as paid', 'Cancel invoice']);
    const primary = invoiceActions(detail('unpaid', '12.20', null)).filter((a) => a.primary);
    expect(primary.map((a) => a.label)).toEqual(['Mark as paid']);
  });

  it('does not charge a credit or nothing', () => {
    expect(labels(detail('pending', '-5.00'))).toEqual(['Mark as paid', 'Mark as unpaid', 'Cancel invoice']);
    expect(labels(detail('unpaid', '0.00'))).not.toContain('Charge');
  });
});

describe('canCharge', () => {
  it.each([
    ['pending', '10.00', true],
    ['unpaid', '0.01', true],
    ['failed', '10.00', true],
    ['open', '10.00', false],
    ['finalized', '10.00', false],
    ['paid', '10.00', false],
    ['cancelled', '10.00', false],
    ['pending', '0.00', false],
    ['pending', '0', false],
    ['pending', '-5.00', false],
  ] as const)('%s with total %s → %s', (state, total, expected) => {
    expect(canCharge({ state, totals: { ...TOTALS, total } })).toBe(expected);
  });
});

describe('lines and PDF', () => {
  it('edits lines exactly while the engine says the invoice is editable', () => {
    expect((Object.keys(ENGINE) as InvoiceState[]).filter((s) => canEditLines(detail(s)))).toEqual(['open', 'finalized']);
  });

  it('generates the first PDF and regenerates after, in any state', () => {
    expect(pdfActions({ pdf: null }).generateLabel).toBe('Generate PDF');
    const made = { generated_at: '2026-10-01T08:00:00Z', size_bytes: 1000, error: null } as never;
    expect(pdfActions({ pdf: made })).toEqual({ generateLabel: 'Regenerate PDF', open: true, save: true });
  });
});

describe('actionOperation', () => {
  it('names the operation each action runs, so that a linked desktop can tell the server-only ones', () => {
    expect(actionOperation('edit')).toBe('update_invoice');
    expect(actionOperation('charge')).toBe('charge_invoice');
    expect(actionOperation('mark_paid')).toBe('mark_invoice_paid');
    for (const kind of ['finalize', 'issue', 'mark_unpaid', 'mark_failed', 'cancel'] as const) {
      expect(actionOperation(kind)).toBe('transition_invoice');
    }
  });
});
