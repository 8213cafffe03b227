import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchResult, Figure } from './result';

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v).replace(/\|/g, '\\|'));
const num = (v: unknown) => (typeof v === 'number' ? (Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 1000) / 1000)) : cell(v));

function figureRows(figures: Partial<Figure & { name: string; metric: string }>[]): string[] {
  const rows = ['| figure | value | baseline | baseline value | ratio | target | met |', '|---|---:|---|---:|---:|---|---|'];
  for (const f of figures) {
    const met = f.met === undefined ? '' : f.met ? '**met**' : '**not met**';
    rows.push(`| ${cell(f.figure ?? f.name ?? f.metric)} | ${num(f.value)} ${cell(f.unit)} | ${cell(f.baseline)} | ${num(f.baselineValue)} | ${num(f.ratio)} | ${cell(f.target)} | ${met} |`);
  }
  return rows;
}

/** A result in another shape: every number in it, by its path. */
function genericRows(value: unknown, path = '', out: string[] = []): string[] {
  if (typeof value === 'number' || typeof value === 'boolean') out.push(`| ${cell(path)} | ${num(value)} |`);
  else if (Array.isArray(value)) value.forEach((v, i) => genericRows(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (k !== 'machine' && k !== 'versions') genericRows(v, path ? `${path}.${k}` : k, out);
  }
  return out;
}

export function renderResults(resultsDir: string): string {
  const files = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.json')).sort() : [];
  const results = files.map((f) => ({ file: f, data: JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) as Partial<BenchResult> & Record<string, unknown> }));
  const lines: string[] = [];
  const latest = [...results].reverse().find((r) => r.data.machine);
  if (latest) {
    const m = latest.data.machine!;
    lines.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}. ` +
      `Versions: ${Object.entries(latest.data.versions ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  }
  for (const { file, data } of results) {
    lines.push(`### ${data.name ?? file} — \`results/${file}\``, '');
    const when = [data.date && `run ${data.date}`, data.machine?.loadAverage1m !== undefined && `1-min load average at the end ${data.machine.loadAverage1m}`].filter(Boolean).join(', ');
    if (when) lines.push(`${when}.`, '');
    if (data.settings) lines.push(`Settings: ${Object.entries(data.settings).map(([k, v]) => `${k} = ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('; ')}.`, '');
    if (Array.isArray(data.figures)) lines.push(...figureRows(data.figures as Figure[]));
    else lines.push('| key | value |', '|---|---:|', ...genericRows(data));
    if (Array.isArray(data.notes) && data.notes.length) lines.push('', ...data.notes.map((n) => `- ${n}`));
    lines.push('');
  }
  return lines.join('\n');
}

/** Replaces the results section of bench/README.md (between the markers), leaving the prose alone. */
export function updateReadme(readme: string, resultsDir: string): void {
  const text = existsSync(readme) ? readFileSync(readme, 'utf8') : `# Benchmarks\n\n${START}\n${END}\n`;
  const begin = text.indexOf(START);
  const end = text.indexOf(END);
  const body = `${START}\n${renderResults(resultsDir)}\n${END}`;
  const next = begin >= 0 && end > begin ? text.slice(0, begin) + body + text.slice(end + END.length) : `${text.trimEnd()}\n\n${body}\n`;
  writeFileSync(readme, next);
}
