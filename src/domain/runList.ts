/**
 * The runs list, as `reelflow list`, GET /api/projects and the studio show it: which kinds of run
 * there are (the PipelineKind search attribute), and what a row says. Pure, so the studio's page
 * bundles it too.
 */

/** Run kinds, with the words the studio's filter shows. */
export const RUN_KINDS = {
  reel: 'reels',
  video: 'prompt videos',
  episode: 'episodes',
  clip: "episodes' clips",
} as const;
export type RunKindName = keyof typeof RUN_KINDS;
export const RUN_KIND_NAMES = Object.keys(RUN_KINDS) as [RunKindName, ...RunKindName[]];

/** One row of the runs list. */
export interface RunSummary {
  workflowId: string;
  kind: string;
  status: string;
  stage: string;
  startedAt: string;
  /** When the run closed (absent while it runs). */
  closedAt?: string;
  /** Temporal's own execution status (RUNNING, COMPLETED, FAILED, TERMINATED…). */
  execution: string;
}

/** The visibility query for the filters: runs are found by their search attributes. */
export function listQuery(filters: { kind?: RunKindName; status?: string }): string {
  const all = RUN_KIND_NAMES.map((kind) => `'${kind}'`).join(', ');
  const parts = [filters.kind ? `PipelineKind = '${filters.kind}'` : `PipelineKind IN (${all})`];
  if (filters.status) parts.push(`PipelineStatus = '${filters.status}'`);
  return parts.join(' AND ');
}
