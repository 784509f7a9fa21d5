import { describe, expect, it } from 'vitest';
import { ownersOf } from '../../src/publish/github/codeowners.js';

const CODEOWNERS = `
# Default owners
*                       @platform-lead @acme/platform
*.md                    @docs-writer
/infra/                 @infra-owner  @acme/infra   infra@acme.example
infra/dev/              # nobody owns dev
pipelines/**/train.*    @ml-lead
docs/*                  @docs-writer
apps/                   @apps-owner
/build/logs             @build-owner
models/**/README.md     @model-owner @model-owner
`;

describe('ownersOf', () => {
  it('uses the last matching line, users only (no teams, no e-mail)', () => {
    expect(ownersOf(CODEOWNERS, 'infra/endpoint.tf')).toEqual(['infra-owner']);
    expect(ownersOf(CODEOWNERS, 'infra/modules/kms/main.tf')).toEqual(['infra-owner']);
    expect(ownersOf(CODEOWNERS, 'src/app.py')).toEqual(['platform-lead']);
    expect(ownersOf(CODEOWNERS, 'infra/README.md')).toEqual(['infra-owner']); // /infra/ comes after *.md
    expect(ownersOf(CODEOWNERS, 'README.md')).toEqual(['docs-writer']);
  });

  it('un-owns a path when the last matching line has no owners', () => {
    expect(ownersOf(CODEOWNERS, 'infra/dev/main.tf')).toEqual([]);
  });

  it('follows gitignore-like anchoring and globbing', () => {
    expect(ownersOf(CODEOWNERS, 'pipelines/churn/v2/train.json')).toEqual(['ml-lead']);
    expect(ownersOf(CODEOWNERS, 'pipelines/train.json')).toEqual(['ml-lead']);
    expect(ownersOf(CODEOWNERS, 'docs/guide.txt')).toEqual(['docs-writer']);
    expect(ownersOf(CODEOWNERS, 'docs/deep/guide.txt')).toEqual(['platform-lead']); // docs/* is not recursive
    expect(ownersOf(CODEOWNERS, 'services/apps/x.yaml')).toEqual(['apps-owner']); // unanchored directory
    expect(ownersOf(CODEOWNERS, 'build/logs/today/x.log')).toEqual(['build-owner']);
    expect(ownersOf(CODEOWNERS, 'models/churn/README.md')).toEqual(['model-owner']); // deduplicated
    expect(ownersOf(CODEOWNERS, '.github/workflows/deploy.yml')).toEqual(['platform-lead']); // dotfiles match *
  });

  it('matches in linear time (the file comes from the repository) and skips lines it cannot compile', () => {
    const text = '*  @lead\n**/*a*a*a*a*a*a*c  @hostile\ndocs/(old)/  @paren\n';
    const t = performance.now();
    expect(ownersOf(text, 'a'.repeat(105))).toEqual(['lead']); // picomatch: 13-23 s
    expect(performance.now() - t).toBeLessThan(1000);
    expect(ownersOf(text, 'x/aaaaaac')).toEqual(['hostile']);
    expect(ownersOf(text, 'docs/old/x.md')).toEqual(['lead']); // parentheses are regex syntax in picomatch
  });

  it('has no owners without a CODEOWNERS file, and caps at 10', () => {
    expect(ownersOf(null, 'a')).toEqual([]);
    expect(ownersOf('', 'a')).toEqual([]);
    const many = '* ' + Array.from({ length: 15 }, (_, i) => `@u${i}`).join(' ');
    expect(ownersOf(many, 'a')).toHaveLength(10);
  });
});
