// What the screens say about charging (billing-rules.md §9): the book's payment gateway, as
// book_info names it, and the Settings switch. A book without a gateway charges nothing and
// says so in the same words everywhere (Settings, the dashboard, the invoice view, and the
// engine's answer to a charge); a test book's gateway says that no money moves.

import type { PaymentGatewayInfo } from './api/types';

/** The engine's words for a book without a gateway (ops/charging.rs NO_PAYMENT_GATEWAY). */
export const NO_PAYMENT_GATEWAY = 'No payment gateway: charging is off.';

export interface ChargingStatus {
  /** off: nothing is charged; test: charges are simulated; on: a real gateway charges. */
  tone: 'off' | 'test' | 'on';
  /** One sentence that names the gateway, or says there is none. */
  headline: string;
  /** What happens to issued invoices. */
  detail: string;
}

/** `chargingEnabled`: the Settings switch, or null when this user may not read the settings. */
export function chargingStatus(gateway: PaymentGatewayInfo | null | undefined, chargingEnabled: boolean | null): ChargingStatus {
  if (!gateway) {
    return {
      tone: 'off',
      headline: NO_PAYMENT_GATEWAY,
      detail: 'Issued invoices stay pending, awaiting payment, until you record one with “Mark as paid”.',
    };
  }
  const runs =
    chargingEnabled === null
      ? ''
      : chargingEnabled
        ? 'The billing run charges due invoices to the buyers’ cards (for buyers with charging on).'
        : 'Charging is switched off in Settings: the billing run charges nothing.';
  if (gateway.test) {
    return {
      tone: 'test',
      headline: `${gateway.name}: charges are simulated and no money moves (a test or demo book).`,
      detail: runs,
    };
  }
  return { tone: 'on', headline: `Charging through ${gateway.name}.`, detail: runs };
}
