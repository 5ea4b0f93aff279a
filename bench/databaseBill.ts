import { GIB, HOURS_PER_MONTH } from './billLoad.ts';
import { PRICES, type Prices } from './prices.ts';

export interface DatabaseOption {
  readonly key: string;
  /** Per month whatever is stored: the instance or service. */
  readonly usdFixed: number;
  /** Per month, for each month of events kept. */
  readonly usdPerRetainedMonth: number;
  readonly detail: string;
}

export interface DatabaseBillInputs {
  readonly eventsPerMonth: number;
  /** storage.clickhouse.bytes_per_event (measured; target 60). */
  readonly clickhouseBytesPerEvent: number;
  /** storage.postgres.bytes_per_event (measured; target 450). */
  readonly postgresBytesPerEvent: number;
  readonly postgresMultiAz: boolean;
}

/**
 * The database side, left out of `cost.usd_per_month_all_twitch`: a fixed part (the instance or
 * service) and a part per month of retention (stored bytes; each event is stored once, the
 * sinks dedupe the replicas' copies). Self-managed ClickHouse: one r7g.large with gp3;
 * ClickHouse Cloud: its smallest service and storage price; RDS Postgres: db.m7g.large with gp3,
 * both doubled for Multi-AZ.
 */
export function databaseBill(inputs: DatabaseBillInputs, prices: Prices = PRICES): DatabaseOption[] {
  const h = HOURS_PER_MONTH;
  const chGib = (inputs.eventsPerMonth * inputs.clickhouseBytesPerEvent) / GIB;
  const pgGib = (inputs.eventsPerMonth * inputs.postgresBytesPerEvent) / GIB;
  const ec2 = prices.ec2HourByType['r7g.large'] ?? 0;
  const rds = prices.rdsHourByType['db.m7g.large'] ?? 0;
  const copies = inputs.postgresMultiAz ? 2 : 1;
  return [
    {
      key: 'clickhouse_ec2',
      usdFixed: ec2 * h,
      usdPerRetainedMonth: chGib * prices.ebsGp3GbMonth,
      detail: `r7g.large ${h} h × $${ec2}; ${chGib.toFixed(0)} GB a month (${inputs.clickhouseBytesPerEvent} B/event) × $${prices.ebsGp3GbMonth} gp3`,
    },
    {
      key: 'clickhouse_cloud',
      usdFixed: prices.clickhouseCloudSmallestServiceMonth,
      usdPerRetainedMonth: (chGib / 1024) * prices.clickhouseCloudStorageTibMonth,
      detail: `smallest Basic service $${prices.clickhouseCloudSmallestServiceMonth}; ${(chGib / 1024).toFixed(2)} TiB a month × $${prices.clickhouseCloudStorageTibMonth}`,
    },
    {
      key: 'postgres_rds',
      usdFixed: copies * rds * h,
      usdPerRetainedMonth: copies * pgGib * prices.rdsGp3GbMonth,
      detail: `${copies} × db.m7g.large ${h} h × $${rds}; ${copies} × ${pgGib.toFixed(0)} GB a month (${inputs.postgresBytesPerEvent} B/event) × $${prices.rdsGp3GbMonth} gp3`,
    },
  ];
}

/** Bench figures: fixed and per-retained-month cost of each option. */
export function databaseFigures(options: readonly DatabaseOption[]): Record<string, number> {
  return Object.fromEntries(
    options.flatMap((o) => [
      [`cost.db.${o.key}.usd_fixed`, o.usdFixed],
      [`cost.db.${o.key}.usd_per_retained_month`, o.usdPerRetainedMonth],
    ]),
  );
}
