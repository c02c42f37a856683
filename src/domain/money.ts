/** Dollars as reelflow shows them: cents, or four decimals for sums under ten cents. No imports: the studio bundles it. */
export function formatUsd(n: number): string {
  return `$${n.toFixed(n !== 0 && n < 0.1 ? 4 : 2)}`;
}
