/**
 * Workflow ids name the run: `reel-<slug>-<short id>`, `video-<slug>-<short id>`,
 * `episode-<slug>-<short id>` (its clips: `<episode id>-clip<rank>`).
 */
export type RunKind = 'reel' | 'video' | 'episode';

export function slugify(text: string, maxLength = 24): string {
  const full = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  let slug = full.slice(0, maxLength);
  // Cut at a word boundary when the cut fell inside a word (and a reasonable slug remains).
  if (full.length > maxLength && full[maxLength] !== '-' && slug.lastIndexOf('-') >= 8)
    slug = slug.slice(0, slug.lastIndexOf('-'));
  return slug.replace(/-+$/, '') || 'run';
}

/** `shortId` comes from the caller (crypto outside workflows, uuid4() inside), so this stays pure. */
export function runWorkflowId(kind: RunKind, name: string, shortId: string): string {
  return `${kind}-${slugify(name)}-${shortId}`;
}

/**
 * The longest run id the API, the OpenAPI document and the HTTP server accept (one limit for all
 * three: the server's route parameters are sized from it). Ids reelflow makes are far shorter.
 */
export const MAX_RUN_ID_LENGTH = 200;
/** Ids name workspaces and workflows: letters, digits, '-', '_' and '.', nothing that climbs paths. */
export const RUN_ID_PATTERN = `^[A-Za-z0-9][\\w.-]{0,${MAX_RUN_ID_LENGTH - 1}}$`;
export const RUN_ID = new RegExp(RUN_ID_PATTERN);
