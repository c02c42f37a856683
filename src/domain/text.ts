/** Text matching shared by anchor placement and the QA gates. */

/** Lower case, letters/digits/apostrophes only, single spaces: how spoken phrases are compared. */
export function normaliseText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words of a text as compared for topics and keywords. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}
