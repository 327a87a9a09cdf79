import { describe, expect, it } from 'vitest';
import { emptyLineForm, invoiceForm, invoiceUpdate, lineInput, newInvoiceFields, newInvoiceInput } from './invoiceForm';

describe('lineInput', () => {
  it('sends the cost and quantity as decimal strings, exactly as typed', () => {
    const form = { name: ' Consulting ', description: ' May, 3 days ', quantity: '3', cost: '1 234,56' };
    expect(lineInput('7', form)).toEqual({
      ok: true,
      input: { invoice_id: '7', name: 'Consulting', description: 'May, 3 days', quantity: '3', cost: '1234.56' },
    });
  });

  it('leaves out an empty description and quantity (the engine counts 1)', () => {
    const form = { ...emptyLineForm(), name: 'Credit', quantity: '', cost: '-10' };
    expect(lineInput('7', form)).toEqual({ ok: true, input: { invoice_id: '7', name: 'Credit', cost: '-10' } });
  });

  it('keeps every decimal of a cost: no float ever touches it', () => {
    const form = { ...emptyLineForm(), name: 'Usage', cost: '12345678901234.00015' };
    expect(lineInput('7', form)).toMatchObject({ ok: true, input: { cost: '12345678901234.00015' } });
  });

  it.each([
    ['abc', 'a word'],
    ['', 'nothing'],
    ['€10', 'a currency sign'],
    ['1,000.50', 'grouping'],
  ])('refuses a cost of %j (%s) next to the cost field', (cost) => {
    const result = lineInput('7', { ...emptyLineForm(), name: 'Consulting', cost });
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors)).toEqual(['cost']);
  });

  it('names both fields when both are wrong', () => {
    const result = lineInput('7', { ...emptyLineForm(), name: 'X', quantity: 'three', cost: 'ten' });
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['cost', 'quantity']);
  });

  it('leaves an empty name to the engine (it names the field)', () => {
    const result = lineInput('7', { ...emptyLineForm(), cost: '5' });
    expect(result).toMatchObject({ ok: true, input: { name: '' } });
  });
});

describe('invoiceUpdate', () => {
  const invoice = { id: '7', friendly_id: '2026-05-00000012', period: '2026-05' };

  it('sends only what changed', () => {
    expect(invoiceUpdate(invoice, { friendly_id: '2026-05-00000099', period: '2026-05' })).toEqual({
      ok: true,
      input: { id: '7', friendly_id: '2026-05-00000099' },
      changed: true,
    });
    expect(invoiceUpdate(invoice, { friendly_id: '2026-05-00000012', period: ' 2026-04 ' })).toEqual({
      ok: true,
      input: { id: '7', period: '2026-04' },
      changed: true,
    });
  });

  it('says when nothing changed', () => {
    expect(invoiceUpdate(invoice, invoiceForm(invoice))).toEqual({ ok: true, input: { id: '7' }, changed: false });
  });

  it('flags an empty ID and a month that is not YYYY-MM', () => {
    const result = invoiceUpdate(invoice, { friendly_id: ' ', period: 'May 2026' });
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['friendly_id', 'period']);
  });

  it('leaves the form of a friendly ID to the engine', () => {
    expect(invoiceUpdate(invoice, { friendly_id: 'INV-1', period: '2026-05' })).toMatchObject({
      ok: true,
      input: { friendly_id: 'INV-1' },
    });
  });
});

describe('newInvoiceInput', () => {
  const line = (name: string, cost: string, quantity = '1') => ({ ...emptyLineForm(), name, cost, quantity });

  it('sends the buyer, the month and every line, exactly as typed', () => {
    const form = { account_id: '12', period: ' 2026-05 ', lines: [line('Consulting', '1 234,56', '3'), line('Credit', '-10', '')] };
    expect(newInvoiceInput(form)).toEqual({
      ok: true,
      input: {
        account_id: '12',
        period: '2026-05',
        lines: [
          { name: 'Consulting', quantity: '3', cost: '1234.56' },
          { name: 'Credit', cost: '-10' },
        ],
      },
    });
  });

  it('leaves out an empty month (the current one) and no lines', () => {
    expect(newInvoiceInput({ account_id: '12', period: '', lines: [] })).toEqual({ ok: true, input: { account_id: '12' } });
  });

  it('names every wrong field as the engine does, by line', () => {
    const result = newInvoiceInput({ account_id: '', period: 'May', lines: [line('Ok', '5'), line('Bad', 'ten', 'x')] });
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual([
      'account_id',
      'lines[1].cost',
      'lines[1].quantity',
      'period',
    ]);
  });

  it('lists the fields of each line for the form to show errors next to', () => {
    expect(newInvoiceFields(1)).toEqual([
      'account_id',
      'period',
      'lines[0].name',
      'lines[0].description',
      'lines[0].quantity',
      'lines[0].cost',
    ]);
  });
});
