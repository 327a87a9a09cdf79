// A postal address, entered and shown one way everywhere: in the order the invoice PDF prints
// it (crates/pdf, `Party::address_lines`): the street lines, "postcode city[, state]", then the
// country. The account's legal and billing addresses and the provider's address are entered
// with AddressFields.svelte in this order; every screen shows them with addressLines.

import type { Address } from './api/types';

export type AddressPart = keyof Address;

/** The parts in the order they are entered and printed, with their labels and their width in
 * the form's six-column grid. */
export const ADDRESS_FIELDS: readonly { part: AddressPart; label: string; span: 2 | 3 | 4 | 6 }[] = [
  { part: 'line1', label: 'Line 1', span: 6 },
  { part: 'line2', label: 'Line 2', span: 6 },
  { part: 'zip', label: 'Postcode', span: 2 },
  { part: 'city', label: 'City', span: 4 },
  { part: 'state', label: 'State or province', span: 3 },
  { part: 'country', label: 'Country', span: 3 },
];

/** The error paths of the address at `path` (`legal_address`): the address and its parts. */
export function addressFieldPaths(path: string): string[] {
  return [path, ...ADDRESS_FIELDS.map(({ part }) => `${path}.${part}`)];
}

export function emptyAddress(): Address {
  return { line1: '', line2: '', city: '', state: '', zip: '', country: '' };
}

export function trimAddress(address: Address): Address {
  return {
    line1: address.line1.trim(),
    line2: address.line2.trim(),
    city: address.city.trim(),
    state: address.state.trim(),
    zip: address.zip.trim(),
    country: address.country.trim(),
  };
}

/** The address as the PDF prints it, one string a line: street lines, "zip city[, state]",
 * country; empty parts left out. */
export function addressLines(address: Address): string[] {
  const { line1, line2, city, state, zip, country } = trimAddress(address);
  const place = [zip, city].filter(Boolean).join(' ');
  const placeLine = state === '' ? place : place === '' ? state : `${place}, ${state}`;
  return [line1, line2, placeLine, country].filter(Boolean);
}

/** The same lines on one line, for a summary ("Via Roma 1, 20121 Milano, IT"); empty when
 * there is no address. */
export function addressLine(address: Address | null | undefined): string {
  return address ? addressLines(address).join(', ') : '';
}
