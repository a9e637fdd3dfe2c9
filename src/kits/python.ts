import type { Kit } from './types.js';

/**
 * At container start, a project that declares Python requirements but has no
 * `.venv` gets one, made by the container user (so the host sees the user's
 * files). `-I` keeps the project's own files off Python's import path, and
 * init runs it from `/`; a dangling `.venv` symlink counts as present.
 */
const VENV_AT_START = [
  'asylum_python_venv() {',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion
  '  local project=${ASYLUM_PROJECT_DIR:-} marker',
  '  [ -n "$project" ] || return 0',
  '  if [ -e "$project/.venv" ] || [ -L "$project/.venv" ]; then return 0; fi',
  '  for marker in requirements.txt pyproject.toml setup.py; do',
  '    [ -f "$project/$marker" ] || continue',
  '    echo "asylum: creating $project/.venv ($marker found)" >&2',
  '    as_user python3 -I -m venv "$project/.venv" >&2 || echo "asylum: python3 -m venv failed" >&2',
  '    return 0',
  '  done',
  '}',
  'asylum_python_venv',
];

export const pythonKit: Kit = {
  name: 'python',
  tier: 'default',
  summary: 'Debian python3 with venv and pip; pip cache volume; .venv at start',
  order: 12,
  aptPackages: ['python3', 'python3-venv', 'python3-pip', 'python3-dev', 'pipx'],
  caches: [{ tool: 'pip', homePath: '.cache/pip' }],
  // Debian's pip refuses to touch the system site-packages (PEP 668); a venv is the way.
  env: { PIP_DISABLE_PIP_VERSION_CHECK: '1' },
  startScript: VENV_AT_START,
};
