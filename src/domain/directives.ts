/**
 * Directives: what ROUTER understood from a request's free-form `instructions`. Both parsers (the
 * offline rule-based one and a model with structured output) produce this shape, and the ROUTER
 * QA gate checks it before the run moves on.
 */
import { z } from 'zod';

/** Where a user's overlay or cutaway goes: seconds into the reel, or when a phrase is spoken. */
export const MediaTimingSchema = z.union([
  z.object({ reelS: z.number().min(0).max(120) }).strict(),
  z.object({ anchor: z.string().trim().min(2).max(200) }).strict(),
]);
export type MediaTiming = z.infer<typeof MediaTimingSchema>;

export const UserMediaSchema = z
  .object({
    /** The file as written in the instructions (resolved to an absolute path by ROUTER). */
    path: z.string().min(1),
    at: MediaTimingSchema,
    /** How long it shows; default 3 s for an overlay, the clip's own length (≤ 8 s) for a cutaway. */
    durationS: z.number().min(0.5).max(30).optional(),
  })
  .strict();
export type UserMedia = z.infer<typeof UserMediaSchema>;

export const TONES = ['playful', 'serious', 'inspiring', 'funny', 'dramatic', 'calm', 'energetic', 'professional'];
export const PACINGS = ['slow', 'medium', 'fast'] as const;
export const TRANSITIONS = ['cut', 'fade', 'dip_to_black'] as const;
export type Transition = (typeof TRANSITIONS)[number];

/** What a parser returns. */
export const ParsedDirectivesSchema = z
  .object({
    /** Topic focus ("focus on pricing"); a request's `topic` field wins over this. */
    topic: z.string().trim().min(1).max(200).optional(),
    /** Preferred reel length ("keep it to 45 seconds"); a request's `durationS` wins over this. */
    durationS: z.number().min(30).max(120).optional(),
    /** Narrative override for CONTENT. */
    narrative: z
      .object({ tone: z.string().trim().min(1).max(40).optional(), pacing: z.enum(PACINGS).optional() })
      .strict()
      .optional(),
    overlays: z.array(UserMediaSchema).max(10),
    cutaways: z.array(UserMediaSchema).max(10),
    /** Transition at layout changes in the base reel, and how user cutaways fade. */
    transition: z.enum(TRANSITIONS).optional(),
    /** Open with the moment's hook line as a title ("start with a title"); a request's `hook` wins. */
    hook: z.boolean().optional(),
    /** Clauses the parser did not understand: recorded so nothing is dropped silently. */
    unparsed: z.array(z.string()),
  })
  .strict();
export type ParsedDirectives = z.infer<typeof ParsedDirectivesSchema>;

/** directives.json: the parse plus who parsed it, with media paths resolved and checked. */
export interface Directives extends ParsedDirectives {
  generator: string;
}

export const EMPTY_DIRECTIVES: ParsedDirectives = { overlays: [], cutaways: [], unparsed: [] };
