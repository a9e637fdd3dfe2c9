import { failBuildWith, type Kit } from './types.js';

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

/** pipx keeps each tool in its own venv here and links the commands onto PATH. */
const PIPX_ENV =
  'PIPX_HOME=/opt/pipx PIPX_BIN_DIR=/usr/local/bin PIPX_MAN_DIR=/usr/local/share/man';

/**
 * One RUN per package, so a failure names the package and the index it came
 * from (where no index is reachable, pip's own output is a screen of retries).
 */
function pipxLines(names: readonly string[]): string[] {
  // Set from the host's environment when it has them (see the session's build args).
  const args = ['ARG PIP_INDEX_URL', 'ARG PIP_EXTRA_INDEX_URL'];
  return [
    ...args,
    ...names.map((name) => {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: expanded by the build's shell
      const index = "${PIP_INDEX_URL:-pip's default index}";
      const why = `python package ${name} could not be installed from the package index ${index}`;
      return `RUN ${PIPX_ENV} pipx install --global ${name} || ${failBuildWith(why)}`;
    }),
  ];
}

// TODO(asylum): uv is not packaged by Debian trixie; install python tools with uv once it is.
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
  userInstalls: { key: 'packages', noun: 'Python package', lines: pipxLines },
};
