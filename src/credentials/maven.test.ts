import { describe, expect, it } from 'vitest';
import { filterMavenSettings, serverIdsFromPom } from './maven.js';

const POM = `<?xml version="1.0"?>
<!DOCTYPE project [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<project>
  <repositories><repository><id>corp-releases</id><url>https://repo.example/r</url></repository></repositories>
  <pluginRepositories><pluginRepository><id>corp-plugins</id></pluginRepository></pluginRepositories>
  <distributionManagement>
    <repository><id>deploy</id></repository>
    <snapshotRepository><id>deploy-snapshots</id></snapshotRepository>
  </distributionManagement>
  <profiles><profile><id>p</id>
    <repositories><repository><id>profile-repo</id></repository><repository><id>corp-releases</id></repository></repositories>
  </profile></profiles>
  <name>&xxe;</name>
</project>`;

const SETTINGS = `<settings>
  <servers>
    <server><id>corp-releases</id><username>me</username><password>s3cr&amp;t</password></server>
    <server><id>unrelated</id><username>other</username><password>UNRELATED-SECRET</password></server>
    <server><id>deploy</id><privateKey>/home/me/.ssh/id</privateKey></server>
  </servers>
  <mirrors><mirror><id>m</id></mirror></mirrors>
</settings>`;

describe('maven credentials', () => {
  it('reads repository ids from the pom, profiles included, without entities', () => {
    expect(serverIdsFromPom(POM)).toEqual([
      'corp-releases',
      'corp-plugins',
      'deploy',
      'deploy-snapshots',
      'profile-repo',
    ]);
  });

  it('keeps only the servers the project uses', () => {
    const filtered = filterMavenSettings(SETTINGS, serverIdsFromPom(POM))!;
    expect(filtered).toContain('<id>corp-releases</id>');
    expect(filtered).toContain('s3cr&amp;t');
    expect(filtered).toContain('<privateKey>/home/me/.ssh/id</privateKey>');
    expect(filtered).not.toContain('UNRELATED-SECRET');
    expect(filtered).not.toContain('<mirrors>');
    expect(filtered).toContain(
      'not in your settings.xml: corp-plugins, deploy-snapshots, profile-repo',
    );
  });

  it('gives nothing when no server matches', () => {
    expect(filterMavenSettings(SETTINGS, ['nope'])).toBeUndefined();
    expect(serverIdsFromPom('<project/>')).toEqual([]);
  });
});
