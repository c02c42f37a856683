/**
 * budgetLedger: a long-lived entity workflow holding one budget (a namespace's day, or one run).
 * Every paid submission reserves its cost through the `reserve` Update; its validator refuses what
 * would go over the cap, so concurrent submissions from any number of workers and runs cannot
 * overspend (updates are handled one at a time, and a refused one leaves no history); commit and
 * release are signals, since nobody waits for them. The ledger
 * continues as new when its history grows, and closes when idle with nothing reserved.
 */
import { allHandlersFinished, condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CommitRequest, LedgerInput, LedgerState, LedgerView } from '../domain/budget';
import { commit, refusal, release, reserve, reservedUsd } from '../domain/budget';
import {
  commitSignal,
  ledgerQuery,
  legacyCommitUpdate,
  legacyReleaseUpdate,
  releaseSignal,
  reserveUpdate,
} from './budgetDefinitions';

const DEFAULT_MAX_HISTORY_EVENTS = 2000;

export async function budgetLedger(input: LedgerInput): Promise<LedgerView> {
  const state: LedgerState = input.state ?? { spentUsd: 0, reservations: {}, settled: {} };
  let touched = false;
  const view = (): LedgerView => ({
    scope: input.scope,
    ...(input.capUsd !== undefined ? { capUsd: input.capUsd } : {}),
    ...state,
    reservedUsd: reservedUsd(state),
  });

  setHandler(ledgerQuery, view);
  setHandler(
    reserveUpdate,
    (request) => {
      touched = true;
      reserve(state, request, new Date().toISOString());
      const granted = state.reservations[request.id]?.usd ?? state.settled[request.id] ?? request.usd;
      return {
        id: request.id,
        usd: granted,
        spentUsd: state.spentUsd,
        reservedUsd: reservedUsd(state),
        ...(input.capUsd !== undefined ? { capUsd: input.capUsd } : {}),
      };
    },
    {
      validator: (request) => {
        const reason = refusal(state, input.capUsd, request);
        if (reason) throw new Error(reason);
      },
    },
  );
  const onCommit = (request: CommitRequest) => {
    touched = true;
    commit(state, request);
  };
  const onRelease = ({ id }: { id: string }) => {
    touched = true;
    release(state, id);
  };
  setHandler(commitSignal, onCommit);
  setHandler(releaseSignal, onRelease);
  setHandler(legacyCommitUpdate, onCommit);
  setHandler(legacyReleaseUpdate, onRelease);

  const maxEvents = input.maxHistoryEvents ?? DEFAULT_MAX_HISTORY_EVENTS;
  const historyFull = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength > maxEvents;
  // One idle timer per idle period instead of one per message (a timer restarted on every message
  // added two events to each reserve and commit); a ledger started before this keeps its old loop.
  const quietTimer = patched('ledger-idle-timer');
  for (;;) {
    touched = false;
    const full = quietTimer
      ? await condition(historyFull, input.idleCloseMs)
      : await condition(() => touched || historyFull(), input.idleCloseMs);
    if (historyFull()) {
      // Handlers finish first, so no accepted update is lost across the new run.
      await condition(allHandlersFinished);
      await continueAsNew<typeof budgetLedger>({ ...input, state });
    }
    const active = quietTimer ? full || touched : full;
    if (!active && Object.keys(state.reservations).length === 0) break;
  }
  await condition(allHandlersFinished);
  return view();
}
