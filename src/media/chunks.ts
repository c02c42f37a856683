/**
 * Where a long reel's one encode is cut into chunks, so a crash mid-render redoes at most the
 * chunk being encoded. The encode stays one ffmpeg command (src/media/finalRender.ts): a keyframe
 * (an IDR) is forced at each boundary and the segment muxer starts a new file there, so the chunks
 * join by stream copy without a seam, and the moment's audio, encoded once, is muxed in once over
 * the joined picture. A retry encodes the missing chunks, again as one command from the first.
 */
import { CROSSFADE_S } from './reframe';

/*
 * Seconds of reel per chunk (RENDER_CHUNK_S in src/config.ts, default 15) is the bound on what a
 * crash mid-render redoes: ~16 CPU s at 1080x1920 veryfast. Cutting costs the forced keyframe at
 * each boundary (an IDR where x264 would have made a P frame: a few kB) and nothing else; a retry
 * starting at a chunk pays one accurate seek (decoding from the source keyframe before it, up to a
 * GOP). A whole number of seconds is a whole number of frames at the reel's 30 fps, so boundaries
 * fall on frames.
 */

/** A span of the reel in seconds from its start: [fromS, toS). */
export interface ReelSpan {
  fromS: number;
  toS: number;
}

/**
 * The chunks of a reel of `durationS` seconds: spans of about `chunkS` seconds back to back,
 * covering the reel. A tail shorter than half a chunk joins the last chunk, so a reel of up to 1.5
 * chunks is one chunk (rendered as one command, with no chunking at all). A boundary that falls
 * inside one of `avoid` moves to the end of it: the crossfades at layout changes (which must see
 * both framings from their first frame) and the cutaways and overlays (a retry starting a chunk
 * inside a cutaway would decode and scale the clip's earlier frames only to drop them) — unless that would
 * make the chunk longer than two chunks (a long user cutaway; crossfades are short). So a chunk is
 * at most 2 × chunkS.
 */
export function planChunks(durationS: number, chunkS: number, avoid: ReelSpan[] = []): ReelSpan[] {
  if (!(durationS > 0)) throw new Error(`planChunks: the reel's duration must be positive (got ${durationS})`);
  const spans = [...avoid].sort((a, b) => a.fromS - b.fromS);
  const chunks: ReelSpan[] = [];
  let fromS = 0;
  while (durationS - fromS >= 1.5 * chunkS) {
    let toS = fromS + chunkS;
    for (const span of spans) {
      const after = Math.ceil(span.toS);
      if (toS > span.fromS && toS < span.toS && after - fromS <= 2 * chunkS) toS = after;
    }
    if (durationS - toS < chunkS / 2) break;
    chunks.push({ fromS, toS });
    fromS = toS;
  }
  chunks.push({ fromS, toS: durationS });
  return chunks;
}

/** The crossfade windows of a reel's segments (reel seconds), for planChunks' `avoid`. */
export function crossfadeSpans(segments: { startS: number; endS: number }[], transition: string): ReelSpan[] {
  if (transition !== 'fade') return [];
  const first = segments[0]?.startS ?? 0;
  return segments.slice(1).map((s) => ({
    fromS: s.startS - first,
    toS: s.startS - first + Math.min(CROSSFADE_S, (s.endS - s.startS) / 2),
  }));
}
