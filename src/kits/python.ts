import type { Kit } from './types.js';

export const pythonKit: Kit = {
  name: 'python',
  tier: 'default',
  summary: 'Debian python3 with venv and pip; pip cache volume',
  order: 12,
  aptPackages: ['python3', 'python3-venv', 'python3-pip', 'python3-dev', 'pipx'],
  caches: [{ tool: 'pip', homePath: '.cache/pip' }],
  // Debian's pip refuses to touch the system site-packages (PEP 668); a venv is the way.
  env: { PIP_DISABLE_PIP_VERSION_CHECK: '1' },
};
