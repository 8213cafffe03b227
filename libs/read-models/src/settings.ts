import { Urgency } from '@civicloop/domain';

/**
 * Everything the projections and views depend on besides the events. Projection inputs (time zone,
 * limits, business calendar) are baked into the read models: change them, then rebuild.
 */
export interface ViewSettings {
  /** Days, weeks and months are counted in this IANA zone. */
  timeZone: string;
  /** Wall-clock limit for the assignee to sign for (accept) a dispatch. */
  signForLimitMinutes: Record<Urgency, number>;
  /** Wall-clock limit from intake (or reopen) to resolution, before any approved extension. */
  resolveLimitHours: Record<Urgency, number>;
  /** A department named in a whistle must report within this many minutes. */
  whistleReportLimitMinutes: number;
  /** Weight of "basically satisfied" in the satisfaction rate. */
  basicallySatisfiedWeight: number;
  /** Weights of the three rates in the monthly score (any scale; normalised). */
  threeRateWeights: { response: number; resolution: number; satisfaction: number };
  /** Working milliseconds between two instants (the business calendar). */
  businessMillis: (fromIso: string, toIso: string) => number;
}

export const DEFAULT_VIEW_SETTINGS: Omit<ViewSettings, 'businessMillis'> = {
  timeZone: 'Asia/Shanghai',
  signForLimitMinutes: { critical: 30, urgent: 120, normal: 1440 },
  resolveLimitHours: { critical: 24, urgent: 72, normal: 168 },
  whistleReportLimitMinutes: 30,
  basicallySatisfiedWeight: 0.8,
  threeRateWeights: { response: 30, resolution: 35, satisfaction: 35 },
};

export const addMinutes = (iso: string, minutes: number) => new Date(Date.parse(iso) + minutes * 60_000).toISOString();
