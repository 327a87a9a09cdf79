import { describe, expect, it } from 'vitest';
import { chunks, parseCsv, parseUsageCsv, rowIsClean } from './usageCsv';

describe('parseCsv (RFC 4180)', () => {
  const cases: [string, string, string[][]][] = [
    ['plain fields, LF', 'a,b\n1,2\n', [['a', 'b'], ['1', '2']]],
    ['CRLF and no final line break', 'a,b\r\n1,2', [['a', 'b'], ['1', '2']]],
    ['quoted comma', '"x,y",2', [['x,y', '2']]],
    ['doubled quote inside quotes', '"say ""hi""",2', [['say "hi"', '2']]],
    ['line break inside quotes', '"two\nlines",2\n3,4', [['two\nlines', '2'], ['3', '4']]],
    ['empty fields', ',,\n', [['', '', '']]],
    ['quoted empty field', '"",1', [['', '1']]],
    ['blank lines are no records', '\na,b\n\n\r\n1,2\n\n', [['a', 'b'], ['1', '2']]],
    ['byte order mark dropped', '\uFEFFa,b\n', [['a', 'b']]],
  ];
  it.each(cases)('%s', (_, text, expected) => {
    const parsed = parseCsv(text);
    expect(parsed.error).toBeNull();
    expect(parsed.records.map((r) => r.fields)).toEqual(expected);
  });

  it('numbers records by the line they start on, line breaks in quotes included', () => {
    const parsed = parseCsv('h1,h2\n"a\nb",1\n\nc,2\n');
    expect(parsed.records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('names the line of a quote that is never closed', () => {
    const parsed = parseCsv('a,b\n1,2\n"open,3\n4,5\n');
    expect(parsed.error).toBe('Line 3: a quoted field is never closed (a " is missing).');
    expect(parsed.records.map((r) => r.fields)).toEqual([['a', 'b'], ['1', '2']]);
  });
});

describe('parseUsageCsv', () => {
  const header = 'application,metric,timestamp,value\n';

  it('reads rows in the header’s column order, trimmed', () => {
    const file = parseUsageCsv('Value, Timestamp ,metric,APPLICATION\n 5 ,2025-03-01T10:00:00Z,hits,12\n');
    expect(file.fileError).toBeNull();
    expect(file.rows).toEqual([
      {
        row: 1,
        line: 2,
        values: { application: '12', metric: 'hits', timestamp: '2025-03-01T10:00:00Z', value: '5' },
        errors: {},
      },
    ]);
    expect(rowIsClean(file.rows[0])).toBe(true);
  });

  it('keeps a quoted metric with a comma', () => {
    const file = parseUsageCsv(header + '7,"search,v2",2025-03-01T10:00:00Z,3\n');
    expect(file.rows[0].values.metric).toBe('search,v2');
    expect(file.rows[0].errors).toEqual({});
  });

  const bad: [string, string, Record<string, string>][] = [
    ['a missing column', '7,hits,2025-03-01T10:00:00Z', { row: 'Only 3 of 4 columns: value is missing.' }],
    [
      'two missing columns',
      '7,hits',
      { row: 'Only 2 of 4 columns: timestamp and value are missing.' },
    ],
    ['an extra column', '7,hits,2025-03-01T10:00:00Z,3,x', { row: '5 columns where the header has 4: is a comma missing its quotes?' }],
    ['a decimal value', '7,hits,2025-03-01T10:00:00Z,1.5', { value: '“1.5” is not a whole number of 0 or more.' }],
    ['a negative value', '7,hits,2025-03-01T10:00:00Z,-3', { value: '“-3” is not a whole number of 0 or more.' }],
    ['a word for a value', '7,hits,2025-03-01T10:00:00Z,ten', { value: '“ten” is not a whole number of 0 or more.' }],
    ['an empty value', '7,hits,2025-03-01T10:00:00Z,', { value: 'The value is empty.' }],
    ['an empty metric', '7,,2025-03-01T10:00:00Z,1', { metric: 'The metric is empty.' }],
    ['an application name', 'my app,hits,2025-03-01T10:00:00Z,1', { application: '“my app” is not an application id (a whole number).' }],
  ];
  it.each(bad)('names %s on its row', (_, line, errors) => {
    const file = parseUsageCsv(header + '7,hits,2025-03-01T09:00:00Z,1\n' + line + '\n');
    expect(file.fileError).toBeNull();
    expect(file.rows).toHaveLength(2);
    expect(file.rows[0].errors).toEqual({});
    expect(file.rows[1]).toMatchObject({ row: 2, line: 3, errors });
  });

  it('refuses a file without the columns, naming the missing ones', () => {
    const file = parseUsageCsv('app,metric,when,value\n7,hits,2025-03-01T10:00:00Z,1\n');
    expect(file.rows).toEqual([]);
    expect(file.fileError).toBe(
      'The header row (line 1) has no application and timestamp column. The first row must name the columns: application, metric, timestamp, value.',
    );
  });

  it('refuses an empty file and a header alone', () => {
    expect(parseUsageCsv('').fileError).toMatch(/empty/);
    expect(parseUsageCsv('\n\n').fileError).toMatch(/empty/);
    expect(parseUsageCsv(header).fileError).toBe('The file has a header row but no usage rows.');
  });

  it('reports an unclosed quote with the rows before it', () => {
    const file = parseUsageCsv(header + '7,hits,2025-03-01T10:00:00Z,1\n7,"hits,2025-03-01T10:00:00Z,1\n');
    expect(file.fileError).toBe('Line 3: a quoted field is never closed (a " is missing).');
    expect(file.rows).toHaveLength(1);
  });

  it('reads every row of a large file, numbered', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `7,hits,2025-03-01T10:00:00Z,${i}`);
    const file = parseUsageCsv(header + lines.join('\n'));
    expect(file.rows).toHaveLength(20_000);
    expect(file.rows[19_999]).toMatchObject({ row: 20_000, line: 20_001, values: { value: '19999' } });
    expect(file.rows.every(rowIsClean)).toBe(true);
  });
});

describe('usage files as spreadsheets save them', () => {
  it('reads a European Excel file: byte-order mark, semicolons, decimal commas, any case', () => {
    const file = parseUsageCsv(
      '\ufeffIdempotency Key;Application;Metric;Timestamp;Value\r\nm-1;7;hits;2025-03-01T10:00:00Z;12,0\r\n',
    );
    expect(file.fileError).toBeNull();
    expect(file.rows[0].values).toEqual({
      application: '7',
      metric: 'hits',
      timestamp: '2025-03-01T10:00:00Z',
      value: '12,0',
      idempotency_key: 'm-1',
    });
    expect(rowIsClean(file.rows[0])).toBe(true);
  });

  it('still refuses a value with a fraction, and sends no key when the column is empty', () => {
    const file = parseUsageCsv('application,metric,timestamp,value,idempotency_key\n7,hits,2025-03-01T10:00:00Z,"1,5",\n');
    expect(file.rows[0].errors.value).toMatch(/not a whole number/);
    expect(file.rows[0].values.idempotency_key).toBeUndefined();
  });
});

describe('chunks', () => {
  it('slices in order, the last one shorter', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 3)).toEqual([]);
  });
});
