import { stringify } from 'csv-stringify/sync';

/**
 * Cells a spreadsheet would run as a formula (OWASP CSV injection): text starting with = + - @,
 * tab or carriage return. A quote in front makes it text; plain numbers such as -3 are left alone.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[-+]?\d+(\.\d+)?$/;
const neutralised = (text: string) => (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text);

/**
 * RFC 4180 CSV through csv-stringify: a UTF-8 byte-order mark (so Excel reads Chinese as Chinese),
 * the header even when there are no rows (`columns` names them; more found in the rows are added),
 * nested objects as dotted columns and arrays as JSON.
 */
export function toCsv(rows: object[], columns: readonly string[] = []): string {
  const flat = rows.map((row) => flatten(row));
  const all = [...columns];
  for (const row of flat) for (const key of Object.keys(row)) if (!all.includes(key)) all.push(key);
  return stringify(flat, {
    bom: true,
    header: true,
    columns: all.length ? all : ['empty'],
    record_delimiter: '\r\n',
    cast: {
      string: (value) => neutralised(value),
      boolean: (value) => String(value),
      number: (value) => String(value),
      object: (value) => neutralised(JSON.stringify(value)),
    },
  });
}

function flatten(value: object, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) flatten(inner, name, out);
    else out[name] = inner;
  }
  return out;
}
