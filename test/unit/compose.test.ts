import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
}

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, ComposeService> };
const OUR_SERVICES = ['twitch-sim', 'pipeline', 'ingester'];
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
    const output = execFileSync(process.execPath, ['node_modules/dclint/bin/dclint.cjs', 'docker-compose.yml'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.doesNotMatch(output, /error/);
  });

  it('pins every third-party image to a version', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.image) assert.match(service.image, /:v?[0-9][\w.-]*$/, `${name} image ${service.image} is not pinned`);
      else assert.ok(service.build, `${name} has neither image nor build`);
    }
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
