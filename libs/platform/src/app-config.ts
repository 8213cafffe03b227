import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsNumber, IsOptional, IsString, IsTimeZone, IsUrl, Matches, Max, Min, validateSync } from 'class-validator';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_DIRECTORY_FILE } from '@civicloop/directory';
import { DataInvalid, loadDefaultCalendar, loadSlaPolicy } from '@civicloop/deadlines';
import { dataDirJwtSecret } from './jwt-secret';

/** Every setting comes from the environment; this class is also the configuration table's source. */
export class AppConfig {
  @Transform(({ value }) => (value === undefined || value === '' ? 3000 : Number(value)))
  @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  /** Interface to listen on: this machine only unless told otherwise (the image sets 0.0.0.0). */
  @IsString()
  HOST = '127.0.0.1';

  @IsString()
  DATA_DIR = './data';

  @IsString()
  DIRECTORY_FILE = DEMO_DIRECTORY_FILE;

  /** HS256 key of staff tokens; empty means the key made at random in DATA_DIR (see jwtSecret()). */
  @IsString()
  JWT_SECRET = '';

  /** JWKS of the residents' identity provider (RS256/ES256 tokens); empty means none. */
  @IsOptional() @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  JWT_JWKS_URL?: string;

  /** When set, the provider's tokens must carry this `iss` / `aud`. */
  @IsOptional() @IsString()
  JWT_JWKS_ISSUER?: string;

  @IsOptional() @IsString()
  JWT_JWKS_AUDIENCE?: string;

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

  /** OpenTelemetry traces: off, console (stdout), or otlp (OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT). Unset: otlp when an endpoint is set, else off. */
  @IsOptional() @IsIn(['off', 'console', 'otlp'])
  TRACING?: 'off' | 'console' | 'otlp';

  /** The OTLP collector's base URL (e.g. http://otel-collector:4318); traces go to its /v1/traces. */
  @IsOptional() @Matches(/^https?:\/\/\S+$/, { message: '$property must be an http(s) URL, e.g. http://otel-collector:4318' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  get tracingMode(): 'off' | 'console' | 'otlp' {
    return this.TRACING ?? (this.OTEL_EXPORTER_OTLP_ENDPOINT ? 'otlp' : 'off');
  }

  private resolvedJwtSecret?: string;

  /** The key in use: JWT_SECRET, or the one this data directory made for itself on first use. */
  jwtSecret(): string {
    this.resolvedJwtSecret ??= this.JWT_SECRET || dataDirJwtSecret(this.DATA_DIR);
    return this.resolvedJwtSecret;
  }

  /** The ed25519 key that signs audit checkpoints; empty: DATA_DIR/audit-signing-key.pem, made on first start. */
  @IsString()
  AUDIT_SIGNING_KEY_FILE = '';

  /** A signed audit checkpoint every this many events… */
  @Transform(({ value }) => (value === undefined || value === '' ? 1000 : Number(value)))
  @IsInt() @Min(1)
  AUDIT_CHECKPOINT_EVERY = 1000;

  /** …or this many minutes after the last one, when events came since. */
  @Transform(({ value }) => (value === undefined || value === '' ? 10 : Number(value)))
  @IsNumber() @Min(0.01)
  AUDIT_CHECKPOINT_MINUTES = 10;

  get auditSigningKeyFile(): string {
    return this.AUDIT_SIGNING_KEY_FILE || join(this.DATA_DIR, 'audit-signing-key.pem');
  }

  /** The global audit tree and its signed checkpoints (written by the worker's chain follower). */
  get auditFile(): string {
    return join(this.DATA_DIR, 'audit.sqlite');
  }

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
  if (config.JWT_SECRET && Buffer.byteLength(config.JWT_SECRET) < 32) problems.push('JWT_SECRET: must be at least 32 bytes');
  if (config.NODE_ENV === 'production') problems.push(...productionProblems(config, present));
  try {
    loadSlaPolicy(config.SLA_POLICY_FILE, [loadDefaultCalendar().id]);
  } catch (error) {
    if (!(error instanceof DataInvalid)) throw error;
    problems.push(...error.problems.map((p) => `SLA_POLICY_FILE ${config.SLA_POLICY_FILE}: ${p.path}: ${p.problem}`));
  }
  if (problems.length) throw new ConfigInvalid(`invalid configuration:\n- ${problems.join('\n- ')}`);
  return config;
}

/** What a production start needs set by hand: a real key and the deployment's own directory. */
function productionProblems(config: AppConfig, present: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  if (!config.JWT_SECRET) problems.push('JWT_SECRET: required in production (at least 32 random bytes, e.g. openssl rand -hex 32)');
  if (present.DIRECTORY_FILE === undefined) {
    problems.push('DIRECTORY_FILE: required in production (the org tree and users of this deployment)');
  } else if (isDemoDirectory(config.DIRECTORY_FILE)) {
    problems.push(`DIRECTORY_FILE: ${config.DIRECTORY_FILE} is a demo directory (demo: true); production needs the deployment's own`);
  }
  return problems;
}

function isDemoDirectory(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { demo?: unknown }).demo === true;
  } catch {
    return false; // a missing or broken file is named when the directory is loaded
  }
}
