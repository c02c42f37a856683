/** summary.md: what a person wants to know about a finished reel, in one page. */
import type { RunCost } from './cost';
import type { HostChange } from './progress';
import { actualByKind, formatUsd } from './cost';
import type { LayoutSegment, Moment, PublishingAssets, StageTiming } from './reel';
import type { PlacementsRecord, UserMediaRecord } from './userMedia';
import { scorePercent } from './moment';

export interface SummaryInput {
  workflowId: string;
  reelDurationS: number;
  /** The delivered reel's frame size, as probed (it follows the request's aspect). */
  frame?: { width: number; height: number };
  moment: Moment;
  segments: LayoutSegment[];
  /** broll-placements.json: B-roll, and the user's own media when the request named any. */
  placements?: PlacementsRecord;
  assets: PublishingAssets;
  stages: StageTiming[];
  /** Estimated and actual cost (runs recorded before metering have none). */
  cost?: RunCost;
  /** The run moved to another host after losing one. */
  hostChanges?: HostChange[];
}

/** One line per move to another host: which, when it was noticed, why, and what it cost the run. */
export function hostChangeLines(changes: HostChange[]): string[] {
  return changes.map(
    (c) =>
      `Moved from host ${c.from} to ${c.to} at ${c.stage}: ${c.reason}; every stage ran again on ${c.to}` +
      `${c.brollAdopted ? `, taking over ${c.brollAdopted} B-roll clip(s) the provider already had (downloaded again, not resubmitted)` : ''}` +
      `${c.brollDropped ? ` (${c.brollDropped})` : ''}.`,
  );
}

const clock = (s: number) => `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;
/** The file's name without its folders (domain code has no `path`). */
const fileName = (file: string) => file.split(/[\\/]/).pop() ?? file;

function userMediaLines(user: UserMediaRecord): string[] {
  const placed = [
    ...user.cutaways.placed.map((p) => ['cutaway', p] as const),
    ...user.overlays.placed.map((p) => ['overlay', p] as const),
  ];
  const skipped = [...user.cutaways.skipped, ...user.overlays.skipped];
  return [
    '',
    '## Your media',
    '',
    `Placed ${placed.length}, skipped ${skipped.length}. Transition at layout changes: ${user.transition.replace(/_/g, ' ')}.`,
    ...(user.failure ? [`The pass with your media failed (${user.failure}); the reel was made without them.`] : []),
    '',
    ...placed.map(
      ([kind, p]) =>
        `- ${p.key} (${fileName(p.path)}): ${kind} at ${p.startS.toFixed(1)} s for ${p.durationS.toFixed(1)} s${p.note ? ` (${p.note})` : ''}`,
    ),
    ...skipped.map((s) => `- ${s.key} (${fileName(s.path)}): skipped (${s.reason})`),
  ];
}

export function formatSummary(input: SummaryInput): string {
  const { moment, segments, placements, assets } = input;
  const lines = [
    `# ${input.workflowId}`,
    '',
    `Reel: ${input.reelDurationS.toFixed(1)} s${input.frame ? `, ${input.frame.width}x${input.frame.height}` : ''}, cut from ${clock(moment.startS)}–${clock(moment.endS)} of the source.`,
    '',
    '## Moment',
    '',
    // The 0–100 score the episode's table and the studio show, then the heuristic's raw parts.
    `Score ${scorePercent(moment.score)}/100 (heuristic ${moment.score}: ${Object.entries(moment.breakdown)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}).`,
    '',
    ...moment.cues.slice(0, 3).map((cue) => `> ${cue.text}`),
    ...(moment.cues.length > 3 ? ['> …'] : []),
    '',
    '## Layouts',
    '',
    '| from | to | layout | strategy |',
    '|---|---|---|---|',
    ...segments.map((s) => `| ${clock(s.startS)} | ${clock(s.endS)} | ${s.layout} | ${s.strategy} |`),
    '',
    '## B-roll',
    '',
  ];
  if (!placements || placements.placed.length + placements.skipped.length === 0)
    lines.push('No B-roll clips reached assembly.');
  else {
    lines.push(`Placed ${placements.placed.length}, skipped ${placements.skipped.length}.`);
    if (placements.failure)
      lines.push(`The cutaway pass failed (${placements.failure}); the reel was delivered without B-roll.`);
    lines.push(
      '',
      ...placements.placed.map(
        (p) => `- ${p.key}: at ${p.startS.toFixed(1)} s for ${p.durationS.toFixed(1)} s${p.note ? ` (${p.note})` : ''}`,
      ),
    );
    lines.push(...placements.skipped.map((s) => `- ${s.key}: skipped (${s.reason})`));
  }
  if (placements?.userMedia) lines.push(...userMediaLines(placements.userMedia));
  if (input.cost) lines.push(...costLines(input.cost));
  if (input.hostChanges?.length) lines.push('', '## Hosts', '', ...hostChangeLines(input.hostChanges));
  lines.push(
    '',
    '## Publishing copy',
    '',
    `Written by ${assets.generator}. Music: ${assets.music_mood}. ${assets.hashtags.join(' ')}`,
    '',
    ...assets.descriptions.map((d, i) => `${i + 1}. ${d}`),
    '',
    '## Stages',
    '',
    '| stage | time | attempts | QA |',
    '|---|---|---|---|',
    ...input.stages.map(
      (s) =>
        `| ${s.stage} | ${s.durationMs === undefined ? '—' : `${(s.durationMs / 1000).toFixed(1)} s`} | ${s.attempts} | ${qaText(s.qa)} |`,
    ),
    '',
  );
  return lines.join('\n');
}

