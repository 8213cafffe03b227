import { Dossier } from './dossier';

const escape = (value: unknown) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const short = (hash: string | null) => (hash ? `${hash.slice(0, 12)}…${hash.slice(-4)}` : '—');
const table = (head: string[], rows: unknown[][], empty: string) => (rows.length === 0 ? `<p class="empty">${escape(empty)}</p>`
  : `<table><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`);

const KIND_WORDS: Record<string, string> = { changed: '内容被改动', deleted: '事件被删除', inserted: '事件被插入', reordered: '顺序被调换' };

/** One self-contained page (inline CSS, no scripts, no external fonts or images) that prints on A4. */
export function renderDossierHtml(d: Dossier): string {
  const p = d.proof;
  const verdict = !p.chainIntact ? `<span class="bad">✗ 哈希链断裂：${escape(KIND_WORDS[p.firstBreak?.kind ?? ''] ?? '')}，第 ${p.firstBreak?.revision} 号事件（全局位置 ${p.firstBreak?.position ?? '—'}）</span>`
    : p.checkpoint && p.eventsProven === p.events.length ? `<span class="good">✓ 全部 ${p.events.length} 个事件哈希链完整，并已由签名检查点证明</span>`
    : `<span class="warn">✓ 哈希链完整；${p.eventsProven}/${p.events.length} 个事件已纳入签名检查点</span>`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>工单审计档案 ${escape(d.caseId)}</title>
<style>
  @page { size: A4; margin: 16mm 14mm; }
  body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "Noto Serif CJK SC", sans-serif;
         color: #1a1a1a; margin: 0 auto; max-width: 1000px; padding: 24px; font-size: 14px; line-height: 1.6; }
  h1 { font-size: 24px; margin: 0 0 4px; border-bottom: 3px solid #b71c1c; padding-bottom: 6px; }
  h2 { font-size: 17px; margin: 22px 0 8px; color: #b71c1c; border-left: 4px solid #b71c1c; padding-left: 8px; }
  .meta { color: #555; font-size: 12px; }
  dl { display: grid; grid-template-columns: 7em 1fr 7em 1fr; gap: 4px 12px; margin: 8px 0; }
  dt { color: #666; } dd { margin: 0; }
  table { width: 100%; border-collapse: collapse; font-size: 13px; page-break-inside: auto; }
  th, td { border: 1px solid #ccc; padding: 4px 6px; text-align: left; vertical-align: top; }
  th { background: #f3f3f3; white-space: nowrap; } tr { page-break-inside: avoid; }
  .num, .time { white-space: nowrap; } code { font-family: "DejaVu Sans Mono", monospace; font-size: 11px; word-break: break-all; }
  .good { color: #1b5e20; font-weight: bold; } .bad { color: #b71c1c; font-weight: bold; } .warn { color: #e65100; font-weight: bold; }
  .empty { color: #777; } .verdict { padding: 8px 12px; background: #fafafa; border: 1px solid #ddd; margin: 10px 0; }
  footer { margin-top: 24px; font-size: 11px; color: #666; border-top: 1px solid #ccc; padding-top: 6px; }
</style></head><body>
<h1>工单审计档案</h1>
<div class="meta">工单编号 ${escape(d.caseId)} · 生成于 ${escape(d.generatedAt)}（北京时间，下同） · 个人信息已脱敏</div>
<div class="verdict">${verdict}</div>
<h2>一、工单概况</h2>
<dl>
  <dt>当前状态</dt><dd>${escape(d.summary.status)}</dd><dt>受理渠道</dt><dd>${escape(d.summary.channel)}</dd>
  <dt>诉求类型</dt><dd>${escape(d.summary.requestType)}</dd><dt>紧急程度</dt><dd>${escape(d.summary.urgency)}</dd>
  <dt>类别</dt><dd>${escape(d.summary.category)}</dd><dt>所在小区</dt><dd>${escape(d.summary.compound)}</dd>
  <dt>反映人</dt><dd>${escape(d.summary.reporter)}</dd><dt>受理时间</dt><dd>${escape(d.summary.receivedAt)}</dd>
  <dt>结案时间</dt><dd>${escape(d.summary.closedAt ?? '未结案')}</dd><dt>诉求内容</dt><dd>${escape(d.summary.description)}</dd>
</dl>
<h2>二、办理经过</h2>
${table(['序号', '时间', '操作人', '经过'], d.timeline.map((t) => [`<span class="num">${t.revision}</span>`, `<span class="time">${escape(t.at)}</span>`, escape(t.actor), escape(t.text)]), '无事件')}
<h2>三、层级流转（派单与上报链）</h2>
${table(['方式', '层级', '承办单位', '开始', '结束', '结束方式'], d.escalationChain.map((s) => [escape(s.via), escape(s.tier), escape(s.unit), escape(s.from), escape(s.to ?? '—'), escape(s.endedBy ?? '承办中')]), '尚未派单')}
<h2>四、办理时限</h2>
${table(['超期事项', '应办时限', '记录时间'], d.deadlines.missed.map((m) => [`<span class="bad">${escape(m.what)}</span>`, escape(m.dueAt), escape(m.recordedAt)]), '没有超期记录')}
${d.deadlines.warned.length ? table(['催办（即将超期）', '时限', '记录时间'], d.deadlines.warned.map((m) => [escape(m.what), escape(m.dueAt), escape(m.recordedAt)]), '') : ''}
${d.deadlines.pending.length ? table(['进行中的时限', '到期时间'], d.deadlines.pending.map((m) => [escape(m.kind), escape(m.dueAt)]), '') : ''}
<h2>五、评价</h2>
${table(['时间', '来源', '评价', '是否解决', '意见'], d.ratings.map((r) => [escape(r.at), escape(r.source), escape(r.rating), r.solved ? '已解决' : '未解决', escape(r.comment ?? '—')]), '尚无评价')}
<h2>六、个人信息查看记录</h2>
${table(['时间', '审计人员', '理由'], d.unmaskings.map((u) => [escape(u.at), escape(u.auditor), escape(u.reason)]), '无人查看过未脱敏的个人信息')}
<h2>七、哈希证明</h2>
<p>每个事件写入时即带有前一事件的哈希（prevHash）和自身的哈希（对事件内容的 RFC 8785 规范化 JSON 作 SHA-256）；
全部事件按全局顺序组成 RFC 6962 默克尔树，其树根由 Ed25519 密钥定期签名（检查点）。下列审计路径可由任何人独立复核。</p>
${p.checkpoint ? `<dl><dt>检查点规模</dt><dd>${p.checkpoint.treeSize} 个事件</dd><dt>签名时间</dt><dd>${escape(p.checkpoint.signedAtBeijing)}</dd>
<dt>树根</dt><dd><code>${escape(p.checkpoint.rootHash)}</code></dd><dt>签名</dt><dd>${p.checkpoint.signatureValid ? '<span class="good">有效</span>' : '<span class="bad">无效</span>'}</dd></dl>`
    : '<p class="warn">尚无签名检查点。</p>'}
${table(['序号', '全局位置', '事件哈希', '前一哈希', '内容校验', '树中序号', '审计路径', '检查点证明'], p.events.map((e) => [
    `<span class="num">${e.revision}</span>`, String(e.position), `<code>${escape(short(e.hash))}</code>`, `<code>${escape(short(e.prevHash))}</code>`,
    e.hashMatches ? '<span class="good">一致</span>' : '<span class="bad">不一致</span>', e.leafIndex ?? '—', e.inclusionPath ? `${e.inclusionPath.length} 个节点` : '—',
    e.provenInCheckpoint ? '<span class="good">✓</span>' : '<span class="warn">未纳入</span>',
  ]), '无事件')}
<footer>复核方法：npm run -s audit -- verify --stream ${escape(p.streamId)} --checkpoint &lt;审计方留存的检查点文件&gt;；
完整的哈希、审计路径与公钥见本档案的 JSON 版本（Accept: application/json 或 audit dossier --json）。</footer>
</body></html>
`;
}
