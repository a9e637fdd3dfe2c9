import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ctx, makeProject, runAsylum, writeOwned } from './harness.js';

// mvn -v prints its first line in bold even without a terminal: strip the escapes.
const REPORT =
  'java -version 2>&1 | head -1; ' +
  "mvn -v | sed 's/\\x1b\\[[0-9;]*m//g' | grep -E '^(Apache Maven|Java version)'";

describe.skipIf(!ctx.engine)('the java kit', () => {
  it('runs java 21 and maven from the default image', async () => {
    const project = makeProject('java-default');
    const result = await runAsylum(['run', '--', 'sh', '-c', REPORT], { cwd: project });
    expect(result.code).toBe(0);
    const [java, maven, javaOfMaven] = result.stdout.trim().split('\n');
    expect(java).toMatch(/^openjdk version "21\./);
    expect(maven).toMatch(/^Apache Maven 3\.9\./);
    expect(javaOfMaven).toMatch(/^Java version: 21\./);
  });

  it('installs and selects the JDK that .tool-versions names, in the project image', async () => {
    const project = makeProject('java-tool-versions');
    writeOwned(join(project, '.tool-versions'), 'nodejs 20\njava temurin-25.0.1+8\n');
    const result = await runAsylum(['run', '--', 'sh', '-c', `${REPORT}; echo "$JAVA_HOME"`], {
      cwd: project,
    });
    expect(result.code).toBe(0);
    const [java, , javaOfMaven, home] = result.stdout.trim().split('\n');
    expect(java).toMatch(/^openjdk version "25[".]/);
    expect(javaOfMaven).toMatch(/^Java version: 25[.,]/);
    expect(home).toBe('/usr/lib/jvm/asylum-default');
  });

  it('rejects a JDK that Debian does not package before building anything', async () => {
    const project = makeProject('java-bad-version');
    writeOwned(join(project, '.asylum'), 'kits:\n  java:\n    default-version: "17"\n');
    const result = await runAsylum(['run', 'true'], { cwd: project });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${project}/.asylum:3:5: kits.java.default-version: JDK 17 is not packaged by Debian ` +
        'trixie (available: 21, 25)',
    );
    expect(result.stderr).not.toMatch(/building image/);
  });
});
