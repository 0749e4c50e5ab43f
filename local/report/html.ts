const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const STYLE = `
*{box-sizing:border-box}
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#1f2933;line-height:1.4}
h1{font-size:1.5rem;margin:.2em 0}h2{font-size:1.15rem;margin:1.6em 0 .4em}
a{color:#1d4ed8}
.figures{display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:8px;margin:12px 0}
.figure{border:1px solid #e4e7eb;border-radius:6px;padding:8px 10px}
.figure b{display:block;font-size:1.4rem}.figure span{color:#52606d;font-size:.85rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,480px),1fr));gap:16px}
.chart{width:100%;height:auto;display:block}
figure{margin:0}figcaption{margin:0 0 4px}
.legend{display:flex;flex-wrap:wrap;gap:4px 12px;font-size:.8rem;margin:4px 0 0}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9rem}
td,th{padding:4px 8px;border-bottom:1px solid #e4e7eb;text-align:left;vertical-align:top}
th{background:#f5f7fa;font-weight:600}td.n,th.n{text-align:right}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.filters input,.filters select{font:inherit;padding:4px 6px;max-width:100%}
.filters input{flex:1 1 200px}
small,.muted{color:#52606d}
.note{background:#fff7e6;border-left:3px solid #d97706;padding:6px 10px}
@media (max-width:600px){body{padding:10px}.wide{display:none}td,th{padding:4px}}
`;

export function page(title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head><body>
${body}
${script ? `<script>${script}</script>` : ''}
</body></html>
`;
}

export function table(headers: string[], rows: string[][], numeric: boolean[] = []): string {
  const cell = (tag: string, i: number, content: string) =>
    `<${tag}${numeric[i] ? ' class="n"' : ''}>${content}</${tag}>`;
  return `<div class="scroll"><table><thead><tr>${headers.map((h, i) => cell('th', i, h)).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => cell('td', i, c)).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}
