import { describe, expect, it } from 'vitest';
import { ADDRESS_FIELDS, addressFieldPaths, addressLine, addressLines, emptyAddress, trimAddress } from './address';
import type { Address } from './api/types';

const address = (line1: string, line2: string, city: string, state: string, zip: string, country: string): Address => ({
  line1,
  line2,
  city,
  state,
  zip,
  country,
});

describe('addressLines: as the invoice PDF prints an address (crates/pdf Party::address_lines)', () => {
  // The cases of crates/pdf/src/document.rs `address_lines_skip_what_is_empty`, and more.
  it.each([
    ['a European address: postcode before the city', address('Keizersgracht 1', '', 'Amsterdam', '', '1015 CJ', 'Netherlands'), ['Keizersgracht 1', '1015 CJ Amsterdam', 'Netherlands']],
    ['the state after the city, and no country', address('1 Main St', 'Suite 2', 'Springfield', 'IL', '62701', ''), ['1 Main St', 'Suite 2', '62701 Springfield, IL']],
    ['a state alone on its line', address('', '', '', 'Bavaria', '', 'Germany'), ['Bavaria', 'Germany']],
    ['nothing', emptyAddress(), []],
    ['no spaces around the parts, no blank parts', address(' Via Roma 1 ', '  ', ' Milano', '', '20121 ', ' IT '), ['Via Roma 1', '20121 Milano', 'IT']],
    ['a city without a postcode', address('Hauptstraße 5', '', 'Berlin', '', '', 'DE'), ['Hauptstraße 5', 'Berlin', 'DE']],
  ])('%s', (_why, address, lines) => {
    expect(addressLines(address)).toEqual(lines);
  });
});

describe('addressLine', () => {
  it('joins the printed lines for a summary', () => {
    expect(addressLine(address('1 Main St', 'Suite 2', 'Springfield', 'IL', '62701', 'USA'))).toBe(
      '1 Main St, Suite 2, 62701 Springfield, IL, USA',
    );
    expect(addressLine(address('Via Roma 1', '', 'Milano', '', '20121', 'IT'))).toBe('Via Roma 1, 20121 Milano, IT');
  });

  it('is empty without an address', () => {
    expect(addressLine(null)).toBe('');
    expect(addressLine(undefined)).toBe('');
    expect(addressLine(emptyAddress())).toBe('');
  });
});

describe('the address form', () => {
  it('asks for the parts in the order they are printed', () => {
    const typed = address('Line one', 'Line two', 'City', 'State', 'Postcode', 'Country');
    const asked = ADDRESS_FIELDS.map(({ part }) => typed[part]);
    expect(asked).toEqual(['Line one', 'Line two', 'Postcode', 'City', 'State', 'Country']);
    expect(addressLines(typed)).toEqual(['Line one', 'Line two', 'Postcode City, State', 'Country']);
  });

  it('labels the parts as both forms show them', () => {
    expect(ADDRESS_FIELDS.map(({ label }) => label)).toEqual([
      'Line 1',
      'Line 2',
      'Postcode',
      'City',
      'State or province',
      'Country',
    ]);
  });

  it('names every part in the error paths the form shows', () => {
    expect(addressFieldPaths('legal_address')).toEqual([
      'legal_address',
      'legal_address.line1',
      'legal_address.line2',
      'legal_address.zip',
      'legal_address.city',
      'legal_address.state',
      'legal_address.country',
    ]);
  });

  it('sends the parts trimmed', () => {
    expect(trimAddress(address(' a ', 'b ', ' c', 'd', ' e', 'f '))).toEqual(address('a', 'b', 'c', 'd', 'e', 'f'));
  });
});
