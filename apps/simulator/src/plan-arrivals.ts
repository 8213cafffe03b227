import { Channel, RequestType, Urgency } from '@civicloop/domain';
import { Directory } from '@civicloop/directory';
import { PlannedCase } from './case-journey';
import { DESCRIPTIONS, hours, PROFILE, SURNAMES } from './district-profile';
import { Random } from './random';

const DAY = 86_400_000;
const SHANGHAI_OFFSET = hours(8);

/** Draws N cases over D days: when they arrive, where, what about, by which channel. */
export function planArrivals(r: Random, directory: Directory, count: number, days: number, start: number, newId: () => string): PlannedCase[] {
  const compounds = directory.allUnits().filter((u) => u.kind === 'compound').map((u) => u.id);
  // A few compounds generate more cases than others (older estates, weaker property companies).
  const compoundWeights = Object.fromEntries(compounds.map((id) => [id, r.between(0.5, 2)])) as Record<string, number>;
  const hourWeights = Object.fromEntries(PROFILE.hourlyArrivals.map((w, h) => [String(h), w])) as Record<string, number>;
  const startOfLocalDay = Math.floor((start + SHANGHAI_OFFSET) / DAY) * DAY - SHANGHAI_OFFSET;
  const arrivals: number[] = [];
  while (arrivals.length < count) {
    const at = startOfLocalDay + r.int(0, days - 1) * DAY + hours(Number(r.weighted(hourWeights))) + r.int(0, 3_599_999);
    if (at >= start && at < start + days * DAY) arrivals.push(at);
  }
  arrivals.sort((a, b) => a - b);

  const planned: PlannedCase[] = [];
  for (const arrival of arrivals) {
    const compoundId = r.weighted(compoundWeights);
    const earlier = r.chance(PROFILE.duplicate)
      ? [...planned].reverse().find((p) => p.compoundId === compoundId && !p.duplicateOf && arrival - p.arrival < 2 * DAY)
      : undefined;
    const category = earlier?.category ?? r.weighted(PROFILE.categories);
    const channel: Channel = r.weighted(PROFILE.channels);
    const anonymous = r.chance(PROFILE.anonymous);
    planned.push({
      caseId: newId(),
      arrival,
      channel,
      category,
      urgency: urgencyFor(r, category),
      requestType: category === 'consult.policy' ? 'consult' : r.weighted(PROFILE.requestTypes) as RequestType,
      compoundId,
      description: earlier?.description ?? r.pick(DESCRIPTIONS[category] ?? ['其他问题']),
      reporter: anonymous || channel === 'grid_patrol' ? null : {
        name: `${r.pick(SURNAMES)}${r.chance(0.5) ? '先生' : '女士'}`,
        phone: `1${r.pick(['38', '39', '58', '86', '77'])}${String(r.int(0, 99_999_999)).padStart(8, '0')}`,
      },
      duplicateOf: earlier?.caseId ?? null,
    });
  }
  return planned;
}

function urgencyFor(r: Random, category: string): Urgency {
  const urgency: Urgency = r.weighted(PROFILE.urgencies);
  // Fire lanes and flying wires are safety hazards: rarely treated as routine.
  if (urgency === 'normal' && category.startsWith('safety.') && r.chance(0.5)) return 'urgent';
  return urgency;
}
