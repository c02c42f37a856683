/** Workflow ids name the run: `reel-<slug>-<short id>`, `video-<slug>-<short id>`. */
export type RunKind = 'reel' | 'video';

export function slugify(text: string, maxLength = 24): string {
  const slug = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, maxLength)
    .replace(/-+$/, '');
  return slug || 'run';
}

/** `shortId` comes from the caller (crypto outside workflows, uuid4() inside), so this stays pure. */
export function runWorkflowId(kind: RunKind, name: string, shortId: string): string {
  return `${kind}-${slugify(name)}-${shortId}`;
}
