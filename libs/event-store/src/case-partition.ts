/** One of several parts of a log split by case (see the read models' rebuildInThreads): every case falls in exactly one. */
export interface CasePart {
  index: number;
  of: number;
}

/**
 * The part a case falls in: FNV-1a over the id's UTF-16 code units, so each part gets about as many
 * cases, old and new alike. A store that filters a read by part (SQLite's lean read, in SQL) and the
 * reader that filters again must agree, hence one function here.
 */
export function casePartOf(caseId: string, of: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < caseId.length; i++) hash = Math.imul(hash ^ caseId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % of;
}
