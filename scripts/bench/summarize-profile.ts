/*
 * Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went: self time by
 * function, self time by area (package, project folder, node internals, GC), and inclusive time
 * of the project's own functions. Usable alone: `tsx scripts/bench/summarize-profile.ts FILE`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileRow {
  name: string;
  ms: number;
  pct: number;
}

export interface ProfileSummary {
  file: string;
  sampled_ms: number;
  /** Sampled time minus idle: what the process actually spent CPU on. */
  busy_ms: number;
  self_by_function: ProfileRow[];
  self_by_area: ProfileRow[];
  inclusive_project: ProfileRow[];
}

/** Groups a script URL into something a reader recognises: a package, a project folder, node. */
export function areaOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName.startsWith('(')) return functionName; // (garbage collector), (idle), (program)
    return '(native)';
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] ?? ''}`;
  // The bench runs children from a transpiled copy of the project (compile.ts).
  const compiled = /\/\.cache\/ringg-bench\/\d+\/(.+)$/.exec(url);
  if (compiled?.[1]) return compiled[1];
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch?.[1]) {
    // Nested node_modules: attribute to the innermost package.
    const all = [...url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
    return all[all.length - 1]?.[1] ?? packageMatch[1];
  }
  const projectMatch = /\/(src|workflows|activities|scripts)\/(.+)$/.exec(url);
  if (projectMatch) return `${projectMatch[1]}/${projectMatch[2]}`;
  return url;
}

/** The project's own code (src, workflows, activities), not a package's `src/` folder. */
function isProjectUrl(url: string): boolean {
  const inPackage = /node_modules\//.test(url) && !/\/\.cache\/ringg-bench\//.test(url);
  return !inPackage && /\/(src|workflows|activities)\//.test(url);
}

function keyOf(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url ? `${areaOf(url, functionName)}:${lineNumber + 1}` : '';
  return `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
}

function top(map: Map<string, number>, total: number, count: number): ProfileRow[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, us]) => ({ name, ms: Math.round(us / 100) / 10, pct: Math.round((us / total) * 1000) / 10 }));
}

export function summarizeProfile(file: string, count = 25): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const self = new Map<string, number>();
  const area = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let total = 0;
  let idle = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    const node = byId.get(id);
    if (!node) return;
    total += delta;
    if (node.callFrame.functionName === '(idle)') {
      idle += delta;
      return;
    }
    const key = keyOf(node);
    self.set(key, (self.get(key) ?? 0) + delta);
    const nodeArea = areaOf(node.callFrame.url, node.callFrame.functionName);
    area.set(nodeArea, (area.get(nodeArea) ?? 0) + delta);
    // Inclusive time of project functions: each distinct frame on the stack counts once.
    const seen = new Set<string>();
    // Bounded by the stack depth: parent links form a tree rooted at the profile's root.
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at);
      if (!frame || !isProjectUrl(frame.callFrame.url)) continue;
      const frameKey = keyOf(frame);
      if (seen.has(frameKey)) continue;
      seen.add(frameKey);
      inclusive.set(frameKey, (inclusive.get(frameKey) ?? 0) + delta);
    }
  });
  const busy = total - idle;
  return {
    file,
    sampled_ms: Math.round(total / 1000),
    busy_ms: Math.round(busy / 1000),
    self_by_function: top(self, busy, count),
    self_by_area: top(area, busy, count),
    inclusive_project: top(inclusive, busy, count),
  };
}

export function formatProfile(summary: ProfileSummary): string {
  const section = (title: string, rows: ProfileRow[]): string =>
    [
      `  ${title}`,
      ...rows.map((row) => `    ${row.pct.toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(7)} ms  ${row.name}`),
    ].join('\n');
  return [
    `Profile ${summary.file}: ${summary.busy_ms} ms busy of ${summary.sampled_ms} ms sampled (percentages of busy time)`,
    section('self time by area', summary.self_by_area),
    section('self time by function', summary.self_by_function),
    section('inclusive time, project functions', summary.inclusive_project),
  ].join('\n');
}

if (require.main === module) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: tsx scripts/bench/summarize-profile.ts FILE.cpuprofile [...]\n');
    process.exit(2);
  }
  for (const file of files) process.stdout.write(`${formatProfile(summarizeProfile(file))}\n\n`);
}
