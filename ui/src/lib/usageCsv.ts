// Reading a usage file for import: CSV as RFC 4180 writes it (comma-separated, or `;` as European
// spreadsheets save it; fields may be quoted, with "" for a quote and line breaks inside quotes;
// CRLF or LF; a byte-order mark), a header row naming the columns application, metric, timestamp
// and value in any order (any case), and optionally idempotency_key: a row whose key was
// imported before is not recorded again. Each data row is checked
// for what the screen can tell without the engine (a missing column, a value that is not a
// whole number); every other rule (the application exists, the metric is its service's, the
// timestamp is not in the future) is the engine's, asked with a dry run.

import type { UsageRow } from './api/types';

export const USAGE_COLUMNS = ['application', 'metric', 'timestamp', 'value'] as const;
export type UsageColumn = (typeof USAGE_COLUMNS)[number];

/** One CSV record with the file line it starts on (1-based). */
export interface CsvRecord {
  line: number;
  fields: string[];
}

/** A data row as read, numbered as the user sees it. */
export interface ParsedUsageRow {
  /** 1-based among the data rows (the header is not counted). */
  row: number;
  /** The file line the row starts on (the header is line 1). */
  line: number;
  values: UsageRow;
  /** What is wrong with the row, by column; empty when the row may go to the engine. */
  errors: Partial<Record<UsageColumn | 'row', string>>;
}

export interface ParsedUsageFile {
  rows: ParsedUsageRow[];
  /** A problem with the whole file (no header, a missing column, an unclosed quote). */
  fileError: string | null;
}

/**
 * Splits CSV text into records. A blank line is no record. An unclosed quote is reported with
 * the line where its field started; the records before it are kept.
 */
export function parseCsv(text: string, separator = ','): { records: CsvRecord[]; error: string | null } {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  // Whether the current record has anything in it (so an empty line is no record).
  let started = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endRecord = () => {
    if (started) {
      fields.push(field);
      records.push({ line: recordLine, fields });
    }
    fields = [];
    field = '';
    started = false;
  };

  for (; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (char === '\n') line++;
        field += char;
      }
      continue;
    }
    if (char === '"' && field === '') {
      quoted = true;
      quoteLine = line;
      if (!started) recordLine = line;
      started = true;
    } else if (char === separator) {
      if (!started) recordLine = line;
      started = true;
      fields.push(field);
      field = '';
    } else if (char === '\r' || char === '\n') {
      if (char === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
    } else {
      if (!started) recordLine = line;
      started = true;
      field += char;
    }
  }
  if (quoted) {
    return { records, error: `Line ${quoteLine}: a quoted field is never closed (a " is missing).` };
  }
  endRecord();
  return { records, error: null };
}

const WHOLE_NUMBER = /^\d+$/;
/** A whole number as spreadsheets write it: `12`, `12.0` or `12,0` (a decimal comma). */
const WHOLE_VALUE = /^\d+([.,]0+)?$/;

/** `;` when the header line has more of them than commas (European spreadsheets), else `,`. */
export function separatorOf(text: string): string {
  const header = text.slice(0, text.search(/\r|\n|$/));
  const count = (char: string) => header.split(char).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

/** Reads a usage file: its rows, each with the problems the screen can see on its own. */
export function parseUsageCsv(text: string): ParsedUsageFile {
  const { records, error } = parseCsv(text, separatorOf(text));
  if (records.length === 0) {
    return { rows: [], fileError: error ?? 'The file is empty: it needs a header row and at least one row of usage.' };
  }
  const [header, ...data] = records;
  const names = header.fields.map((name) => name.trim().toLowerCase().replace(/ /g, '_'));
  const missing = USAGE_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    return {
      rows: [],
      fileError:
        `The header row (line ${header.line}) has no ${listOf(missing)} column. ` +
        `The first row must name the columns: ${USAGE_COLUMNS.join(', ')}.`,
    };
  }
  const index = Object.fromEntries(USAGE_COLUMNS.map((column) => [column, names.indexOf(column)])) as Record<
    UsageColumn,
    number
  >;
  const keyColumn = names.indexOf('idempotency_key');
  const rows = data.map((record, i) => checkRow(record, i + 1, index, header.fields.length, keyColumn));
  if (error) return { rows, fileError: error };
  if (rows.length === 0) return { rows, fileError: 'The file has a header row but no usage rows.' };
  return { rows, fileError: null };
}

function checkRow(
  record: CsvRecord,
  row: number,
  index: Record<UsageColumn, number>,
  width: number,
  keyColumn: number,
): ParsedUsageRow {
  const errors: ParsedUsageRow['errors'] = {};
  const value = (column: UsageColumn) => (record.fields[index[column]] ?? '').trim();
  const values: UsageRow = {
    application: value('application'),
    metric: value('metric'),
    timestamp: value('timestamp'),
    value: value('value'),
  };
  const key = keyColumn >= 0 ? (record.fields[keyColumn] ?? '').trim() : '';
  if (key !== '') values.idempotency_key = key;
  if (record.fields.length < width) {
    const absent = USAGE_COLUMNS.filter((column) => index[column] >= record.fields.length);
    errors.row = `Only ${record.fields.length} of ${width} columns: ${listOf(absent)} ${absent.length === 1 ? 'is' : 'are'} missing.`;
  } else if (record.fields.length > width) {
    errors.row = `${record.fields.length} columns where the header has ${width}: is a comma missing its quotes?`;
  }
  for (const column of USAGE_COLUMNS) {
    if (index[column] < record.fields.length && values[column] === '') errors[column] = `The ${column} is empty.`;
  }
  if (values.application !== '' && !WHOLE_NUMBER.test(values.application)) {
    errors.application = `“${values.application}” is not an application id (a whole number).`;
  }
  if (values.value !== '' && !WHOLE_VALUE.test(values.value)) {
    errors.value = `“${values.value}” is not a whole number of 0 or more.`;
  }
  return { row, line: record.line, values, errors };
}

function listOf(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** Whether the screen found nothing wrong with the row. */
export function rowIsClean(row: ParsedUsageRow): boolean {
  return Object.keys(row.errors).length === 0;
}

/** Consecutive slices of at most `size` items (the chunks a long check is sent in). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
