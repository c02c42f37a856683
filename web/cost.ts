/**
 * Money on the page: the start form's estimate (POST /api/estimate, before anything is uploaded)
 * and a run's estimated and actual cost (its progress), per clip.
 */
import type { CostEstimate, RunCost } from '../src/domain/cost';
import { formatUsd } from '../src/domain/money';
import { call, errorText } from './api';
import { h } from './dom';

/** What the form's estimate assumes, said on the page: nothing is uploaded to price a run. */
export const ESTIMATE_BASIS =
  'Counted from this form, before anything is uploaded: the B-roll clip count (or the worker’s default) and clip ' +
  'lengths by pacing; text calls at about 3,000 tokens in and 800 out; a source without a transcript counts one ' +
  'transcription call when the text provider is paid.';

const KIND_WORDS = { video: 'video', image: 'images', text: 'text' } as const;

/** One line per kind of call, and the total. */
export function estimateView(estimate: CostEstimate): (HTMLElement | string)[] {
  // Offline and free (a test price table can charge for the offline providers: then show the lines).
  if (estimate.offline && estimate.totalUsd === 0)
    return [h('strong', {}, `Estimated cost: ${formatUsd(0)}`), ' — offline providers: nothing is paid.'];
  return [
    h('strong', {}, `Estimated cost: ${formatUsd(estimate.totalUsd)}`),
    h(
      'ul',
      { class: 'cost-lines' },
      estimate.lines.map((l) =>
        h(
          'li',
          { 'data-kind': l.kind },
          `${KIND_WORDS[l.kind]}: ${l.what} — ${l.model}, ${l.unpriced ? 'no price' : formatUsd(l.costUsd)}`,
        ),
      ),
    ),
  ];
}

/**
 * Asks the API what `request` would cost and shows it in `slot`. Answers that arrive after a newer
 * question are dropped, so the slot always shows the latest form.
 */
export function estimator(slot: HTMLElement): (kind: string, request: Record<string, unknown> | string) => void {
  let asked = 0;
  return (kind, request) => {
    const ticket = ++asked;
    const show = (...children: (HTMLElement | string)[]) => {
      if (ticket !== asked) return;
      slot.replaceChildren(...children, h('small', { class: 'basis' }, ESTIMATE_BASIS));
    };
    // A form that cannot be priced yet says what is missing instead.
    if (typeof request === 'string') return show(request);
    void call<CostEstimate>('/api/estimate', { method: 'POST', json: { kind, request } }).then(
      (answer) =>
        answer.ok ? show(...estimateView(answer.body)) : show(`Cost estimate unavailable: ${errorText(answer)}`),
      (err: unknown) => show(`Cost estimate unavailable: ${(err as Error).message}`),
    );
  };
}

/** A run's cost: estimated and actual, each paid clip, and what a cap refused. */
export function runCostView(cost: RunCost | undefined): HTMLElement {
  if (!cost) return h('p', { class: 'cost', id: 'run-cost' }, 'Cost: none recorded (yet).');
  const estimated = cost.estimate ? formatUsd(cost.estimate.totalUsd) : '—';
  const offline = cost.estimate?.offline && cost.actualUsd === 0;
  const clips = cost.calls.filter((c) => c.kind === 'video');
  const other = cost.calls.filter((c) => c.kind !== 'video').reduce((sum, c) => sum + c.costUsd, 0);
  return h(
    'div',
    { class: 'cost', id: 'run-cost' },
    h(
      'strong',
      { 'data-estimated': String(cost.estimate?.totalUsd ?? ''), 'data-actual': String(cost.actualUsd) },
      offline
        ? `Cost: ${formatUsd(0)} (offline providers: nothing is paid)`
        : `Cost: estimated ${estimated}, actual ${formatUsd(cost.actualUsd)}`,
    ),
    clips.length > 0 || other > 0 || (cost.refused ?? []).length > 0
      ? h(
          'ul',
          { class: 'cost-lines' },
          clips.map((c) =>
            h(
              'li',
              { 'data-clip': c.label },
              `${c.label}: ${formatUsd(c.costUsd)} (${c.model}, ${c.seconds ?? '?'} s)`,
            ),
          ),
          other > 0 ? h('li', {}, `text and images: ${formatUsd(other)}`) : null,
          (cost.refused ?? []).map((r) => h('li', { class: 'error' }, `${r.label}: ${r.reason}`)),
        )
      : null,
  );
}
