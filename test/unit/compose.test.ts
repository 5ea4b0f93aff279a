import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, ComposeService> };
const OUR_SERVICES = ['twitch-sim', 'pipeline', 'pipeline-postgres', 'ingester'];
const DOCKERFILES = ['Dockerfile', 'services/ingester/Dockerfile'];
/** x.y.z or longer (ClickHouse: 24.8.14.39), an optional v, an optional variant suffix; never a major or minor alone. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(\.\d+)?(-[a-z][\w.-]*)?$/;

/** PostgreSQL numbers its releases major.minor since version 10: 16.6 is one release. */
const TWO_PART_VERSIONS = /^(postgres|library\/postgres)$/;
const EXACT_TWO_PART = /^\d+\.\d+(-[a-z][\w.-]*)?$/;

function assertExact(image: string, message: string): void {
  const repository = image.slice(0, image.lastIndexOf(':') === -1 ? undefined : image.lastIndexOf(':'));
  const tag = tagOf(image);
  assert.match(tag, TWO_PART_VERSIONS.test(repository) ? EXACT_TWO_PART : EXACT_VERSION, message);
}

function tagOf(image: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.indexOf(':', slash + 1);
  return colon === -1 ? '' : image.slice(colon + 1);
}

/** The healthcheck a service runs: its own, else its image's HEALTHCHECK when built from a Dockerfile here. */
function hasHealthcheck(service: ComposeService): boolean {
  if (service.healthcheck) return !service.healthcheck.test.includes('NONE');
  if (!service.build) return false;
  return /^HEALTHCHECK\s+(?!NONE)/m.test(readFileSync(join(service.build.context, service.build.dockerfile), 'utf8'));
}
/** Read by the AWS SDK itself, not by our code. */
const SDK_VARIABLES = new Set(['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);

function sourceText(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push(path);
    }
  };
  for (const dir of ['core', 'services', 'lambdas', 'cli']) walk(dir);
  return files.map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('docker-compose.yml', () => {
  it('passes the compose-spec schema and lint rules (dclint)', () => {
    const output = execFileSync(process.execPath, ['node_modules/dclint/bin/dclint.cjs', 'docker-compose.yml'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.doesNotMatch(output, /error/);
  });

  it('pins every image, base image and Grafana plugin to an exact version', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image) assertExact(service.image, `${name} image ${service.image} is not pinned to an exact version`);
      else assert.ok(service.build, `${name} has neither image nor build`);
    }
    for (const dockerfile of DOCKERFILES) {
      for (const [, image] of readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+(\S+)/gm)) {
        assertExact(image!, `${dockerfile}: FROM ${image} is not pinned to an exact version`);
      }
    }
    const plugins = String(compose.services.grafana?.environment?.GF_INSTALL_PLUGINS ?? '');
    assert.ok(plugins.length > 0, 'Grafana installs its plugins');
    // Grafana's entrypoint reads "id version" (or "id" for the latest) per comma-separated entry.
    for (const entry of plugins.split(',')) {
      const [id, version] = entry.trim().split(/\s+/);
      assert.match(version ?? '', EXACT_VERSION, `Grafana plugin ${id} is not pinned to an exact version`);
    }
  });

  it('gives every long-running service a healthcheck, and dependents wait for it', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      assert.ok(hasHealthcheck(service), `${name} has no healthcheck`);
      const dependsOn = service.depends_on ?? {};
      assert.ok(!Array.isArray(dependsOn), `${name}: depends_on lists names only, so it waits for nothing but the start`);
      for (const [dependency, { condition }] of Object.entries(dependsOn)) {
        assert.equal(condition, 'service_healthy', `${name} waits for ${dependency} with ${condition}`);
      }
    }
  });

  it('writes to both sinks, so both Grafana dashboards have data', () => {
    const environments = Object.values(compose.services).map((s) => s.environment ?? {});
    assert.ok(
      environments.some((e) => String(e.CLICKHOUSE_URL ?? '').startsWith('http://')),
      'a consumer writes ClickHouse',
    );
    assert.ok(
      environments.some((e) => String(e.DATABASE_URL ?? '').startsWith('postgres://')),
      'a consumer writes Postgres',
    );
  });

  it('has the images listen for Prometheus on every address, with state in a folder their user owns', () => {
    for (const dockerfile of DOCKERFILES) {
      assert.match(readFileSync(dockerfile, 'utf8'), /^\s*METRICS_HOST=0\.0\.0\.0\b/m, `${dockerfile} sets METRICS_HOST=0.0.0.0`);
    }
    const main = readFileSync('Dockerfile', 'utf8');
    const dataDir = /DATA_DIR=(\S+)/.exec(main)?.[1];
    assert.ok(dataDir, 'the pipeline image sets DATA_DIR');
    assert.match(main, new RegExp(`chown node:node ${dataDir}\\b`), 'and gives it to node');
    assert.match(main, /^USER node$/m);
    assert.match(main, /^HEALTHCHECK /m);
    const entrypoint = /^ENTRYPOINT (.+)$/m.exec(main)?.[1] ?? '';
    assert.match(entrypoint, /\.mjs"/, 'runs built JavaScript');
    assert.doesNotMatch(entrypoint, /tsx|\.ts"|bin\/poglytics\.js/, 'not TypeScript through tsx');
  });

  it('keeps secrets, tests, benchmarks, docs and build output out of the build context', () => {
    const ignored = new Set(
      readFileSync('.dockerignore', 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#')),
    );
    for (const entry of ['.env', 'test', 'bench', 'docs', 'dist', 'cdk.out', 'node_modules', 'data'])
      assert.ok(ignored.has(entry), `.dockerignore lists ${entry}`);
  });

  it('builds our services from Dockerfiles that exist', () => {
    for (const name of OUR_SERVICES) {
      const build = compose.services[name]?.build;
      assert.ok(build, `${name} is built from the repository`);
      assert.ok(existsSync(join(build.context, build.dockerfile)), `${build.dockerfile} exists`);
    }
  });

  it('gives our services only environment variables the code reads', () => {
    const source = sourceText();
    for (const name of OUR_SERVICES) {
      for (const variable of Object.keys(compose.services[name]?.environment ?? {})) {
        if (SDK_VARIABLES.has(variable)) continue;
        assert.ok(source.includes(`'${variable}'`), `${name} sets ${variable}, which no code reads`);
      }
    }
  });

  it('points the pipeline and ingesters at the simulator port it listens on', () => {
    const sim = compose.services['twitch-sim']!;
    const port = sim.command![sim.command!.indexOf('--port') + 1];
    assert.equal(compose.services.ingester!.environment!.TWITCH_IRC_URL, `ws://twitch-sim:${port}`);
    assert.equal(compose.services.pipeline!.environment!.TWITCH_HELIX_URL, `http://twitch-sim:${port}/helix`);
    assert.ok(sim.ports!.some((p) => p.endsWith(`:${port}`)));
  });

  it('mounts monitoring folders that exist and scrapes services that exist', () => {
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) assert.ok(existsSync(source), `${source} exists`);
      }
    }
    const prometheus = readFileSync('monitoring/prometheus/prometheus.yml', 'utf8');
    for (const target of prometheus.matchAll(/['"]?([a-z][\w-]*):(\d+)['"]?/g)) {
      const [, host, port] = target;
      if (host === 'localhost' || host === 'host.docker.internal') continue;
      const service = compose.services[host!];
      if (!service) continue;
      assert.equal(String(service.environment?.METRICS_PORT ?? port), port, `${host} metrics port`);
    }
  });
});
