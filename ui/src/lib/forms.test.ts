import { describe, expect, it, vi } from 'vitest';
import { ApiError } from './api';
import { describeFailure, fieldError, SCREEN_FAILURE } from './forms';

const SHOWN = ['org_name', 'legal_address.country', 'vat_rate', 'card.last4'];

describe('describeFailure', () => {
  it.each([
    {
      why: 'a validation error on a shown field goes next to that control',
      error: new ApiError('validation', 'Enter the organisation name.', 'org_name'),
      fields: { org_name: 'Enter the organisation name.' },
      banner: null,
    },
    {
      why: 'nested field paths are matched whole',
      error: { code: 'validation', message: 'Unknown country.', field: 'legal_address.country' },
      fields: { 'legal_address.country': 'Unknown country.' },
      banner: null,
    },
    {
      why: 'a validation error on a field the form does not show goes to the banner',
      error: new ApiError('validation', 'Invalid input.', 'input'),
      fields: {},
      banner: 'Invalid input.',
    },
    {
      why: 'a validation error without a field goes to the banner',
      error: new ApiError('validation', 'Something is off.'),
      fields: {},
      banner: 'Something is off.',
    },
    {
      why: 'several bad fields each go next to their control, the others to the banner',
      error: {
        code: 'validation',
        message: "Organisation name can't be blank. VAT rate must be between 0 and 100 percent. PO number is too long.",
        field: 'org_name',
        errors: [
          { field: 'org_name', message: "Organisation name can't be blank." },
          { field: 'vat_rate', message: 'VAT rate must be between 0 and 100 percent.' },
          { field: 'po_number', message: 'PO number is too long.' },
        ],
      },
      fields: {
        org_name: "Organisation name can't be blank.",
        vat_rate: 'VAT rate must be between 0 and 100 percent.',
      },
      banner: 'PO number is too long.',
    },
    {
      why: 'several bad fields all shown leave the banner empty',
      error: new ApiError('validation', 'a. b.', 'org_name', [
        { field: 'org_name', message: 'a.' },
        { field: 'card.last4', message: 'b.' },
      ]),
      fields: { org_name: 'a.', 'card.last4': 'b.' },
      banner: null,
    },
    {
      why: 'a conflict goes to the banner even when it names a field',
      error: { code: 'conflict', message: 'The account changed meanwhile.', field: 'org_name' },
      fields: {},
      banner: 'The account changed meanwhile.',
    },
  ])('$why', ({ error, fields, banner }) => {
    const failure = describeFailure(error, SHOWN);
    expect(failure.fields).toEqual(fields);
    expect(failure.banner).toBe(banner);
  });
});

it('shows a bug on the screen as a plain sentence and logs the exception', () => {
  const log = vi.spyOn(console, 'error').mockImplementation(() => {});
  const bug = new TypeError('x is undefined');

  expect(describeFailure(bug, SHOWN)).toEqual({ fields: {}, banner: SCREEN_FAILURE });
  expect(log).toHaveBeenCalledWith(bug);
  log.mockRestore();
});

describe('fieldError', () => {
  const failure = describeFailure(new ApiError('validation', 'Use 4 digits.', 'card.last4'), SHOWN);

  it('finds the message of its field', () => {
    expect(fieldError(failure, 'card.last4')).toBe('Use 4 digits.');
  });

  it('finds nothing for the other fields', () => {
    expect(fieldError(failure, 'org_name')).toBeUndefined();
    expect(fieldError(failure, 'card')).toBeUndefined();
    expect(fieldError(failure, 'constructor')).toBeUndefined();
  });
});
