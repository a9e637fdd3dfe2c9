import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ASSETS } from '../assets/index.js';
import { planBaseImage } from '../plan/image.js';
import { KITS } from './index.js';
import { pythonKit } from './python.js';

function kitStartOf(kits: typeof KITS): string {
  const plan = planBaseImage({
    baseImage: 'debian:trixie',
    kits: kits.map((kit) => ({ kit, options: {} })),
    agents: [],
    identity: { uid: 1000, gid: 1000, username: 'dev', home: '/home/dev' },
    caBundle: undefined,
  });
  expect(plan.dockerfile).toContain('COPY kit-start.sh /usr/local/lib/asylum/kit-start');
  return plan.files['kit-start.sh']!;
}

describe('kit start-up steps', () => {
  it("carries python's .venv step only when the python kit is in the image", () => {
    expect(kitStartOf([pythonKit])).toContain('python3 -I -m venv "$project/.venv"');
    expect(kitStartOf(KITS.filter((kit) => kit !== pythonKit))).not.toContain('venv');
  });

  it('is valid bash together with init, which sources it', () => {
    for (const script of [ASSETS.init, kitStartOf(KITS)]) {
      const check = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
      expect(check.status, check.stderr).toBe(0);
    }
  });
});
