import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsTimeZone, Matches, Max, Min, MinLength, validateSync } from 'class-validator';
import { join } from 'node:path';
import { DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { DataInvalid, loadDefaultCalendar, loadSlaPolicy } from '@civicloop/deadlines';

/** A key that only works on a developer's machine; production start-up refuses it. */
export const DEV_JWT_SECRET = 'civicloop-development-key-not-for-production-use';

/** Every setting comes from the environment; this class is also the configuration table's source. */
export class AppConfig {
  @Transform(({ value }) => (value === undefined || value === '' ? 3000 : Number(value)))
  @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsString()
  DATA_DIR = './data';

  @IsString()
  DIRECTORY_FILE = DEMO_DIRECTORY_FILE;

  @IsString() @MinLength(32)
  JWT_SECRET = DEV_JWT_SECRET;

  @IsString()
  JWT_TTL = '12h';

  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  /** Run the worker's consumers inside the API process (the embedded default: one process). */
  @Transform(({ value }) => (value === undefined || value === '' ? true : !['false', '0', 'no'].includes(String(value).toLowerCase())))
  @IsBoolean()
  WORKER_IN_PROCESS = true;

  @IsOptional() @IsString()
  REDIS_URL?: string;

  /** The SLA policy, JSON or YAML; `default` is the shipped libs/deadlines/data/default-sla-policy.json. */
  @IsString()
  SLA_POLICY_FILE = 'default';

  /** How long a firing deadline job is locked before another worker may take it over after a crash. */
  @Transform(({ value }) => (value === undefined || value === '' ? 30000 : Number(value)))
  @IsInt() @Min(500)
  DEADLINES_LOCK_MS = 30000;

  /** First wait before deadlines retry a Redis that refused them (doubling, up to ten times this). */
  @Transform(({ value }) => (value === undefined || value === '' ? 1000 : Number(value)))
  @IsInt() @Min(100)
  DEADLINES_RETRY_MS = 1000;

  /** Cases one user may take in per window, and one client address (all users behind it). */
  @Transform(({ value }) => (value === undefined || value === '' ? 30 : Number(value)))
  @IsInt() @Min(1)
  INTAKE_LIMIT_PER_USER = 30;

  @Transform(({ value }) => (value === undefined || value === '' ? 300 : Number(value)))
  @IsInt() @Min(1)
  INTAKE_LIMIT_PER_IP = 300;

  @Transform(({ value }) => (value === undefined || value === '' ? 60 : Number(value)))
  @IsInt() @Min(1)
  INTAKE_LIMIT_WINDOW_SECONDS = 60;

  /** How long an Idempotency-Key's first answer is replayed (kept in Redis when REDIS_URL is set). */
  @Transform(({ value }) => (value === undefined || value === '' ? 86400 : Number(value)))
  @IsInt() @Min(1) @Max(30 * 86400)
  IDEMPOTENCY_TTL_SECONDS = 86400;

  /** Comma-separated origins allowed by CORS; empty means no cross-origin access. */
  @IsString()
  CORS_ORIGINS = '';

  /** Express `trust proxy`: set when behind a load balancer so the client address is the real one. */
  @IsString()
  TRUST_PROXY = 'false';

  @IsOptional() @IsString()
  EVENTSTORE_CONNECTION_STRING?: string;

  @IsOptional() @IsString()
  DATABASE_URL?: string;

  /** Days, weeks and months of the views are counted in this zone (a change needs `projections rebuild`). */
  @IsTimeZone()
  TIME_ZONE = 'Asia/Shanghai';

  /** Weights of response, resolution and satisfaction rate in the monthly score. */
  @Matches(/^\d+(\.\d+)?,\d+(\.\d+)?,\d+(\.\d+)?$/, { message: '$property must be three numbers, e.g. 30,35,35' })
  THREE_RATE_WEIGHTS = '30,35,35';

  /** Weight of "basically satisfied" in the satisfaction rate. */
  @Transform(({ value }) => (value === undefined || value === '' ? 0.8 : Number(value)))
  @IsNumber() @Min(0) @Max(1)
  BASICALLY_SATISFIED_WEIGHT = 0.8;

  /** How long a view waits for `consistentWith` before answering 503 with the lag. */
  @Transform(({ value }) => (value === undefined || value === '' ? 2000 : Number(value)))
  @IsInt() @Min(0) @Max(30000)
  VIEWS_CONSISTENCY_TIMEOUT_MS = 2000;

  /** A projection runner that stops renewing its lease for this long is replaced by another replica's. */
  @Transform(({ value }) => (value === undefined || value === '' ? 15000 : Number(value)))
  @IsInt() @Min(1000)
  PROJECTION_LEASE_MS = 15000;

  /** Lowest level written to stdout as JSON lines (`debug` adds one line per append and per consumer batch). */
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  /** Serve Prometheus `/metrics` on this port instead of the API port (unset: on the API port). */
  @IsOptional() @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsInt() @Min(0) @Max(65535)
  METRICS_PORT?: number;

  get eventStoreFile(): string {
    return join(this.DATA_DIR, 'events.sqlite');
  }

  /** The embedded read models (when DATABASE_URL is not set). */
  get readModelsFile(): string {
    return join(this.DATA_DIR, 'read-models.sqlite');
  }

  get appStateFile(): string {
    return join(this.DATA_DIR, 'app.sqlite');
  }
}

export class ConfigInvalid extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(AppConfig, present, { exposeDefaultValues: true });
  const errors = validateSync(config, { whitelist: false });
  const problems = errors.flatMap((e) => Object.values(e.constraints ?? {}).map((m) => `${e.property}: ${m}`));
  if (config.NODE_ENV === 'production' && config.JWT_SECRET === DEV_JWT_SECRET) {
    problems.push('JWT_SECRET: set a real key in production');
  }
  try {
    loadSlaPolicy(config.SLA_POLICY_FILE, [loadDefaultCalendar().id]);
  } catch (error) {
    if (!(error instanceof DataInvalid)) throw error;
    problems.push(...error.problems.map((p) => `SLA_POLICY_FILE ${config.SLA_POLICY_FILE}: ${p.path}: ${p.problem}`));
  }
  if (problems.length) throw new ConfigInvalid(`invalid configuration:\n- ${problems.join('\n- ')}`);
  return config;
}
