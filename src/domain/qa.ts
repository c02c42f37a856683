/**
 * QA gates: after ROUTER, RESEARCH, TRANSCRIPT and CONTENT a gate checks the stage's artifact (its
 * zod schema plus the stage's rules) and returns a verdict. REWORK reruns the stage with the
 * feedback, at most QA_MAX_ATTEMPTS times; then the best-scoring attempt is kept.
 */
export const QA_MAX_ATTEMPTS = 3;

export type QaVerdictKind = 'PASS' | 'REWORK' | 'FAIL';

export interface QaVerdict {
  verdict: QaVerdictKind;
  /** 0–1: the share of the stage's rules the artifact meets (how the best attempt is chosen). */
  score: number;
  /** Precise, actionable lines: what is wrong and what to do instead. Empty on PASS. */
  feedback: string[];
  /** Worth knowing, not worth another attempt (instructions nobody understood). */
  warnings?: string[];
}

/** One attempt of a gated stage, as the progress query and events.jsonl show it. */
export interface QaAttempt extends QaVerdict {
  attempt: number;
  artifactPath: string;
}

/** What a gated stage is told when it runs again. */
export interface ReworkRequest {
  /** 1-based attempt number; attempts after the first write their artifact under a numbered name. */
  attempt: number;
  /** The previous verdict's feedback. */
  feedback: string[];
}

/** Attempt 1 writes the artifact under its own name; later attempts under a numbered one. */
export function artifactName(name: string, attempt: number): string {
  if (attempt <= 1) return name;
  const dot = name.lastIndexOf('.');
  return `${name.slice(0, dot)}.attempt-${attempt}${name.slice(dot)}`;
}

/** The artifact's own name for a numbered attempt's file (`moment.attempt-2.json` → `moment.json`). */
export function canonicalArtifact(file: string): string {
  return file.replace(/\.attempt-\d+(\.[^./]+)$/, '$1');
}

/** What the gate activity is asked to check: the artifact, plus what each stage's rules need. */
export type QaCheckInput = { artifactPath: string; notes?: string[] } & (
  | { stage: 'ROUTER' }
  | { stage: 'RESEARCH'; sourceDurationS: number; reworkable?: boolean }
  | { stage: 'TRANSCRIPT'; transcriptPath: string; durationS?: number; topic?: string }
  /** An episode's moments (moments.json): each a valid moment, distinct, with hook, reason and score. */
  | { stage: 'EPISODE_MOMENTS'; transcriptPath: string; durationS?: number; topic?: string }
  | { stage: 'CONTENT'; momentPath: string; maxPrompts: number }
);
