// What the whole UI needs to know about the open book: its path (shown in the header) and the
// provider's settings (the currency amounts are shown in).

import { call } from './api';
import type { BookInfo, Settings } from './api/types';
import { describeFailure } from './forms';
import { formatMoney } from './format';

export const book = $state({
  info: null as BookInfo | null,
  settings: null as Settings | null,
  error: null as string | null,
});

export async function loadBook(): Promise<void> {
  try {
    const [info, settings] = await Promise.all([call('book_info', {}), call('get_settings', {})]);
    book.info = info;
    book.settings = settings;
    book.error = null;
  } catch (error) {
    book.error = describeFailure(error, []).banner;
  }
}

/** The provider's currency code, e.g. "EUR"; empty until the settings are loaded. */
export function currency(): string {
  return book.settings?.currency ?? '';
}

/** An amount in the provider's currency, in the user's locale. */
export function money(amount: string): string {
  const code = currency();
  if (!code) return amount;
  try {
    return formatMoney(amount, code);
  } catch {
    return `${amount} ${code}`;
  }
}
