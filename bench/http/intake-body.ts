/** One resident's report, as the hotline operator types it in: the body every intake benchmark posts. */
export const INTAKE_BODY = JSON.stringify({
  channel: 'hotline_12345', category: 'repair.water_leak', urgency: 'normal', requestType: 'help',
  description: '楼顶漏水，雨天渗到卧室', location: { compoundId: 'compound-01', building: '3栋', unit: '2单元' },
  reporter: { name: '王女士', phone: '13800138000' },
});
