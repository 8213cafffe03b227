import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchResult, Figure } from './result';

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';
const TARGETS_START = '<!-- bench:targets:start -->';
const TARGETS_END = '<!-- bench:targets:end -->';

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

type AnyResult = { file: string; data: Partial<BenchResult> & Record<string, unknown> };

function readResults(resultsDir: string): AnyResult[] {
  const files = existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.json')).sort() : [];
  return files.map((f) => ({ file: f, data: JSON.parse(readFileSync(join(resultsDir, f), 'utf8')) }));
}

/** Every figure that has a target, with its baseline and whether it was met. */
export function renderTargets(resultsDir: string): string {
  const rows = ['| result | figure | value | baseline value | ratio | target | met |', '|---|---|---:|---:|---:|---|---|'];
  for (const { file, data } of readResults(resultsDir)) {
    for (const f of (Array.isArray(data.figures) ? data.figures : []) as Figure[]) {
      if (!f.target) continue;
      rows.push(`| ${cell(data.name ?? file)} | ${cell(f.figure)} | ${num(f.value)} ${cell(f.unit)} | ${num(f.baselineValue)} | ${num(f.ratio)} | ${cell(f.target)} | ${f.met ? '**met**' : '**not met**'} |`);
    }
  }
  return rows.join('\n');
}

export function renderResults(resultsDir: string): string {
  const results = readResults(resultsDir);
  const lines: string[] = [];
  const latest = [...results].reverse().find((r) => r.data.machine);
  if (latest) {
    const m = latest.data.machine!;
    lines.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}. ` +
      `Versions: ${Object.entries(mergedVersions(results)).map(([k, v]) => `${k} ${v}`).join(', ')}.`, '');
  }
  for (const { file, data } of results) {
    lines.push(`### ${data.name ?? file} — \`results/${file}\``, '');
    const when = [data.date && `run ${data.date}`, data.machine?.commit && `commit ${data.machine.commit}`, data.machine?.loadAverage1m !== undefined && `1-min load average at the end ${data.machine.loadAverage1m}`].filter(Boolean).join(', ');
    if (when) lines.push(`${when}.`, '');
    if (data.settings) lines.push(`Settings: ${Object.entries(data.settings).map(([k, v]) => `${k} = ${typeof v === 'object' ? JSON.stringify(v) : v}`).join('; ')}.`, '');
    if (Array.isArray(data.figures)) lines.push(...figureRows(data.figures as Figure[]));
    else lines.push('| key | value |', '|---|---:|', ...genericRows(data));
    if (Array.isArray(data.notes) && data.notes.length) lines.push('', ...data.notes.map((n) => `- ${n}`));
    lines.push('');
  }
  return lines.join('\n');
}

/** Each entry records the libraries it used; newer entries win where two name the same one. */
function mergedVersions(results: { data: { versions?: Record<string, string> } }[]): Record<string, string> {
  return Object.assign({}, ...results.map((r) => r.data.versions ?? {}));
}

function replaceBetween(text: string, start: string, end: string, content: string): string {
  const begin = text.indexOf(start);
  const finish = text.indexOf(end);
  const body = `${start}\n${content}\n${end}`;
  return begin >= 0 && finish > begin ? text.slice(0, begin) + body + text.slice(finish + end.length) : `${text.trimEnd()}\n\n${body}\n`;
}

/** Replaces the generated sections of bench/README.md (between their markers), leaving the prose alone. */
export function updateReadme(readme: string, resultsDir: string): void {
  let text = existsSync(readme) ? readFileSync(readme, 'utf8') : '# Benchmarks\n';
  if (text.includes(TARGETS_START)) text = replaceBetween(text, TARGETS_START, TARGETS_END, renderTargets(resultsDir));
  writeFileSync(readme, replaceBetween(text, START, END, renderResults(resultsDir)));
}
