/**
 * Keeps a run's cost in its progress: the estimate recorded at the start, the metered text and
 * image calls that activity results carry (`cost`), and each accepted clip's cost from the jobs
 * table. Pure bookkeeping on workflow state (no commands), so it changes no history.
 */
import type { BrollJob } from '../domain/broll';
import type { CostEstimate, MeteredCall, RunCost } from '../domain/cost';
import { addCalls } from '../domain/cost';
import type { Progress } from '../domain/progress';

const empty = (): RunCost => ({ calls: [], actualUsd: 0 });

/** Adds what an activity result says it cost (`cost`) and the estimate it carries (`estimate`), if any. */
export function meterResult(progress: Progress, result: unknown): void {
  if (!result || typeof result !== 'object') return;
  const { cost, estimate } = result as { cost?: MeteredCall[]; estimate?: CostEstimate };
  if (estimate && !progress.cost?.estimate) progress.cost = { ...(progress.cost ?? empty()), estimate };
  if (Array.isArray(cost) && cost.length > 0) progress.cost = addCalls(progress.cost ?? empty(), cost);
}

/**
 * Counts each clip the provider accepted (a job with an operation, or an unknown submission that
 * may be charged), and lists the clips a cap refused or whose submission is unknown, with why.
 */
export function meterClips(progress: Progress, jobs: BrollJob[]): void {
  const calls: MeteredCall[] = jobs
    .filter((job) => job.cost_usd !== undefined && (job.operation || job.status === 'submit_unknown'))
    .map((job) => ({
      id: job.operation ?? job.idempotent_key,
      kind: 'video',
      provider: job.provider ?? 'offline',
      model: job.model ?? '',
      label: job.idempotent_key,
      costUsd: job.cost_usd!,
      seconds: job.duration_s,
      ...(job.output_tokens !== undefined ? { outputTokens: job.output_tokens } : {}),
    }));
  const refused = jobs
    .filter((job) => job.status === 'over_budget' || job.status === 'submit_unknown')
    .map((job) => ({
      label: job.idempotent_key,
      reason:
        job.status === 'over_budget'
          ? `over_budget, not submitted: ${job.error_message ?? ''}`
          : `submit_unknown, may be charged: ${job.error_message ?? ''}`,
    }));
  const cost = withTokens(addCalls(progress.cost ?? empty(), calls), calls);
  // The refused text and image calls stay; the clips' entries are rebuilt from the jobs table.
  const refusedCalls = (cost.refused ?? []).filter((r) => r.stage !== undefined);
  const all = [...refusedCalls, ...refused];
  const { refused: _old, ...rest } = cost;
  progress.cost = { ...rest, ...(all.length > 0 ? { refused: all } : {}) };
}

/** A clip's output tokens arrive when it finishes, after its call was counted at submission: filled in then. */
function withTokens(cost: RunCost, calls: MeteredCall[]): RunCost {
  const tokens = new Map(calls.flatMap((c) => (c.outputTokens !== undefined ? [[c.id, c.outputTokens] as const] : [])));
  if (tokens.size === 0) return cost;
  return {
    ...cost,
    calls: cost.calls.map((c) =>
      c.outputTokens === undefined && tokens.has(c.id) ? { ...c, outputTokens: tokens.get(c.id)! } : c,
    ),
  };
}

/**
 * A text or image call a cap refused: it was not sent, so nothing is charged, but the run lists it
 * with why, like a refused clip. One entry per stage (a later refusal replaces the earlier one).
 */
export function meterRefusedCall(progress: Progress, stage: string, message: string): void {
  const cost = progress.cost ?? empty();
  const others = (cost.refused ?? []).filter((r) => r.stage !== stage);
  // The activity's message names the stage already; the label says it once.
  const why = message.startsWith(`${stage}: `) ? message.slice(stage.length + 2) : message;
  progress.cost = {
    ...cost,
    refused: [...others, { label: `${stage} (text/image call)`, stage, reason: `over_budget, not sent: ${why}` }],
  };
}
