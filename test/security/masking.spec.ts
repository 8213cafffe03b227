import { ERASED } from '@civicloop/domain';
import { maskCaseView, maskName, maskPhone } from '../../apps/api/src/auth/personal-data';
import { maskName as dossierName, maskPhone as dossierPhone } from '../../libs/audit/src/dossier/words';
import { ApiHarness, startApi } from '../support/api-harness';

describe('masking of residents\' personal data', () => {
  it.each([
    ['13800138000', '138****8000'],
    ['+86 138-0013-8000', '138****8000'],
    ['8613912345678', '139****5678'],
    ['84561234', '****1234'],
    ['025-84561234', '****1234'],
    ['12345', '****45'],
    ['110', '****0'],
  ])('phone %s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });

  it.each([
    ['王女士', '王**'],
    ['孙丽', '孙*'],
    ['孙', '*'],
    ['欧阳娜娜', '欧***'],
    ['👨‍👩‍👧', '*'],
    ['Zoë Wang', 'Z*******'],
  ])('name %s → %s: never more than half of its characters', (name, masked) => {
    expect(maskName(name)).toBe(masked);
    const count = (text: string) => [...new Intl.Segmenter('zh', { granularity: 'grapheme' }).segment(text)].length;
    expect((count(masked) - [...masked].filter((c) => c === '*').length) * 2).toBeLessThanOrEqual(count(name));
  });

  it('leaves what erasure left as it is (已删除, not 已**), in the views and in the dossier', () => {
    expect([maskName(ERASED), maskPhone(ERASED), dossierName(ERASED), dossierPhone(ERASED)]).toEqual([ERASED, ERASED, ERASED, ERASED]);
    const view = { reporter: { name: ERASED, phone: ERASED }, location: { unit: ERASED } } as unknown as Parameters<typeof maskCaseView>[0];
    expect(maskCaseView(view)).toMatchObject({ reporter: { name: ERASED, phone: ERASED }, location: { unit: ERASED } });
    expect([dossierName('王女士'), dossierPhone('13800138000')]).toEqual(['王**', '138****8000']);
  });

  describe('over HTTP', () => {
    let api: ApiHarness;
    beforeAll(async () => { api = await startApi(); });
    afterAll(async () => { await api.close(); });

    it('an auditor sees a landline and a one-character name masked', async () => {
      const created = await api.request('POST', '/cases', {
        token: api.token('operator'),
        body: {
          channel: 'phone', category: 'repair.water_leak', urgency: 'normal', requestType: 'complaint', description: '楼顶漏水',
          location: { compoundId: 'compound-01', unit: '301' }, reporter: { name: '孙', phone: '84561234' },
        },
      });
      expect(created.status).toBe(201);
      const seen = await api.request('GET', `/cases/${created.body.id}`, { token: api.token('auditor') });
      expect(seen.body.reporter).toMatchObject({ name: '*', phone: '****1234' });
      const history = await api.request('GET', `/cases/${created.body.id}/events`, { token: api.token('auditor') });
      expect(history.body[0].data).toMatchObject({ reporterName: '*', reporterPhone: '****1234' });
    });
  });
});
