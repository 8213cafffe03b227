import { CaseRepository, CommandContext } from '@civicloop/cases';
import { CaseEvent } from '@civicloop/domain';
import { EventStore, PersonalDataKeys, PersonalDataStore } from '@civicloop/event-store';
import { ManualClock, PERSONAL_DATA_POLICY } from '@civicloop/platform';

/** An operator's command, for tests that append through CaseRepository directly. */
export const operatorContext: CommandContext = { actor: { id: 'op-1', role: 'operator', unitId: null }, commandId: 'c', correlationId: 'c', causationId: 'c' };

/** CaseRepository as the service wires it: residents' texts sealed with `keys` on append, revealed on read. */
export const encryptedCases = (store: EventStore, keys: PersonalDataKeys, at = '2026-11-30T00:00:00.000Z'): CaseRepository =>
  new CaseRepository(new PersonalDataStore(store, keys, PERSONAL_DATA_POLICY), new ManualClock(new Date(at)), undefined, keys);

type IntakeData = Extract<CaseEvent, { type: 'CaseReceived' }>['data'];

/** A resident's complaint as it is received (every personal field given unless `over` says otherwise). */
export const intake = (caseId: string, over: Partial<IntakeData> = {}): CaseEvent => ({
  type: 'CaseReceived',
  data: {
    caseId, channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint',
    description: '楼顶漏水三天了', compoundId: 'compound-01', building: '3', unit: '2单元', lat: null, long: null,
    reporterName: '王女士', reporterPhone: '13800138000', anonymous: false, residentId: null, ...over,
  },
});
