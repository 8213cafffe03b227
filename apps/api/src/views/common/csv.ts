/** Flattens nested objects to dotted columns (arrays as JSON) and writes RFC 4180 CSV. */
export function toCsv(rows: object[]): string {
  const flat = rows.map((row) => flatten(row));
  const columns: string[] = [];
  for (const row of flat) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const cell = (value: unknown) => {
    const text = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.join(','), ...flat.map((row) => columns.map((c) => cell(row[c])).join(','))].join('\r\n') + '\r\n';
}

function flatten(value: object, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) flatten(inner, name, out);
    else out[name] = inner;
  }
  return out;
}
