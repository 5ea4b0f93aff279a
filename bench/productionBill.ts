import { readFileSync } from 'node:fs';
import { loadInfraConfig, type InfraConfig } from '../infra/config.ts';
import { repoPath } from '../infra/paths.ts';
import { billInputsFromFigures, type BillInputs } from './billInputs.ts';
import type { BillConfiguration } from './billTypes.ts';
import { monthlyBill, type MonthlyBill } from './monthlyBill.ts';
import { PRICES, type Prices } from './prices.ts';
import { pricedFigures } from './resultFigures.ts';

/** The production stage's configuration as `cdk synth -c stage=production` loads it (cdk.json, then the stage file). */
export function productionConfig(): InfraConfig {
  const cdkJson = JSON.parse(readFileSync(repoPath('cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const context: Record<string, unknown> = { ...cdkJson.context, stage: 'production' };
  return loadInfraConfig({ context: (key) => context[key], stagesDir: repoPath('infra', 'stages') });
}

/**
 * The bill of all of Twitch priced with the production stage's settings over the measured
 * figures: by default those of the committed results (resultFigures.ts), the bill the README shows.
 */
export function productionBill(
  figures: Record<string, number> = pricedFigures(),
  prices: Prices = PRICES,
): { inputs: BillInputs; bill: MonthlyBill } {
  const config = productionConfig();
  const inputs = billInputsFromFigures(figures, config);
  return { inputs, bill: monthlyBill(inputs, prices) };
}

/** What infra/config.ts must say to deploy `c` (the fields the bill chose; everything else is the stage's). */
export function deployedConfiguration(config: InfraConfig): Omit<BillConfiguration, 'spot'> {
  return {
    slotsPerTask: config.slotsPerTask,
    task: { cpu: config.ingester.cpu, memoryMiB: config.ingester.memoryMiB },
    ephemeralStorageGiB: config.ingester.ephemeralStorageGiB ?? 20,
    network: config.network,
    kinesis: config.kinesis,
  };
}
