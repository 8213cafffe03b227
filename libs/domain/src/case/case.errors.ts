/**
 * Stable refusal codes. `invalid` means the request itself is wrong (a field names an unknown unit,
 * a date in the past), `conflict` that the case is in a state where the command is illegal, and
 * `forbidden` that this actor may not do it to this case.
 */
export type RefusalKind = 'invalid' | 'conflict' | 'forbidden' | 'not_found';

export class CaseRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: RefusalKind = 'conflict',
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CaseRefused';
  }
}

export const refuse = {
  conflict: (code: string, message: string) => new CaseRefused(code, message, 'conflict'),
  invalid: (code: string, field: string, message: string) => new CaseRefused(code, message, 'invalid', field),
  forbidden: (code: string, message: string) => new CaseRefused(code, message, 'forbidden'),
  notFound: (code: string, message: string) => new CaseRefused(code, message, 'not_found'),
};
