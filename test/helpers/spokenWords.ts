/**
 * Speech with known word times, for testing speech-to-text: espeak-ng speaks every word on its own
 * and the words are laid end to end with short gaps, so where each word sits in the audio is known
 * exactly (its voiced samples), not estimated.
 */
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { wavFile, wavSamples } from '../../src/dev/samplePodcast';

const exec = promisify(execFile);
const RATE = 22050;
/** Samples quieter than this are silence around a word (espeak-ng pads each file). */
const VOICED = 300;
const LEAD_S = 0.5;
const WORD_GAP_S = 0.09;
const LINE_GAP_S = 0.6;

export interface SpokenWord {
  w: string;
  startS: number;
  endS: number;
}

export interface SpokenAudio {
  wav: string;
  durationS: number;
  words: SpokenWord[];
}

/** The voiced part of one espeak-ng word. */
async function speakWord(word: string, tmp: string): Promise<Int16Array> {
  await exec('espeak-ng', ['-v', 'en-us', '-s', '165', '-w', tmp, word]);
  const samples = wavSamples(await readFile(tmp));
  let first = 0;
  let last = samples.length - 1;
  while (first < last && Math.abs(samples[first] ?? 0) < VOICED) first++;
  while (last > first && Math.abs(samples[last] ?? 0) < VOICED) last--;
  return samples.slice(first, last + 1);
}

/** Speaks `lines` word by word into `file` (a 22.05 kHz WAV), `repeat` times over; returns each word's span. */
export async function speakWords(lines: string[], file: string, repeat = 1): Promise<SpokenAudio> {
  const tmp = path.join(path.dirname(file), `${path.basename(file)}.word.wav`);
  const spoken = new Map<string, Int16Array>();
  const pieces: Int16Array[] = [new Int16Array(Math.round(LEAD_S * RATE))];
  const words: SpokenWord[] = [];
  let at = LEAD_S;
  for (let round = 0; round < repeat; round++) {
    for (const line of lines) {
      for (const w of line.split(/\s+/).filter(Boolean)) {
        const key = w.toLowerCase().replace(/[^a-z']/g, '');
        let samples = spoken.get(key);
        if (!samples) {
          samples = await speakWord(key, tmp);
          spoken.set(key, samples);
        }
        words.push({ w, startS: at, endS: at + samples.length / RATE });
        pieces.push(samples, new Int16Array(Math.round(WORD_GAP_S * RATE)));
        at += samples.length / RATE + WORD_GAP_S;
      }
      pieces.push(new Int16Array(Math.round(LINE_GAP_S * RATE)));
      at += LINE_GAP_S;
    }
  }
  await rm(tmp, { force: true });
  const audio = new Int16Array(pieces.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const piece of pieces) {
    audio.set(piece, offset);
    offset += piece.length;
  }
  await writeFile(file, wavFile(audio, RATE));
  return { wav: file, durationS: audio.length / RATE, words };
}

const normal = (word: string) => word.toLowerCase().replace(/[^a-z0-9']/g, '');

export interface WordComparison<H> {
  /** (substitutions + deletions + insertions) / reference words, by edit distance on normalised words. */
  wer: number;
  /** Reference and recognised words the alignment matched exactly. */
  matched: { reference: SpokenWord; heard: H }[];
}

/** Aligns recognised words to the reference (Levenshtein, with a backtrace) and measures the word error rate. */
export function compareWords<H extends { w: string }>(reference: SpokenWord[], heard: H[]): WordComparison<H> {
  const ref = reference.filter((w) => normal(w.w));
  const hyp = heard.filter((w) => normal(w.w));
  const cost: number[][] = [Array.from({ length: hyp.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= ref.length; i++) {
    const row = [i];
    for (let j = 1; j <= hyp.length; j++) {
      const same = normal(ref[i - 1]!.w) === normal(hyp[j - 1]!.w);
      row.push(Math.min(cost[i - 1]![j]! + 1, row[j - 1]! + 1, cost[i - 1]![j - 1]! + (same ? 0 : 1)));
    }
    cost.push(row);
  }
  const matched: WordComparison<H>['matched'] = [];
  for (let i = ref.length, j = hyp.length; i > 0 && j > 0;) {
    const same = normal(ref[i - 1]!.w) === normal(hyp[j - 1]!.w);
    if (cost[i]![j] === cost[i - 1]![j - 1]! + (same ? 0 : 1)) {
      if (same) matched.unshift({ reference: ref[i - 1]!, heard: hyp[j - 1]! });
      i--;
      j--;
    } else if (cost[i]![j] === cost[i - 1]![j]! + 1) i--;
    else j--;
  }
  return { wer: cost[ref.length]![hyp.length]! / Math.max(ref.length, 1), matched };
}