/** Estimated and actual cost per kind of call and per paid call, and the clips a cap refused. */
export function costLines(cost: RunCost): string[] {
  const estimate = cost.estimate;
  const actual = actualByKind(cost);
  const offline = estimate?.offline && cost.actualUsd === 0;
  const kinds = (['video', 'image', 'text'] as const).filter(
    (kind) => actual[kind] > 0 || estimate?.lines.some((l) => l.kind === kind),
  );
  const estimated = (kind: string) =>
    estimate ? formatUsd(estimate.lines.filter((l) => l.kind === kind).reduce((sum, l) => sum + l.costUsd, 0)) : '—';
  return [
    '',
    '## Cost',
    '',
    offline
      ? 'Every call was served by the offline providers: nothing was paid ($0.00).'
      : `Estimated ${estimate ? formatUsd(estimate.totalUsd) : '—'}, actual ${formatUsd(cost.actualUsd)}.`,
    '',
    '| kind | estimated | actual |',
    '|---|---|---|',
    ...kinds.map((kind) => `| ${kind} | ${estimated(kind)} | ${formatUsd(actual[kind])} |`),
    `| **total** | **${estimate ? formatUsd(estimate.totalUsd) : '—'}** | **${formatUsd(cost.actualUsd)}** |`,
    '',
    ...cost.calls.map(
      (c) =>
        `- ${c.label}: ${c.kind}, ${c.provider === 'offline' ? 'offline' : c.provider} ${c.model}` +
        `${c.seconds ? `, ${c.seconds} s` : ''}${c.inputTokens !== undefined ? `, ${c.inputTokens} + ${c.outputTokens} tokens` : ''}` +
        `${c.inputTokens === undefined && c.outputTokens !== undefined ? `, ${c.outputTokens} output tokens` : ''}: ${formatUsd(c.costUsd)}`,
    ),
    ...(cost.refused ?? []).map((r) => `- ${r.label}: ${r.reason}`),
  ];
}

/** "PASS", or each attempt's verdict with its score: "REWORK 0.83 → PASS". */
function qaText(qa: StageTiming['qa']): string {
  if (!qa?.length) return '—';
  return qa.map((a) => (a.verdict === 'PASS' ? 'PASS' : `${a.verdict} ${a.score}`)).join(' → ');
}
