/** One thing wrong in a data file, at a path such as `rules[2].resolve`. */
export interface DataProblem {
  path: string;
  problem: string;
}

/** Thrown when a policy or calendar file is refused; the message lists every problem exactly. */
export class DataInvalid extends Error {
  constructor(readonly what: string, readonly problems: DataProblem[]) {
    super(`invalid ${what}:\n${problems.map((p) => `- ${p.path}: ${p.problem}`).join('\n')}`);
    this.name = 'DataInvalid';
  }
}
