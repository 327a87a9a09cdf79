import { describe, expect, it } from 'vitest';
import { csvField, toCsv } from './csv';

describe('csv', () => {
  it('quotes only what needs quoting', () => {
    expect(csvField('Acme')).toBe('Acme');
    expect(csvField('Acme, Inc.')).toBe('"Acme, Inc."');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField(null)).toBe('');
  });

  it('keeps exact amounts, negative ones too, and defuses formulas', () => {
    expect(csvField('-12.50')).toBe('-12.50');
    expect(csvField('1234.5678')).toBe('1234.5678');
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)");
    expect(csvField('@evil')).toBe("'@evil");
  });

  it('writes a header and rows with CRLF', () => {
    expect(toCsv(['month', 'total'], [['2025-01', '10.00']])).toBe('month,total\r\n2025-01,10.00\r\n');
  });
});
