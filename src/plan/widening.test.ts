import { describe, expect, it } from 'vitest';
import { createLayer } from '../config/load.js';
import { findWidenings, withoutWidenings } from './widening.js';

describe('findWidenings', () => {
  it('finds nothing in a config that only narrows or sets values', () => {
    expect(
      findWidenings({
        agent: 'codex',
        env: { A: '1' },
        ports: ['3000', '127.0.0.1:8080:80'],
        kits: {
          python: { disabled: true },
          ssh: { isolation: 'project' },
          github: { credentials: false },
          docker: { disabled: true },
        },
        agents: { claude: { config: 'project' } },
        'host-access': false,
        resources: { pids: 512 },
      }),
    ).toEqual([]);
  });

  it('counts host-access: true and looser resource limits: they undo the user own limits', () => {
    const found = findWidenings({
      'host-access': true,
      resources: { pids: 99_999_999, memory: '64g', cpus: 16 },
    });
    expect(found.map((w) => `${w.key}=${w.value}`)).toEqual([
      'host-access=true',
      'resources.pids=99999999',
      'resources.cpus=16',
      'resources.memory=64g',
    ]);
  });

  it('lists every setting that widens the blast radius', () => {
    const found = findWidenings({
      volumes: ['~:/mnt/home'],
      ports: ['0.0.0.0:3000:3000', '3001'],
      kits: {
        ports: { bind: 'all' },
        github: { credentials: 'auto' },
        java: { credentials: ['corp'] },
        ssh: { isolation: 'shared', writable: true },
      },
      agents: { claude: { config: 'shared' } },
    });
    expect(found.map((w) => `${w.key}=${w.value}`)).toEqual([
      'volumes=~:/mnt/home',
      'ports=0.0.0.0:3000:3000',
      'kits.ports.bind=all',
      'kits.github.credentials=auto',
      'kits.java.credentials=corp',
      'kits.ssh.isolation=shared',
      'kits.ssh.writable=true',
      'agents.claude.config=shared',
    ]);
  });

  it('counts turning on a kit that needs engine privileges (docker) as widening', () => {
    const found = findWidenings({ kits: { docker: {}, python: {} } });
    expect(found).toEqual([
      {
        key: 'kits.docker',
        value: 'enabled',
        effect: 'SYS_ADMIN, NET_ADMIN and a relaxed seccomp profile: a much weaker boundary',
      },
    ]);
    expect(findWidenings({ kits: { docker: null } }).map((w) => w.key)).toEqual(['kits.docker']);
  });

  it('withoutWidenings keeps the rest of the layer and takes out exactly the widenings', () => {
    const layer = createLayer('/p/.asylum', {
      volumes: ['~:/mnt/home'],
      ports: ['3000', '0.0.0.0:3001:3001'],
      'host-access': true,
      env: { A: '1' },
      kits: { github: { credentials: 'auto' }, docker: {}, python: { packages: ['black'] } },
      agents: { claude: { config: 'shared' } },
    });
    const kept = withoutWidenings(layer).config;
    expect(findWidenings(kept)).toEqual([]);
    expect(kept).toMatchObject({ ports: ['3000'], env: { A: '1' }, volumes: [] });
    expect(kept.kits).toEqual({ github: {}, python: { packages: ['black'] } });
    expect(layer.config['host-access']).toBe(true);
  });
});
