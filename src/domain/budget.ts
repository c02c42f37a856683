/**
 * Budget ledgers: one entity workflow per namespace and UTC day (the deployment's daily cap) and one
 * per run that has its own cap. Each paid submission reserves its cost first; the reservation is
 * committed at what the call cost, or released when the call provably cost nothing.
 */

export interface LedgerInput {
  /** For people: "daily budget of namespace default on 2026-11-29", "run reel-x". */
  scope: string;
  /** The cap in USD; without one the ledger only records. */
  capUsd?: number;
  /** The ledger closes after this long with no message and no open reservation. */
  idleCloseMs: number;
  /** Continue as new past this many history events (and whenever the server suggests it). */
  maxHistoryEvents?: number;
  /** Carried over by continue-as-new. */
  state?: LedgerState;
}

export interface Reservation {
  usd: number;
  /** What it pays for: a clip key. */
  label: string;
  /** The run it is charged to. */
  runId?: string;
  at: string;
}

export interface LedgerState {
  /** Committed spending (charged, or possibly charged: an unknown submission counts). */
  spentUsd: number;
  /** Open reservations by id. */
  reservations: Record<string, Reservation>;
  /** Ids already committed or released, with what they cost: a repeated message changes nothing. */
  settled: Record<string, number>;
}

export interface ReserveRequest {
  id: string;
  usd: number;
  label: string;
  runId?: string;
}

export interface ReserveGrant {
  id: string;
  usd: number;
  spentUsd: number;
  reservedUsd: number;
  capUsd?: number;
}

export interface CommitRequest {
  id: string;
  /** What the call cost (may differ from the reservation, e.g. a fallback model). */
  usd: number;
}

export interface LedgerView extends LedgerState {
  scope: string;
  capUsd?: number;
  reservedUsd: number;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;
/** Dollars for a refusal: cents, or four places for the fractions of a cent a text call costs. */
const money = (n: number) => `$${n !== 0 && Math.abs(n) < 0.1 ? n.toFixed(4) : n.toFixed(2)}`;

export function reservedUsd(state: LedgerState): number {
  return round(Object.values(state.reservations).reduce((sum, r) => sum + r.usd, 0));
}

/**
 * Why `request` cannot be granted, or undefined when it can. A request seen before is always
 * granted again (the activity that sent it may have been retried).
 */
export function refusal(state: LedgerState, capUsd: number | undefined, request: ReserveRequest): string | undefined {
  if (state.reservations[request.id] || request.id in state.settled) return undefined;
  if (!Number.isFinite(request.usd) || request.usd < 0) return `invalid amount ${request.usd}`;
  if (capUsd === undefined) return undefined;
  const reserved = reservedUsd(state);
  if (round(state.spentUsd + reserved + request.usd) > capUsd) {
    return (
      `${request.label} would cost ${money(request.usd)}: over the cap of ${money(capUsd)} ` +
      `(${money(state.spentUsd)} spent, ${money(reserved)} reserved)`
    );
  }
  return undefined;
}

export function reserve(state: LedgerState, request: ReserveRequest, at: string): void {
  if (state.reservations[request.id] || request.id in state.settled) return;
  state.reservations[request.id] = {
    usd: request.usd,
    label: request.label,
    ...(request.runId ? { runId: request.runId } : {}),
    at,
  };
}

export function commit(state: LedgerState, request: CommitRequest): void {
  if (request.id in state.settled) return;
  delete state.reservations[request.id];
  state.settled[request.id] = request.usd;
  state.spentUsd = round(state.spentUsd + request.usd);
}

export function release(state: LedgerState, id: string): void {
  if (id in state.settled) return;
  delete state.reservations[id];
  state.settled[id] = 0;
}

/** Workflow ids of the ledgers. */
export function dailyLedgerId(namespace: string, at: Date): string {
  return `budget-${namespace}-${at.toISOString().slice(0, 10)}`;
}
export function runLedgerId(runId: string): string {
  return `budget-run-${runId}`;
}
