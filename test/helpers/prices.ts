/** A price table that charges for the offline providers, so caps and metering can be tested without paying anyone. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PriceTable } from '../../src/domain/cost';

/** $0.50 per second of offline video (a 4 s clip costs $2), $0.04 per image, Gemini-like token prices. */
export const TEST_PRICES: PriceTable = {
  currency: 'USD',
  asOf: 'test',
  providers: {
    offline: {
      label: 'offline, priced for tests',
      video: {
        'veo-3.1-generate-001': { perSecond: 0.5 },
        'veo-3.1-generate-preview': { perSecond: 0.5 },
        'veo-3.1-fast-generate-001': { perSecond: 0.25 },
      },
      image: { 'reelflow-offline-images': { perImage: 0.04 } },
    },
    'gemini-api': {
      label: 'Gemini Developer API (the local server stands in)',
      text: { 'gemini-2.5-flash': { inputPerMTokens: 0.3, outputPerMTokens: 2.5 } },
      image: { 'gemini-2.5-flash-image': { perImage: 0.039 } },
    },
  },
};

export async function writeTestPrices(dir: string): Promise<string> {
  const file = path.join(dir, 'test-prices.json');
  await writeFile(file, JSON.stringify(TEST_PRICES));
  return file;
}
