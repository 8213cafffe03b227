import { writeFileSync } from 'node:fs';
import { buildDossier, renderDossierHtml, UnitName } from '@civicloop/audit';
import { caseSlaView } from '@civicloop/deadlines';
import { DEMO_DIRECTORY_FILE, Directory } from '@civicloop/directory';
import { openAudit, openEvents, readable, SourceOptions, UsageError } from './sources';

export interface DossierCliOptions extends SourceOptions {
  out?: string;
  json: boolean;
}

/** `audit dossier <id>`: the same page GET /cases/{id}/dossier serves, for an auditor without the API. */
export async function dossierCommand(caseId: string, options: DossierCliOptions, out: (line: string) => void): Promise<number> {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(caseId)) throw new UsageError('the case id may hold letters, digits, - and _ only');
  const store = await openEvents(options);
  const audit = openAudit(options);
  const shown = await readable(store, options);
  try {
    const storedEvents = await store.readStream(`case-${caseId}`);
    const events = await shown.events.readStream(`case-${caseId}`);
    if (events.length === 0) throw new UsageError(`no case ${caseId} in this store`);
    const directory = Directory.fromFile(process.env.DIRECTORY_FILE || DEMO_DIRECTORY_FILE);
    const unitName: UnitName = (id) => (id ? directory.unit(id)?.name ?? id : '—');
    const pending = caseSlaView(events, process.env.SLA_POLICY_FILE || undefined).pendingDeadlines;
    const categoryName = (code: string) => directory.category(code)?.name ?? code;
    const dossier = buildDossier({ caseId, events, storedEvents, audit, unitName, categoryName, generatedAt: new Date().toISOString(), pending });
    const text = options.json ? `${JSON.stringify(dossier, null, 2)}\n` : renderDossierHtml(dossier);
    if (options.out) {
      writeFileSync(options.out, text);
      out(`dossier of case ${caseId} written to ${options.out}`);
    } else process.stdout.write(text);
    return 0;
  } finally {
    audit?.close();
    await shown.close();
    await store.close();
  }
}
