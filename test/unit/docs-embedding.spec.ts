// eslint-disable-next-line @typescript-eslint/no-require-imports
const { embedDocs } = require('../../scripts/embed-docs.cjs') as {
  embedDocs(options: { check: boolean }): { doc: string; file: string; matches: boolean }[];
};

/** The embedding guide shows exactly the example host app's code (issue 12): it cannot rot. */
describe('docs that show repository files', () => {
  const blocks = embedDocs({ check: true });

  it('embed the example host app in the README and docs/embedding.md', () => {
    expect(blocks.map((block) => `${block.doc} ← ${block.file}`)).toEqual(
      expect.arrayContaining([
        'README.md ← examples/host-app/src/app.module.ts',
        'docs/embedding.md ← examples/host-app/src/app.module.ts',
        'docs/embedding.md ← examples/host-app/src/auth/host-user.ts',
      ]),
    );
  });

  it.each(blocks.map((block) => [block.doc, block.file, block.matches]))(
    '%s shows %s exactly (run `node scripts/embed-docs.cjs`)',
    (_doc, _file, matches) => {
      expect(matches).toBe(true);
    },
  );
});
