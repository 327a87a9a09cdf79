// CSV export of what a screen shows (RFC 4180: comma-separated, CRLF, fields quoted when they
// hold a comma, quote or line break). Amounts go out as the engine's exact decimal text, never
// as formatted or float numbers, so a spreadsheet gets the same figures the book has.

export type CsvCell = string | number | null | undefined;

/** One field, quoted when it must be; a leading =, +, - or @ is prefixed with ' so that a
 * spreadsheet does not run it as a formula (a buyer's name is user input). */
export function csvField(value: CsvCell): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header row and data rows as CSV text. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Offers `text` as a download named `fileName` (works in the desktop window and a browser). */
export function downloadCsv(fileName: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
