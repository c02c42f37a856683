/**
 * The price table (src/pricing/prices.json, or PRICES_PATH) and which of its rows a configuration
 * uses. Read once per process; a malformed table stops with an error naming the file and field.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config';
import type { PriceProvider, PricedModels, PriceTable } from '../domain/cost';
import { PriceTableSchema } from '../domain/cost';
import { describeIssues } from '../domain/validation';
import { OFFLINE_IMAGE_NAME } from '../providers/image/offlineImage';
import { OFFLINE_TEXT_MODEL } from '../providers/text/offlineText';

export const DEFAULT_PRICES_PATH = path.join(__dirname, 'prices.json');

const cache = new Map<string, PriceTable>();

export function loadPriceTable(file = DEFAULT_PRICES_PATH): PriceTable {
  const cached = cache.get(file);
  if (cached) return cached;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`PRICES_PATH: cannot read the price table ${file}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = PriceTableSchema.safeParse(json);
  if (!parsed.success) throw new Error(`PRICES_PATH: ${file} is not a price table: ${describeIssues(parsed.error)}`);
  cache.set(file, parsed.data);
  return parsed.data;
}

export function pricesFor(config: Pick<AppConfig, 'pricesPath'>): PriceTable {
  return loadPriceTable(config.pricesPath);
}

/** The price-table provider that serves a kind of call under this configuration. */
export function priceProvider(config: AppConfig, kind: 'video' | 'image' | 'text'): PriceProvider {
  return config.providers[kind] === 'offline' ? 'offline' : config.backend;
}

/** The rows an estimate uses: each kind's provider and its first (preferred) model. */
export function pricedModels(config: AppConfig): PricedModels {
  return {
    video: { provider: priceProvider(config, 'video'), model: config.veo3.models[0]! },
    image:
      config.providers.image === 'offline'
        ? { provider: 'offline', model: OFFLINE_IMAGE_NAME }
        : { provider: config.backend, model: config.gemini.imageModels[0]! },
    text:
      config.providers.text === 'offline'
        ? { provider: 'offline', model: OFFLINE_TEXT_MODEL }
        : { provider: config.backend, model: config.gemini.textModels[0]! },
  };
}
