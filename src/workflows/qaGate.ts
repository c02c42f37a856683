/**
 * The QA gate loop for a stage: produce the artifact, have the gate check it, and on REWORK run
 * the stage again with the gate's feedback, at most QA_MAX_ATTEMPTS times. After the last attempt
 * the best-scoring usable one is kept (ties: the earliest; score 0 is unusable). FAIL stops the
 * stage (it then waits for `resume` like any failed stage). Every attempt and verdict goes to
 * progress and events.jsonl.
 */
import { meterResult } from './meter';
import { ApplicationFailure, patched } from '@temporalio/workflow';
import { ErrorType } from '../domain/errors';
import type { QaAttempt, QaVerdict, ReworkRequest } from '../domain/qa';
import { QA_MAX_ATTEMPTS } from '../domain/qa';
import type { PipelineRun } from './pipelineRun';

export interface GatedStage<R> {
  /** Runs the stage once; attempt 1 has no feedback. */
  produce: (rework: ReworkRequest, earlier: R[]) => Promise<R>;
  /** The gate activity's verdict on one attempt's result. */
  check: (result: R) => Promise<QaVerdict>;
  /** The result's artifact file, and a copy of the result pointing at another file. */
  artifact: { path: (result: R) => string; withPath: (result: R, path: string) => R };
  /** Publishes a kept attempt under the artifact's own name (attempts after the first are numbered). */
  keep: (artifactPath: string) => Promise<{ path: string }>;
}

/** A QA gate whose attempts all scored 0 fails the stage (instead of keeping attempt 1). */
export const UNUSABLE_ATTEMPTS_FAIL_PATCH = 'qa-unusable-attempts-fail';

export const QaEvent = {
  PASSED: 'pipeline.qa.passed',
  REWORK_REQUESTED: 'pipeline.qa.rework_requested',
  FAILED: 'pipeline.qa.failed',
  BEST_KEPT: 'pipeline.qa.best_kept',
} as const;

export async function passQaGate<R>(run: PipelineRun, stage: string, gated: GatedStage<R>): Promise<R> {
  const attempts: { result: R; verdict: QaVerdict }[] = [];
  let feedback: string[] = [];
  for (let attempt = 1; attempt <= QA_MAX_ATTEMPTS; attempt++) {
    const result = await gated.produce(
      { attempt, feedback },
      attempts.map((a) => a.result),
    );
    // Every attempt was paid for, including the ones QA sends back.
    meterResult(run.progress, result);
    const verdict = await gated.check(result);
    const record: QaAttempt = { attempt, artifactPath: gated.artifact.path(result), ...verdict };
    run.recordQa(stage, record);
    if (verdict.verdict === 'PASS') {
      run.emit(QaEvent.PASSED, stage, { ...record });
      return attempt === 1 ? result : publish(gated, result);
    }
    if (verdict.verdict === 'FAIL') {
      run.emit(QaEvent.FAILED, stage, { ...record });
      throw ApplicationFailure.create({
        type: ErrorType.QA_FAILED,
        message: `QA gate failed attempt ${attempt}: ${verdict.feedback.join('; ')}`,
      });
    }
    run.emit(QaEvent.REWORK_REQUESTED, stage, { ...record });
    attempts.push({ result, verdict });
    feedback = verdict.feedback;
  }
  // Score 0 means the artifact did not even fit its schema: later stages could not use it. Runs
  // recorded before this rule (commit 3ff4579 added it without a patch) kept attempt 1 and went
  // on; the marker is written only on this path, so no other run's history changes.
  const usable = attempts.filter((a) => a.verdict.score > 0);
  if (usable.length === 0 && patched(UNUSABLE_ATTEMPTS_FAIL_PATCH)) {
    run.emit(QaEvent.FAILED, stage, { reason: `no attempt in ${QA_MAX_ATTEMPTS} was usable` });
    throw ApplicationFailure.create({
      type: ErrorType.QA_FAILED,
      message: `QA gate: no usable attempt in ${QA_MAX_ATTEMPTS}: ${feedback.join('; ')}`,
    });
  }
  const best = (usable.length > 0 ? usable : attempts).reduce((a, b) => (b.verdict.score > a.verdict.score ? b : a));
  const index = attempts.indexOf(best);
  run.emit(QaEvent.BEST_KEPT, stage, {
    attempt: index + 1,
    score: best.verdict.score,
    feedback: best.verdict.feedback,
    reason: `no attempt passed in ${QA_MAX_ATTEMPTS}; kept the best-scoring one`,
  });
  return index === 0 ? best.result : publish(gated, best.result);
}

async function publish<R>(gated: GatedStage<R>, result: R): Promise<R> {
  const kept = await gated.keep(gated.artifact.path(result));
  return gated.artifact.withPath(result, kept.path);
}
