import { Channel, RequestType, Urgency } from '@civicloop/domain';

const HOUR = 3_600_000;

/**
 * The shape of a district's month. Figures follow the seeds where they give any (about 90% of
 * 12345 requests arrive by phone; satisfaction between 65% and 96%); the rest are plausible guesses.
 */
export const PROFILE = {
  categories: {
    'repair.water_leak': 14, 'repair.lift': 6, 'repair.public_facility': 10,
    'environment.sanitation': 10, 'environment.noise': 7, 'parking.disorder': 11,
    'safety.fire_lane': 5, 'safety.flying_wire': 5, 'dispute.neighbour': 6, 'fees.property': 6,
    'greening.maintenance': 4, 'utilities.water': 4, 'utilities.power': 3, 'construction.illegal': 4,
    'consult.policy': 5,
  } as Record<string, number>,
  channels: {
    hotline_12345: 62, phone: 18, online: 9, visit: 3, mailbox: 1, grid_patrol: 6, joint_meeting: 1,
  } satisfies Record<Channel, number>,
  urgencies: { normal: 84, urgent: 13, critical: 3 } satisfies Record<Urgency, number>,
  requestTypes: { help: 40, complaint: 35, report: 15, consult: 7, suggestion: 3 } satisfies Record<RequestType, number>,
  /** Share of arrivals per local hour (Asia/Shanghai) 0..23: calls cluster in office hours and evenings. */
  hourlyArrivals: [1, 0.5, 0.3, 0.3, 0.5, 1, 3, 6, 9, 10, 10, 9, 7, 8, 9, 9, 8, 7, 6, 6, 5, 4, 3, 2],
  anonymous: 0.05,
  duplicate: 0.04,
  withdrawn: 0.02,
  /** Dispatched straight to the community rather than to the grid or the property company. */
  dispatchToCommunity: 0.08,
  returnOnFirstDispatch: 0.08,
  returnOnRedispatch: 0.02,
  /** Chance that the unit holding the case at a tier escalates it to the next one. */
  escalation: { grid: 0.12, community: 0.3, street: 0.08, district: 0 },
  /** Chance that the street whistles for a case it holds; each department reports late with `lateReport`. */
  whistleAtStreet: 0.5,
  lateReport: 0.2,
  /** Hours from the whistle to a department's report: on time (the shipped policy allows 30 minutes), or late. */
  reportHours: [0.05, 0.5] as [number, number],
  lateReportHours: [1, 30] as [number, number],
  note: 0.3,
  extension: 0.08,
  extensionApproved: 0.75,
  supervision: 0.07,
  /** A handler who answers a supervision order after its answer-by time. */
  lateSupervisionAnswer: 0.15,
  explainedNotResolvable: 0.08,
  rated: 0.85,
  ratedByResident: 0.4,
  reopenAfterUnsatisfied: 0.8,
  maxRework: 2,
  /** Hours from acceptance to resolution, by urgency. */
  workHours: { normal: [8, 120], urgent: [3, 36], critical: [1, 8] } satisfies Record<Urgency, [number, number]>,
  /** Hours from dispatch to sign-for, by urgency; a `slowSignFor` share of units take `slowSignForHours`. */
  signForHours: { normal: [0.1, 1.5], urgent: [0.05, 0.8], critical: [0.02, 0.4] } satisfies Record<Urgency, [number, number]>,
  slowSignFor: 0.12,
  slowSignForHours: [2, 10] as [number, number],
  /** Promised resolution time by urgency: what the resident compares with when rating. */
  promisedHours: { normal: 72, urgent: 24, critical: 6 } satisfies Record<Urgency, number>,
};

export const hours = (h: number) => Math.round(h * HOUR);

/** Categories the property company usually handles itself (the rest go to the grid). */
export const COMPANY_CATEGORIES = new Set([
  'repair.water_leak', 'repair.lift', 'repair.public_facility', 'environment.sanitation', 'parking.disorder',
  'fees.property', 'greening.maintenance', 'utilities.water', 'utilities.power',
]);

export const DESCRIPTIONS: Record<string, string[]> = {
  'repair.water_leak': ['楼顶漏水，雨天渗到卧室', '楼上卫生间漏水到我家天花板', '外墙渗水，墙皮脱落'],
  'repair.lift': ['电梯经常停在两层之间', '电梯按钮失灵，老人上下楼困难', '电梯异响，担心安全'],
  'repair.public_facility': ['楼道灯坏了一个月没人修', '单元门门禁损坏', '小区健身器材断裂'],
  'environment.sanitation': ['垃圾桶满了没人清运', '楼道堆放杂物有异味', '化粪池外溢'],
  'environment.noise': ['夜间广场舞噪音扰民', '楼下餐馆油烟和噪音', '装修噪音超过规定时间'],
  'parking.disorder': ['车辆乱停堵住单元门', '外来车辆占用小区车位', '非机动车乱停放'],
  'safety.fire_lane': ['消防通道被私家车长期占用', '消防通道堆放建筑垃圾'],
  'safety.flying_wire': ['有人从楼上拉电线给电动车充电', '楼道里给电动车充电，存在火灾隐患'],
  'dispute.neighbour': ['邻居在公共区域堆放物品引发纠纷', '楼上住户养狗扰民'],
  'fees.property': ['物业费上涨未经业主大会同意', '停车费收费标准不公开'],
  'greening.maintenance': ['树枝遮挡窗户影响采光', '绿地被占用种菜'],
  'utilities.water': ['小区停水未提前通知', '自来水水压太低'],
  'utilities.power': ['单元频繁跳闸停电', '路灯不亮'],
  'construction.illegal': ['顶楼住户违章搭建阳光房', '一楼住户私自扩建院子'],
  'consult.policy': ['咨询老旧小区加装电梯补贴政策', '咨询业委会选举程序'],
};

export const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '朱', '马'];
