import { z } from 'zod';

/**
 * How a reel is rendered, chosen per request: caption style, frame shape, and whether the moment's
 * hook line opens the reel as a title. One owner for these names and sizes: the CLI, the API, the
 * workflows and the renderer all read them from here.
 */

/** Burned-in caption styles; `none` turns captions off. */
export const CAPTION_STYLES = ['bold', 'karaoke', 'minimal', 'none'] as const;
export const CaptionStyleSchema = z.enum(CAPTION_STYLES);
export type CaptionStyle = z.infer<typeof CaptionStyleSchema>;
export const DEFAULT_CAPTION_STYLE: CaptionStyle = 'bold';

/** Output frame presets: name → pixel size. */
export const ASPECT_PRESETS = {
  '9:16': { width: 1080, height: 1920 },
  '1:1': { width: 1080, height: 1080 },
  '4:5': { width: 1080, height: 1350 },
  '16:9': { width: 1920, height: 1080 },
} as const;
export type Aspect = keyof typeof ASPECT_PRESETS;
export const AspectSchema = z.enum(Object.keys(ASPECT_PRESETS) as [Aspect, ...Aspect[]], {
  error: `must be one of ${Object.keys(ASPECT_PRESETS).join(', ')}`,
});
export const DEFAULT_ASPECT: Aspect = '9:16';

/** The render options a reel request may carry (all optional; defaults above). */
export const RenderOptionsSchema = z.object({
  /** Burned-in caption style (default bold; `none` turns captions off). */
  captions: CaptionStyleSchema.optional(),
  /** Output frame shape (default 9:16, 1080x1920). */
  aspect: AspectSchema.optional(),
  /** Show the moment's hook line as a title over the first seconds. */
  hook: z.boolean().optional(),
});
export type RenderOptions = z.infer<typeof RenderOptionsSchema>;
