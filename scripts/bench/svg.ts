/*
 * Hand-written SVG line charts for the cost curves (no chart package): one panel per
 * (x, y) pair, log-scaled x because sizes and connection counts grow geometrically.
 */

export interface Series {
  label: string;
  color: string;
  points: { x: number; y: number }[];
}

export interface Panel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  xTickFormat?: (x: number) => string;
}

const W = 460;
const H = 300;
const M = { left: 64, right: 20, top: 36, bottom: 48 };

const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

function formatNumber(value: number): string {
  if (value >= 1000) return `${Math.round(value / 100) / 10}k`;
  return String(Math.round(value * 10) / 10);
}

function panelSvg(panel: Panel, offsetX: number, offsetY: number): string {
  const xs = panel.series.flatMap((s) => s.points.map((p) => p.x)).filter((x) => x > 0);
  const ys = panel.series.flatMap((s) => s.points.map((p) => p.y));
  const xTicks = [...new Set(xs)].sort((a, b) => a - b);
  const lo = Math.log10(Math.min(...xTicks, 1));
  const hi = Math.log10(Math.max(...xTicks, 10));
  const yMax = niceMax(Math.max(...ys, 0));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const sx = (x: number): number => M.left + (hi === lo ? plotW / 2 : ((Math.log10(x) - lo) / (hi - lo)) * plotW);
  const sy = (y: number): number => M.top + plotH - (y / yMax) * plotH;
  const format = panel.xTickFormat ?? formatNumber;
  const parts: string[] = [`<g transform="translate(${offsetX},${offsetY})">`];
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#fff" stroke="#ddd"/>`);
  parts.push(
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(panel.title)}</text>`
  );
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#eee"/>`);
    parts.push(`<text x="${M.left - 6}" y="${sy(y) + 4}" text-anchor="end" font-size="11">${formatNumber(y)}</text>`);
  }
  for (const x of xTicks) {
    parts.push(`<line x1="${sx(x)}" x2="${sx(x)}" y1="${M.top}" y2="${M.top + plotH}" stroke="#f3f3f3"/>`);
    parts.push(
      `<text x="${sx(x)}" y="${M.top + plotH + 16}" text-anchor="middle" font-size="11">${escapeXml(format(x))}</text>`
    );
  }
  parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`);
  parts.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>`);
  parts.push(
    `<text x="${M.left + plotW / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${escapeXml(panel.xLabel)}</text>`
  );
  parts.push(
    `<text x="14" y="${M.top + plotH / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${M.top + plotH / 2})">${escapeXml(panel.yLabel)}</text>`
  );
  panel.series.forEach((series, index) => {
    const points = series.points.filter((p) => p.x > 0).sort((a, b) => a.x - b.x);
    if (points.length > 1) {
      const path = points.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ');
      parts.push(`<polyline points="${path}" fill="none" stroke="${series.color}" stroke-width="2"/>`);
    }
    for (const p of points) {
      parts.push(
        `<circle cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${series.color}"><title>${escapeXml(`${series.label}: ${format(p.x)} → ${formatNumber(p.y)}`)}</title></circle>`
      );
      parts.push(
        `<text x="${sx(p.x).toFixed(1)}" y="${(sy(p.y) - 7).toFixed(1)}" text-anchor="middle" font-size="10" fill="${series.color}">${formatNumber(p.y)}</text>`
      );
    }
    parts.push(
      `<text x="${W - M.right}" y="${M.top + 12 + index * 14}" text-anchor="end" font-size="11" fill="${series.color}">${escapeXml(series.label)}</text>`
    );
  });
  parts.push('</g>');
  return parts.join('\n');
}

/** Panels in a grid, two per row. */
export function renderCharts(title: string, subtitle: string, panels: Panel[]): string {
  const columns = 2;
  const rows = Math.ceil(panels.length / columns);
  const width = columns * W + (columns + 1) * 10;
  const height = rows * H + (rows + 1) * 10 + 50;
  const body = panels.map((panel, i) =>
    panelSvg(panel, 10 + (i % columns) * (W + 10), 60 + Math.floor(i / columns) * (H + 10))
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="#fafafa"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escapeXml(title)}</text>`,
    `<text x="${width / 2}" y="44" text-anchor="middle" font-size="12" fill="#555">${escapeXml(subtitle)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
