import { describe, expect, it } from 'vitest';
import type { Invoice, ListInvoices, Page } from './api/types';
import { exportFileName, fetchAllInvoices, invoicesCsv } from './invoiceExport';
import { NO_FILTERS } from './invoiceFilters';

function invoice(n: number, overrides: Partial<Invoice> = {}): Invoice {
  return {
    id: String(n),
    account_id: '1',
    account_name: 'Acme, Inc.',
    friendly_id: `2026-05-${String(n).padStart(8, '0')}`,
    period: '2026-05',
    state: 'pending',
    creation_type: 'background',
    created_at: '2026-05-01T08:00:00Z',
    issued_on: '2026-06-01',
    due_on: '2026-06-03',
    paid_at: null,
    currency: 'EUR',
    vat_rate: '22',
    totals: {
      cost_without_vat: '60.1301',
      vat_amount: '13.228622',
      charged_without_vat: '60.13',
      charged_vat: '13.23',
      total: '73.36',
    },
    ...overrides,
  } as Invoice;
}

/** A fake list_invoices over `count` invoices, recording what it was asked. */
function server(count: number) {
  const asked: ListInvoices[] = [];
  const all = Array.from({ length: count }, (_, i) => invoice(i + 1));
  const fetchPage = async (input: ListInvoices): Promise<Page<Invoice>> => {
    asked.push(input);
    const perPage = input.per_page ?? 50;
    const page = input.page ?? 1;
    return { items: all.slice((page - 1) * perPage, page * perPage), page, per_page: perPage, total: count };
  };
  return { asked, fetchPage };
}

describe('fetchAllInvoices', () => {
  it('fetches every page with the filters and sort, reporting progress', async () => {
    const { asked, fetchPage } = server(1001);
    const progress: string[] = [];
    const filters = { ...NO_FILTERS, state: 'pending' as const, sort: 'total' as const, descending: true };
    const all = await fetchAllInvoices(filters, fetchPage, {
      perPage: 500,
      onprogress: ({ done, total }) => progress.push(`${done}/${total}`),
    });
    expect(all).toHaveLength(1001);
    expect(all.at(-1)?.id).toBe('1001');
    expect(asked).toEqual([1, 2, 3].map((page) => ({ state: 'pending', sort: 'total', descending: true, page, per_page: 500 })));
    expect(progress).toEqual(['500/1001', '1000/1001', '1001/1001']);
  });

  it('asks once for a list that fits a page, and once for an empty one', async () => {
    const small = server(3);
    expect(await fetchAllInvoices(NO_FILTERS, small.fetchPage)).toHaveLength(3);
    expect(small.asked).toHaveLength(1);
    const none = server(0);
    expect(await fetchAllInvoices(NO_FILTERS, none.fetchPage)).toEqual([]);
  });

  it('stops when cancelled', async () => {
    const { asked, fetchPage } = server(5000);
    const controller = new AbortController();
    const exporting = fetchAllInvoices(NO_FILTERS, fetchPage, {
      signal: controller.signal,
      onprogress: ({ done }) => done >= 1000 && controller.abort(),
    });
    await expect(exporting).rejects.toMatchObject({ name: 'AbortError' });
    expect(asked).toHaveLength(2);
  });
});

describe('invoicesCsv', () => {
  it('writes exact amounts and ISO dates, quoting what needs it', () => {
    const csv = invoicesCsv([invoice(1), invoice(2, { state: 'open', issued_on: null, due_on: null, vat_rate: null, account_name: '=HYPERLINK()' })]);
    expect(csv.split('\r\n')).toEqual([
      'Invoice ID,Buyer,Month,State,Created,Issued on,Due on,Paid at,Currency,VAT rate (%),Total without VAT,VAT,Total',
      '2026-05-00000001,"Acme, Inc.",2026-05,pending,2026-05-01T08:00:00Z,2026-06-01,2026-06-03,,EUR,22,60.13,13.23,73.36',
      "2026-05-00000002,'=HYPERLINK(),2026-05,open,2026-05-01T08:00:00Z,,,,EUR,,60.13,13.23,73.36",
      '',
    ]);
  });
});

describe('exportFileName', () => {
  it.each([
    [NO_FILTERS, 'invoices.csv'],
    [{ ...NO_FILTERS, month: '2026-05', state: 'paid' as const }, 'invoices-2026-05-paid.csv'],
    [{ ...NO_FILTERS, friendlyId: '2026-*', accountId: '7' }, 'invoices-account-7-2026-x.csv'],
    [{ ...NO_FILTERS, states: ['unpaid' as const, 'failed' as const] }, 'invoices-unpaid-failed.csv'],
  ])('%j → %s', (filters, expected) => {
    expect(exportFileName(filters)).toBe(expected);
  });
});
