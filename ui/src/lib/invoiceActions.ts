// Which actions the invoice view offers in which state: a pure function of what the engine
// says about the invoice (its state, allowed_transitions, editable, totals, PDF) and about the
// book (its payment gateway), so that the view shows only what the engine would accept, and
// the rules are tested as a table.

import type { Invoice, InvoiceDetail, InvoiceState, Operations, PaymentGatewayInfo } from './api/types';

export type InvoiceActionKind =
  | 'edit'
  | 'finalize'
  | 'issue'
  | 'charge'
  | 'mark_paid'
  | 'mark_unpaid'
  | 'mark_failed'
  | 'cancel';

export interface InvoiceAction {
  kind: InvoiceActionKind;
  label: string;
  /** The state a transition moves to; absent for the actions that are not a transition. */
  state?: InvoiceState;
  /** The next usual step: shown as the primary button. */
  primary: boolean;
  /** Loses something that cannot be had back: asked before it is done. */
  destructive: boolean;
}

/** The engine operation an action runs (editing opens a form that runs `update_invoice`):
 *  what decides whether a linked desktop may run it (lib/sync.ts serverOnlyReason). */
export function actionOperation(kind: InvoiceActionKind): keyof Operations {
  if (kind === 'edit') return 'update_invoice';
  if (kind === 'charge') return 'charge_invoice';
  if (kind === 'mark_paid') return 'mark_invoice_paid';
  return 'transition_invoice';
}

/** What the view knows about an invoice, as get_invoice returns it, and the book's payment
 * gateway (book_info): none means charging is off. */
export type ActionInput = Pick<InvoiceDetail, 'allowed_transitions' | 'editable'> & {
  invoice: Pick<Invoice, 'state' | 'totals'>;
  payment_gateway: PaymentGatewayInfo | null;
};

const TRANSITIONS: Partial<Record<InvoiceState, { kind: InvoiceActionKind; label: string }>> = {
  finalized: { kind: 'finalize', label: 'Finalize' },
  pending: { kind: 'issue', label: 'Issue invoice' },
  unpaid: { kind: 'mark_unpaid', label: 'Mark as unpaid' },
  failed: { kind: 'mark_failed', label: 'Mark as failed' },
  cancelled: { kind: 'cancel', label: 'Cancel invoice' },
};

/** States the engine charges from (charging.rs: issued and not paid or cancelled). */
const CHARGEABLE: readonly InvoiceState[] = ['pending', 'unpaid', 'failed'];

/**
 * Whether "Charge" is offered: in a state the engine charges from, with something to charge
 * (a negative total is a credit due to the buyer and is never charged, §9). The sign is read
 * from the engine's decimal string, never computed.
 */
export function canCharge(invoice: Pick<Invoice, 'state' | 'totals'>): boolean {
  if (!CHARGEABLE.includes(invoice.state)) return false;
  const total = invoice.totals.total.trim();
  return !total.startsWith('-') && !/^0*(\.0*)?$/.test(total);
}

/**
 * The invoice's actions in the order they are shown: editing (open and finalized only), the
 * money actions (charge, only through a payment gateway; mark as paid), then the engine's
 * other allowed transitions in lifecycle order, cancelling last. "paid" is never a bare
 * transition: it is "Mark as paid", which records the payment with its reference.
 */
export function invoiceActions(detail: ActionInput): InvoiceAction[] {
  const allowed = detail.allowed_transitions;
  const actions: InvoiceAction[] = [];
  if (detail.editable) {
    actions.push({ kind: 'edit', label: 'Change ID or month', primary: false, destructive: false });
  }
  const chargeable = detail.payment_gateway !== null && canCharge(detail.invoice) && allowed.includes('paid');
  if (chargeable) actions.push({ kind: 'charge', label: 'Charge', primary: true, destructive: false });
  if (allowed.includes('paid')) {
    actions.push({ kind: 'mark_paid', label: 'Mark as paid', primary: !chargeable, destructive: false });
  }
  for (const state of allowed) {
    const transition = TRANSITIONS[state];
    if (!transition) continue;
    actions.push({
      ...transition,
      state,
      primary: transition.kind === 'issue',
      destructive: transition.kind === 'cancel',
    });
  }
  return actions;
}

/** Line items can be added and deleted exactly when the engine says the invoice is editable. */
export function canEditLines(detail: Pick<InvoiceDetail, 'editable'>): boolean {
  return detail.editable;
}

export interface PdfActions {
  /** "Generate PDF" before the first one, "Regenerate PDF" after (also after a failed try). */
  generateLabel: 'Generate PDF' | 'Regenerate PDF';
  /** Open and save are always offered: either makes the PDF first when none is stored. */
  open: true;
  save: true;
}

/** The PDF panel's buttons: the engine generates and regenerates a PDF in any state (§11). */
export function pdfActions(detail: Pick<InvoiceDetail, 'pdf'>): PdfActions {
  return { generateLabel: detail.pdf === null ? 'Generate PDF' : 'Regenerate PDF', open: true, save: true };
}

/** The words of the confirmation before cancelling an invoice. */
export function cancelConfirmation(friendlyId: string, buyer: string) {
  return {
    title: 'Cancel invoice',
    message: `Cancel invoice ${friendlyId} for ${buyer}? A cancelled invoice cannot be changed, charged or reopened.`,
    confirmLabel: 'Cancel invoice',
    cancelLabel: 'Keep invoice',
  };
}

/** The words of the confirmation before deleting a line; `cost` already formatted. */
export function deleteLineConfirmation(name: string, cost: string, friendlyId: string) {
  return {
    title: 'Delete line',
    message: `Delete the line “${name}” (${cost}) from invoice ${friendlyId}?`,
    confirmLabel: 'Delete line',
    cancelLabel: 'Keep line',
  };
}
